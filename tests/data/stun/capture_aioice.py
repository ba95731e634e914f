#!/usr/bin/python3
"""Captures real ICE connectivity checks from aioice (Debian python3-aioice 0.8.0).

An aioice Connection is pointed at a plain UDP socket on 127.0.0.1 that plays the part of
ringcast (server credentials below); every datagram it receives is saved byte for byte, one
file per distinct request kind. Nothing answers, so aioice retransmits until the timeout.
Run with Debian's interpreter:  /usr/bin/python3 capture_aioice.py OUTDIR
"""
import asyncio
import socket
import sys

import aioice

SERVER_UFRAG = "Rc4sUfrg"
SERVER_PWD = "RingcastServerPwd0123456789+/"


async def capture(controlling: bool, outdir: str, name: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.setblocking(False)
    port = sock.getsockname()[1]
    conn = aioice.Connection(ice_controlling=controlling, use_ipv6=False)
    await conn.gather_candidates()
    conn.remote_username = SERVER_UFRAG
    conn.remote_password = SERVER_PWD
    await conn.add_remote_candidate(
        aioice.Candidate(foundation="1", component=1, transport="udp", priority=2130706431,
                         host="127.0.0.1", port=port, type="host"))
    await conn.add_remote_candidate(None)
    task = asyncio.ensure_future(conn.connect())
    loop = asyncio.get_running_loop()
    data = await asyncio.wait_for(loop.sock_recv(sock, 2048), timeout=5)
    with open(f"{outdir}/{name}.bin", "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes, local ufrag {conn.local_username}")
    task.cancel()
    try:
        await task
    except (asyncio.CancelledError, Exception):
        pass
    await conn.close()
    sock.close()


async def main() -> None:
    outdir = sys.argv[1] if len(sys.argv) > 1 else "."
    await capture(True, outdir, "aioice_controlling_request")
    await capture(False, outdir, "aioice_controlled_request")


asyncio.run(main())
