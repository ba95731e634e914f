# Fuzz target for crypto/dtls: arbitrary datagrams into a server-role DtlsTransport. Included
# from tests/fuzz/CMakeLists.txt. Seeds: the real captured DTLS datagrams of tests/data/dtls
# (see its README.md).
if(TARGET ringcast_dtls)
ringcast_fuzz_target(dtls_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/dtls_fuzz.cc
  LIBS ringcast_dtls
  CORPUS ${PROJECT_SOURCE_DIR}/tests/data/dtls)
endif()
