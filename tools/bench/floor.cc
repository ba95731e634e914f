// ringcast-floor: the physical floor of one delivered WebRTC packet on this machine
// (ARCHITECTURE.md, "Measured facts"): a bare sender that SRTP-protects (AEAD_AES_128_GCM on
// BoringSSL, the same transform ringcastd uses) equal-size packets and sends them with UDP GSO (one
// sendmsg with UDP_SEGMENT per batch) to a loopback socket that another thread drains — no
// io_uring, no sessions, no History: only what any server must do per packet.
//
//   ringcast-floor [--rate PACKETS_PER_S] [--seconds S] [--size BYTES] [--batch N] [--json FILE]
//
// Prints the sending thread's CPU time per packet (CLOCK_THREAD_CPUTIME_ID: system-call and
// loopback softirq work done on its behalf included) and the split between crypto and sending.
// With --rate it wakes about once a millisecond and sends every batch due; with --rate 0 it
// sends as fast as it can. Bounded by --seconds (at most 600).
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "crypto/srtp.h"

#ifndef UDP_SEGMENT
#define UDP_SEGMENT 103
#endif

namespace {

int64_t Now(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

[[noreturn]] void Die(const char* what) {
  perror(what);
  exit(1);
}

struct Options {
  double rate = 30000;  // packets per second; 0: flat out
  double seconds = 10;
  size_t size = 1200;  // RTP packet before SRTP (the tag adds 16)
  size_t batch = 16;   // packets per GSO sendmsg
  std::string json;
};

Options Parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> const char* {
      if (i + 1 >= argc) {
        fprintf(stderr, "ringcast-floor: %s needs a value\n", arg.c_str());
        exit(2);
      }
      return argv[++i];
    };
    if (arg == "--rate") {
      options.rate = atof(value());
    } else if (arg == "--seconds") {
      options.seconds = atof(value());
    } else if (arg == "--size") {
      options.size = static_cast<size_t>(atol(value()));
    } else if (arg == "--batch") {
      options.batch = static_cast<size_t>(atol(value()));
    } else if (arg == "--json") {
      options.json = value();
    } else {
      fprintf(stderr,
              "usage: ringcast-floor [--rate PPS] [--seconds S] [--size BYTES] [--batch N] "
              "[--json FILE]\n");
      exit(2);
    }
  }
  if (options.seconds <= 0 || options.seconds > 600 || options.size < 12 || options.size > 1400 ||
      options.batch < 1 || options.batch > 64) {
    fprintf(stderr, "ringcast-floor: --seconds 0..600, --size 12..1400, --batch 1..64\n");
    exit(2);
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = Parse(argc, argv);
  using namespace ringcast::crypto;  // NOLINT: a small tool
  SrtpKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = static_cast<uint8_t>(i);
  auto engine = MakeSrtp(SrtpEngineKind::kBoringSsl, SrtpProfile::kAeadAes128Gcm, keys,
                         SrtpDirection::kProtect);
  if (!engine.ok()) {
    fprintf(stderr, "ringcast-floor: %s\n", std::string(engine.status().message()).c_str());
    return 1;
  }

  int sink = socket(AF_INET, SOCK_DGRAM, 0);
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  if (sink < 0 || sender < 0) Die("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sink, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) Die("bind");
  socklen_t length = sizeof(address);
  getsockname(sink, reinterpret_cast<sockaddr*>(&address), &length);
  int buffer = 8 << 20;
  setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
  setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &buffer, sizeof(buffer));
  timeval timeout{0, 200'000};
  setsockopt(sink, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> received{0};
  std::thread drain([&] {
    std::vector<uint8_t> bytes(2048);
    while (!stop.load(std::memory_order_relaxed)) {
      if (recv(sink, bytes.data(), bytes.size(), 0) > 0) received.fetch_add(1);
    }
  });

  const size_t wire = options.size + SrtpTagLength(SrtpProfile::kAeadAes128Gcm);
  std::vector<uint8_t> slots(options.batch * (wire + 64));
  std::vector<iovec> iov(options.batch);
  uint16_t seq = 0;
  uint64_t sent = 0;
  int64_t crypto_ns = 0;
  int64_t start_wall = Now(CLOCK_MONOTONIC);
  int64_t start_cpu = Now(CLOCK_THREAD_CPUTIME_ID);
  int64_t end_wall = start_wall + static_cast<int64_t>(options.seconds * 1e9);
  while (Now(CLOCK_MONOTONIC) < end_wall) {
    if (options.rate > 0) {
      // Pace in bursts: whenever we wake, send every batch that is due, then sleep for about a
      // millisecond — a server wakes per batch of arrivals too, not per packet.
      int64_t now = Now(CLOCK_MONOTONIC);
      double due = static_cast<double>(now - start_wall) / 1e9 * options.rate;
      if (static_cast<double>(sent) >= due) {
        timespec pause{0, 1'000'000};
        nanosleep(&pause, nullptr);
        continue;
      }
    }
    int64_t crypto_start = Now(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < options.batch; ++i) {
      uint8_t* packet = slots.data() + i * (wire + 64);
      memset(packet, 0x5A, options.size);
      packet[0] = 0x80;
      packet[1] = 102;
      packet[2] = static_cast<uint8_t>(seq >> 8);
      packet[3] = static_cast<uint8_t>(seq);
      ++seq;
      size_t n = options.size;
      if ((*engine)->Protect(std::span<uint8_t>(packet, wire + 64), n) != SrtpResult::kOk) {
        fprintf(stderr, "ringcast-floor: protect failed\n");
        return 1;
      }
      iov[i] = {packet, n};
    }
    crypto_ns += Now(CLOCK_THREAD_CPUTIME_ID) - crypto_start;
    alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))] = {};
    msghdr message{};
    message.msg_name = &address;
    message.msg_namelen = sizeof(address);
    message.msg_iov = iov.data();
    message.msg_iovlen = options.batch;
    if (options.batch > 1) {
      message.msg_control = control;
      message.msg_controllen = sizeof(control);
      cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
      cmsg->cmsg_level = IPPROTO_UDP;
      cmsg->cmsg_type = UDP_SEGMENT;
      cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
      uint16_t segment = static_cast<uint16_t>(wire);
      memcpy(CMSG_DATA(cmsg), &segment, sizeof(segment));
    }
    if (sendmsg(sender, &message, 0) < 0) Die("sendmsg");
    sent += options.batch;
  }
  int64_t cpu_ns = Now(CLOCK_THREAD_CPUTIME_ID) - start_cpu;
  double wall_s = static_cast<double>(Now(CLOCK_MONOTONIC) - start_wall) / 1e9;
  stop = true;
  drain.join();

  double per_packet = static_cast<double>(cpu_ns) / static_cast<double>(sent);
  double crypto_per_packet = static_cast<double>(crypto_ns) / static_cast<double>(sent);
  printf("ringcast-floor: %llu packets of %zu bytes (+16 GCM tag) in %.1f s, %zu per GSO send\n",
         static_cast<unsigned long long>(sent), options.size, wall_s, options.batch);
  printf("  sender CPU per packet: %.0f ns (AES-GCM %.0f ns, send %.0f ns); received %llu\n",
         per_packet, crypto_per_packet, per_packet - crypto_per_packet,
         static_cast<unsigned long long>(received.load()));
  if (!options.json.empty()) {
    FILE* out = fopen(options.json.c_str(), "w");
    if (out == nullptr) Die(options.json.c_str());
    fprintf(out,
            "{\"packets\":%llu,\"size\":%zu,\"batch\":%zu,\"seconds\":%.3f,\"rate\":%.1f,"
            "\"cpu_ns_per_packet\":%.1f,\"crypto_ns_per_packet\":%.1f,"
            "\"send_ns_per_packet\":%.1f,\"received\":%llu}\n",
            static_cast<unsigned long long>(sent), options.size, options.batch, wall_s,
            options.rate, per_packet, crypto_per_packet, per_packet - crypto_per_packet,
            static_cast<unsigned long long>(received.load()));
    fclose(out);
  }
  return 0;
}
