#include "crypto/dtls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/time.h>
#include <time.h>

#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/srtp.h"
#include "gtest/gtest.h"

namespace ringcast::crypto {
namespace {

using Bytes = std::vector<uint8_t>;

// Collects a transport's datagrams, one entry per OnDtlsSend.
class Wire : public DtlsSender {
 public:
  void OnDtlsSend(std::span<const uint8_t> datagram) override {
    sent.emplace_back(datagram.begin(), datagram.end());
    all.emplace_back(datagram.begin(), datagram.end());
  }
  std::deque<Bytes> sent;  // not yet delivered
  std::vector<Bytes> all;  // everything, for checks
};

// True when `datagram` is a whole number of DTLS records (RFC 6347 §4.1: 13-byte header, length
// in bytes 11-12), i.e. no record was cut and nothing trails.
bool IsWholeRecords(const Bytes& datagram) {
  size_t at = 0;
  while (at < datagram.size()) {
    if (datagram.size() - at < 13) return false;
    uint8_t type = datagram[at];
    if (type < 20 || type > 63) return false;
    size_t length = static_cast<size_t>(datagram[at + 11]) << 8 | datagram[at + 12];
    at += 13 + length;
  }
  return at == datagram.size();
}

// The handshake message type of every handshake record in `datagrams`, in order (RFC 6347
// §4.2.2: the type is the first byte of the record's fragment).
std::vector<int> HandshakeTypes(const std::deque<Bytes>& datagrams) {
  std::vector<int> types;
  for (const Bytes& d : datagrams) {
    for (size_t at = 0; at + 13 < d.size();) {
      size_t length = static_cast<size_t>(d[at + 11]) << 8 | d[at + 12];
      if (d[at] == 22) types.push_back(d[at + 13]);
      at += 13 + length;
    }
  }
  return types;
}

// A clock the tests move by hand: BoringSSL's handshake timers read it through
// SSL_CTX_set_current_time_cb; OpenSSL 3's read gettimeofday, which this binary interposes below
// while g_fake_clock is set.
timeval g_now{};
bool g_fake_clock = false;
void FakeClock(const SSL*, timeval* out) { *out = g_now; }
void Advance(int64_t ns) {
  int64_t us = g_now.tv_usec + ns / 1000 + 1;
  g_now.tv_sec += us / 1'000'000;
  g_now.tv_usec = us % 1'000'000;
}

std::shared_ptr<const Certificate> NewCertificate() {
  auto cert = Certificate::Generate();
  EXPECT_TRUE(cert.ok()) << cert.status();
  return cert.ok() ? *cert : nullptr;
}

bool SameKeys(const SrtpKeys& a, const SrtpKeys& b, SrtpProfile profile) {
  return a.key == b.key && std::memcmp(a.salt.data(), b.salt.data(), SrtpSaltLength(profile)) == 0;
}

// One end: certificate, context, transport and its outgoing wire.
struct End {
  std::shared_ptr<const Certificate> cert;
  std::unique_ptr<DtlsContext> context;
  Wire wire;
  std::unique_ptr<DtlsTransport> transport;
};

class DtlsTest : public ::testing::Test {
 protected:
  void SetUp() override { gettimeofday(&g_now, nullptr); }
  void TearDown() override { g_fake_clock = false; }

  // Makes both ends; the server expects the client's fingerprint and the reverse unless told.
  void MakeEnds(const DtlsConfig& server_config = {}, const DtlsConfig& client_config = {},
                bool fake_clock = false) {
    server_.cert = NewCertificate();
    client_.cert = NewCertificate();
    ASSERT_TRUE(server_.cert && client_.cert);
    auto sc = DtlsContext::Create(server_.cert, server_config);
    auto cc = DtlsContext::Create(client_.cert, client_config);
    ASSERT_TRUE(sc.ok()) << sc.status();
    ASSERT_TRUE(cc.ok()) << cc.status();
    server_.context = std::move(*sc);
    client_.context = std::move(*cc);
    if (fake_clock) {
      // False on OpenSSL: gettimeofday is the clock there.
      bool hooked = server_.context->SetClockForTesting(&FakeClock);
      EXPECT_EQ(client_.context->SetClockForTesting(&FakeClock), hooked);
      g_fake_clock = !hooked;
    }
    MakeTransports(client_.cert->fingerprint_sha256(), server_.cert->fingerprint_sha256());
  }

  void MakeTransports(const std::string& client_fp_at_server,
                      const std::string& server_fp_at_client) {
    auto s = DtlsTransport::Create(*server_.context, DtlsRole::kServer, "sha-256",
                                   client_fp_at_server, server_.wire);
    auto c = DtlsTransport::Create(*client_.context, DtlsRole::kClient, "sha-256",
                                   server_fp_at_client, client_.wire);
    ASSERT_TRUE(s.ok()) << s.status();
    ASSERT_TRUE(c.ok()) << c.status();
    server_.transport = std::move(*s);
    client_.transport = std::move(*c);
  }

  // Delivers datagrams both ways until both wires are quiet.
  void Pump() {
    for (int round = 0; round < 100; ++round) {
      if (server_.wire.sent.empty() && client_.wire.sent.empty()) return;
      while (!client_.wire.sent.empty()) {
        Bytes d = std::move(client_.wire.sent.front());
        client_.wire.sent.pop_front();
        server_.transport->OnDatagram(d);
      }
      while (!server_.wire.sent.empty()) {
        Bytes d = std::move(server_.wire.sent.front());
        server_.wire.sent.pop_front();
        client_.transport->OnDatagram(d);
      }
    }
    ADD_FAILURE() << "the ends never went quiet";
  }

  void Handshake() {
    server_.transport->Start();
    client_.transport->Start();
    Pump();
  }

  void ExpectConnectedWithMatchingKeys(SrtpProfile profile) {
    ASSERT_EQ(server_.transport->state(), DtlsState::kConnected) << server_.transport->error();
    ASSERT_EQ(client_.transport->state(), DtlsState::kConnected) << client_.transport->error();
    const DtlsSrtpKeys& s = server_.transport->srtp_keys();
    const DtlsSrtpKeys& c = client_.transport->srtp_keys();
    EXPECT_EQ(s.profile, profile);
    EXPECT_EQ(c.profile, profile);
    EXPECT_TRUE(SameKeys(s.local, c.remote, profile));
    EXPECT_TRUE(SameKeys(s.remote, c.local, profile));
    EXPECT_FALSE(SameKeys(s.local, s.remote, profile));
  }

  End server_, client_;
};

TEST_F(DtlsTest, HandshakeBetweenOurServerAndOurClient) {
  MakeEnds();
  EXPECT_EQ(server_.transport->state(), DtlsState::kNew);
  Handshake();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAeadAes128Gcm);
  EXPECT_TRUE(server_.transport->error().empty());
  // Every datagram is whole records within the MTU: flights were not concatenated.
  for (const End* end : {&server_, &client_}) {
    for (const Bytes& d : end->wire.all) {
      EXPECT_TRUE(IsWholeRecords(d));
      EXPECT_LE(d.size(), 1200u);
    }
  }
  EXPECT_EQ(server_.transport->RetransmitDelayNs(), std::nullopt);
  EXPECT_EQ(client_.transport->RetransmitDelayNs(), std::nullopt);
}

TEST_F(DtlsTest, SmallMtuSplitsTheCertificateFlightIntoSeparateDatagrams) {
  DtlsConfig config;
  config.mtu = 300;
  MakeEnds(config, config);
  client_.transport->Start();
  ASSERT_EQ(client_.wire.sent.size(), 1u);  // ClientHello
  server_.transport->OnDatagram(client_.wire.sent.front());
  client_.wire.sent.pop_front();
  // ServerHello, Certificate, ServerKeyExchange, CertificateRequest, ServerHelloDone: more than
  // 300 bytes, so several datagrams, each sent by its own OnDtlsSend call.
  ASSERT_GE(server_.wire.sent.size(), 2u);
  for (const Bytes& d : server_.wire.sent) {
    EXPECT_LE(d.size(), 300u);
    EXPECT_TRUE(IsWholeRecords(d));
  }
  Pump();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAeadAes128Gcm);
}

TEST_F(DtlsTest, ServerPreferenceChoosesTheProfile) {
  DtlsConfig cm_first;
  cm_first.profiles = {SrtpProfile::kAes128CmSha1_80, SrtpProfile::kAeadAes128Gcm};
  MakeEnds(cm_first, DtlsConfig{});
  Handshake();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAes128CmSha1_80);
}

TEST_F(DtlsTest, ClientOfferingOnlyCmGetsCm) {
  DtlsConfig cm_only;
  cm_only.profiles = {SrtpProfile::kAes128CmSha1_80};
  MakeEnds(DtlsConfig{}, cm_only);
  Handshake();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAes128CmSha1_80);
}

TEST_F(DtlsTest, NoCommonProfileFails) {
  DtlsConfig gcm_only, cm_only;
  gcm_only.profiles = {SrtpProfile::kAeadAes128Gcm};
  cm_only.profiles = {SrtpProfile::kAes128CmSha1_80};
  MakeEnds(gcm_only, cm_only);
  Handshake();
  EXPECT_EQ(server_.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(server_.transport->error(), "no SRTP profile in common");
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
  EXPECT_FALSE(client_.transport->error().empty());
}

TEST_F(DtlsTest, ServerRejectsClientCertificateNotMatchingFingerprint) {
  MakeEnds();
  auto other = NewCertificate();
  MakeTransports(other->fingerprint_sha256(), server_.cert->fingerprint_sha256());
  Handshake();
  EXPECT_EQ(server_.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(server_.transport->error(), "peer certificate does not match a=fingerprint");
  EXPECT_NE(client_.transport->state(), DtlsState::kConnected);
}

TEST_F(DtlsTest, ClientRejectsServerCertificateNotMatchingFingerprint) {
  MakeEnds();
  auto other = NewCertificate();
  MakeTransports(client_.cert->fingerprint_sha256(), other->fingerprint_sha256());
  Handshake();
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
  EXPECT_EQ(client_.transport->error(), "peer certificate does not match a=fingerprint");
  EXPECT_NE(server_.transport->state(), DtlsState::kConnected);
  // A failed transport ignores further datagrams.
  client_.transport->OnDatagram(Bytes(50, 22));
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
}

TEST_F(DtlsTest, CreateRejectsBadFingerprintAttributes) {
  MakeEnds();
  std::string fp = client_.cert->fingerprint_sha256();
  Wire wire;
  EXPECT_FALSE(DtlsTransport::Create(*server_.context, DtlsRole::kServer, "md5", fp, wire).ok());
  EXPECT_FALSE(DtlsTransport::Create(*server_.context, DtlsRole::kServer, "sha-1", fp, wire).ok());
  EXPECT_FALSE(
      DtlsTransport::Create(*server_.context, DtlsRole::kServer, "sha-256", "AB:CD", wire).ok());
  EXPECT_TRUE(DtlsTransport::Create(*server_.context, DtlsRole::kServer, "SHA-256", fp, wire).ok());
  EXPECT_FALSE(DtlsContext::Create(server_.cert, DtlsConfig{.profiles = {}}).ok());
}

// The exported keys protect on one side and unprotect on the other, both directions, with the
// builtin engine (the TLS library's primitives) protecting and libsrtp2 unprotecting.
TEST_F(DtlsTest, ExportedKeysCarrySrtpBothWays) {
  for (SrtpProfile profile : {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80}) {
    DtlsConfig config;
    config.profiles = {profile};
    MakeEnds(config, config);
    Handshake();
    ExpectConnectedWithMatchingKeys(profile);
    for (bool server_sends : {true, false}) {
      const DtlsSrtpKeys& tx = (server_sends ? server_ : client_).transport->srtp_keys();
      const DtlsSrtpKeys& rx = (server_sends ? client_ : server_).transport->srtp_keys();
      auto protect = MakeSrtp(SrtpEngineKind::kBuiltin, profile, tx.local, SrtpDirection::kProtect);
      auto unprotect =
          MakeSrtp(SrtpEngineKind::kLibsrtp, profile, rx.remote, SrtpDirection::kUnprotect);
      ASSERT_TRUE(protect.ok()) << protect.status();
      ASSERT_TRUE(unprotect.ok()) << unprotect.status();
      // RTP v2, PT 96, seq 1234, ts 90000, SSRC 0x11223344, 100-byte payload.
      Bytes packet = {0x80, 0x60, 0x04, 0xd2, 0x00, 0x01, 0x5f, 0x90, 0x11, 0x22, 0x33, 0x44};
      for (int i = 0; i < 100; ++i) packet.push_back(static_cast<uint8_t>(i));
      Bytes buffer = packet;
      buffer.resize(packet.size() + kSrtpMaxRtpOverhead);
      size_t length = packet.size();
      ASSERT_EQ((*protect)->Protect(buffer, length), SrtpResult::kOk);
      EXPECT_EQ(length, packet.size() + SrtpTagLength(profile));
      EXPECT_NE(Bytes(buffer.begin() + 12, buffer.begin() + 112),
                Bytes(packet.begin() + 12, packet.end()));
      ASSERT_EQ((*unprotect)->Unprotect(buffer, length), SrtpResult::kOk);
      ASSERT_EQ(length, packet.size());
      EXPECT_EQ(Bytes(buffer.begin(), buffer.begin() + length), packet);
    }
  }
}

TEST_F(DtlsTest, LostServerFlightIsRetransmittedOnTimeout) {
  MakeEnds({}, {}, /*fake_clock=*/true);
  client_.transport->Start();
  EXPECT_TRUE(client_.transport->RetransmitDelayNs().has_value());
  ASSERT_EQ(client_.wire.sent.size(), 1u);
  server_.transport->OnDatagram(client_.wire.sent.front());
  client_.wire.sent.pop_front();
  ASSERT_FALSE(server_.wire.sent.empty());
  std::vector<int> flight = HandshakeTypes(server_.wire.sent);
  server_.wire.sent.clear();  // the whole server flight is lost

  std::optional<int64_t> delay = server_.transport->RetransmitDelayNs();
  ASSERT_TRUE(delay.has_value());
  EXPECT_GT(*delay, 0);
  EXPECT_LE(*delay, 1'000'000'000);
  server_.transport->OnTimeout();  // not due yet: nothing is sent
  EXPECT_TRUE(server_.wire.sent.empty());

  Advance(*delay);
  server_.transport->OnTimeout();
  // The same messages again (OpenSSL packs the first sending into one datagram and resends each
  // message in its own: the packing may differ, the messages may not).
  EXPECT_EQ(HandshakeTypes(server_.wire.sent), flight);
  EXPECT_EQ(server_.transport->state(), DtlsState::kHandshaking);
  // The timer backs off: the next delay is longer than the first.
  std::optional<int64_t> next = server_.transport->RetransmitDelayNs();
  ASSERT_TRUE(next.has_value());
  EXPECT_GT(*next, *delay);
  Pump();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAeadAes128Gcm);
}

TEST_F(DtlsTest, SilentPeerTimesOut) {
  MakeEnds({}, {}, /*fake_clock=*/true);
  client_.transport->Start();
  int retransmissions = 0;
  for (int i = 0; i < 50 && client_.transport->state() == DtlsState::kHandshaking; ++i) {
    std::optional<int64_t> delay = client_.transport->RetransmitDelayNs();
    ASSERT_TRUE(delay.has_value());
    Advance(*delay);
    size_t before = client_.wire.all.size();
    client_.transport->OnTimeout();
    if (client_.wire.all.size() > before) ++retransmissions;
  }
  EXPECT_EQ(client_.transport->state(), DtlsState::kFailed);
  EXPECT_NE(client_.transport->error().find("timed out"), std::string::npos)
      << client_.transport->error();
  EXPECT_GT(retransmissions, 3);
}

TEST_F(DtlsTest, GarbageBeforeTheHandshakeIsIgnored) {
  MakeEnds();
  Bytes junk(100, 0x16);
  server_.transport->OnDatagram(junk);                           // handshake type, bogus header
  server_.transport->OnDatagram(Bytes{0x16, 0xfe, 0xfd, 0x00});  // truncated header
  server_.transport->OnDatagram(Bytes{});
  EXPECT_TRUE(server_.wire.all.empty());
  EXPECT_NE(server_.transport->state(), DtlsState::kConnected);
  Handshake();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAeadAes128Gcm);
  // And after it: still connected.
  server_.transport->OnDatagram(junk);
  EXPECT_EQ(server_.transport->state(), DtlsState::kConnected);
}

TEST_F(DtlsTest, CloseSendsOneCloseNotify) {
  MakeEnds();
  Handshake();
  ExpectConnectedWithMatchingKeys(SrtpProfile::kAeadAes128Gcm);
  client_.transport->Close();
  EXPECT_EQ(client_.transport->state(), DtlsState::kClosed);
  ASSERT_EQ(client_.wire.sent.size(), 1u);
  EXPECT_EQ(client_.wire.sent.front()[0], 21);  // alert
  client_.transport->Close();
  EXPECT_EQ(client_.wire.sent.size(), 1u);
  Pump();
  EXPECT_TRUE(server_.transport->peer_closed());
  EXPECT_EQ(server_.transport->state(), DtlsState::kClosed);
  EXPECT_FALSE(client_.transport->peer_closed());
}

// A real ClientHello captured from `openssl s_client -dtls1_2 -use_srtp ...` (OpenSSL 3, see
// tests/data/dtls/README.md) gets our server's first flight.
TEST_F(DtlsTest, AnswersCapturedOpensslClientHello) {
  std::ifstream in(std::string(RINGCAST_DTLS_TEST_DATA) + "/openssl_client_hello.bin",
                   std::ios::binary);
  ASSERT_TRUE(in) << "missing tests/data/dtls/openssl_client_hello.bin";
  Bytes hello((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(hello.size(), 13u);
  ASSERT_EQ(hello[0], 22);  // handshake record
  MakeEnds();
  server_.transport->OnDatagram(hello);
  EXPECT_EQ(server_.transport->state(), DtlsState::kHandshaking) << server_.transport->error();
  ASSERT_FALSE(server_.wire.all.empty());
  for (const Bytes& d : server_.wire.all) {
    EXPECT_TRUE(IsWholeRecords(d));
    EXPECT_LE(d.size(), 1200u);
  }
  const Bytes& first = server_.wire.all.front();
  ASSERT_GT(first.size(), 25u);
  EXPECT_EQ(first[0], 22);
  EXPECT_EQ(first[13], 2);  // ServerHello
  EXPECT_TRUE(server_.transport->RetransmitDelayNs().has_value());
}

// --- Against a plain peer on the TLS library's own API, not through DtlsTransport
// -----------------

// A DTLS 1.2 endpoint on SSL_new(DTLS_method()) with mem BIOs.
class PlainPeer {
 public:
  PlainPeer(bool client, const char* profiles) {
    cert_ = NewCertificate();
    ctx_.reset(SSL_CTX_new(DTLS_method()));
    SSL_CTX_set_min_proto_version(ctx_.get(), DTLS1_2_VERSION);
    SSL_CTX_set_max_proto_version(ctx_.get(), DTLS1_2_VERSION);
    SSL_CTX_use_certificate(ctx_.get(), cert_->x509());
    SSL_CTX_use_PrivateKey(ctx_.get(), cert_->private_key());
    EXPECT_EQ(SSL_CTX_set_tlsext_use_srtp(ctx_.get(), profiles), 0);  // 0: success
    // Any certificate will do (they are self-signed): the tests check keys, not trust.
    SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       [](int, X509_STORE_CTX*) { return 1; });
    ssl_.reset(SSL_new(ctx_.get()));
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(in_, -1);
    SSL_set_bio(ssl_.get(), in_, out_);
    if (client) {
      SSL_set_connect_state(ssl_.get());
    } else {
      SSL_set_accept_state(ssl_.get());
    }
  }

  // Runs the handshake with what has arrived; returns what it wrote (possibly several packets
  // back to back, which is fine in memory: DTLS records carry their own lengths).
  Bytes Step() {
    int ret = SSL_do_handshake(ssl_.get());
    if (ret == 1) {
      done_ = true;
    } else {
      EXPECT_EQ(SSL_get_error(ssl_.get(), ret), SSL_ERROR_WANT_READ);
      ERR_clear_error();
    }
    char* data = nullptr;
    long length = BIO_get_mem_data(out_, &data);
    Bytes out(data, data + (length > 0 ? length : 0));
    BIO_reset(out_);
    return out;
  }
  void Receive(const Bytes& datagram) {
    BIO_write(in_, datagram.data(), static_cast<int>(datagram.size()));
  }

  // Exchanges datagrams with `transport` (whose wire is `wire`) until both are quiet.
  void HandshakeWith(DtlsTransport& transport, Wire& wire) {
    for (int round = 0; round < 50; ++round) {
      Bytes out = Step();
      if (!out.empty()) transport.OnDatagram(out);
      bool quiet = out.empty() && wire.sent.empty();
      while (!wire.sent.empty()) {
        Receive(wire.sent.front());
        wire.sent.pop_front();
      }
      if (quiet && round > 0) return;
    }
  }

  // The RFC 5764 exporter block as this peer computes it.
  Bytes Export(size_t length) {
    Bytes block(length);
    EXPECT_EQ(SSL_export_keying_material(ssl_.get(), block.data(), length, "EXTRACTOR-dtls_srtp",
                                         19, nullptr, 0, 0),
              1);
    return block;
  }

  std::shared_ptr<const Certificate> cert_;
  TlsPtr<SSL_CTX> ctx_;
  TlsPtr<SSL> ssl_;
  BIO* in_ = nullptr;   // owned by ssl_
  BIO* out_ = nullptr;  // owned by ssl_
  bool done_ = false;
};

void ExpectKeysMatchBlock(const DtlsSrtpKeys& keys, const Bytes& block, bool we_are_server) {
  size_t salt = SrtpSaltLength(keys.profile);
  ASSERT_EQ(block.size(), 2 * (16 + salt));
  Bytes client_key(block.begin(), block.begin() + 16);
  Bytes server_key(block.begin() + 16, block.begin() + 32);
  Bytes client_salt(block.begin() + 32, block.begin() + 32 + salt);
  Bytes server_salt(block.begin() + 32 + salt, block.end());
  const SrtpKeys& as_server = we_are_server ? keys.local : keys.remote;
  const SrtpKeys& as_client = we_are_server ? keys.remote : keys.local;
  EXPECT_EQ(Bytes(as_server.key.begin(), as_server.key.end()), server_key);
  EXPECT_EQ(Bytes(as_client.key.begin(), as_client.key.end()), client_key);
  EXPECT_EQ(Bytes(as_server.salt.begin(), as_server.salt.begin() + salt), server_salt);
  EXPECT_EQ(Bytes(as_client.salt.begin(), as_client.salt.begin() + salt), client_salt);
}

TEST(DtlsPlainPeerTest, PlainClientAgainstOurServer) {
  for (bool gcm : {true, false}) {
    PlainPeer client(/*client=*/true, gcm ? "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80"
                                          : "SRTP_AES128_CM_SHA1_80");
    auto server_cert = NewCertificate();
    auto context = DtlsContext::Create(server_cert, DtlsConfig{});
    ASSERT_TRUE(context.ok());
    Wire wire;
    auto server = DtlsTransport::Create(**context, DtlsRole::kServer, "sha-256",
                                        client.cert_->fingerprint_sha256(), wire);
    ASSERT_TRUE(server.ok());
    client.HandshakeWith(**server, wire);
    ASSERT_TRUE(client.done_);
    ASSERT_EQ((*server)->state(), DtlsState::kConnected) << (*server)->error();
    const SRTP_PROTECTION_PROFILE* p = SSL_get_selected_srtp_profile(client.ssl_.get());
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->id, gcm ? SRTP_AEAD_AES_128_GCM : SRTP_AES128_CM_SHA1_80);
    SrtpProfile profile = gcm ? SrtpProfile::kAeadAes128Gcm : SrtpProfile::kAes128CmSha1_80;
    EXPECT_EQ((*server)->srtp_keys().profile, profile);
    ExpectKeysMatchBlock((*server)->srtp_keys(), client.Export(2 * (16 + SrtpSaltLength(profile))),
                         /*we_are_server=*/true);
  }
}

TEST(DtlsPlainPeerTest, OurClientAgainstPlainServer) {
  PlainPeer server(/*client=*/false, "SRTP_AES128_CM_SHA1_80:SRTP_AEAD_AES_128_GCM");
  auto client_cert = NewCertificate();
  auto context = DtlsContext::Create(client_cert, DtlsConfig{});
  ASSERT_TRUE(context.ok());
  Wire wire;
  auto client = DtlsTransport::Create(**context, DtlsRole::kClient, "sha-256",
                                      server.cert_->fingerprint_sha256(), wire);
  ASSERT_TRUE(client.ok());
  (*client)->Start();
  ASSERT_EQ(wire.sent.size(), 1u);
  server.HandshakeWith(**client, wire);
  ASSERT_EQ((*client)->state(), DtlsState::kConnected) << (*client)->error();
  EXPECT_EQ((*client)->srtp_keys().profile, SrtpProfile::kAes128CmSha1_80);  // server's choice
  ExpectKeysMatchBlock((*client)->srtp_keys(), server.Export(2 * (16 + 14)),
                       /*we_are_server=*/false);
}

}  // namespace
}  // namespace ringcast::crypto

// The interposed gettimeofday (see g_fake_clock): libssl's calls resolve to this definition, as
// the executable's symbols come first. The real clock otherwise.
extern "C" int gettimeofday(struct timeval* __restrict out, void* __restrict /*zone*/) noexcept {
  if (ringcast::crypto::g_fake_clock) {
    *out = ringcast::crypto::g_now;
    return 0;
  }
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  out->tv_sec = now.tv_sec;
  out->tv_usec = now.tv_nsec / 1000;
  return 0;
}
