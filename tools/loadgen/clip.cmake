# The load generator's clip: 5 s of ffmpeg's testsrc2 at 1280x720, 30 fps, about 2 Mbit/s, as raw
# Annex B H.264 — the stream DESIGN.md's benchmark workloads describe. Encoded once at build time
# (like packaging/demo.cmake's demo clip) and cached in the build tree; nothing binary is
# committed.
#
# Constrained baseline (profile-level-id 42c01f, which answers the 42e01f every browser offers),
# level 3.1, no B-frames, an IDR every second (keyint 30, no scene-cut IDRs) with SPS/PPS in front
# of each, so every loop of the clip starts on a clean keyframe. CBR-ish (maxrate = bitrate) so
# the packet rate is steady: about 200 packets/s at 1200-byte payloads.

find_program(RINGCAST_FFMPEG ffmpeg)
if(NOT RINGCAST_FFMPEG)
  message(FATAL_ERROR "ffmpeg not found: the build encodes the load generator's clip with it "
                      "(tools/loadgen/clip.cmake). apt-get install ffmpeg")
endif()

set(RINGCAST_LOADGEN_CLIP "${CMAKE_BINARY_DIR}/loadgen/bench720p30.h264"
    CACHE INTERNAL "The load generator's clip in the build tree (ringcast_loadgen_clip target)")

# Written under a temporary name and renamed, so an interrupted encode never leaves a truncated
# clip that looks up to date.
add_custom_command(
  OUTPUT ${RINGCAST_LOADGEN_CLIP}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/loadgen
  COMMAND ${RINGCAST_FFMPEG} -nostdin -hide_banner -loglevel error -y
          -f lavfi -i testsrc2=size=1280x720:rate=30 -t 5
          -c:v libx264 -preset veryfast -profile:v baseline -level 3.1 -pix_fmt yuv420p -bf 0
          -b:v 2M -maxrate 2M -bufsize 1M
          -x264-params keyint=30:min-keyint=30:scenecut=0:repeat-headers=1
          -f h264 ${RINGCAST_LOADGEN_CLIP}.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${RINGCAST_LOADGEN_CLIP}.tmp ${RINGCAST_LOADGEN_CLIP}
  DEPENDS ${CMAKE_CURRENT_LIST_FILE}
  COMMENT "Encoding the load generator's clip (ffmpeg testsrc2, H.264 720p30 2 Mbit/s, 5 s)"
  VERBATIM)
add_custom_target(ringcast_loadgen_clip DEPENDS ${RINGCAST_LOADGEN_CLIP})
