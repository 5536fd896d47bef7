#!/usr/bin/env python3
"""python-websockets as the client of SwiftWebSocket's server (integration tests).

Usage: client.py URL [compression]
Sends text, binary, a fragmented message and a ping to an echo server, checks every echo, closes
with 1000, and prints "OK" (exit 0) or the failure (exit 1).
"""
import asyncio
import sys

from websockets.asyncio.client import connect


async def main(url, compression):
    async with connect(url, compression=compression, max_size=16 * 1024 * 1024) as ws:
        await ws.send("hello κόσμε")
        assert await ws.recv() == "hello κόσμε"
        await ws.send(bytes(range(256)) * 100)
        assert await ws.recv() == bytes(range(256)) * 100
        await ws.send(["frag", "men", "ted"])
        assert await ws.recv() == "fragmented"
        big = "x" * 200_000
        await ws.send(big)
        assert await ws.recv() == big
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 5)
        if compression:
            assert ws.protocol.extensions, "permessage-deflate was not negotiated"
    assert ws.close_code == 1000, ws.close_code
    print("OK")


if __name__ == "__main__":
    try:
        asyncio.run(main(sys.argv[1], "deflate" if len(sys.argv) > 2 and sys.argv[2] == "compression" else None))
    except Exception as error:  # report any failure to the Swift test
        print("FAILED: %r" % (error,))
        sys.exit(1)
