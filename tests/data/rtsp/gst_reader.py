#!/usr/bin/python3
"""A player for ringcast's RTSP server tests: GStreamer's rtspsrc (1.22) reads a URL, decodes
H.264 and counts the frames.

usage: gst_reader.py URL [--protocols tcp|udp] [--frames N] [--timeout S]

Pipeline: rtspsrc protocols=... ! rtph264depay ! avdec_h264 ! fakesink. Prints "FRAMES <n>" and
exits 0 once N (default 50) frames are decoded; exits 1 with GStreamer's error if one comes
first, or with "timed out" after S seconds (default 30).

Why not gst-launch-1.0 with fakesink num-buffers=N: gst-launch then shuts rtspsrc down from its
end-of-stream, and rtspsrc 1.22 sends PAUSE and, at once, cancels it to send TEARDOWN. When the
cancel lands while PAUSE is being written, rtspsrc reports "Could not send message. (Received
end-of-file)" and gst-launch exits 1, though the server answered nothing wrong (it then answers
the TEARDOWN). Here, what happens after the N-th frame is not judged: the pipeline is stopped and
later messages are ignored.

Needs /usr/bin/python3 with python3-gi and gstreamer1.0-plugins-{good,libav}.
Used by tests/integration/pull_test.py.
"""
import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import GLib, Gst  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("url")
    ap.add_argument("--protocols", choices=["tcp", "udp"], default="tcp")
    ap.add_argument("--frames", type=int, default=50)
    ap.add_argument("--timeout", type=float, default=30)
    args = ap.parse_args()

    Gst.init(None)
    pipeline = Gst.parse_launch(
        f"rtspsrc location={args.url} protocols={args.protocols} ! rtph264depay "
        "! avdec_h264 ! fakesink name=sink sync=false signal-handoffs=true")
    loop = GLib.MainLoop()
    outcome = {"frames": 0, "error": None}

    def on_frame(_sink, _buffer, _pad):
        outcome["frames"] += 1
        if outcome["frames"] == args.frames:
            GLib.idle_add(loop.quit)

    def on_message(_bus, message):
        if message.type == Gst.MessageType.ERROR and outcome["frames"] < args.frames:
            error, debug = message.parse_error()
            outcome["error"] = f"{message.src.get_path_string()}: {error.message}\n{debug}"
            loop.quit()
        elif message.type == Gst.MessageType.EOS and outcome["frames"] < args.frames:
            outcome["error"] = "end of stream"
            loop.quit()

    def on_timeout():
        outcome["error"] = f"timed out after {args.timeout:g} s"
        loop.quit()
        return False

    pipeline.get_by_name("sink").connect("handoff", on_frame)
    bus = pipeline.get_bus()
    bus.add_signal_watch()
    bus.connect("message", on_message)
    GLib.timeout_add(int(args.timeout * 1000), on_timeout)
    pipeline.set_state(Gst.State.PLAYING)
    loop.run()
    frames, error = outcome["frames"], outcome["error"]
    bus.remove_signal_watch()
    pipeline.set_state(Gst.State.NULL)
    print(f"FRAMES {frames}", flush=True)
    if error is not None:
        print(f"gst_reader: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
