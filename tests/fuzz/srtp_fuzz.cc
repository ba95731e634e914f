// Fuzz target for crypto/srtp: unprotecting untrusted datagrams (what arrives from a viewer on
// the WebRTC port), differentially — the BoringSSL engine and the libsrtp2 engine must agree.
//
// The first input byte picks the profile (bit 0) and RTP or RTCP (bit 1); the rest is the
// datagram. Both engines, keyed alike, unprotect a copy each: they must return kOk together,
// and then yield the same bytes. A datagram that one engine accepts and the other refuses is a
// conformance bug; a crash or an out-of-bounds access anywhere is a parser bug.
//
// Seeds (corpus/srtp): captured RTP and RTCP datagrams (tests/data/rtp, tests/data/rtcp) with a
// selector byte in front, and the same packets protected with these keys by libsrtp2 (made by
// running this target with RINGCAST_SRTP_FUZZ_SEEDS=dir on the plain seeds).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "crypto/srtp.h"

namespace {

using ringcast::crypto::MakeSrtp;
using ringcast::crypto::SrtpDirection;
using ringcast::crypto::SrtpEngine;
using ringcast::crypto::SrtpEngineKind;
using ringcast::crypto::SrtpKeys;
using ringcast::crypto::SrtpProfile;
using ringcast::crypto::SrtpResult;

SrtpKeys Keys() {
  SrtpKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = static_cast<uint8_t>(0x10 + i);
  for (size_t i = 0; i < keys.salt.size(); ++i) keys.salt[i] = static_cast<uint8_t>(0xA0 + i);
  return keys;
}

std::unique_ptr<SrtpEngine> Make(SrtpEngineKind kind, SrtpProfile profile,
                                 SrtpDirection direction) {
  auto engine = MakeSrtp(kind, profile, Keys(), direction);
  if (!engine.ok()) abort();
  return std::move(engine).value();
}

// With RINGCAST_SRTP_FUZZ_SEEDS set, a plain seed is also written protected by libsrtp2.
void MaybeWriteProtectedSeed(const uint8_t* data, size_t size) {
  static const char* dir = getenv("RINGCAST_SRTP_FUZZ_SEEDS");
  static int count = 0;
  if (dir == nullptr || size < 13) return;
  SrtpProfile profile = (data[0] & 1) ? SrtpProfile::kAes128CmSha1_80 : SrtpProfile::kAeadAes128Gcm;
  bool rtcp = (data[0] & 2) != 0;
  std::vector<uint8_t> packet(data + 1, data + size);
  size_t length = packet.size();
  packet.resize(length + ringcast::crypto::kSrtcpMaxOverhead);
  auto engine = Make(SrtpEngineKind::kLibsrtp, profile, SrtpDirection::kProtect);
  SrtpResult result = rtcp ? engine->ProtectRtcp(packet, length) : engine->Protect(packet, length);
  if (result != SrtpResult::kOk) return;
  std::string path = std::string(dir) + "/protected_" + std::to_string(count++);
  std::ofstream out(path, std::ios::binary);
  out.put(static_cast<char>(data[0]));
  out.write(reinterpret_cast<const char*>(packet.data()), static_cast<std::streamsize>(length));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  MaybeWriteProtectedSeed(data, size);
  SrtpProfile profile = (data[0] & 1) ? SrtpProfile::kAes128CmSha1_80 : SrtpProfile::kAeadAes128Gcm;
  bool rtcp = (data[0] & 2) != 0;
  // Fresh contexts per input: replay state must not make runs depend on earlier inputs.
  auto boring = Make(SrtpEngineKind::kBuiltin, profile, SrtpDirection::kUnprotect);
  auto libsrtp = Make(SrtpEngineKind::kLibsrtp, profile, SrtpDirection::kUnprotect);
  std::vector<uint8_t> a(data + 1, data + size);
  std::vector<uint8_t> b = a;
  size_t length_a = a.size();
  size_t length_b = b.size();
  SrtpResult result_a = rtcp ? boring->UnprotectRtcp(a, length_a) : boring->Unprotect(a, length_a);
  SrtpResult result_b =
      rtcp ? libsrtp->UnprotectRtcp(b, length_b) : libsrtp->Unprotect(b, length_b);
  if (length_a > a.size()) abort();  // a length past the buffer
  bool ok_a = result_a == SrtpResult::kOk;
  bool ok_b = result_b == SrtpResult::kOk;
  if (ok_a != ok_b) {
    fprintf(stderr, "engines disagree: boringssl %s, libsrtp %s\n",
            ringcast::crypto::SrtpResultName(result_a), ringcast::crypto::SrtpResultName(result_b));
    abort();
  }
  if (ok_a && (length_a != length_b || memcmp(a.data(), b.data(), length_a) != 0)) {
    fprintf(stderr, "engines decrypt differently\n");
    abort();
  }
  return 0;
}
