# Fuzz target for net/webrtc/answer: offer text -> AnswerOffer with a fixed track list. The seeds
# are the real browser offers (and camera descriptions) of tests/data/sdp.
ringcast_fuzz_target(webrtc_answer_fuzz SOURCE ${CMAKE_CURRENT_LIST_DIR}/webrtc_answer_fuzz.cc
                     LIBS ringcast_webrtc_answer CORPUS ${PROJECT_SOURCE_DIR}/tests/data/sdp)
