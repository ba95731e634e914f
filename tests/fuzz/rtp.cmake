# Fuzz target for the per-packet RTP layer: RtpView::Parse, extension elements, H.264 / H.265
# payload inspection, parameter sets and SPS parsing. Included from tests/fuzz/CMakeLists.txt.
# Seeds in corpus/rtp: every packet of tests/data/rtp, one per file, plus their SPS NAL units.
ringcast_fuzz_target(rtp_fuzz
  SOURCE ${CMAKE_CURRENT_LIST_DIR}/rtp_fuzz.cc
  LIBS ringcast_rtp_codec
  CORPUS ${CMAKE_CURRENT_LIST_DIR}/corpus/rtp)
