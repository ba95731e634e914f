#!/usr/bin/python3
"""WHEP signalling against the real daemon: what a WHEP client, a browser's CORS preflight and an
operator see over HTTP on webrtc.listen — status codes, headers, the answer, the pages, /api/paths,
authentication, limits and the ICE consent timeout. Offers are real browser offers from
tests/data/sdp (the media itself is tested with chromium in tests/e2e).

Run by ctest with RINGCASTD and RINGCASTCTL naming the binaries.
"""

import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, http_request, sdp_fixture, wait_for  # noqa: E402

def offer(name):
    return sdp_fixture(name)


class WhepTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon([
            "core.workers = 1",
            "path.demo.source = demo",
            "path.locked.source = demo",
            "path.locked.read_user = viewer",
            "path.locked.read_pass = s3cret",
            "path.idle.source = publisher",
            "webrtc.advertise = 127.0.0.1",
            "webrtc.allow_origin = https://example.com",
        ]).start()
        assert wait_for(lambda: cls.d.ctl("-n", "stats.path.demo.source_ready").stdout.strip() == "1")
        assert wait_for(lambda: cls.d.ctl("-n", "stats.path.locked.source_ready").stdout.strip() == "1")

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def request(self, method, path, body=None, headers=None):
        return http_request(self.d.webrtc_port, method, path, body, headers)

    def post_offer(self, path="demo", name="chrome_recvonly_offer.sdp", headers=None):
        return self.request("POST", f"/{path}/whep", offer(name),
                            {"Content-Type": "application/sdp", **(headers or {})})

    def sessions(self):
        return int(float(self.d.ctl("-n", "stats.webrtc.sessions").stdout))

    def wait_sessions(self, n):
        # Figures are snapshotted once a second.
        self.assertTrue(wait_for(lambda: self.sessions() == n, 5), f"stats.webrtc.sessions != {n}")

    def test_post_answers_with_the_session_resource(self):
        status, headers, body = self.post_offer()
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["Content-Type"], "application/sdp")
        location = headers["Location"]
        self.assertRegex(location, r"^/demo/whep/[0-9a-f]{32}$")
        self.assertEqual(headers["ETag"], '"' + location.rsplit("/", 1)[1] + '"')
        self.assertEqual(headers["Access-Control-Allow-Origin"], "https://example.com")
        self.assertIn("Location", headers["Access-Control-Expose-Headers"])
        self.assertIn("a=ice-lite", body)
        self.assertIn("a=setup:passive", body)
        self.assertIn("a=fingerprint:sha-256 ", body)
        self.assertRegex(body, r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host")
        self.assertIn("a=sendonly", body)
        self.assertIn("H264/90000", body)
        self.assertIn("a=rtcp-fb:", body)
        self.wait_sessions(1)

        # PATCH: trickle ICE fragments are accepted (and ignored: ICE-lite); the type is checked.
        status, _, _ = self.request("PATCH", location, b"a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n",
                                    {"Content-Type": "application/trickle-ice-sdpfrag"})
        self.assertEqual(status, 204)
        status, _, _ = self.request("PATCH", location, b"x", {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        status, _, _ = self.request("PATCH", location, b"a=end-of-candidates\r\n",
                                    {"Content-Type": "application/trickle-ice-sdpfrag",
                                     "If-Match": '"someone-else"'})
        self.assertEqual(status, 412)

        status, _, _ = self.request("DELETE", location)
        self.assertEqual(status, 200)
        self.wait_sessions(0)
        status, _, _ = self.request("DELETE", location)
        self.assertEqual(status, 404)

    def test_safari_offer_is_answered_and_a_vp8_only_offer_is_told_why_not(self):
        status, headers, body = self.post_offer(name="safari_mac_offer.sdp")
        self.assertEqual(status, 201, body)
        self.request("DELETE", headers["Location"])
        # The Firefox fixture offers VP8 video only; the demo is H.264.
        status, _, body = self.post_offer(name="firefox_nightly_offer.sdp")
        self.assertEqual(status, 400)
        self.assertIn("source has H264", body)
        self.assertIn("VP8", body)

    def test_options_is_a_cors_preflight(self):
        status, headers, _ = self.request("OPTIONS", "/demo/whep", None, {
            "Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertEqual(headers["Accept-Post"], "application/sdp")
        self.assertEqual(headers["Access-Control-Allow-Origin"], "https://example.com")
        self.assertIn("POST", headers["Access-Control-Allow-Methods"])
        self.assertIn("DELETE", headers["Access-Control-Allow-Methods"])
        self.assertIn("Authorization", headers["Access-Control-Allow-Headers"])

    def test_unknown_path_is_404(self):
        status, _, body = self.post_offer(path="nope")
        self.assertEqual(status, 404)
        self.assertIn("nope", body)
        status, _, _ = self.request("GET", "/nope/")
        self.assertEqual(status, 404)

    def test_path_without_a_publisher_is_404_with_a_reason(self):
        status, _, body = self.post_offer(path="idle")
        self.assertEqual(status, 404)
        self.assertIn("nobody is publishing", body)

    def test_bad_offers_get_400_with_the_reason(self):
        status, _, body = self.request("POST", "/demo/whep", b"v=0\r\nthis is not sdp\r\n",
                                       {"Content-Type": "application/sdp"})
        self.assertEqual(status, 400)
        self.assertIn("cannot answer this offer", body)
        without_fingerprint = b"".join(line for line in offer("chrome_recvonly_offer.sdp").splitlines(True)
                                       if not line.startswith(b"a=fingerprint"))
        status, _, body = self.request("POST", "/demo/whep", without_fingerprint,
                                       {"Content-Type": "application/sdp"})
        self.assertEqual(status, 400)
        self.assertIn("fingerprint", body)
        status, _, _ = self.request("POST", "/demo/whep", offer("chrome_recvonly_offer.sdp"),
                                    {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        status, _, _ = self.request("GET", "/demo/whep")
        self.assertEqual(status, 405)

    def test_read_credentials_basic_and_bearer(self):
        status, headers, _ = self.post_offer(path="locked")
        self.assertEqual(status, 401)
        challenges = headers.get_all("WWW-Authenticate")
        self.assertTrue(any(c.startswith("Basic ") for c in challenges), challenges)
        self.assertTrue(any(c.startswith("Bearer ") for c in challenges), challenges)
        status, _, _ = self.post_offer(path="locked", headers={"Authorization": "Basic dmlld2VyOndyb25n"})
        self.assertEqual(status, 401)  # viewer:wrong
        status, headers, body = self.post_offer(path="locked",
                                                headers={"Authorization": "Basic dmlld2VyOnMzY3JldA=="})
        self.assertEqual(status, 201, body)  # viewer:s3cret
        self.request("DELETE", headers["Location"])
        status, headers, body = self.post_offer(path="locked", headers={"Authorization": "Bearer s3cret"})
        self.assertEqual(status, 201, body)
        self.request("DELETE", headers["Location"])
        status, _, _ = self.request("GET", "/locked/")
        self.assertEqual(status, 401)  # the page too, so the browser asks once

    def test_max_sessions_gives_503(self):
        # max_sessions counts sessions with media; one still connecting does not count
        # (webrtc.max_pending_sessions bounds those: tests/integration/hardening_test.py).
        self.d.ctl("webrtc.max_sessions=0")
        try:
            status, headers2, body = self.post_offer()
            self.assertEqual(status, 503)
            self.assertIn("max_sessions", body)
            self.assertIn("Retry-After", headers2)
        finally:
            self.d.ctl("webrtc.max_sessions=10000")

    def test_a_session_without_ice_consent_times_out(self):
        self.d.ctl("webrtc.session_timeout_ms=1000")
        try:
            status, headers, _ = self.post_offer()
            self.assertEqual(status, 201)
            self.wait_sessions(1)
            self.wait_sessions(0)  # nobody sent a binding request
            self.assertIn("no ICE consent", self.d.log_text())
            status, _, _ = self.request("DELETE", headers["Location"])
            self.assertEqual(status, 404)
        finally:
            self.d.ctl("webrtc.session_timeout_ms=30000")

    def test_pages_and_path_list(self):
        status, headers, body = self.request("GET", "/")
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        status, headers, body = self.request("GET", "/demo/")
        self.assertEqual(status, 200)
        self.assertIn("<video", body)
        status, headers, _ = self.request("GET", "/demo")
        self.assertEqual(status, 301)
        self.assertEqual(headers["Location"], "/demo/")
        status, headers, body = self.request("GET", "/api/paths")
        self.assertEqual(status, 200)
        paths = {p["name"]: p for p in json.loads(body)["paths"]}
        demo = paths["demo"]
        self.assertTrue(demo["ready"])
        self.assertEqual(demo["source"], "demo")
        self.assertEqual(demo["tracks"][0]["codec"], "H264")
        self.assertGreater(demo["tracks"][0]["width"], 0)
        self.assertFalse(paths["idle"]["ready"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
