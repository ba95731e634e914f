#!/usr/bin/python3
"""What handing an RTSP connection to its path's worker costs (ARCHITECTURE.md, "Several
workers").

Every worker accepts on rtsp.listen (SO_REUSEPORT); a connection whose first request names a
path another worker owns is handed over (the socket, the parsed request and any bytes read
after it go to the owner as a posted task, which arms a new receive there). This measures the
server's CPU per connection — connect, DESCRIBE of the demo path, the answer, close — with one
worker (nothing is ever handed over) and with two, the path pinned to worker 1 so that the
connections the kernel gives worker 0 (about half) are handed over. CPU is the run time of
every ringcastd thread from /proc/PID/task/*/schedstat (nanoseconds, not clock ticks), less
that of an idle interval as long; hand-offs are counted from the tasks posted to worker 1
(stats.worker.1.tasks) beyond those of an idle interval.

    tools/bench/handoff.py [--build build] [--connections 3000] [--rounds 3]

Prints one line per run and a summary; loopback only, bounded by --connections and a timeout.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_ns(pid):
    """Run time of all of the process's threads, in ns (schedstat's first field)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass
    return total


class Server:
    def __init__(self, build, workers):
        self.dir = tempfile.mkdtemp(prefix="ringcast-handoff-")
        self.ctl_socket = os.path.join(self.dir, "ctl.sock")
        self.port = free_port()
        conf = os.path.join(self.dir, "ringcast.conf")
        with open(conf, "w") as f:
            f.write("\n".join([
                f"ctl.socket = {self.ctl_socket}",
                f"metrics.listen = 127.0.0.1:{free_port()}",
                f"rtsp.listen = 127.0.0.1:{self.port}",
                f"webrtc.listen = 127.0.0.1:{free_port()}",
                "webrtc.udp_port = 0",
                f"core.workers = {workers}",
                "core.log_level = warn",
                "path.demo.source = demo",
                f"path.demo.worker = {workers - 1}",
            ]) + "\n")
        self.ctlbin = os.path.join(build, "bin", "ringcastctl")
        self.log = open(os.path.join(self.dir, "ringcastd.log"), "w")
        self.proc = subprocess.Popen([os.path.join(build, "bin", "ringcastd"), "--config", conf],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while self.value("stats.path.demo.keyframes") in (None, 0.0):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit("handoff: ringcastd did not start the demo path")
            time.sleep(0.2)

    def value(self, name):
        r = subprocess.run([self.ctlbin, "-S", self.ctl_socket, "-n", name],
                           capture_output=True, text=True, timeout=10)
        try:
            return float(r.stdout.strip())
        except ValueError:
            return None

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)
        self.log.close()


def describe(port):
    request = (f"DESCRIBE rtsp://127.0.0.1:{port}/demo RTSP/1.0\r\nCSeq: 1\r\n"
               "Accept: application/sdp\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = s.recv(4096)
            if not chunk:
                raise RuntimeError("connection closed before the answer")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        if not head.startswith(b"RTSP/1.0 200"):
            raise RuntimeError(head.split(b"\r\n")[0].decode(errors="replace"))
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        while len(body) < length:
            body += s.recv(4096)


def measure(build, workers, connections):
    server = Server(build, workers)
    try:
        tasks = f"stats.worker.{workers - 1}.tasks"
        # An idle interval first: the tasks worker N gets anyway (stats, timers).
        t0, idle0 = time.monotonic(), server.value(tasks)
        time.sleep(2)
        idle_rate = (server.value(tasks) - idle0) / (time.monotonic() - t0)
        tasks0, ns0, t0 = server.value(tasks), run_ns(server.proc.pid), time.monotonic()
        for _ in range(connections):
            describe(server.port)
        elapsed = time.monotonic() - t0
        ns1, tasks1 = run_ns(server.proc.pid), server.value(tasks)
        # The demo path's own packets cost the same in both runs; take them off with an idle
        # interval's run time measured just after (same length).
        idle_ns0 = run_ns(server.proc.pid)
        time.sleep(elapsed)
        idle_ns = run_ns(server.proc.pid) - idle_ns0
        handed = max(0.0, (tasks1 - tasks0) - idle_rate * elapsed) if workers > 1 else 0.0
        return {"workers": workers, "connections": connections,
                "us_per_connection": (ns1 - ns0 - idle_ns) / connections / 1000,
                "handed": handed, "seconds": elapsed}
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--connections", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if not 1 <= args.connections <= 20000 or not 1 <= args.rounds <= 10:
        parser.error("--connections 1..20000, --rounds 1..10")
    runs = {1: [], 2: []}
    for _ in range(args.rounds):  # interleaved: 1, 2, 1, 2, …
        for workers in (1, 2):
            r = measure(args.build, workers, args.connections)
            runs[workers].append(r)
            print(f"workers {workers}: {r['us_per_connection']:.1f} µs of server CPU per "
                  f"connection ({r['connections']} in {r['seconds']:.1f} s), "
                  f"{r['handed']:.0f} handed over", flush=True)
    one = statistics.median(r["us_per_connection"] for r in runs[1])
    two = statistics.median(r["us_per_connection"] for r in runs[2])
    handed = statistics.median(r["handed"] / r["connections"] for r in runs[2])
    print(f"median: 1 worker {one:.1f} µs, 2 workers {two:.1f} µs per connection; "
          f"{100 * handed:.0f}% handed over", end="")
    if handed > 0:
        print(f" → {(two - one) / handed:.1f} µs per hand-off")
    else:
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
