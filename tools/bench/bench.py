#!/usr/bin/python3
"""ringcast's benchmark: runs the scenarios of issue 5 and writes bench/REPORT.md.

    tools/bench/run                    # build (RelWithDebInfo, build-bench/) and run everything
    tools/bench/bench.py --list        # the scenarios and how long each takes
    tools/bench/bench.py --only W64    # one scenario (or several: --only W64,S500)
    tools/bench/bench.py --quick       # small, short versions → build-bench/bench-quick

Each scenario starts its own ringcastd (config in a temporary directory: free ports,
rtsp.publish_any = 1, webrtc.advertise, core.workers and the scenario's tunables), or Janus, then
ringcast-loadgen (publishers and WHEP viewers), and samples once a second: the server's CPU
(utime+stime from /proc/PID/stat, as % of one core), RSS (VmRSS) and threads, and the load
generator's own CPU. The load generator's JSON gives the delivery figures per second. Figures are
taken over the steady-state window (after the warm-up); a perf profile of the server, where the
scenario asks for one, is taken after that window so it does not inflate it. The fan-out sweep is
followed by ringcast-floor at the delivered packet rate (the physical floor, same run).

Output (the output directory, bench/ by default): REPORT.md, PNG charts, samples-NAME.csv (one
row per second), summary.csv, results.json (merged by scenario name, so --only reruns one
scenario of a full run), perf-NAME.txt; logs/ (the server's and the load generator's output,
not committed). Exit status: 0, 1 when a scenario failed or (smoke)
delivery was incomplete, 77 when the load generator is not built.
"""

import argparse
import csv
import datetime
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import janus  # noqa: E402
import report  # noqa: E402
import scenarios  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
NETNS = "ringcast-bench"
VETH_SERVER, VETH_PEER = "rcbench0", "rcbench1"
SERVER_IP, PEER_IP = "10.99.0.1", "10.99.0.2"
SKIP = 77


class RunError(Exception):
    """A scenario could not run (a server did not start, the load generator failed, …)."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_free(port, kind=socket.SOCK_DGRAM):
    with socket.socket(socket.AF_INET, kind) as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def tail(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""


def netns_prefix(scenario):
    return ["ip", "netns", "exec", NETNS] if scenario.netns else []


# --- /proc sampling ------------------------------------------------------------------------

def largest_mappings(pid, count=12):
    """The process's largest memory mappings by resident size: [(rss_kb, description)]."""
    try:
        with open(f"/proc/{pid}/smaps") as f:
            text = f.read()
    except OSError:
        return []
    out, header = [], None
    for line in text.splitlines():
        first = line.split(None, 1)[0]
        if "-" in first and not first.endswith(":"):
            fields = line.split()
            start, end = (int(x, 16) for x in fields[0].split("-"))
            name = fields[5] if len(fields) > 5 else "[anon]"
            header = f"{name} ({(end - start) // 1024} kB mapped, {fields[1]})"
        elif first == "Rss:" and header:
            out.append((int(line.split()[1]), header))
    return sorted(out, reverse=True)[:count]


def stop_process(proc, log_file):
    """SIGTERM, SIGKILL after 20 s; then closes the process's log file."""
    if proc and proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    if proc:
        log_file.close()


def read_stat(directory):
    """(name, CPU ticks utime+stime, {status field: value}) of /proc/PID or /proc/PID/task/TID;
    None once it is gone."""
    try:
        with open(f"{directory}/stat") as f:
            stat = f.read()
        with open(f"{directory}/status") as f:
            status = f.read()
    except OSError:
        return None
    name = stat[stat.index("(") + 1:stat.rindex(")")]
    fields = stat[stat.rindex(")") + 2:].split()  # fields[0] is field 3 (state) of proc(5)
    ticks = int(fields[11]) + int(fields[12])     # utime (14), stime (15)
    values = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        values[key] = (value.split() or [""])[0]  # "VmRSS:  1234 kB" → "1234"
    return name, ticks, values


def proc_sample(pid):
    """(CPU ticks utime+stime, VmRSS kB, threads) of a live process; None once it is gone."""
    read = read_stat(f"/proc/{pid}")
    if read is None:
        return None
    _, ticks, status = read
    return ticks, int(status.get("VmRSS", 0)), int(status.get("Threads", 0))


def thread_ticks(pid):
    """{thread name: [CPU ticks, voluntary, involuntary context switches]} of a live process's
    threads (/proc/PID/task; threads of one name summed); {} once it is gone."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        read = read_stat(f"/proc/{pid}/task/{tid}")
        if read is None:
            continue  # the thread ended between the listing and the read
        name, ticks, status = read
        sums = out.setdefault(name, [0, 0, 0])
        for i, value in enumerate((ticks, int(status["voluntary_ctxt_switches"]),
                                   int(status["nonvoluntary_ctxt_switches"]))):
            sums[i] += value
    return out


# --- the servers ---------------------------------------------------------------------------

class Ringcastd:
    """A ringcastd with its config in `workdir`, on free ports, optionally in the netns."""

    def __init__(self, bench, scenario, workdir):
        self.bench, self.scenario = bench, scenario
        self.host = SERVER_IP if scenario.netns else "127.0.0.1"
        self.socket = os.path.join(workdir, "ctl.sock")
        self.rtsp_port = free_port()
        self.http_port = free_port()
        self.udp_port = free_port(socket.SOCK_DGRAM)
        self.conf = os.path.join(workdir, "ringcast.conf")
        self.log_path = os.path.join(workdir, "ringcastd.log")
        lines = [
            f"ctl.socket = {self.socket}",
            f"metrics.listen = 127.0.0.1:{free_port()}",
            f"rtsp.listen = {self.host}:{self.rtsp_port}",
            "rtsp.rtp_port = 0",
            "rtsp.rtcp_port = 0",
            "rtsp.publish_any = 1",
            f"webrtc.listen = {self.host}:{self.http_port}",
            f"webrtc.udp_port = {self.udp_port}",
            f"webrtc.advertise = {self.host}",
            f"core.workers = {scenario.workers}",
            "core.log_level = warn",
            # Every publisher and viewer of the load generator comes from one address: the
            # per-address limits against floods (100 WHEP sessions, 128 HTTP and 256 RTSP
            # connections by default) would refuse the larger scenarios.
            "webrtc.max_sessions_per_ip = 0",
            "webrtc.max_connections_per_ip = 0",
            "rtsp.max_connections_per_ip = 0",
        ] + [f"{key} = {value}" for key, value in scenario.tunables.items()]
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            netns_prefix(self.scenario) + [self.bench.ringcastd, "--config", self.conf],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.proc.poll() is not None or self.ctl("core.workers"), 20):
            raise RunError("ringcastd did not come up in 20 s:\n" + tail(self.log_path))
        if self.proc.poll() is not None:
            raise RunError(f"ringcastd exited {self.proc.returncode}:\n" + tail(self.log_path))
        return self

    @property
    def pid(self):
        return self.proc.pid  # `ip netns exec` execs the daemon: same pid

    def ctl(self, *names):
        """{name: value} of the daemon's tunables/figures (all of `names` must be known)."""
        try:
            r = subprocess.run([self.bench.ringcastctl, "-S", self.socket, *names],
                               capture_output=True, text=True, timeout=10)
        except subprocess.TimeoutExpired:
            return {}
        if r.returncode != 0:
            return {}
        out = {}
        for line in r.stdout.splitlines():
            key, _, value = line.partition(" = ")
            out[key] = value
        return out

    def counters(self):
        names = ["stats.webrtc.packets_out", "stats.webrtc.datagrams_out", "stats.webrtc.sendmsgs",
                 "stats.webrtc.retransmits", "stats.webrtc.sessions", "stats.webrtc.forwarded",
                 "stats.webrtc.viewers_spread"]
        per_worker = [f"stats.worker.{i}.{key}" for i in range(self.scenario.workers)
                      for key in ("paths", "sessions", "packets_in", "packets_out")]
        values = self.ctl(*names, *per_worker)
        out = {k.rsplit(".", 1)[1]: float(v) for k, v in values.items()
               if v and not k.startswith("stats.worker.")}
        out["workers"] = {k[len("stats.worker."):]: float(v) for k, v in values.items()
                          if v and k.startswith("stats.worker.")}
        return out

    def memory(self):
        """What the paths' packet histories hold (stats.path.*.history_bytes), the most they
        had to keep lately (history_needed_bytes), the receive buffers the workers gave the
        kernel and the send slots reserved: bytes, summed."""
        sums = {"history_bytes": 0.0, "history_needed_bytes": 0.0, "rx_buffer_bytes": 0.0,
                "send_slot_bytes": 0.0}
        values = self.ctl("stats.path")
        values.update(self.ctl("stats.worker"))
        values.update(self.ctl("stats.webrtc.send_slot_bytes"))
        for key, value in values.items():
            field = key.rsplit(".", 1)[1]
            if field in sums and value:
                sums[field] += float(value)
        return sums

    def stop(self):
        stop_process(self.proc, self.log)


class PeerServer:
    """A server ringcastd is compared with (Janus, the pion relay): started from a command line,
    up once `ready()` says so; its figures come from /proc alone."""

    name = "peer"

    def launch(self, cmd, ready, seconds):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.proc.poll() is not None or ready(), seconds):
            raise RunError(f"{self.name} did not come up in {seconds} s:\n" + tail(self.log_path))
        if self.proc.poll() is not None:
            raise RunError(f"{self.name} exited {self.proc.returncode}:\n" + tail(self.log_path))
        return self

    @property
    def pid(self):
        return self.proc.pid

    def counters(self):
        return {}

    def memory(self):
        return {}

    def stop(self):
        stop_process(self.proc, self.log)


class Janus(PeerServer):
    """Janus (Debian's) with a generated config, inside the netns."""

    name = "janus"

    def __init__(self, bench, scenario, workdir):
        self.bench, self.scenario = bench, scenario
        self.http_port = 8088
        self.rtp_base = 20000
        self.config = janus.write_config(
            os.path.join(workdir, "janus"), http_port=self.http_port, veth=VETH_SERVER,
            streams=scenario.streams, rtp_base=self.rtp_base, rtp_port_range="30000-40000")
        self.log_path = os.path.join(workdir, "janus.log")
        self.proc = None

    def start(self):
        probe = ["ip", "netns", "exec", NETNS, sys.executable, "-c",
                 "import urllib.request,sys;"
                 f"urllib.request.urlopen('http://{SERVER_IP}:{self.http_port}/janus/info',"
                 "timeout=2).read()"]
        return self.launch(
            netns_prefix(self.scenario) + [self.bench.janus, "-C", self.config, "-F",
                                           os.path.dirname(self.config), "--disable-colors"],
            lambda: subprocess.run(probe, capture_output=True).returncode == 0, 30)


class PionRelay(PeerServer):
    """tools/bench/pion_relay: MediaMTX's WebRTC engine (pion/webrtc v3 set up as MediaMTX sets
    up its readers), fed plain RTP/UDP like Janus; the scenario's `pion_flags` pick the variant."""

    name = "pion-relay"

    def __init__(self, bench, scenario, workdir):
        self.bench, self.scenario = bench, scenario
        self.host = "127.0.0.1"
        self.http_port = free_port()
        self.udp_port = free_port(socket.SOCK_DGRAM)
        # 2 ports a stream (RTP, and the RTCP port the load generator leaves unused), free now.
        self.rtp_base = next((base for base in (free_port(socket.SOCK_DGRAM) & ~1
                                                for _ in range(100))
                              if base + 2 * scenario.streams < 65535 and all(
                                  port_free(base + i) for i in range(2 * scenario.streams))), None)
        if self.rtp_base is None:
            raise RunError(f"no {2 * scenario.streams} free UDP ports in a row for the streams")
        self.log_path = os.path.join(workdir, "pion-relay.log")
        self.proc = None

    def start(self):
        def ready():
            try:
                with urllib.request.urlopen(f"http://{self.host}:{self.http_port}/status",
                                            timeout=2) as r:
                    return r.status == 200
            except OSError:
                return False

        return self.launch(
            [self.bench.pion, "-http", f"{self.host}:{self.http_port}", "-udp-port",
             str(self.udp_port), "-ip", self.host, "-rtp-base", str(self.rtp_base), "-streams",
             str(self.scenario.streams), "-stats", "0", *self.scenario.pion_flags], ready, 20)


class Netns:
    """The comparison's network namespace: one veth pair, both ends inside. Always removed."""

    def __enter__(self):
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True)  # a stale one of ours
        for args in (["netns", "add", NETNS],
                     ["-n", NETNS, "link", "add", VETH_SERVER, "type", "veth", "peer", "name",
                      VETH_PEER],
                     ["-n", NETNS, "addr", "add", f"{SERVER_IP}/24", "dev", VETH_SERVER],
                     ["-n", NETNS, "addr", "add", f"{PEER_IP}/24", "dev", VETH_PEER],
                     ["-n", NETNS, "link", "set", "lo", "up"],
                     ["-n", NETNS, "link", "set", VETH_SERVER, "up"],
                     ["-n", NETNS, "link", "set", VETH_PEER, "up"]):
            r = subprocess.run(["ip", *args], capture_output=True, text=True, timeout=20)
            if r.returncode != 0:
                self.__exit__()
                raise RunError(f"ip {' '.join(args)}: {r.stderr.strip()}")
        return self

    def __exit__(self, *exc):
        subprocess.run(["ip", "netns", "del", NETNS], capture_output=True, timeout=20)


# --- the harness ---------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        build = args.build
        self.ringcastd = os.environ.get("RINGCASTD", os.path.join(build, "bin", "ringcastd"))
        self.ringcastctl = os.environ.get("RINGCASTCTL",
                                          os.path.join(build, "bin", "ringcastctl"))
        self.loadgen = os.environ.get("RINGCAST_LOADGEN",
                                      os.path.join(build, "bin", "ringcast-loadgen"))
        self.floor = os.environ.get("RINGCAST_FLOOR",
                                    os.path.join(build, "bin", "ringcast-floor"))
        self.janus = shutil.which("janus") or "/usr/bin/janus"
        self.out = args.out
        self.perf = shutil.which("perf")
        self.janus_missing = self.janus_unavailable_reason()
        self.pion = os.environ.get("RINGCAST_PION_RELAY", os.path.join(build, "bin", "pion-relay"))
        self.pion_missing = (None if os.path.exists(self.pion) else
                             f"{self.pion} is not built (tools/bench/pion_relay/build needs "
                             "golang-go and golang-github-pion-webrtc.v3-dev: tools/setup-deps.sh "
                             "bench)")

    def janus_unavailable_reason(self):
        """Why the Janus comparison cannot run here, or None."""
        if not os.path.exists(self.janus):
            return "Janus is not installed (tools/setup-deps.sh bench installs Debian's janus)"
        if os.geteuid() != 0 or not shutil.which("ip"):
            return "the Janus comparison needs root and `ip netns` (a network namespace)"
        if not os.path.exists(self.loadgen):
            return "ringcast-loadgen is not built"
        usage = subprocess.run([self.loadgen, "--help"], capture_output=True, text=True).stdout
        probe = subprocess.run([self.loadgen, "--janus-url", "http://127.0.0.1:9/janus",
                                "--janus-mountpoints", "1", "--view", "1", "--duration", "0"],
                               capture_output=True, text=True, timeout=20)
        text = probe.stdout + probe.stderr
        janus_line = [line for line in usage.splitlines() if "--janus" in line]
        if "not implemented" in text or any("not implemented" in l for l in janus_line):
            return ("ringcast-loadgen's Janus viewer mode (--janus-url/--janus-mountpoints) is "
                    "not implemented yet, so Janus could not be driven: no Janus figures")
        return None

    # One scenario ----------------------------------------------------------------------------

    def run(self, s, progress):
        """Runs scenario `s`; returns its result dict (never raises for a scenario failure)."""
        result = base_result(s)
        result["quick"] = self.args.quick
        missing = {"janus": self.janus_missing, "pion": self.pion_missing}.get(s.server)
        if missing:
            result["error"] = missing
            result["skipped"] = True
            return result
        workdir = tempfile.mkdtemp(prefix=f"ringcast-bench-{s.name}-")
        server = None
        try:
            server = {"janus": Janus, "pion": PionRelay}.get(s.server, Ringcastd)(
                self, s, workdir).start()
            time.sleep(1)
            idle = proc_sample(server.pid)
            result["rss_idle_kb"] = idle[1] if idle else None
            self.measure(s, server, workdir, result, progress)
        except RunError as error:
            result["error"] = str(error)
        finally:
            if server:
                server.stop()
                if s.server == "ringcast" and server.proc.returncode not in (0, None):
                    result["problems"].append(
                        f"ringcastd exited {server.proc.returncode} after SIGTERM")
                shutil.copy(server.log_path,
                            os.path.join(self.out, "logs", f"server-{s.name}.log"))
            shutil.rmtree(workdir, ignore_errors=True)
        if s.floor and "error" not in result and result.get("delivered_pps"):
            result["floor"] = self.run_floor(s, result)
            result["floor_unpaced"] = self.run_floor(s, result, paced=False)
        if s.whole_floor and "error" not in result and result.get("delivered_pps"):
            result["floor_whole"] = self.run_floor(s, result, ingest=True)
        return result

    def loadgen_command(self, s, server, json_path):
        run_s = s.measured_s + (s.perf_s + 2 if s.perf else 0) + 1
        common = ["--view", str(s.viewers), "--verify-one-in", str(s.verify_one_in),
                  "--ramp-per-s", str(s.ramp_per_s), "--warmup", str(s.warmup_s),
                  "--duration", str(run_s), "--json", json_path, "--quiet"]
        if not s.loadgen_nack:
            common.append("--no-nack")
        if s.netns:
            common.append("--allow-non-loopback")
        if s.server == "pion":
            return [self.loadgen, "--rtp-publish", f"{server.host}:{server.rtp_base}",
                    "--rtp-streams", str(s.streams),
                    "--whep-url", f"http://{server.host}:{server.http_port}/bench%d/whep"] + common
        if s.server == "janus":
            mountpoints = ",".join(str(i + 1) for i in range(s.streams))
            return [self.loadgen, "--rtp-publish", f"{SERVER_IP}:{server.rtp_base}",
                    "--rtp-streams", str(s.streams),
                    "--janus-url", f"http://{SERVER_IP}:{server.http_port}/janus",
                    "--janus-mountpoints", mountpoints] + common
        return [self.loadgen, "--publish", str(s.streams),
                "--rtsp-url", f"rtsp://{server.host}:{server.rtsp_port}/bench%d",
                # In the netns the loadgen feeds ringcastd over UDP, as Janus is fed.
                "--transport", "udp" if s.netns else "tcp",
                "--whep-url", f"http://{server.host}:{server.http_port}/bench%d/whep"] + common

    def measure(self, s, server, workdir, result, progress):
        json_path = os.path.join(workdir, "loadgen.json")
        lg_log = os.path.join(workdir, "loadgen.log")
        cmd = netns_prefix(s) + self.loadgen_command(s, server, json_path)
        result["loadgen_command"] = " ".join(cmd[len(netns_prefix(s)):])
        window = (s.warmup_s, s.warmup_s + s.measured_s)
        perf_at = window[1] + 1 if s.perf and self.perf else None
        run_s = s.warmup_s + s.measured_s + (s.perf_s + 3 if s.perf else 0) + 1
        rows, perf_proc, marks = [], None, {}
        with open(lg_log, "w") as lg_out:
            t0 = time.monotonic()
            loadgen = subprocess.Popen(cmd, stdout=lg_out, stderr=subprocess.STDOUT)
            try:
                k = 0
                while loadgen.poll() is None:
                    k += 1
                    time.sleep(max(0, t0 + k - time.monotonic()))
                    srv, lg = proc_sample(server.pid), proc_sample(loadgen.pid)
                    if srv is None:
                        raise RunError(f"{s.server} died during the run:\n" +
                                       tail(server.log_path))
                    rows.append({"t_s": k, "server_ticks": srv[0], "rss_kb": srv[1],
                                 "threads": srv[2], "loadgen_ticks": lg[0] if lg else None,
                                 "thread_ticks": thread_ticks(server.pid),
                                 "in_window": window[0] < k <= window[1]})
                    if k in window:
                        marks[k] = server.counters()
                    if k == window[1]:
                        result.update(server.memory())
                        if s.perf:
                            result["largest_mappings"] = largest_mappings(server.pid)
                    if perf_at is not None and k == perf_at:
                        perf_proc = self.start_perf(s, server.pid)
                    progress(k, run_s)
                    if k > run_s + 60:
                        raise RunError(f"the load generator ran {k} s, past its {run_s} s: killed")
            finally:
                if loadgen.poll() is None:
                    loadgen.kill()
                loadgen.wait()
                if perf_proc:
                    self.finish_perf(s, perf_proc, result)
        shutil.copy(lg_log, os.path.join(self.out, "logs", f"loadgen-{s.name}.log"))
        if loadgen.returncode != 0 or not os.path.exists(json_path):
            raise RunError(f"ringcast-loadgen exited {loadgen.returncode}:\n" + tail(lg_log))
        with open(json_path) as f:
            lg_json = json.load(f)
        self.summarize(s, rows, marks, lg_json, result)

    def summarize(self, s, rows, marks, lg, result):
        per_second = {round(p["t_s"]): p for p in lg.get("per_second", [])}
        prev = None
        for row in rows:
            p = per_second.get(row["t_s"], {})
            row["delivered_packets"] = p.get("viewers", {}).get("packets")
            row["published_packets"] = p.get("publisher_packets")
            row["viewers_media"] = p.get("viewers_media")
            row["server_cpu_pct"] = (100.0 * (row["server_ticks"] - prev["server_ticks"]) / CLK_TCK
                                     if prev else None)
            row["loadgen_cpu_pct"] = (
                100.0 * (row["loadgen_ticks"] - prev["loadgen_ticks"]) / CLK_TCK
                if prev and row["loadgen_ticks"] is not None and prev["loadgen_ticks"] is not None
                else None)
            prev = row
        result["samples"] = rows
        by_t = {row["t_s"]: row for row in rows}
        start, end = by_t.get(s.warmup_s), by_t.get(s.warmup_s + s.measured_s)
        if not start or not end:
            raise RunError("the run ended before its measured window did")
        span = end["t_s"] - start["t_s"]
        in_window = [row for row in rows if row["in_window"]]
        cpu_s = (end["server_ticks"] - start["server_ticks"]) / CLK_TCK
        delivered = sum(row["delivered_packets"] or 0 for row in in_window)
        published = sum(row["published_packets"] or 0 for row in in_window)
        per_second_cpu = [r["server_cpu_pct"] for r in in_window if r["server_cpu_pct"] is not None]
        if not in_window or not per_second_cpu:
            raise RunError("no samples in the measured window")
        mean = sum(per_second_cpu) / len(per_second_cpu)
        sd = (sum((x - mean) ** 2 for x in per_second_cpu) / max(1, len(per_second_cpu) - 1)) ** 0.5
        result.update({
            "cpu_s": cpu_s,
            # Standard error of the mean CPU % (per-second samples, CLK_TCK resolution): what
            # "within noise" is judged against.
            "cpu_percent_se": sd / len(per_second_cpu) ** 0.5,
            "cpu_percent": 100.0 * cpu_s / span,
            "rss_kb_mean": sum(r["rss_kb"] for r in in_window) / len(in_window),
            "rss_kb_max": max(r["rss_kb"] for r in in_window),
            "threads_max": max(r["threads"] for r in in_window),
            "delivered_pps": delivered / span,
            "published_pps": published / span,
            "ns_per_packet": 1e9 * cpu_s / delivered if delivered else None,
        })
        # Per thread (the workers are ringcast-wN): CPU % of one core over the window, and each
        # worker's share of what the workers did together.
        a, b = start.get("thread_ticks") or {}, end.get("thread_ticks") or {}
        result["thread_cpu_percent"] = {
            name: 100.0 * (b[name][0] - a.get(name, [0])[0]) / CLK_TCK / span for name in sorted(b)}
        # Context switches per second by thread: voluntary (the worker waited for completions)
        # and involuntary (preempted — on this 2-core machine, by the load generator).
        result["thread_switches_per_s"] = {
            name: [(b[name][i] - a.get(name, [0, 0, 0])[i]) / span for i in (1, 2)]
            for name in sorted(b)}
        workers = {n: v for n, v in result["thread_cpu_percent"].items()
                   if n.startswith("ringcast-w")}
        if sum(workers.values()) > 0:
            result["worker_share"] = {n: v / sum(workers.values()) for n, v in workers.items()}
        if start.get("loadgen_ticks") is not None and end.get("loadgen_ticks") is not None:
            result["loadgen_cpu_percent"] = (100.0 * (end["loadgen_ticks"] - start["loadgen_ticks"])
                                             / CLK_TCK / span)
        # What every viewer should have received: its stream's packet rate (viewer i watches
        # stream i % streams).
        per_stream = result["published_pps"] / s.streams if s.streams else 0
        result["expected_pps"] = per_stream * s.viewers
        result["delivery_ratio"] = (result["delivered_pps"] / result["expected_pps"]
                                    if result["expected_pps"] else 0)
        viewers, totals = lg.get("viewers", {}), lg.get("viewers", {}).get("totals", {})
        publishers = lg.get("publishers", {})
        result.update({
            "viewers_media": viewers.get("media", 0),
            "viewers_failed": viewers.get("failed", 0),
            "viewer_errors": viewers.get("errors", {}),
            "min_viewer_packets": viewers.get("per_viewer_packets", {}).get("min", 0),
            "publishers_streaming": publishers.get("streaming", 0),
            "publisher_errors": publishers.get("errors", {}),
            "verify_mode": lg.get("verify", {}).get("mode"),
            "first_keyframe_ms": viewers.get("first_keyframe_ms", {}),
            "mean_packet_bytes": (totals.get("bytes", 0) / totals["packets"]
                                  if totals.get("packets") else None),
        })
        for key in ("lost", "gaps", "recovered", "duplicates", "late", "verify_failed",
                    "nacks_sent", "rtcp_failed", "packets", "verified"):
            result[key] = totals.get(key, 0)
        a, b = marks.get(s.warmup_s, {}), marks.get(s.warmup_s + s.measured_s, {})
        if a.get("packets_out") is not None and b.get("packets_out") is not None:
            result["server_packets_out_pps"] = (b["packets_out"] - a["packets_out"]) / span
            if b.get("sendmsgs", 0) > a.get("sendmsgs", 0):
                result["server_packets_per_sendmsg"] = (
                    (b["datagrams_out"] - a["datagrams_out"]) / (b["sendmsgs"] - a["sendmsgs"]))
            result["server_retransmits"] = b.get("retransmits", 0) - a.get("retransmits", 0)
            result["forwarded_pps"] = (b.get("forwarded", 0) - a.get("forwarded", 0)) / span
            result["viewers_spread"] = b.get("viewers_spread", 0)
            result["worker_stats"] = b.get("workers", {})  # at the end of the window
            wa, wb = a.get("workers", {}), b.get("workers", {})
            result["worker_packets_out_pps"] = {
                key.split(".")[0]: (wb[key] - wa.get(key, 0)) / span
                for key in sorted(wb) if key.endswith(".packets_out")}
        # Sustained: every viewer got media, (nearly) everything arrived, nothing stayed lost.
        problems = result["problems"]
        if result["viewers_media"] < s.viewers:
            problems.append(f"{s.viewers - result['viewers_media']} of {s.viewers} viewers "
                            f"not receiving media {dict(result['viewer_errors'])}")
        if result["publishers_streaming"] < s.streams:
            problems.append(f"{result['publishers_streaming']} of {s.streams} publishers "
                            f"streaming {dict(result['publisher_errors'])}")
        if result["delivery_ratio"] < 0.97:
            problems.append(f"delivered {100 * result['delivery_ratio']:.1f}% of the expected "
                            "packet rate")
        if result["packets"] and result["lost"] / result["packets"] > 0.001:
            problems.append(f"lost {result['lost']} packets")
        if result["verify_failed"]:
            problems.append(f"{result['verify_failed']} packets failed SRTP verification")
        result["sustained"] = not problems

    # perf and the floor ---------------------------------------------------------------------

    def start_perf(self, s, pid):
        data = os.path.join(self.out, f"perf-{s.name}.data")
        return (subprocess.Popen([self.perf, "record", "-g", "-q", "-o", data, "-p", str(pid),
                                  "--", "sleep", str(s.perf_s)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), data)

    def finish_perf(self, s, perf, result):
        proc, data = perf
        try:
            proc.wait(timeout=s.perf_s + 30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if not os.path.exists(data):
            result["problems"].append("perf record produced no data")
            return
        text_path = os.path.join(self.out, f"perf-{s.name}.txt")
        flat = subprocess.run([self.perf, "report", "-i", data, "--stdio", "--no-children",
                               "-g", "none", "--percent-limit", "0.5"],
                              capture_output=True, text=True, timeout=300).stdout
        graph = subprocess.run([self.perf, "report", "-i", data, "--stdio", "--no-children"],
                               capture_output=True, text=True, timeout=300).stdout
        # Inclusive shares of the server's own functions (what a code path costs in all, its
        # system calls included), for ringcastd.
        inclusive = subprocess.run([self.perf, "report", "-i", data, "--stdio", "--children",
                                    "--sort", "sym", "-g", "none", "--percent-limit", "0.1"],
                                   capture_output=True, text=True, timeout=300).stdout
        with open(text_path, "w") as f:
            f.write(f"# perf record -g -p <{s.server}> -- sleep {s.perf_s}, after the measured "
                    f"window of {s.name}\n# perf report --stdio --no-children -g none\n")
            f.write(flat)
            f.write("\n# perf report --stdio --no-children (call graphs, first 300 lines)\n")
            f.write("\n".join(graph.splitlines()[:300]) + "\n")
            if s.server == "ringcast":
                f.write("\n# perf report --stdio --children --sort sym -g none: ringcast's own "
                        "functions, inclusive (≥ 0.1%)\n")
                f.write("\n".join(line for line in inclusive.splitlines()
                                   if "ringcast::" in line) + "\n")
        os.remove(data)
        top = [line for line in flat.splitlines() if line.strip() and not line.startswith("#")]
        result["perf_file"] = os.path.basename(text_path)
        result["perf_top"] = top[:15]

    def run_floor(self, s, result, paced=True, ingest=False):
        """ringcast-floor at the scenario's delivered packet rate (paced=False: flat out, the
        same GSO runs — the per-packet cost without the sender's wake-ups between batches;
        ingest=True: the whole job at one viewer per stream — the streams received over TCP,
        sealed and sent, see floor.cc)."""
        if not os.path.exists(self.floor):
            return {"error": f"{self.floor} is not built"}
        # GSO runs as long as one frame's packets (the stream's packet rate / 30 fps), as the
        # server's are.
        per_stream = result["published_pps"] / max(1, s.streams)
        batch = max(1, min(64, round(per_stream / 30)))
        rate = max(100.0, result["delivered_pps"]) if paced else 0
        path = os.path.join(tempfile.gettempdir(), f"ringcast-floor-{os.getpid()}.json")
        seconds = 3 if self.args.quick or not paced else 10
        extra = ["--ingest", str(s.streams)] if ingest else []
        r = subprocess.run([self.floor, "--rate", f"{rate:.0f}", "--seconds", str(seconds),
                            "--size", "1200", "--batch", str(batch), "--json", path, *extra],
                           capture_output=True, text=True, timeout=seconds + 60)
        if r.returncode != 0 or not os.path.exists(path):
            return {"error": f"ringcast-floor exited {r.returncode}: {r.stderr.strip()}"}
        with open(path) as f:
            floor = json.load(f)
        os.remove(path)
        return floor

    # Files -----------------------------------------------------------------------------------

    def write_samples(self, result):
        rows = result.pop("samples", None)
        if not rows:
            return
        columns = ["t_s", "in_window", "server_cpu_pct", "rss_kb", "threads", "delivered_packets",
                   "published_packets", "viewers_media", "loadgen_cpu_pct", "server_ticks"]
        path = os.path.join(self.out, f"samples-{result['name']}.csv")
        with open(path, "w", newline="") as f:
            w = csv.DictWriter(f, columns, extrasaction="ignore")
            w.writeheader()
            for row in rows:
                w.writerow({k: (f"{v:.2f}" if isinstance(v, float) else v)
                            for k, v in row.items()})
        result["samples_file"] = os.path.basename(path)


def group_runs(results):
    """{scenario name: its results in run order}."""
    out = {}
    for r in results:
        out.setdefault(r["name"], []).append(r)
    return out


def median_run(runs):
    """The run of a repeated scenario with the median ns per delivered packet (the lower middle
    one of an even count), with every run's figures in `runs`; a single run as it is."""
    if len(runs) == 1:
        return runs[0]
    measured = sorted((r for r in runs if r.get("ns_per_packet")),
                      key=lambda r: r["ns_per_packet"])
    chosen = dict(measured[(len(measured) - 1) // 2] if measured else runs[-1])
    chosen["runs"] = [{key: r.get(key) for key in (
        "started_utc", "ns_per_packet", "cpu_percent", "rss_kb_mean", "worker_share",
        "sustained", "lost", "forwarded_pps", "error")} for r in runs]
    return chosen


def base_result(s):
    """What every result of scenario `s` says, whether it ran or not."""
    return {"name": s.name, "group": s.group, "title": s.title, "server": s.server,
            "streams": s.streams, "viewers": s.viewers, "workers": s.workers,
            "tunables": s.tunables, "verify_one_in": s.verify_one_in,
            "warmup_s": s.warmup_s, "measured_s": s.measured_s,
            "started_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(
                timespec="seconds"), "problems": []}


def machine_info(bench):
    model = "unknown CPU"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    version = subprocess.run([bench.ringcastd, "--version"], capture_output=True,
                             text=True).stdout.strip() if os.path.exists(bench.ringcastd) else ""
    rev = subprocess.run(["git", "-C", ROOT, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    janus_version = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "janus"],
                                   capture_output=True, text=True).stdout.strip()
    pion_version = subprocess.run(["dpkg-query", "-W", "-f=${Version}",
                                   "golang-github-pion-webrtc.v3-dev", "golang-go"],
                                  capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": os.uname().release,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "ringcastd": version, "git": rev, "janus": janus_version,
            "pion": pion_version,
            "loadavg_at_start": open("/proc/loadavg").read().split()[:3]}


def main():
    parser = argparse.ArgumentParser(
        description="ringcast's benchmark (issue 5): writes REPORT.md, charts and CSVs.")
    parser.add_argument("--build", default=os.path.join(ROOT, "build-bench"),
                        help="build directory with ringcastd, ringcastctl, ringcast-loadgen, "
                             "ringcast-floor (default build-bench/)")
    parser.add_argument("--out", help="output directory (default bench/, or "
                                      "BUILD/bench-quick with --quick)")
    parser.add_argument("--only", help="comma-separated scenario names (see --list)")
    parser.add_argument("--quick", action="store_true",
                        help="small, short scenarios (W64 with 8 streams for 15 s, a 4-point "
                             "sweep) for trying the harness; never written to bench/")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    parser.add_argument("--report-only", action="store_true",
                        help="rewrite REPORT.md and the charts from the output directory's "
                             "results.json without running anything")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the chosen scenarios this many times, interleaved (A B A B …); "
                             "each keeps the run with the median CPU per delivered packet and "
                             "lists every run's figures beside it")
    parser.add_argument("--max-minutes", type=float,
                        help="time budget; scenarios that would not fit are skipped "
                             "(default: the estimate x 1.5 + 5 min)")
    args = parser.parse_args()
    if args.out is None:
        args.out = (os.path.join(args.build, "bench-quick") if args.quick
                    else os.path.join(ROOT, "bench"))

    chosen = scenarios.all_scenarios(args.quick)
    if args.only:
        names = args.only.split(",")
        unknown = [n for n in names if n not in {s.name for s in chosen}]
        if unknown:
            parser.error(f"unknown scenario {', '.join(unknown)} (see --list)")
        chosen = [s for s in chosen if s.name in names]
    if args.repeat < 1 or args.repeat > 10:
        parser.error("--repeat takes 1 to 10")
    chosen = chosen * args.repeat
    if args.list:
        total = 0
        for s in chosen:
            total += s.estimated_s()
            print(f"{s.name:16} ~{s.estimated_s():4.0f} s  {s.title}")
        print(f"{'total':16} ~{total / 60:4.1f} min")
        return 0

    if args.report_only:
        with open(os.path.join(args.out, "results.json")) as f:
            saved = json.load(f)
        janus_missing = saved.get("janus_missing")
        report.write(args.out, saved["machine"], saved["results"], quick=args.quick,
                     janus_missing=janus_missing)
        log(f"bench: wrote {os.path.join(args.out, 'REPORT.md')}")
        return 0

    bench = Bench(args)
    for binary in (bench.ringcastd, bench.ringcastctl):
        if not os.path.exists(binary):
            log(f"bench: {binary} is not built (ninja -C {args.build} ringcastd ringcastctl)")
            return 1
    if not os.path.exists(bench.loadgen):
        log(f"bench: {bench.loadgen} is not built: skipping (ninja ringcast-loadgen)")
        return SKIP
    os.makedirs(os.path.join(args.out, "logs"), exist_ok=True)
    # Up to 2000 viewers, each with its own UDP socket in the load generator.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 65536)), hard))

    estimate = sum(s.estimated_s() for s in chosen)
    budget = (args.max_minutes * 60 if args.max_minutes else estimate * 1.5 + 300)
    machine = machine_info(bench)
    log(f"bench: {len(chosen)} scenarios, about {estimate / 60:.1f} min (budget "
        f"{budget / 60:.0f} min), output in {args.out}")
    if any(s.server == "janus" for s in chosen) and bench.janus_missing:
        log(f"bench: Janus scenarios will be skipped: {bench.janus_missing}")

    results_path = os.path.join(args.out, "results.json")
    previous = {}
    if os.path.exists(results_path):
        with open(results_path) as f:
            saved = json.load(f)
        previous = {r["name"]: r for r in saved.get("results", [])}

    began = time.monotonic()
    failed_series = set()
    results = []
    netns = None
    failures = 0
    interrupted = False

    def on_signal(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        for i, s in enumerate(chosen):
            remaining = sum(x.estimated_s() for x in chosen[i:])
            elapsed = time.monotonic() - began
            if s.series and s.series in failed_series:
                result = dict(base_result(s), skipped=True,
                              error="not run: a smaller point of this series was not sustained")
            elif elapsed + s.estimated_s() > budget:
                result = dict(base_result(s), skipped=True,
                              error=f"not run: the time budget ({budget / 60:.0f} min) ran out")
            else:
                log(f"[{i + 1}/{len(chosen)}] {s.name}: {s.title} (~{s.estimated_s():.0f} s; "
                    f"~{remaining / 60:.1f} min left)")
                last = [0.0]

                def progress(k, run_s, i=i, s=s, remaining=remaining):
                    now = time.monotonic()
                    if now - last[0] >= 10:
                        last[0] = now
                        phase = ("warm-up" if k <= s.warmup_s else
                                 "measuring" if k <= s.warmup_s + s.measured_s else
                                 "profiling" if s.perf else "finishing")
                        left = remaining - k
                        log(f"  [{i + 1}/{len(chosen)}] {s.name}: {phase} {k}/{run_s:.0f} s, "
                            f"~{max(0, left) / 60:.1f} min left in the run")
                try:
                    if s.netns and netns is None and not bench.janus_missing:
                        netns = Netns().__enter__()
                    result = bench.run(s, progress)
                except RunError as error:
                    result = dict(base_result(s), error=str(error))
            bench.write_samples(result)
            results.append(result)
            if result.get("error") and not result.get("skipped"):
                failures += 1
                log(f"  {s.name}: FAILED: {result['error'].splitlines()[0]}")
            elif result.get("skipped"):
                log(f"  {s.name}: skipped: {result['error']}")
            else:
                log("  " + report.one_line(result))
            if s.series and not result.get("sustained", True):
                failed_series.add(s.series)
            if s.series and result.get("error") and not result.get("skipped"):
                failed_series.add(s.series)
            if netns and not any(x.netns for x in chosen[i + 1:]):
                netns.__exit__()
                netns = None
    except KeyboardInterrupt:
        interrupted = True
        log("bench: interrupted; writing what was measured")
    finally:
        if netns:
            netns.__exit__()

    merged = dict(previous)
    for name, runs in group_runs(results).items():
        merged[name] = median_run(runs)
    order = [s.name for s in scenarios.all_scenarios(args.quick)]
    ordered = sorted(merged.values(),
                     key=lambda r: order.index(r["name"]) if r["name"] in order else 999)
    with open(results_path, "w") as f:
        json.dump({"machine": machine, "janus_missing": bench.janus_missing, "results": ordered},
                  f, indent=1)
    report.write(args.out, machine, ordered, quick=args.quick,
                 janus_missing=bench.janus_missing)
    log(f"bench: wrote {os.path.join(args.out, 'REPORT.md')} "
        f"({(time.monotonic() - began) / 60:.1f} min)")

    asserting = {s.name for s in chosen if s.asserts_delivery}
    for r in results:
        if r["name"] not in asserting or r.get("error"):
            continue  # an error already counts as a failure
        if not r.get("sustained") or r.get("min_viewer_packets", 0) <= 0:
            log(f"bench: {r['name']}: delivery incomplete: " +
                "; ".join(r["problems"] or ["a viewer received no packets"]))
            return 1
        log(f"bench: {r['name']}: delivery complete")
    if interrupted:
        return 130
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
