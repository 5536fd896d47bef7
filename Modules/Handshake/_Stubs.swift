// TEMPORARY stubs so Core compiles before the Handshake branch lands. Deleted on merge.
public struct HTTPHeaders: Sequence, Hashable, Sendable {
    public init() {}
    public mutating func append(name: String, value: String) {}
    public func values(for name: String) -> [String] { [] }
    public func first(_ name: String) -> String? { nil }
    public func tokens(for name: String) -> [String] { [] }
    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { [].makeIterator() }
    public static func == (a: HTTPHeaders, b: HTTPHeaders) -> Bool { true }
    public func hash(into hasher: inout Hasher) {}
}
public struct HTTPHeadLimits: Hashable, Sendable { public init() {} }
public struct HTTPHead: Sendable, Hashable { public var startLine: String; public var headers: HTTPHeaders }
public struct HTTPHeadParser: Sendable {
    public init(limits: HTTPHeadLimits = .init()) {}
    public mutating func parse<C: Collection>(_ bytes: C) throws(HandshakeError) -> HTTPHead? where C.Element == UInt8 { nil }
    public var remainder: [UInt8] { [] }
}
public struct HTTPRequestHead: Sendable, Hashable {
    public var method: String; public var target: String; public var version: String; public var headers: HTTPHeaders
    public init(_ head: HTTPHead) throws(HandshakeError) { throw HandshakeError() }
}
public struct HTTPResponseHead: Sendable, Hashable {
    public var version: String; public var status: Int; public var reason: String; public var headers: HTTPHeaders
    public init(_ head: HTTPHead) throws(HandshakeError) { throw HandshakeError() }
}
public struct HandshakeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var responseStatus: Int { 400 }
    public var description: String { "" }
}
public struct ExtensionParameter: Hashable, Sendable {
    public var name: String; public var value: String?
    public init(name: String, value: String? = nil) { self.name = name; self.value = value }
}
public struct ExtensionElement: Hashable, Sendable {
    public var name: String; public var parameters: [ExtensionParameter]
    public init(name: String, parameters: [ExtensionParameter] = []) { self.name = name; self.parameters = parameters }
}
public enum ExtensionHeader {
    public static func parse(_ values: [String]) throws(HandshakeError) -> [ExtensionElement] { [] }
    public static func serialize(_ elements: [ExtensionElement]) -> String { "" }
}
public enum WebSocketKey {
    public static func generate<G: RandomNumberGenerator>(using: inout G) -> String { "" }
    public static func acceptValue(for key: String) -> String { "" }
}
public struct ClientHandshake: Sendable {
    public init(host: String, port: Int?, isSecure: Bool, requestTarget: String = "/", subprotocols: [String] = [], extensions: [ExtensionElement] = [], additionalHeaders: HTTPHeaders = HTTPHeaders(), key: String) throws(HandshakeError) { self.key = key }
    public let key: String
    public func encodedRequest() -> [UInt8] { [] }
    public func validate(_ response: HTTPResponseHead) throws(HandshakeError) -> ClientHandshakeResult { throw HandshakeError() }
}
public struct ClientHandshakeResult: Sendable, Hashable {
    public var subprotocol: String?; public var extensions: [ExtensionElement]; public var headers: HTTPHeaders
}
public struct ServerHandshakeRequest: Sendable, Hashable {
    public init(validating head: HTTPRequestHead) throws(HandshakeError) { throw HandshakeError() }
    public var method: String = ""; public var target: String = ""; public var path: String = ""; public var query: String?
    public var host: String = ""; public var key: String = ""; public var origin: String?
    public var subprotocols: [String] = []; public var extensions: [ExtensionElement] = []; public var headers = HTTPHeaders()
}
public enum ServerHandshakeResponse {
    public static func accept(_ request: ServerHandshakeRequest, subprotocol: String? = nil, extensions: [ExtensionElement] = [], additionalHeaders: HTTPHeaders = HTTPHeaders()) throws(HandshakeError) -> [UInt8] { [] }
    public static func reject(status: Int, reason: String? = nil, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) -> [UInt8] { [] }
    public static func reject(_ error: HandshakeError) -> [UInt8] { [] }
}
