public import PerMessageDeflate
public import WebSocketCore
import WebSocketExtensions
public import WebSocketTransport

extension WebSocket {
    /// Options of a live connection: the protocol settings plus timeouts and backpressure.
    ///
    /// Defaults follow python-websockets, a sound starting point (DESIGN.md §6).
    public struct Configuration: Sendable {
        /// Protocol limits, subprotocols and extensions (see WebSocketCore's `Configuration`).
        public var connection: WebSocketCore.Configuration = WebSocketCore.Configuration()
        /// permessage-deflate (RFC 7692), on by default: a client offers it
        /// (`permessage-deflate; client_max_window_bits`), a server accepts it. Set `nil` to
        /// opt out. Memory per connection with the client default: about 262 KiB to compress
        /// (window 15, memLevel 8) and 39 KiB to decompress, allocated on the first compressed
        /// message each way; servers default to window 12 and memLevel 5 (about 38 KiB).
        public var compression: PerMessageDeflate? = PerMessageDeflate()
        /// Connect plus opening handshake must finish within this (as a client, every redirect
        /// followed included). Default 10 s.
        public var openTimeout: Duration = .seconds(10)
        /// Client: how many HTTP redirects (301, 302, 303, 307, 308 with a `Location`) `connect`
        /// follows. RFC 6455 §4.1 leaves it to the client ("the server might redirect the client
        /// using a 3xx status code (but clients are not required to follow them)"). Default 0,
        /// as node's ws and gorilla: a redirect fails the connect, with the response in
        /// ``WebSocketError/response``. A redirect from `wss://` to `ws://` is never followed;
        /// one to another origin (scheme, host or port) drops `Authorization`, `Cookie` and
        /// `Proxy-Authorization` from the request headers. The other settings stay: ``tls``'s
        /// client identity is offered to the new server too, and a `serverName` override is
        /// checked against its certificate. Ignored by the server.
        public var maxRedirects: Int = 0
        /// Client: how `connect` reaches the server. Default ``Proxy/none``: directly. Through a
        /// proxy, a `Proxy-Authorization` among `connect`'s headers goes to an HTTP proxy (when
        /// the ``WebSocketTransport/HTTPProxy`` has no authorization of its own), never to the
        /// server.
        public var proxy: Proxy = .none
        /// Client: RFC 8305 §5's Connection Attempt Delay. When the server's name (or the
        /// proxy's) has several addresses, `connect` starts the first address's TCP connect,
        /// then the next one's beside it after this delay or as soon as an attempt fails (never
        /// within 10 ms of the last), alternating IPv6 and IPv4 (§4, "Happy Eyeballs"); the first to connect wins.
        /// So an address that drops packets (a broken IPv6 route, a dead replica) costs this
        /// delay instead of ``openTimeout``. Default 250 ms, the RFC's recommendation; raised to
        /// 10 ms, the RFC's floor; longer than ``openTimeout``, the addresses are tried one
        /// after the other. Ignored by the server.
        public var connectionAttemptDelay: Duration = .milliseconds(250)
        /// Client: connect through the Unix domain socket at this path instead of TCP to the
        /// URL's host, for a server (or a local gateway) on the same host. The URL still says
        /// everything else: its host is the `Host` header and, for `wss://`, the name sent as
        /// SNI and checked against the server's certificate; its path is the request target;
        /// redirects followed go through the socket too. `.environment` proxies do not apply;
        /// an explicit ``proxy`` fails the connect. Default nil: TCP. Ignored by the server
        /// (see its `unixSocketPath`).
        public var unixSocketPath: String?

        /// How a client reaches the server: directly, through an HTTP proxy's `CONNECT` tunnel
        /// (RFC 9110 §9.3.6), or through a SOCKS5 proxy (RFC 1928); TLS for `wss://` runs end
        /// to end inside either.
        public enum Proxy: Sendable, Hashable {
            /// Straight to the server.
            case none
            /// Through this HTTP proxy.
            case http(HTTPProxy)
            /// Through this SOCKS5 proxy.
            case socks5(SOCKSProxy)
            /// As the environment says, by curl's rules: `https_proxy` (or `HTTPS_PROXY`) for
            /// `wss://`, `http_proxy` for `ws://` (lower case only: a CGI program's
            /// `HTTP_PROXY` can come from a request's `Proxy` header, "httpoxy"), else
            /// `all_proxy` (or `ALL_PROXY`); the first one set decides, and set but empty means
            /// none. None either when `no_proxy` (or `NO_PROXY`) is `*` or lists the host: its
            /// name or a domain it ends in (`example.com` or `.example.com`); for an IP address,
            /// the address or a CIDR block (`10.0.0.0/8`); each optionally with `:port`. The
            /// value is `[scheme://][user:password@]host[:port]` (port 1080 by default), the
            /// scheme `http` (the default; credentials become `Proxy-Authorization: Basic`),
            /// `socks5h` (a SOCKS5 proxy that resolves the server's name) or `socks5` (one that
            /// is sent the address this client resolved); SOCKS credentials are RFC 1929's.
            case environment
        }
        /// How long to wait for the peer's close frame (and, as a client, for the server to
        /// close TCP) after ours. Default 10 s: long enough for a loaded peer, short enough
        /// that a vanished one does not hold a socket for minutes. A connection that never
        /// opened (a refused upgrade, an answered plain request) waits for its peer's close at
        /// most 2 s, or this timeout if shorter.
        public var closeTimeout: Duration = .seconds(10)
        /// Send a keepalive ping this often; `nil` disables keepalive. Default 20 s, under the
        /// idle timeouts of common proxies and load balancers (often 30-60 s).
        public var pingInterval: Duration? = .seconds(20)
        /// Fail the connection (1011) when a keepalive ping gets no pong within this. Default 20 s.
        public var pingTimeout: Duration = .seconds(20)
        /// How many received messages may be decoded ahead of the application (inbound
        /// backpressure): past this, or past ``maxQueuedBytes``, the Core stops decoding and the
        /// socket is not read until the application asks for the next message. Default 256,
        /// for a consumer off the event loop (from its first request): a window of small
        /// messages in flight is read in one go rather than in slices the application's
        /// requests let through (a client answering 64 echoes in flight from Swift's pool woke a
        /// thread every 13 messages under a limit of 16, and ran at 0.6 of the rate it reaches
        /// with 256: `make bench`, ANALYSIS.md); ``maxQueuedBytes`` bounds the memory. A
        /// consumer on the loop (a server's handler, a scoped client) reads at most 16 ahead,
        /// where a request costs no thread wake-up and a short read-ahead answers while more
        /// arrives (``WebSocket/onLoopReadAhead``). With 1, a protocol violation that follows a message is seen only after
        /// the application handled that message (strict request/response ordering, as Autobahn
        /// 3.2/4.1.3/5.15 expect). Once `close` has sent our Close frame, the socket is read on
        /// regardless, to the peer's Close (RFC 6455 §7.1.2), and messages that arrive past these
        /// limits are dropped.
        public var maxQueuedMessages: Int = 256
        /// How many payload bytes of received messages may be decoded ahead of the application:
        /// past this the Core stops decoding, as for ``maxQueuedMessages``. A message is decoded
        /// whole while any of it is left, so one larger than this still gets through, alone; the
        /// read-ahead's memory stays under this plus one message
        /// (``WebSocketCore/Configuration/maxMessageSize``). Default 2 MiB: a window of 32
        /// messages of 64 KiB in flight without pausing (under 1 MiB a client on Swift's pool
        /// answering 64 of them paused every 8 and spent 61 µs of CPU per message against 50).
        public var maxQueuedBytes: Int = 2 << 20
        /// `send` suspends while more than this many bytes wait to be written (outbound
        /// backpressure). Default 64 KiB. The sends of one event-loop round are written together
        /// at its end: while the socket takes everything it is given, up to 256 KiB of them wait
        /// for that write without suspending the sender. Negative values count as 0.
        public var writeHighWaterMark: Int = 64 * 1024
        /// A connection that has read nothing for this long releases the memory sized for its
        /// last burst: the memory that gathers frames split across reads and an output (write)
        /// buffer grown past 4 KiB. Until then a busy connection keeps and reuses them, allocating nothing
        /// per message. Default 1 s; zero (or less) releases them at the loop turn after a read.
        public var idleMemoryReleaseDelay: Duration = .seconds(1)
        /// TLS settings of client connections to `wss://` URLs (RFC 6455 §3, §4.1: "If /secure/
        /// is true, the client MUST perform a TLS handshake over the connection after opening the
        /// connection and before sending the handshake data"). Default: the system's trust
        /// roots, certificate and host-name verification, SNI, TLS 1.2 or newer, ALPN
        /// `http/1.1` (see ``WebSocketTransport/TLSConfiguration``). Ignored for `ws://` and by
        /// the server, whose TLS settings are `WebSocketServer.Configuration.tls`.
        public var tls: TLSConfiguration = TLSConfiguration()

        /// Creates the default options.
        public init() {}

        /// The Core configuration with ``compression`` added to the extensions (once).
        package var effectiveConnection: WebSocketCore.Configuration {
            var result = connection
            if let compression, !result.extensions.contains(where: { $0.name == compression.name }) {
                result.extensions.append(compression)
            }
            return result
        }
    }
}
