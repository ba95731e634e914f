// The names of the SRTP choices ringcast offers, without the crypto library behind them: the
// DTLS-SRTP protection profiles (RFC 5764 §4.1.2, RFC 7714 §14.2) and the two SRTP engines.
// Settings and signalling code use these; crypto/srtp.h implements them. Plain values.
#ifndef RINGCAST_CRYPTO_SRTP_PROFILE_H_
#define RINGCAST_CRYPTO_SRTP_PROFILE_H_

namespace ringcast::crypto {

enum class SrtpProfile { kAeadAes128Gcm, kAes128CmSha1_80 };
enum class SrtpEngineKind { kBoringSsl, kLibsrtp };

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_PROFILE_H_
