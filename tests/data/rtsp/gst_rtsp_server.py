#!/usr/bin/python3
"""GStreamer's RTSP server (gst-rtsp-server 1.22) as a third-party peer for ringcast's tests.

usage: gst_rtsp_server.py [--auth none|basic|digest] [--user U --password P] [--port N]

Serves /test (an H.264 test pattern, 160x120 at 10 fps) on 127.0.0.1. --port 0 (the default)
takes a free port; the bound port is printed as "PORT <n>" on stdout once the server listens.
With --auth, the media is only reachable with those credentials (GstRTSPAuth with a basic
token, or digest via gst_rtsp_auth_add_digest and set_supported_methods). Runs until killed or
until stdin closes. Needs /usr/bin/python3 with python3-gi and gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-good and -ugly (x264enc). Used by tests/unit/net/rtsp/auth_peer_test.cc and
to take the captures described in README.md. The server itself is gst_camera.serve().
"""
import argparse
import sys

sys.dont_write_bytecode = True  # no __pycache__ next to the captures
import gst_camera  # noqa: E402  (this directory is on sys.path: it holds the script)

PIPELINE = (
    "( videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=10/1 "
    "! x264enc tune=zerolatency key-int-max=10 ! rtph264pay name=pay0 pt=96 )"
)


def main():
    ap = argparse.ArgumentParser()
    gst_camera.add_auth_arguments(ap)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    return gst_camera.serve(args.port, "/test", PIPELINE, auth=args.auth, user=args.user,
                            password=args.password)


if __name__ == "__main__":
    sys.exit(main())
