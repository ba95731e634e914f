# Fuzz targets for net/rtsp: the interleaved '$' demuxer fed in random chunks, and the header
# parsers (Transport, rtsp:// URLs, WWW-Authenticate / Authorization). Included from
# tests/fuzz/CMakeLists.txt. Seeds: corpus/rtsp_interleaved holds real TCP captures (see
# tests/data/rtsp/README.md), corpus/rtsp_header header values taken from them and the RFCs.
ringcast_fuzz_target(rtsp_interleaved_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/rtsp_interleaved_fuzz.cc
  LIBS ringcast_rtsp_wire
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/rtsp_interleaved)
ringcast_fuzz_target(rtsp_header_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/rtsp_header_fuzz.cc
  LIBS ringcast_rtsp_wire
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/rtsp_header)
