#!/usr/bin/python3
"""RTSP in and out with real peers: ffmpeg publishes, ffprobe and ffmpeg read and decode.

Run by ctest with RINGCASTD and RINGCASTCTL naming the binaries; needs ffmpeg/ffprobe (the
set-up script installs them). Every process is bounded in time; traffic stays on loopback.
"""

import os
import re
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, free_port, wait_for  # noqa: E402

FFMPEG = shutil.which("ffmpeg")
FFPROBE = shutil.which("ffprobe")


def publisher(url, seconds=30, audio=True, transport="tcp"):
    """ffmpeg pushing a 320x240 25 fps H.264 test pattern (GOP 1 s) and a sine tone in Opus."""
    cmd = [FFMPEG, "-hide_banner", "-loglevel", "error", "-re",
           "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25"]
    if audio:
        cmd += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    cmd += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency",
            "-g", "25", "-pix_fmt", "yuv420p"]
    if audio:
        cmd += ["-c:a", "libopus", "-b:a", "32k"]
    cmd += ["-f", "rtsp", "-rtsp_transport", transport, url]
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def stop(proc):
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc.stderr:
        proc.stderr.close()


@unittest.skipIf(FFMPEG is None or FFPROBE is None, "needs ffmpeg and ffprobe")
class RtspTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.d = Daemon([
            "core.workers = 2",
            f"rtsp.listen = 127.0.0.1:{cls.port}",
            "path.cam1.source = publisher",
            "path.locked.source = publisher",
            "path.locked.read_user = viewer",
            "path.locked.read_pass = s3cret",
            "path.locked.publish_user = camera",
            "path.locked.publish_pass = pub-pass",
        ]).start()
        cls.base = f"rtsp://127.0.0.1:{cls.port}"
        cls.pub = publisher(f"{cls.base}/cam1", seconds=600)  # stopped in tearDownClass
        ok = wait_for(lambda: cls.d.ctl("-n", "stats.path.cam1.keyframes").stdout.strip() not in ("", "0"), 20)
        assert ok, "publisher never got going:\n" + cls.d.log_text() + (cls.pub.stderr.read() if cls.pub.poll() is not None else "")

    @classmethod
    def tearDownClass(cls):
        stop(cls.pub)
        cls.d.stop()

    def read(self, url, seconds=2.0, transport="tcp", extra=()):
        """Decodes `seconds` of video from `url`; returns (returncode, frame count, stderr)."""
        cmd = [FFMPEG, "-hide_banner", "-loglevel", "error", "-rtsp_transport", transport,
               *extra, "-i", url, "-t", str(seconds), "-map", "0:v", "-f", "framemd5", "-"]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        frames = [l for l in r.stdout.splitlines() if l and not l.startswith("#")]
        return r.returncode, len(frames), r.stderr

    def test_ffprobe_sees_both_tracks(self):
        r = subprocess.run([FFPROBE, "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                            "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
                            f"{self.base}/cam1"], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = sorted(r.stdout.split())
        self.assertEqual(lines, ["h264,320,240", "opus"], r.stdout)

    def test_reader_decodes_without_errors(self):
        code, frames, err = self.read(f"{self.base}/cam1", 3)
        self.assertEqual(code, 0, err)
        self.assertEqual(err.strip(), "")
        self.assertGreaterEqual(frames, 50)  # ~3 s at 25 fps, starting from a keyframe

    def test_reader_joining_mid_gop_gets_a_decodable_first_frame(self):
        # The GOP is 1 s: joins at several offsets inside it must all start clean.
        for delay in (0.3, 0.55, 0.8):
            time.sleep(delay)
            code, frames, err = self.read(f"{self.base}/cam1", 1)
            self.assertEqual(code, 0, err)
            self.assertEqual(err.strip(), "", f"join after {delay}s: {err}")
            self.assertGreaterEqual(frames, 20)

    def unrouted(self):
        return int(self.d.ctl("-n", "stats.drops.rtp_unrouted").stdout)

    def test_reader_over_udp(self):
        unrouted = self.unrouted()
        code, frames, err = self.read(f"{self.base}/cam1", 2, transport="udp")
        self.assertEqual(code, 0, err)
        self.assertEqual(err.strip(), "")
        self.assertGreaterEqual(frames, 30)
        r = subprocess.run([FFPROBE, "-hide_banner", "-loglevel", "error", "-rtsp_transport", "udp",
                            "-show_entries", "stream=codec_name", "-of", "csv=p=0",
                            f"{self.base}/cam1"], capture_output=True, text=True, timeout=60)
        self.assertEqual((r.returncode, sorted(r.stdout.split())), (0, ["h264", "opus"]), r.stderr)
        # ffmpeg opens its NAT binding with bare RTP headers to our RTP port: not a drop.
        self.assertEqual(self.unrouted(), unrouted, self.d.log_text())

    def test_stray_udp_media_is_dropped_and_counted(self):
        import socket
        rtp_port = int(re.search(r"RTP over UDP on ports (\d+)", self.d.log_text()).group(1))
        unrouted = self.unrouted()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.sendto(bytes([0x80, 0x60]) + bytes(10), ("127.0.0.1", rtp_port))  # a bare header
            s.sendto(bytes([0x80, 0x60]) + bytes(10) + b"payload", ("127.0.0.1", rtp_port))
        self.assertTrue(wait_for(lambda: self.unrouted() == unrouted + 1, 5), self.d.log_text())
        time.sleep(0.3)
        self.assertEqual(self.unrouted(), unrouted + 1)

    def test_publisher_over_udp(self):
        self.d.ctl("-q", "-w", "path.udpcam.source=publisher")
        pub = publisher(f"{self.base}/udpcam", seconds=20, transport="udp")
        try:
            self.assertTrue(wait_for(
                lambda: self.d.ctl("-n", "stats.path.udpcam.keyframes").stdout.strip() not in ("", "0"), 20),
                self.d.log_text())
            for transport in ("tcp", "udp"):
                code, frames, err = self.read(f"{self.base}/udpcam", 2, transport=transport)
                self.assertEqual((code, err.strip()), (0, ""), transport)
                self.assertGreaterEqual(frames, 30, transport)
        finally:
            stop(pub)
            self.d.ctl("-q", "--remove-path", "udpcam")

    def test_stats_follow_the_stream(self):
        before = int(self.d.ctl("-n", "stats.path.cam1.packets_in").stdout)
        time.sleep(1.5)
        after = int(self.d.ctl("-n", "stats.path.cam1.packets_in").stdout)
        self.assertGreater(after, before)
        self.assertEqual(self.d.ctl("-n", "stats.path.cam1.publishing").stdout, "1\n")
        self.assertEqual(self.d.ctl("-n", "stats.path.cam1.packets_lost").stdout, "0\n")
        _, _, body = self.d.metrics()
        self.assertRegex(body, r'ringcast_path_packets_in_total\{path="cam1"\} \d+')
        # Memory: the stream's History holds at least what it had to keep lately (after a
        # sample, within a second of the first keyframe), and the path's worker has
        # receive buffers in the kernel's hands.
        self.assertTrue(wait_for(
            lambda: float(self.d.ctl("-n", "stats.path.cam1.history_needed_bytes").stdout) > 0, 5))
        # One read: both figures from the same snapshot.
        held, needed = map(float, self.d.ctl("-n", "stats.path.cam1.history_bytes",
                                             "stats.path.cam1.history_needed_bytes").stdout.split())
        self.assertGreaterEqual(held, needed)
        worker = int(float(self.d.ctl("-n", "stats.path.cam1.worker").stdout))
        self.assertGreater(
            float(self.d.ctl("-n", f"stats.worker.{worker}.rx_buffer_bytes").stdout), 0)

    def test_second_publisher_is_refused_and_the_first_keeps_going(self):
        second = publisher(f"{self.base}/cam1", seconds=3, audio=False)
        try:
            second.wait(timeout=30)
        finally:
            stop(second)
        self.assertNotEqual(second.returncode, 0)
        self.assertIn("already has a publisher", self.d.log_text())
        code, frames, err = self.read(f"{self.base}/cam1", 1)
        self.assertEqual((code, err.strip()), (0, ""))

    def test_override_publisher_replaces_the_first(self):
        self.d.ctl("-q", "-w", "path.ov.source=publisher", "path.ov.override_publisher=1")
        first = publisher(f"{self.base}/ov", seconds=30, audio=False)
        second = None
        try:
            self.assertTrue(wait_for(lambda: self.d.ctl("-n", "stats.path.ov.keyframes").stdout.strip()
                                     not in ("", "0"), 20), self.d.log_text())
            second = publisher(f"{self.base}/ov", seconds=30, audio=False)
            self.assertTrue(wait_for(lambda: "path ov: publisher" in self.d.log_text()
                                     and "replaced by" in self.d.log_text(), 20), self.d.log_text())
            first.wait(timeout=30)  # cut off: ffmpeg ends with an error
            self.assertNotEqual(first.returncode, 0)
            code, frames, err = self.read(f"{self.base}/ov", 1)
            self.assertEqual((code, err.strip()), (0, ""))
        finally:
            stop(first)
            if second is not None:
                stop(second)
            self.d.ctl("-q", "--remove-path", "ov")

    def test_unknown_path(self):
        r = subprocess.run([FFPROBE, "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                            f"{self.base}/nope"], capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("404", r.stderr)
        pub = publisher(f"{self.base}/nope", seconds=2, audio=False)
        pub.wait(timeout=30)
        stop(pub)
        self.assertNotEqual(pub.returncode, 0)
        self.assertIn("no path nope (set path.nope.source = publisher, or rtsp.publish_any = 1)",
                      self.d.log_text())

    def test_credentials(self):
        locked = f"127.0.0.1:{self.port}/locked"
        wrong = publisher(f"rtsp://camera:nope@{locked}", seconds=2, audio=False)
        wrong.wait(timeout=30)
        stop(wrong)
        self.assertNotEqual(wrong.returncode, 0)
        pub = publisher(f"rtsp://camera:pub-pass@{locked}", seconds=20, audio=False)
        try:
            self.assertTrue(wait_for(
                lambda: self.d.ctl("-n", "stats.path.locked.keyframes").stdout.strip() not in ("", "0"), 20),
                self.d.log_text())
            code, _, err = self.read(f"rtsp://{locked}", 1)
            self.assertNotEqual(code, 0)
            self.assertIn("401", err)
            code, _, err = self.read(f"rtsp://viewer:wrong@{locked}", 1)
            self.assertNotEqual(code, 0)
            code, frames, err = self.read(f"rtsp://viewer:s3cret@{locked}", 1)
            self.assertEqual((code, err.strip()), (0, ""))
            self.assertGreaterEqual(frames, 20)
        finally:
            stop(pub)
        log = self.d.log_text()
        for secret in ("s3cret", "pub-pass", "nope@"):
            self.assertNotIn(secret, log)
        # Failed logins are logged once per client per 10 s (the publisher's came first) and
        # all counted.
        self.assertIn("denied publishing of locked", log)
        self.assertGreaterEqual(int(self.d.ctl("-n", "stats.drops.auth_failed").stdout), 2)

    def test_malformed_requests_do_not_disturb_readers(self):
        import socket
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"DESCRIBE rtsp://127.0.0.1/cam1 RTSP/1.0\r\nCSeq 1\r\n\r\n")
            reply = s.recv(4096).decode(errors="replace")
        self.assertTrue(reply.startswith("RTSP/1.0 400"), reply)
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"OPTIONS rtsp://127.0.0.1/cam1 RTSP/1.0\r\n\r\n")  # no CSeq
            reply = s.recv(4096).decode(errors="replace")
        self.assertTrue(reply.startswith("RTSP/1.0 400"), reply)
        # An interleaved frame on a channel no SETUP agreed on is dropped and counted.
        before = int(self.d.ctl("-n", "stats.drops.rtsp_bad_channel").stdout)
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as s:
            s.sendall(b"$\x09\x00\x04abcdOPTIONS rtsp://127.0.0.1/cam1 RTSP/1.0\r\nCSeq: 2\r\n\r\n")
            reply = s.recv(4096).decode(errors="replace")
        self.assertTrue(reply.startswith("RTSP/1.0 200"), reply)  # the connection goes on
        self.assertEqual(int(self.d.ctl("-n", "stats.drops.rtsp_bad_channel").stdout), before + 1)
        code, frames, err = self.read(f"{self.base}/cam1", 1)
        self.assertEqual((code, err.strip()), (0, ""))


@unittest.skipIf(FFMPEG is None or FFPROBE is None, "needs ffmpeg and ffprobe")
class BasicAuthTest(unittest.TestCase):
    """rtsp.auth_methods = basic: players and publishers that answer Basic challenges."""

    def test_basic_credentials(self):
        port = free_port()
        d = Daemon(["core.workers = 1", f"rtsp.listen = 127.0.0.1:{port}", "rtsp.auth_methods = basic",
                    "path.b.source = publisher", "path.b.publish_user = pub", "path.b.publish_pass = pw1",
                    "path.b.read_user = rd", "path.b.read_pass = pw2"]).start()
        pub = None
        try:
            wrong = publisher(f"rtsp://pub:bad@127.0.0.1:{port}/b", seconds=2, audio=False)
            wrong.wait(timeout=30)
            stop(wrong)
            self.assertNotEqual(wrong.returncode, 0)
            pub = publisher(f"rtsp://pub:pw1@127.0.0.1:{port}/b", seconds=20, audio=False)
            self.assertTrue(wait_for(
                lambda: d.ctl("-n", "stats.path.b.keyframes").stdout.strip() not in ("", "0"), 20), d.log_text())
            r = subprocess.run([FFPROBE, "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
                                "stream=codec_name", "-of", "csv=p=0", f"rtsp://rd:pw2@127.0.0.1:{port}/b"],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, "h264"), r.stderr)
            r = subprocess.run([FFPROBE, "-v", "error", "-rtsp_transport", "tcp",
                                f"rtsp://rd:nope@127.0.0.1:{port}/b"], capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("401", r.stderr)
            self.assertIn("denied publishing of b: wrong user name or password", d.log_text())
            self.assertEqual(d.ctl("-n", "stats.drops.auth_failed").stdout, "2\n")
        finally:
            if pub is not None:
                stop(pub)
            d.stop()


@unittest.skipIf(FFMPEG is None, "needs ffmpeg")
class SessionTimeoutTest(unittest.TestCase):
    def test_udp_media_keeps_a_quiet_rtsp_connection_alive(self):
        # rtsp.read_timeout_ms = 2000: ffmpeg's publisher sends nothing on its RTSP connection
        # while it streams over UDP, so only the RTP it sends can keep the session.
        port = free_port()
        d = Daemon(["core.workers = 1", f"rtsp.listen = 127.0.0.1:{port}", "rtsp.read_timeout_ms = 2000",
                    "path.u.source = publisher"]).start()
        pub = publisher(f"rtsp://127.0.0.1:{port}/u", seconds=30, audio=False, transport="udp")
        try:
            self.assertTrue(wait_for(lambda: d.ctl("-n", "stats.path.u.publishing").stdout == "1\n", 20))
            time.sleep(5)
            self.assertEqual(d.ctl("-n", "stats.path.u.publishing").stdout, "1\n", d.log_text())
            self.assertIsNone(pub.poll())
        finally:
            stop(pub)
        # A connection that really goes quiet is closed after the timeout and its grace (half
        # of it, at least 5 s: a keep-alive a loaded player sends late still arrives in time).
        import socket
        with socket.create_connection(("127.0.0.1", port), timeout=12) as s:
            s.settimeout(12)
            started = time.monotonic()
            self.assertEqual(s.recv(100), b"")  # closed by the server
            self.assertGreater(time.monotonic() - started, 6.5)
        d.stop()


@unittest.skipIf(FFMPEG is None, "needs ffmpeg")
class ContinuityTest(unittest.TestCase):
    def test_reader_continues_across_a_publisher_reconnect(self):
        port = free_port()
        d = Daemon(["core.workers = 1", f"rtsp.listen = 127.0.0.1:{port}", "path.cam.source = publisher"]).start()
        url = f"rtsp://127.0.0.1:{port}/cam"
        first = publisher(url, seconds=4, audio=False)
        try:
            self.assertTrue(wait_for(lambda: d.ctl("-n", "stats.path.cam.keyframes").stdout.strip() not in ("", "0"), 20))
            reader = subprocess.Popen([FFMPEG, "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                                       "-i", url, "-t", "7", "-map", "0:v", "-f", "framemd5", "-"],
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            first.wait(timeout=30)
            second = publisher(url, seconds=5, audio=False)
            out, err = reader.communicate(timeout=60)
            stop(second)
            frames = [l for l in out.splitlines() if l and not l.startswith("#")]
            self.assertEqual(reader.returncode, 0, err)
            self.assertGreaterEqual(len(frames), 110)  # more than the first publisher alone sent
            self.assertIn("stopped publishing cam", d.log_text())
        finally:
            stop(first)
            d.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
