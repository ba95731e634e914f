// ringcast-dtls-peer: one DTLS-SRTP endpoint on crypto::DtlsTransport over a UDP socket on
// 127.0.0.1, for the cross-library test (dtls_cross_test.py), which runs the BoringSSL build's
// peer against the OpenSSL 3 build's — the two libraries cannot share a process.
//
//   ringcast-dtls-peer --role server|client [--profile gcm|cm|both]
//
// 1. Prints {"library": ..., "fingerprint": ..., "port": ...} on one line.
// 2. Reads "FINGERPRINT PORT" (the other peer's) from stdin.
// 3. Handshakes (the client sends the ClientHello), then sends SRTP packets protected with its
//    exported keys every 50 ms, and unprotects the other peer's, until it has one and 300 ms more
//    have passed (so that the other peer gets one too), or 10 s are up.
// 4. Prints {"state": ..., "error": ..., "profile": ..., "local_key": hex, "local_salt": hex,
//    "remote_key": hex, "remote_salt": hex, "srtp_received": bool} and exits 0 when connected
//    and a packet of the other peer unprotected to what it sent.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/dtls.h"
#include "crypto/library_info.h"
#include "crypto/srtp.h"

namespace ringcast::crypto {
namespace {

using Clock = std::chrono::steady_clock;

std::string Hex(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

// The RTP packet a role sends: v2, PT 96, SSRC by role, a payload naming the role.
std::vector<uint8_t> RtpPacket(const std::string& role, uint16_t seq) {
  std::vector<uint8_t> packet = {0x80,
                                 0x60,
                                 static_cast<uint8_t>(seq >> 8),
                                 static_cast<uint8_t>(seq),
                                 0,
                                 0,
                                 0x10,
                                 0,
                                 0,
                                 0,
                                 0,
                                 static_cast<uint8_t>(role == "server" ? 1 : 2)};
  std::string payload = "ringcast cross-library " + role;
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

class UdpSender : public DtlsSender {
 public:
  UdpSender(int fd, const sockaddr_in& to) : fd_(fd), to_(to) {}
  void OnDtlsSend(std::span<const uint8_t> datagram) override {
    sendto(fd_, datagram.data(), datagram.size(), 0, reinterpret_cast<const sockaddr*>(&to_),
           sizeof(to_));
  }

 private:
  int fd_;
  sockaddr_in to_;
};

int Fail(const std::string& why) {
  std::printf("{\"state\": \"error\", \"error\": \"%s\"}\n", why.c_str());
  return 2;
}

int Run(const std::string& role, const std::string& profile_name) {
  DtlsConfig config;
  if (profile_name == "gcm") {
    config.profiles = {SrtpProfile::kAeadAes128Gcm};
  } else if (profile_name == "cm") {
    config.profiles = {SrtpProfile::kAes128CmSha1_80};
  } else if (profile_name != "both") {
    return Fail("--profile must be gcm, cm or both");
  }
  auto certificate = Certificate::Generate();
  if (!certificate.ok()) return Fail(std::string(certificate.status().message()));
  auto context = DtlsContext::Create(*certificate, config);
  if (!context.ok()) return Fail(std::string(context.status().message()));

  int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_in local{};
  local.sin_family = AF_INET;
  local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t local_length = sizeof(local);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_length) != 0) {
    return Fail(std::string("socket: ") + std::strerror(errno));
  }
  std::printf("{\"library\": \"%s\", \"version\": \"%s\", \"fingerprint\": \"%s\", \"port\": %d}\n",
              CompiledCryptoLibrary(), LoadedCryptoVersion().c_str(),
              (*certificate)->fingerprint_sha256().c_str(), ntohs(local.sin_port));
  std::fflush(stdout);

  std::string remote_fingerprint;
  int remote_port = 0;
  if (!(std::cin >> remote_fingerprint >> remote_port) || remote_port <= 0) {
    return Fail("expected 'FINGERPRINT PORT' on stdin");
  }
  sockaddr_in remote{};
  remote.sin_family = AF_INET;
  remote.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  remote.sin_port = htons(static_cast<uint16_t>(remote_port));
  UdpSender sender(fd, remote);
  auto transport =
      DtlsTransport::Create(**context, role == "server" ? DtlsRole::kServer : DtlsRole::kClient,
                            "sha-256", remote_fingerprint, sender);
  if (!transport.ok()) return Fail(std::string(transport.status().message()));
  DtlsTransport& dtls = **transport;
  dtls.Start();

  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(10);
  std::unique_ptr<SrtpEngine> protect, unprotect;
  Clock::time_point next_send{}, received_at{};
  bool received = false;
  uint16_t seq = 1;
  const std::string other = role == "server" ? "client" : "server";
  std::vector<uint8_t> buffer(2048);
  while (Clock::now() < deadline) {
    if (dtls.state() == DtlsState::kFailed || dtls.state() == DtlsState::kClosed) break;
    if (received && Clock::now() - received_at > std::chrono::milliseconds(300)) break;
    if (dtls.state() == DtlsState::kConnected && protect == nullptr) {
      const DtlsSrtpKeys& keys = dtls.srtp_keys();
      auto p =
          MakeSrtp(SrtpEngineKind::kBuiltin, keys.profile, keys.local, SrtpDirection::kProtect);
      auto u =
          MakeSrtp(SrtpEngineKind::kBuiltin, keys.profile, keys.remote, SrtpDirection::kUnprotect);
      if (!p.ok() || !u.ok()) return Fail("SRTP contexts from the exported keys failed");
      protect = std::move(*p);
      unprotect = std::move(*u);
    }
    if (protect != nullptr && Clock::now() >= next_send) {
      std::vector<uint8_t> packet = RtpPacket(role, seq++);
      size_t length = packet.size();
      packet.resize(length + kSrtpMaxRtpOverhead);
      if (protect->Protect(packet, length) == SrtpResult::kOk) {
        sendto(fd, packet.data(), length, 0, reinterpret_cast<const sockaddr*>(&remote),
               sizeof(remote));
      }
      next_send = Clock::now() + std::chrono::milliseconds(50);
    }
    int timeout_ms = 50;
    if (std::optional<int64_t> delay = dtls.RetransmitDelayNs()) {
      timeout_ms = std::min<int64_t>(timeout_ms, *delay / 1'000'000 + 1);
    }
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, timeout_ms) <= 0) {
      dtls.OnTimeout();
      continue;
    }
    ssize_t n = recv(fd, buffer.data(), buffer.size(), 0);
    if (n <= 0) continue;
    const uint8_t first = buffer[0];
    if (first >= 20 && first <= 63) {
      dtls.OnDatagram({buffer.data(), static_cast<size_t>(n)});
    } else if (first >= 128 && first <= 191 && unprotect != nullptr && !received) {
      size_t length = static_cast<size_t>(n);
      if (unprotect->Unprotect(buffer, length) == SrtpResult::kOk) {
        std::vector<uint8_t> expected = RtpPacket(other, 0);
        received = length == expected.size() &&
                   std::memcmp(buffer.data() + 12, expected.data() + 12, length - 12) == 0;
        if (received) received_at = Clock::now();
      }
    }
  }
  const DtlsSrtpKeys& keys = dtls.srtp_keys();
  const size_t salt = SrtpSaltLength(keys.profile);
  const bool connected = dtls.state() == DtlsState::kConnected;
  std::printf(
      "{\"state\": \"%s\", \"error\": \"%s\", \"profile\": \"%s\", \"local_key\": \"%s\", "
      "\"local_salt\": \"%s\", \"remote_key\": \"%s\", \"remote_salt\": \"%s\", "
      "\"srtp_received\": %s}\n",
      DtlsStateName(dtls.state()), dtls.error().c_str(),
      connected ? (keys.profile == SrtpProfile::kAeadAes128Gcm ? "gcm" : "cm") : "",
      connected ? Hex(keys.local.key).c_str() : "",
      connected ? Hex({keys.local.salt.data(), salt}).c_str() : "",
      connected ? Hex(keys.remote.key).c_str() : "",
      connected ? Hex({keys.remote.salt.data(), salt}).c_str() : "", received ? "true" : "false");
  close(fd);
  return connected && received ? 0 : 1;
}

}  // namespace
}  // namespace ringcast::crypto

int main(int argc, char** argv) {
  std::string role, profile = "both";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--role") {
      role = argv[i + 1];
    } else if (flag == "--profile") {
      profile = argv[i + 1];
    }
  }
  if (role != "server" && role != "client") {
    std::fprintf(stderr, "usage: %s --role server|client [--profile gcm|cm|both]\n", argv[0]);
    return 2;
  }
  return ringcast::crypto::Run(role, profile);
}
