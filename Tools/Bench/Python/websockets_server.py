"""python-websockets echo server (asyncio implementation), a benchmark peer.

Messages up to 64 MiB, keepalive pings off, permessage-deflate offered (its default);
wss:// with --tls-cert/--tls-key (an `ssl.SSLContext` passed as `ssl=`)."""
import asyncio

from common import new_event_loop, server_options, server_ssl_context
from websockets.asyncio.server import serve


async def echo(ws):
    try:
        async for message in ws:
            await ws.send(message)
    except Exception:  # noqa: BLE001 - clients that reset are not news
        pass


async def main(options):
    async with serve(echo, "127.0.0.1", options.port, max_size=64 << 20, ping_interval=None, backlog=4096,
                     ssl=server_ssl_context(options)) as server:
        print("PORT", server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    new_event_loop().run_until_complete(main(server_options()))
