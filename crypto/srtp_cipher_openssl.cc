// crypto/srtp_cipher.h on OpenSSL 3: EVP_CIPHER_CTX (AES-128-GCM, AES-128-CTR), keyed once;
// per packet only the IV is set again (a NULL key keeps the expanded one). The ciphers are
// fetched once per process from the default provider, not looked up by name per packet.
// HMAC-SHA1 is RFC 2104 on the SHA1_* functions (see srtp_cipher.h for why), which OpenSSL 3
// marks deprecated: this file alone says it knows.
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <climits>

#include "crypto/srtp_cipher.h"

namespace ringcast::crypto {
namespace {

const EVP_CIPHER* Gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
  return cipher;
}

const EVP_CIPHER* Ctr() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CTR", nullptr);
  return cipher;
}

bool FitsInt(size_t n) { return n <= static_cast<size_t>(INT_MAX); }

}  // namespace

GcmKey::~GcmKey() { EVP_CIPHER_CTX_free(ctx_); }

bool GcmKey::Init(std::span<const uint8_t, 16> key, bool seal) {
  if (Gcm() == nullptr) return false;
  EVP_CIPHER_CTX_free(ctx_);
  ctx_ = EVP_CIPHER_CTX_new();
  return ctx_ != nullptr &&
         EVP_CipherInit_ex2(ctx_, Gcm(), key.data(), nullptr, seal ? 1 : 0, nullptr) == 1;
}

bool GcmKey::Seal(const uint8_t* iv, const uint8_t* ad, size_t ad_len, const uint8_t* in,
                  uint8_t* out, size_t len, uint8_t* tag) {
  int n = 0;
  return FitsInt(ad_len) && FitsInt(len) &&
         EVP_CipherInit_ex2(ctx_, nullptr, nullptr, iv, 1, nullptr) == 1 &&
         (ad_len == 0 || EVP_EncryptUpdate(ctx_, nullptr, &n, ad, static_cast<int>(ad_len)) == 1) &&
         (len == 0 || EVP_EncryptUpdate(ctx_, out, &n, in, static_cast<int>(len)) == 1) &&
         EVP_EncryptFinal_ex(ctx_, out + len, &n) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, kGcmTagLength, tag) == 1;
}

bool GcmKey::Open(const uint8_t* iv, const uint8_t* ad, size_t ad_len, uint8_t* data, size_t len,
                  const uint8_t* tag) {
  uint8_t expected[kGcmTagLength];
  for (size_t i = 0; i < kGcmTagLength; ++i) expected[i] = tag[i];  // the ctrl takes void*
  int n = 0;
  return FitsInt(ad_len) && FitsInt(len) &&
         EVP_CipherInit_ex2(ctx_, nullptr, nullptr, iv, 0, nullptr) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, kGcmTagLength, expected) == 1 &&
         (ad_len == 0 || EVP_DecryptUpdate(ctx_, nullptr, &n, ad, static_cast<int>(ad_len)) == 1) &&
         (len == 0 || EVP_DecryptUpdate(ctx_, data, &n, data, static_cast<int>(len)) == 1) &&
         EVP_DecryptFinal_ex(ctx_, data + len, &n) == 1;
}

CtrKey::~CtrKey() { EVP_CIPHER_CTX_free(ctx_); }

bool CtrKey::Init(std::span<const uint8_t, 16> key) {
  if (Ctr() == nullptr) return false;
  EVP_CIPHER_CTX_free(ctx_);
  ctx_ = EVP_CIPHER_CTX_new();
  return ctx_ != nullptr && EVP_CipherInit_ex2(ctx_, Ctr(), key.data(), nullptr, 1, nullptr) == 1;
}

bool CtrKey::Crypt(const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t len) {
  int n = 0;
  // A new IV restarts the counter and drops any keystream left from the last call.
  return FitsInt(len) && EVP_CipherInit_ex2(ctx_, nullptr, nullptr, iv, 1, nullptr) == 1 &&
         (len == 0 || EVP_EncryptUpdate(ctx_, out, &n, in, static_cast<int>(len)) == 1);
}

HmacSha1Key::~HmacSha1Key() {
  OPENSSL_cleanse(&inner_, sizeof(inner_));
  OPENSSL_cleanse(&outer_, sizeof(outer_));
}

bool HmacSha1Key::Init(std::span<const uint8_t> key) {
  constexpr size_t kBlock = SHA_CBLOCK;
  // RFC 2104 §2: a key longer than the block is hashed first. SRTP's auth keys are 20 bytes;
  // STUN's (the ICE password) may be up to 256.
  uint8_t hashed[kSha1Length];
  if (key.size() > kBlock) {
    SHA_CTX ctx;
    if (SHA1_Init(&ctx) != 1 || SHA1_Update(&ctx, key.data(), key.size()) != 1 ||
        SHA1_Final(hashed, &ctx) != 1) {
      return false;
    }
    key = hashed;
  }
  uint8_t ipad[kBlock];
  uint8_t opad[kBlock];
  for (size_t i = 0; i < kBlock; ++i) {
    const uint8_t k = i < key.size() ? key[i] : 0;
    ipad[i] = k ^ 0x36;
    opad[i] = k ^ 0x5c;
  }
  const bool keyed = SHA1_Init(&inner_) == 1 && SHA1_Update(&inner_, ipad, kBlock) == 1 &&
                     SHA1_Init(&outer_) == 1 && SHA1_Update(&outer_, opad, kBlock) == 1;
  OPENSSL_cleanse(ipad, sizeof(ipad));
  OPENSSL_cleanse(opad, sizeof(opad));
  OPENSSL_cleanse(hashed, sizeof(hashed));
  return keyed;
}

bool HmacSha1Key::Mac(const uint8_t* data, size_t len, const uint8_t* suffix, size_t suffix_len,
                      uint8_t* out) {
  // H((K ^ opad) || H((K ^ ipad) || message)), from the keyed states.
  SHA_CTX ctx = inner_;
  uint8_t inner[kSha1Length];
  const bool done = SHA1_Update(&ctx, data, len) == 1 &&
                    (suffix_len == 0 || SHA1_Update(&ctx, suffix, suffix_len) == 1) &&
                    SHA1_Final(inner, &ctx) == 1;
  ctx = outer_;
  const bool outer_done =
      done && SHA1_Update(&ctx, inner, sizeof(inner)) == 1 && SHA1_Final(out, &ctx) == 1;
  OPENSSL_cleanse(&ctx, sizeof(ctx));
  return outer_done;
}

}  // namespace ringcast::crypto
