# SRTP/SRTCP transforms: the BoringSSL engine and the libsrtp2 engine (crypto/srtp.h). The
# BoringSSL engine needs EVP_AEAD, which OpenSSL 3 lacks: not built with RINGCAST_CRYPTO=openssl.
if(RINGCAST_CRYPTO STREQUAL "boringssl")
  add_library(ringcast_srtp STATIC
    ${CMAKE_CURRENT_LIST_DIR}/srtp.cc
    ${CMAKE_CURRENT_LIST_DIR}/srtp_kdf.cc
    ${CMAKE_CURRENT_LIST_DIR}/srtp_libsrtp.cc)
  target_link_libraries(ringcast_srtp PUBLIC ringcast_core ringcast_tls_crypto PkgConfig::SRTP2)
endif()
