#!/usr/bin/env python3
"""Forwards UDP datagrams from 127.0.0.1:LISTEN to 127.0.0.1:DEST, dropping every Nth one after
the first 30, so that a receiver sees loss and sends NACK / PLI / FIR. Stops 3 s after the
last datagram.

usage: lossy_relay.py LISTEN DEST N
"""
import socket
import sys

listen, dest, n = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", listen))
sock.settimeout(3)
out = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
count = 0
try:
    while True:
        data = sock.recv(65536)
        count += 1
        if count % n == 0 and count > 30:
            continue
        out.sendto(data, ("127.0.0.1", dest))
except socket.timeout:
    pass
print(f"lossy_relay: {count} datagrams", file=sys.stderr)
