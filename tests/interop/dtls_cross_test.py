#!/usr/bin/python3
"""DTLS-SRTP between ringcast's two crypto builds: OpenSSL 3 against BoringSSL, each role each way.

ringcast-dtls-peer (tests/interop/dtls_peer.cc) is crypto::DtlsTransport on a UDP socket; the
OpenSSL build's and the BoringSSL build's are run against each other over loopback (the two
libraries cannot share one process). For each pairing and each SRTP profile: both ends connect,
each exports the keys the other exports for the opposite direction (RFC 5764 §4.2), and each
unprotects an SRTP packet the other protected.

Environment: RINGCAST_OPENSSL_PEER and RINGCAST_BORINGSSL_PEER, the two builds' peers (set by
ctest from the OpenSSL tree, which names the BoringSSL tree's with RINGCAST_BORINGSSL_PEER).
"""

import json
import os
import subprocess
import sys
import unittest

PEERS = {
    "OpenSSL": os.environ.get("RINGCAST_OPENSSL_PEER", ""),
    "BoringSSL": os.environ.get("RINGCAST_BORINGSSL_PEER", ""),
}


def start(binary, role, profile):
    return subprocess.Popen([binary, "--role", role, "--profile", profile], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def stop(*processes):
    """Kills what still runs and closes every pipe."""
    for p in processes:
        if p.poll() is None:
            p.kill()
        p.communicate()


def pair(server_library, client_library, profile):
    """Runs one handshake; returns the (server, client) final reports and hello lines."""
    server = start(PEERS[server_library], "server", profile)
    client = start(PEERS[client_library], "client", profile)
    try:
        hellos = [json.loads(p.stdout.readline()) for p in (server, client)]
        server.stdin.write(f"{hellos[1]['fingerprint']} {hellos[1]['port']}\n")
        server.stdin.flush()
        client.stdin.write(f"{hellos[0]['fingerprint']} {hellos[0]['port']}\n")
        client.stdin.flush()
        outputs = [p.communicate(timeout=20) for p in (server, client)]
    finally:
        stop(server, client)
    reports = []
    for (out, err), p in zip(outputs, (server, client)):
        lines = out.strip().splitlines()
        report = json.loads(lines[-1]) if lines else {}
        report["exit"] = p.returncode
        report["stderr"] = err
        reports.append(report)
    return hellos, reports


class CrossLibraryDtls(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [f"{lib}: '{path}'" for lib, path in PEERS.items() if not os.access(path, os.X_OK)]
        if missing:
            # A failure, not a skip: CI builds both trees (tools/dev.sh), and a test that skips
            # there proves nothing.
            raise AssertionError("ringcast-dtls-peer missing for " + ", ".join(missing) +
                                 " (build the BoringSSL tree's ringcast-dtls-peer first)")

    def check(self, server_library, client_library, profile):
        hellos, (server, client) = pair(server_library, client_library, profile)
        label = f"{server_library} server, {client_library} client, profile {profile}"
        self.assertEqual(hellos[0]["library"], server_library, label)
        self.assertEqual(hellos[1]["library"], client_library, label)
        for name, report in (("server", server), ("client", client)):
            self.assertEqual(report.get("state"), "connected", f"{label}: {name} {report}")
            self.assertEqual(report["exit"], 0, f"{label}: {name} {report}")
            self.assertTrue(report["srtp_received"], f"{label}: {name} got no SRTP it could open")
        expected = "cm" if profile == "cm" else "gcm"  # both offer GCM first
        self.assertEqual((server["profile"], client["profile"]), (expected, expected), label)
        self.assertEqual(server["local_key"], client["remote_key"], label)
        self.assertEqual(server["local_salt"], client["remote_salt"], label)
        self.assertEqual(server["remote_key"], client["local_key"], label)
        self.assertEqual(server["remote_salt"], client["local_salt"], label)
        self.assertNotEqual(server["local_key"], server["remote_key"], label)
        print(f"ok: {label}: {hellos[0]['version']} <-> {hellos[1]['version']}", flush=True)

    def test_openssl_server_boringssl_client(self):
        for profile in ("both", "cm"):
            self.check("OpenSSL", "BoringSSL", profile)

    def test_boringssl_server_openssl_client(self):
        for profile in ("both", "cm"):
            self.check("BoringSSL", "OpenSSL", profile)

    def test_fingerprint_mismatch_fails_across_libraries(self):
        # The server is told a fingerprint that is not the client's: it must refuse the client.
        server = start(PEERS["OpenSSL"], "server", "both")
        client = start(PEERS["BoringSSL"], "client", "both")
        try:
            hellos = [json.loads(p.stdout.readline()) for p in (server, client)]
            wrong = ":".join(["AB"] * 32)
            server.stdin.write(f"{wrong} {hellos[1]['port']}\n")
            server.stdin.flush()
            client.stdin.write(f"{hellos[0]['fingerprint']} {hellos[0]['port']}\n")
            client.stdin.flush()
            out, _ = server.communicate(timeout=20)
        finally:
            stop(server, client)
        report = json.loads(out.strip().splitlines()[-1])
        self.assertEqual(report["state"], "failed", report)
        self.assertEqual(report["error"], "peer certificate does not match a=fingerprint")


if __name__ == "__main__":
    unittest.main(verbosity=2)
