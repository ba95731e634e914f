// Which TLS/crypto library this build runs on, as the loaded library reports it — BoringSSL
// (Debian android-libboringssl-dev, the default) or OpenSSL 3 (RINGCAST_CRYPTO=openssl).
// `ringcastd --version` prints it. Any thread.
#ifndef RINGCAST_CRYPTO_LIBRARY_INFO_H_
#define RINGCAST_CRYPTO_LIBRARY_INFO_H_

#include <string>

namespace ringcast::crypto {

// "BoringSSL" or "OpenSSL", from the headers this file was compiled against.
const char* CompiledCryptoLibrary();
// The version string of the library actually loaded at run time.
std::string LoadedCryptoVersion();

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_LIBRARY_INFO_H_
