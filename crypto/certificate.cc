#include "crypto/certificate.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "core/status.h"
#include "core/strings.h"

namespace ringcast::crypto {
namespace {

constexpr long kSecondsPerDay = 24 * 60 * 60;
constexpr long kValidDays = 30;

// The reason of the last TLS library error, for messages; clears the error queue.
std::string SslErrorReason() {
  auto err = ERR_get_error();
  ERR_clear_error();
  if (err == 0) return "unknown error";
  const char* reason = ERR_reason_error_string(err);
  return reason != nullptr ? std::string(reason) : core::StrCat("error ", err);
}

absl::StatusOr<std::string> Sha256Fingerprint(X509* x509) {
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(x509, EVP_sha256(), digest, &length) != 1) {
    return absl::InternalError(core::StrCat("certificate: digest failed: ", SslErrorReason()));
  }
  return FormatFingerprint({digest, length});
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Opens `path` for reading; the error names the file and errno's reason.
absl::StatusOr<TlsPtr<BIO>> OpenFile(std::string_view what, const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    int err = errno;
    return absl::NotFoundError(
        core::StrCat(what, " ", path, ": cannot open: ", std::strerror(err)));
  }
  TlsPtr<BIO> bio(BIO_new_fp(file, BIO_CLOSE));
  if (bio == nullptr) {
    std::fclose(file);
    return absl::ResourceExhaustedError(core::StrCat(what, " ", path, ": out of memory"));
  }
  return bio;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const Certificate>> Certificate::Generate() {
  ERR_clear_error();
  // EVP_PKEY_keygen: the one key generation API both libraries have without deprecation.
  TlsPtr<EVP_PKEY_CTX> keygen(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  EVP_PKEY* generated = nullptr;
  if (keygen == nullptr || EVP_PKEY_keygen_init(keygen.get()) != 1 ||
      EVP_PKEY_CTX_set_ec_paramgen_curve_nid(keygen.get(), NID_X9_62_prime256v1) != 1 ||
      EVP_PKEY_keygen(keygen.get(), &generated) != 1) {
    return absl::InternalError(
        core::StrCat("certificate: P-256 key generation failed: ", SslErrorReason()));
  }
  TlsPtr<EVP_PKEY> pkey(generated);

  TlsPtr<X509> x509(X509_new());
  if (x509 == nullptr) return absl::ResourceExhaustedError("certificate: out of memory");

  // A random positive 63-bit serial: browsers reject certificates reusing a serial with a
  // different key under the same issuer name, and every start makes a new key.
  uint8_t serial_bytes[8];
  RAND_bytes(serial_bytes, sizeof(serial_bytes));
  serial_bytes[0] &= 0x7f;
  serial_bytes[0] |= 0x01;  // never zero, never negative
  TlsPtr<BIGNUM> serial_bn(BN_bin2bn(serial_bytes, sizeof(serial_bytes), nullptr));
  TlsPtr<ASN1_INTEGER> serial(serial_bn != nullptr ? BN_to_ASN1_INTEGER(serial_bn.get(), nullptr)
                                                   : nullptr);

  TlsPtr<X509_NAME> name(X509_NAME_new());
  static constexpr char kCommonName[] = "ringcast";
  bool ok = serial != nullptr && name != nullptr && X509_set_version(x509.get(), X509_VERSION_3) &&
            X509_set_serialNumber(x509.get(), serial.get()) &&
            X509_gmtime_adj(X509_getm_notBefore(x509.get()), -kSecondsPerDay) != nullptr &&
            X509_gmtime_adj(X509_getm_notAfter(x509.get()), (kValidDays - 1) * kSecondsPerDay) !=
                nullptr &&
            X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                       reinterpret_cast<const uint8_t*>(kCommonName),
                                       sizeof(kCommonName) - 1, -1, 0) &&
            X509_set_subject_name(x509.get(), name.get()) &&
            X509_set_issuer_name(x509.get(), name.get()) &&
            X509_set_pubkey(x509.get(), pkey.get()) &&
            X509_sign(x509.get(), pkey.get(), EVP_sha256()) > 0;
  if (!ok) {
    return absl::InternalError(core::StrCat(
        "certificate: building the self-signed certificate failed: ", SslErrorReason()));
  }
  ASSIGN_OR_RETURN(std::string fingerprint, Sha256Fingerprint(x509.get()));
  return std::make_shared<const Certificate>(std::move(x509), std::move(pkey),
                                             std::move(fingerprint));
}

absl::StatusOr<std::shared_ptr<const Certificate>> Certificate::LoadPem(
    const std::string& cert_file, const std::string& key_file) {
  ERR_clear_error();
  ASSIGN_OR_RETURN(TlsPtr<BIO> cert_bio, OpenFile("crypto.cert_file", cert_file));
  TlsPtr<X509> x509(PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (x509 == nullptr) {
    return absl::InvalidArgumentError(
        core::StrCat("crypto.cert_file ", cert_file, ": no PEM certificate: ", SslErrorReason()));
  }
  ASSIGN_OR_RETURN(TlsPtr<BIO> key_bio, OpenFile("crypto.key_file", key_file));
  TlsPtr<EVP_PKEY> key(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::InvalidArgumentError(core::StrCat(
        "crypto.key_file ", key_file, ": no PEM private key (unencrypted): ", SslErrorReason()));
  }
  if (X509_check_private_key(x509.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(core::StrCat("crypto.key_file ", key_file,
                                                   ": private key does not match the certificate "
                                                   "in crypto.cert_file ",
                                                   cert_file));
  }
  ASSIGN_OR_RETURN(std::string fingerprint, Sha256Fingerprint(x509.get()));
  return std::make_shared<const Certificate>(std::move(x509), std::move(key),
                                             std::move(fingerprint));
}

const EVP_MD* FingerprintDigest(std::string_view hash_function) {
  if (core::EqualsIgnoreCase(hash_function, "sha-256")) return EVP_sha256();
  if (core::EqualsIgnoreCase(hash_function, "sha-1")) return EVP_sha1();
  if (core::EqualsIgnoreCase(hash_function, "sha-384")) return EVP_sha384();
  if (core::EqualsIgnoreCase(hash_function, "sha-512")) return EVP_sha512();
  return nullptr;
}

size_t ParseFingerprint(std::string_view value, std::span<uint8_t> out) {
  // "XX" then any number of ":XX".
  if (value.size() < 2 || (value.size() + 1) % 3 != 0) return 0;
  size_t count = (value.size() + 1) / 3;
  if (count > out.size()) return 0;
  for (size_t i = 0; i < count; ++i) {
    size_t at = i * 3;
    int high = HexValue(value[at]);
    int low = HexValue(value[at + 1]);
    if (high < 0 || low < 0) return 0;
    if (i + 1 < count && value[at + 2] != ':') return 0;
    out[i] = static_cast<uint8_t>(high << 4 | low);
  }
  return count;
}

std::string FormatFingerprint(std::span<const uint8_t> digest) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(digest.size() * 3);
  for (size_t i = 0; i < digest.size(); ++i) {
    if (i > 0) out.push_back(':');
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0x0f]);
  }
  return out;
}

bool FingerprintMatches(X509* cert, std::string_view hash_function, std::string_view value) {
  const EVP_MD* md = FingerprintDigest(hash_function);
  if (cert == nullptr || md == nullptr) return false;
  uint8_t expected[EVP_MAX_MD_SIZE];
  size_t expected_length = ParseFingerprint(value, expected);
  uint8_t digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, md, digest, &length) != 1) {
    ERR_clear_error();
    return false;
  }
  return expected_length == length && CRYPTO_memcmp(digest, expected, length) == 0;
}

}  // namespace ringcast::crypto
