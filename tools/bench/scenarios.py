"""The benchmark's scenarios (ARCHITECTURE.md, "The benchmark"): what each one runs.

A Scenario is plain data: which server, how many streams and viewers, which tunables, how long
to warm up and measure, and what else to capture (a perf profile, the physical floor at the same
packet rate). bench.py runs them in the order listed here; `--only NAME` picks some by name,
`--quick` shrinks them for trying the harness out.
"""

import dataclasses
import math

# ringcastd gets one worker so that the load generator, on the same 2-core machine, has the
# other core. "CPU % of one core" is then also the share of the one worker's core. The scaling
# scenarios alone give it more.
WORKERS = 1


@dataclasses.dataclass
class Scenario:
    name: str
    group: str  # smoke | w64 | sweep | batch | libsrtp | janus | scaling
    title: str
    streams: int
    viewers: int
    measured_s: float
    server: str = "ringcast"  # ringcast | janus | pion (tools/bench/pion_relay)
    tunables: dict = dataclasses.field(default_factory=dict)
    loadgen_nack: bool = True
    perf: bool = False   # perf record -g of the server after the measured window
    floor: bool = False  # ringcast-floor at the delivered packet rate after the scenario
    whole_floor: bool = False  # and the whole job's floor (ringcast-floor --ingest STREAMS)
    netns: bool = False  # inside the benchmark's network namespace (the Janus comparison)
    # Sweep / Janus escalation: when a scenario of this series is not sustained, the larger
    # ones of the same series are skipped (they cannot be).
    series: str = ""
    asserts_delivery: bool = False  # smoke: fail the run when delivery is incomplete
    workers: int = WORKERS  # core.workers
    verify: int = 0  # the load generator's --verify-one-in; 0: by the viewer count
    pion_flags: list = dataclasses.field(default_factory=list)  # server = pion: its variant

    @property
    def verify_one_in(self):
        # Full decryption of every packet up to 100 viewers; above, the load generator's
        # sampling mode (1 in 16 decrypted and verified, the rest counted by sequence number)
        # keeps it off the server's core.
        if self.verify:
            return self.verify
        return 1 if self.viewers <= 100 else 16

    @property
    def ramp_per_s(self):
        return max(50, min(400, self.viewers // 8))

    @property
    def warmup_s(self):
        # Publishers are staggered over at most one GOP (1 s); viewers open at ramp_per_s; then a
        # few seconds so every viewer is past its fast-start burst.
        return 6 + math.ceil(self.viewers / self.ramp_per_s)

    @property
    def perf_s(self):
        return 10 if self.perf else 0

    def estimated_s(self):
        floor_s = (17 if self.floor else 0) + (14 if self.whole_floor else 0)
        perf_s = self.perf_s + 4 if self.perf else 0
        return 4 + self.warmup_s + self.measured_s + perf_s + floor_s + 2


def all_scenarios(quick=False):
    """Every scenario of a full run, in order. quick: small and short, for trying things."""
    measured_w64 = 15 if quick else 60
    w64_streams = 8 if quick else 64
    measured_sweep = 8 if quick else 30
    out = [
        # 7 s of warm-up + 12 s measured: about 20 s.
        Scenario("smoke", "smoke", "smoke: 2 streams x 4 viewers (asserts delivery)", 2, 4,
                 12, asserts_delivery=True),
    ]

    def w64(name, title, nack, sr_ms, engine="builtin", perf=False, group="w64",
            whole_floor=False):
        return Scenario(name, group, title, w64_streams, w64_streams, measured_w64,
                        tunables={"webrtc.nack": int(nack), "webrtc.rtcp_sr_interval_ms": sr_ms,
                                  "crypto.srtp_engine": engine},
                        loadgen_nack=nack, perf=perf, whole_floor=whole_floor)

    out += [
        w64("W64", "W64: NACK on, SR 1 s (the reference configuration)", True, 1000, perf=True,
            whole_floor=True),
        w64("W64-nack0", "W64: NACK off, SR 1 s", False, 1000),
        w64("W64-sr3", "W64: NACK on, SR 3 s", True, 3000),
        w64("W64-nack0-sr3", "W64: NACK off, SR 3 s (the reference report's optimised set)",
            False, 3000),
        w64("W64-libsrtp", "W64: crypto.srtp_engine = libsrtp", True, 1000, engine="libsrtp",
            group="libsrtp"),
    ]
    # Fewer wake-ups: a worker's wait gathers completions for up to core.batch_wait_us (the
    # kernel's min-wait), against W64 as it is; run them interleaved (--repeat).
    for wait_us in (250, 1000):
        out.append(dataclasses.replace(
            w64(f"W64-batch{wait_us}", f"W64: core.batch_wait_us = {wait_us}", True, 1000),
            tunables={"webrtc.nack": 1, "webrtc.rtcp_sr_interval_ms": 1000,
                      "crypto.srtp_engine": "builtin", "core.batch_wait_us": wait_us}))

    # MediaMTX's engine at W64 (tools/bench/pion_relay: pion/webrtc v3 set up as MediaMTX sets up
    # its readers), fed the same clip as plain RTP/UDP, with the same viewers: as MediaMTX runs
    # today (mDNS off), the reference report's baseline (mDNS on) and its optimised set (NACK
    # off, reports every 3 s), and one shared track per path instead of one per reader.
    def pion(name, title, flags, nack=True):
        return Scenario(name, "w64", title, w64_streams, w64_streams, measured_w64,
                        server="pion", pion_flags=flags, loadgen_nack=nack)

    out += [
        pion("W64-pion", "W64: MediaMTX's engine (pion), as MediaMTX runs it: NACK, TWCC, "
             "SR 1 s, mDNS off, a track per reader", []),
        pion("W64-pion-mdns", "W64: MediaMTX's engine, the reference report's baseline "
             "(mDNS on)", ["-mdns"]),
        pion("W64-pion-opt", "W64: MediaMTX's engine, the reference report's optimised set "
             "(NACK off, SR 3 s)", ["-nack=false", "-sr-interval", "3s"], nack=False),
        pion("W64-pion-shared", "W64: MediaMTX's engine with one shared track per path",
             ["-shared-track"]),
        # Janus's streaming plugin at W64, in the network namespace it needs (it offers no
        # loopback candidates), plain RTP/UDP in.
        Scenario("W64-janus", "w64", "W64: Janus 1.1 streaming plugin (in the network namespace)",
                 w64_streams, w64_streams, measured_w64, server="janus", netns=True),
    ]

    # The fan-out sweep: viewers from 1 up, spread over 1..64 streams (more viewers per stream
    # as the count grows). Each point is followed by the floor at its delivered packet rate;
    # the large ones are profiled.
    sweep = [(1, 1), (2, 10), (8, 50), (16, 100), (32, 250), (64, 500), (64, 1000), (64, 1500),
             (64, 2000)]
    if quick:
        sweep = [(1, 1), (2, 10), (8, 50), (16, 100)]
    for streams, viewers in sweep:
        out.append(Scenario(f"S{viewers}", "sweep", f"sweep: {streams} streams x {viewers} viewers",
                            streams, viewers, measured_sweep, floor=True,
                            perf=viewers >= 500, series="sweep"))
    # The same sweep point with batched wake-ups: does batching still pay where every wake-up
    # already carries many completions?
    bw_streams, bw_viewers = (16, 100) if quick else (64, 500)
    out.append(Scenario(f"S{bw_viewers}-batch1000", "batch",
                        f"sweep point {bw_streams} x {bw_viewers}, core.batch_wait_us = 1000",
                        bw_streams, bw_viewers, measured_sweep,
                        tunables={"core.batch_wait_us": 1000}))
    lib_streams, lib_viewers = (16, 100) if quick else (64, 500)
    out.append(Scenario(f"S{lib_viewers}-libsrtp", "libsrtp",
                        f"sweep point {lib_streams} x {lib_viewers}, crypto.srtp_engine = libsrtp",
                        lib_streams, lib_viewers, measured_sweep,
                        tunables={"crypto.srtp_engine": "libsrtp"}))

    # Janus and ringcast side by side in one network namespace, the same streams (plain RTP/UDP
    # into Janus's mountpoints, RTSP/UDP into ringcastd) and the same viewers, growing until one
    # of them stops keeping up (one series: a pair is only worth measuring whole). The larger
    # points are profiled, both servers.
    janus_points = [(4, 16)] if quick else [(16, 16), (16, 100), (16, 250), (16, 500)]
    for streams, viewers in janus_points:
        for server in ("ringcast", "janus"):
            out.append(Scenario(f"J{viewers}-{server}", "janus",
                                f"{server} in the netns: {streams} streams x {viewers} viewers",
                                streams, viewers, measured_sweep, server=server, netns=True,
                                perf=viewers >= 250, series="janus"))

    # Scaling over workers: the same load on one worker, then on two, with the load generator in
    # its cheapest viewer mode (1 packet in 256 decrypted, the rest counted from the clear RTP
    # header) so that it fits beside them on this machine. Many paths (placed on the workers by
    # their packet rate), then one popular path whose viewers are spread: 500 on the path's own
    # worker, the rest on the other one, fed by the relay. Each load runs on one worker, then
    # on two, back to back.
    scale_points = ([("M", 8, 100, {}), ("P", 1, 100, {"webrtc.viewers_per_worker": 50})]
                    if quick else
                    [("M", 64, 500, {}), ("P", 1, 1000, {"webrtc.viewers_per_worker": 500})])
    for prefix, streams, viewers, tunables in scale_points:
        what = (f"{streams} streams x {viewers} viewers" if streams > 1 else
                f"one path x {viewers} viewers (webrtc.viewers_per_worker = "
                f"{tunables['webrtc.viewers_per_worker']})")
        for workers in (1, 2):
            out.append(Scenario(f"{prefix}{viewers}-w{workers}", "scaling",
                                f"scaling: {what}, core.workers = {workers}", streams, viewers,
                                measured_sweep, tunables=dict(tunables), workers=workers,
                                verify=256, perf=workers > 1))
    return out
