# Fuzz target for rtp/rtcp: compound walking, every block parser and the writers' round trips.
# Included from tests/fuzz/CMakeLists.txt. Seeds in corpus/rtcp: every datagram of
# tests/data/rtcp/*.rtp and tests/data/rtp/rtcp_ffmpeg_sr.rtp, one per file (<capture>_<index>).
ringcast_fuzz_target(rtcp_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/rtcp_fuzz.cc
  LIBS ringcast_rtcp
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/rtcp)
