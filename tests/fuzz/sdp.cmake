# Fuzz target for net/sdp: parse, write, re-parse (must be equal) and the codec parameter
# extraction. Included from tests/fuzz/CMakeLists.txt; the seeds in corpus/sdp are the real
# captures of tests/data/sdp (see its README.md).
ringcast_fuzz_target(sdp_fuzz SOURCE ${CMAKE_CURRENT_LIST_DIR}/sdp_fuzz.cc LIBS ringcast_sdp CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/sdp)
