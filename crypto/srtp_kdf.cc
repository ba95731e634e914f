#include "crypto/srtp_kdf.h"

#include <algorithm>
#include <array>

#include "core/check.h"
#include "crypto/srtp_cipher.h"

namespace ringcast::crypto {

void AesCmXor(std::span<const uint8_t, 16> key, std::span<const uint8_t, 16> iv,
              std::span<uint8_t> data) {
  CtrKey ctr;
  // Keying AES-128 and running it cannot fail short of memory exhaustion.
  const bool done = ctr.Init(key) && ctr.Crypt(iv.data(), data.data(), data.data(), data.size());
  CHECK(done);
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
