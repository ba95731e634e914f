// The names of the SRTP choices ringcast offers, without the crypto library behind them: the
// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) and the two SRTP engines.
// Settings and signalling code use these; crypto/srtp.h implements them. Plain values.
#ifndef RINGCAST_CRYPTO_SRTP_PROFILE_H_
#define RINGCAST_CRYPTO_SRTP_PROFILE_H_

namespace ringcast::crypto {

enum class SrtpProfile { kAeadAes128Gcm, kAes128CmSha1_80 };
// kBuiltin: crypto/srtp.cc on the build's TLS library (crypto.srtp_engine = boringssl, the
// name it has had since that was the only library); kLibsrtp: libsrtp2.
enum class SrtpEngineKind { kBuiltin, kLibsrtp };

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_PROFILE_H_
