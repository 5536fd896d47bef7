/// Size limits for an HTTP/1.1 head (RFC 7230 §3), enforced by ``HTTPHeadParser`` as bytes
/// arrive, so that a peer cannot make us buffer an unbounded head (RFC 7230 §3.2.5: "A server
/// that receives a request header field, or set of fields, larger than it wishes to process
/// MUST respond with an appropriate 4xx (Client Error) status code").
public struct HTTPHeadLimits: Hashable, Sendable {
    /// The longest start line or header line, in bytes, CRLF excluded.
    ///
    /// Default 8192: the common server limit (nginx's 8 KiB header buffer, Apache's
    /// `LimitRequestFieldSize` 8190, python-websockets' `MAX_LINE_LENGTH`), large enough for
    /// long URLs and cookies that browsers send.
    public var maxLineLength: Int

    /// The most header fields, duplicates included.
    ///
    /// Default 100: Apache's `LimitRequestFields`; a browser's upgrade request has about 15,
    /// so this leaves room for proxies and cookies while bounding the work per head.
    public var maxHeaderCount: Int

    /// The most bytes in the whole head: start line, header lines and the final empty line.
    ///
    /// Default 16384: a browser handshake with cookies fits several times over, and a server
    /// holding many pending handshakes keeps at most 16 KiB per connection. It is deliberately
    /// far below `maxLineLength * maxHeaderCount`: the total is the limit that binds.
    public var maxHeadSize: Int

    /// Creates limits; the defaults suit browsers and common servers.
    ///
    /// - Parameters:
    ///   - maxLineLength: The longest line, CRLF excluded (default 8192).
    ///   - maxHeaderCount: The most header fields (default 100).
    ///   - maxHeadSize: The most bytes in the head (default 16384).
    public init(maxLineLength: Int = 8192, maxHeaderCount: Int = 100, maxHeadSize: Int = 16384) {
        self.maxLineLength = maxLineLength
        self.maxHeaderCount = maxHeaderCount
        self.maxHeadSize = maxHeadSize
    }
}
