// TlsLibrary on OpenSSL 3: SSL_CTX_set_cert_verify_callback replaces chain building and trust
// (self-signed certificates are the norm in WebRTC; the fingerprint is the only check), the cipher
// list is checked name by name (SSL_CTX_set_cipher_list accepts a list when any name is known),
// no alert can be sent outside the handshake's own failures, and the timers read gettimeofday with
// no hook.
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <span>
#include <string>
#include <string_view>

#include "core/strings.h"
#include "crypto/dtls.h"
#include "crypto/tls_library.h"

namespace ringcast::crypto {
namespace {

int VerifyPeer(X509_STORE_CTX* store, void* /*arg*/) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* transport = ssl != nullptr ? static_cast<DtlsTransport*>(SSL_get_app_data(ssl)) : nullptr;
  if (transport == nullptr) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  unsigned char* der = nullptr;
  int length = leaf != nullptr ? i2d_X509(leaf, &der) : -1;
  std::span<const uint8_t> leaf_der;
  if (length > 0) leaf_der = {der, static_cast<size_t>(length)};
  bool ok = TlsLibrary::CheckPeer(*transport, leaf_der);
  OPENSSL_free(der);
  if (!ok) {
    X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);  // alert: bad_certificate
    return 0;
  }
  return 1;
}

// The first name of the ':'-separated `list` missing from the context's ciphers, or "".
std::string FirstUnknownCipher(SSL_CTX* ctx, std::string_view list) {
  const STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  while (!list.empty()) {
    size_t colon = list.find(':');
    std::string_view name = list.substr(0, colon);
    list = colon == std::string_view::npos ? std::string_view() : list.substr(colon + 1);
    bool found = false;
    for (int i = 0; ciphers != nullptr && i < sk_SSL_CIPHER_num(ciphers) && !found; ++i) {
      found = name == SSL_CIPHER_get_name(sk_SSL_CIPHER_value(ciphers, i));
    }
    if (!found) return std::string(name);
  }
  return "";
}

}  // namespace

absl::Status TlsLibrary::ConfigureDtls(SSL_CTX* ctx, const char* cipher_list) {
  if (!SSL_CTX_set_cipher_list(ctx, cipher_list)) {
    ERR_clear_error();
    return absl::InternalError("dtls: cipher list refused: no cipher of it is known");
  }
  if (std::string unknown = FirstUnknownCipher(ctx, cipher_list); !unknown.empty()) {
    return absl::InternalError(core::StrCat("dtls: cipher list refused: ", unknown, " unknown"));
  }
  // An association is idle once the handshake is over (ringcast carries no data channel):
  // without this each SSL keeps its record read and write buffers for the session's life.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx, &VerifyPeer, nullptr);
  return absl::OkStatus();
}

void TlsLibrary::SendHandshakeFailure(SSL* ssl) {
  SSL_shutdown(ssl);  // close_notify: OpenSSL has no public call for a fatal alert
  ERR_clear_error();
}

bool TlsLibrary::SetClock(SSL_CTX* /*ctx*/,
                          void (* /*clock*/)(const SSL* ssl, struct timeval* out_now)) {
  return false;
}

}  // namespace ringcast::crypto
