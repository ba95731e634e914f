// The AES-CM building blocks of SRTP (RFC 3711 §4.1.1, §4.3.3): the counter-mode keystream
// and the key derivation PRF. Pure functions on caller-owned bytes; any thread.
#ifndef RINGCAST_CRYPTO_SRTP_KDF_H_
#define RINGCAST_CRYPTO_SRTP_KDF_H_

#include <cstdint>
#include <span>

namespace ringcast::crypto {

// XORs `data` with the AES-128 counter-mode keystream that starts at counter block `iv`.
void AesCmXor(std::span<const uint8_t, 16> key, std::span<const uint8_t, 16> iv,
              std::span<uint8_t> data);

// RFC 3711 §4.3.1 with key derivation rate 0: out = AES-CM keystream of the master key at
// IV (master_salt * 2^16) XOR (label * 2^64). A salt shorter than 14 bytes (RFC 7714's 12) is
// zero-padded on the right, as libsrtp does.
void SrtpKdf(std::span<const uint8_t, 16> master_key, std::span<const uint8_t> master_salt,
             uint8_t label, std::span<uint8_t> out);

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_KDF_H_
