#!/usr/bin/python3
"""A tiny RTSP/1.0 responder that records what a real client sends (see README.md).

usage: rtsp_responder.py PORT PREFIX SECONDS [--digest NONCE] [--basic] [--profile AVPF]

Listens on 127.0.0.1:PORT, accepts connections for SECONDS, and answers every request so that a
client goes as far as SETUP and PLAY/RECORD: OPTIONS, DESCRIBE (a canned H.264 SDP), ANNOUNCE,
SETUP (echoes the first offered Transport, adding server_port for UDP), PLAY, RECORD,
GET_PARAMETER, SET_PARAMETER, TEARDOWN all get 200. --profile puts another RTP profile on the SDP's
m= line (GStreamer then offers a list of Transport alternatives). With --digest NONCE (or --basic), a request
without Authorization gets 401 with that fixed challenge (realm "ringcast"), so the client's
Authorization can be checked offline. Writes PREFIX.N.c2s (client bytes, '$' frames included)
and PREFIX.N.s2c (our bytes) per connection. Test-only; never used by ringcastd.
"""
import re
import socket
import sys
import threading
import time

SDP = (
    "v=0\r\n"
    "o=- 0 0 IN IP4 127.0.0.1\r\n"
    "s=ringcast capture\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "t=0 0\r\n"
    "m=video 0 RTP/%s 96\r\n"
    "a=rtpmap:96 H264/90000\r\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=64000A;"
    "sprop-parameter-sets=Z2QACqzZQoR+XARAAAADAEAAAAUDxIllgA==,aOvjyyLA\r\n"
    "a=control:trackID=0\r\n"
)


def main():
    port, prefix, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    digest_nonce = None
    basic = "--basic" in sys.argv
    global SDP
    profile = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else "AVP"
    SDP = SDP % profile
    if "--digest" in sys.argv:
        digest_nonce = sys.argv[sys.argv.index("--digest") + 1]
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", port))
    ls.listen(8)
    ls.settimeout(0.2)
    deadline = time.time() + seconds
    n = 0
    threads = []
    print("listening", port, flush=True)
    while time.time() < deadline:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        t = threading.Thread(
            target=serve, args=(conn, f"{prefix}.{n}", deadline, digest_nonce, basic), daemon=True
        )
        t.start()
        threads.append(t)
        n += 1
    for t in threads:
        t.join(1)


def serve(conn, name, deadline, digest_nonce, basic):
    conn.settimeout(0.2)
    buf = b""
    session = "12345678"
    with open(name + ".c2s", "wb") as c2s, open(name + ".s2c", "wb") as s2c:

        def send(data):
            s2c.write(data)
            s2c.flush()
            conn.sendall(data)

        while time.time() < deadline:
            try:
                d = conn.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                break
            if not d:
                break
            c2s.write(d)
            c2s.flush()
            buf += d
            while True:
                if buf.startswith(b"$"):
                    if len(buf) < 4:
                        break
                    size = 4 + int.from_bytes(buf[2:4], "big")
                    if len(buf) < size:
                        break
                    buf = buf[size:]
                    continue
                end = buf.find(b"\r\n\r\n")
                if end < 0:
                    break
                head = buf[:end].decode("latin-1")
                m = re.search(r"(?im)^content-length:\s*(\d+)", head)
                body_len = int(m.group(1)) if m else 0
                if len(buf) < end + 4 + body_len:
                    break
                buf = buf[end + 4 + body_len :]
                send(answer(head, session, digest_nonce, basic))


def answer(head, session, digest_nonce, basic):
    lines = head.split("\r\n")
    method = lines[0].split(" ")[0]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    cseq = headers.get("cseq", "0")
    extra = ""
    body = ""
    if (digest_nonce or basic) and "authorization" not in headers and method != "OPTIONS":
        if digest_nonce:
            challenge = f'Digest realm="ringcast", nonce="{digest_nonce}", qop="auth"'
        else:
            challenge = 'Basic realm="ringcast"'
        return (
            f"RTSP/1.0 401 Unauthorized\r\nCSeq: {cseq}\r\n"
            f"WWW-Authenticate: {challenge}\r\n\r\n"
        ).encode()
    if method == "OPTIONS":
        extra = (
            "Public: OPTIONS, DESCRIBE, ANNOUNCE, SETUP, PLAY, RECORD, PAUSE, "
            "GET_PARAMETER, SET_PARAMETER, TEARDOWN\r\n"
        )
    elif method == "DESCRIBE":
        body = SDP
        extra = "Content-Type: application/sdp\r\nContent-Base: %s/\r\n" % lines[0].split(" ")[1]
    elif method == "SETUP":
        transport = headers.get("transport", "").split(",")[0]
        if "TCP" not in transport.upper() and "server_port" not in transport:
            transport += ";server_port=6970-6971"
        extra = f"Transport: {transport}\r\nSession: {session};timeout=60\r\n"
    elif method in ("PLAY", "RECORD", "GET_PARAMETER", "SET_PARAMETER", "TEARDOWN"):
        extra = f"Session: {session}\r\n"
    out = f"RTSP/1.0 200 OK\r\nCSeq: {cseq}\r\n{extra}"
    if body:
        out += f"Content-Length: {len(body)}\r\n"
    return (out + "\r\n" + body).encode()


if __name__ == "__main__":
    main()
