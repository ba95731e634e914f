# The demo path's clip: 10 s of ffmpeg's testsrc2 pattern as raw Annex B H.264, encoded at
# build time so no binary media lives in the repository. rtp::DemoSource (rtp/demo_source.h)
# plays it in a loop.
#
# Constrained baseline (profile-level-id 42c01f, compatible with the 42e01f every browser
# offers), level 3.1, 640x360 at 25 fps, no B-frames, an IDR every second (keyint 25, no
# scene-cut IDRs) with SPS/PPS repeated in front of each, so the loop point — the first
# access unit — is a clean keyframe.
#
# Build tree: ${CMAKE_BINARY_DIR}/demo/demo.h264 (next to core/ringcastd's directory);
# installed: ${CMAKE_INSTALL_DATADIR}/ringcast/demo.h264 (/usr/share/ringcast in packages).

find_program(RINGCAST_FFMPEG ffmpeg)
if(NOT RINGCAST_FFMPEG)
  message(FATAL_ERROR "ffmpeg not found: the build encodes the demo clip with it "
                      "(packaging/demo.cmake). apt-get install ffmpeg")
endif()

set(RINGCAST_DEMO_CLIP "${CMAKE_BINARY_DIR}/demo/demo.h264"
    CACHE INTERNAL "The demo clip in the build tree (made by the ringcast_demo_clip target)")

# Written under a temporary name and renamed, so an interrupted encode never leaves a
# truncated clip that looks up to date.
add_custom_command(
  OUTPUT ${RINGCAST_DEMO_CLIP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/demo
  COMMAND ${RINGCAST_FFMPEG} -nostdin -hide_banner -loglevel error -y
          -f lavfi -i testsrc2=size=640x360:rate=25 -t 10
          -c:v libx264 -profile:v baseline -level 3.1 -pix_fmt yuv420p -bf 0
          -x264-params keyint=25:min-keyint=25:scenecut=0:repeat-headers=1
          -f h264 ${RINGCAST_DEMO_CLIP}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${RINGCAST_DEMO_CLIP}.tmp ${RINGCAST_DEMO_CLIP}
  DEPENDS ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Encoding the demo clip (ffmpeg testsrc2, H.264 constrained baseline, 10 s)"
  VERBATIM)
add_custom_target(ringcast_demo_clip ALL DEPENDS ${RINGCAST_DEMO_CLIP})

install(FILES ${RINGCAST_DEMO_CLIP} DESTINATION ${CMAKE_INSTALL_DATADIR}/ringcast)
