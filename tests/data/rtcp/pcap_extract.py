#!/usr/bin/env python3
"""Writes the UDP payloads of the packets in PCAP that match a tshark display filter to OUT in
the capture format of tests/data/rtp (4-byte big-endian length + datagram).

usage: pcap_extract.py PCAP FILTER OUT
"""
import struct
import subprocess
import sys

pcap, display_filter, out = sys.argv[1:4]
fields = subprocess.run(
    ["tshark", "-r", pcap, "-Y", display_filter, "-T", "fields", "-e", "udp.payload"],
    capture_output=True, text=True, check=True).stdout.split()
with open(out, "wb") as f:
    for hex_payload in fields:
        data = bytes.fromhex(hex_payload.replace(":", ""))
        f.write(struct.pack(">I", len(data)) + data)
print(f"pcap_extract: {len(fields)} datagrams to {out}", file=sys.stderr)
