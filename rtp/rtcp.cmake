# rtp/rtcp/: RTCP (RFC 3550 §6, RFC 4585, RFC 5104) — compound walking, SR/RR, NACK/PLI/FIR,
# SDES CNAME and BYE; views over received blocks and writers into caller buffers. Included from
# rtp/CMakeLists.txt.
add_library(ringcast_rtcp STATIC
  ${CMAKE_CURRENT_LIST_DIR}/rtcp/compound.cc
  ${CMAKE_CURRENT_LIST_DIR}/rtcp/report.cc
  ${CMAKE_CURRENT_LIST_DIR}/rtcp/feedback.cc
  ${CMAKE_CURRENT_LIST_DIR}/rtcp/sdes.cc
  ${CMAKE_CURRENT_LIST_DIR}/rtcp/bye.cc
)
target_link_libraries(ringcast_rtcp PUBLIC ringcast_rtp_codec)
