# The SDP answer to a WHEP offer: payload type choice per source track, BUNDLE, ICE-lite and the
# DTLS role. Tests: tests/unit/net/webrtc; fuzz target: tests/fuzz/webrtc_answer.cmake.
add_library(ringcast_webrtc_answer STATIC ${CMAKE_CURRENT_LIST_DIR}/answer.cc)
target_link_libraries(ringcast_webrtc_answer PUBLIC ringcast_sdp ringcast_rtp ringcast_core)
