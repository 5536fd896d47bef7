#!/usr/bin/env python3
"""python-websockets as the client of SwiftWebSocket's server (integration tests).

Usage: client.py URL [compression] [--ca CA_PEM] [--proxy-header HEX] [--unix PATH]
Sends text, binary, a fragmented message and a ping to an echo server, checks every echo, closes
with 1000, and prints "OK" (exit 0) or the failure (exit 1). For a wss:// URL, Python's ssl
verifies the server's certificate (and host name) against CA_PEM. With --proxy-header, the
connection first carries those bytes (a PROXY protocol header, as a load balancer sends it),
before the TLS handshake. With --unix, the connection is to the Unix domain socket at PATH (the
URL still gives the Host header and, for wss://, the name checked against the certificate).
"""
import asyncio
import socket
import ssl
import sys
from urllib.parse import urlsplit

from websockets.asyncio.client import connect


async def main(url, compression, ca, proxy_header, unix_path):
    context = ssl.create_default_context(cafile=ca) if url.startswith("wss://") else None
    sock = None
    if unix_path is not None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(unix_path)
    elif proxy_header is not None:
        parts = urlsplit(url)
        sock = socket.create_connection((parts.hostname, parts.port))
    if proxy_header is not None:
        sock.sendall(proxy_header)
    async with connect(url, compression=compression, max_size=16 * 1024 * 1024, ssl=context, sock=sock) as ws:
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
    if context is not None:
        print("TLS %s" % ws.transport.get_extra_info("ssl_object").version())
    print("OK")


if __name__ == "__main__":
    args = sys.argv[1:]
    ca = None
    if "--ca" in args:
        index = args.index("--ca")
        ca = args[index + 1]
        del args[index:index + 2]
    proxy_header = None
    if "--proxy-header" in args:
        index = args.index("--proxy-header")
        proxy_header = bytes.fromhex(args[index + 1])
        del args[index:index + 2]
    unix_path = None
    if "--unix" in args:
        index = args.index("--unix")
        unix_path = args[index + 1]
        del args[index:index + 2]
    try:
        compression = "deflate" if len(args) > 1 and args[1] == "compression" else None
        asyncio.run(main(args[0], compression, ca, proxy_header, unix_path))
    except Exception as error:  # report any failure to the Swift test
        print("FAILED: %r" % (error,))
        sys.exit(1)
