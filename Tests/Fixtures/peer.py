#!/usr/bin/env python3
"""Third-party WebSocket peer for SwiftWebSocket's integration tests.

Runs python-websockets on one port (well-behaved peer, no compression), the same over TLS
(wss://, with tls/server.pem: DNS:localhost, IP:127.0.0.1, IP:::1, issued by tls/ca.pem) on a
second, a raw asyncio TCP server on a third (misbehaving peers), and python-websockets with
permessage-deflate on a fourth. Prints "READY <ws_port> <raw_port> <wss_port> <deflate_port>" once
all listen, then serves until stdin closes (so the test process owns its lifetime). Loopback only.
"""
import asyncio
import base64
import hashlib
import os
import ssl
import sys

from websockets.asyncio.server import serve
from websockets.exceptions import ConnectionClosed

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


async def handler(ws):
    path = ws.request.path
    try:
        if path.startswith("/echo") or path.startswith("/subprotocol"):
            async for message in ws:
                await ws.send(message)
        elif path.startswith("/close/"):
            code = int(path.split("/")[2])
            await ws.close(code=code, reason="closing with %d" % code)
        elif path.startswith("/fragmented"):
            await ws.send(["frag", "men", "ted"])
            await ws.send([b"\x01\x02", b"\x03"])
            await ws.wait_closed()
        elif path.startswith("/ping"):
            pong_waiter = await ws.ping(b"from-python")
            await pong_waiter
            await ws.send("pong received")
            await ws.wait_closed()
        elif path.startswith("/compression"):
            # Reports what was negotiated, then echoes.
            await ws.send(ws.request.headers.get("Sec-WebSocket-Extensions", "") + " | " +
                          (ws.response.headers.get("Sec-WebSocket-Extensions") or ""))
            async for message in ws:
                await ws.send(message)
        elif path.startswith("/headers"):
            await ws.send(ws.request.headers.get("X-Test", "missing"))
            await ws.wait_closed()
    except ConnectionClosed:
        pass


def select_subprotocol(connection, subprotocols):
    if connection.request.path.startswith("/subprotocol") and "chat" in subprotocols:
        return "chat"
    return None


async def raw(reader, writer):
    """Misbehaving peers, chosen by the request path."""
    head = b""
    while b"\r\n\r\n" not in head:
        chunk = await reader.read(4096)
        if not chunk:
            writer.close()
            return
        head += chunk
    lines = head.decode("latin-1").split("\r\n")
    path = lines[0].split(" ")[1]
    key = ""
    for line in lines[1:]:
        if line.lower().startswith("sec-websocket-key:"):
            key = line.split(":", 1)[1].strip()
    accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
    if path == "/status200":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
    elif path == "/badaccept":
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % base64.b64encode(b"x" * 20).decode()).encode())
    elif path == "/silent":
        # Completes the handshake, then never answers anything (a vanished peer).
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
        await writer.drain()
        while await reader.read(65536):
            pass
    elif path == "/pong-latest":
        # Completes the handshake, reads two pings, answers only the second (RFC 6455 §5.5.3:
        # "the endpoint MAY elect to send a Pong frame for only the most recently processed
        # Ping frame"), then stays silent.
        writer.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                      "Sec-WebSocket-Accept: %s\r\n\r\n" % accept).encode())
        await writer.drain()
        pings = []
        while len(pings) < 2:
            opcode, payload = await read_client_frame(reader)
            if opcode == 0x9:
                pings.append(payload)
        writer.write(bytes([0x8A, len(pings[1])]) + pings[1])
        await writer.drain()
        while await reader.read(65536):
            pass
    elif path == "/nohandshake":
        # Accepts TCP and never answers the upgrade request.
        while await reader.read(65536):
            pass
    await writer.drain()
    writer.close()


async def read_client_frame(reader):
    """One masked client frame with a payload under 126 bytes: (opcode, unmasked payload)."""
    first, second = await reader.readexactly(2)
    length = second & 0x7F
    mask = await reader.readexactly(4)
    data = await reader.readexactly(length)
    return first & 0x0F, bytes(byte ^ mask[index % 4] for index, byte in enumerate(data))


def tls_context():
    """The server side of the TLS tests: the test CA's localhost certificate."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tls")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(here, "server.pem"), os.path.join(here, "server.key"))
    return context


async def main():
    options = dict(subprotocols=["chat"], select_subprotocol=select_subprotocol,
                   max_size=16 * 1024 * 1024, compression=None)
    async with serve(handler, "127.0.0.1", 0, **options) as server, \
            serve(handler, "127.0.0.1", 0, ssl=tls_context(), **options) as secure, \
            serve(handler, "127.0.0.1", 0, max_size=16 * 1024 * 1024, compression="deflate") as deflate:
        raw_server = await asyncio.start_server(raw, "127.0.0.1", 0)
        ws_port = server.sockets[0].getsockname()[1]
        raw_port = raw_server.sockets[0].getsockname()[1]
        wss_port = secure.sockets[0].getsockname()[1]
        deflate_port = deflate.sockets[0].getsockname()[1]
        print("READY %d %d %d %d" % (ws_port, raw_port, wss_port, deflate_port), flush=True)
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, sys.stdin.read)
        raw_server.close()


if __name__ == "__main__":
    asyncio.run(main())
