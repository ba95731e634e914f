// ringcast-srtp-bench: nanoseconds per packet of the SRTP transforms, for each engine this build
// has (the built-in one on its TLS library, and libsrtp2) and each profile, protecting and
// unprotecting RTP packets of a given size. One line of JSON per case, so runs of the BoringSSL
// and the OpenSSL build, made one after the other on the same machine, can be set side by side
// (tools/bench/srtp_compare.py writes bench/SRTP.md from both).
//
//   ringcast-srtp-bench [--size 1200] [--packets 2000] [--rounds 51]
//
// Each case: a warm-up round, then `rounds` timed rounds of `packets` packets (each with the next
// sequence number, one SSRC); the median round is reported, with the fastest and slowest. The
// packets to unprotect are protected before each round, untimed; a round's worth (2.4 MB at the
// defaults) stays in the caches as a receive batch would.
#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/srtp.h"

namespace {

using ringcast::crypto::kSrtpMaxRtpOverhead;
using ringcast::crypto::MakeSrtp;
using ringcast::crypto::SrtpDirection;
using ringcast::crypto::SrtpEngine;
using ringcast::crypto::SrtpEngineKind;
using ringcast::crypto::SrtpKeys;
using ringcast::crypto::SrtpProfile;
using ringcast::crypto::SrtpResult;

struct Options {
  size_t size = 1200;  // RTP header + payload, before the tag
  int packets = 2000;
  int rounds = 51;
};

void WriteRtp(uint8_t* p, size_t size, uint16_t seq) {
  std::memset(p, 0x5a, size);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = static_cast<uint8_t>(seq >> 8);
  p[3] = static_cast<uint8_t>(seq);
  std::memset(p + 4, 0, 4);                              // timestamp
  p[8] = 0x12, p[9] = 0x34, p[10] = 0x56, p[11] = 0x78;  // SSRC
}

// Median, min and max ns per packet over the rounds of `body()`, which handles `packets`;
// `prepare()` runs before each, untimed.
struct Timing {
  double median, min, max;
};
template <typename Prepare, typename Body>
Timing Time(const Options& options, Prepare prepare, Body body) {
  prepare();
  body();  // warm-up
  std::vector<double> ns;
  for (int round = 1; round <= options.rounds; ++round) {
    prepare();
    const auto start = std::chrono::steady_clock::now();
    body();
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ns.push_back(std::chrono::duration<double, std::nano>(elapsed).count() / options.packets);
  }
  std::sort(ns.begin(), ns.end());
  return {ns[ns.size() / 2], ns.front(), ns.back()};
}

std::unique_ptr<SrtpEngine> Make(SrtpEngineKind engine, SrtpProfile profile,
                                 SrtpDirection direction) {
  SrtpKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = static_cast<uint8_t>(i * 7 + 1);
  for (size_t i = 0; i < keys.salt.size(); ++i) keys.salt[i] = static_cast<uint8_t>(i * 13 + 3);
  auto made = MakeSrtp(engine, profile, keys, direction);
  if (!made.ok()) {
    std::fprintf(stderr, "ringcast-srtp-bench: %s\n", std::string(made.status().message()).c_str());
    std::exit(1);
  }
  return std::move(made).value();
}

bool RunCase(const Options& options, SrtpEngineKind engine, SrtpProfile profile) {
  const char* engine_name = engine == SrtpEngineKind::kLibsrtp ? "libsrtp2" : "builtin";
  const char* profile_name =
      profile == SrtpProfile::kAeadAes128Gcm ? "AEAD_AES_128_GCM" : "AES_CM_128_HMAC_SHA1_80";
  const size_t room = options.size + kSrtpMaxRtpOverhead;
  // Protect: a fresh packet each time (sequence numbers run on across rounds); the packet is
  // written first, as the sender copies it from the History.
  auto tx = Make(engine, profile, SrtpDirection::kProtect);
  std::vector<uint8_t> buffer(room);
  uint16_t seq = 0;
  size_t failures = 0;
  const Timing protect = Time(
      options, [] {},
      [&] {
        for (int i = 0; i < options.packets; ++i) {
          WriteRtp(buffer.data(), options.size, seq++);
          size_t length = options.size;
          failures += tx->Protect(buffer, length) != SrtpResult::kOk;
        }
      });
  // Unprotect: each round's packets protected beforehand with the next sequence numbers (the
  // replay window sees each index once), copied into the work buffer as a receive leaves them.
  auto sender = Make(engine, profile, SrtpDirection::kProtect);
  auto rx = Make(engine, profile, SrtpDirection::kUnprotect);
  std::vector<std::vector<uint8_t>> packets(options.packets, std::vector<uint8_t>(room));
  std::vector<size_t> lengths(options.packets);
  uint16_t next = 0;
  const auto prepare = [&] {
    for (int i = 0; i < options.packets; ++i) {
      WriteRtp(packets[i].data(), options.size, next++);
      lengths[i] = options.size;
      failures += sender->Protect(packets[i], lengths[i]) != SrtpResult::kOk;
    }
  };
  const Timing unprotect = Time(options, prepare, [&] {
    for (int i = 0; i < options.packets; ++i) {
      std::memcpy(buffer.data(), packets[i].data(), lengths[i]);
      size_t length = lengths[i];
      failures += rx->Unprotect(buffer, length) != SrtpResult::kOk;
    }
  });
  std::printf(
      "{\"library\": \"%s\", \"engine\": \"%s\", \"profile\": \"%s\", \"size\": %zu, "
      "\"protect_ns\": %.1f, \"protect_ns_min\": %.1f, \"protect_ns_max\": %.1f, "
      "\"unprotect_ns\": %.1f, \"unprotect_ns_min\": %.1f, \"unprotect_ns_max\": %.1f, "
      "\"failures\": %zu}\n",
      OpenSSL_version(OPENSSL_VERSION), engine_name, profile_name, options.size, protect.median,
      protect.min, protect.max, unprotect.median, unprotect.min, unprotect.max, failures);
  return failures == 0;
}

int Usage() {
  std::fprintf(stderr, "usage: ringcast-srtp-bench [--size N] [--packets N] [--rounds N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view flag = argv[i];
    if (i + 1 >= argc) return Usage();
    const long value = std::strtol(argv[++i], nullptr, 10);
    if (flag == "--size" && value >= 12 && value <= 1400) {
      options.size = static_cast<size_t>(value);
    } else if (flag == "--packets" && value >= 100 && value <= 1000000) {
      options.packets = static_cast<int>(value);
    } else if (flag == "--rounds" && value >= 1 && value <= 101) {
      options.rounds = static_cast<int>(value);
    } else {
      return Usage();
    }
  }
  bool ok = true;
  for (SrtpEngineKind engine : {SrtpEngineKind::kBuiltin, SrtpEngineKind::kLibsrtp}) {
    for (SrtpProfile profile : {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80}) {
      ok = RunCase(options, engine, profile) && ok;
    }
  }
  return ok ? 0 : 1;
}
