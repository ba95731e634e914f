if(RINGCAST_CRYPTO STREQUAL "boringssl")  # ringcast_stun needs BoringSSL
# Fuzz target for net/stun: ParseMessage, FINGERPRINT / MESSAGE-INTEGRITY checks, the ICE-lite
# check and the writer round trip. Included from tests/fuzz/CMakeLists.txt. Seeds in
# corpus/stun: the RFC 5769 vectors and the captures of tests/data/stun.
ringcast_fuzz_target(stun_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/stun_fuzz.cc
  LIBS ringcast_stun
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/stun)
endif()
