#!/usr/bin/python3
"""WHIP signalling against the real daemon with two workers: what a WHIP client (OBS, a browser
page) sees over HTTP on webrtc.listen — the 201 and its answer, the session resource (PATCH,
DELETE), the CORS preflight, and the refusals an RTSP publisher gets too: unknown path, a path
with a source of its own, publish_allow, credentials, a busy path, override_publisher. The offer
is Chromium's real WHIP offer (tests/data/sdp/chromium_whip_offer.sdp); the media is tested with
chromium itself in tests/e2e (e2e.whip, e2e.whip_loss). The offers here never connect: each
session stays pending, the path's publisher, until webrtc.handshake_timeout_ms ends it.

Run by ctest with RINGCASTD and RINGCASTCTL naming the binaries.
"""

import base64
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(__file__))
from ctl_test import Daemon, http_request, sdp_fixture, wait_for  # noqa: E402

def offer(name="chromium_whip_offer.sdp"):
    return sdp_fixture(name)


class WhipTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon([
            "core.workers = 2",
            "path.demo.source = demo",
            "path.live.source = publisher",
            "path.live.publish_user = encoder",
            "path.live.publish_pass = s3cret",
            "path.shared.source = publisher",
            "path.shared.override_publisher = 1",
            "path.inside.source = publisher",
            "path.inside.publish_allow = 10.0.0.0/8",
            "webrtc.advertise = 127.0.0.1",
            "webrtc.handshake_timeout_ms = 3000",
        ]).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.stop()

    def request(self, method, path, body=None, headers=None):
        return http_request(self.d.webrtc_port, method, path, body, headers)

    def post(self, path, body=None, auth=None, content_type="application/sdp"):
        headers = {"Content-Type": content_type}
        if auth:
            headers["Authorization"] = auth
        return self.request("POST", f"/{path}/whip", offer() if body is None else body, headers)

    def stat(self, name):
        return float(self.d.ctl("-n", name).stdout.strip() or "nan")

    def test_1_publish_answer_patch_delete(self):
        status, headers, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 201, body)
        self.assertEqual(headers["Content-Type"], "application/sdp")
        location = headers["Location"]
        self.assertRegex(location, r"^/live/whip/[0-9a-f]{32}$")
        self.assertEqual(headers["ETag"], '"' + location.rsplit("/", 1)[1] + '"')
        for line in ("a=ice-lite", "a=setup:passive", "a=recvonly", "a=rtpmap:102 H264/90000",
                     "a=rtpmap:103 rtx/90000", "a=fmtp:103 apt=102", "a=rtcp-fb:102 nack",
                     "a=rtcp-fb:102 transport-cc", "a=rtpmap:111 opus/48000/2",
                     "a=group:BUNDLE 0 1"):
            self.assertIn(line + "\r\n", body)
        self.assertRegex(body, r"a=candidate:\S+ 1 udp \d+ 127\.0\.0\.1 \d+ typ host")
        self.assertNotIn("a=sendonly", body)
        self.assertTrue(wait_for(lambda: self.stat("stats.webrtc.publishers") == 1, 5))
        self.assertTrue(wait_for(lambda: self.stat("stats.path.live.publishing") == 1, 5))

        status, _, _ = self.request("PATCH", location, b"a=end-of-candidates\r\n",
                                    {"Content-Type": "application/trickle-ice-sdpfrag"})
        self.assertEqual(status, 204)
        status, _, _ = self.request("PATCH", location, b"x", {"Content-Type": "text/plain"})
        self.assertEqual(status, 415)
        # The same id as a WHEP resource is not this session.
        status, _, _ = self.request("DELETE", location.replace("/whip/", "/whep/"))
        self.assertEqual(status, 404)
        status, _, _ = self.request("DELETE", location)
        self.assertEqual(status, 200)
        self.assertTrue(wait_for(lambda: self.stat("stats.path.live.publishing") == 0, 5))
        status, _, _ = self.request("DELETE", location)
        self.assertEqual(status, 404)

    def test_2_credentials(self):
        for auth, why in ((None, "no credentials"), ("Bearer wrong", "wrong bearer token"),
                          ("Basic " + base64.b64encode(b"encoder:wrong").decode(),
                           "wrong user or password")):
            status, headers, body = self.post("live", auth=auth)
            self.assertEqual(status, 401, body)
            self.assertIn(why, body)
            self.assertIn("Bearer", " ".join(headers.get_all("WWW-Authenticate")))
        status, headers, body = self.post(
            "live", auth="Basic " + base64.b64encode(b"encoder:s3cret").decode())
        self.assertEqual(status, 201, body)
        self.request("DELETE", headers["Location"])

    def test_3_busy_path_and_override(self):
        status, headers, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 201, body)
        status, _, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 409, body)
        self.assertIn("already has a publisher", body)
        self.assertIn("override_publisher", body)
        self.request("DELETE", headers["Location"])

        # override_publisher: the newer publisher takes the path, the older session ends.
        status, first, body = self.post("shared")
        self.assertEqual(status, 201, body)
        status, second, body = self.post("shared")
        self.assertEqual(status, 201, body)
        self.assertTrue(wait_for(lambda: self.stat("stats.webrtc.publishers") == 1, 5))
        self.assertTrue(wait_for(lambda: self.stat("stats.path.shared.publishing") == 1, 5))
        # The replaced session is gone (404 once reaped); the newer one is the one to DELETE.
        self.assertTrue(wait_for(
            lambda: self.request("DELETE", first["Location"])[0] == 404, 5))
        status, _, _ = self.request("DELETE", second["Location"])
        self.assertEqual(status, 200)
        self.assertTrue(wait_for(lambda: self.stat("stats.path.shared.publishing") == 0, 5))

    def test_4_refusals(self):
        status, _, body = self.post("nosuch")
        self.assertEqual(status, 404)
        self.assertIn("publish_any", body)
        status, _, body = self.post("demo")
        self.assertEqual(status, 400)
        self.assertIn("from its source", body)
        status, _, body = self.post("inside")
        self.assertEqual(status, 403)
        status, _, body = self.post("live", auth="Bearer s3cret", content_type="text/plain")
        self.assertEqual(status, 415)
        status, _, body = self.post("live", body=b"v=0\r\nnot sdp\r\n", auth="Bearer s3cret")
        self.assertEqual(status, 400)
        self.assertIn("cannot answer this offer", body)
        # A viewer's offer has nothing to send.
        status, _, body = self.post("live", body=offer("chrome_recvonly_offer.sdp"),
                                    auth="Bearer s3cret")
        self.assertEqual(status, 400)
        self.assertIn("sendonly or sendrecv", body)
        status, headers, _ = self.request("GET", "/live/whip")
        self.assertEqual(status, 405)
        self.assertIn("POST", headers["Allow"])
        # No refused offer was left publishing: the path takes a publisher at once.
        status, headers, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 201, body)
        self.request("DELETE", headers["Location"])

    def test_5_options_and_publish_any(self):
        status, headers, _ = self.request("OPTIONS", "/live/whip", None, {
            "Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
        self.assertEqual(status, 204)
        self.assertEqual(headers["Accept-Post"], "application/sdp")
        self.assertIn("POST", headers["Access-Control-Allow-Methods"])
        self.assertIn("Authorization", headers["Access-Control-Allow-Headers"])

        self.assertEqual(self.d.ctl("rtsp.publish_any=1").returncode, 0)
        try:
            status, headers, body = self.post("anyname/sub")
            self.assertEqual(status, 201, body)
            self.assertTrue(headers["Location"].startswith("/anyname/sub/whip/"))
            self.assertTrue(wait_for(lambda: self.stat("stats.path.anyname/sub.publishing") == 1, 5))
            status, _, _ = self.request("DELETE", headers["Location"])
            self.assertEqual(status, 200)
        finally:
            self.d.ctl("rtsp.publish_any=0")

    def test_6_an_offer_that_never_connects_ends_and_frees_the_path(self):
        status, _, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 201, body)
        # The figures are a snapshot (once a second): publishing first, then not after
        # webrtc.handshake_timeout_ms (3 s) + the 1 s check; the path takes a publisher again.
        self.assertTrue(wait_for(lambda: self.stat("stats.path.live.publishing") == 1, 5))
        self.assertTrue(wait_for(lambda: self.stat("stats.path.live.publishing") == 0, 8))
        status, headers, body = self.post("live", auth="Bearer s3cret")
        self.assertEqual(status, 201, body)
        self.request("DELETE", headers["Location"])


if __name__ == "__main__":
    unittest.main(verbosity=2)
