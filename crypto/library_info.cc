#include "crypto/library_info.h"

#include <openssl/crypto.h>

// BoringSSL and OpenSSL 3 share symbol names; compiling one's headers against the other's
// library fails in subtle ways, so the choice made in CMake is checked here once more.
#if defined(RINGCAST_CRYPTO_OPENSSL) == defined(OPENSSL_IS_BORINGSSL)
#error \
    "crypto headers do not match RINGCAST_CRYPTO: OpenSSL headers picked up for a BoringSSL build (or the reverse)"
#endif

namespace ringcast::crypto {

const char* CompiledCryptoLibrary() {
#ifdef OPENSSL_IS_BORINGSSL
  return "BoringSSL";
#else
  return "OpenSSL";
#endif
}

std::string LoadedCryptoVersion() { return OpenSSL_version(OPENSSL_VERSION); }

}  // namespace ringcast::crypto
