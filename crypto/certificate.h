// The DTLS certificate of the daemon and the peer-fingerprint check (RFC 8122 §5, RFC 8827 §6.5).
//
// A Certificate is an X.509 certificate and its private key: by default an ECDSA P-256
// self-signed certificate generated at each daemon start (Generate), or the PEM pair named by
// crypto.cert_file / crypto.key_file (LoadPem). Its sha-256 fingerprint goes into every SDP
// answer (a=fingerprint). A Certificate is immutable once built; it is created on the main
// thread and shared read-only by every worker's DtlsContext through the shared_ptr (the TLS
// library's reference counts on the X509 / EVP_PKEY are atomic), so any thread may use it.
//
// FingerprintMatches is how a peer's self-signed certificate is authenticated: it must hash to
// the value the peer put in its SDP. Any thread.
#ifndef RINGCAST_CRYPTO_CERTIFICATE_H_
#define RINGCAST_CRYPTO_CERTIFICATE_H_

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "crypto/tls_ptr.h"

namespace ringcast::crypto {

class Certificate {
 public:
  // ECDSA P-256 self-signed, random serial, CN "ringcast", valid from now - 1 day for 30 days.
  static absl::StatusOr<std::shared_ptr<const Certificate>> Generate();

  // A PEM certificate and a PEM private key; errors name the file and the reason. The key must
  // match the certificate.
  static absl::StatusOr<std::shared_ptr<const Certificate>> LoadPem(const std::string& cert_file,
                                                                    const std::string& key_file);

  // RFC 8122 form of the sha-256 digest of the DER certificate: uppercase hex pairs joined by
  // ':' ("AB:01:..."), 95 characters.
  const std::string& fingerprint_sha256() const { return fingerprint_sha256_; }

  // Owned by this object; valid as long as it lives. Callers must not modify them.
  X509* x509() const { return x509_.get(); }
  EVP_PKEY* private_key() const { return key_.get(); }

  Certificate(TlsPtr<X509> x509, TlsPtr<EVP_PKEY> key, std::string fingerprint)
      : x509_(std::move(x509)), key_(std::move(key)), fingerprint_sha256_(std::move(fingerprint)) {}

 private:
  TlsPtr<X509> x509_;
  TlsPtr<EVP_PKEY> key_;
  std::string fingerprint_sha256_;
};

// The digest named by an SDP hash function ("sha-1", "sha-256", "sha-384", "sha-512",
// case-insensitive), or null when unknown.
const EVP_MD* FingerprintDigest(std::string_view hash_function);

// Parses "AB:01:..." (hex pairs separated by ':', case-insensitive) into `out`; returns the
// number of bytes, or 0 when malformed or longer than `out`.
size_t ParseFingerprint(std::string_view value, std::span<uint8_t> out);

// Formats `digest` in the RFC 8122 form (uppercase pairs joined by ':').
std::string FormatFingerprint(std::span<const uint8_t> digest);

// True when `cert`'s digest under `hash_function` equals `value` (both as above).
bool FingerprintMatches(X509* cert, std::string_view hash_function, std::string_view value);

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_CERTIFICATE_H_
