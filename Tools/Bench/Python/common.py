"""Options, payloads and the result line shared by the Python benchmark peers."""
import argparse
import json
import time


def client_options():
    p = argparse.ArgumentParser()
    p.add_argument("--url", default="ws://127.0.0.1:9000/")
    p.add_argument("--mode", default="stream", choices=["stream", "handshake"])
    p.add_argument("--conns", type=int, default=1)
    p.add_argument("--inflight", type=int, default=1)
    p.add_argument("--size", type=int, default=16)
    p.add_argument("--kind", default="binary")
    p.add_argument("--payload")
    p.add_argument("--duration", type=float, default=2.0)
    p.add_argument("--warmup", type=float, default=0.3)
    p.add_argument("--deflate", action="store_true")
    p.add_argument("--ca", help="wss://: PEM file of the CA the server's certificate must chain to")
    return p.parse_args()


def server_options():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--tls-cert", help="serve wss://: PEM certificate chain (with --tls-key)")
    p.add_argument("--tls-key", help="PEM private key of --tls-cert")
    return p.parse_args()


def server_ssl_context(options):
    """The server's TLS context (Python's defaults: TLS 1.2 or newer), or None for ws://."""
    if not options.tls_cert:
        return None
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(options.tls_cert, options.tls_key)
    return context


_client_context = None


def client_ssl_context(options):
    """For wss:// URLs: verify the server (certificate and host name) against --ca; None for ws://.
    One context per process, as an application keeps it (each connection still does a full
    handshake: Python resumes a session only when handed one)."""
    global _client_context
    if not options.url.startswith("wss:"):
        return None
    if _client_context is None:
        import ssl
        _client_context = ssl.create_default_context(cafile=options.ca)
    return _client_context


def payload(options):
    """The same bytes as every other driver: Tools/Bench/README.md, "payloads"."""
    if options.payload:
        with open(options.payload, "rb") as f:
            return f.read(), False
    if options.kind == "text":
        return bytes(ord("a") + i % 26 for i in range(options.size)), False
    return bytes((i * 31 + 7) & 0xFF for i in range(options.size)), True


def new_event_loop():
    """uvloop when installed (both peers recommend it), else asyncio's default loop."""
    try:
        import uvloop
        return uvloop.new_event_loop()
    except ImportError:
        import asyncio
        return asyncio.new_event_loop()


class Counters:
    def __init__(self):
        self.received = 0
        self.errors = 0
        self.stop = False


async def measure(options, counters, work):
    """Runs `work` (a task) through warm-up and the measured window, then stops and reports."""
    import asyncio
    await asyncio.sleep(options.warmup)
    start_count, start = counters.received, time.monotonic()
    await asyncio.sleep(options.duration)
    end_count, elapsed = counters.received, time.monotonic() - start
    counters.stop = True
    try:
        await asyncio.wait_for(work, 15)
    except Exception:  # noqa: BLE001 - a stuck drain is reported as an error
        counters.errors += 1
    print(json.dumps({"messages": end_count - start_count, "seconds": elapsed, "errors": counters.errors}), flush=True)
