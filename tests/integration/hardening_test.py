#!/usr/bin/python3
"""ringcastd under abuse, with real traffic (issue 13's findings, one test each).

- NACK floods: ringcast-loadgen's viewers that NACK on purpose (`--nack-attack all`: the last 1000
  numbers 100 times a second; `repeat`: the same 17 numbers 100 times a second) beside a viewer
  that behaves. The attacker gets at most its retransmission budget, the other viewer's delivery
  and the server's CPU stay where they were without the attack.

Run by ctest with RINGCASTD, RINGCASTCTL and RINGCAST_LOADGEN naming the binaries.
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, free_port  # noqa: E402

LOADGEN = os.environ.get("RINGCAST_LOADGEN", "build/bin/ringcast-loadgen")
BUDGET_PERCENT = 25  # webrtc.nack_budget_percent's default
MIN_BURST = 64 * 1024  # RetransmitBudget::kMinBurstBytes


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class NackFloodTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.rtsp_port = free_port()
        cls.d = Daemon([
            "core.workers = 1",
            f"rtsp.listen = 127.0.0.1:{cls.rtsp_port}",
            "rtsp.publish_any = 1",
            "webrtc.advertise = 127.0.0.1",
        ]).start()
        cls.runs = 0

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def stat(self, name):
        r = self.d.ctl("-n", name)
        self.assertEqual(r.returncode, 0, r.stderr)
        return float(r.stdout.strip())

    def run_load(self, *extra, duration=8):
        """One publisher, two viewers of its path; returns the report, the server's CPU seconds
        and its retransmission figures over the run."""
        type(self).runs += 1
        out = os.path.join(tempfile.mkdtemp(prefix="ringcast-nack-"), "report.json")
        path = f"flood{self.runs}"
        cmd = [LOADGEN, "--publish", "1", "--view", "2", "--paths", "1",
               "--rtsp-url", f"rtsp://127.0.0.1:{self.rtsp_port}/{path}",
               "--whep-url", f"http://127.0.0.1:{self.d.webrtc_port}/{path}/whep",
               "--verify-one-in", "10", "--duration", str(duration), "--quiet", "--json", out,
               *extra]
        names = ["stats.webrtc.retransmit_bytes", "stats.webrtc.retransmits",
                 "stats.webrtc.nack_refused", "stats.webrtc.nack_misses", "stats.drops.webrtc_nack_over_budget",
                 "stats.drops.webrtc_nack_repeat", "stats.drops.webrtc_nack_too_old"]
        before = {n: self.stat(n) for n in names}
        cpu_before = cpu_seconds(self.d.proc.pid)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 40)
        cpu = cpu_seconds(self.d.proc.pid) - cpu_before
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr + self.d.log_text()[-3000:])
        after = {n: self.stat(n) for n in names}
        with open(out) as f:
            report = json.load(f)
        delta = {n.rsplit(".", 1)[1]: after[n] - before[n] for n in names}
        return report, cpu, delta, p.stdout

    def viewer(self, report, index):
        v = next(v for v in report["viewers"]["list"] if v["index"] == index)
        self.assertEqual(v["state"], "media", v["error"])
        return v["counts"]

    def test_a_flood_gets_the_budget_and_nobody_else_notices(self):
        quiet, quiet_cpu, quiet_delta, _ = self.run_load()
        results = {}
        for mode in ("all", "repeat"):
            results[mode] = self.run_load("--nack-attack", mode, "--nack-attackers", "1")
        print(f"\nno attack: server CPU {quiet_cpu:.2f} s, retransmitted "
              f"{quiet_delta['retransmit_bytes']:.0f} B", file=sys.stderr)
        calm = self.viewer(quiet, 1)
        for mode, (report, cpu, delta, summary) in results.items():
            attacker, other = self.viewer(report, 0), self.viewer(report, 1)
            print(f"--nack-attack {mode}: {attacker['attack_nacks']} NACKs asking for "
                  f"{attacker['attack_seqs']} packets; server retransmitted "
                  f"{delta['retransmits']:.0f} packets, {delta['retransmit_bytes']:.0f} B; "
                  f"{delta['nack_misses']:.0f} no longer held (refused: over budget {delta['webrtc_nack_over_budget']:.0f}, repeats "
                  f"{delta['webrtc_nack_repeat']:.0f}, too old {delta['webrtc_nack_too_old']:.0f}); "
                  f"server CPU {cpu:.2f} s; other viewer {other['packets']} packets, "
                  f"lost {other['lost']}", file=sys.stderr)
            self.assertGreater(attacker["attack_nacks"], 300, summary)  # ~100/s for ~6 s of media
            # The budget: the starting burst plus a quarter of what the attacker was sent fresh
            # (what the other viewer received: the same stream, no retransmissions), and SRTP's
            # tag on each packet resent.
            budget = MIN_BURST + BUDGET_PERCENT / 100 * other["bytes"] + 16 * delta["retransmits"]
            print(f"  budget {budget:.0f} B", file=sys.stderr)
            self.assertLessEqual(delta["retransmit_bytes"], budget, summary)
            # What was not resent was refused (budget, repeat, too old) or is no longer held.
            self.assertGreater(delta["nack_refused"] + delta["nack_misses"],
                               attacker["attack_seqs"] / 2, summary)
            # The viewer beside it: everything delivered, as without the attack.
            self.assertEqual(other["lost"], 0, summary)
            self.assertGreaterEqual(other["packets"], 0.9 * calm["packets"], summary)
            # The server's CPU: the attack's NACKs are refused for the price of a look-up each.
            # Within noise on a shared 2-core machine: well under twice the quiet run.
            self.assertLess(cpu, 2 * quiet_cpu + 0.5, summary)
        self.assertGreater(results["all"][2]["webrtc_nack_over_budget"], 0)
        # The same numbers again every 10 ms: resent once per round trip (at least 5 ms), then
        # held to the budget.
        repeat = results["repeat"][2]
        self.assertGreater(repeat["retransmits"], 0)
        self.assertGreater(repeat["webrtc_nack_over_budget"] + repeat["webrtc_nack_repeat"], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
