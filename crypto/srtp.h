// SRTP/SRTCP packet protection (RFC 3711, RFC 7714) for the two profiles ringcast negotiates
// over DTLS-SRTP: AEAD_AES_128_GCM and AES_CM_128_HMAC_SHA1_80.
//
// An SrtpEngine protects or unprotects one direction of one DTLS-SRTP association, for any
// number of SSRCs (a small fixed LRU table of streams, each with its own rollover counter and
// 64-packet replay window, RFC 3711 §3.3.1-§3.3.2). Packets are transformed IN PLACE in a
// buffer owned by the caller: Protect needs room for the trailer (kSrtpMaxRtpOverhead,
// kSrtcpMaxOverhead) after `length`; Unprotect shrinks `length`. ProtectFrom is the one
// exception: it reads the payload of a stored packet and writes it protected into the buffer. The
// per-packet calls never allocate and return an SrtpResult, never a Status: a bad packet is dropped
// and counted.
//
// Two engines implement it (ARCHITECTURE.md, "Crypto"): SrtpContext on the TLS library's
// primitives (crypto/srtp_cipher.h: BoringSSL or OpenSSL 3; the default) and LibsrtpEngine on
// libsrtp2 (crypto.srtp_engine = libsrtp; also the test oracle).
// An engine is used by one thread at a time (its worker); it holds no locks.
#ifndef RINGCAST_CRYPTO_SRTP_H_
#define RINGCAST_CRYPTO_SRTP_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "crypto/srtp_cipher.h"
#include "crypto/srtp_profile.h"

namespace ringcast::crypto {

enum class SrtpDirection { kProtect, kUnprotect };

// Why a packet was refused; the per-packet path counts these by name.
enum class SrtpResult {
  kOk,
  kMalformed,       // too short, not RTP/RTCP version 2, header longer than the packet
  kNoRoom,          // Protect: the buffer has no room for the trailer
  kAuthFailed,      // tag does not verify
  kReplayed,        // index already seen in the window
  kTooOld,          // index behind the 64-packet window
  kWrongDirection,  // Protect on an unprotect context or the reverse
  kError,           // the crypto library failed (should not happen)
};
const char* SrtpResultName(SrtpResult result);

inline constexpr size_t kSrtpMasterKeyLength = 16;  // both profiles are AES-128
inline constexpr size_t kSrtpMaxSaltLength = 14;
inline constexpr size_t kSrtpMaxRtpOverhead = 16;  // GCM tag (AES-CM: 10-byte tag)
inline constexpr size_t kSrtcpMaxOverhead = 20;    // GCM tag + E||index (AES-CM: 4 + 10)
inline constexpr size_t kSrtpReplayWindow = 64;
inline constexpr size_t kSrtpMaxStreams = 16;  // SSRCs tracked per context, LRU

constexpr size_t SrtpSaltLength(SrtpProfile p) {
  return p == SrtpProfile::kAeadAes128Gcm ? 12 : 14;
}
constexpr size_t SrtpTagLength(SrtpProfile p) { return p == SrtpProfile::kAeadAes128Gcm ? 16 : 10; }

// Master key and salt of one direction (RFC 5764 §4.2 splits the DTLS exporter block into
// these). Only the first SrtpSaltLength(profile) bytes of `salt` are used.
struct SrtpKeys {
  std::array<uint8_t, kSrtpMasterKeyLength> key{};
  std::array<uint8_t, kSrtpMaxSaltLength> salt{};
};

// Session keys derived from SrtpKeys with the AES-CM PRF (RFC 3711 §4.3, key derivation rate
// 0; RFC 7714 §11 uses the same PRF). The auth keys are unused with GCM.
struct SrtpSessionKeys {
  std::array<uint8_t, 16> rtp_key{}, rtcp_key{};
  std::array<uint8_t, kSrtpMaxSaltLength> rtp_salt{}, rtcp_salt{};
  std::array<uint8_t, 20> rtp_auth{}, rtcp_auth{};
};
SrtpSessionKeys DeriveSrtpSessionKeys(SrtpProfile profile, const SrtpKeys& keys);

// One direction of an SRTP association (see the file comment).
class SrtpEngine {
 public:
  virtual ~SrtpEngine() = default;

  // RTP: `buffer[0, length)` holds the packet; on kOk `length` is the new length.
  virtual SrtpResult Protect(std::span<uint8_t> buffer, size_t& length) = 0;
  // RTP out of place: `buffer[0, header)` holds the packet's header as it is to be sent and
  // `payload` the rest of the packet where it lies (a stored packet, left as it is; it must
  // not overlap `buffer`); the payload is protected from there into `buffer` after the header,
  // trailer included, so that it is read once. On kOk `length` is the protected length. This
  // default copies the payload and calls Protect; an engine that can read and write in one pass
  // overrides it.
  virtual SrtpResult ProtectFrom(std::span<uint8_t> buffer, size_t header,
                                 std::span<const uint8_t> payload, size_t& length);
  virtual SrtpResult Unprotect(std::span<uint8_t> buffer, size_t& length) = 0;
  // RTCP (compound packet): always encrypted (E = 1) on Protect.
  virtual SrtpResult ProtectRtcp(std::span<uint8_t> buffer, size_t& length) = 0;
  virtual SrtpResult UnprotectRtcp(std::span<uint8_t> buffer, size_t& length) = 0;
};

// The engine chosen by crypto.srtp_engine.
absl::StatusOr<std::unique_ptr<SrtpEngine>> MakeSrtp(SrtpEngineKind engine, SrtpProfile profile,
                                                     const SrtpKeys& keys, SrtpDirection direction);

// Replay window and rollover counter of one stream (RFC 3711 §3.3.1, §3.3.2, Appendix A).
// Indexes are 48-bit SRTP indexes (ROC << 16 | SEQ) or 31-bit SRTCP indexes.
class SrtpReplayWindow {
 public:
  // The packet index for `seq`: the ROC guess of RFC 3711 §3.3.1 around the highest index
  // seen (libsrtp's rule before 32768 packets: ROC 0).
  uint64_t EstimateIndex(uint16_t seq) const;
  SrtpResult Check(uint64_t index) const;
  void Accept(uint64_t index);
  bool started() const { return started_; }
  uint64_t highest() const { return highest_; }

 private:
  bool started_ = false;
  uint64_t highest_ = 0;
  uint64_t bitmap_ = 0;  // bit i: highest_ - i was accepted
};

// The built-in engine: AES-128-GCM, or AES-CTR + HMAC-SHA1 (crypto/srtp_cipher.h), all keyed
// once here.
class SrtpContext final : public SrtpEngine {
 public:
  static absl::StatusOr<std::unique_ptr<SrtpContext>> Create(SrtpProfile profile,
                                                             const SrtpSessionKeys& keys,
                                                             SrtpDirection direction);
  ~SrtpContext() override;

  SrtpResult Protect(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult ProtectFrom(std::span<uint8_t> buffer, size_t header, std::span<const uint8_t> payload,
                         size_t& length) override;
  SrtpResult Unprotect(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult ProtectRtcp(std::span<uint8_t> buffer, size_t& length) override;
  SrtpResult UnprotectRtcp(std::span<uint8_t> buffer, size_t& length) override;

  // ProtectRtcp with a given 31-bit SRTCP index (ProtectRtcp counts from 1 per SSRC, as
  // libsrtp does). For test vectors.
  SrtpResult ProtectRtcpWithIndex(std::span<uint8_t> buffer, size_t& length, uint32_t index);

 private:
  struct Stream {
    uint32_t ssrc = 0;
    bool in_use = false;
    uint64_t last_used = 0;
    SrtpReplayWindow rtp;
    SrtpReplayWindow rtcp;
    uint32_t rtcp_sent = 0;  // last SRTCP index sent
  };

  SrtpContext(SrtpProfile profile, SrtpDirection direction)
      : profile_(profile), direction_(direction) {}
  absl::Status Init(const SrtpSessionKeys& keys);

  Stream* Find(uint32_t ssrc);
  Stream& Insert(uint32_t ssrc);  // evicts the least recently used stream when full

  // Protect and ProtectFrom: the RTP header is p[0, header); the payload, `payload_len`
  // bytes at `in`, goes protected to p + header (`in` may be that very place).
  SrtpResult ProtectRtp(uint8_t* p, size_t header, const uint8_t* in, size_t payload_len);

  // Transforms; `index` is the 48-bit SRTP or 31-bit SRTCP index. GcmSeal and CmCrypt read
  // `in` and write `out`, which is either `in` itself or does not overlap it.
  static bool GcmSeal(GcmKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index_bits,
                      const uint8_t* ad, size_t ad_len, const uint8_t* in, uint8_t* out, size_t len,
                      uint8_t* tag);
  static bool GcmOpen(GcmKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index_bits,
                      const uint8_t* ad, size_t ad_len, uint8_t* data, size_t data_len,
                      const uint8_t* tag);
  static bool CmCrypt(CtrKey& key, const uint8_t* salt, uint32_t ssrc, uint64_t index,
                      const uint8_t* in, uint8_t* out, size_t len);
  static bool Hmac(HmacSha1Key& key, const uint8_t* data, size_t len, const uint8_t* suffix,
                   size_t suffix_len, uint8_t* tag10);

  SrtpProfile profile_;
  SrtpDirection direction_;
  SrtpSessionKeys keys_;
  GcmKey rtp_gcm_, rtcp_gcm_;
  CtrKey rtp_ctr_, rtcp_ctr_;
  HmacSha1Key rtp_hmac_, rtcp_hmac_;
  std::array<Stream, kSrtpMaxStreams> streams_{};
  uint64_t clock_ = 0;  // LRU ticks
};

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_H_
