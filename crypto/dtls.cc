#include "crypto/dtls.h"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/srtp.h>

#include <cstring>

#include "core/status.h"
#include "core/strings.h"
#include "crypto/tls_library.h"

namespace ringcast::crypto {
namespace {

constexpr char kExporterLabel[] = "EXTRACTOR-dtls_srtp";  // RFC 5764 §4.2

// Forward-secret AEAD suites only. The RSA ones are for the client role against a peer whose
// certificate is RSA (or a loaded RSA crypto.cert_file).
constexpr char kCipherList[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:"
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";

const char* SrtpProfileSslName(SrtpProfile profile) {
  return profile == SrtpProfile::kAeadAes128Gcm ? "SRTP_AEAD_AES_128_GCM"
                                                : "SRTP_AES128_CM_SHA1_80";
}

// The reason of the first queued TLS library error ("" when none); clears the queue.
std::string TakeSslError() {
  auto err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "";
  const char* reason = ERR_reason_error_string(err);
  return reason != nullptr ? std::string(reason) : core::StrCat("error ", err);
}

}  // namespace

const char* DtlsStateName(DtlsState state) {
  switch (state) {
    case DtlsState::kNew:
      return "new";
    case DtlsState::kHandshaking:
      return "handshaking";
    case DtlsState::kConnected:
      return "connected";
    case DtlsState::kClosed:
      return "closed";
    case DtlsState::kFailed:
      return "failed";
  }
  return "unknown";
}

// --- DtlsContext -------------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<DtlsContext>> DtlsContext::Create(
    std::shared_ptr<const Certificate> certificate, const DtlsConfig& config) {
  if (certificate == nullptr) return absl::InvalidArgumentError("dtls: no certificate");
  if (config.profiles.empty()) return absl::InvalidArgumentError("dtls: no SRTP profile");
  if (config.mtu < 256) {
    return absl::InvalidArgumentError(core::StrCat("dtls: mtu ", config.mtu, " is below 256"));
  }
  ERR_clear_error();
  TlsPtr<SSL_CTX> ctx(SSL_CTX_new(DTLS_method()));
  if (ctx == nullptr) return absl::ResourceExhaustedError("dtls: SSL_CTX_new failed");

  std::string profiles;
  for (SrtpProfile profile : config.profiles) {
    if (!profiles.empty()) profiles.push_back(':');
    profiles.append(SrtpProfileSslName(profile));
  }
  if (!SSL_CTX_set_min_proto_version(ctx.get(), DTLS1_2_VERSION) ||
      !SSL_CTX_set_max_proto_version(ctx.get(), DTLS1_2_VERSION)) {
    return absl::InternalError(core::StrCat("dtls: cannot restrict to DTLS 1.2: ", TakeSslError()));
  }
  if (!SSL_CTX_use_certificate(ctx.get(), certificate->x509()) ||
      !SSL_CTX_use_PrivateKey(ctx.get(), certificate->private_key()) ||
      !SSL_CTX_check_private_key(ctx.get())) {
    return absl::InvalidArgumentError(
        core::StrCat("dtls: cannot use the certificate: ", TakeSslError()));
  }
  // Zero is success here, in both libraries (OpenSSL's convention, which BoringSSL keeps).
  if (SSL_CTX_set_tlsext_use_srtp(ctx.get(), profiles.c_str()) != 0) {
    return absl::InternalError(
        core::StrCat("dtls: SRTP profiles ", profiles, " refused: ", TakeSslError()));
  }
  // The MTU is ours (SSL_set_mtu per transport): the BIO has no socket to ask. No tickets or
  // session cache: every association is a fresh handshake with a fresh peer.
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_QUERY_MTU | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  // Self-signed certificates are normal in WebRTC: the only check is the SDP fingerprint
  // (RFC 8827 §6.5). Both sides must present a certificate.
  RETURN_IF_ERROR(TlsLibrary::ConfigureDtls(ctx.get(), kCipherList));
  return std::unique_ptr<DtlsContext>(
      new DtlsContext(std::move(certificate), config, std::move(ctx)));
}

bool DtlsContext::SetClockForTesting(void (*clock)(const SSL* ssl, struct timeval* out_now)) {
  return TlsLibrary::SetClock(ctx_.get(), clock);
}

// --- The write BIO -----------------------------------------------------------------------------
//
// Both libraries issue one BIO_write per datagram of at most the MTU (they pack a flight's
// records into such datagrams; OpenSSL resends a lost flight one message per datagram). A mem
// BIO would concatenate them and the boundaries would be lost; this BIO instead hands each
// BIO_write to the DtlsSender as one datagram, synchronously, with no copy.

const BIO_METHOD* DtlsTransport::DatagramBioMethod() {
  static const BIO_METHOD* const method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "ringcast-dtls-out");
    if (m != nullptr) {
      BIO_meth_set_write(m, &DtlsTransport::BioWrite);
      BIO_meth_set_ctrl(m, &DtlsTransport::BioCtrl);
    }
    return m;
  }();
  return method;
}

int DtlsTransport::BioWrite(BIO* bio, const char* data, int length) {
  BIO_clear_retry_flags(bio);
  auto* transport = static_cast<DtlsTransport*>(BIO_get_data(bio));
  if (transport == nullptr || length < 0) return -1;
  transport->sender_.OnDtlsSend(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data),
                                                         static_cast<size_t>(length)));
  return length;
}

long DtlsTransport::BioCtrl(BIO* /*bio*/, int cmd, long /*larg*/, void* /*parg*/) {
  switch (cmd) {
    case BIO_CTRL_FLUSH:
      return 1;  // every write already went out
    case BIO_CTRL_PENDING:
    case BIO_CTRL_WPENDING:
      return 0;
    default:
      return 0;  // includes the MTU queries: SSL_OP_NO_QUERY_MTU keeps them from being asked
  }
}

// --- DtlsTransport -----------------------------------------------------------------------------

absl::StatusOr<std::unique_ptr<DtlsTransport>> DtlsTransport::Create(
    DtlsContext& context, DtlsRole role, std::string remote_hash_function,
    std::string remote_fingerprint, DtlsSender& sender) {
  std::unique_ptr<DtlsTransport> transport(new DtlsTransport(context, role, sender));
  RETURN_IF_ERROR(transport->Init(remote_hash_function, remote_fingerprint));
  return transport;
}

absl::Status DtlsTransport::Init(std::string_view remote_hash_function,
                                 std::string_view remote_fingerprint) {
  remote_md_ = FingerprintDigest(remote_hash_function);
  if (remote_md_ == nullptr) {
    return absl::InvalidArgumentError(core::StrCat("dtls: a=fingerprint hash function '",
                                                   remote_hash_function, "' is not supported"));
  }
  remote_digest_length_ = ParseFingerprint(remote_fingerprint, remote_digest_);
  if (remote_digest_length_ != static_cast<size_t>(EVP_MD_size(remote_md_))) {
    return absl::InvalidArgumentError(core::StrCat("dtls: a=fingerprint '", remote_fingerprint,
                                                   "' is not a ", remote_hash_function,
                                                   " digest in hex pairs"));
  }
  const BIO_METHOD* method = DatagramBioMethod();
  if (method == nullptr) return absl::ResourceExhaustedError("dtls: BIO_meth_new failed");

  ERR_clear_error();
  ssl_.reset(SSL_new(context_.ssl_ctx()));
  if (ssl_ == nullptr) return absl::ResourceExhaustedError("dtls: SSL_new failed");
  TlsPtr<BIO> read_bio(BIO_new(BIO_s_mem()));
  TlsPtr<BIO> write_bio(BIO_new(method));
  if (read_bio == nullptr || write_bio == nullptr) {
    return absl::ResourceExhaustedError("dtls: BIO_new failed");
  }
  BIO_set_mem_eof_return(read_bio.get(), -1);  // empty means "wait for the next datagram"
  BIO_set_data(write_bio.get(), this);
  BIO_set_init(write_bio.get(), 1);
  read_bio_ = read_bio.get();
  SSL_set_bio(ssl_.get(), read_bio.release(), write_bio.release());  // ssl_ owns both
  SSL_set_app_data(ssl_.get(), this);
  if (!SSL_set_mtu(ssl_.get(), context_.config().mtu)) {
    return absl::InvalidArgumentError(
        core::StrCat("dtls: mtu ", context_.config().mtu, " refused by the TLS library"));
  }
  if (role_ == DtlsRole::kServer) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
  return absl::OkStatus();
}

DtlsTransport::~DtlsTransport() = default;

void DtlsTransport::Start() {
  if (state_ != DtlsState::kNew) return;
  state_ = DtlsState::kHandshaking;
  if (role_ == DtlsRole::kClient) ContinueHandshake();
}

void DtlsTransport::OnDatagram(std::span<const uint8_t> datagram) {
  if (datagram.empty() || datagram.size() > 65535) return;
  switch (state_) {
    case DtlsState::kNew:
      if (role_ == DtlsRole::kClient) return;  // nothing to answer before our ClientHello
      state_ = DtlsState::kHandshaking;
      break;
    case DtlsState::kHandshaking:
    case DtlsState::kConnected:
      break;
    case DtlsState::kClosed:
    case DtlsState::kFailed:
      return;
  }
  // The read BIO holds exactly this datagram: leftovers of an earlier one (never expected)
  // are dropped so that records of two datagrams are never read as one.
  if (BIO_pending(read_bio_) > 0) BIO_reset(read_bio_);
  if (BIO_write(read_bio_, datagram.data(), static_cast<int>(datagram.size())) !=
      static_cast<int>(datagram.size())) {
    ERR_clear_error();
    BIO_reset(read_bio_);
    return;
  }
  if (state_ == DtlsState::kHandshaking) {
    ContinueHandshake();
  } else {
    ReadApplicationData();
  }
}

void DtlsTransport::ContinueHandshake() {
  ERR_clear_error();
  int ret = SSL_do_handshake(ssl_.get());
  if (ret != 1) {
    int err = SSL_get_error(ssl_.get(), ret);
    if (err == SSL_ERROR_WANT_READ) return;  // next flight, or a bad record was dropped
    FailFromSsl(ret, "handshake");
    return;
  }
  if (!ExportKeys()) {
    // Tell the peer rather than leave it waiting for media.
    TlsLibrary::SendHandshakeFailure(ssl_.get());
    return;
  }
  state_ = DtlsState::kConnected;
  ReadApplicationData();  // records that followed the Finished in the same datagram
}

bool DtlsTransport::ExportKeys() {
  const SRTP_PROTECTION_PROFILE* selected = SSL_get_selected_srtp_profile(ssl_.get());
  if (selected == nullptr) {
    Fail("no SRTP profile in common");
    return false;
  }
  SrtpProfile profile;
  if (selected->id == SRTP_AEAD_AES_128_GCM) {
    profile = SrtpProfile::kAeadAes128Gcm;
  } else if (selected->id == SRTP_AES128_CM_SHA1_80) {
    profile = SrtpProfile::kAes128CmSha1_80;
  } else {
    Fail(core::StrCat("peer chose SRTP profile ", selected->name, ", which we did not offer"));
    return false;
  }
  // RFC 5764 §4.2: client_write_SRTP_master_key | server_write_SRTP_master_key |
  // client_write_SRTP_master_salt | server_write_SRTP_master_salt.
  const size_t key_length = kSrtpMasterKeyLength;
  const size_t salt_length = SrtpSaltLength(profile);
  uint8_t block[2 * (kSrtpMasterKeyLength + kSrtpMaxSaltLength)];
  const size_t block_length = 2 * (key_length + salt_length);
  if (!SSL_export_keying_material(ssl_.get(), block, block_length, kExporterLabel,
                                  sizeof(kExporterLabel) - 1, nullptr, 0, 0)) {
    Fail(core::StrCat("exporting the SRTP keys failed: ", TakeSslError()));
    return false;
  }
  SrtpKeys client, server;
  std::memcpy(client.key.data(), block, key_length);
  std::memcpy(server.key.data(), block + key_length, key_length);
  std::memcpy(client.salt.data(), block + 2 * key_length, salt_length);
  std::memcpy(server.salt.data(), block + 2 * key_length + salt_length, salt_length);
  OPENSSL_cleanse(block, sizeof(block));
  keys_.profile = profile;
  keys_.local = role_ == DtlsRole::kServer ? server : client;
  keys_.remote = role_ == DtlsRole::kServer ? client : server;
  OPENSSL_cleanse(&client, sizeof(client));
  OPENSSL_cleanse(&server, sizeof(server));
  return true;
}

void DtlsTransport::ReadApplicationData() {
  // ringcast carries no data channel: application data is read and discarded. SSL_read also
  // answers a retransmitted final flight of the peer and reports close_notify.
  uint8_t buffer[2048];
  for (;;) {
    ERR_clear_error();
    int ret = SSL_read(ssl_.get(), buffer, sizeof(buffer));
    if (ret > 0) continue;
    int err = SSL_get_error(ssl_.get(), ret);
    if (err == SSL_ERROR_WANT_READ) return;
    if (err == SSL_ERROR_ZERO_RETURN) {
      peer_closed_ = true;
      state_ = DtlsState::kClosed;
      return;
    }
    FailFromSsl(ret, "read");
    return;
  }
}

std::optional<int64_t> DtlsTransport::RetransmitDelayNs() const {
  if (state_ != DtlsState::kHandshaking && state_ != DtlsState::kConnected) return std::nullopt;
  struct timeval delay {};
  if (DTLSv1_get_timeout(ssl_.get(), &delay) != 1) return std::nullopt;
  return static_cast<int64_t>(delay.tv_sec) * 1'000'000'000 +
         static_cast<int64_t>(delay.tv_usec) * 1'000;
}

void DtlsTransport::OnTimeout() {
  if (state_ != DtlsState::kHandshaking && state_ != DtlsState::kConnected) return;
  ERR_clear_error();
  if (DTLSv1_handle_timeout(ssl_.get()) < 0) {
    std::string reason = TakeSslError();
    Fail(reason.empty() ? std::string("handshake timed out")
                        : core::StrCat("handshake timed out: ", reason));
  }
}

void DtlsTransport::Close() {
  if (state_ == DtlsState::kConnected && !close_sent_ && !peer_closed_) {
    ERR_clear_error();
    SSL_shutdown(ssl_.get());  // one close_notify; we do not wait for the peer's
    ERR_clear_error();
    close_sent_ = true;
  }
  if (state_ != DtlsState::kFailed) state_ = DtlsState::kClosed;
}

void DtlsTransport::Fail(std::string reason) {
  if (error_.empty()) error_ = std::move(reason);
  state_ = DtlsState::kFailed;
}

void DtlsTransport::FailFromSsl(int ret, std::string_view during) {
  int err = SSL_get_error(ssl_.get(), ret);
  std::string reason = TakeSslError();
  if (reason.empty()) reason = core::StrCat("SSL error ", err);
  Fail(core::StrCat("dtls ", during, " failed: ", reason));
}

bool DtlsTransport::CheckPeerCertificate(std::span<const uint8_t> der) {
  if (der.empty()) {
    Fail("peer sent no certificate");
    return false;
  }
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!EVP_Digest(der.data(), der.size(), digest, &length, remote_md_, nullptr) ||
      length != remote_digest_length_ || CRYPTO_memcmp(digest, remote_digest_, length) != 0) {
    ERR_clear_error();
    Fail("peer certificate does not match a=fingerprint");
    return false;
  }
  return true;
}

bool TlsLibrary::CheckPeer(DtlsTransport& transport, std::span<const uint8_t> leaf_der) {
  return transport.CheckPeerCertificate(leaf_der);
}

}  // namespace ringcast::crypto
