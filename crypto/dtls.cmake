# DTLS 1.2 + DTLS-SRTP over in-memory BIOs and the DTLS certificate (crypto/dtls.h,
# crypto/certificate.h). BoringSSL only: it needs SSL_CTX_set_custom_verify and DTLS_method's
# one-BIO_write-per-datagram behaviour.
if(RINGCAST_CRYPTO STREQUAL "boringssl")
  add_library(ringcast_dtls STATIC
    ${CMAKE_CURRENT_LIST_DIR}/certificate.cc
    ${CMAKE_CURRENT_LIST_DIR}/dtls.cc)
  target_link_libraries(ringcast_dtls PUBLIC ringcast_srtp ringcast_core ringcast_tls_ssl
                                             ringcast_tls_crypto)
endif()
