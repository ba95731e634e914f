# The WebRTC data path without crypto or signalling: send slots with GSO flushes (egress) and
# what each viewer is sent from a track's History (track_sender).
add_library(ringcast_webrtc_media STATIC
  ${CMAKE_CURRENT_LIST_DIR}/egress.cc
  ${CMAKE_CURRENT_LIST_DIR}/track_sender.cc
)
target_link_libraries(ringcast_webrtc_media PUBLIC ringcast_net ringcast_rtp)

# Sessions (ICE-lite, DTLS-SRTP, RTCP), the shared UDP port and the WHEP/player HTTP server.
add_library(ringcast_webrtc STATIC
  ${CMAKE_CURRENT_LIST_DIR}/server.cc
  ${CMAKE_CURRENT_LIST_DIR}/session.cc
  ${CMAKE_CURRENT_LIST_DIR}/whep.cc
)
target_link_libraries(ringcast_webrtc PUBLIC
  ringcast_webrtc_media ringcast_webrtc_answer ringcast_webrtc_pages ringcast_dtls
  ringcast_srtp ringcast_stun ringcast_rtcp ringcast_rtsp ringcast_http)
