// ringcast-floor: the physical floor of one delivered WebRTC packet on this machine
// (ARCHITECTURE.md, "Measured facts"): a bare sender that SRTP-protects (AEAD_AES_128_GCM on
// BoringSSL, the same transform ringcastd uses) equal-size packets and sends them with UDP GSO (one
// sendmsg with UDP_SEGMENT per batch) to a loopback socket that another thread drains — no
// io_uring, no sessions, no History: only what any server must do per packet.
//
//   ringcast-floor [--rate PACKETS_PER_S] [--seconds S] [--size BYTES] [--batch N] [--json FILE]
//
// Prints the sending thread's CPU time per packet (CLOCK_THREAD_CPUTIME_ID: system-call and
// loopback softirq work done on its behalf included) and the split between crypto (a copy and a
// seal, timed apart on the same thread) and the rest.
// With --rate it wakes about once a millisecond and sends every batch due; with --rate 0 it
// sends as fast as it can. Bounded by --seconds (at most 600).
//
// With --ingest N it is the floor of the whole job at low fan-out (W64: N RTSP streams, one
// viewer each): a feeder thread sends N streams over N loopback TCP connections as RTSP
// interleaved frames ('$', channel, length, 1200-byte RTP packet), a frame of --batch packets per
// stream every 1/30 s, starts staggered, --rate packets per second in all; the measured thread
// wakes at most once per --batch-us (default 1000: the latency a relay may add to batch its
// work), receives what came (epoll, one recv per readable connection), and for each stream's
// run of packets copies each one into a send buffer, seals it with AES-GCM and sends the run
// with one GSO sendmsg to that stream's viewer (a UDP socket another thread drains). That is the
// least any relay does for this load: TCP receive, one copy, seal and send per packet, a
// wake-up per batch — no History, no sessions, no RTCP. The measured thread's CPU per packet is
// the figure; the feeder's and the drain's are not counted (they are the publishers and viewers).
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
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
  size_t size = 1200;   // RTP packet before SRTP (the tag adds 16)
  size_t batch = 16;    // packets per GSO sendmsg (--ingest: per frame of a stream)
  int ingest = 0;       // > 0: the whole job, this many TCP streams in (one viewer each)
  int batch_us = 1000;  // --ingest: wake at most once per this many µs (0: per arrival)
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
    } else if (arg == "--ingest") {
      options.ingest = atoi(value());
    } else if (arg == "--batch-us") {
      options.batch_us = atoi(value());
    } else if (arg == "--json") {
      options.json = value();
    } else {
      fprintf(stderr,
              "usage: ringcast-floor [--rate PPS] [--seconds S] [--size BYTES] [--batch N] "
              "[--ingest STREAMS [--batch-us US]] [--json FILE]\n");
      exit(2);
    }
  }
  if (options.seconds <= 0 || options.seconds > 600 || options.size < 12 || options.size > 1400 ||
      options.batch < 1 || options.batch > 64 || options.ingest < 0 || options.ingest > 256 ||
      options.batch_us < 0 || options.batch_us > 100000 ||
      (options.ingest > 0 && options.rate <= 0)) {
    fprintf(stderr,
            "ringcast-floor: --seconds 0..600, --size 12..1400, --batch 1..64, --ingest 0..256 "
            "(with a --rate)\n");
    exit(2);
  }
  return options;
}

// The CPU time of one copy + seal of a `size`-byte packet, measured apart (timing each batch in
// the send loop would add two system calls per batch: the thread CPU clock is not in the vDSO).
double SealNsPerPacket(ringcast::crypto::SrtpEngine& engine, size_t size) {
  using ringcast::crypto::SrtpResult;
  constexpr int kPackets = 20000;
  std::vector<uint8_t> source(size, 0x5A), slot(size + 64);
  source[0] = 0x80;
  source[1] = 96;
  const int64_t start = Now(CLOCK_THREAD_CPUTIME_ID);
  for (int i = 0; i < kPackets; ++i) {
    source[2] = static_cast<uint8_t>(i >> 8);
    source[3] = static_cast<uint8_t>(i);
    memcpy(slot.data(), source.data(), size);
    size_t n = size;
    if (engine.Protect(std::span<uint8_t>(slot), n) != SrtpResult::kOk) Die("protect");
  }
  return static_cast<double>(Now(CLOCK_THREAD_CPUTIME_ID) - start) / kPackets;
}

void SetNonBlocking(int fd) {
  if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) Die("fcntl");
}

// One GSO sendmsg of `count` sealed packets (equal sizes but the last) to `to`.
void SendRun(int sender, const sockaddr_in& to, iovec* iov, size_t count, size_t segment) {
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(uint16_t))] = {};
  msghdr message{};
  message.msg_name = const_cast<sockaddr_in*>(&to);
  message.msg_namelen = sizeof(to);
  message.msg_iov = iov;
  message.msg_iovlen = count;
  if (count > 1) {
    message.msg_control = control;
    message.msg_controllen = sizeof(control);
    cmsghdr* cmsg = CMSG_FIRSTHDR(&message);
    cmsg->cmsg_level = IPPROTO_UDP;
    cmsg->cmsg_type = UDP_SEGMENT;
    cmsg->cmsg_len = CMSG_LEN(sizeof(uint16_t));
    const auto size = static_cast<uint16_t>(segment);
    memcpy(CMSG_DATA(cmsg), &size, sizeof(size));
  }
  if (sendmsg(sender, &message, 0) < 0) Die("sendmsg");
}

// --ingest: the whole job at low fan-out (see the top of this file).
int RunIngest(const Options& options, ringcast::crypto::SrtpEngine& engine) {
  using ringcast::crypto::SrtpProfile;
  using ringcast::crypto::SrtpResult;
  using ringcast::crypto::SrtpTagLength;
  const int n = options.ingest;
  const size_t frame_bytes = 4 + options.size;  // '$', channel, length, packet
  const size_t wire = options.size + SrtpTagLength(SrtpProfile::kAeadAes128Gcm);

  struct Stream {
    int in = -1;      // the measured side of the stream's TCP connection
    int feed = -1;    // the feeder's side
    int viewer = -1;  // the viewer's UDP socket
    sockaddr_in viewer_address{};
    std::vector<uint8_t> buffer = std::vector<uint8_t>(256 * 1024);
    size_t used = 0;
    uint16_t seq = 0;  // the feeder's
  };
  std::vector<Stream> streams(static_cast<size_t>(n));

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  if (listener < 0 || bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      listen(listener, n) != 0 ||
      getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    Die("tcp listener");
  }
  int drain_epoll = epoll_create1(0);
  int epoll = epoll_create1(0);
  if (drain_epoll < 0 || epoll < 0) Die("epoll_create1");
  for (int i = 0; i < n; ++i) {
    Stream& s = streams[static_cast<size_t>(i)];
    s.feed = socket(AF_INET, SOCK_STREAM, 0);
    if (s.feed < 0 ||
        connect(s.feed, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
      Die("tcp connect");
    }
    s.in = accept(listener, nullptr, nullptr);
    if (s.in < 0) Die("accept");
    SetNonBlocking(s.in);
    epoll_event in{.events = EPOLLIN, .data = {.u32 = static_cast<uint32_t>(i)}};
    if (epoll_ctl(epoll, EPOLL_CTL_ADD, s.in, &in) != 0) Die("epoll_ctl");

    s.viewer = socket(AF_INET, SOCK_DGRAM, 0);
    s.viewer_address.sin_family = AF_INET;
    s.viewer_address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t viewer_length = sizeof(s.viewer_address);
    int buffer = 4 << 20;
    setsockopt(s.viewer, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof(buffer));
    if (s.viewer < 0 ||
        bind(s.viewer, reinterpret_cast<sockaddr*>(&s.viewer_address), viewer_length) != 0 ||
        getsockname(s.viewer, reinterpret_cast<sockaddr*>(&s.viewer_address), &viewer_length) !=
            0) {
      Die("udp viewer");
    }
    SetNonBlocking(s.viewer);
    epoll_event viewer{.events = EPOLLIN, .data = {.u32 = static_cast<uint32_t>(i)}};
    if (epoll_ctl(drain_epoll, EPOLL_CTL_ADD, s.viewer, &viewer) != 0) Die("epoll_ctl");
  }
  close(listener);
  int sender = socket(AF_INET, SOCK_DGRAM, 0);
  int send_buffer = 8 << 20;
  setsockopt(sender, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof(send_buffer));

  const int64_t start_wall = Now(CLOCK_MONOTONIC);
  const int64_t end_wall = start_wall + static_cast<int64_t>(options.seconds * 1e9);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> received{0};

  // The viewers: drain every datagram, count it.
  std::thread drain([&] {
    std::vector<uint8_t> bytes(2048);
    epoll_event events[64];
    while (!stop.load(std::memory_order_relaxed)) {
      int ready = epoll_wait(drain_epoll, events, 64, 100);
      for (int e = 0; e < ready; ++e) {
        int fd = streams[events[e].data.u32].viewer;
        while (recv(fd, bytes.data(), bytes.size(), MSG_DONTWAIT) > 0) received.fetch_add(1);
      }
    }
  });

  // The publishers: a frame of `batch` packets per stream every 1 / fps seconds, staggered.
  const double fps = options.rate / (static_cast<double>(n) * static_cast<double>(options.batch));
  const auto interval = static_cast<int64_t>(1e9 / fps);
  std::thread feeder([&] {
    std::vector<uint8_t> frame(options.batch * frame_bytes, 0x5A);
    std::vector<int64_t> due(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) due[static_cast<size_t>(i)] = start_wall + interval * i / n;
    while (!stop.load(std::memory_order_relaxed)) {
      int64_t now = Now(CLOCK_MONOTONIC);
      int64_t next = now + interval;
      for (int i = 0; i < n; ++i) {
        Stream& s = streams[static_cast<size_t>(i)];
        int64_t& at = due[static_cast<size_t>(i)];
        if (at <= now) {
          for (size_t k = 0; k < options.batch; ++k) {
            uint8_t* f = frame.data() + k * frame_bytes;
            f[0] = '$';
            f[1] = 0;
            f[2] = static_cast<uint8_t>(options.size >> 8);
            f[3] = static_cast<uint8_t>(options.size);
            f[4] = 0x80;
            f[5] = 96;
            f[6] = static_cast<uint8_t>(s.seq >> 8);
            f[7] = static_cast<uint8_t>(s.seq);
            ++s.seq;
          }
          if (send(s.feed, frame.data(), frame.size(), MSG_NOSIGNAL) < 0) return;
          at += interval;
        }
        next = std::min(next, at);
      }
      int64_t wait = next - Now(CLOCK_MONOTONIC);
      if (wait > 0) {
        timespec pause{wait / 1'000'000'000, wait % 1'000'000'000};
        nanosleep(&pause, nullptr);
      }
    }
  });

  // The relay: this thread, measured.
  const size_t slot_size = wire + 64;
  std::vector<uint8_t> slots(64 * slot_size);
  iovec iov[64];
  uint64_t sent = 0;
  uint64_t wakeups = 0;
  epoll_event events[64];
  const int64_t start_cpu = Now(CLOCK_THREAD_CPUTIME_ID);
  int64_t woke = 0;
  while (Now(CLOCK_MONOTONIC) < end_wall) {
    // Wake at most once per --batch-us: what arrived meanwhile is handled in one go (the least
    // a relay allowed to add that much latency has to do).
    const int64_t since = Now(CLOCK_MONOTONIC) - woke;
    if (options.batch_us > 0 && since < options.batch_us * 1000) {
      timespec pause{0, static_cast<long>(options.batch_us * 1000 - since)};
      nanosleep(&pause, nullptr);
    }
    int ready = epoll_wait(epoll, events, 64, 100);
    woke = Now(CLOCK_MONOTONIC);
    ++wakeups;
    for (int e = 0; e < ready; ++e) {
      Stream& s = streams[events[e].data.u32];
      ssize_t r = recv(s.in, s.buffer.data() + s.used, s.buffer.size() - s.used, 0);
      if (r <= 0) continue;
      s.used += static_cast<size_t>(r);
      size_t offset = 0;
      size_t run = 0;
      while (s.used - offset >= 4) {
        const uint8_t* f = s.buffer.data() + offset;
        if (f[0] != '$') {
          fprintf(stderr, "ringcast-floor: bad interleaved frame\n");
          return 1;
        }
        const size_t size = (size_t{f[2]} << 8) | f[3];
        if (s.used - offset < 4 + size) break;
        uint8_t* slot = slots.data() + run * slot_size;
        memcpy(slot, f + 4, size);
        size_t sealed = size;
        if (engine.Protect(std::span<uint8_t>(slot, slot_size), sealed) != SrtpResult::kOk) {
          fprintf(stderr, "ringcast-floor: protect failed\n");
          return 1;
        }
        iov[run++] = {slot, sealed};
        offset += 4 + size;
        if (run == 64) {
          SendRun(sender, s.viewer_address, iov, run, wire);
          sent += run;
          run = 0;
        }
      }
      if (run > 0) {
        SendRun(sender, s.viewer_address, iov, run, wire);
        sent += run;
      }
      memmove(s.buffer.data(), s.buffer.data() + offset, s.used - offset);
      s.used -= offset;
    }
  }
  const int64_t cpu_ns = Now(CLOCK_THREAD_CPUTIME_ID) - start_cpu;
  const double wall_s = static_cast<double>(Now(CLOCK_MONOTONIC) - start_wall) / 1e9;
  stop = true;
  for (Stream& s : streams) shutdown(s.in, SHUT_RDWR);  // a feeder blocked in send returns
  feeder.join();
  drain.join();

  const double per_packet =
      static_cast<double>(cpu_ns) / static_cast<double>(std::max<uint64_t>(1, sent));
  // "Send" is the rest: epoll, recv, sendmsg and the loopback delivery done on our behalf.
  const double crypto_per_packet = SealNsPerPacket(engine, options.size);
  printf(
      "ringcast-floor --ingest %d: %llu packets of %zu bytes in %.1f s, %zu per frame, "
      "%.0f packets/s, %.0f wake-ups/s\n",
      n, static_cast<unsigned long long>(sent), options.size, wall_s, options.batch,
      static_cast<double>(sent) / wall_s, static_cast<double>(wakeups) / wall_s);
  printf(
      "  relay CPU per packet: %.0f ns (copy + AES-GCM %.0f ns, receive + send %.0f ns); "
      "viewers received %llu\n",
      per_packet, crypto_per_packet, per_packet - crypto_per_packet,
      static_cast<unsigned long long>(received.load()));
  if (!options.json.empty()) {
    FILE* out = fopen(options.json.c_str(), "w");
    if (out == nullptr) Die(options.json.c_str());
    fprintf(out,
            "{\"mode\":\"ingest\",\"streams\":%d,\"packets\":%llu,\"size\":%zu,\"batch\":%zu,"
            "\"batch_us\":%d,\"wakeups_per_s\":%.1f,\"seconds\":%.3f,\"rate\":%.1f,"
            "\"cpu_ns_per_packet\":%.1f,\"crypto_ns_per_packet\":%.1f,"
            "\"send_ns_per_packet\":%.1f,\"received\":%llu}\n",
            n, static_cast<unsigned long long>(sent), options.size, options.batch, options.batch_us,
            static_cast<double>(wakeups) / wall_s, wall_s, options.rate, per_packet,
            crypto_per_packet, per_packet - crypto_per_packet,
            static_cast<unsigned long long>(received.load()));
    fclose(out);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options options = Parse(argc, argv);
  using namespace ringcast::crypto;  // NOLINT: a small tool
  SrtpKeys keys;
  for (size_t i = 0; i < keys.key.size(); ++i) keys.key[i] = static_cast<uint8_t>(i);
  auto engine = MakeSrtp(SrtpEngineKind::kBuiltin, SrtpProfile::kAeadAes128Gcm, keys,
                         SrtpDirection::kProtect);
  if (!engine.ok()) {
    fprintf(stderr, "ringcast-floor: %s\n", std::string(engine.status().message()).c_str());
    return 1;
  }
  if (options.ingest > 0) return RunIngest(options, **engine);

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
    SendRun(sender, address, iov.data(), options.batch, wire);
    sent += options.batch;
  }
  int64_t cpu_ns = Now(CLOCK_THREAD_CPUTIME_ID) - start_cpu;
  double wall_s = static_cast<double>(Now(CLOCK_MONOTONIC) - start_wall) / 1e9;
  stop = true;
  drain.join();

  double per_packet = static_cast<double>(cpu_ns) / static_cast<double>(sent);
  double crypto_per_packet = SealNsPerPacket(**engine, options.size);
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
