#!/usr/bin/python3
"""Prints the RTP headers of the UDP datagrams a port sends on the loopback interface.

SRTP leaves the RTP header in the clear, so a WebRTC viewer's sequence numbers and timestamps
can be read off the wire without the keys. Reads from an AF_PACKET socket on `lo` (root), keeps
datagrams whose source port is --port and that look like RTP (version 2, not RTCP, not STUN or
DTLS), and prints one JSON object per packet:

    {"t": arrival in s (CLOCK_MONOTONIC), "ssrc": ..., "seq": ..., "ts": ..., "pt": ...}

It prints "READY" first, once capturing, and stops after --seconds or when stdin closes.

    rtp_capture.py --port 8189 --seconds 20
"""
import argparse
import json
import select
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4  # on lo every datagram shows twice: as sent and as received


def rtp_header(frame, port):
    """The RTP fields of an Ethernet frame carrying IPv4/UDP from `port`, or None."""
    if len(frame) < 14 + 20 + 8 + 12 or frame[12:14] != b"\x08\x00":
        return None
    ip = frame[14:]
    if ip[0] >> 4 != 4 or ip[9] != 17:
        return None
    udp = ip[(ip[0] & 0x0F) * 4:]
    source_port, = struct.unpack("!H", udp[0:2])
    if source_port != port:
        return None
    rtp = udp[8:]
    if len(rtp) < 12 or rtp[0] >> 6 != 2 or 192 <= rtp[1] <= 223:  # not RTP, or RTCP
        return None
    seq, ts, ssrc = struct.unpack("!HII", rtp[2:12])
    return {"ssrc": ssrc, "seq": seq, "ts": ts, "pt": rtp[1] & 0x7F}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--seconds", type=float, default=30)
    args = ap.parse_args()
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    sock.bind(("lo", 0))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    print("READY", flush=True)
    deadline = time.monotonic() + args.seconds
    while (left := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([sock, sys.stdin], [], [], left)
        if sys.stdin in readable and not sys.stdin.buffer.read1(4096):
            break  # stdin closed: the test is done
        if sock not in readable:
            continue
        frame, address = sock.recvfrom(65536)
        if address[2] == PACKET_OUTGOING:
            continue
        header = rtp_header(frame, args.port)
        if header is not None:
            header["t"] = round(time.monotonic(), 6)
            print(json.dumps(header), flush=False)
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
