// Fuzz target for crypto/dtls: arbitrary bytes as datagrams received by a server-role
// DtlsTransport (the role a browser's ClientHello meets). The whole input is one datagram; it is
// delivered, the retransmit timer is fired, the same datagram arrives again (a retransmission)
// and the transport is closed. Nothing may crash or leak; outgoing datagrams must respect the MTU.
// Seeds: tests/data/dtls (real captured datagrams, see its README.md).
#include <sys/time.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>

#include "crypto/certificate.h"
#include "crypto/dtls.h"

namespace {

using ringcast::crypto::Certificate;
using ringcast::crypto::DtlsConfig;
using ringcast::crypto::DtlsContext;
using ringcast::crypto::DtlsRole;
using ringcast::crypto::DtlsSender;
using ringcast::crypto::DtlsTransport;

timeval g_now{1'700'000'000, 0};
void Clock(const SSL*, timeval* out) { *out = g_now; }

class CheckingSender : public DtlsSender {
 public:
  void OnDtlsSend(std::span<const uint8_t> datagram) override {
    if (datagram.empty() || datagram.size() > DtlsConfig{}.mtu) std::abort();
  }
};

struct Fixture {
  std::shared_ptr<const Certificate> peer;
  std::unique_ptr<DtlsContext> context;
};

Fixture MakeFixture() {
  auto ours = Certificate::Generate();
  auto peer = Certificate::Generate();
  if (!ours.ok() || !peer.ok()) std::abort();
  auto context = DtlsContext::Create(*ours, DtlsConfig{});
  if (!context.ok()) std::abort();
  (*context)->SetClockForTesting(&Clock);
  return Fixture{*peer, std::move(*context)};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Fixture fixture = MakeFixture();
  CheckingSender sender;
  auto transport = DtlsTransport::Create(*fixture.context, DtlsRole::kServer, "sha-256",
                                         fixture.peer->fingerprint_sha256(), sender);
  if (!transport.ok()) std::abort();
  DtlsTransport& t = **transport;
  t.Start();
  std::span<const uint8_t> datagram(data, size);
  t.OnDatagram(datagram);
  if (auto delay = t.RetransmitDelayNs()) {
    g_now.tv_sec += static_cast<time_t>(*delay / 1'000'000'000) + 1;
    t.OnTimeout();
  }
  t.OnDatagram(datagram);
  (void)t.state();
  (void)t.error();
  t.Close();
  return 0;
}
