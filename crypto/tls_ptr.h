// Owning pointers to the TLS library's objects, the same on BoringSSL and OpenSSL 3 (BoringSSL's
// bssl::UniquePtr has no OpenSSL counterpart): crypto::TlsPtr<SSL> frees with SSL_free, and so on
// for each type the crypto code holds.
#ifndef RINGCAST_CRYPTO_TLS_PTR_H_
#define RINGCAST_CRYPTO_TLS_PTR_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>

namespace ringcast::crypto {

template <typename T>
struct TlsFree;

template <>
struct TlsFree<SSL_CTX> {
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
};
template <>
struct TlsFree<SSL> {
  void operator()(SSL* p) const { SSL_free(p); }
};
template <>
struct TlsFree<BIO> {
  void operator()(BIO* p) const { BIO_free(p); }
};
template <>
struct TlsFree<X509> {
  void operator()(X509* p) const { X509_free(p); }
};
template <>
struct TlsFree<X509_NAME> {
  void operator()(X509_NAME* p) const { X509_NAME_free(p); }
};
template <>
struct TlsFree<EVP_PKEY> {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
template <>
struct TlsFree<EVP_PKEY_CTX> {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
template <>
struct TlsFree<BIGNUM> {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
template <>
struct TlsFree<ASN1_INTEGER> {
  void operator()(ASN1_INTEGER* p) const { ASN1_INTEGER_free(p); }
};

template <typename T>
using TlsPtr = std::unique_ptr<T, TlsFree<T>>;

}  // namespace ringcast::crypto

#endif  // RINGCAST_CRYPTO_TLS_PTR_H_
