#!/usr/bin/python3
"""Authentication against the real daemon: hashed passwords made by `ringcastctl --hash-password`
(RTSP Digest and Basic with ffprobe, WHEP Basic and Bearer), Digest nonces bound to the client
and not evictable by floods, replayed Authorization headers refused, and the per-client back-off
after repeated failures (and its end).

Raw RTSP requests are written here (with Python's own Digest) where a player cannot be told to
misbehave. Run by ctest with RINGCASTD and RINGCASTCTL naming the binaries; every loop is bounded
in count and time; traffic stays on loopback.
"""

import base64
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import RINGCASTCTL, Daemon, free_port, wait_for  # noqa: E402

FFPROBE = shutil.which("ffprobe")
PASSWORD = "s3cret p@ss"


def hash_password(user, *flags):
    r = subprocess.run([RINGCASTCTL, "--hash-password", user, *flags], input=PASSWORD + "\n",
                       capture_output=True, text=True, timeout=20)
    assert r.returncode == 0, r.stderr
    return r.stdout.strip()


class Rtsp:
    """One RTSP connection speaking raw requests."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""
        self.cseq = 0

    def close(self):
        self.sock.close()

    def send(self, method, url, headers=()):
        self.cseq += 1
        lines = [f"{method} {url} RTSP/1.0", f"CSeq: {self.cseq}", *headers, "", ""]
        self.sock.sendall("\r\n".join(lines).encode())

    def response(self):
        """(status, {header-name-lower: [values]}) of the next response (its body skipped)."""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
        length = int(headers.get("content-length", ["0"])[0])
        while len(self.buf) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        self.buf = self.buf[length:]
        return status, headers

    def request(self, method, url, headers=()):
        self.send(method, url, headers)
        return self.response()


def challenge(headers):
    """The MD5 Digest challenge's parameters from a 401's headers."""
    for value in headers.get("www-authenticate", []):
        if value.startswith("Digest ") and "algorithm" not in value:
            return dict(re.findall(r'(\w+)="?([^",]*)"?', value[7:]))
    raise AssertionError(f"no MD5 Digest challenge in {headers}")


def digest(method, url, nonce, nc, password=PASSWORD, user="viewer", cnonce="0a4f113b"):
    """An Authorization header value for qop=auth (RFC 7616 §3.4.1, MD5)."""
    h = lambda s: hashlib.md5(s.encode()).hexdigest()  # noqa: E731
    ha1 = h(f"{user}:ringcast:{password}")
    response = h(f"{ha1}:{nonce}:{nc:08x}:{cnonce}:auth:{h(f'{method}:{url}')}")
    return (f'Authorization: Digest username="{user}", realm="ringcast", nonce="{nonce}", '
            f'uri="{url}", response="{response}", qop=auth, nc={nc:08x}, cnonce="{cnonce}"')


def stat(d, name):
    return int(float(d.ctl("-n", name).stdout or "0"))


class HashedPasswordTest(unittest.TestCase):
    """A daemon whose locked path stores its read password hashed."""

    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.line = hash_password("viewer")
        cls.d = Daemon([
            "core.workers = 2",
            f"rtsp.listen = 127.0.0.1:{cls.port}",
            "rtsp.auth_methods = digest",
            "path.locked.source = demo",
            "path.locked.read_user = viewer",
            f"path.locked.read_pass = {cls.line}",
            "path.bearer.source = demo",
            "path.bearer.read_pass = " + hash_password("viewer", "--no-digest"),
            "webrtc.advertise = 127.0.0.1",
        ]).start()
        cls.url = f"rtsp://127.0.0.1:{cls.port}/locked"
        assert wait_for(lambda: cls.d.ctl("-n", "stats.path.locked.source_ready").stdout.strip() == "1", 20)

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def test_hash_line_form(self):
        self.assertRegex(self.line, r"^pbkdf2-sha256:10000:[0-9a-f]{32}:[0-9a-f]{64},"
                                    r"digest-md5:[0-9a-f]{32},digest-sha256:[0-9a-f]{64}$")
        self.assertNotIn(PASSWORD, self.line)
        r = subprocess.run([RINGCASTCTL, "--hash-password", "viewer"], input="", capture_output=True,
                           text=True, timeout=20)
        self.assertEqual(r.returncode, 1)
        # ringcastctl shows the stored line masked like any secret.
        self.assertEqual(self.d.ctl("path.locked.read_pass").stdout, "path.locked.read_pass = ********\n")

    def test_malformed_hashed_line_is_reported_when_set(self):
        bad = "digest-md5:" + "ab" * 15  # one byte short
        self.assertEqual(self.d.ctl("-w", f"path.badhash.read_pass={bad}").returncode, 0)
        self.assertTrue(wait_for(lambda: "path badhash: read_pass: hashed password" in self.d.log_text(), 5),
                        self.d.log_text())
        self.assertNotIn(bad, self.d.log_text())
        self.d.ctl("-q", "--remove-path", "badhash")

    @unittest.skipIf(FFPROBE is None, "needs ffprobe")
    def test_ffprobe_digest_with_hashed_password(self):
        r = subprocess.run([FFPROBE, "-v", "error", "-rtsp_transport", "tcp", "-show_entries",
                            "stream=codec_name", "-of", "csv=p=0",
                            f"rtsp://viewer:s3cret%20p%40ss@127.0.0.1:{self.port}/locked"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr + self.d.log_text())
        self.assertIn("h264", r.stdout)
        r = subprocess.run([FFPROBE, "-v", "error", "-rtsp_transport", "tcp",
                            f"rtsp://viewer:wrong@127.0.0.1:{self.port}/locked"],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("401", r.stderr)
        self.assertNotIn(PASSWORD, self.d.log_text())

    def test_replayed_header_refused_on_a_new_connection(self):
        failed = stat(self.d, "stats.drops.auth_failed")
        first = Rtsp(self.port)
        status, headers = first.request("DESCRIBE", self.url)
        self.assertEqual(status, 401)
        nonce = challenge(headers)["nonce"]
        header = digest("DESCRIBE", self.url, nonce, 1)
        self.assertEqual(first.request("DESCRIBE", self.url, [header])[0], 200)
        # The same header again: on the same connection and on three new ones.
        self.assertEqual(first.request("DESCRIBE", self.url, [header])[0], 401)
        first.close()
        for _ in range(3):
            other = Rtsp(self.port)
            status, headers = other.request("DESCRIBE", self.url, [header])
            other.close()
            self.assertEqual(status, 401)
            self.assertIn("stale=true", " ".join(headers["www-authenticate"]))
        # The honest client goes on counting on its nonce.
        again = Rtsp(self.port)
        self.assertEqual(again.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, 2)])[0], 200)
        again.close()
        self.assertTrue(wait_for(lambda: stat(self.d, "stats.drops.auth_failed") >= failed + 4, 5))

    def test_nonce_from_another_address_refused(self):
        # A nonce issued to 127.0.0.1, presented from 127.0.0.2 with a right digest.
        first = Rtsp(self.port)
        nonce = challenge(first.request("DESCRIBE", self.url)[1])["nonce"]
        first.close()
        sock = socket.socket()
        sock.settimeout(10)
        sock.bind(("127.0.0.2", 0))
        sock.connect(("127.0.0.1", self.port))
        other = Rtsp.__new__(Rtsp)
        other.sock, other.buf, other.cseq = sock, b"", 0
        status, headers = other.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, 1)])
        self.assertEqual(status, 401)
        self.assertIn("stale=true", " ".join(headers["www-authenticate"]))
        other.close()

    def test_slow_client_after_a_flood_of_challenges(self):
        slow = Rtsp(self.port)
        nonce = challenge(slow.request("DESCRIBE", self.url)[1])["nonce"]
        # 10,000 unauthenticated DESCRIBEs on other connections (pipelined in batches of 100),
        # each answered with a challenge, before the slow client answers its own.
        flood = [Rtsp(self.port) for _ in range(4)]
        started = time.monotonic()
        sent = 0
        while sent < 10000 and time.monotonic() - started < 60:
            for conn in flood:
                for _ in range(100):
                    conn.send("DESCRIBE", self.url)
                for _ in range(100):
                    self.assertEqual(conn.response()[0], 401)
                sent += 100
        for conn in flood:
            conn.close()
        self.assertEqual(sent, 10000, f"flood too slow: {sent} in 60 s")
        print(f"\n  10,000 unauthenticated DESCRIBEs in {time.monotonic() - started:.2f} s", file=sys.stderr)
        status, _ = slow.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, 1)])
        self.assertEqual(status, 200)
        slow.close()

    def whep_get(self, path, headers):
        request = urllib.request.Request(f"http://127.0.0.1:{self.d.webrtc_port}/{path}/",
                                         headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def test_whep_basic_and_bearer_with_hashed_password(self):
        basic = lambda u, p: {"Authorization": "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()}  # noqa: E731
        self.assertEqual(self.whep_get("locked", basic("viewer", PASSWORD)), 200)
        self.assertEqual(self.whep_get("locked", {"Authorization": f"Bearer {PASSWORD}"}), 200)
        self.assertEqual(self.whep_get("locked", basic("viewer", "wrong")), 401)
        self.assertEqual(self.whep_get("locked", {"Authorization": "Bearer wrong"}), 401)
        self.assertEqual(self.whep_get("locked", {"Authorization": f"Bearer {self.line}"}), 401)
        # A Basic/Bearer-only line (--no-digest, no read_user): Bearer works.
        self.assertEqual(self.whep_get("bearer", {"Authorization": f"Bearer {PASSWORD}"}), 200)
        self.assertEqual(self.whep_get("bearer", {"Authorization": "Bearer s3cret"}), 401)
        # A WHEP offer gets through the check (then the offer itself is judged).
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.d.webrtc_port}/locked/whep", data=b"v=0\r\n", method="POST",
            headers={"Authorization": f"Bearer {PASSWORD}", "Content-Type": "text/plain"})
        try:
            urllib.request.urlopen(request, timeout=10)
            code = 200
        except urllib.error.HTTPError as error:
            code = error.code
        self.assertEqual(code, 415)  # past authentication


class PullWithDigestSha256Test(unittest.TestCase):
    """ringcastd pulling from another ringcastd that offers only Digest SHA-256 (RFC 7616; ffmpeg
    has no SHA-256 Digest, ringcastd's own RTSP client does) against a hashed read_pass."""

    def test_pull_through_sha256_digest_with_hashed_password(self):
        port = free_port()
        origin = Daemon(["core.workers = 1", f"rtsp.listen = 127.0.0.1:{port}",
                         "rtsp.auth_methods = digest-sha256", "path.cam.source = demo",
                         "path.cam.read_user = edge", "path.cam.read_pass = " + hash_password("edge")]).start()
        edge = None
        try:
            self.assertTrue(wait_for(lambda: origin.ctl("-n", "stats.path.cam.source_ready").stdout.strip() == "1", 20))
            edge = Daemon(["core.workers = 1",
                           f"path.right.source = rtsp://edge:s3cret%20p%40ss@127.0.0.1:{port}/cam"]).start()
            self.assertTrue(wait_for(lambda: edge.ctl("-n", "stats.path.right.source_ready").stdout.strip() == "1", 20),
                            edge.log_text() + origin.log_text())
            self.assertIn("is reading cam", origin.log_text())
            # A wrong password (added once the right pull runs: its failures put 127.0.0.1 in
            # back-off on the origin, which must not stop the pull already running).
            edge.ctl("-q", "-w", f"path.wrong.source=rtsp://edge:guess@127.0.0.1:{port}/cam")
            self.assertTrue(wait_for(lambda: stat(origin, "stats.drops.auth_failed") >= 1, 10))
            self.assertIn(edge.ctl("-n", "stats.path.wrong.source_ready").stdout.strip(), ("", "0"))
            self.assertEqual(edge.ctl("-n", "stats.path.right.source_ready").stdout.strip(), "1")
        finally:
            if edge is not None:
                edge.stop()
            origin.stop()


class BackoffTest(unittest.TestCase):
    """Five failures within a minute put a client in back-off; it ends after Retry-After."""

    def setUp(self):
        self.port = free_port()
        self.d = Daemon([
            "core.workers = 1",
            f"rtsp.listen = 127.0.0.1:{self.port}",
            "path.locked.source = demo",
            "path.locked.read_user = viewer",
            f"path.locked.read_pass = {PASSWORD}",
        ]).start()
        self.url = f"rtsp://127.0.0.1:{self.port}/locked"
        assert wait_for(lambda: self.d.ctl("-n", "stats.path.locked.source_ready").stdout.strip() == "1", 20)

    def tearDown(self):
        self.d.stop()

    def test_rtsp_backoff_engages_and_ends(self):
        conn = Rtsp(self.port)
        nonce = challenge(conn.request("DESCRIBE", self.url)[1])["nonce"]
        timings = []
        for nc in range(1, 6):
            t = time.monotonic()
            status, _ = conn.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, nc, "guess")])
            timings.append(time.monotonic() - t)
            self.assertEqual(status, 401)
        # In back-off: refused at once, even with the right password, with Retry-After.
        status, headers = conn.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, 6)])
        self.assertEqual(status, 503)
        retry_after = int(headers["retry-after"][0])
        self.assertTrue(1 <= retry_after <= 2, retry_after)
        if FFPROBE is not None:
            r = subprocess.run([FFPROBE, "-v", "error", "-rtsp_transport", "tcp",
                                f"rtsp://viewer:s3cret%20p%40ss@127.0.0.1:{self.port}/locked"],
                               capture_output=True, text=True, timeout=60)
            self.assertNotEqual(r.returncode, 0)
        self.assertTrue(wait_for(lambda: stat(self.d, "stats.drops.auth_failed") == 5, 5))
        self.assertGreaterEqual(stat(self.d, "stats.drops.auth_backoff"), 1)
        # It ends: the right password works again.
        time.sleep(retry_after + 0.2)
        status, _ = conn.request("DESCRIBE", self.url, [digest("DESCRIBE", self.url, nonce, 7)])
        self.assertEqual(status, 200)
        conn.close()
        log = self.d.log_text()
        self.assertNotIn(PASSWORD, log)
        self.assertNotIn("guess", log)
        # Logged with the client's address, not once per attempt.
        denied = [l for l in log.splitlines() if "denied reading of locked" in l]
        self.assertTrue(1 <= len(denied) <= 2, denied)
        self.assertIn("127.0.0.1:", denied[0])
        self.assertIn("backing off", log)
        print(f"\n  failed attempts answered in {max(timings) * 1000:.1f} ms at most", file=sys.stderr)

    def test_whep_backoff_engages_and_ends(self):
        def get(authorization):
            request = urllib.request.Request(f"http://127.0.0.1:{self.d.webrtc_port}/locked/",
                                             headers={"Authorization": authorization})
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.headers
            except urllib.error.HTTPError as error:
                return error.code, error.headers

        for _ in range(5):
            self.assertEqual(get("Bearer guess")[0], 401)
        status, headers = get(f"Bearer {PASSWORD}")
        self.assertEqual(status, 429)
        retry_after = int(headers["Retry-After"])
        self.assertTrue(1 <= retry_after <= 2, retry_after)
        time.sleep(retry_after + 0.2)
        basic = "Basic " + base64.b64encode(f"viewer:{PASSWORD}".encode()).decode()
        self.assertEqual(get(basic)[0], 200)
        self.assertEqual(stat(self.d, "stats.drops.auth_failed"), 5)


if __name__ == "__main__":
    unittest.main(verbosity=2)
