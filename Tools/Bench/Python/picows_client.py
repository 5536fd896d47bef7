"""picows as a benchmark client: same options and output as BenchClient. picows has no
permessage-deflate: --deflate exits with {"unsupported": ...}. wss:// URLs: verified against --ca
(an `ssl.SSLContext` passed as `ssl_context`)."""
import asyncio
import json
import sys

from common import Counters, client_options, client_ssl_context, measure, new_event_loop, payload
from picows import WSListener, WSMsgType, ws_connect


class Stream(WSListener):
    def __init__(self, options, message, msg_type, counters):
        self.options, self.message, self.msg_type, self.counters = options, message, msg_type, counters
        self.outstanding = 0
        self.done = asyncio.get_running_loop().create_future()

    def on_ws_connected(self, transport):
        for _ in range(self.options.inflight):
            transport.send(self.msg_type, self.message)
        self.outstanding = self.options.inflight

    def on_ws_frame(self, transport, frame):
        if frame.msg_type == WSMsgType.CLOSE:
            transport.disconnect()
            return
        if frame.msg_type not in (WSMsgType.TEXT, WSMsgType.BINARY):
            return
        self.outstanding -= 1
        if not frame.fin or frame.get_payload_as_bytes() != self.message:
            self.counters.errors += 1
        self.counters.received += 1
        if not self.counters.stop:
            transport.send(self.msg_type, self.message)
            self.outstanding += 1
        elif self.outstanding == 0:
            transport.send_close()
            transport.disconnect()

    def on_ws_disconnected(self, transport):
        if not self.done.done():
            self.done.set_result(None)


async def stream(options, message, msg_type, counters):
    try:
        transport, listener = await ws_connect(lambda: Stream(options, message, msg_type, counters), options.url,
                                               max_frame_size=64 << 20, ssl_context=client_ssl_context(options))
        await listener.done
    except Exception:  # noqa: BLE001
        counters.errors += 1


async def handshakes(options, counters):
    while not counters.stop:
        try:
            transport, _ = await ws_connect(WSListener, options.url, ssl_context=client_ssl_context(options))
            transport.send_close()
            transport.disconnect()
            await transport.wait_disconnected()
            counters.received += 1
        except Exception:  # noqa: BLE001
            counters.errors += 1


async def main():
    options = client_options()
    if options.deflate:
        print(json.dumps({"unsupported": "permessage-deflate"}))
        sys.exit(3)
    data, binary = payload(options)
    msg_type = WSMsgType.BINARY if binary else WSMsgType.TEXT
    counters = Counters()
    if options.mode == "handshake":
        jobs = [handshakes(options, counters) for _ in range(options.conns)]
    else:
        jobs = [stream(options, data, msg_type, counters) for _ in range(options.conns)]
    await measure(options, counters, asyncio.ensure_future(asyncio.gather(*jobs)))


if __name__ == "__main__":
    new_event_loop().run_until_complete(main())
