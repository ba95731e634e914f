// HTTP authentication as RTSP (RFC 2326 §D.1) and WHEP use it: Basic (RFC 7617) and Digest
// (RFC 7616, and the RFC 2617 / RFC 2069 forms cameras still use), for both sides of a
// connection.
//
//  - ServerAuth: what ringcastd's RTSP server says in a 401 (WWW-Authenticate with a random
//    nonce, realm "ringcast") and how it checks a request's Authorization against a path's
//    user/password (constant-time, nonce issued by us and not stale).
//  - ClientAuth: what ringcastd's RTSP client (pulling from a camera) does with a camera's 401:
//    parse its challenge(s), prefer Digest over Basic, and compute each request's Authorization
//    (nc counting, random cnonce).
//
// Digest supports MD5 and SHA-256 (and their -sess variants), qop=auth, qop=auth-int (client
// side) and the no-qop legacy form. Hashes and random bytes come from BoringSSL.
//
// Credentials never appear in a log line or an error message produced here: messages say which
// check failed ("stale nonce", "wrong realm"), never the user name, password or response.
// Plain objects, not thread-safe: a ServerAuth belongs to the thread that runs the RTSP server
// (its nonce table is per instance), a ClientAuth to one client connection.
#ifndef RINGCAST_NET_HTTP_AUTH_H_
#define RINGCAST_NET_HTTP_AUTH_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "net/http/message.h"

namespace ringcast::net::http {

enum class AuthScheme { kBasic, kDigest };

enum class DigestAlgorithm { kMd5, kMd5Sess, kSha256, kSha256Sess };
// "MD5", "MD5-sess", "SHA-256", "SHA-256-sess" (RFC 7616 §6.1).
std::string_view DigestAlgorithmName(DigestAlgorithm algorithm);

enum class DigestQop { kNone, kAuth, kAuthInt };

// One challenge of a WWW-Authenticate header (RFC 7235 §4.1).
struct AuthChallenge {
  AuthScheme scheme = AuthScheme::kDigest;
  std::string realm;
  // Digest only.
  std::string nonce;
  std::string opaque;  // echoed back verbatim
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  bool algorithm_given = false;  // the challenge named it (then the answer names it too)
  bool qop_auth = false;         // qop options offered
  bool qop_auth_int = false;
  bool stale = false;
  bool userhash = false;
};

// Parses one or more WWW-Authenticate values; one value may carry several challenges
// ("Digest realm=\"x\", nonce=\"y\", Basic realm=\"x\""). Challenges with a scheme or Digest
// algorithm we do not support are skipped; a Digest challenge without realm or nonce is skipped
// too. Errors: malformed syntax (unterminated quote, a parameter given twice in one challenge).
absl::StatusOr<std::vector<AuthChallenge>> ParseChallenges(
    std::span<const std::string_view> www_authenticate_values);
// Every WWW-Authenticate header of a (401) response.
absl::StatusOr<std::vector<AuthChallenge>> ParseChallenges(const Message& response);

// The one to answer: Digest over Basic; among Digest, SHA-256 over MD5, plain over -sess, then
// the server's order. nullptr when `challenges` is empty.
const AuthChallenge* PickChallenge(std::span<const AuthChallenge> challenges);

// A parsed Authorization header (RFC 7235 §4.2), as a server receives it.
struct AuthorizationFields {
  AuthScheme scheme = AuthScheme::kDigest;
  // Basic: the decoded user-id and password.
  std::string basic_user;
  std::string basic_password;
  // Digest.
  std::string username;
  std::string realm;
  std::string nonce;
  std::string uri;
  std::string response;  // hex as sent
  std::string cnonce;
  std::string opaque;
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  DigestQop qop = DigestQop::kNone;
  uint32_t nc = 0;  // valid when qop != kNone
  bool userhash = false;
};

// Parses "Basic <base64>" or "Digest k=v, ...". Errors for another scheme, bad base64, no ':'
// in Basic credentials, a Digest without username / realm / nonce / uri / response, qop without
// nc and cnonce, an nc that is not 8 hex digits, an unknown algorithm or qop.
absl::StatusOr<AuthorizationFields> ParseAuthorization(std::string_view value);

// Inputs to the Digest response computation (RFC 7616 §3.4.1).
struct DigestInput {
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  std::string_view username;  // the real name (also under userhash)
  std::string_view realm;
  std::string_view password;
  std::string_view nonce;
  std::string_view cnonce;  // qop and -sess only
  uint32_t nc = 0;          // qop only; written as 8 lower-case hex digits
  DigestQop qop = DigestQop::kNone;
  std::string_view method;
  std::string_view uri;
  std::string_view body;  // auth-int only
};

// The response as lower-case hex: H(HA1:nonce:nc:cnonce:qop:HA2), or H(HA1:nonce:HA2) without
// qop (RFC 2069 / RFC 2617 §3.2.2.1).
std::string DigestResponse(const DigestInput& input);

// H(username:realm) for userhash (RFC 7616 §3.4.4), lower-case hex.
std::string DigestUserHash(DigestAlgorithm algorithm, std::string_view username,
                           std::string_view realm);

// "Basic " + base64(user ":" password) (RFC 7617 §2).
std::string BasicAuthorization(std::string_view user, std::string_view password);

// The side that pulls from a camera. One per connection.
class ClientAuth {
 public:
  ClientAuth(std::string user, std::string password);

  // Takes a 401's challenges and picks one (PickChallenge). Errors: no challenge we support;
  // or the server rejected our last answer: we had answered this challenge's nonce already (or
  // it is Basic) and the server did not say stale=true. A caller retries a request at most once
  // per 401 either way, since some servers send a new nonce with every 401.
  absl::Status OnChallenge(const Message& response);
  absl::Status OnChallenge(std::span<const std::string_view> www_authenticate_values);

  // Whether a challenge has been taken, so requests need an Authorization.
  bool HasChallenge() const { return challenge_.has_value(); }
  const std::optional<AuthChallenge>& challenge() const { return challenge_; }

  // The Authorization header value for one request. Digest with qop counts nc up from 1 for each
  // request on the same nonce and draws a fresh cnonce each time; auth-int hashes `body`. Must
  // only be called when HasChallenge().
  std::string Authorization(std::string_view method, std::string_view uri,
                            std::string_view body = {});

  // For tests: use this cnonce for the next Authorization instead of a random one.
  void SetNextCnonceForTest(std::string cnonce) { next_cnonce_ = std::move(cnonce); }

 private:
  std::string user_;
  std::string password_;
  std::optional<AuthChallenge> challenge_;
  uint32_t nc_ = 0;
  bool answered_ = false;  // an Authorization was made for challenge_
  std::string next_cnonce_;
};

struct Credentials {
  std::string user;
  std::string password;
};

struct ServerAuthOptions {
  std::string realm = "ringcast";
  bool offer_digest_sha256 = false;  // sent first when on (RFC 7616 §3.7); many players lack it
  bool offer_digest_md5 = true;
  bool offer_basic = false;  // Basic sends the password in clear text; off unless asked
  bool offer_qop = true;     // qop="auth"; answers without qop (RFC 2069 form) are still taken
  std::chrono::steady_clock::duration nonce_lifetime = std::chrono::minutes(5);
  size_t max_nonces = 256;  // table size; the oldest nonce is dropped when it is full
};

// Why a request was (not) authorized. Only kOk lets it through.
enum class AuthVerdict {
  kOk,
  kMissing,           // no Authorization header
  kMalformed,         // unparsable Authorization
  kSchemeNotOffered,  // e.g. Basic when only Digest is offered
  kWrongRealm,
  kUriMismatch,     // digest uri is not the request's target
  kBadCredentials,  // wrong user or password (the response does not match)
  kStaleNonce,      // right credentials, nonce of ours but expired: send stale=true
  kUnknownNonce,    // right credentials, nonce not in our table: send stale=true
};
// A short reason for logs, never containing credentials ("stale nonce").
std::string_view AuthVerdictReason(AuthVerdict verdict);
// Whether the 401 that answers `verdict` carries stale=true (RFC 7616 §3.3).
inline bool VerdictWantsStale(AuthVerdict v) {
  return v == AuthVerdict::kStaleNonce || v == AuthVerdict::kUnknownNonce;
}

// The RTSP server's side. Not thread-safe; one per server thread.
class ServerAuth {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ServerAuth(ServerAuthOptions options = {});

  // The WWW-Authenticate values for a 401, one per offered scheme/algorithm, sharing one fresh
  // nonce that is recorded in the table.
  std::vector<std::string> MakeChallenges(bool stale, Clock::time_point now);
  std::vector<std::string> MakeChallenges(bool stale = false) {
    return MakeChallenges(stale, Clock::now());
  }

  // Checks `authorization` (the header value, or empty when there was none) for a request with
  // `method` and request-target `uri` against `expected`.
  AuthVerdict Verify(std::string_view authorization, std::string_view method, std::string_view uri,
                     const Credentials& expected, Clock::time_point now);
  AuthVerdict Verify(std::string_view authorization, std::string_view method, std::string_view uri,
                     const Credentials& expected) {
    return Verify(authorization, method, uri, expected, Clock::now());
  }

  const ServerAuthOptions& options() const { return options_; }

 private:
  struct NonceEntry {
    std::string nonce;
    Clock::time_point issued;
  };
  // The entry for `nonce`, or nullptr.
  const NonceEntry* FindNonce(std::string_view nonce) const;

  ServerAuthOptions options_;
  std::vector<NonceEntry> nonces_;  // ring of at most max_nonces
  size_t next_slot_ = 0;
};

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_AUTH_H_
