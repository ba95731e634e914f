#include "crypto/srtp.h"

#include <openssl/crypto.h>
#include <srtp2/srtp.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

#include "crypto/srtp_kdf.h"
#include "crypto/srtp_libsrtp.h"
#include "gtest/gtest.h"
#include "tests/unit/allocation_counter.h"
#include "tests/unit/rtp/capture.h"

#if !defined(OPENSSL_IS_BORINGSSL)
// OpenSSL 3 allocates with malloc, which the counter (operator new) does not see: route its
// allocations through it, before anything in the process has made one.
namespace {
void* CountingMalloc(size_t size, const char*, int) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return std::malloc(size);
}
void* CountingRealloc(void* p, size_t size, const char*, int) {
  if (g_count_allocations.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  return std::realloc(p, size);
}
void CountingFree(void* p, const char*, int) { std::free(p); }
const bool kOpensslAllocationsCounted =
    CRYPTO_set_mem_functions(CountingMalloc, CountingRealloc, CountingFree) == 1;
}  // namespace
#endif

namespace ringcast::crypto {
namespace {

using Bytes = std::vector<uint8_t>;
using rtp::testing::ReadCapture;

Bytes Hex(std::string_view hex) {
  Bytes out;
  int high = -1;
  for (char c : hex) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      v = c - 'A' + 10;
    } else {
      continue;  // spaces between groups
    }
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

template <typename Range>
Bytes ToBytes(const Range& r) {
  return Bytes(r.begin(), r.end());
}

const char* kProfileNames[] = {"gcm", "cm_sha1_80"};
const SrtpProfile kProfiles[] = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80};

SrtpKeys TestKeys() {
  SrtpKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = static_cast<uint8_t>(0xa0 + i);
  for (size_t i = 0; i < keys.salt.size(); ++i) keys.salt[i] = static_cast<uint8_t>(0x30 + 7 * i);
  return keys;
}

std::unique_ptr<SrtpEngine> Make(SrtpEngineKind kind, SrtpProfile profile, SrtpDirection dir) {
  auto made = MakeSrtp(kind, profile, TestKeys(), dir);
  EXPECT_TRUE(made.ok()) << made.status();
  return made.ok() ? std::move(made).value() : nullptr;
}

// Runs one in-place transform on a copy of `in`; returns the output or an empty vector.
enum class Op { kProtect, kUnprotect, kProtectRtcp, kUnprotectRtcp };
SrtpResult Apply(SrtpEngine& engine, Op op, const Bytes& in, Bytes* out) {
  Bytes buffer(in.size() + 64);
  std::copy(in.begin(), in.end(), buffer.begin());
  size_t length = in.size();
  SrtpResult result = SrtpResult::kError;
  switch (op) {
    case Op::kProtect:
      result = engine.Protect(buffer, length);
      break;
    case Op::kUnprotect:
      result = engine.Unprotect(buffer, length);
      break;
    case Op::kProtectRtcp:
      result = engine.ProtectRtcp(buffer, length);
      break;
    case Op::kUnprotectRtcp:
      result = engine.UnprotectRtcp(buffer, length);
      break;
  }
  buffer.resize(length);
  if (out != nullptr) *out = result == SrtpResult::kOk ? buffer : Bytes();
  return result;
}

Bytes RtpPacket(uint16_t seq, uint32_t ssrc, size_t payload = 40) {
  Bytes p = {0x80,
             0x60,
             static_cast<uint8_t>(seq >> 8),
             static_cast<uint8_t>(seq),
             0,
             0,
             0x10,
             0x00,
             static_cast<uint8_t>(ssrc >> 24),
             static_cast<uint8_t>(ssrc >> 16),
             static_cast<uint8_t>(ssrc >> 8),
             static_cast<uint8_t>(ssrc)};
  for (size_t i = 0; i < payload; ++i) p.push_back(static_cast<uint8_t>(seq + i));
  return p;
}

// --- RFC 3711 Appendix B ---------------------------------------------------------------------

TEST(SrtpKdfTest, Rfc3711B2AesCmKeystream) {
  const Bytes key = Hex("2B7E151628AED2A6ABF7158809CF4F3C");
  const Bytes iv = Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
  Bytes stream(16 * 0xff02, 0);
  AesCmXor(std::span<const uint8_t, 16>(key.data(), 16),
           std::span<const uint8_t, 16>(iv.data(), 16), stream);
  auto block = [&](size_t i) {
    return Bytes(stream.begin() + 16 * i, stream.begin() + 16 * i + 16);
  };
  EXPECT_EQ(block(0), Hex("E03EAD0935C95E80E166B16DD92B4EB4"));
  EXPECT_EQ(block(1), Hex("D23513162B02D0F72A43A2FE4A5F97AB"));
  EXPECT_EQ(block(2), Hex("41E95B3BB0A2E8DD477901E4FCA894C0"));
  EXPECT_EQ(block(0xfeff), Hex("EC8CDF7398607CB0F2D21675EA9EA1E4"));
  EXPECT_EQ(block(0xff00), Hex("362B7C3C6773516318A077D7FC5073AE"));
  EXPECT_EQ(block(0xff01), Hex("6A2CC3787889374FBEB4C81B17BA6C44"));
}

TEST(SrtpKdfTest, Rfc3711B3KeyDerivation) {
  const Bytes master_key = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
  const Bytes master_salt = Hex("0EC675AD498AFEEBB6960B3AABE6");
  const std::span<const uint8_t, 16> key(master_key.data(), 16);
  Bytes cipher_key(16), cipher_salt(14), auth_key(94);
  SrtpKdf(key, master_salt, 0, cipher_key);
  SrtpKdf(key, master_salt, 2, cipher_salt);
  SrtpKdf(key, master_salt, 1, auth_key);
  EXPECT_EQ(cipher_key, Hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(cipher_salt, Hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(auth_key, Hex("CEBE321F6FF7716B6FD4AB49AF256A15 6D38BAA48F0A0ACF3C34E2359E6CDBCE"
                          "E049646C43D9327AD175578EF7227098 6371C10C9A369AC2F94A8C5FBCDDDC25"
                          "6D6E919A48B610EF17C2041E47403576 6B68642C59BBFC2F34DB60DBDFB2"));

  SrtpKeys keys;
  std::copy(master_key.begin(), master_key.end(), keys.key.begin());
  std::copy(master_salt.begin(), master_salt.end(), keys.salt.begin());
  const SrtpSessionKeys session = DeriveSrtpSessionKeys(SrtpProfile::kAes128CmSha1_80, keys);
  EXPECT_EQ(ToBytes(session.rtp_key), Hex("C61E7A93744F39EE10734AFE3FF7A087"));
  EXPECT_EQ(ToBytes(session.rtp_salt), Hex("30CBBC08863D8C85D49DB34A9AE1"));
  EXPECT_EQ(ToBytes(session.rtp_auth), Hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"));
}

// --- RFC 7714 §16.1 (SRTP) and §17.1 (SRTCP), AEAD_AES_128_GCM -----------------------------

std::unique_ptr<SrtpContext> Rfc7714Context(SrtpDirection direction) {
  SrtpSessionKeys keys;
  const Bytes key = Hex("000102030405060708090a0b0c0d0e0f");
  const Bytes salt = Hex("517569642070726f2071756f");  // "Quid pro quo"
  std::copy(key.begin(), key.end(), keys.rtp_key.begin());
  std::copy(key.begin(), key.end(), keys.rtcp_key.begin());
  std::copy(salt.begin(), salt.end(), keys.rtp_salt.begin());
  std::copy(salt.begin(), salt.end(), keys.rtcp_salt.begin());
  auto made = SrtpContext::Create(SrtpProfile::kAeadAes128Gcm, keys, direction);
  EXPECT_TRUE(made.ok()) << made.status();
  return std::move(made).value();
}

const char kRfc7714Rtp[] =
    "8040f17b8041f8d35501a0b2 47616c6c696120657374206f6d6e69732064697669736120696e207061727465"
    "732074726573";
const char kRfc7714Srtp[] =
    "8040f17b8041f8d35501a0b2 f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b"
    "36de3adf8833 899d7f27beb16a9152cf765ee4390cce";
const char kRfc7714Rtcp[] =
    "81c8000d4d617273 4e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeef"
    "deadbeefdeadbeef";
const char kRfc7714Srtcp[] =
    "81c8000d4d617273 63e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b46"
    "86303ded0bb9275bc84aa458 96cf4d2fc5abf87245d9eade 800005d4";

TEST(SrtpRfc7714Test, RtpProtectAndUnprotect) {
  Bytes out;
  ASSERT_EQ(Apply(*Rfc7714Context(SrtpDirection::kProtect), Op::kProtect, Hex(kRfc7714Rtp), &out),
            SrtpResult::kOk);
  EXPECT_EQ(out, Hex(kRfc7714Srtp));
  ASSERT_EQ(
      Apply(*Rfc7714Context(SrtpDirection::kUnprotect), Op::kUnprotect, Hex(kRfc7714Srtp), &out),
      SrtpResult::kOk);
  EXPECT_EQ(out, Hex(kRfc7714Rtp));
}

TEST(SrtpRfc7714Test, RtcpProtectAndUnprotect) {
  auto protect = Rfc7714Context(SrtpDirection::kProtect);
  const Bytes rtcp = Hex(kRfc7714Rtcp);
  Bytes buffer(rtcp.size() + kSrtcpMaxOverhead);
  std::copy(rtcp.begin(), rtcp.end(), buffer.begin());
  size_t length = rtcp.size();
  ASSERT_EQ(protect->ProtectRtcpWithIndex(buffer, length, 0x5d4), SrtpResult::kOk);
  buffer.resize(length);
  EXPECT_EQ(buffer, Hex(kRfc7714Srtcp));
  Bytes out;
  ASSERT_EQ(Apply(*Rfc7714Context(SrtpDirection::kUnprotect), Op::kUnprotectRtcp,
                  Hex(kRfc7714Srtcp), &out),
            SrtpResult::kOk);
  EXPECT_EQ(out, rtcp);
}

// --- Cross-check with libsrtp2, packet by packet ---------------------------------------------

class SrtpCrossCheckTest : public ::testing::TestWithParam<int> {
 protected:
  SrtpProfile profile() const { return kProfiles[GetParam()]; }
};

// Ours and libsrtp protect every packet to the same bytes; each unprotects the other's.
void CrossCheck(SrtpProfile profile, const std::vector<Bytes>& packets, bool rtcp,
                const std::string& what) {
  auto ours_tx = Make(SrtpEngineKind::kBuiltin, profile, SrtpDirection::kProtect);
  auto ref_tx = Make(SrtpEngineKind::kLibsrtp, profile, SrtpDirection::kProtect);
  auto ours_rx = Make(SrtpEngineKind::kBuiltin, profile, SrtpDirection::kUnprotect);
  auto ref_rx = Make(SrtpEngineKind::kLibsrtp, profile, SrtpDirection::kUnprotect);
  ASSERT_TRUE(ours_tx && ref_tx && ours_rx && ref_rx);
  const Op protect = rtcp ? Op::kProtectRtcp : Op::kProtect;
  const Op unprotect = rtcp ? Op::kUnprotectRtcp : Op::kUnprotect;
  for (size_t i = 0; i < packets.size(); ++i) {
    SCOPED_TRACE(what + " packet " + std::to_string(i));
    Bytes ours, ref, back;
    ASSERT_EQ(Apply(*ours_tx, protect, packets[i], &ours), SrtpResult::kOk);
    ASSERT_EQ(Apply(*ref_tx, protect, packets[i], &ref), SrtpResult::kOk);
    EXPECT_EQ(ours, ref);
    EXPECT_NE(ours, packets[i]);
    ASSERT_EQ(Apply(*ref_rx, unprotect, ours, &back), SrtpResult::kOk);
    EXPECT_EQ(back, packets[i]);
    ASSERT_EQ(Apply(*ours_rx, unprotect, ref, &back), SrtpResult::kOk);
    EXPECT_EQ(back, packets[i]);
  }
}

TEST_P(SrtpCrossCheckTest, RtpCapturesMatchLibsrtp) {
  for (const char* name :
       {"h264_ffmpeg_fua.rtp", "h264_ffmpeg_mode0.rtp", "h264_gst_stapa_ext.rtp",
        "h264_ffmpeg_1080i_422.rtp", "h265_ffmpeg_ap.rtp", "h265_gst_single.rtp"}) {
    CrossCheck(profile(), ReadCapture(name), false, name);
  }
}

TEST_P(SrtpCrossCheckTest, RtcpSenderReportMatchesLibsrtp) {
  const std::vector<Bytes> sr = ReadCapture("rtcp_ffmpeg_sr.rtp");
  ASSERT_EQ(sr.size(), 1u);
  // The same report three times: SRTCP indexes 1, 2, 3 on both sides.
  CrossCheck(profile(), {sr[0], sr[0], sr[0]}, true, "rtcp_ffmpeg_sr.rtp");
}

TEST_P(SrtpCrossCheckTest, RocWrapInOrderAndReordered) {
  std::vector<Bytes> plain;
  for (uint32_t s = 65520; s < 65536 + 20; ++s) plain.push_back(RtpPacket(s & 0xffff, 0x1234));
  CrossCheck(profile(), plain, false, "wrap");  // in order, both engines, both directions

  for (SrtpEngineKind kind : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    SCOPED_TRACE(kind == SrtpEngineKind::kBuiltin ? "builtin" : "libsrtp");
    auto tx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kProtect);
    auto rx = Make(kind, profile(), SrtpDirection::kUnprotect);
    std::vector<Bytes> protected_packets(plain.size());
    for (size_t i = 0; i < plain.size(); ++i) {
      ASSERT_EQ(Apply(*tx, Op::kProtect, plain[i], &protected_packets[i]), SrtpResult::kOk);
    }
    // Arrival order around the wrap (index into plain; 16 is seq 0): 0 arrives before 65535,
    // 65534 after 1, 2 after 3.
    const size_t order[] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 16, 15, 17, 14,
                            19, 18, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
    for (size_t i : order) {
      SCOPED_TRACE("seq " + std::to_string((65520 + i) & 0xffff));
      Bytes out;
      ASSERT_EQ(Apply(*rx, Op::kUnprotect, protected_packets[i], &out), SrtpResult::kOk);
      EXPECT_EQ(out, plain[i]);
    }
  }
}

TEST_P(SrtpCrossCheckTest, ReplayWindow) {
  for (SrtpEngineKind kind : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    SCOPED_TRACE(kind == SrtpEngineKind::kBuiltin ? "builtin" : "libsrtp");
    auto tx = Make(kind, profile(), SrtpDirection::kProtect);
    auto rx = Make(kind, profile(), SrtpDirection::kUnprotect);
    std::vector<Bytes> srtp(200);
    for (uint16_t s = 0; s < 200; ++s) {
      ASSERT_EQ(Apply(*tx, Op::kProtect, RtpPacket(s + 1000, 0xabcd), &srtp[s]), SrtpResult::kOk);
    }
    for (size_t s = 0; s < 200; ++s) {
      if (s == 150 || s == 100) continue;  // late
      ASSERT_EQ(Apply(*rx, Op::kUnprotect, srtp[s], nullptr), SrtpResult::kOk) << s;
    }
    EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp[199], nullptr), SrtpResult::kReplayed);
    EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp[180], nullptr), SrtpResult::kReplayed);
    EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp[100], nullptr), SrtpResult::kTooOld);  // 99 behind
    EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp[150], nullptr), SrtpResult::kOk);      // 49 behind
    EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp[150], nullptr), SrtpResult::kReplayed);

    // SRTCP: index 1, 2, 3; a duplicate of 2 is refused.
    std::vector<Bytes> srtcp(3);
    const Bytes rtcp = Hex(kRfc7714Rtcp);
    for (Bytes& p : srtcp) ASSERT_EQ(Apply(*tx, Op::kProtectRtcp, rtcp, &p), SrtpResult::kOk);
    EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp[1], nullptr), SrtpResult::kOk);
    EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp[2], nullptr), SrtpResult::kOk);
    EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp[0], nullptr), SrtpResult::kOk);
    EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp[1], nullptr), SrtpResult::kReplayed);
  }
}

TEST_P(SrtpCrossCheckTest, TamperedPacketsAreRejected) {
  for (SrtpEngineKind kind : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    SCOPED_TRACE(kind == SrtpEngineKind::kBuiltin ? "builtin" : "libsrtp");
    auto tx = Make(kind, profile(), SrtpDirection::kProtect);
    auto rx = Make(kind, profile(), SrtpDirection::kUnprotect);
    const Bytes plain = RtpPacket(7, 0x5555);
    Bytes srtp;
    ASSERT_EQ(Apply(*tx, Op::kProtect, plain, &srtp), SrtpResult::kOk);
    // Header (payload type), payload, tag.
    for (size_t at : {size_t{1}, size_t{20}, srtp.size() - 1}) {
      Bytes bad = srtp;
      bad[at] ^= 0x01;
      EXPECT_EQ(Apply(*rx, Op::kUnprotect, bad, nullptr), SrtpResult::kAuthFailed) << at;
    }
    Bytes out;
    ASSERT_EQ(Apply(*rx, Op::kUnprotect, srtp, &out), SrtpResult::kOk);
    EXPECT_EQ(out, plain);

    const Bytes rtcp = Hex(kRfc7714Rtcp);
    Bytes srtcp;
    ASSERT_EQ(Apply(*tx, Op::kProtectRtcp, rtcp, &srtcp), SrtpResult::kOk);
    for (size_t at : {size_t{1}, size_t{12}, srtcp.size() - 1}) {
      Bytes bad = srtcp;
      bad[at] ^= 0x01;
      EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, bad, nullptr), SrtpResult::kAuthFailed) << at;
    }
    ASSERT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp, &out), SrtpResult::kOk);
    EXPECT_EQ(out, rtcp);
  }
}

// SRTCP with E = 0 (authenticated, not encrypted: RFC 3711 §3.4, RFC 7714 §9.3), as libsrtp
// sends it with an auth-only RTCP policy: ours must verify it and leave the payload alone.
TEST_P(SrtpCrossCheckTest, UnencryptedSrtcpFromLibsrtp) {
  ASSERT_NE(Make(SrtpEngineKind::kLibsrtp, profile(), SrtpDirection::kProtect), nullptr);  // init
  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof(policy));
  if (profile() == SrtpProfile::kAeadAes128Gcm) {
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
    srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
  } else {
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
    srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
  }
  policy.rtcp.sec_serv = sec_serv_auth;
  const SrtpKeys keys = TestKeys();
  Bytes key(keys.key.begin(), keys.key.end());
  key.insert(key.end(), keys.salt.begin(), keys.salt.begin() + SrtpSaltLength(profile()));
  policy.key = key.data();
  policy.ssrc.type = ssrc_any_outbound;
  srtp_t session = nullptr;
  ASSERT_EQ(srtp_create(&session, &policy), srtp_err_status_ok);
  const Bytes rtcp = ReadCapture("rtcp_ffmpeg_sr.rtp")[0];
  Bytes srtcp(rtcp.size() + SRTP_MAX_TRAILER_LEN + 4);
  std::copy(rtcp.begin(), rtcp.end(), srtcp.begin());
  int len = static_cast<int>(rtcp.size());
  const srtp_err_status_t status = srtp_protect_rtcp(session, srtcp.data(), &len);
  srtp_dealloc(session);
  ASSERT_EQ(status, srtp_err_status_ok);
  srtcp.resize(static_cast<size_t>(len));
  ASSERT_EQ(srtcp.size(), rtcp.size() + 4 + SrtpTagLength(profile()));
  EXPECT_TRUE(std::equal(rtcp.begin(), rtcp.end(), srtcp.begin()));  // payload in the clear
  const size_t e_at = profile() == SrtpProfile::kAeadAes128Gcm ? srtcp.size() - 4 : rtcp.size();
  EXPECT_EQ(srtcp[e_at] & 0x80, 0);  // E = 0

  auto rx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kUnprotect);
  Bytes bad = srtcp;
  bad[12] ^= 0x01;
  EXPECT_EQ(Apply(*rx, Op::kUnprotectRtcp, bad, nullptr), SrtpResult::kAuthFailed);
  Bytes out;
  ASSERT_EQ(Apply(*rx, Op::kUnprotectRtcp, srtcp, &out), SrtpResult::kOk);
  EXPECT_EQ(out, rtcp);
}

// More SSRCs than the table holds: each keeps working (an evicted stream starts afresh).
TEST_P(SrtpCrossCheckTest, ManySsrcs) {
  auto tx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kProtect);
  auto rx = Make(SrtpEngineKind::kLibsrtp, profile(), SrtpDirection::kUnprotect);
  auto ours_rx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kUnprotect);
  for (uint16_t round = 0; round < 3; ++round) {
    for (uint32_t ssrc = 1; ssrc <= 2 * kSrtpMaxStreams; ++ssrc) {
      Bytes srtp;
      ASSERT_EQ(Apply(*tx, Op::kProtect, RtpPacket(round, ssrc), &srtp), SrtpResult::kOk);
      EXPECT_EQ(Apply(*rx, Op::kUnprotect, srtp, nullptr), SrtpResult::kOk);
      EXPECT_EQ(Apply(*ours_rx, Op::kUnprotect, srtp, nullptr), SrtpResult::kOk);
    }
  }
}

TEST_P(SrtpCrossCheckTest, NoAllocationPerPacket) {
#if !defined(OPENSSL_IS_BORINGSSL)
  ASSERT_TRUE(kOpensslAllocationsCounted) << "OpenSSL allocated before the test could hook it";
#endif
  auto tx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kProtect);
  auto rx = Make(SrtpEngineKind::kBuiltin, profile(), SrtpDirection::kUnprotect);
  Bytes buffer(1500);
  const Bytes rtcp = Hex(kRfc7714Rtcp);
  g_allocations = 0;
  g_count_allocations = true;
  size_t failures = 0;
  for (uint16_t s = 0; s < 500; ++s) {
    size_t length = 1200;
    buffer[0] = 0x80;
    buffer[2] = static_cast<uint8_t>(s >> 8);
    buffer[3] = static_cast<uint8_t>(s);
    buffer[11] = static_cast<uint8_t>(s % 4);  // 4 SSRCs
    failures += tx->Protect(buffer, length) != SrtpResult::kOk;
    failures += rx->Unprotect(buffer, length) != SrtpResult::kOk;
    failures += length != 1200;
    std::copy(rtcp.begin(), rtcp.end(), buffer.begin());
    length = rtcp.size();
    failures += tx->ProtectRtcp(buffer, length) != SrtpResult::kOk;
    failures += rx->UnprotectRtcp(buffer, length) != SrtpResult::kOk;
  }
  g_count_allocations = false;
  EXPECT_EQ(failures, 0u);
  EXPECT_EQ(g_allocations.load(), 0u);
}

TEST_P(SrtpCrossCheckTest, ShortAndFullBuffers) {
  for (SrtpEngineKind kind : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    auto tx = Make(kind, profile(), SrtpDirection::kProtect);
    auto rx = Make(kind, profile(), SrtpDirection::kUnprotect);
    Bytes packet = RtpPacket(1, 2);
    size_t length = packet.size();
    EXPECT_EQ(tx->Protect(packet, length), SrtpResult::kNoRoom);  // no room for the tag
    EXPECT_EQ(tx->Unprotect(packet, length), SrtpResult::kWrongDirection);
    Bytes tiny(4, 0x80);
    length = tiny.size();
    EXPECT_NE(rx->Unprotect(tiny, length), SrtpResult::kOk);
    EXPECT_NE(rx->UnprotectRtcp(tiny, length), SrtpResult::kOk);
  }
}

// ProtectFrom (the header in the send buffer, the payload read from where the packet is
// stored) gives the bytes Protect gives in place, for every engine, and leaves the source as
// it was; it refuses a payload that overlaps the buffer it writes and a buffer without room.
TEST_P(SrtpCrossCheckTest, ProtectFromMatchesProtectInPlace) {
  for (SrtpEngineKind kind : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    auto in_place = Make(kind, profile(), SrtpDirection::kProtect);
    auto from = Make(kind, profile(), SrtpDirection::kProtect);
    ASSERT_TRUE(in_place && from);
    for (const char* name : {"h264_ffmpeg_fua.rtp", "h264_gst_stapa_ext.rtp"}) {
      const std::vector<Bytes> packets = ReadCapture(name);
      ASSERT_FALSE(packets.empty());
      for (size_t i = 0; i < packets.size(); ++i) {
        SCOPED_TRACE(std::string(name) + " packet " + std::to_string(i));
        Bytes expected;
        ASSERT_EQ(Apply(*in_place, Op::kProtect, packets[i], &expected), SrtpResult::kOk);
        // RFC 3550 §5.1, §5.3.1: the fixed header, the CSRCs, the extension.
        const Bytes& p = packets[i];
        size_t header = 12 + 4 * size_t{p[0] & 0x0fu};
        if ((p[0] & 0x10u) != 0) header += 4 + 4 * ((size_t{p[header + 2]} << 8) | p[header + 3]);
        ASSERT_LT(header, p.size());
        const Bytes source = packets[i];
        Bytes buffer(source.size() + kSrtpMaxRtpOverhead, 0xee);
        std::memcpy(buffer.data(), source.data(), header);
        size_t length = 0;
        ASSERT_EQ(from->ProtectFrom(buffer, header, std::span(source).subspan(header), length),
                  SrtpResult::kOk);
        buffer.resize(length);
        EXPECT_EQ(buffer, expected);
        EXPECT_EQ(source, packets[i]);
      }
    }
    Bytes packet = RtpPacket(7, 0x100, 100);
    packet.resize(packet.size() + kSrtpMaxRtpOverhead);
    size_t length = 0;
    EXPECT_EQ(from->ProtectFrom(packet, 12, std::span(packet).subspan(12, 100), length),
              SrtpResult::kMalformed);
    Bytes small(12 + 100, 0);
    std::memcpy(small.data(), packet.data(), 12);
    EXPECT_EQ(from->ProtectFrom(small, 12, std::span(packet).subspan(12, 100), length),
              SrtpResult::kNoRoom);
  }
}

INSTANTIATE_TEST_SUITE_P(Profiles, SrtpCrossCheckTest, ::testing::Values(0, 1),
                         [](const auto& info) { return std::string(kProfileNames[info.param]); });

}  // namespace
}  // namespace ringcast::crypto
