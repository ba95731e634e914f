// Fuzz target for the RTSP header parsers in net/rtsp: Transport (parse → format → parse must
// give the same specs), rtsp:// URLs (parse → log form → parse keeps host, port, path and query
// and drops the credentials), and authentication in both directions (a parsed WWW-Authenticate
// challenge answered by http::ClientAuth must parse back as an Authorization that http::ServerAuth
// can judge; a parsed Basic Authorization re-encodes to the same credentials), and the hashed
// password lines of path.NAME.*_pass.
//
// Every input goes through all of them. Seeds (corpus/rtsp_header) are header values taken from
// the real captures in tests/data/rtsp and the RFC 2617 / 7616 / 7617 examples.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/http/auth.h"
#include "net/http/stored_password.h"
#include "net/rtsp/transport.h"
#include "net/rtsp/url.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ringcast::net::rtsp;  // NOLINT: a fuzz harness over the whole namespace
namespace http = ringcast::net::http;

void FuzzTransport(std::string_view input) {
  absl::StatusOr<std::vector<TransportSpec>> specs = ParseTransport(input);
  if (specs.ok()) {
    const std::string formatted = FormatTransport(*specs);
    absl::StatusOr<std::vector<TransportSpec>> again = ParseTransport(formatted);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *specs);
    FUZZ_CHECK(FormatTransport(*again) == formatted);
    for (const TransportSpec& spec : *specs) (void)CheckSupported(spec);
  }
  absl::StatusOr<TransportSpec> chosen = ChooseTransport(input, {});
  if (chosen.ok()) {
    FUZZ_CHECK(CheckSupported(*chosen).ok());
    FUZZ_CHECK(chosen->delivery != Delivery::kMulticast);
  }
  (void)ChooseTransport(input, {.allow_udp = false});
}

void FuzzUrl(std::string_view input) {
  absl::StatusOr<Url> url = ParseUrl(input);
  const std::string redacted = RedactUrl(input);
  if (url.ok()) {
    FUZZ_CHECK(!url->host.empty());
    FUZZ_CHECK(url->port != 0);
    FUZZ_CHECK(redacted == url->RequestUri());
    absl::StatusOr<Url> again = ParseUrl(url->RequestUri());
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(!again->has_user && again->user.empty() && again->password.empty());
    FUZZ_CHECK(again->host == url->host);
    FUZZ_CHECK(again->port == url->port);
    FUZZ_CHECK(again->secure == url->secure);
    FUZZ_CHECK(again->path == url->path);
    FUZZ_CHECK(again->query == url->query);
    FUZZ_CHECK(again->RequestUri() == url->RequestUri());
  }
  absl::StatusOr<PathName> path = SplitPathName(input);
  if (path.ok()) {
    FUZZ_CHECK(!path->name.empty());
    FUZZ_CHECK(path->name.front() != '/' && path->name.back() != '/');
  }
}

void FuzzChallenges(std::string_view input) {
  const std::vector<std::string_view> values = {input};
  absl::StatusOr<std::vector<http::AuthChallenge>> challenges = http::ParseChallenges(values);
  if (!challenges.ok()) return;
  const std::string password = "pa:ss\"word\\";
  http::ClientAuth client("user", password);
  const absl::Status taken = client.OnChallenge(values);
  FUZZ_CHECK(taken.ok() == !challenges->empty());
  if (!taken.ok()) return;
  const http::AuthChallenge& picked = *client.challenge();
  const std::string uri = "rtsp://h/x";
  const std::string authorization = client.Authorization("DESCRIBE", uri, "body");
  absl::StatusOr<http::AuthorizationFields> fields = http::ParseAuthorization(authorization);
  FUZZ_CHECK(fields.ok());
  FUZZ_CHECK(fields->scheme == picked.scheme);
  if (picked.scheme == http::AuthScheme::kBasic) {
    FUZZ_CHECK(fields->basic_user == "user");
    FUZZ_CHECK(fields->basic_password == password);
    return;
  }
  FUZZ_CHECK(fields->realm == picked.realm);
  FUZZ_CHECK(fields->nonce == picked.nonce);
  FUZZ_CHECK(fields->opaque == picked.opaque);
  FUZZ_CHECK(fields->uri == uri);
  FUZZ_CHECK(fields->algorithm == picked.algorithm);
  http::ServerAuth server;
  const http::AuthVerdict verdict =
      server.Verify(authorization, "DESCRIBE", uri, {"user", password}, "127.0.0.1");
  if (picked.realm != "ringcast") {
    FUZZ_CHECK(verdict == http::AuthVerdict::kWrongRealm);
  } else if (fields->qop == http::DigestQop::kAuthInt) {
    FUZZ_CHECK(verdict == http::AuthVerdict::kMalformed);  // never offered by ringcast
  } else {
    FUZZ_CHECK(verdict == http::AuthVerdict::kUnknownNonce);  // a right digest, a nonce not ours
  }
}

void FuzzAuthorization(std::string_view input) {
  absl::StatusOr<http::AuthorizationFields> fields = http::ParseAuthorization(input);
  http::ServerAuth server({.offer_basic = true});
  server.MakeChallenges(false, "127.0.0.1");
  const http::AuthVerdict verdict =
      server.Verify(input, "DESCRIBE", "rtsp://h/x", {"user", "pass"}, "127.0.0.1");
  if (!fields.ok()) {
    FUZZ_CHECK(input.empty() ? verdict == http::AuthVerdict::kMissing
                             : verdict == http::AuthVerdict::kMalformed);
    return;
  }
  if (fields->scheme == http::AuthScheme::kBasic) {
    absl::StatusOr<http::AuthorizationFields> again = http::ParseAuthorization(
        http::BasicAuthorization(fields->basic_user, fields->basic_password));
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(again->basic_user == fields->basic_user);
    FUZZ_CHECK(again->basic_password == fields->basic_password);
  }
  // A random digest can never be right for a nonce we just made up.
  FUZZ_CHECK(verdict != http::AuthVerdict::kOk || fields->scheme == http::AuthScheme::kBasic);
}

// A path's stored password (path.NAME.*_pass, stored_password.h): a clear one stays itself, a
// hashed line either parses (and checks only what it was made from) or is refused.
void FuzzStoredPassword(std::string_view input) {
  absl::StatusOr<http::StoredPassword> stored = http::ParseStoredPassword(input);
  if (!http::LooksHashed(input)) {
    FUZZ_CHECK(stored.ok());
    FUZZ_CHECK(!stored->hashed);
    FUZZ_CHECK(stored->plain == (input.substr(0, 6) == "plain:" ? input.substr(6) : input));
    return;
  }
  if (!stored.ok()) return;
  FUZZ_CHECK(stored->hashed);
  FUZZ_CHECK(stored->iterations != 0 || !stored->ha1_md5.empty() || !stored->ha1_sha256.empty());
  FUZZ_CHECK(stored->iterations == 0 || stored->key.size() == 32);
  // Checking costs `iterations` HMACs: only cheap ones here.
  if (stored->iterations <= 2000) (void)http::CheckPassword(*stored, "user", "ringcast", input);
  // A line made for a password checks it, and not another.
  const std::string line = http::HashPasswordLineWithSalt("user", "ringcast", input, true,
                                                          http::kMinPbkdf2Iterations, "salt");
  absl::StatusOr<http::StoredPassword> made = http::ParseStoredPassword(line);
  FUZZ_CHECK(made.ok());
  FUZZ_CHECK(http::CheckPassword(*made, "user", "ringcast", input));
  FUZZ_CHECK(!http::CheckPassword(*made, "user", "ringcast", std::string(input) + "x"));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzTransport(input);
  FuzzUrl(input);
  FuzzChallenges(input);
  FuzzAuthorization(input);
  FuzzStoredPassword(input);
  return 0;
}
