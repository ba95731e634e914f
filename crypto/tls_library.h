// What DTLS needs from the TLS library that BoringSSL and OpenSSL 3 spell differently, one
// implementation per build (tls_library_boringssl.cc, tls_library_openssl.cc). Internal to
// crypto/; dtls.cc is written against the API the two share.
#ifndef RINGCAST_CRYPTO_TLS_LIBRARY_H_
#define RINGCAST_CRYPTO_TLS_LIBRARY_H_

#include <openssl/ssl.h>
#include <sys/time.h>

#include <cstdint>
#include <span>

#include "absl/status/status.h"

namespace ringcast::crypto {

class DtlsTransport;

struct TlsLibrary {
  // Sets the cipher list, refusing a name the library does not know, and makes every handshake
  // demand the peer's certificate and accept it when, and only when,
  // DtlsTransport::CheckPeerCertificate does (the SSL's app data is the DtlsTransport).
  static absl::Status ConfigureDtls(SSL_CTX* ctx, const char* cipher_list);

  // After a handshake that completed but cannot be used (no SRTP profile in common): tells the
  // peer, as a handshake_failure alert where the library can send one, else a close_notify.
  static void SendHandshakeFailure(SSL* ssl);

  // For the library's verify callback: DtlsTransport::CheckPeerCertificate (defined in dtls.cc).
  static bool CheckPeer(DtlsTransport& transport, std::span<const uint8_t> leaf_der);

  // See DtlsContext::SetClockForTesting.
  static bool SetClock(SSL_CTX* ctx, void (*clock)(const SSL* ssl, struct timeval* out_now));
};

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_TLS_LIBRARY_H_
