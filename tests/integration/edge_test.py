#!/usr/bin/python3
"""Past one machine: an edge ringcastd pulls a path on demand from an origin ringcastd.

Two network namespaces joined by a veth pair stand for two hosts (10.77.0.1 origin, 10.77.0.2
edge). ffmpeg publishes into the origin; a reader plays the path from the edge, whose
`path.cam.source = rtsp://10.77.0.1:8554/cam` with on_demand = 1; once the reader leaves, the
edge drops the pull. Needs root (ip netns) — skipped otherwise. Traffic stays inside the two
namespaces this test creates and deletes.
"""

import os
import shutil
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import RINGCASTD, Daemon, wait_for  # noqa: E402

FFMPEG = shutil.which("ffmpeg")
TAG = f"rc{os.getpid() % 100000}"
ORIGIN_NS, EDGE_NS = f"{TAG}o", f"{TAG}e"
ORIGIN_IP, EDGE_IP = "10.77.0.1", "10.77.0.2"


def ip(*args):
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=20)


def netns_usable():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        return False
    r = subprocess.run(["ip", "netns", "add", f"{TAG}probe"], capture_output=True)
    if r.returncode != 0:
        return False
    subprocess.run(["ip", "netns", "del", f"{TAG}probe"], capture_output=True)
    return True


class NsDaemon(Daemon):
    """A ringcastd started inside a network namespace."""

    def __init__(self, netns, lines):
        super().__init__(lines)
        self.netns = netns

    def start(self, expect_ready=True):
        self.proc = subprocess.Popen(
            ["ip", "netns", "exec", self.netns, RINGCASTD, "--config", self.conf, "--config-dir",
             self.conf_d], stdout=self.log, stderr=subprocess.STDOUT)
        ok = wait_for(lambda: os.path.exists(self.socket) and self.ctl("-n", "core.workers").returncode == 0)
        assert ok, "ringcastd did not come up:\n" + self.log_text()
        return self


@unittest.skipIf(FFMPEG is None, "needs ffmpeg")
@unittest.skipUnless(netns_usable(), "needs root and network namespaces (ip netns)")
class EdgeTest(unittest.TestCase):
    def setUp(self):
        ip("netns", "add", ORIGIN_NS)
        ip("netns", "add", EDGE_NS)
        ip("link", "add", f"{TAG}a", "type", "veth", "peer", "name", f"{TAG}b")
        ip("link", "set", f"{TAG}a", "netns", ORIGIN_NS)
        ip("link", "set", f"{TAG}b", "netns", EDGE_NS)
        for ns, dev, addr in ((ORIGIN_NS, f"{TAG}a", ORIGIN_IP), (EDGE_NS, f"{TAG}b", EDGE_IP)):
            ip("-n", ns, "addr", "add", f"{addr}/24", "dev", dev)
            ip("-n", ns, "link", "set", dev, "up")
            ip("-n", ns, "link", "set", "lo", "up")
        self.procs = []
        self.daemons = []

    def tearDown(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
        errors = []
        for d in self.daemons:
            try:
                d.stop()
            except AssertionError as error:
                errors.append(str(error))
        subprocess.run(["ip", "netns", "del", ORIGIN_NS], capture_output=True)
        subprocess.run(["ip", "netns", "del", EDGE_NS], capture_output=True)
        if errors:
            raise AssertionError("\n".join(errors))

    def test_edge_pulls_on_demand_from_the_origin(self):
        origin = NsDaemon(ORIGIN_NS, ["core.workers = 1", "rtsp.listen = :8554", "path.cam.source = publisher"]).start()
        self.daemons.append(origin)
        edge = NsDaemon(EDGE_NS, ["core.workers = 1", "rtsp.listen = :8554",
                                  f"path.cam.source = rtsp://{ORIGIN_IP}:8554/cam", "path.cam.on_demand = 1",
                                  "path.cam.on_demand_close_after_ms = 2000"]).start()
        self.daemons.append(edge)

        publisher = subprocess.Popen(
            ["ip", "netns", "exec", ORIGIN_NS, FFMPEG, "-hide_banner", "-loglevel", "error", "-re",
             "-f", "lavfi", "-i", "testsrc=size=320x240:rate=25", "-t", "40", "-c:v", "libx264",
             "-preset", "ultrafast", "-tune", "zerolatency", "-g", "25", "-pix_fmt", "yuv420p",
             "-f", "rtsp", "-rtsp_transport", "tcp", "rtsp://127.0.0.1:8554/cam"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.procs.append(publisher)
        self.assertTrue(wait_for(lambda: origin.ctl("-n", "stats.path.cam.keyframes").stdout.strip() not in ("", "0"), 20),
                        origin.log_text())
        time.sleep(1)
        self.assertEqual(edge.ctl("-n", "stats.path.cam.source_ready").stdout, "0\n")  # not pulling yet
        self.assertEqual(origin.ctl("-n", "stats.path.cam.readers").stdout, "0\n")

        # A reader on the edge's host plays the path; the edge pulls from the origin meanwhile.
        r = subprocess.run(["ip", "netns", "exec", EDGE_NS, FFMPEG, "-hide_banner", "-loglevel", "error",
                            "-rtsp_transport", "tcp", "-i", f"rtsp://{EDGE_IP}:8554/cam", "-t", "3",
                            "-map", "0:v", "-f", "framemd5", "-"], capture_output=True, text=True, timeout=60)
        frames = [l for l in r.stdout.splitlines() if l and not l.startswith("#")]
        self.assertEqual((r.returncode, r.stderr.strip()), (0, ""))
        self.assertGreaterEqual(len(frames), 50)
        self.assertIn(f"reading cam", origin.log_text())  # the edge was the origin's reader

        # The last reader left: the edge drops its pull, and the origin sees its reader go.
        self.assertTrue(wait_for(lambda: "closing its on-demand source" in edge.log_text(), 15), edge.log_text())
        self.assertTrue(wait_for(lambda: origin.ctl("-n", "stats.path.cam.readers").stdout == "0\n", 15),
                        origin.log_text())


if __name__ == "__main__":
    unittest.main(verbosity=2)
