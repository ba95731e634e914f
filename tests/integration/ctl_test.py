#!/usr/bin/python3
"""ringcastd + ringcastctl end to end: a real daemon, the real CLI, real sockets.

Run by ctest with RINGCASTD and RINGCASTCTL naming the binaries. Checks what a sysctl user
expects: reading, writing live, loading files, descriptions, every error case with its message
and exit code, /metrics, SIGHUP reload (good and bad), refusing a bad config, clean shutdown.
"""

import os
import shutil
import signal
import socket
import re
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

RINGCASTD = os.environ.get("RINGCASTD", "build/bin/ringcastd")
RINGCASTCTL = os.environ.get("RINGCASTCTL", "build/bin/ringcastctl")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return False


SDP_DATA = os.path.join(os.path.dirname(__file__), "..", "data", "sdp")


def sdp_fixture(name):
    """The bytes of a captured SDP in tests/data/sdp (see its README.md)."""
    with open(os.path.join(SDP_DATA, name), "rb") as f:
        return f.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def http_request(port, method, path, body=None, headers=None):
    """One request to 127.0.0.1:PORT, redirects not followed: (status, headers, body text)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=10) as response:
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


class Daemon:
    """A ringcastd on its own socket, port and config directory."""

    def __init__(self, config_lines, extra_conf=None):
        self.dir = tempfile.mkdtemp(prefix="ringcast-it-")
        self.socket = os.path.join(self.dir, "run", "ctl.sock")
        self.metrics_port = free_port()
        self.webrtc_port = free_port()
        self.conf = os.path.join(self.dir, "ringcast.conf")
        self.conf_d = os.path.join(self.dir, "conf.d")
        os.makedirs(self.conf_d)
        with open(self.conf, "w") as f:
            f.write(f"ctl.socket = {self.socket}\n")
            f.write(f"metrics.listen = 127.0.0.1:{self.metrics_port}\n")
            f.write(f"rtsp.listen = 127.0.0.1:{free_port()}\n")  # tests may override: later wins
            f.write("rtsp.rtp_port = 0\nrtsp.rtcp_port = 0\n")  # any free ports
            f.write(f"webrtc.listen = 127.0.0.1:{self.webrtc_port}\nwebrtc.udp_port = 0\n")
            f.write("\n".join(config_lines) + "\n")
        for name, text in (extra_conf or {}).items():
            with open(os.path.join(self.conf_d, name), "w") as f:
                f.write(text)
        self.log_path = os.path.join(self.dir, "ringcastd.log")
        self.log = open(self.log_path, "w")
        self.proc = None

    def start(self, expect_ready=True):
        self.proc = subprocess.Popen(
            [RINGCASTD, "--config", self.conf, "--config-dir", self.conf_d],
            stdout=self.log, stderr=subprocess.STDOUT)
        if expect_ready:
            ok = wait_for(lambda: os.path.exists(self.socket) and self.ctl("-n", "core.workers").returncode == 0)
            assert ok, "ringcastd did not come up:\n" + self.log_text()
        return self

    def ctl(self, *args, env=None, user=None):
        cmd = [RINGCASTCTL, "-S", self.socket, *args]
        if user is not None:
            cmd = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", *cmd]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20, env=env)

    def log_text(self):
        self.log.flush()
        with open(self.log_path) as f:
            return f.read()

    def stop(self):
        """SIGTERM; the daemon must exit 0 and no sanitizer may have complained meanwhile."""
        problem = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                code = self.proc.wait(timeout=20)
                if code != 0:
                    problem = f"ringcastd exited {code} after SIGTERM"
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                problem = "ringcastd did not stop within 20 s of SIGTERM"
        log = self.log_text() if self.proc else ""
        for marker in ("AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "runtime error:",
                       "CHECK failed"):
            if marker in log:
                problem = f"{marker} in ringcastd's output"
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        if problem:
            raise AssertionError(problem + ":\n" + log[-6000:])

    def metrics(self, path="/metrics", method="GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.metrics_port}{path}", method=method)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()


class CtlTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(["core.workers = 2", "path.cam1.source = rtsp://127.0.0.1:1/cam"],
                       {"10-log.conf": "core.log_level = info\n"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def assertCtl(self, result, code, stdout=None, stderr=None):
        self.assertEqual(result.returncode, code, f"stdout={result.stdout!r} stderr={result.stderr!r}")
        if stdout is not None:
            self.assertEqual(result.stdout, stdout)
        if stderr is not None:
            self.assertEqual(result.stderr, stderr)

    def test_all_lists_tunables_then_stats(self):
        r = self.d.ctl("-a")
        self.assertCtl(r, 0)
        lines = r.stdout.splitlines()
        self.assertIn("core.workers = 2", lines)
        self.assertIn("path.cam1.source = rtsp://127.0.0.1:1/cam", lines)
        self.assertIn("stats.workers = 2", lines)
        self.assertIn("path.cam1.read_pass = ", lines)
        names = [line.split(" = ")[0] for line in lines]
        first_stat = next(i for i, n in enumerate(names) if n.startswith("stats."))
        self.assertTrue(all(n.startswith("stats.") for n in names[first_stat:]))
        self.assertEqual(self.d.ctl("-A").stdout.splitlines()[0], lines[0])

    def test_read_one_and_values_only_and_subtree(self):
        self.assertCtl(self.d.ctl("core.workers"), 0, "core.workers = 2\n")
        self.assertCtl(self.d.ctl("-n", "core.workers"), 0, "2\n")
        self.assertCtl(self.d.ctl("-N", "core.workers"), 0, "core.workers\n")
        r = self.d.ctl("core")
        self.assertCtl(r, 0)
        self.assertEqual([l.split(" = ")[0] for l in r.stdout.splitlines()],
                         ["core.batch_wait_us", "core.log_level", "core.rx_buffer_bytes",
                          "core.rx_buffers", "core.workers"])

    def test_write_applies_live(self):
        self.assertCtl(self.d.ctl("-w", "core.log_level=debug"), 0, "core.log_level = debug\n")
        self.assertCtl(self.d.ctl("-n", "core.log_level"), 0, "debug\n")
        # sysctl also accepts NAME=VALUE without -w; -q keeps it quiet.
        self.assertCtl(self.d.ctl("-q", "core.log_level=warn"), 0, "")
        self.assertCtl(self.d.ctl("-n", "core.log_level"), 0, "warn\n")
        self.assertCtl(self.d.ctl("-w", "core.log_level=info"), 0)
        self.assertIn("ctl: core.log_level = debug (was info), set by pid", self.d.log_text())

    def test_batch_wait_applies_live_and_is_bounded(self):
        # Posted to every worker's ring (Ring::SetBatchWait); the workers keep running their
        # loops with it, and a value past 1 ms is refused naming the key.
        self.assertCtl(self.d.ctl("-w", "core.batch_wait_us=500"), 0, "core.batch_wait_us = 500\n")
        try:
            enters = lambda: float(self.d.ctl("-n", "stats.worker.0.enters").stdout or 0)
            before = enters()
            self.assertTrue(wait_for(lambda: enters() > before, 10))
            r = self.d.ctl("-w", "core.batch_wait_us=5000")
            self.assertEqual(r.returncode, 1)
            self.assertIn("core.batch_wait_us", r.stderr)
            self.assertCtl(self.d.ctl("-n", "core.batch_wait_us"), 0, "500\n")
        finally:
            self.assertCtl(self.d.ctl("-w", "core.batch_wait_us=0"), 0)

    def test_paths_are_added_and_removed_live(self):
        r = self.d.ctl("-w", "path.cam2.source=rtsp://127.0.0.1:2/x", "path.cam2.on_demand=yes")
        self.assertCtl(r, 0, "path.cam2.source = rtsp://127.0.0.1:2/x\npath.cam2.on_demand = 1\n")
        r = self.d.ctl("path.cam2")
        self.assertCtl(r, 0)
        self.assertEqual(len(r.stdout.splitlines()), 13)
        self.assertCtl(self.d.ctl("-n", "stats.paths"), 0, "2\n")
        self.assertCtl(self.d.ctl("--remove-path", "cam2"), 0, "path.cam2 removed\n")
        self.assertCtl(self.d.ctl("path.cam2.source"), 1, "",
                       'ringcastctl: unknown key "path.cam2.source"\n')
        self.assertCtl(self.d.ctl("--remove-path", "cam2"), 1)

    def test_secrets_are_masked(self):
        self.assertCtl(self.d.ctl("-w", "path.cam1.read_pass=hunter2"), 0, "path.cam1.read_pass = ********\n")
        self.assertCtl(self.d.ctl("path.cam1.read_pass"), 0, "path.cam1.read_pass = ********\n")
        self.assertNotIn("hunter2", self.d.log_text())

    def test_descriptions(self):
        r = self.d.ctl("-d", "core.workers")
        self.assertCtl(r, 0, "core.workers: worker threads, each with its own io_uring (0: one per online "
                             "CPU) (int 0..256, default 0, at restart)\n")
        r = self.d.ctl("-d", "stats.uptime_s")
        self.assertCtl(r, 0, "stats.uptime_s: seconds since ringcastd started (read-only gauge)\n")
        r = self.d.ctl("-da")
        self.assertCtl(r, 0)
        self.assertIn("core.log_level: least severe log lines written to stderr / the journal "
                      "(one of error|warn|info|debug, default info, live)", r.stdout.splitlines())

    def test_errors_name_the_key_and_fail(self):
        self.assertCtl(self.d.ctl("nope.nope"), 1, "", 'ringcastctl: unknown key "nope.nope"\n')
        self.assertCtl(self.d.ctl("-e", "nope.nope"), 0, "", "")
        self.assertCtl(self.d.ctl("-w", "core.rx_buffers=7"), 1, "",
                       'ringcastctl: setting key "core.rx_buffers": invalid value "7": '
                       'expected an integer in [16, 32768]\n')
        self.assertCtl(self.d.ctl("-w", "core.log_level=loud"), 1, "",
                       'ringcastctl: setting key "core.log_level": invalid value "loud": '
                       'expected one of error|warn|info|debug\n')
        self.assertCtl(self.d.ctl("-w", "stats.uptime_s=5"), 1, "",
                       'ringcastctl: permission denied on key "stats.uptime_s": read-only\n')
        self.assertCtl(self.d.ctl("-w", "core.workers=3"), 1, "",
                       'ringcastctl: setting key "core.workers": applies at restart only: '
                       'set it in a config file and restart ringcastd\n')
        # Writing a restart-only key with its running value is not an error.
        self.assertCtl(self.d.ctl("-w", "core.workers=2"), 0, "core.workers = 2\n")
        self.assertCtl(self.d.ctl("-w", "core.workers"), 1, "",
                       'ringcastctl: "core.workers" must be of the form NAME=VALUE\n')
        # One bad key does not stop the others.
        r = self.d.ctl("core.workers", "nope.nope", "ctl.socket")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, f"core.workers = 2\nctl.socket = {self.d.socket}\n")

    def test_daemon_not_running(self):
        r = subprocess.run([RINGCASTCTL, "-S", "/nonexistent/ctl.sock", "core.workers"],
                           capture_output=True, text=True, timeout=20)
        self.assertCtl(r, 1, "", 'ringcastctl: reading key "core.workers": ringcastd is not running '
                                 '(no control socket at /nonexistent/ctl.sock)\n')
        env = dict(os.environ, RINGCAST_CTL_SOCKET="/nonexistent/env.sock")
        r = subprocess.run([RINGCASTCTL, "-w", "core.log_level=info"], capture_output=True, text=True,
                           timeout=20, env=env)
        self.assertCtl(r, 1, "", 'ringcastctl: setting key "core.log_level": ringcastd is not running '
                                 '(no control socket at /nonexistent/env.sock)\n')
        env = dict(os.environ, RINGCAST_CTL_SOCKET=self.d.socket)
        r = subprocess.run([RINGCASTCTL, "-n", "core.workers"], capture_output=True, text=True,
                           timeout=20, env=env)
        self.assertCtl(r, 0, "2\n")

    def test_permission_denied_for_other_users(self):
        if os.geteuid() != 0 or shutil.which("setpriv") is None:
            self.skipTest("needs root and setpriv to act as another user")
        os.chmod(self.d.dir, 0o755)
        os.chmod(os.path.dirname(self.d.socket), 0o755)
        r = self.d.ctl("core.workers", user=65534)
        self.assertCtl(r, 1, "", f'ringcastctl: reading key "core.workers": permission denied on '
                                 f'{self.d.socket} (run as root or a member of group ringcast)\n')

    def test_load_file(self):
        path = os.path.join(self.d.dir, "extra.conf")
        with open(path, "w") as f:
            f.write("# tuning\ncore.log_level = debug\n\npath.cam3.max_readers = 5\n"
                    "core.rx_buffers = 3\n-nope.ignored = 1\nnope.missing = 1\n")
        r = self.d.ctl("-p", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stdout, "core.log_level = debug\npath.cam3.max_readers = 5\n")
        self.assertEqual(r.stderr,
                         f'ringcastctl: {path}:5: setting key "core.rx_buffers": invalid value "3": '
                         f'expected an integer in [16, 32768]\n'
                         f'ringcastctl: {path}:7: unknown key "nope.missing"\n')
        self.assertCtl(self.d.ctl("-n", "path.cam3.max_readers"), 0, "5\n")
        self.assertCtl(self.d.ctl("-q", "-w", "core.log_level=info"), 0)
        self.assertCtl(self.d.ctl("--remove-path", "cam3"), 0)
        with open(path, "w") as f:
            f.write("this is not a config line\n")
        self.assertCtl(self.d.ctl("-p", path), 1, "",
                       f'ringcastctl: {path}:1: expected "key = value", got "this is not a config line"\n')

    def test_usage_errors(self):
        self.assertEqual(self.d.ctl().returncode, 2)
        self.assertEqual(self.d.ctl("-Z").returncode, 2)

    def test_metrics(self):
        status, headers, body = self.d.metrics()
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/plain; version=0.0.4"))
        self.assertIn("# TYPE ringcast_workers gauge\nringcast_workers 2\n", body)
        self.assertIn("# TYPE ringcast_drops_total counter\n", body)
        self.assertIn('ringcast_drops_total{reason="http_bad_request"}', body)
        # The library this ringcastd was built with, as --version names it.
        version = subprocess.run([RINGCASTD, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout
        crypto = re.search(r"\(crypto: (\w+)", version).group(1)
        self.assertIn(crypto, ("BoringSSL", "OpenSSL"))
        self.assertIn(f'ringcast_build_info{{version="0.1.0",crypto="{crypto}"}} 1', body)
        self.assertEqual(self.d.metrics("/nope")[0], 404)
        self.assertEqual(self.d.metrics(method="POST")[0], 405)

    def test_bad_http_request_is_answered_and_counted(self):
        before = int(self.d.ctl("-n", "stats.drops.http_bad_request").stdout)
        with socket.create_connection(("127.0.0.1", self.d.metrics_port), timeout=10) as s:
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost x\r\n\r\n")
            reply = s.recv(4096).decode(errors="replace")
        self.assertTrue(reply.startswith("HTTP/1.1 400 "), reply)
        after = int(self.d.ctl("-n", "stats.drops.http_bad_request").stdout)
        self.assertEqual(after, before + 1)
        self.assertEqual(self.d.metrics()[0], 200)  # still serving
        self.assertIn("http: bad request from 127.0.0.1:", self.d.log_text())


class ReloadTest(unittest.TestCase):
    def setUp(self):
        self.d = Daemon(["core.workers = 1"], {"20-paths.conf": "path.a.source = publisher\n"}).start()

    def tearDown(self):
        self.d.stop()

    def write_conf_d(self, name, text):
        with open(os.path.join(self.d.conf_d, name), "w") as f:
            f.write(text)

    def test_sighup_applies_good_files_and_keeps_config_on_bad_ones(self):
        self.write_conf_d("20-paths.conf", "path.b.source = publisher\ncore.log_level = debug\n")
        self.d.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.d.ctl("-n", "core.log_level").stdout == "debug\n"))
        self.assertEqual(self.d.ctl("path.a.source").returncode, 1)  # gone from the files: removed
        self.assertEqual(self.d.ctl("-n", "path.b.source").stdout, "publisher\n")
        self.assertEqual(self.d.ctl("-n", "stats.config.reloads").stdout, "1\n")

        bad = os.path.join(self.d.conf_d, "30-bad.conf")
        self.write_conf_d("30-bad.conf", "core.log_level = info\nwebrtc.nonsense = 1\n")
        self.d.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: self.d.ctl("-n", "stats.config.reload_failures").stdout == "1\n"))
        self.assertEqual(self.d.ctl("-n", "core.log_level").stdout, "debug\n")  # kept
        self.assertIn(f'config: reload refused, running config kept: {bad}:2: unknown key "webrtc.nonsense"',
                      self.d.log_text())

        r = self.d.ctl("--reload")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, f'ringcastctl: reload refused: {bad}:2: unknown key "webrtc.nonsense"\n')
        os.remove(bad)
        r = self.d.ctl("--reload")
        self.assertEqual((r.returncode, r.stdout), (0, "config reloaded\n"))

    def test_restart_only_key_changed_in_file_waits_for_restart(self):
        with open(self.d.conf, "a") as f:
            f.write("core.workers = 2\n")
        self.d.proc.send_signal(signal.SIGHUP)
        self.assertTrue(wait_for(lambda: "takes effect at restart" in self.d.log_text()))
        self.assertEqual(self.d.ctl("-n", "core.workers").stdout, "1\n")


class StartupTest(unittest.TestCase):
    def test_bad_config_is_refused_with_file_and_line(self):
        d = Daemon(["core.workers = 1", "core.log_level = chatty"], {"50-x.conf": "nope = 1\n"})
        try:
            d.start(expect_ready=False)
            self.assertEqual(d.proc.wait(timeout=10), 1)
            log = d.log_text()
            # The Daemon helper writes 7 lines of its own first.
            self.assertIn(f'config: {d.conf}:9: core.log_level: invalid value "chatty": '
                          f'expected one of error|warn|info|debug', log)
            self.assertIn(f'config: {d.conf_d}/50-x.conf:1: unknown key "nope"', log)
            self.assertFalse(os.path.exists(d.socket))
            r = subprocess.run([RINGCASTD, "--config", d.conf, "--check-config"], capture_output=True,
                               text=True, timeout=20)
            self.assertEqual(r.returncode, 1)
        finally:
            d.stop()

    def test_check_config_accepts_a_good_file(self):
        d = Daemon(["core.workers = 1"])
        try:
            r = subprocess.run([RINGCASTD, "--config", d.conf, "--check-config"], capture_output=True,
                               text=True, timeout=20)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("configuration OK", r.stdout)
            self.assertFalse(os.path.exists(d.socket))
        finally:
            d.stop()

    def test_sigterm_shuts_down_cleanly(self):
        d = Daemon(["core.workers = 2"]).start()
        try:
            # Leave connections open mid-request so the shutdown has operations in flight.
            idle = socket.create_connection(("127.0.0.1", d.metrics_port), timeout=10)
            idle.sendall(b"GET /metr")
            ctl = socket.socket(socket.AF_UNIX)
            ctl.connect(d.socket)
            d.proc.send_signal(signal.SIGTERM)
            self.assertEqual(d.proc.wait(timeout=10), 0)
            self.assertIn("ringcastd: stopped", d.log_text())
            self.assertFalse(os.path.exists(d.socket))
            idle.close()
            ctl.close()
        finally:
            d.stop()

    def test_second_daemon_on_the_same_socket_is_refused(self):
        first = Daemon(["core.workers = 1"]).start()
        try:
            second = subprocess.run([RINGCASTD, "--config", first.conf], capture_output=True, text=True,
                                    timeout=20)
            self.assertEqual(second.returncode, 1)
            self.assertIn("another ringcastd is already listening there", second.stderr)
            self.assertEqual(first.ctl("-n", "core.workers").stdout, "1\n")
        finally:
            first.stop()


if __name__ == "__main__":
    unittest.main(verbosity=2)
