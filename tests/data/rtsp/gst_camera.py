#!/usr/bin/python3
"""A camera for ringcast's RTSP client tests: GStreamer's RTSP server (gst-rtsp-server 1.22)
serving /cam with two tracks, H.264 video and Opus audio.

usage: gst_camera.py [--port N] [--auth none|basic|digest] [--user U --password P]
                     [--protocols all|tcp|udp] [--session-timeout S] [--key-int N]

Video: videotestsrc 160x120 at 25 fps, x264enc tune=zerolatency key-int-max=25 (a keyframe every
second; --key-int N changes it), rtph264pay pt=96. Like a real camera, x264enc makes a keyframe
at once when a client's RTCP PLI asks for one. Audio: audiotestsrc, opusenc, rtpopuspay pt=97. Listens on
127.0.0.1; --port 0 (the default) takes a free port, and the bound port is printed as
"PORT <n>" on stdout once the server listens, so a test can restart the camera on the same port.
--protocols tcp makes the server refuse RTP over UDP (SETUP answered 461); --session-timeout S
announces S seconds in the Session header and disconnects a client that sends no request (no
keep-alive) for longer than that.
Runs until killed or until stdin closes. Needs /usr/bin/python3 with python3-gi,
gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-{base,good,ugly} (x264enc, opusenc).
Used by tests/unit/net/rtsp/client_test.cc and tests/integration/pull_test.py.

serve() is the server itself, for any mount and launch line: gst_rtsp_server.py runs its /test
through it too.
"""
import argparse
import sys
import threading
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

PIPELINE = (
    "( videotestsrc is-live=true ! video/x-raw,width=160,height=120,framerate=25/1 "
    "! x264enc tune=zerolatency key-int-max={key_int} speed-preset=ultrafast "
    "! rtph264pay name=pay0 pt=96 config-interval=-1 "
    "  audiotestsrc is-live=true wave=sine ! audioconvert ! audioresample "
    "! opusenc ! rtpopuspay name=pay1 pt=97 )"
)


def add_auth_arguments(ap):
    """--auth, --user and --password, as serve() takes them."""
    ap.add_argument("--auth", choices=["none", "basic", "digest"], default="none")
    ap.add_argument("--user", default="user")
    ap.add_argument("--password", default="pass")


def serve(port, mount, pipeline, auth="none", user="user", password="pass", protocols="all",
          session_timeout=0):
    """Serves `pipeline` (a gst-launch line with pay0, pay1, ...) at `mount` on 127.0.0.1:`port`
    until stdin closes, printing "PORT <n>" once it listens. Returns the exit status."""
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(pipeline)
    factory.set_shared(True)
    if protocols == "tcp":
        factory.set_protocols(GstRtsp.RTSPLowerTrans.TCP)
    elif protocols == "udp":
        factory.set_protocols(GstRtsp.RTSPLowerTrans.UDP)

    if auth != "none":
        rtsp_auth = GstRtspServer.RTSPAuth()
        token = GstRtspServer.RTSPToken()
        token.set_string(GstRtspServer.RTSP_TOKEN_MEDIA_FACTORY_ROLE, "user")
        if auth == "basic":
            rtsp_auth.add_basic(GstRtspServer.RTSPAuth.make_basic(user, password), token)
            rtsp_auth.set_supported_methods(GstRtsp.RTSPAuthMethod.BASIC)
        else:
            rtsp_auth.add_digest(user, password, token)
            rtsp_auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
        server.set_auth(rtsp_auth)
        permissions = GstRtspServer.RTSPPermissions()
        permissions.add_permission_for_role("user", "media.factory.access", True)
        permissions.add_permission_for_role("user", "media.factory.construct", True)
        factory.set_permissions(permissions)

    if session_timeout > 0:
        # Like a strict camera: the timeout goes into each Session header, and a client that
        # sends no request (keep-alive) for that long is disconnected. (gst-rtsp-server alone
        # keeps a session alive while its connection is open.)
        last_request = {}

        def on_new_session(_client, session):
            session.set_timeout(session_timeout)

        def on_send_message(client, *_args):
            last_request[client] = time.monotonic()

        def on_closed(client):
            last_request.pop(client, None)

        def on_client_connected(_server, client):
            last_request[client] = time.monotonic()
            client.connect("new-session", on_new_session)
            client.connect("send-message", on_send_message)
            client.connect("closed", on_closed)

        def expire():
            now = time.monotonic()
            for client, last in list(last_request.items()):
                if now - last > session_timeout:
                    last_request.pop(client, None)
                    client.close()
            server.get_session_pool().cleanup()
            return True

        server.connect("client-connected", on_client_connected)
        GLib.timeout_add(250, expire)

    server.get_mount_points().add_factory(mount, factory)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    add_auth_arguments(ap)
    ap.add_argument("--protocols", choices=["all", "tcp", "udp"], default="all")
    ap.add_argument("--session-timeout", type=int, default=0)
    ap.add_argument("--key-int", type=int, default=25)
    args = ap.parse_args()
    return serve(args.port, "/cam", PIPELINE.format(key_int=args.key_int), auth=args.auth, user=args.user,
                 password=args.password, protocols=args.protocols,
                 session_timeout=args.session_timeout)


if __name__ == "__main__":
    sys.exit(main())
