// DTLS 1.2 with the DTLS-SRTP extension (RFC 5764) over in-memory BIOs: the handshake that
// authenticates a WebRTC peer by its a=fingerprint and yields the SRTP master keys.
//
// No sockets here. The caller (the worker's session) hands every received DTLS datagram
// (first byte 20-63, RFC 7983 §7) to DtlsTransport::OnDatagram, and DtlsTransport hands each
// outgoing datagram to DtlsSender::OnDtlsSend synchronously, one call per datagram, the bytes
// valid only during that call. Retransmission is driven by the caller's timers:
// RetransmitDelayNs says when OnTimeout is due (RFC 6347 §4.2.4).
//
// Ownership and threads: a DtlsContext (one SSL_CTX: our certificate, DTLS 1.2 only, use_srtp
// profiles, peer verified by fingerprint only) belongs to one worker thread and must outlive
// every DtlsTransport made from it; the worker's sessions share it by reference. A
// DtlsTransport belongs to one session on that worker and holds a reference to the DtlsSender,
// which must outlive it. Nothing here locks; nothing may be called from another thread. A bad
// datagram never aborts: it is ignored or fails the handshake (state kFailed, error() says
// why); the caller counts.
#ifndef RINGCAST_CRYPTO_DTLS_H_
#define RINGCAST_CRYPTO_DTLS_H_

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "crypto/certificate.h"
#include "crypto/srtp.h"
#include "crypto/tls_ptr.h"

namespace ringcast::crypto {

enum class DtlsRole {
  kServer,  // a=setup:passive, our default: we answer the browser's ClientHello
  kClient,  // a=setup:active
};

struct DtlsConfig {
  // use_srtp profiles in preference order; as the server we pick the first one the peer offers.
  std::vector<SrtpProfile> profiles = {SrtpProfile::kAeadAes128Gcm, SrtpProfile::kAes128CmSha1_80};
  // Largest datagram we send (DTLS record layer payload, i.e. UDP payload). 1200 keeps the
  // certificate flight through tunnels and IPv6 minimum-MTU paths.
  uint16_t mtu = 1200;
};

// The SSL_CTX shared by one worker's transports (see the file comment).
class DtlsContext {
 public:
  static absl::StatusOr<std::unique_ptr<DtlsContext>> Create(
      std::shared_ptr<const Certificate> certificate, const DtlsConfig& config);

  const Certificate& certificate() const { return *certificate_; }
  const DtlsConfig& config() const { return config_; }
  SSL_CTX* ssl_ctx() const { return ctx_.get(); }

  // Test-only: replaces the clock the handshake timers read (it may be called with a null
  // SSL). Call before creating transports. False when the library has no such hook (OpenSSL 3
  // reads gettimeofday; its tests interpose that instead).
  bool SetClockForTesting(void (*clock)(const SSL* ssl, struct timeval* out_now));

 private:
  DtlsContext(std::shared_ptr<const Certificate> certificate, const DtlsConfig& config,
              TlsPtr<SSL_CTX> ctx)
      : certificate_(std::move(certificate)), config_(config), ctx_(std::move(ctx)) {}

  std::shared_ptr<const Certificate> certificate_;
  DtlsConfig config_;
  TlsPtr<SSL_CTX> ctx_;
};

// Receives the transport's outgoing datagrams; each call is one whole UDP payload.
class DtlsSender {
 public:
  virtual void OnDtlsSend(std::span<const uint8_t> datagram) = 0;

 protected:
  ~DtlsSender() = default;
};

enum class DtlsState { kNew, kHandshaking, kConnected, kClosed, kFailed };
const char* DtlsStateName(DtlsState state);

// The SRTP master keys of both directions (RFC 5764 §4.2).
struct DtlsSrtpKeys {
  SrtpProfile profile = SrtpProfile::kAeadAes128Gcm;
  SrtpKeys local;   // keys we protect with
  SrtpKeys remote;  // keys we unprotect the peer's packets with
};

// One DTLS association with one peer (see the file comment).
class DtlsTransport {
 public:
  // `remote_hash_function` / `remote_fingerprint` come from the peer's SDP (a=fingerprint,
  // e.g. "sha-256" "AB:01:..."); the handshake fails unless the peer's certificate matches.
  static absl::StatusOr<std::unique_ptr<DtlsTransport>> Create(DtlsContext& context, DtlsRole role,
                                                               std::string remote_hash_function,
                                                               std::string remote_fingerprint,
                                                               DtlsSender& sender);
  ~DtlsTransport();
  DtlsTransport(const DtlsTransport&) = delete;
  DtlsTransport& operator=(const DtlsTransport&) = delete;

  // Client: sends the ClientHello flight. Server: only moves to kHandshaking (the first
  // datagram would do that too).
  void Start();

  // One received UDP datagram (it may hold several records). Valid only during the call.
  void OnDatagram(std::span<const uint8_t> datagram);

  // Delay until OnTimeout is due, relative to now; nullopt when no flight is outstanding.
  std::optional<int64_t> RetransmitDelayNs() const;
  // Retransmits the last flight when its timer expired; fails the handshake after too many.
  void OnTimeout();

  // Sends close_notify once (if connected); state becomes kClosed.
  void Close();

  DtlsState state() const { return state_; }
  DtlsRole role() const { return role_; }
  // Why the handshake failed, e.g. "peer certificate does not match a=fingerprint".
  const std::string& error() const { return error_; }
  // Valid once state() is kConnected (and stays valid after Close).
  const DtlsSrtpKeys& srtp_keys() const { return keys_; }
  // The peer sent close_notify.
  bool peer_closed() const { return peer_closed_; }

 private:
  friend struct TlsLibrary;  // the library's peer check calls CheckPeerCertificate

  DtlsTransport(DtlsContext& context, DtlsRole role, DtlsSender& sender)
      : context_(context), role_(role), sender_(sender) {}
  absl::Status Init(std::string_view remote_hash_function, std::string_view remote_fingerprint);

  void ContinueHandshake();
  void ReadApplicationData();
  bool ExportKeys();
  void Fail(std::string reason);
  void FailFromSsl(int ret, std::string_view during);

  // The peer's leaf certificate (DER) against a=fingerprint: false, and the handshake failed
  // with the reason, when it does not match.
  bool CheckPeerCertificate(std::span<const uint8_t> der);

  static int BioWrite(BIO* bio, const char* data, int length);
  static long BioCtrl(BIO* bio, int cmd, long larg, void* parg);
  static const BIO_METHOD* DatagramBioMethod();

  DtlsContext& context_;
  DtlsRole role_;
  DtlsSender& sender_;
  TlsPtr<SSL> ssl_;
  BIO* read_bio_ = nullptr;  // owned by ssl_: a mem BIO holding the current datagram
  DtlsState state_ = DtlsState::kNew;
  std::string error_;
  DtlsSrtpKeys keys_;
  bool peer_closed_ = false;
  bool close_sent_ = false;
  const EVP_MD* remote_md_ = nullptr;
  uint8_t remote_digest_[EVP_MAX_MD_SIZE] = {};
  size_t remote_digest_length_ = 0;
};

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_DTLS_H_
