"""python-websockets as a benchmark client: same options and output as BenchClient.
wss:// URLs: verified against --ca (an `ssl.SSLContext` passed as `ssl=`)."""
import asyncio

from common import Counters, client_options, client_ssl_context, measure, new_event_loop, payload
from websockets.asyncio.client import connect

MAX = 64 << 20


async def stream(options, message, counters):
    """A sender task and the receiving loop (one coroutine that sends, then receives, deadlocks
    once both directions' bounded buffers fill): each echo grants the sender one more message."""
    try:
        async with connect(options.url, max_size=MAX, ping_interval=None, ssl=client_ssl_context(options),
                           compression="deflate" if options.deflate else None) as ws:
            credits = asyncio.Semaphore(options.inflight)

            async def sender():
                while True:
                    await credits.acquire()
                    await ws.send(message)

            task = asyncio.ensure_future(sender())
            outstanding = options.inflight
            async for echo in ws:
                outstanding -= 1
                if echo != message:
                    counters.errors += 1
                counters.received += 1
                if not counters.stop:
                    outstanding += 1
                    credits.release()
                if outstanding == 0:
                    break
            task.cancel()
    except Exception:  # noqa: BLE001
        counters.errors += 1


async def handshakes(options, counters):
    while not counters.stop:
        try:
            async with connect(options.url, ping_interval=None, compression=None, ssl=client_ssl_context(options)):
                pass
            counters.received += 1
        except Exception:  # noqa: BLE001
            counters.errors += 1


async def main():
    options = client_options()
    data, binary = payload(options)
    message = data if binary else data.decode()
    counters = Counters()
    if options.mode == "handshake":
        jobs = [handshakes(options, counters) for _ in range(options.conns)]
    else:
        jobs = [stream(options, message, counters) for _ in range(options.conns)]
    await measure(options, counters, asyncio.ensure_future(asyncio.gather(*jobs)))


if __name__ == "__main__":
    new_event_loop().run_until_complete(main())
