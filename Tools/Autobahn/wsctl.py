#!/usr/bin/env python3
"""Tiny stdlib-only WebSocket client for the control URLs of `wstest -m fuzzingserver`.

  wsctl.py [--url ws://127.0.0.1:9001] case-count
      prints the number of cases the running fuzzingserver will serve
  wsctl.py [--url ws://127.0.0.1:9001] update-reports [--agent NAME]
      makes the fuzzingserver write reports/clients/index.json (+ HTML) now

For a wss:// URL, --ca PEM_FILE names the CA that issued the server's certificate (default:
the system's trust store); the host name is verified as usual.

run.sh uses update-reports after the driver, so that the report is written
even when the driver crashed before asking for it itself.
"""

import argparse
import base64
import json
import os
import socket
import ssl
import struct
import sys
import urllib.parse


def recv_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("connection closed by the server")
        buf += chunk
    return buf


def read_frame(sock):
    """Return (opcode, payload) of the next frame (server frames are unmasked)."""
    b0, b1 = recv_exact(sock, 2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", recv_exact(sock, 2))[0]
    elif n == 127:
        n = struct.unpack("!Q", recv_exact(sock, 8))[0]
    if b1 & 0x80:
        recv_exact(sock, 4)  # a server must not mask, but skip the key if it does
    return b0 & 0x0F, recv_exact(sock, n)


def send_close(sock):
    mask = os.urandom(4)
    payload = struct.pack("!H", 1000)
    sock.sendall(bytes([0x88, 0x80 | len(payload)]) + mask
                 + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def request(url, path_and_query, timeout, ca=None):
    """Open a WebSocket to url + path_and_query, collect text messages until the
    server's close frame, answer it and return the messages."""
    u = urllib.parse.urlsplit(url)
    secure = u.scheme == "wss"
    host, port = u.hostname or "127.0.0.1", u.port or (443 if secure else 80)
    sock = socket.create_connection((host, port), timeout=timeout)
    if secure:
        sock = ssl.create_default_context(cafile=ca).wrap_socket(sock, server_hostname=host)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
                      "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
                      "Sec-WebSocket-Version: 13\r\n\r\n" % (path_and_query, host, port, key)).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += recv_exact(sock, 1)
        status = head.split(b"\r\n", 1)[0].decode("latin-1")
        if " 101 " not in status + " ":
            raise ConnectionError("handshake refused: %s" % status)
        messages = []
        while True:
            opcode, payload = read_frame(sock)
            if opcode == 0x8:
                send_close(sock)
                return messages
            if opcode == 0x1:
                messages.append(payload.decode("utf-8"))
    finally:
        sock.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", default="ws://127.0.0.1:9001", help="fuzzingserver URL (default: %(default)s)")
    ap.add_argument("--timeout", type=float, default=120, help="socket timeout in seconds (default: %(default)s)")
    ap.add_argument("--ca", help="CA certificate (PEM) to verify a wss:// server with (default: the system's)")
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("case-count", help="print the number of cases")
    up = sub.add_parser("update-reports", help="write the reports now")
    up.add_argument("--agent", default="SwiftWebSocket")
    args = ap.parse_args()

    if args.cmd == "case-count":
        print(json.loads(request(args.url, "/getCaseCount", args.timeout, args.ca)[0]))
    else:
        request(args.url, "/updateReports?agent=" + urllib.parse.quote(args.agent), args.timeout, args.ca)
    return 0


if __name__ == "__main__":
    sys.exit(main())
