#!/usr/bin/python3
"""ringcast-loadgen against the real daemon: the smoke test of the benchmark's load generator.

Two RTSP publishers replay the build's 720p30 clip, three WHEP viewers watch each (real ICE,
DTLS, SRTP, RTCP), for about ten seconds; the JSON report must show delivery: every viewer got
packets and its first keyframe, sender reports arrived, and every gap was recovered (or there
were none). A second, shorter run drops 1 in 100 packets at the viewers on purpose so the NACK
path has something to recover. A third run points plain-RTP publishers and Janus-mode viewers at
Janus's streaming plugin inside a user+network namespace with a veth pair (Janus offers no
loopback candidates); it is skipped when janus or unprivileged namespaces are not available.
Asserts delivery, not speed.

Run by ctest with RINGCASTD, RINGCASTCTL and RINGCAST_LOADGEN naming the binaries.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, free_port  # noqa: E402

LOADGEN = os.environ.get("RINGCAST_LOADGEN", "build/bin/ringcast-loadgen")


class LoadgenTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rtsp_port = free_port()
        cls.d = Daemon([
            "core.workers = 1",
            f"rtsp.listen = 127.0.0.1:{cls.rtsp_port}",
            "rtsp.publish_any = 1",
            "webrtc.advertise = 127.0.0.1",
        ]).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def run_loadgen(self, *extra, duration=10):
        out = os.path.join(tempfile.mkdtemp(prefix="ringcast-loadgen-"), "report.json")
        cmd = [LOADGEN, "--publish", "2", "--view", "6",
               "--rtsp-url", f"rtsp://127.0.0.1:{self.rtsp_port}/smoke%d",
               "--whep-url", f"http://127.0.0.1:{self.d.webrtc_port}/smoke%d/whep",
               "--duration", str(duration), "--quiet", "--json", out, *extra]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 30)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + self.d.log_text()[-3000:])
        with open(out) as f:
            report = json.load(f)
        return report, p.stdout

    def check_delivery(self, report, summary):
        self.assertEqual(report["publishers"]["streaming"], 2, summary)
        viewers = report["viewers"]
        self.assertEqual(viewers["count"], 6)
        self.assertEqual(viewers["failed"], 0, summary)
        for v in viewers["list"]:
            c = v["counts"]
            name = f"viewer {v['index']} ({v['path']})"
            self.assertEqual(v["state"], "media", f"{name}: {v['error']}")
            self.assertGreater(c["packets"], 500, name)  # ~200 packets/s for ~10 s
            self.assertGreaterEqual(v["first_keyframe_ms"], 0, f"{name}: no keyframe")
            self.assertGreater(c["srs"], 0, f"{name}: no sender report")
            self.assertGreater(c["rrs_sent"], 0, name)
            self.assertGreater(c["verified"], 0, name)
            self.assertEqual(c["verify_failed"], 0, name)
            self.assertEqual(c["rtcp_failed"], 0, name)
        # Each path's viewers see the same stream: two groups of three.
        paths = sorted(v["path"] for v in viewers["list"])
        self.assertEqual(paths, ["smoke0"] * 3 + ["smoke1"] * 3)
        self.assertTrue(report["per_second"], "no per-second samples")
        self.assertGreater(report["loadgen_cpu"]["user_s"] + report["loadgen_cpu"]["system_s"], 0)

    def test_1_publishers_and_viewers_deliver(self):
        report, summary = self.run_loadgen("--verify-one-in", "1")
        self.check_delivery(report, summary)
        t = report["viewers"]["totals"]
        self.assertEqual(t["lost"], 0, summary)
        self.assertEqual(t["gaps"], t["recovered"] + t["late"], summary)
        self.assertEqual(report["verify"]["mode"], "all")
        self.assertIn("verify mode: all", summary)

    def test_2_nack_recovers_dropped_packets(self):
        report, summary = self.run_loadgen("--simulate-loss-one-in", "100", "--verify-one-in", "5",
                                           "--transport", "udp", duration=6)
        self.check_delivery(report, summary)
        t = report["viewers"]["totals"]
        self.assertGreater(t["dropped_on_purpose"], 0)
        self.assertGreater(t["nacks_sent"], 0, summary)
        self.assertGreater(t["recovered"], 0, summary)
        # A retransmission can itself be dropped (1 in 100) and then recovered by the retry;
        # losing both is rare.
        self.assertLessEqual(t["lost"], max(2, t["gaps"] // 20), summary)
        self.assertEqual(report["verify"]["mode"], "1/5")


JANUS_STREAMING = """general: {
}
bench1: {
	type = "rtp"
	id = 1
	audio = false
	video = true
	videoport = 5004
	videopt = 96
	videocodec = "h264"
	videofmtp = "profile-level-id=42e01f;packetization-mode=1"
}
bench2: {
	type = "rtp"
	id = 2
	audio = false
	video = true
	videoport = 5006
	videopt = 96
	videocodec = "h264"
	videofmtp = "profile-level-id=42e01f;packetization-mode=1"
}
"""

# Inside `unshare -rn`: a veth pair, Janus bound to it, the loadgen against it.
JANUS_RUN = """set -e
ip link set lo up
ip link add v0 type veth peer name v1
ip addr add 10.99.0.1/24 dev v0
ip addr add 10.99.0.2/24 dev v1
ip link set v0 up
ip link set v1 up
janus -F {conf} -C {conf}/janus.jcfg > {conf}/janus.log 2>&1 &
JANUS=$!
python3 -c '
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("10.99.0.1", 8088), 0.2).close(); sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit("janus did not open its HTTP port")'
set +e
{loadgen} --allow-non-loopback --rtp-publish 10.99.0.1:5004 --rtp-streams 2 --view 4 \
  --janus-url http://10.99.0.1:8088/janus --janus-mountpoints 1,2 --duration 8 --quiet \
  --json {conf}/report.json
STATUS=$?
kill $JANUS
wait $JANUS
exit $STATUS
"""


class LoadgenJanusTest(unittest.TestCase):
    def test_janus_viewers_receive(self):
        if not shutil.which("janus") or not os.path.exists("/etc/janus/janus.jcfg"):
            self.skipTest("janus is not installed")
        if subprocess.run(["unshare", "-rn", "ip", "link", "add", "v0", "type", "veth", "peer",
                           "name", "v1"], capture_output=True).returncode != 0:
            self.skipTest("no unprivileged user+network namespaces with veth")
        conf = tempfile.mkdtemp(prefix="ringcast-janus-")
        with open("/etc/janus/janus.jcfg") as f:
            text = f.read()
        text = text.replace('configs_folder = "/etc/janus"', f'configs_folder = "{conf}"')
        text = text.replace('#ice_enforce_list = "eth0"\n', 'ice_enforce_list = "v0"\n', 1)
        text = text.replace('#disable = "libjanus_voicemail.so,libjanus_recordplay.so"',
                            'disable = "libjanus_voicemail.so,libjanus_recordplay.so,'
                            'libjanus_audiobridge.so,libjanus_videoroom.so,libjanus_sip.so,'
                            'libjanus_textroom.so,libjanus_videocall.so,libjanus_echotest.so"')
        self.assertIn('ice_enforce_list = "v0"', text)
        with open(os.path.join(conf, "janus.jcfg"), "w") as f:
            f.write(text)
        shutil.copy("/etc/janus/janus.transport.http.jcfg", conf)
        with open(os.path.join(conf, "janus.plugin.streaming.jcfg"), "w") as f:
            f.write(JANUS_STREAMING)
        script = os.path.join(conf, "run.sh")
        with open(script, "w") as f:
            f.write(JANUS_RUN.format(conf=conf, loadgen=LOADGEN))
        p = subprocess.run(["unshare", "-rn", "sh", script], capture_output=True, text=True,
                           timeout=60)
        log = ""
        if os.path.exists(os.path.join(conf, "janus.log")):
            with open(os.path.join(conf, "janus.log")) as f:
                log = f.read()[-3000:]
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + log)
        with open(os.path.join(conf, "report.json")) as f:
            report = json.load(f)
        self.assertEqual(report["publishers"]["streaming"], 2, p.stdout)
        self.assertEqual(report["viewers"]["failed"], 0, p.stdout)
        for v in report["viewers"]["list"]:
            name = f"viewer {v['index']} ({v['path']}): {v['error']}"
            self.assertEqual(v["state"], "media", name)
            self.assertGreater(v["counts"]["packets"], 300, name)
            self.assertGreaterEqual(v["first_keyframe_ms"], 0, name)
            self.assertGreater(v["counts"]["verified"], 0, name)
            self.assertEqual(v["counts"]["verify_failed"], 0, name)
        self.assertEqual(report["viewers"]["totals"]["lost"], 0, p.stdout)
        shutil.rmtree(conf, ignore_errors=True)


if __name__ == "__main__":
    unittest.main(verbosity=2)
