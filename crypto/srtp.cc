#include "crypto/srtp.h"

#include <openssl/crypto.h>  // OPENSSL_cleanse, CRYPTO_memcmp

#include <algorithm>
#include <cstring>

#include "crypto/srtp_kdf.h"
#include "crypto/srtp_libsrtp.h"

namespace ringcast::crypto {
namespace {

constexpr size_t kRtpHeader = 12;
constexpr size_t kRtcpHeader = 8;  // header + sender SSRC stay in the clear (RFC 3711 §3.4)
constexpr size_t kGcmTag = 16;
constexpr size_t kCmTag = 10;
constexpr size_t kSrtcpIndexLength = 4;
constexpr uint32_t kSrtcpEBit = 0x80000000u;
constexpr uint32_t kMaxSrtcpIndex = 0x7fffffffu;

uint32_t Load32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}
void Store32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// Length of the RTP header including CSRCs and extension (RFC 3550 §5.1, §5.3.1), or 0 if the
// packet (of which the last `trailer` bytes are not RTP) cannot hold it.
size_t RtpHeaderLength(const uint8_t* p, size_t length, size_t trailer) {
  if (length < kRtpHeader + trailer || (p[0] >> 6) != 2) return 0;
  const size_t limit = length - trailer;
  size_t header = kRtpHeader + 4 * size_t{p[0] & 0x0fu};
  if ((p[0] & 0x10u) != 0) {
    if (header + 4 > limit) return 0;
    header += 4 + 4 * ((size_t{p[header + 2]} << 8) | p[header + 3]);
  }
  return header <= limit ? header : 0;
}

// ProtectFrom reads its payload from outside the buffer it writes (in place is Protect).
bool Overlap(std::span<const uint8_t> buffer, std::span<const uint8_t> payload) {
  return !payload.empty() && payload.data() < buffer.data() + buffer.size() &&
         buffer.data() < payload.data() + payload.size();
}

bool IsRtcp(const uint8_t* p, size_t length, size_t trailer) {
  return length >= kRtcpHeader + trailer && (p[0] >> 6) == 2;
}

}  // namespace

const char* SrtpResultName(SrtpResult result) {
  switch (result) {
    case SrtpResult::kOk:
      return "ok";
    case SrtpResult::kMalformed:
      return "malformed";
    case SrtpResult::kNoRoom:
      return "no_room";
    case SrtpResult::kAuthFailed:
      return "auth_failed";
    case SrtpResult::kReplayed:
      return "replayed";
    case SrtpResult::kTooOld:
      return "too_old";
    case SrtpResult::kWrongDirection:
      return "wrong_direction";
    case SrtpResult::kError:
      return "error";
  }
  return "unknown";
}

SrtpSessionKeys DeriveSrtpSessionKeys(SrtpProfile profile, const SrtpKeys& keys) {
  const std::span<const uint8_t> salt(keys.salt.data(), SrtpSaltLength(profile));
  const std::span<const uint8_t, 16> key(keys.key);
  SrtpSessionKeys out;
  const size_t salt_len = SrtpSaltLength(profile);
  SrtpKdf(key, salt, 0, out.rtp_key);
  SrtpKdf(key, salt, 1, out.rtp_auth);
  SrtpKdf(key, salt, 2, std::span(out.rtp_salt).first(salt_len));
  SrtpKdf(key, salt, 3, out.rtcp_key);
  SrtpKdf(key, salt, 4, out.rtcp_auth);
  SrtpKdf(key, salt, 5, std::span(out.rtcp_salt).first(salt_len));
  return out;
}

SrtpResult SrtpEngine::ProtectFrom(std::span<uint8_t> buffer, size_t header,
                                   std::span<const uint8_t> payload, size_t& length) {
  if (header > buffer.size() || buffer.size() - header < payload.size()) {
    return SrtpResult::kNoRoom;
  }
  if (Overlap(buffer, payload)) return SrtpResult::kMalformed;
  std::memcpy(buffer.data() + header, payload.data(), payload.size());
  length = header + payload.size();
  return Protect(buffer, length);
}

absl::StatusOr<std::unique_ptr<SrtpEngine>> MakeSrtp(SrtpEngineKind engine, SrtpProfile profile,
                                                     const SrtpKeys& keys,
                                                     SrtpDirection direction) {
  if (engine == SrtpEngineKind::kLibsrtp) {
    auto made = LibsrtpEngine::Create(profile, keys, direction);
    if (!made.ok()) return made.status();
    return std::unique_ptr<SrtpEngine>(std::move(made).value());
  }
  SrtpSessionKeys session = DeriveSrtpSessionKeys(profile, keys);
  auto made = SrtpContext::Create(profile, session, direction);
  OPENSSL_cleanse(&session, sizeof(session));
  if (!made.ok()) return made.status();
  return std::unique_ptr<SrtpEngine>(std::move(made).value());
}

// --- Replay window (RFC 3711 §3.3.1, §3.3.2) -------------------------------------------------

uint64_t SrtpReplayWindow::EstimateIndex(uint16_t seq) const {
  if (!started_) return seq;
  const uint64_t roc = highest_ >> 16;
  const uint16_t s_l = static_cast<uint16_t>(highest_);
  uint64_t v = roc;
  if (s_l < 32768) {
    if (seq > s_l && seq - s_l > 32768 && roc > 0) v = roc - 1;
  } else if (s_l - 32768 > seq) {
    v = roc + 1;
  }
  return (v << 16) | seq;
}

SrtpResult SrtpReplayWindow::Check(uint64_t index) const {
  if (!started_ || index > highest_) return SrtpResult::kOk;
  const uint64_t behind = highest_ - index;
  if (behind >= kSrtpReplayWindow) return SrtpResult::kTooOld;
  return (bitmap_ >> behind) & 1 ? SrtpResult::kReplayed : SrtpResult::kOk;
}

void SrtpReplayWindow::Accept(uint64_t index) {
  if (!started_) {
    started_ = true;
    highest_ = index;
    bitmap_ = 1;
  } else if (index > highest_) {
    const uint64_t ahead = index - highest_;
    bitmap_ = ahead >= kSrtpReplayWindow ? 1 : (bitmap_ << ahead) | 1;
    highest_ = index;
  } else if (highest_ - index < kSrtpReplayWindow) {
    bitmap_ |= uint64_t{1} << (highest_ - index);
  }
}

// --- SrtpContext --------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<SrtpContext>> SrtpContext::Create(SrtpProfile profile,
                                                                 const SrtpSessionKeys& keys,
                                                                 SrtpDirection direction) {
  std::unique_ptr<SrtpContext> context(new SrtpContext(profile, direction));
  if (absl::Status status = context->Init(keys); !status.ok()) return status;
  return context;
}

SrtpContext::~SrtpContext() { OPENSSL_cleanse(&keys_, sizeof(keys_)); }

absl::Status SrtpContext::Init(const SrtpSessionKeys& keys) {
  keys_ = keys;
  if (profile_ == SrtpProfile::kAeadAes128Gcm) {
    const bool seal = direction_ == SrtpDirection::kProtect;
    if (!rtp_gcm_.Init(keys.rtp_key, seal) || !rtcp_gcm_.Init(keys.rtcp_key, seal)) {
      return absl::InternalError("srtp: cannot key AES-128-GCM");
    }
    return absl::OkStatus();
  }
  if (!rtp_ctr_.Init(keys.rtp_key) || !rtcp_ctr_.Init(keys.rtcp_key)) {
    return absl::InternalError("srtp: cannot key AES-128-CTR");
  }
  if (!rtp_hmac_.Init(keys.rtp_auth) || !rtcp_hmac_.Init(keys.rtcp_auth)) {
    return absl::InternalError("srtp: cannot key HMAC-SHA1");
  }
  return absl::OkStatus();
}

SrtpContext::Stream* SrtpContext::Find(uint32_t ssrc) {
  for (Stream& stream : streams_) {
    if (stream.in_use && stream.ssrc == ssrc) {
      stream.last_used = ++clock_;
      return &stream;
    }
  }
  return nullptr;
}

SrtpContext::Stream& SrtpContext::Insert(uint32_t ssrc) {
  Stream* victim = &streams_[0];
  for (Stream& stream : streams_) {
    if (!stream.in_use) {
      victim = &stream;
      break;
    }
    if (stream.last_used < victim->last_used) victim = &stream;
  }
  *victim = Stream{};
  victim->ssrc = ssrc;
  victim->in_use = true;
  victim->last_used = ++clock_;
  return *victim;
}

// RFC 7714 §8.1 / §9.1: IV = (00 00 || SSRC || index bits) XOR salt; `index_bits` are the
// low 48 bits (ROC || SEQ for RTP, 00 00 || E=0 || SRTCP index for RTCP).
static void GcmIv(const uint8_t* salt, uint32_t ssrc, uint64_t index_bits, uint8_t* iv) {
  iv[0] = 0;
  iv[1] = 0;
  Store32(iv + 2, ssrc);
  Store32(iv + 6, static_cast<uint32_t>(index_bits >> 16));
  iv[10] = static_cast<uint8_t>(index_bits >> 8);
  iv[11] = static_cast<uint8_t>(index_bits);
  for (size_t i = 0; i < kGcmIvLength; ++i) iv[i] ^= salt[i];
}

bool SrtpContext::GcmSeal(GcmKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index_bits,
                          const uint8_t* ad, size_t ad_len, const uint8_t* in, uint8_t* out,
                          size_t len, uint8_t* tag) {
  uint8_t iv[kGcmIvLength];
  GcmIv(salt, ssrc, index_bits, iv);
  return key.Seal(iv, ad, ad_len, in, out, len, tag);
}

bool SrtpContext::GcmOpen(GcmKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index_bits,
                          const uint8_t* ad, size_t ad_len, uint8_t* data, size_t data_len,
                          const uint8_t* tag) {
  uint8_t iv[kGcmIvLength];
  GcmIv(salt, ssrc, index_bits, iv);
  return key.Open(iv, ad, ad_len, data, data_len, tag);
}

// RFC 3711 §4.1.1: IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16).
bool SrtpContext::CmCrypt(CtrKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index,
                          const uint8_t* in, uint8_t* out, size_t len) {
  uint8_t iv[16] = {};
  std::memcpy(iv, salt, 14);
  iv[4] ^= static_cast<uint8_t>(ssrc >> 24);
  iv[5] ^= static_cast<uint8_t>(ssrc >> 16);
  iv[6] ^= static_cast<uint8_t>(ssrc >> 8);
  iv[7] ^= static_cast<uint8_t>(ssrc);
  for (int i = 0; i < 6; ++i) iv[13 - i] ^= static_cast<uint8_t>(index >> (8 * i));
  return key.Crypt(iv, in, out, len);
}

// RFC 3711 §4.2.1: HMAC-SHA1 over data || suffix, truncated to 80 bits.
bool SrtpContext::Hmac(HmacSha1Key& key, const uint8_t* data, size_t len, const uint8_t* suffix,
                       size_t suffix_len, uint8_t* tag10) {
  uint8_t digest[kSha1Length];
  if (!key.Mac(data, len, suffix, suffix_len, digest)) return false;
  std::memcpy(tag10, digest, kCmTag);
  return true;
}

SrtpResult SrtpContext::Protect(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  uint8_t* p = buffer.data();
  if (length > buffer.size()) return SrtpResult::kMalformed;
  const size_t header = RtpHeaderLength(p, length, 0);
  if (header == 0) return SrtpResult::kMalformed;
  if (buffer.size() - length < SrtpTagLength(profile_)) return SrtpResult::kNoRoom;
  const SrtpResult result = ProtectRtp(p, header, p + header, length - header);
  if (result == SrtpResult::kOk) length += SrtpTagLength(profile_);
  return result;
}

SrtpResult SrtpContext::ProtectFrom(std::span<uint8_t> buffer, size_t header,
                                    std::span<const uint8_t> payload, size_t& length) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  uint8_t* p = buffer.data();
  if (header > buffer.size() || RtpHeaderLength(p, header, 0) != header) {
    return SrtpResult::kMalformed;
  }
  const size_t tag_len = SrtpTagLength(profile_);
  if (buffer.size() - header < payload.size() + tag_len) return SrtpResult::kNoRoom;
  if (Overlap(buffer, payload)) return SrtpResult::kMalformed;
  const SrtpResult result = ProtectRtp(p, header, payload.data(), payload.size());
  if (result == SrtpResult::kOk) length = header + payload.size() + tag_len;
  return result;
}

SrtpResult SrtpContext::ProtectRtp(uint8_t* p, size_t header, const uint8_t* in,
                                   size_t payload_len) {
  const uint32_t ssrc = Load32(p + 8);
  const uint16_t seq = static_cast<uint16_t>((p[2] << 8) | p[3]);
  Stream* stream = Find(ssrc);
  if (stream == nullptr) stream = &Insert(ssrc);
  // The sender keeps its ROC with the receiver's rule, so a retransmission of an older
  // sequence number gets the ROC it was first sent with.
  const uint64_t index = stream->rtp.EstimateIndex(seq);
  const size_t length = header + payload_len;
  if (profile_ == SrtpProfile::kAeadAes128Gcm) {
    if (!GcmSeal(rtp_gcm_, keys_.rtp_salt.data(), ssrc, index, p, header, in, p + header,
                 payload_len, p + length)) {
      return SrtpResult::kError;
    }
  } else {
    if (!CmCrypt(rtp_ctr_, keys_.rtp_salt.data(), ssrc, index, in, p + header, payload_len)) {
      return SrtpResult::kError;
    }
    uint8_t roc[4];
    Store32(roc, static_cast<uint32_t>(index >> 16));
    if (!Hmac(rtp_hmac_, p, length, roc, sizeof(roc), p + length)) return SrtpResult::kError;
  }
  if (stream->rtp.Check(index) == SrtpResult::kOk) stream->rtp.Accept(index);
  return SrtpResult::kOk;
}

SrtpResult SrtpContext::Unprotect(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kUnprotect) return SrtpResult::kWrongDirection;
  uint8_t* p = buffer.data();
  if (length > buffer.size()) return SrtpResult::kMalformed;
  const size_t tag_len = SrtpTagLength(profile_);
  const size_t header = RtpHeaderLength(p, length, tag_len);
  if (header == 0) return SrtpResult::kMalformed;
  const uint32_t ssrc = Load32(p + 8);
  const uint16_t seq = static_cast<uint16_t>((p[2] << 8) | p[3]);
  // A new SSRC takes a table slot only once its first packet authenticates: forged packets
  // cannot flush the table.
  Stream* stream = Find(ssrc);
  const SrtpReplayWindow fresh;
  const SrtpReplayWindow& window = stream != nullptr ? stream->rtp : fresh;
  const uint64_t index = window.EstimateIndex(seq);
  if (SrtpResult replay = window.Check(index); replay != SrtpResult::kOk) return replay;
  const size_t body = length - tag_len;
  if (profile_ == SrtpProfile::kAeadAes128Gcm) {
    if (!GcmOpen(rtp_gcm_, keys_.rtp_salt.data(), ssrc, index, p, header, p + header, body - header,
                 p + body)) {
      return SrtpResult::kAuthFailed;
    }
  } else {
    uint8_t roc[4];
    Store32(roc, static_cast<uint32_t>(index >> 16));
    uint8_t tag[kCmTag];
    if (!Hmac(rtp_hmac_, p, body, roc, sizeof(roc), tag)) return SrtpResult::kError;
    if (CRYPTO_memcmp(tag, p + body, kCmTag) != 0) return SrtpResult::kAuthFailed;
    if (!CmCrypt(rtp_ctr_, keys_.rtp_salt.data(), ssrc, index, p + header, p + header,
                 body - header)) {
      return SrtpResult::kError;
    }
  }
  if (stream == nullptr) stream = &Insert(ssrc);
  stream->rtp.Accept(index);
  length = body;
  return SrtpResult::kOk;
}

SrtpResult SrtpContext::ProtectRtcp(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  if (length > buffer.size() || !IsRtcp(buffer.data(), length, 0)) return SrtpResult::kMalformed;
  const uint32_t ssrc = Load32(buffer.data() + 4);
  Stream* stream = Find(ssrc);
  if (stream == nullptr) stream = &Insert(ssrc);
  if (stream->rtcp_sent >= kMaxSrtcpIndex) return SrtpResult::kError;  // must re-key
  const SrtpResult result = ProtectRtcpWithIndex(buffer, length, stream->rtcp_sent + 1);
  if (result == SrtpResult::kOk) ++stream->rtcp_sent;
  return result;
}

SrtpResult SrtpContext::ProtectRtcpWithIndex(std::span<uint8_t> buffer, size_t& length,
                                             uint32_t index) {
  if (direction_ != SrtpDirection::kProtect) return SrtpResult::kWrongDirection;
  uint8_t* p = buffer.data();
  if (length > buffer.size() || !IsRtcp(p, length, 0)) return SrtpResult::kMalformed;
  const size_t tag_len = SrtpTagLength(profile_);
  if (buffer.size() - length < tag_len + kSrtcpIndexLength) return SrtpResult::kNoRoom;
  const uint32_t ssrc = Load32(p + 4);
  index &= kMaxSrtcpIndex;
  uint8_t e_index[4];
  Store32(e_index, kSrtcpEBit | index);
  if (profile_ == SrtpProfile::kAeadAes128Gcm) {
    // RFC 7714 §9: AAD = header + SSRC || E || index; the trailer is tag then E || index.
    uint8_t ad[kRtcpHeader + 4];
    std::memcpy(ad, p, kRtcpHeader);
    std::memcpy(ad + kRtcpHeader, e_index, 4);
    if (!GcmSeal(rtcp_gcm_, keys_.rtcp_salt.data(), ssrc, index, ad, sizeof(ad), p + kRtcpHeader,
                 p + kRtcpHeader, length - kRtcpHeader, p + length)) {
      return SrtpResult::kError;
    }
    std::memcpy(p + length + kGcmTag, e_index, 4);
  } else {
    // RFC 3711 §3.4: E || index follows the encrypted part and is authenticated.
    if (!CmCrypt(rtcp_ctr_, keys_.rtcp_salt.data(), ssrc, index, p + kRtcpHeader, p + kRtcpHeader,
                 length - kRtcpHeader)) {
      return SrtpResult::kError;
    }
    std::memcpy(p + length, e_index, 4);
    if (!Hmac(rtcp_hmac_, p, length + 4, nullptr, 0, p + length + 4)) {
      return SrtpResult::kError;
    }
  }
  length += tag_len + kSrtcpIndexLength;
  return SrtpResult::kOk;
}

SrtpResult SrtpContext::UnprotectRtcp(std::span<uint8_t> buffer, size_t& length) {
  if (direction_ != SrtpDirection::kUnprotect) return SrtpResult::kWrongDirection;
  uint8_t* p = buffer.data();
  const size_t tag_len = SrtpTagLength(profile_);
  if (length > buffer.size() || !IsRtcp(p, length, tag_len + kSrtcpIndexLength)) {
    return SrtpResult::kMalformed;
  }
  const uint32_t ssrc = Load32(p + 4);
  const bool gcm = profile_ == SrtpProfile::kAeadAes128Gcm;
  uint8_t* e_index = gcm ? p + length - 4 : p + length - tag_len - 4;
  const uint32_t word = Load32(e_index);
  const bool encrypted = (word & kSrtcpEBit) != 0;
  const uint32_t index = word & kMaxSrtcpIndex;
  Stream* stream = Find(ssrc);
  const SrtpReplayWindow fresh;
  const SrtpReplayWindow& window = stream != nullptr ? stream->rtcp : fresh;
  if (SrtpResult replay = window.Check(index); replay != SrtpResult::kOk) return replay;
  const size_t body = length - tag_len - kSrtcpIndexLength;  // header + payload
  if (gcm) {
    uint8_t tag[kGcmTag];
    std::memcpy(tag, p + body, kGcmTag);
    bool opened;
    if (encrypted) {
      uint8_t ad[kRtcpHeader + 4];
      std::memcpy(ad, p, kRtcpHeader);
      std::memcpy(ad + kRtcpHeader, e_index, 4);
      opened = GcmOpen(rtcp_gcm_, keys_.rtcp_salt.data(), ssrc, index, ad, sizeof(ad),
                       p + kRtcpHeader, body - kRtcpHeader, tag);
    } else {
      // RFC 7714 §9.3 (E = 0): the whole packet || E || index is the AAD; move the index
      // next to the packet so the AAD is contiguous.
      std::memmove(p + body, e_index, 4);
      opened =
          GcmOpen(rtcp_gcm_, keys_.rtcp_salt.data(), ssrc, index, p, body + 4, p + body, 0, tag);
    }
    if (!opened) return SrtpResult::kAuthFailed;
  } else {
    uint8_t tag[kCmTag];
    if (!Hmac(rtcp_hmac_, p, body + 4, nullptr, 0, tag)) return SrtpResult::kError;
    if (CRYPTO_memcmp(tag, p + body + 4, kCmTag) != 0) return SrtpResult::kAuthFailed;
    if (encrypted && !CmCrypt(rtcp_ctr_, keys_.rtcp_salt.data(), ssrc, index, p + kRtcpHeader,
                              p + kRtcpHeader, body - kRtcpHeader)) {
      return SrtpResult::kError;
    }
  }
  if (stream == nullptr) stream = &Insert(ssrc);
  stream->rtcp.Accept(index);
  length = body;
  return SrtpResult::kOk;
}

}  // namespace ringcast::crypto
