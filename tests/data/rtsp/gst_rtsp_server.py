#!/usr/bin/python3
"""GStreamer's RTSP server (gst-rtsp-server 1.22) as a third-party peer for ringcast's tests.

usage: gst_rtsp_server.py [--auth none|basic|digest] [--user U --password P] [--port N]

Serves /test (an H.264 test pattern, 160x120 at 10 fps) on 127.0.0.1. --port 0 (the default)
takes a free port; the bound port is printed as "PORT <n>" on stdout once the server listens.
With --auth, the media is only reachable with those credentials (GstRTSPAuth with a basic
token, or digest via gst_rtsp_auth_add_digest and set_supported_methods). Runs until killed or
until stdin closes. Needs /usr/bin/python3 with python3-gi and gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-good and -ugly (x264enc). Used by tests/unit/net/rtsp/auth_peer_test.cc and
to take the captures described in README.md.
"""
import argparse
import sys
import threading

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="pass")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()

    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(args.port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        "( videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=10/1 "
        "! x264enc tune=zerolatency key-int-max=10 ! rtph264pay name=pay0 pt=96 )"
    )
    factory.set_shared(True)

    if args.auth != "none":
        auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if args.auth == "basic":
            auth.add_basic(GstRtspServer.RTSPAuth.make_basic(args.user, args.password), token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        else:
            auth.add_digest(args.user, args.password, token)
            auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        server.set_auth(auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("user", "media.factory.access", True)
        permissions.add_permission_for_role("user", "media.factory.construct", True)
        factory.set_permissions(permissions)

    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        print("cannot attach the RTSP server", file=sys.stderr)
        return 1
    loop = GLib.MainLoop()

    def watch_stdin():
        # The test closes our stdin (or dies) when it is done: stop then, never outlive it.
        try:
            sys.stdin.read()
        finally:
            GLib.idle_add(loop.quit)

    threading.Thread(target=watch_stdin, daemon=True).start()
    print("PORT", server.get_bound_port(), flush=True)
    loop.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
