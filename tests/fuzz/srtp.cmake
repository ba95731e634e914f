# Fuzz target for crypto/srtp: unprotect untrusted SRTP/SRTCP with both engines and require that
# they agree (srtp_fuzz.cc). Seeds in corpus/srtp (see the file comment).
if(TARGET ringcast_srtp)
  ringcast_fuzz_target(srtp_fuzz
    SOURCE ${CMAKE_CURRENT_LIST_DIR}/srtp_fuzz.cc
    LIBS ringcast_srtp
    CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/srtp)
endif()
