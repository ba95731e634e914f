// HTTP authentication as RTSP (RFC 2326 §D.1) and WHEP use it: Basic (RFC 7617) and Digest
// (RFC 7616, and the RFC 2617 / RFC 2069 forms cameras still use), for both sides of a
// connection.
//
//  - ServerAuth: what ringcastd's RTSP server says in a 401 (WWW-Authenticate with a nonce bound
//    to the time and the client's address, realm "ringcast") and how it checks a request's
//    Authorization against a path's user and stored password (clear or hashed, see
//    stored_password.h): constant-time, nonce issued by us to this client and not stale, nc not
//    seen before (replay).
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
// (its nonce secret and its replay table are per instance; every request of a path, its 401
// included, is answered by the path's worker), a ClientAuth to one client connection.
#ifndef RINGCAST_NET_HTTP_AUTH_H_
#define RINGCAST_NET_HTTP_AUTH_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
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

// HA1 = H(username:realm:password), lower-case hex (RFC 7616 §3.4.2; what a hashed stored
// password keeps for Digest).
std::string DigestHa1(DigestAlgorithm algorithm, std::string_view username, std::string_view realm,
                      std::string_view password);
// The response from an HA1 (hex, as DigestHa1 makes it); `input.password` is not used.
std::string DigestResponseFromHa1(const DigestInput& input, std::string_view ha1);

// Constant-time equality of two secrets (CRYPTO_memcmp of their SHA-256 digests, so neither the
// position of the first difference nor the lengths leak). Any thread.
bool SecretEquals(std::string_view a, std::string_view b);

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

// A path's user and its stored password: the config value, clear or a hashed line
// (stored_password.h).
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
  // Nonces whose use is remembered (replay table; only requests with a valid digest add one).
  // When it is full the oldest goes, and a nonce that may have been in it answers stale=true.
  size_t max_nonces = 1024;
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
  kUnknownNonce,    // right credentials, nonce not issued by us to this client, or forgotten
                    // by the replay table: send stale=true
  kReplay,          // right credentials, but this nc (or this no-qop answer) was seen already
  kCannotVerify,    // the stored password is malformed or has no HA1 for this Digest algorithm
};
// A short reason for logs, never containing credentials ("stale nonce").
std::string_view AuthVerdictReason(AuthVerdict verdict);
// Whether the 401 that answers `verdict` carries stale=true (RFC 7616 §3.3).
// A replay gets it too: the digest was valid, so an honest client that lost count gets a fresh
// nonce, and whoever replayed a captured header cannot answer that nonce without the password.
inline bool VerdictWantsStale(AuthVerdict v) {
  return v == AuthVerdict::kStaleNonce || v == AuthVerdict::kUnknownNonce ||
         v == AuthVerdict::kReplay;
}
// Whether `verdict` counts as a failed attempt (logged, counted, towards the per-IP back-off of
// auth_guard.h): a wrong user or password, or a replay — the answers that test or reuse a
// secret. Not a missing header (the first step of every Digest login), nor a stale nonce with a
// valid digest, nor our own config's fault; nor what is refused before any secret is checked
// (malformed, a scheme or realm not ours, a uri that is not the request's: a misconfigured
// player must not lock itself out, and an attacker learns nothing from them).
bool VerdictIsFailure(AuthVerdict verdict);

// The RTSP server's side. Not thread-safe; one per server thread.
//
// Nonces (RFC 7616 §3.3, §5.4): nonce = hex(issue time, 8 bytes) + hex(8 random bytes) +
// hex(HMAC-SHA256(secret, time || random || client host)), with a secret drawn when the
// ServerAuth is made. Issuing one keeps no state, so floods of unauthenticated requests evict
// nothing; a nonce presented from another host, by another ServerAuth (worker, or before a
// restart), or altered is not ours (kUnknownNonce, which with a valid digest answers
// stale=true); one older than nonce_lifetime is stale.
//
// Replay (RFC 7616 §3.4, §5.5): for each nonce used by a request whose digest was valid, the
// table keeps the highest nc seen; a qop answer whose nc is not above it is a replay. An answer
// without qop (RFC 2069; GStreamer's rtspsrc and live555 send them, one per method and URI, all on
// one nonce) is taken once: its response is remembered (up to kMaxNoQopAnswers per nonce, after
// which the nonce is renewed with stale=true), so the same header again is a replay. The table
// holds max_nonces entries; when full, expired ones go first, then the one issued earliest, and
// every nonce issued up to that one's time answers stale=true from then on (it may have been
// used), so the client simply re-authenticates with a fresh nonce.
class ServerAuth {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kMaxNoQopAnswers = 32;

  explicit ServerAuth(ServerAuthOptions options = {});

  // The WWW-Authenticate values for a 401, one per offered scheme/algorithm, sharing one fresh
  // nonce bound to `now` and `client` (the peer's host, PeerHost()).
  std::vector<std::string> MakeChallenges(bool stale, std::string_view client,
                                          Clock::time_point now);
  std::vector<std::string> MakeChallenges(bool stale, std::string_view client) {
    return MakeChallenges(stale, client, Clock::now());
  }

  // Checks `authorization` (the header value, or empty when there was none) for a request with
  // `method` and request-target `uri` from `client` (PeerHost()) against `expected`.
  AuthVerdict Verify(std::string_view authorization, std::string_view method, std::string_view uri,
                     const Credentials& expected, std::string_view client, Clock::time_point now);
  AuthVerdict Verify(std::string_view authorization, std::string_view method, std::string_view uri,
                     const Credentials& expected, std::string_view client) {
    return Verify(authorization, method, uri, expected, client, Clock::now());
  }

  const ServerAuthOptions& options() const { return options_; }
  size_t tracked_nonces() const { return uses_.size(); }

 private:
  struct NonceUse {
    uint64_t issued_ns = 0;
    int64_t max_nc = -1;                      // highest nc taken with qop; -1: none yet
    std::vector<std::string> no_qop_answers;  // responses taken without qop
  };

  std::string MakeNonce(uint64_t issued_ns, std::string_view random, std::string_view client) const;
  // The issue time of `nonce` when we made it for `client`.
  std::optional<uint64_t> NonceIssued(std::string_view nonce, std::string_view client) const;
  // Records a use of a genuine, fresh nonce by a valid digest: kOk, kReplay or kUnknownNonce.
  AuthVerdict RecordUse(const AuthorizationFields& fields, uint64_t issued_ns, uint64_t now_ns);

  ServerAuthOptions options_;
  uint8_t secret_[32];
  std::unordered_map<std::string, NonceUse> uses_;  // by nonce
  uint64_t forgotten_up_to_ns_ = 0;  // nonces issued up to here may have been used and dropped
};

}  // namespace ringcast::net::http

#endif  // RINGCAST_NET_HTTP_AUTH_H_
