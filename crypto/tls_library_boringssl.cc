// TlsLibrary on BoringSSL: SSL_CTX_set_custom_verify sees the peer's chain as CRYPTO_BUFFERs (no
// X509 is parsed), SSL_send_fatal_alert, SSL_CTX_set_current_time_cb.
#include <openssl/err.h>
#include <openssl/pool.h>

#include <span>

#include "core/strings.h"
#include "crypto/dtls.h"
#include "crypto/tls_library.h"

namespace ringcast::crypto {
namespace {

enum ssl_verify_result_t VerifyPeer(SSL* ssl, uint8_t* out_alert);

}  // namespace

absl::Status TlsLibrary::ConfigureDtls(SSL_CTX* ctx, const char* cipher_list) {
  if (!SSL_CTX_set_strict_cipher_list(ctx, cipher_list)) {
    uint32_t err = ERR_get_error();
    ERR_clear_error();
    const char* reason = ERR_reason_error_string(err);
    return absl::InternalError(
        core::StrCat("dtls: cipher list refused: ", reason != nullptr ? reason : "unknown"));
  }
  SSL_CTX_set_custom_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, &VerifyPeer);
  return absl::OkStatus();
}

void TlsLibrary::SendHandshakeFailure(SSL* ssl) {
  SSL_send_fatal_alert(ssl, SSL_AD_HANDSHAKE_FAILURE);
  ERR_clear_error();
}

bool TlsLibrary::SetClock(SSL_CTX* ctx, void (*clock)(const SSL* ssl, struct timeval* out_now)) {
  SSL_CTX_set_current_time_cb(ctx, clock);
  return true;
}

namespace {

enum ssl_verify_result_t VerifyPeer(SSL* ssl, uint8_t* out_alert) {
  auto* transport = static_cast<DtlsTransport*>(SSL_get_app_data(ssl));
  if (transport == nullptr) return ssl_verify_invalid;
  const STACK_OF(CRYPTO_BUFFER)* chain = SSL_get0_peer_certificates(ssl);
  std::span<const uint8_t> leaf;
  if (chain != nullptr && sk_CRYPTO_BUFFER_num(chain) > 0) {
    const CRYPTO_BUFFER* buffer = sk_CRYPTO_BUFFER_value(chain, 0);
    leaf = {CRYPTO_BUFFER_data(buffer), CRYPTO_BUFFER_len(buffer)};
  }
  if (!TlsLibrary::CheckPeer(*transport, leaf)) {
    *out_alert = leaf.empty() ? SSL_AD_HANDSHAKE_FAILURE : SSL_AD_BAD_CERTIFICATE;
    return ssl_verify_invalid;
  }
  return ssl_verify_ok;
}

}  // namespace
}  // namespace ringcast::crypto
