#include "net/http/auth.h"

#include <openssl/crypto.h>  // CRYPTO_memcmp (BoringSSL and OpenSSL 3)
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>

#include "core/base64.h"
#include "core/strings.h"
#include "net/http/stored_password.h"

namespace ringcast::net::http {
namespace {

// --- RFC 7235 §2.1 auth-param syntax ----------------------------------------------------------

// token68 = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
bool IsToken68Char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

absl::Status AuthError(std::string_view why) {
  return absl::InvalidArgumentError(core::StrCat("auth: ", why));
}

struct AuthParam {
  std::string name;  // lower-cased
  std::string value;
};

// One "scheme [token68 | #auth-param]" item.
struct RawCredentials {
  std::string scheme;
  std::string token68;
  std::vector<AuthParam> params;

  const std::string* Find(std::string_view name) const {
    for (const AuthParam& p : params) {
      if (p.name == name) return &p.value;
    }
    return nullptr;
  }
};

class AuthLexer {
 public:
  explicit AuthLexer(std::string_view s) : s_(s) {}

  bool AtEnd() const { return pos_ >= s_.size(); }
  char Peek() const { return s_[pos_]; }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void SkipSpaceAndCommas() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == ',')) ++pos_;
  }
  std::string_view Token() {
    const size_t start = pos_;
    while (pos_ < s_.size() && IsTchar(s_[pos_])) ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // quoted-string with quoted-pair (RFC 9110 §5.6.4); pos_ at the opening quote.
  bool QuotedString(std::string& out) {
    ++pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (pos_ >= s_.size()) return false;
        out.push_back(s_[pos_++]);
      } else {
        out.push_back(c);
      }
    }
    return false;
  }
  // If a token68 ends at the next end-of-input or ',', consumes and returns it.
  std::optional<std::string_view> TryToken68() {
    size_t p = pos_;
    while (p < s_.size() && IsToken68Char(s_[p])) ++p;
    if (p == pos_) return std::nullopt;
    while (p < s_.size() && s_[p] == '=') ++p;
    const size_t end = p;
    while (p < s_.size() && (s_[p] == ' ' || s_[p] == '\t')) ++p;
    if (p < s_.size() && s_[p] != ',') return std::nullopt;
    std::string_view token = s_.substr(pos_, end - pos_);
    pos_ = p;
    return token;
  }
  size_t pos() const { return pos_; }
  void set_pos(size_t pos) { pos_ = pos; }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

// Parses a comma-separated list of challenges (or one credentials value).
absl::StatusOr<std::vector<RawCredentials>> ParseAuthList(std::string_view text) {
  std::vector<RawCredentials> out;
  AuthLexer lex(text);
  lex.SkipSpaceAndCommas();
  while (!lex.AtEnd()) {
    std::string_view scheme = lex.Token();
    if (scheme.empty()) return AuthError("expected an auth scheme");
    RawCredentials item;
    item.scheme = std::string(scheme);
    if (!lex.AtEnd() && lex.Peek() != ' ' && lex.Peek() != '\t' && lex.Peek() != ',') {
      return AuthError("malformed auth scheme");
    }
    lex.SkipSpace();
    if (std::optional<std::string_view> t68 = lex.TryToken68()) {
      item.token68 = std::string(*t68);
      out.push_back(std::move(item));
      lex.SkipSpaceAndCommas();
      continue;
    }
    // #auth-param until a token that is not followed by '=' (the next challenge's scheme).
    while (true) {
      lex.SkipSpaceAndCommas();
      if (lex.AtEnd()) break;
      const size_t start = lex.pos();
      std::string_view name = lex.Token();
      if (name.empty()) return AuthError("malformed auth parameter");
      lex.SkipSpace();
      if (lex.AtEnd() || lex.Peek() != '=') {
        lex.set_pos(start);  // a new scheme
        break;
      }
      lex.set_pos(lex.pos() + 1);
      lex.SkipSpace();
      AuthParam param;
      param.name = Lower(name);
      if (!lex.AtEnd() && lex.Peek() == '"') {
        if (!lex.QuotedString(param.value)) return AuthError("unterminated quoted string");
      } else {
        std::string_view value = lex.Token();
        if (value.empty()) return AuthError("auth parameter without a value");
        param.value = std::string(value);
      }
      lex.SkipSpace();
      if (!lex.AtEnd() && lex.Peek() != ',') return AuthError("expected ',' between parameters");
      if (item.Find(param.name) != nullptr) return AuthError("auth parameter given twice");
      item.params.push_back(std::move(param));
    }
    out.push_back(std::move(item));
  }
  return out;
}

std::optional<DigestAlgorithm> ParseAlgorithm(std::string_view name) {
  if (core::EqualsIgnoreCase(name, "MD5")) return DigestAlgorithm::kMd5;
  if (core::EqualsIgnoreCase(name, "MD5-sess")) return DigestAlgorithm::kMd5Sess;
  if (core::EqualsIgnoreCase(name, "SHA-256")) return DigestAlgorithm::kSha256;
  if (core::EqualsIgnoreCase(name, "SHA-256-sess")) return DigestAlgorithm::kSha256Sess;
  return std::nullopt;
}

bool IsSess(DigestAlgorithm a) {
  return a == DigestAlgorithm::kMd5Sess || a == DigestAlgorithm::kSha256Sess;
}
bool IsSha256(DigestAlgorithm a) {
  return a == DigestAlgorithm::kSha256 || a == DigestAlgorithm::kSha256Sess;
}

// --- Hashing ----------------------------------------------------------------------------------

std::string Hex(const uint8_t* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '\0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[bytes[i] >> 4];
    out[2 * i + 1] = kDigits[bytes[i] & 0xf];
  }
  return out;
}

// Through EVP, which both BoringSSL and OpenSSL 3 (where MD5() is deprecated) provide.
std::string HashHex(DigestAlgorithm algorithm, std::string_view data) {
  uint8_t out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), out, &length, IsSha256(algorithm) ? EVP_sha256() : EVP_md5(),
             nullptr);
  return Hex(out, length);
}

std::string RandomHex(size_t bytes) {
  uint8_t buf[32];
  bytes = std::min(bytes, sizeof(buf));
  RAND_bytes(buf, bytes);
  return Hex(buf, bytes);
}

std::string NcHex(uint32_t nc) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", static_cast<unsigned>(nc));
  return std::string(buf, 8);
}

// A quoted-string for a header: '"' and '\' escaped (RFC 9110 §5.6.4).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool Base16Decode(std::string_view in, std::string& out) {
  if (in.size() % 2 != 0) return false;
  out.clear();
  for (size_t i = 0; i < in.size(); i += 2) {
    uint8_t byte = 0;
    auto [end, ec] = std::from_chars(in.data() + i, in.data() + i + 2, byte, 16);
    if (ec != std::errc() || end != in.data() + i + 2) return false;
    out.push_back(static_cast<char>(byte));
  }
  return true;
}

bool Base64Decode(std::string_view in, std::string& out) {
  std::optional<std::vector<uint8_t>> decoded = core::Base64Decode(in);
  if (!decoded) return false;
  out.assign(decoded->begin(), decoded->end());
  return true;
}

std::optional<AuthChallenge> ToChallenge(const RawCredentials& raw) {
  AuthChallenge c;
  const std::string* realm = raw.Find("realm");
  if (core::EqualsIgnoreCase(raw.scheme, "Basic")) {
    c.scheme = AuthScheme::kBasic;
    if (realm) c.realm = *realm;
    return c;
  }
  if (!core::EqualsIgnoreCase(raw.scheme, "Digest")) return std::nullopt;
  c.scheme = AuthScheme::kDigest;
  const std::string* nonce = raw.Find("nonce");
  if (!realm || !nonce) return std::nullopt;
  c.realm = *realm;
  c.nonce = *nonce;
  if (const std::string* opaque = raw.Find("opaque")) c.opaque = *opaque;
  if (const std::string* algorithm = raw.Find("algorithm")) {
    std::optional<DigestAlgorithm> a = ParseAlgorithm(*algorithm);
    if (!a) return std::nullopt;  // e.g. SHA-512-256: answer another challenge
    c.algorithm = *a;
    c.algorithm_given = true;
  }
  if (const std::string* qop = raw.Find("qop")) {
    std::string_view rest = *qop;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (core::EqualsIgnoreCase(item, "auth")) c.qop_auth = true;
      if (core::EqualsIgnoreCase(item, "auth-int")) c.qop_auth_int = true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    // A qop we do not know is no reason to refuse; an offer with none we know is.
    if (!c.qop_auth && !c.qop_auth_int) return std::nullopt;
  }
  if (const std::string* stale = raw.Find("stale"))
    c.stale = core::EqualsIgnoreCase(*stale, "true");
  if (const std::string* userhash = raw.Find("userhash")) {
    c.userhash = core::EqualsIgnoreCase(*userhash, "true");
  }
  return c;
}

int ChallengeRank(const AuthChallenge& c) {
  if (c.scheme == AuthScheme::kBasic) return 0;
  switch (c.algorithm) {
    case DigestAlgorithm::kSha256:
      return 4;
    case DigestAlgorithm::kSha256Sess:
      return 3;
    case DigestAlgorithm::kMd5:
      return 2;
    case DigestAlgorithm::kMd5Sess:
      return 1;
  }
  return 0;
}

}  // namespace

std::string_view DigestAlgorithmName(DigestAlgorithm algorithm) {
  switch (algorithm) {
    case DigestAlgorithm::kMd5:
      return "MD5";
    case DigestAlgorithm::kMd5Sess:
      return "MD5-sess";
    case DigestAlgorithm::kSha256:
      return "SHA-256";
    case DigestAlgorithm::kSha256Sess:
      return "SHA-256-sess";
  }
  return "MD5";
}

absl::StatusOr<std::vector<AuthChallenge>> ParseChallenges(
    std::span<const std::string_view> values) {
  std::vector<AuthChallenge> out;
  for (std::string_view value : values) {
    absl::StatusOr<std::vector<RawCredentials>> raw = ParseAuthList(value);
    if (!raw.ok()) return raw.status();
    for (const RawCredentials& item : *raw) {
      if (std::optional<AuthChallenge> c = ToChallenge(item)) out.push_back(*std::move(c));
    }
  }
  return out;
}

absl::StatusOr<std::vector<AuthChallenge>> ParseChallenges(const Message& response) {
  std::vector<std::string_view> values;
  for (const Header& h : response.headers) {
    if (HeaderNameEquals(h.name, "WWW-Authenticate")) values.push_back(h.value);
  }
  return ParseChallenges(values);
}

const AuthChallenge* PickChallenge(std::span<const AuthChallenge> challenges) {
  const AuthChallenge* best = nullptr;
  for (const AuthChallenge& c : challenges) {
    if (best == nullptr || ChallengeRank(c) > ChallengeRank(*best)) best = &c;
  }
  return best;
}

absl::StatusOr<AuthorizationFields> ParseAuthorization(std::string_view value) {
  absl::StatusOr<std::vector<RawCredentials>> list = ParseAuthList(value);
  if (!list.ok()) return list.status();
  if (list->size() != 1) return AuthError("Authorization must hold exactly one credentials");
  const RawCredentials& raw = list->front();
  AuthorizationFields out;
  if (core::EqualsIgnoreCase(raw.scheme, "Basic")) {
    out.scheme = AuthScheme::kBasic;
    std::string decoded;
    if (raw.token68.empty() || !Base64Decode(raw.token68, decoded)) {
      return AuthError("Basic credentials are not base64");
    }
    const size_t colon = decoded.find(':');
    if (colon == std::string::npos) return AuthError("Basic credentials without ':'");
    out.basic_user = decoded.substr(0, colon);
    out.basic_password = decoded.substr(colon + 1);
    return out;
  }
  if (!core::EqualsIgnoreCase(raw.scheme, "Digest")) return AuthError("unsupported auth scheme");
  if (!raw.token68.empty()) return AuthError("Digest credentials need parameters");
  out.scheme = AuthScheme::kDigest;
  const std::string* username = raw.Find("username");
  const std::string* realm = raw.Find("realm");
  const std::string* nonce = raw.Find("nonce");
  const std::string* uri = raw.Find("uri");
  const std::string* response = raw.Find("response");
  if (!username || !realm || !nonce || !uri || !response) {
    return AuthError("Digest credentials lack username, realm, nonce, uri or response");
  }
  out.username = *username;
  out.realm = *realm;
  out.nonce = *nonce;
  out.uri = *uri;
  out.response = *response;
  if (const std::string* opaque = raw.Find("opaque")) out.opaque = *opaque;
  if (const std::string* algorithm = raw.Find("algorithm")) {
    std::optional<DigestAlgorithm> a = ParseAlgorithm(*algorithm);
    if (!a) return AuthError("unsupported Digest algorithm");
    out.algorithm = *a;
  }
  if (const std::string* userhash = raw.Find("userhash")) {
    out.userhash = core::EqualsIgnoreCase(*userhash, "true");
  }
  const std::string* cnonce = raw.Find("cnonce");
  if (cnonce) out.cnonce = *cnonce;
  if (const std::string* qop = raw.Find("qop")) {
    if (core::EqualsIgnoreCase(*qop, "auth")) {
      out.qop = DigestQop::kAuth;
    } else if (core::EqualsIgnoreCase(*qop, "auth-int")) {
      out.qop = DigestQop::kAuthInt;
    } else {
      return AuthError("unsupported Digest qop");
    }
    const std::string* nc = raw.Find("nc");
    if (!nc || !cnonce || cnonce->empty()) return AuthError("Digest qop without nc and cnonce");
    uint32_t count = 0;
    auto [end, ec] = std::from_chars(nc->data(), nc->data() + nc->size(), count, 16);
    if (nc->size() != 8 || ec != std::errc() || end != nc->data() + nc->size()) {
      return AuthError("Digest nc is not 8 hex digits");
    }
    out.nc = count;
  }
  if (IsSess(out.algorithm) && out.cnonce.empty()) return AuthError("Digest -sess without cnonce");
  return out;
}

bool SecretEquals(std::string_view a, std::string_view b) {
  uint8_t da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const uint8_t*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const uint8_t*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof(da)) == 0;
}

std::string DigestHa1(DigestAlgorithm algorithm, std::string_view username, std::string_view realm,
                      std::string_view password) {
  return HashHex(algorithm, core::StrCat(username, ":", realm, ":", password));
}

std::string DigestResponse(const DigestInput& in) {
  return DigestResponseFromHa1(in, DigestHa1(in.algorithm, in.username, in.realm, in.password));
}

std::string DigestResponseFromHa1(const DigestInput& in, std::string_view ha1_hex) {
  const DigestAlgorithm a = in.algorithm;
  std::string ha1(ha1_hex);
  if (IsSess(a)) ha1 = HashHex(a, core::StrCat(ha1, ":", in.nonce, ":", in.cnonce));
  std::string ha2 = in.qop == DigestQop::kAuthInt
                        ? HashHex(a, core::StrCat(in.method, ":", in.uri, ":", HashHex(a, in.body)))
                        : HashHex(a, core::StrCat(in.method, ":", in.uri));
  if (in.qop == DigestQop::kNone) return HashHex(a, core::StrCat(ha1, ":", in.nonce, ":", ha2));
  const std::string_view qop = in.qop == DigestQop::kAuth ? "auth" : "auth-int";
  return HashHex(
      a, core::StrCat(ha1, ":", in.nonce, ":", NcHex(in.nc), ":", in.cnonce, ":", qop, ":", ha2));
}

std::string DigestUserHash(DigestAlgorithm algorithm, std::string_view username,
                           std::string_view realm) {
  return HashHex(algorithm, core::StrCat(username, ":", realm));
}

std::string BasicAuthorization(std::string_view user, std::string_view password) {
  const std::string plain = core::StrCat(user, ":", password);
  return core::StrCat(
      "Basic ", core::Base64Encode({reinterpret_cast<const uint8_t*>(plain.data()), plain.size()}));
}

// --- ClientAuth -------------------------------------------------------------------------------

ClientAuth::ClientAuth(std::string user, std::string password)
    : user_(std::move(user)), password_(std::move(password)) {}

absl::Status ClientAuth::OnChallenge(const Message& response) {
  std::vector<std::string_view> values;
  for (const Header& h : response.headers) {
    if (HeaderNameEquals(h.name, "WWW-Authenticate")) values.push_back(h.value);
  }
  return OnChallenge(values);
}

absl::Status ClientAuth::OnChallenge(std::span<const std::string_view> values) {
  absl::StatusOr<std::vector<AuthChallenge>> challenges = ParseChallenges(values);
  if (!challenges.ok()) return challenges.status();
  const AuthChallenge* pick = PickChallenge(*challenges);
  if (pick == nullptr) {
    return absl::UnimplementedError(
        "auth: the server offers no authentication scheme we support (Basic, Digest MD5/SHA-256)");
  }
  if (answered_ && challenge_ && !pick->stale &&
      (pick->scheme == AuthScheme::kBasic || pick->nonce == challenge_->nonce)) {
    return absl::PermissionDeniedError("auth: the server rejected the user name or password");
  }
  const bool same_nonce = challenge_ && challenge_->nonce == pick->nonce;
  challenge_ = *pick;
  answered_ = false;
  if (!same_nonce) nc_ = 0;
  return absl::OkStatus();
}

std::string ClientAuth::Authorization(std::string_view method, std::string_view uri,
                                      std::string_view body) {
  if (!challenge_) return {};
  answered_ = true;
  const AuthChallenge& c = *challenge_;
  if (c.scheme == AuthScheme::kBasic) return BasicAuthorization(user_, password_);

  DigestInput in;
  in.algorithm = c.algorithm;
  in.username = user_;
  in.realm = c.realm;
  in.password = password_;
  in.nonce = c.nonce;
  in.method = method;
  in.uri = uri;
  in.body = body;
  in.qop = c.qop_auth ? DigestQop::kAuth : c.qop_auth_int ? DigestQop::kAuthInt : DigestQop::kNone;
  std::string cnonce;
  if (in.qop != DigestQop::kNone || IsSess(c.algorithm)) {
    cnonce = next_cnonce_.empty() ? RandomHex(16) : std::move(next_cnonce_);
    next_cnonce_.clear();
    in.cnonce = cnonce;
  }
  if (in.qop != DigestQop::kNone) in.nc = ++nc_;
  const std::string response = DigestResponse(in);

  // RFC 7616 §3.4 order: username, realm, uri, algorithm, nonce, nc, cnonce, qop, response,
  // opaque, userhash. Unquoted: algorithm, nc, qop (some cameras refuse them quoted).
  std::string out = "Digest username=";
  out += Quote(c.userhash ? DigestUserHash(c.algorithm, user_, c.realm) : user_);
  core::StrAppend(out, ", realm=", Quote(c.realm), ", nonce=", Quote(c.nonce),
                  ", uri=", Quote(uri));
  if (c.algorithm_given) core::StrAppend(out, ", algorithm=", DigestAlgorithmName(c.algorithm));
  core::StrAppend(out, ", response=", Quote(response));
  if (!c.opaque.empty()) core::StrAppend(out, ", opaque=", Quote(c.opaque));
  if (in.qop != DigestQop::kNone) {
    core::StrAppend(out, ", qop=", in.qop == DigestQop::kAuth ? "auth" : "auth-int",
                    ", nc=", NcHex(in.nc), ", cnonce=", Quote(cnonce));
  } else if (!cnonce.empty()) {
    core::StrAppend(out, ", cnonce=", Quote(cnonce));
  }
  if (c.userhash) out += ", userhash=true";
  return out;
}

// --- ServerAuth -------------------------------------------------------------------------------

std::string_view AuthVerdictReason(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kOk:
      return "authorized";
    case AuthVerdict::kMissing:
      return "no Authorization header";
    case AuthVerdict::kMalformed:
      return "malformed Authorization header";
    case AuthVerdict::kSchemeNotOffered:
      return "authentication scheme not offered";
    case AuthVerdict::kWrongRealm:
      return "wrong realm";
    case AuthVerdict::kUriMismatch:
      return "digest uri does not match the request";
    case AuthVerdict::kBadCredentials:
      return "wrong user name or password";
    case AuthVerdict::kStaleNonce:
      return "stale nonce";
    case AuthVerdict::kUnknownNonce:
      return "nonce not issued to this client";
    case AuthVerdict::kReplay:
      return "replayed Authorization (nonce count already used)";
    case AuthVerdict::kCannotVerify:
      return "the stored password cannot check this scheme (see ringcastctl --hash-password)";
  }
  return "unknown";
}

bool VerdictIsFailure(AuthVerdict verdict) {
  switch (verdict) {
    case AuthVerdict::kBadCredentials:
    case AuthVerdict::kReplay:
      return true;
    case AuthVerdict::kMalformed:
    case AuthVerdict::kSchemeNotOffered:
    case AuthVerdict::kWrongRealm:
    case AuthVerdict::kUriMismatch:
    case AuthVerdict::kOk:
    case AuthVerdict::kMissing:
    case AuthVerdict::kStaleNonce:
    case AuthVerdict::kUnknownNonce:
    case AuthVerdict::kCannotVerify:
      return false;
  }
  return false;
}

namespace {

constexpr size_t kNonceTimeHex = 16;                                // 8 bytes
constexpr size_t kNonceRandomHex = 16;                              // 8 bytes
constexpr size_t kNonceHex = kNonceTimeHex + kNonceRandomHex + 64;  // + HMAC-SHA256

uint64_t ToNs(ServerAuth::Clock::time_point t) {
  const int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return ns < 0 ? 0 : static_cast<uint64_t>(ns);
}

}  // namespace

ServerAuth::ServerAuth(ServerAuthOptions options) : options_(std::move(options)) {
  if (options_.max_nonces == 0) options_.max_nonces = 1;
  RAND_bytes(secret_, sizeof(secret_));
}

std::string ServerAuth::MakeNonce(uint64_t issued_ns, std::string_view random,
                                  std::string_view client) const {
  // HMAC(secret, time || random || client); the random part keeps two nonces issued to one
  // client at the same instant apart.
  uint8_t message[16 + 64] = {};
  for (int i = 0; i < 8; ++i) message[i] = static_cast<uint8_t>(issued_ns >> (56 - 8 * i));
  std::copy_n(random.data(), std::min<size_t>(random.size(), 8), message + 8);
  const size_t client_bytes = std::min(client.size(), sizeof(message) - 16);
  std::copy_n(client.data(), client_bytes, message + 16);
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  HMAC(EVP_sha256(), secret_, sizeof(secret_), message, 16 + client_bytes, mac, &mac_length);
  return core::StrCat(Hex(message, 16), Hex(mac, mac_length));
}

std::optional<uint64_t> ServerAuth::NonceIssued(std::string_view nonce,
                                                std::string_view client) const {
  if (nonce.size() != kNonceHex) return std::nullopt;
  uint64_t issued = 0;
  auto [end, ec] = std::from_chars(nonce.data(), nonce.data() + kNonceTimeHex, issued, 16);
  if (ec != std::errc() || end != nonce.data() + kNonceTimeHex) return std::nullopt;
  std::string random;
  if (!Base16Decode(nonce.substr(kNonceTimeHex, kNonceRandomHex), random)) return std::nullopt;
  const std::string want = MakeNonce(issued, random, client);
  if (CRYPTO_memcmp(want.data(), Lower(nonce).data(), kNonceHex) != 0) return std::nullopt;
  return issued;
}

std::vector<std::string> ServerAuth::MakeChallenges(bool stale, std::string_view client,
                                                    Clock::time_point now) {
  uint8_t random[8];
  RAND_bytes(random, sizeof(random));
  const std::string nonce =
      MakeNonce(ToNs(now), {reinterpret_cast<const char*>(random), sizeof(random)}, client);
  std::vector<std::string> out;
  const std::string realm = Quote(options_.realm);
  auto digest = [&](DigestAlgorithm algorithm) {
    std::string v = core::StrCat("Digest realm=", realm, ", nonce=\"", nonce, "\"");
    if (algorithm != DigestAlgorithm::kMd5) {
      core::StrAppend(v, ", algorithm=", DigestAlgorithmName(algorithm));
    }
    if (options_.offer_qop) v += ", qop=\"auth\"";
    if (stale) v += ", stale=true";
    out.push_back(std::move(v));
  };
  if (options_.offer_digest_sha256) digest(DigestAlgorithm::kSha256);
  if (options_.offer_digest_md5) digest(DigestAlgorithm::kMd5);
  if (options_.offer_basic) out.push_back(core::StrCat("Basic realm=", realm));
  return out;
}

AuthVerdict ServerAuth::RecordUse(const AuthorizationFields& fields, uint64_t issued_ns,
                                  uint64_t now_ns) {
  const std::string nonce = Lower(fields.nonce);  // hex: a client may change its case
  auto it = uses_.find(nonce);
  if (it == uses_.end()) {
    // Not in the table: a first use, unless it may have been used before and dropped.
    if (issued_ns <= forgotten_up_to_ns_) return AuthVerdict::kUnknownNonce;
    if (uses_.size() >= options_.max_nonces) {
      const uint64_t lifetime_ns = static_cast<uint64_t>(
          std::chrono::duration_cast<std::chrono::nanoseconds>(options_.nonce_lifetime).count());
      std::erase_if(uses_, [&](const auto& use) {
        return now_ns - std::min(now_ns, use.second.issued_ns) > lifetime_ns;
      });
      if (uses_.size() >= options_.max_nonces) {
        auto oldest = std::min_element(
            uses_.begin(), uses_.end(),
            [](const auto& a, const auto& b) { return a.second.issued_ns < b.second.issued_ns; });
        forgotten_up_to_ns_ = std::max(forgotten_up_to_ns_, oldest->second.issued_ns);
        uses_.erase(oldest);
        if (issued_ns <= forgotten_up_to_ns_) return AuthVerdict::kUnknownNonce;
      }
    }
    it = uses_.emplace(nonce, NonceUse{.issued_ns = issued_ns}).first;
  }
  NonceUse& use = it->second;
  if (fields.qop != DigestQop::kNone) {
    if (static_cast<int64_t>(fields.nc) <= use.max_nc) return AuthVerdict::kReplay;
    use.max_nc = fields.nc;
    return AuthVerdict::kOk;
  }
  const std::string response = Lower(fields.response);
  for (const std::string& seen : use.no_qop_answers) {
    if (seen == response) return AuthVerdict::kReplay;
  }
  if (use.no_qop_answers.size() >= kMaxNoQopAnswers) return AuthVerdict::kUnknownNonce;
  use.no_qop_answers.push_back(response);
  return AuthVerdict::kOk;
}

AuthVerdict ServerAuth::Verify(std::string_view authorization, std::string_view method,
                               std::string_view uri, const Credentials& expected,
                               std::string_view client, Clock::time_point now) {
  if (authorization.empty()) return AuthVerdict::kMissing;
  absl::StatusOr<AuthorizationFields> fields = ParseAuthorization(authorization);
  if (!fields.ok()) return AuthVerdict::kMalformed;
  absl::StatusOr<StoredPassword> stored = ParseStoredPassword(expected.password);
  if (!stored.ok()) return AuthVerdict::kCannotVerify;

  if (fields->scheme == AuthScheme::kBasic) {
    if (!options_.offer_basic) return AuthVerdict::kSchemeNotOffered;
    // Both compared in full, whatever the first result.
    const bool user_ok = SecretEquals(fields->basic_user, expected.user);
    const bool pass_ok =
        CheckPassword(*stored, expected.user, options_.realm, fields->basic_password);
    return user_ok && pass_ok ? AuthVerdict::kOk : AuthVerdict::kBadCredentials;
  }

  if (!options_.offer_digest_md5 && !options_.offer_digest_sha256) {
    return AuthVerdict::kSchemeNotOffered;
  }
  if (fields->realm != options_.realm) return AuthVerdict::kWrongRealm;
  if (fields->uri != uri) return AuthVerdict::kUriMismatch;
  if (fields->qop == DigestQop::kAuthInt) return AuthVerdict::kMalformed;  // never offered

  std::string ha1;
  if (!stored->hashed) {
    ha1 = DigestHa1(fields->algorithm, expected.user, options_.realm, stored->plain);
  } else {
    ha1 = IsSha256(fields->algorithm) ? stored->ha1_sha256 : stored->ha1_md5;
    if (ha1.empty()) return AuthVerdict::kCannotVerify;
  }
  DigestInput in;
  in.algorithm = fields->algorithm;
  in.username = expected.user;
  in.realm = options_.realm;
  in.nonce = fields->nonce;
  in.cnonce = fields->cnonce;
  in.nc = fields->nc;
  in.qop = fields->qop;
  in.method = method;
  in.uri = fields->uri;
  const std::string want_response = DigestResponseFromHa1(in, ha1);
  const std::string want_user =
      fields->userhash ? DigestUserHash(fields->algorithm, expected.user, options_.realm)
                       : expected.user;
  // Hex case differs between clients; the digest itself is compared in constant time.
  const bool user_ok =
      SecretEquals(fields->userhash ? Lower(fields->username) : fields->username, want_user);
  const bool response_ok = SecretEquals(Lower(fields->response), want_response);
  if (!(user_ok && response_ok)) return AuthVerdict::kBadCredentials;

  // The credentials are right; now is the nonce ours, this client's, fresh and not used up?
  // (RFC 7616 §3.3: stale=true only for a request whose digest was valid.)
  const std::optional<uint64_t> issued = NonceIssued(fields->nonce, client);
  if (!issued) return AuthVerdict::kUnknownNonce;
  const uint64_t now_ns = ToNs(now);
  const auto lifetime =
      std::chrono::duration_cast<std::chrono::nanoseconds>(options_.nonce_lifetime);
  if (*issued > now_ns || now_ns - *issued > static_cast<uint64_t>(lifetime.count())) {
    return AuthVerdict::kStaleNonce;
  }
  return RecordUse(*fields, *issued, now_ns);
}

}  // namespace ringcast::net::http
