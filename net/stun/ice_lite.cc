#include "net/stun/ice_lite.h"

#include <openssl/rand.h>

#include <algorithm>
#include <utility>

namespace ringcast::net::stun {
namespace {

// RFC 8839 §5.4: ice-char = ALPHA / DIGIT / "+" / "/". 64 of them, so a random byte's low six
// bits pick one without bias.
constexpr std::string_view kIceChars =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static_assert(kIceChars.size() == 64);

std::string RandomIceString(size_t length) {
  std::string out(length, '\0');
  uint8_t buf[64];
  for (size_t done = 0; done < length;) {
    const size_t n = std::min(length - done, sizeof(buf));
    RAND_bytes(buf, n);  // BoringSSL's RAND_bytes cannot fail (it aborts instead)
    for (size_t i = 0; i < n; ++i) out[done + i] = kIceChars[buf[i] & 63];
    done += n;
  }
  return out;
}

bool IsBindingRequest(const Message& m) {
  return m.method == kMethodBinding && m.cls == MessageClass::kRequest;
}

}  // namespace

std::string_view CheckErrorName(CheckError error) {
  switch (error) {
    case CheckError::kNone:
      return "none";
    case CheckError::kMalformed:
      return "malformed";
    case CheckError::kNotBindingRequest:
      return "not_binding_request";
    case CheckError::kNoFingerprint:
      return "no_fingerprint";
    case CheckError::kBadFingerprint:
      return "bad_fingerprint";
    case CheckError::kNoUsername:
      return "no_username";
    case CheckError::kWrongUsername:
      return "wrong_username";
    case CheckError::kNoIntegrity:
      return "no_integrity";
    case CheckError::kBadIntegrity:
      return "bad_integrity";
    case CheckError::kRoleConflict:
      return "role_conflict";
  }
  return "unknown";
}

uint16_t ErrorResponseCode(CheckError error) {
  switch (error) {
    case CheckError::kNoUsername:
    case CheckError::kNoIntegrity:
      return 400;  // RFC 5389 §10.1.2: both are required
    case CheckError::kWrongUsername:
    case CheckError::kBadIntegrity:
      return 401;
    case CheckError::kRoleConflict:
      return 487;  // RFC 8445 §7.3.1.1
    default:
      return 0;
  }
}

IceCredentials GenerateIceCredentials(size_t ufrag_length, size_t pwd_length) {
  return IceCredentials{RandomIceString(std::max(ufrag_length, kMinUfragLength)),
                        RandomIceString(std::max(pwd_length, kMinPwdLength))};
}

bool IsIceChars(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return kIceChars.find(c) != std::string_view::npos; });
}

std::optional<std::string_view> LocalUfragFromRequest(std::span<const uint8_t> bytes) {
  std::optional<Message> m = ParseMessage(bytes);
  if (!m || !IsBindingRequest(*m) || !m->username) return std::nullopt;
  const size_t colon = m->username->find(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return m->username->substr(0, colon);
}

IceLiteAgent::IceLiteAgent(IceCredentials local) : local_(std::move(local)) {}

CheckResult IceLiteAgent::Check(std::span<const uint8_t> bytes) const {
  CheckResult r;
  std::optional<Message> m = ParseMessage(bytes, &r.parse_error);
  if (!m) {
    r.error = CheckError::kMalformed;
    return r;
  }
  r.transaction_id = m->transaction_id;
  if (!IsBindingRequest(*m)) {
    r.error = CheckError::kNotBindingRequest;
  } else if (!m->fingerprint_offset) {
    r.error = CheckError::kNoFingerprint;
  } else if (!VerifyFingerprint(bytes, *m)) {
    r.error = CheckError::kBadFingerprint;
  } else if (!m->username) {
    r.error = CheckError::kNoUsername;
  } else if (!m->integrity_offset) {
    r.error = CheckError::kNoIntegrity;
  } else {
    const std::string_view user = *m->username;
    const std::string_view ours = local_.ufrag;
    const bool user_ok = user.size() > ours.size() + 1 && user.substr(0, ours.size()) == ours &&
                         user[ours.size()] == ':';
    if (!user_ok) {
      r.error = CheckError::kWrongUsername;
    } else if (!VerifyMessageIntegrity(bytes, *m, local_.pwd)) {
      r.error = CheckError::kBadIntegrity;
    } else if (m->ice_controlled) {
      // We are lite and therefore controlled; a peer that is controlled too is a conflict.
      r.error = CheckError::kRoleConflict;
    } else {
      r.peer_ufrag = user.substr(ours.size() + 1);
      r.use_candidate = m->use_candidate;
      r.priority = m->priority;
      r.ice_controlling = m->ice_controlling;
    }
  }
  return r;
}

std::optional<size_t> IceLiteAgent::WriteResponse(const CheckResult& result, const sockaddr* peer,
                                                  socklen_t peer_len,
                                                  std::span<uint8_t> out) const {
  if (result.ok()) {
    return WriteBindingSuccess(out, result.transaction_id, peer, peer_len, local_.pwd);
  }
  const uint16_t code = ErrorResponseCode(result.error);
  if (code == 0) return std::nullopt;
  // Only a request whose credentials verified gets a keyed answer.
  std::string_view key;
  if (result.error == CheckError::kRoleConflict) key = local_.pwd;
  return WriteBindingError(out, result.transaction_id, code, key);
}

}  // namespace ringcast::net::stun
