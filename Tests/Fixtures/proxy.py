#!/usr/bin/env python3
"""An HTTP CONNECT proxy (RFC 9110 §9.3.6) for SwiftWebSocket's proxy tests.

Listens on two loopback ports: an open proxy, and one that wants
`Proxy-Authorization: Basic base64("alice:s3cret w@rd")` and answers 407 without it. Both
resolve the name `upstream.invalid` to 127.0.0.1 themselves (so a client that reaches it
through the name must have used the tunnel), answer 502 when the destination refuses, and
relay bytes both ways once they answered 200. A CONNECT to `silent.invalid` is never answered;
one to `hangup.invalid` is closed without an answer. `GET /connects` returns the CONNECT requests seen
so far, one per line: `<target> <Proxy-Authorization or ->`. Prints "READY <open> <auth>", then
serves until stdin closes.
"""
import asyncio
import base64
import sys

CREDENTIALS = "Basic " + base64.b64encode(b"alice:s3cret w@rd").decode()
seen = []


async def relay(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass


async def handle(reader, writer, wants_credentials):
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        writer.close()
        return
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = (lines[0].split(" ") + ["", "", ""])[:3]
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    if method == "GET" and target == "/connects":
        body = "".join("%s %s\n" % record for record in seen).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()
        return
    authorization = headers.get("proxy-authorization")
    seen.append((target, authorization or "-"))
    if method != "CONNECT":
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
        writer.close()
        return
    if wants_credentials and authorization != CREDENTIALS:
        writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\n"
                     b"Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    host, _, port = target.rpartition(":")
    host = host.strip("[]")
    if host == "silent.invalid":
        await reader.read()  # until the client gives up
        writer.close()
        return
    if host == "hangup.invalid":
        writer.close()
        return
    if host == "upstream.invalid":
        host = "127.0.0.1"
    try:
        upstream_reader, upstream_writer = await asyncio.open_connection(host, int(port))
    except (OSError, ValueError):
        writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
        await writer.drain()
        writer.close()
        return
    writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(relay(reader, upstream_writer), relay(upstream_reader, writer))
    writer.close()
    upstream_writer.close()


async def main():
    open_proxy = await asyncio.start_server(lambda r, w: handle(r, w, False), "127.0.0.1", 0)
    auth_proxy = await asyncio.start_server(lambda r, w: handle(r, w, True), "127.0.0.1", 0)
    ports = [server.sockets[0].getsockname()[1] for server in (open_proxy, auth_proxy)]
    print("READY %d %d" % tuple(ports), flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    asyncio.run(main())
