#include "crypto/srtp_kdf.h"

#include <openssl/aes.h>
#include <openssl/mem.h>

#include <algorithm>
#include <array>

namespace ringcast::crypto {

void AesCmXor(std::span<const uint8_t, 16> key, std::span<const uint8_t, 16> iv,
              std::span<uint8_t> data) {
  AES_KEY aes;
  AES_set_encrypt_key(key.data(), 128, &aes);
  std::array<uint8_t, 16> counter;
  std::copy(iv.begin(), iv.end(), counter.begin());
  std::array<uint8_t, 16> ecount{};
  unsigned int num = 0;
  AES_ctr128_encrypt(data.data(), data.data(), data.size(), &aes, counter.data(), ecount.data(),
                     &num);
  OPENSSL_cleanse(&aes, sizeof(aes));
}

void SrtpKdf(std::span<const uint8_t, 16> master_key, std::span<const uint8_t> master_salt,
             uint8_t label, std::span<uint8_t> out) {
  std::array<uint8_t, 16> iv{};
  std::copy_n(master_salt.begin(), std::min<size_t>(master_salt.size(), 14), iv.begin());
  iv[7] ^= label;  // key_id = label || r (r = 0): label lands on byte 7 of the 14-byte salt
  std::fill(out.begin(), out.end(), 0);
  AesCmXor(master_key, iv, out);
}

}  // namespace ringcast::crypto
