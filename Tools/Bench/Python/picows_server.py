"""picows echo server, a benchmark peer: its documented frame-level echo (picows hands frames,
not messages, to the application and leaves UTF-8 validation to it). No permessage-deflate.
wss:// with --tls-cert/--tls-key (an `ssl.SSLContext`, handed to the event loop's create_server)."""
import asyncio

from common import new_event_loop, server_options, server_ssl_context
from picows import WSListener, WSMsgType, ws_create_server


class Echo(WSListener):
    def on_ws_frame(self, transport, frame):
        if frame.msg_type == WSMsgType.CLOSE:
            transport.send_close(frame.get_close_code(), frame.get_close_message())
            transport.disconnect()
        elif frame.msg_type in (WSMsgType.TEXT, WSMsgType.BINARY, WSMsgType.CONTINUATION):
            transport.send(frame.msg_type, frame.get_payload_as_memoryview(), frame.fin)


async def main(options):
    server = await ws_create_server(lambda _: Echo(), "127.0.0.1", options.port, max_frame_size=64 << 20, backlog=4096,
                                    ssl=server_ssl_context(options))
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


if __name__ == "__main__":
    new_event_loop().run_until_complete(main(server_options()))
