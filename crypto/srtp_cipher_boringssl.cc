// crypto/srtp_cipher.h on BoringSSL: EVP_AEAD (sealing writes ciphertext and tag apart, so the
// tag lands right after the payload with no copy), AES_KEY with AES_ctr128_encrypt, HMAC_CTX.
#include <openssl/digest.h>
#include <openssl/mem.h>

#include <cstring>

#include "crypto/srtp_cipher.h"

namespace ringcast::crypto {

GcmKey::~GcmKey() = default;  // ScopedEVP_AEAD_CTX cleans up

bool GcmKey::Init(std::span<const uint8_t, 16> key, bool /*seal: EVP_AEAD does both*/) {
  return EVP_AEAD_CTX_init(ctx_.get(), EVP_aead_aes_128_gcm(), key.data(), key.size(),
                           kGcmTagLength, nullptr) == 1;
}

bool GcmKey::Seal(const uint8_t* iv, const uint8_t* ad, size_t ad_len, const uint8_t* in,
                  uint8_t* out, size_t len, uint8_t* tag) {
  size_t tag_len = 0;
  return EVP_AEAD_CTX_seal_scatter(ctx_.get(), out, tag, &tag_len, kGcmTagLength, iv, kGcmIvLength,
                                   in, len, nullptr, 0, ad, ad_len) == 1 &&
         tag_len == kGcmTagLength;
}

bool GcmKey::Open(const uint8_t* iv, const uint8_t* ad, size_t ad_len, uint8_t* data, size_t len,
                  const uint8_t* tag) {
  return EVP_AEAD_CTX_open_gather(ctx_.get(), data, iv, kGcmIvLength, data, len, tag, kGcmTagLength,
                                  ad, ad_len) == 1;
}

CtrKey::~CtrKey() { OPENSSL_cleanse(&key_, sizeof(key_)); }

bool CtrKey::Init(std::span<const uint8_t, 16> key) {
  return AES_set_encrypt_key(key.data(), 128, &key_) == 0;
}

bool CtrKey::Crypt(const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t len) {
  uint8_t counter[16];
  std::memcpy(counter, iv, sizeof(counter));
  uint8_t ecount[16] = {};
  unsigned int num = 0;
  AES_ctr128_encrypt(in, out, len, &key_, counter, ecount, &num);
  return true;
}

HmacSha1Key::~HmacSha1Key() = default;  // ScopedHMAC_CTX cleans up

bool HmacSha1Key::Init(std::span<const uint8_t> key) {
  return HMAC_Init_ex(ctx_.get(), key.data(), key.size(), EVP_sha1(), nullptr) == 1;
}

bool HmacSha1Key::Mac(const uint8_t* data, size_t len, const uint8_t* suffix, size_t suffix_len,
                      uint8_t* out) {
  unsigned int out_len = 0;
  return HMAC_Init_ex(ctx_.get(), nullptr, 0, nullptr, nullptr) == 1 &&
         HMAC_Update(ctx_.get(), data, len) == 1 &&
         (suffix_len == 0 || HMAC_Update(ctx_.get(), suffix, suffix_len) == 1) &&
         HMAC_Final(ctx_.get(), out, &out_len) == 1 && out_len == kSha1Length;
}

}  // namespace ringcast::crypto
