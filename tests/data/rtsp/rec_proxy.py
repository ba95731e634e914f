#!/usr/bin/python3
"""Recording TCP proxy: rec_proxy.py LISTEN_PORT UPSTREAM_PORT PREFIX SECONDS.

Relays 127.0.0.1:LISTEN_PORT to 127.0.0.1:UPSTREAM_PORT for SECONDS and writes each
connection's bytes as PREFIX.N.c2s (client to server) and PREFIX.N.s2c (server to client).
Test-only (see README.md).
"""
import socket
import sys
import threading
import time


def pump(src, dst, out):
    with open(out, "wb") as f:
        while True:
            try:
                d = src.recv(65536)
            except OSError:
                break
            if not d:
                break
            f.write(d)
            f.flush()
            try:
                dst.sendall(d)
            except OSError:
                break
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def main():
    listen_port, up_port, prefix = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    seconds = float(sys.argv[4])
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(8)
    ls.settimeout(0.2)
    deadline = time.time() + seconds
    n = 0
    while time.time() < deadline:
        try:
            c, _ = ls.accept()
        except socket.timeout:
            continue
        u = socket.create_connection(("127.0.0.1", up_port))
        for src, dst, suffix in ((c, u, "c2s"), (u, c, "s2c")):
            threading.Thread(
                target=pump, args=(src, dst, f"{prefix}.{n}.{suffix}"), daemon=True
            ).start()
        n += 1
    time.sleep(0.5)


if __name__ == "__main__":
    main()
