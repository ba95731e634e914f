# Fuzz target for net/http/parser: HTTP and RTSP, requests and responses, fed in chunks.
# Included from tests/fuzz/CMakeLists.txt. The seeds in corpus/http are real captures (see
# tests/data/http/README.md); RTSP ones are prefixed rtsp_. The harness runs every input through
# all four parser modes, so one corpus directory serves both protocols.
ringcast_fuzz_target(http_parser_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/http_parser_fuzz.cc
  LIBS ringcast_http
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/http)
