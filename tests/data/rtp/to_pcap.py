#!/usr/bin/env python3
"""Wraps each datagram of a length-prefixed capture (see README.md) in IPv4/UDP headers
(127.0.0.1:5004 -> 127.0.0.1:PORT, 40 ms apart) and writes a pcap (LINKTYPE_RAW), so that
tshark can decode the same bytes the tests read:

usage: to_pcap.py CAPTURE PORT OUT.pcap
"""
import struct
import sys

src, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
data = open(src, "rb").read()
with open(out, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 101))
    i, n = 0, 0
    while i < len(data):
        (length,) = struct.unpack(">I", data[i:i + 4])
        payload = data[i + 4:i + 4 + length]
        i += 4 + length
        udp = struct.pack(">HHHH", 5004, port, 8 + length, 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), n & 0xFFFF, 0, 64, 17, 0,
                         bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        csum = sum(struct.unpack(">10H", ip))
        csum = (csum & 0xFFFF) + (csum >> 16)
        csum = (csum & 0xFFFF) + (csum >> 16)
        ip = ip[:10] + struct.pack(">H", ~csum & 0xFFFF) + ip[12:]
        frame = ip + udp
        f.write(struct.pack("<IIII", n // 25, (n % 25) * 40000, len(frame), len(frame)))
        f.write(frame)
        n += 1
