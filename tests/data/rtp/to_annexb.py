#!/usr/bin/env python3
"""Depacketizes an H.264 (RFC 6184) or H.265 (RFC 7798, no DONL) length-prefixed RTP capture
(see README.md) into an Annex B elementary stream, so that ffprobe can say what the packets
carry:

usage: to_annexb.py h264|h265 CAPTURE OUT
"""
import struct
import sys

codec, src, out = sys.argv[1], sys.argv[2], sys.argv[3]
data = open(src, "rb").read()
nals, fu = [], bytearray()
i = 0
while i < len(data):
    (length,) = struct.unpack(">I", data[i:i + 4])
    p = data[i + 4:i + 4 + length]
    i += 4 + length
    h = 12 + 4 * (p[0] & 15)
    if p[0] & 0x10:
        h += 4 + 4 * struct.unpack(">H", p[h + 2:h + 4])[0]
    pl = p[h:len(p) - (p[-1] if p[0] & 0x20 else 0)]
    if codec == "h264":
        t, hdr, agg, frag = pl[0] & 31, 1, 24, 28
    else:
        t, hdr, agg, frag = (pl[0] >> 1) & 63, 2, 48, 49
    if t == agg:
        j = hdr
        while j + 2 <= len(pl):
            (n,) = struct.unpack(">H", pl[j:j + 2])
            nals.append(pl[j + 2:j + 2 + n])
            j += 2 + n
    elif t == frag:
        fh = pl[hdr]
        if fh & 0x80:
            if codec == "h264":
                fu = bytearray([(pl[0] & 0xE0) | (fh & 31)])
            else:
                fu = bytearray([(pl[0] & 0x81) | ((fh & 63) << 1), pl[1]])
        fu += pl[hdr + 1:]
        if fh & 0x40:
            nals.append(bytes(fu))
    else:
        nals.append(pl)
with open(out, "wb") as f:
    for n in nals:
        f.write(b"\x00\x00\x00\x01" + n)
