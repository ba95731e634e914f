#!/usr/bin/python3
"""Paths with a source of their own: pulling a camera (GStreamer's RTSP server standing in for
one, tests/data/rtsp/gst_camera.py) over TCP and UDP, surviving the camera's restart, on-demand pulls, sources added, changed
and removed live, Digest credentials, and the built-in demo clip.

Run by ctest with RINGCASTD and RINGCASTCTL; needs ffmpeg and /usr/bin/python3 with GStreamer's
RTSP server (the set-up script installs both). Loopback only; every wait is bounded.
"""

import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, free_port, wait_for  # noqa: E402

FFMPEG = shutil.which("ffmpeg")
HERE = os.path.dirname(os.path.abspath(__file__))


def have_gst_rtsp_server():
    r = subprocess.run(["/usr/bin/python3", "-c",
                        "import gi; gi.require_version('GstRtspServer', '1.0'); "
                        "from gi.repository import GstRtspServer"], capture_output=True)
    return r.returncode == 0


CAMERA = os.path.join(HERE, "..", "data", "rtsp", "gst_camera.py")
READER = os.path.join(HERE, "..", "data", "rtsp", "gst_reader.py")


class Camera:
    """GStreamer's RTSP server serving /cam (H.264 + Opus), as tests/data/rtsp/gst_camera.py."""

    def __init__(self, port=None, user=None, password=None):
        self.port = port or free_port()
        self.args = ["/usr/bin/python3", CAMERA, "--port", str(self.port)]
        if user:
            self.args += ["--auth", "digest", "--user", user, "--password", password]
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("PORT"), f"camera did not start: {line!r}"
        return self

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout) if self.proc else ():
            try:
                stream.close()
            except OSError:
                pass

    def url(self, credentials=""):
        return f"rtsp://{credentials}127.0.0.1:{self.port}/cam"


def stat(d, name):
    r = d.ctl("-n", name)
    return r.stdout.strip() if r.returncode == 0 else None


def decode(url, seconds=2, transport="tcp"):
    r = subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-rtsp_transport", transport,
                        "-i", url, "-t", str(seconds), "-map", "0:v", "-f", "framemd5", "-"],
                       capture_output=True, text=True, timeout=60)
    frames = [l for l in r.stdout.splitlines() if l and not l.startswith("#")]
    return r.returncode, len(frames), r.stderr.strip()


@unittest.skipIf(FFMPEG is None or not have_gst_rtsp_server(), "needs ffmpeg and GStreamer's RTSP server")
class PullTest(unittest.TestCase):
    def setUp(self):
        self.cameras = []
        self.daemons = []

    def tearDown(self):
        for camera in self.cameras:
            camera.kill()
        for d in self.daemons:
            d.stop()

    def camera(self, **kwargs):
        camera = Camera(**kwargs).start()
        self.cameras.append(camera)
        return camera

    def daemon(self, lines):
        d = Daemon(["core.workers = 2", *lines]).start()
        self.daemons.append(d)
        d.base = f"rtsp://{d_listen(d)}"
        return d

    def test_pull_over_tcp_and_udp(self):
        camera = self.camera()
        d = self.daemon([f"path.tcpcam.source = {camera.url()}", "path.tcpcam.source_transport = tcp",
                         f"path.udpcam.source = {camera.url()}", "path.udpcam.source_transport = udp"])
        for path in ("tcpcam", "udpcam"):
            self.assertTrue(wait_for(lambda: stat(d, f"stats.path.{path}.source_ready") == "1", 20),
                            d.log_text())
            code, frames, err = decode(f"{d.base}/{path}", 2)
            self.assertEqual((code, err), (0, ""), path)
            self.assertGreaterEqual(frames, 30, path)
        self.assertIn("playing over TCP", d.log_text())
        self.assertIn("playing over UDP", d.log_text())

    def test_reader_continues_when_the_camera_restarts(self):
        for transport in ("tcp", "udp"):
            with self.subTest(transport=transport):
                self.check_camera_restart(transport)

    def check_camera_restart(self, transport):
        camera = self.camera()
        d = self.daemon([f"path.cam.source = {camera.url()}", f"path.cam.source_transport = {transport}"])
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.cam.source_ready") == "1", 20), d.log_text())
        reader = subprocess.Popen([FFMPEG, "-hide_banner", "-loglevel", "error", "-rtsp_transport", "tcp",
                                   "-i", f"{d.base}/cam", "-t", "6", "-map", "0:v", "-f", "framemd5", "-"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(2)
        camera.kill()
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.cam.source_ready") == "0", 20), d.log_text())
        restarted = self.camera(port=camera.port)
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.cam.source_ready") == "1", 30), d.log_text())
        out, err = reader.communicate(timeout=60)
        frames = [l for l in out.splitlines() if l and not l.startswith("#")]
        self.assertEqual(reader.returncode, 0, err)
        # 2 s before the kill at 25 fps is about 50 frames: more means the reader went on after it.
        self.assertGreaterEqual(len(frames), 100, err)
        self.assertGreaterEqual(int(stat(d, "stats.path.cam.source_reconnects")), 1)
        del restarted

    def test_on_demand_pulls_only_while_watched(self):
        camera = self.camera()
        d = self.daemon([f"path.od.source = {camera.url()}", "path.od.on_demand = 1",
                         "path.od.on_demand_close_after_ms = 2000"])
        time.sleep(1)
        self.assertEqual(stat(d, "stats.path.od.source_ready"), "0")
        code, frames, err = decode(f"{d.base}/od", 2)  # DESCRIBE waits for the pull to start
        self.assertEqual((code, err), (0, ""))
        self.assertGreaterEqual(frames, 30)
        self.assertTrue(wait_for(lambda: "closing its on-demand source" in d.log_text(), 15), d.log_text())
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.od.source_ready") == "0", 5))  # 1 s stats

    def test_sources_are_added_changed_and_removed_live(self):
        camera = self.camera()
        d = self.daemon([])
        self.assertEqual(d.ctl("-q", "-w", f"path.live.source={camera.url()}").returncode, 0)
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.live.source_ready") == "1", 20), d.log_text())
        code, frames, err = decode(f"{d.base}/live", 1)
        self.assertEqual((code, err), (0, ""))
        # Pointing it at a dead port: the pull goes down and keeps retrying.
        dead = free_port()
        self.assertEqual(d.ctl("-q", "-w", f"path.live.source=rtsp://127.0.0.1:{dead}/cam").returncode, 0)
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.live.source_ready") == "0", 20))
        self.assertTrue(wait_for(lambda: "connection refused" in d.log_text().lower(), 20), d.log_text())
        self.assertEqual(d.ctl("--remove-path", "live").returncode, 0)
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.live.source_ready") is None, 5))

    def test_digest_credentials_to_the_camera(self):
        camera = self.camera(user="admin", password="cam-secret-9")
        d = self.daemon([f"path.locked.source = {camera.url('admin:cam-secret-9@')}",
                         f"path.wrong.source = {camera.url('admin:nope@')}"])
        self.assertTrue(wait_for(lambda: stat(d, "stats.path.locked.source_ready") == "1", 20), d.log_text())
        code, frames, err = decode(f"{d.base}/locked", 1)
        self.assertEqual((code, err), (0, ""))
        self.assertTrue(wait_for(lambda: "wrong credentials" in d.log_text(), 20), d.log_text())
        self.assertEqual(stat(d, "stats.path.wrong.source_ready"), "0")
        code, _, err = decode(f"{d.base}/wrong", 1)
        self.assertNotEqual(code, 0)
        log = d.log_text()
        self.assertNotIn("cam-secret-9", log)
        self.assertNotIn("nope@", log)


@unittest.skipIf(FFMPEG is None, "needs ffmpeg")
class DemoTest(unittest.TestCase):
    def test_demo_path_plays(self):
        d = Daemon(["core.workers = 1", "path.demo.source = demo"]).start()
        try:
            base = f"rtsp://{d_listen(d)}"
            self.assertTrue(wait_for(lambda: stat(d, "stats.path.demo.source_ready") == "1", 20), d.log_text())
            r = subprocess.run([shutil.which("ffprobe"), "-v", "error", "-rtsp_transport", "tcp",
                                "-show_entries", "stream=codec_name,width,height", "-of", "csv=p=0",
                                f"{base}/demo"], capture_output=True, text=True, timeout=60)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, "h264,640,360"), r.stderr)
            code, frames, err = decode(f"{base}/demo", 3)
            self.assertEqual((code, err), (0, ""))
            self.assertGreaterEqual(frames, 50)
        finally:
            d.stop()


    @unittest.skipIf(not have_gst_rtsp_server(), "needs python3-gi and GStreamer")
    def test_gstreamer_reads_over_tcp_and_udp(self):
        d = Daemon(["core.workers = 1", "path.demo.source = demo"]).start()
        try:
            base = f"rtsp://{d_listen(d)}"
            self.assertTrue(wait_for(lambda: stat(d, "stats.path.demo.source_ready") == "1", 20), d.log_text())
            for protocol in ("tcp", "udp"):
                r = subprocess.run(["/usr/bin/python3", READER, f"{base}/demo", "--protocols", protocol,
                                    "--frames", "50"],
                                   capture_output=True, text=True, timeout=60)
                frames = int(r.stdout.split()[-1]) if r.stdout.startswith("FRAMES ") else 0
                self.assertEqual(r.returncode, 0, f"{protocol}: {r.stderr}\nringcastd:\n{d.log_text()}")
                self.assertGreaterEqual(frames, 50, protocol)
        finally:
            d.stop()


def d_listen(d):
    with open(d.conf) as f:
        listen = [l.split("=", 1)[1].strip() for l in f if l.startswith("rtsp.listen")]
    return listen[-1]


if __name__ == "__main__":
    unittest.main(verbosity=2)
