#!/bin/bash
# Re-takes every capture in this directory (see README.md). Needs ffmpeg/ffprobe, gst-launch-1.0
# (gstreamer1.0-tools, -plugins-good, -plugins-ugly) and /usr/bin/python3 with python3-gi and
# gir1.2-gst-rtsp-server-1.0. Usage: capture.sh OUTDIR (then review and copy the files here).
# Only 127.0.0.1 is used; ports 18550-18599 must be free.
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: capture.sh OUTDIR}
mkdir -p "$out" && cd "$out" || exit 1
py=/usr/bin/python3
responder="$py $here/rtsp_responder.py"
proxy="$py $here/rec_proxy.py"
src=(-re -f lavfi -i testsrc=size=160x120:rate=10 -c:v libx264 -g 10 -pix_fmt yuv420p)

# respond PORT NAME SECONDS [responder options] -- CLIENT COMMAND...: runs the responder, then
# the client (killed after SECONDS-1.5 s), and keeps connection 0's files as NAME.c2s / NAME.s2c.
respond() {
  local port=$1 name=$2 secs=$3
  shift 3
  local opts=()
  while [ "$1" != "--" ]; do opts+=("$1"); shift; done
  shift
  $responder "$port" "tmp_$name" "$secs" "${opts[@]}" >/dev/null &
  local pid=$!
  sleep 0.5
  timeout "$(awk "BEGIN{print $secs - 1.5}")" "$@" >/dev/null 2>&1
  wait $pid
  mv "tmp_$name.0.c2s" "$name.c2s" && mv "tmp_$name.0.s2c" "$name.s2c"
  rm -f tmp_"$name".*
}

# Publishers (ANNOUNCE, SETUP with mode=record, RECORD, '$' frames over TCP).
respond 18550 ffmpeg_publish_tcp 8 -- ffmpeg "${src[@]}" -t 2 -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:18550/cam1
respond 18551 ffmpeg_publish_udp 6 -- ffmpeg "${src[@]}" -t 1 -f rtsp -rtsp_transport udp rtsp://127.0.0.1:18551/cam1
# Readers (DESCRIBE gets a canned SDP, so SETUP follows).
respond 18552 ffprobe_tcp 4.5 -- ffprobe -rtsp_transport tcp rtsp://127.0.0.1:18552/cam1
respond 18553 ffprobe_udp 4.5 -- ffprobe -rtsp_transport udp rtsp://127.0.0.1:18553/cam1
respond 18554 ffprobe_udp_multicast 4.5 -- ffprobe -rtsp_transport udp_multicast rtsp://127.0.0.1:18554/cam1
respond 18555 gst_rtspsrc_tcp 4.5 -- gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18555/cam1 protocols=tcp ! fakesink
respond 18556 gst_rtspsrc_udp 4.5 -- gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18556/cam1 protocols=udp ! fakesink
respond 18557 gst_rtspsrc_udp_mcast 4.5 -- gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18557/cam1 protocols=udp-mcast ! fakesink
respond 18558 gst_rtspsrc_avpf_tcp 4.5 --profile AVPF -- gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18558/cam1 protocols=tcp ! fakesink
# Clients with credentials against a fixed challenge (realm "ringcast").
nonce=0a1b2c3d4e5f60718293a4b5c6d7e8f9
respond 18559 ffprobe_digest 4.5 --digest $nonce -- ffprobe 'rtsp://Mufasa:Circle%20of%20Life@127.0.0.1:18559/cam1'
respond 18560 ffprobe_basic 4.5 --basic -- ffprobe 'rtsp://Aladdin:open%20sesame@127.0.0.1:18560/cam1'
respond 18561 gst_rtspsrc_digest 4.5 --digest $nonce -- gst-launch-1.0 rtspsrc location=rtsp://127.0.0.1:18561/cam1 user-id=Mufasa 'user-pw=Circle of Life' protocols=tcp ! fakesink

# Servers: GStreamer's RTSP server answering ffprobe (through the recording proxy), and
# ffmpeg's RTSP listener taking an ffmpeg publish.
gst_server() {  # gst_server SECONDS [args]: starts it, sets $gst_port
  local secs=$1
  shift
  (sleep "$secs" | $py "$here/gst_rtsp_server.py" "$@" >gst_port.txt 2>/dev/null &)
  for _ in $(seq 50); do grep -q PORT gst_port.txt 2>/dev/null && break; sleep 0.1; done
  gst_port=$(awk '/PORT/{print $2}' gst_port.txt)
  rm -f gst_port.txt
}
gst_server 14
$proxy 18562 "$gst_port" tmp_gst_play_tcp 5 & sleep 0.5
timeout 4 ffprobe -rtsp_transport tcp rtsp://127.0.0.1:18562/test >/dev/null 2>&1; wait
mv tmp_gst_play_tcp.0.s2c gst_server_play_tcp.s2c && mv tmp_gst_play_tcp.0.c2s gst_server_play_tcp.c2s
$proxy 18563 "$gst_port" tmp_gst_play_udp 5 & sleep 0.5
timeout 4 ffprobe -rtsp_transport udp rtsp://127.0.0.1:18563/test >/dev/null 2>&1; wait
mv tmp_gst_play_udp.0.s2c gst_server_play_udp.s2c && mv tmp_gst_play_udp.0.c2s gst_server_play_udp.c2s

timeout 8 ffmpeg -y -rtsp_flags listen -i rtsp://127.0.0.1:18564/live -c copy -f null - >/dev/null 2>&1 &
sleep 0.7
$proxy 18565 18564 tmp_listen 6 & sleep 0.5
timeout 5 ffmpeg "${src[@]}" -t 1 -f rtsp -rtsp_transport tcp rtsp://127.0.0.1:18565/live >/dev/null 2>&1
wait
mv tmp_listen.0.c2s ffmpeg_listen_record.c2s && mv tmp_listen.0.s2c ffmpeg_listen_record.s2c

# The 401s of GStreamer's RTSP server with auth (a bare DESCRIBE, then its answer).
for kind in digest basic; do
  gst_server 3 --auth $kind --user user --password pass
  $py - "$gst_port" "gst_server_${kind}_401.s2c" <<'EOF'
import socket, sys
port, out = int(sys.argv[1]), sys.argv[2]
s = socket.create_connection(("127.0.0.1", port))
s.sendall(f"DESCRIBE rtsp://127.0.0.1:{port}/test RTSP/1.0\r\nCSeq: 1\r\n\r\n".encode())
s.settimeout(1)
data = b""
while b"\r\n\r\n" not in data:
    data += s.recv(4096)
open(out, "wb").write(data)
EOF
done
rm -f tmp_*
ls -la
