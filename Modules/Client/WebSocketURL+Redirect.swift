import WebSocketDriver

extension WebSocketURL: CustomStringConvertible, CustomReflectable {
    /// The URL as text: `ws[s]://host[:port]/path?query`, an IPv6 host in brackets (its zone
    /// as `%25zone`, RFC 6874 §2), the port only when the URL named it; without ``user`` and
    /// ``password``, so that it can be logged.
    public var description: String {
        "\(isSecure ? "wss" : "ws")://\(authority)\(requestTarget)"
    }

    /// The fields, ``password`` as `***` (for `dump` and debuggers).
    public var customMirror: Mirror {
        Mirror(self, children: [
            "isSecure": isSecure, "host": host, "port": port, "hasExplicitPort": hasExplicitPort,
            "requestTarget": requestTarget, "user": user as Any, "password": password == nil ? "nil" : "***",
        ])
    }

    /// `host[:port]` as a URL writes it.
    var authority: String {
        let host = self.host.contains(":")
            ? "[" + self.host.split(separator: "%", maxSplits: 1).joined(separator: "%25") + "]" : self.host
        return hasExplicitPort ? "\(host):\(port)" : host
    }

    /// Whether `other` has this URL's origin (RFC 6454 §4-5): the same scheme, host (ASCII
    /// case-insensitive) and port.
    public func isSameOrigin(as other: WebSocketURL) -> Bool {
        isSecure == other.isSecure && port == other.port && host.lowercased() == other.host.lowercased()
    }

    /// The URL a redirect's `Location` names, resolved against this one. It carries no
    /// ``user`` or ``password``: neither this URL's nor any the `Location` names.
    ///
    /// RFC 9110 §10.2.2: "If the Location value provided in a 3xx (Redirection) response … is a
    /// relative reference, [it] is resolved relative to the target URI" (RFC 3986 §5.2):
    /// an absolute URL, `//authority/path`, `/path`, `?query` or a relative path, with its
    /// dot segments removed. `http` and `https` name `ws` and `wss` (the schemes the WebSocket
    /// handshake rides on, RFC 6455 §11.1.1-2). A fragment is dropped: RFC 6455 §3, "Fragment
    /// identifiers are meaningless in the context of WebSocket URIs and MUST NOT be used".
    /// - Throws: ``WebSocketDriver/WebSocketError`` `.invalidURL` for another scheme or a URL
    ///   that does not parse.
    public func resolving(redirect location: String) throws -> WebSocketURL {
        let reference = location.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first
            .map(String.init) ?? ""
        let lower = reference.lowercased()
        for (prefix, scheme) in [("ws://", "ws://"), ("wss://", "wss://"), ("http://", "ws://"), ("https://", "wss://")]
            where lower.hasPrefix(prefix) {
            return try WebSocketURL(scheme + reference.dropFirst(prefix.count)).asRedirectTarget()
        }
        if Self.hasScheme(reference) {
            throw WebSocketError(.invalidURL("redirect to \(location): the scheme must be ws, wss, http or https"))
        }
        let scheme = isSecure ? "wss:" : "ws:"
        if reference.hasPrefix("//") { return try WebSocketURL(scheme + reference).asRedirectTarget() }
        return try WebSocketURL("\(scheme)//\(authority)\(Self.merge(reference, into: requestTarget))")
    }

    /// This URL as a redirect goes to it: the dot segments of its path removed (RFC 3986
    /// §5.2.2: the path of every resolved reference goes through remove_dot_segments), and
    /// without user information (a server does not choose the client's credentials).
    private func asRedirectTarget() -> WebSocketURL {
        var url = self
        url.user = nil
        url.password = nil
        let parts = requestTarget.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        url.requestTarget = Self.removingDotSegments(String(parts[0])) + (parts.count > 1 ? "?" + parts[1] : "")
        return url
    }

    /// RFC 3986 §3.1: `scheme ":"`, where `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )`.
    private static func hasScheme(_ reference: String) -> Bool {
        guard let colon = reference.firstIndex(of: ":"), let first = reference.first, first.isASCII, first.isLetter else {
            return false
        }
        let scheme = reference[..<colon]
        return scheme.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }
    }

    /// A path-absolute, query-only or relative reference against the base's path and query
    /// (RFC 3986 §5.2.2-5.2.3), dot segments removed.
    private static func merge(_ reference: String, into base: String) -> String {
        let basePath = base.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? "/"
        if reference.isEmpty { return base }
        if reference.hasPrefix("?") { return basePath + reference }
        let parts = reference.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0])
        let query = parts.count > 1 ? "?" + parts[1] : ""
        if path.hasPrefix("/") { return removingDotSegments(path) + query }
        let directory = basePath[...(basePath.lastIndex(of: "/") ?? basePath.startIndex)]
        return removingDotSegments(directory + path) + query
    }

    /// RFC 3986 §5.2.4: `.` and `..` segments of an absolute path removed; a trailing one
    /// leaves the path ending in `/`; `..` above the root stays at the root.
    static func removingDotSegments(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false).dropFirst()
        var output: [Substring] = []
        for (index, segment) in zip(segments.indices, segments) {
            let isLast = index == segments.index(before: segments.endIndex)
            switch segment {
            case ".": if isLast { output.append("") }
            case "..":
                if !output.isEmpty { output.removeLast() }
                if isLast { output.append("") }
            default: output.append(segment)
            }
        }
        return "/" + output.joined(separator: "/")
    }
}
