#include "crypto/srtp_libsrtp.h"

#include <srtp2/srtp.h>

#include <array>
#include <climits>
#include <cstring>

#include "core/strings.h"

namespace ringcast::crypto {
namespace {

SrtpResult FromLibsrtp(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_ok:
      return SrtpResult::kOk;
    case srtp_err_status_auth_fail:
      return SrtpResult::kAuthFailed;
    case srtp_err_status_replay_fail:
      return SrtpResult::kReplayed;
    case srtp_err_status_replay_old:
      return SrtpResult::kTooOld;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
      return SrtpResult::kMalformed;
    default:
      return SrtpResult::kError;
  }
}

// libsrtp takes an int length and writes its trailer after it without a capacity argument:
// check the room here.
bool Fits(std::span<uint8_t> buffer, size_t length, size_t trailer) {
  return length <= buffer.size() && buffer.size() - length >= trailer && length < INT_MAX / 2;
}

}  // namespace

absl::StatusOr<std::unique_ptr<LibsrtpEngine>> LibsrtpEngine::Create(SrtpProfile profile,
                                                                     const SrtpKeys& keys,
                                                                     SrtpDirection direction) {
  static const srtp_err_status_t init_status = srtp_init();
  if (init_status != srtp_err_status_ok) {
    return absl::InternalError(
        core::StrCat("srtp: srtp_init failed: error ", static_cast<int>(init_status)));
  }
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (profile == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  // libsrtp reads master key || master salt from one buffer.
  std::array<uint8_t, kSrtpMasterKeyLength + kSrtpMaxSaltLength> key{};
  std::memcpy(key.data(), keys.key.data(), kSrtpMasterKeyLength);
  std::memcpy(key.data() + kSrtpMasterKeyLength, keys.salt.data(), SrtpSaltLength(profile));
  policy.key = key.data();
  policy.ssrc.type = direction == SrtpDirection::kProtect ? ssrc_any_outbound : ssrc_any_inbound;
  policy.window_size = kSrtpReplayWindow;
  policy.allow_repeat_tx = 1;  // retransmissions reuse their sequence number (RFC 4588 aside)
  policy.next = nullptr;
  std::unique_ptr<LibsrtpEngine> engine(new LibsrtpEngine(profile, direction));
  srtp_t session = nullptr;
  const srtp_err_status_t status = srtp_create(&session, &policy);
  std::memset(key.data(), 0, key.size());
  if (status != srtp_err_status_ok) {
    return absl::InternalError(
        core::StrCat("srtp: libsrtp srtp_create failed: error ", static_cast<int>(status)));
  }
  engine->session_ = session;
  return engine;
}

LibsrtpEngine::~LibsrtpEngine() {
  if (session_ != nullptr) srtp_dealloc(session_);
}

SrtpResult LibsrtpEngine::Protect(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  if (!Fits(buffer, length, SrtpTagLength(profile_))) return SrtpResult::kNoRoom;
  if (length < 12) return SrtpResult::kMalformed;
  int len = static_cast<int>(length);
  const SrtpResult result = FromLibsrtp(srtp_protect(session_, buffer.data(), &len));
  if (result == SrtpResult::kOk) length = static_cast<size_t>(len);
  return result;
}

SrtpResult LibsrtpEngine::Unprotect(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kUnprotect) return SrtpResult::kWrongDirection;
  if (!Fits(buffer, length, 0)) return SrtpResult::kMalformed;
  int len = static_cast<int>(length);
  const SrtpResult result = FromLibsrtp(srtp_unprotect(session_, buffer.data(), &len));
  if (result == SrtpResult::kOk) length = static_cast<size_t>(len);
  return result;
}

SrtpResult LibsrtpEngine::ProtectRtcp(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  if (!Fits(buffer, length, SrtpTagLength(profile_) + 4)) return SrtpResult::kNoRoom;
  if (length < 8) return SrtpResult::kMalformed;
  int len = static_cast<int>(length);
  const SrtpResult result = FromLibsrtp(srtp_protect_rtcp(session_, buffer.data(), &len));
  if (result == SrtpResult::kOk) length = static_cast<size_t>(len);
  return result;
}

SrtpResult LibsrtpEngine::UnprotectRtcp(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kUnprotect) return SrtpResult::kWrongDirection;
  if (!Fits(buffer, length, 0)) return SrtpResult::kMalformed;
  int len = static_cast<int>(length);
  const SrtpResult result = FromLibsrtp(srtp_unprotect_rtcp(session_, buffer.data(), &len));
  if (result == SrtpResult::kOk) length = static_cast<size_t>(len);
  return result;
}

}  // namespace ringcast::crypto
