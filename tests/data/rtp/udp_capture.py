#!/usr/bin/env python3
"""Receives UDP datagrams on 127.0.0.1:PORT and writes them to OUT, each as a 4-byte big-endian
length followed by the datagram's bytes, exactly as received. Stops after SECONDS, or after
IDLE seconds without a datagram once the first one has arrived.

usage: udp_capture.py PORT OUT [SECONDS] [IDLE]
"""
import socket
import struct
import sys
import time

port, out = int(sys.argv[1]), sys.argv[2]
max_secs = float(sys.argv[3]) if len(sys.argv) > 3 else 20.0
idle_secs = float(sys.argv[4]) if len(sys.argv) > 4 else 2.0
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
sock.bind(("127.0.0.1", port))
deadline = time.time() + max_secs
count = 0
with open(out, "wb") as f:
    while time.time() < deadline:
        sock.settimeout(idle_secs if count else max(0.1, deadline - time.time()))
        try:
            data = sock.recv(65536)
        except socket.timeout:
            if count:
                break
            continue
        f.write(struct.pack(">I", len(data)))
        f.write(data)
        count += 1
print(f"udp_capture: {count} datagrams to {out}", file=sys.stderr)
