// The three primitives SRTP is made of, keyed once and then used per packet, on whichever TLS
// library this build links: AES-128-GCM with a 16-byte tag (RFC 7714), AES-128 in counter mode
// (RFC 3711 §4.1.1) and HMAC-SHA1 (§4.2.1). crypto/srtp.cc builds the SRTP and SRTCP transforms
// on them; nothing else here knows the packet formats.
//
// Two implementations, one per build: srtp_cipher_boringssl.cc (EVP_AEAD, AES_KEY, HMAC_CTX:
// BoringSSL's fixed-function API, the .deb) and srtp_cipher_openssl.cc (EVP_CIPHER_CTX on OpenSSL
// 3's providers and SHA1_* for the HMAC, the .rpm). Both go to the CPU's AES-NI/VAES and CLMUL
// code.
//
// The per-packet calls never allocate. A key object belongs to one thread at a time.
#ifndef RINGCAST_CRYPTO_SRTP_CIPHER_H_
#define RINGCAST_CRYPTO_SRTP_CIPHER_H_

#include <openssl/crypto.h>  // OPENSSL_IS_BORINGSSL, or OpenSSL 3 and its typedefs

#include <cstddef>
#include <cstdint>
#include <span>

#if defined(OPENSSL_IS_BORINGSSL)
#include <openssl/aead.h>
#include <openssl/aes.h>
#include <openssl/hmac.h>
#else
#include <openssl/sha.h>
#endif

namespace ringcast::crypto {

inline constexpr size_t kGcmIvLength = 12;
inline constexpr size_t kGcmTagLength = 16;
inline constexpr size_t kSha1Length = 20;

// AES-128-GCM for one direction (a sealing key cannot open, and the reverse).
class GcmKey {
 public:
  GcmKey() = default;
  ~GcmKey();
  GcmKey(const GcmKey&) = delete;
  GcmKey& operator=(const GcmKey&) = delete;

  bool Init(std::span<const uint8_t, 16> key, bool seal);
  // Encrypts `len` bytes of `in` to `out` (the same place, or not overlapping) and writes the
  // tag over `ad` and the ciphertext.
  bool Seal(const uint8_t* iv, const uint8_t* ad, size_t ad_len, const uint8_t* in, uint8_t* out,
            size_t len, uint8_t* tag);
  // Decrypts `data` in place if `tag` verifies; false (and `data` unspecified) if not.
  bool Open(const uint8_t* iv, const uint8_t* ad, size_t ad_len, uint8_t* data, size_t len,
            const uint8_t* tag);

 private:
#if defined(OPENSSL_IS_BORINGSSL)
  bssl::ScopedEVP_AEAD_CTX ctx_;
#else
  EVP_CIPHER_CTX* ctx_ = nullptr;
#endif
};

// AES-128 in counter mode: a keystream from a 16-byte initial counter block, XORed in.
class CtrKey {
 public:
  CtrKey() = default;
  ~CtrKey();
  CtrKey(const CtrKey&) = delete;
  CtrKey& operator=(const CtrKey&) = delete;

  bool Init(std::span<const uint8_t, 16> key);
  // `out` is `in` or does not overlap it.
  bool Crypt(const uint8_t* iv, const uint8_t* in, uint8_t* out, size_t len);

 private:
#if defined(OPENSSL_IS_BORINGSSL)
  AES_KEY key_{};
#else
  EVP_CIPHER_CTX* ctx_ = nullptr;
#endif
};

// HMAC-SHA1 with a fixed key.
class HmacSha1Key {
 public:
  HmacSha1Key() = default;
  ~HmacSha1Key();
  HmacSha1Key(const HmacSha1Key&) = delete;
  HmacSha1Key& operator=(const HmacSha1Key&) = delete;

  bool Init(std::span<const uint8_t> key);
  // The MAC of data || suffix (suffix may be empty).
  bool Mac(const uint8_t* data, size_t len, const uint8_t* suffix, size_t suffix_len, uint8_t* out);

 private:
#if defined(OPENSSL_IS_BORINGSSL)
  bssl::ScopedHMAC_CTX ctx_;
#else
  // RFC 2104 by hand: the SHA-1 states after (K ^ ipad) and (K ^ opad), copied per message.
  // OpenSSL 3's EVP_MAC and EVP_MD_CTX allocate each time they restart (3.0: one allocation
  // per digest init), so this uses the SHA1_* functions, whose state is a plain struct.
  SHA_CTX inner_{};
  SHA_CTX outer_{};
#endif
};

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_SRTP_CIPHER_H_
