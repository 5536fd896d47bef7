#!/usr/bin/env python3
"""SOCKS5 proxies (RFC 1928) for SwiftWebSocket's SOCKS tests.

Starts two microsocks servers (Debian's `microsocks`, a SOCKS5 proxy we did not write): an
open one, and one that wants RFC 1929 username/password alice / "s3cret w@rd". Beside them it
serves two of its own on loopback:
- a recorder: no authentication; it logs each CONNECT request's address type and address,
  resolves the names `upstream.invalid` and `slow.invalid` to 127.0.0.1 itself (so a client that
  reaches it through the name must have sent the name), and relays; for `slow.invalid` it sends
  its reply a byte at a time, 20 ms apart. An HTTP `GET /requests` on the same port
  returns the log, one request per line: `name <host> <port>`, `ipv4 <address> <port>` or
  `ipv6 <address> <port>`.
- a silent one: accepts and never answers;
- an HTTP server, not a proxy: answers the first bytes it gets with 400, as nginx does.
Prints "READY <open> <guarded> <recorder> <silent> <http>", then serves until stdin closes.
"""
import asyncio
import ipaddress
import shutil
import socket
import subprocess
import sys

from proxy import relay  # the HTTP proxy fixture's, beside this file

USERNAME, PASSWORD = "alice", "s3cret w@rd"
seen = []


def free_port():
    # Another process could take the port between this probe and microsocks' bind; then
    # microsocks exits and start_microsocks fails: a loud failure, not a wrong one.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def start_microsocks(*credentials):
    port = free_port()
    arguments = ["microsocks", "-i", "127.0.0.1", "-p", str(port)]
    if credentials:
        arguments += ["-u", credentials[0], "-P", credentials[1]]
    process = subprocess.Popen(arguments, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    for _ in range(200):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return process, port
        except OSError:
            await asyncio.sleep(0.01)
    raise SystemExit("microsocks did not start listening")


async def record(reader, writer):
    first = await reader.readexactly(1)
    if first == b"G":  # GET /requests
        await reader.readuntil(b"\r\n\r\n")
        body = "".join(line + "\n" for line in seen).encode()
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body)
        await writer.drain()
        writer.close()
        return
    count = (await reader.readexactly(1))[0]
    await reader.readexactly(count)
    writer.write(b"\x05\x00")
    version, command, _, kind = await reader.readexactly(4)
    if kind == 1:
        host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
        label = "ipv4"
    elif kind == 4:
        host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
        label = "ipv6"
    else:
        host = (await reader.readexactly((await reader.readexactly(1))[0])).decode()
        label = "name"
    port = int.from_bytes(await reader.readexactly(2), "big")
    seen.append("%s %s %d" % (label, host, port))
    try:
        target = "127.0.0.1" if host in ("upstream.invalid", "slow.invalid") else host
        upstream_reader, upstream_writer = await asyncio.open_connection(target, port)
    except OSError:
        writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
        writer.close()
        return
    reply = b"\x05\x00\x00\x01\x7f\x00\x00\x01" + port.to_bytes(2, "big")
    if host == "slow.invalid":
        for index in range(len(reply)):
            writer.write(reply[index:index + 1])
            await writer.drain()
            await asyncio.sleep(0.02)
    else:
        writer.write(reply)
    await asyncio.gather(relay(reader, upstream_writer), relay(upstream_reader, writer))
    writer.close()


async def silent(reader, writer):
    await reader.read()  # until the client goes
    writer.close()


async def http_only(reader, writer):
    await reader.read(1)
    writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    await writer.drain()
    writer.close()


async def main():
    if shutil.which("microsocks") is None:
        raise SystemExit("microsocks is not installed (Debian: apt-get install microsocks; make peers does)")
    open_proxy, open_port = await start_microsocks()
    try:
        guarded_proxy, guarded_port = await start_microsocks(USERNAME, PASSWORD)
    except BaseException:
        open_proxy.kill()
        raise
    recorder = await asyncio.start_server(record, "127.0.0.1", 0)
    quiet = await asyncio.start_server(silent, "127.0.0.1", 0)
    http = await asyncio.start_server(http_only, "127.0.0.1", 0)
    ports = [open_port, guarded_port] + [server.sockets[0].getsockname()[1] for server in (recorder, quiet, http)]
    print("READY " + " ".join(map(str, ports)), flush=True)
    try:
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    finally:
        # SIGKILL: a child started by the test process inherits its blocked signal mask, and a
        # blocked SIGTERM would leave microsocks running and this wait hanging.
        for process in (open_proxy, guarded_proxy):
            process.kill()
            process.wait()


if __name__ == "__main__":
    asyncio.run(main())
