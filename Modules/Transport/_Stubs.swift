// TEMPORARY stubs so the driver compiles before the Transport branch lands. Deleted on merge.
public struct Errno: Error, Hashable, Sendable { public let rawValue: Int32 }
public struct TransportError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable { case connectTimeout, closed }
    public let kind: Kind
    public var description: String { "" }
}
public final class EventLoop: @unchecked Sendable {
    public init(name: String = "ws-loop") {}
    public func execute(_ task: @escaping @Sendable () -> Void) {}
    public var inEventLoop: Bool { true }
    public func scheduleTask(in delay: Duration, _ task: @escaping @Sendable () -> Void) -> Scheduled { Scheduled() }
    public func syncShutdown() {}
}
public final class Scheduled: @unchecked Sendable { public func cancel() {} }
public protocol ChannelHandler: AnyObject {
    func channelActive(_ channel: Channel)
    func channelRead(_ channel: Channel, _ bytes: UnsafeRawBufferPointer)
    func channelWritable(_ channel: Channel)
    func channelInactive(_ channel: Channel, error: TransportError?)
    func channelEOF(_ channel: Channel)
}
public struct SocketAddress: Hashable, Sendable, CustomStringConvertible { public var description: String { "" } }
public final class Channel: @unchecked Sendable {
    public let loop: EventLoop = EventLoop()
    public var handler: (any ChannelHandler)?
    public func write(_ bytes: [UInt8]) {}
    public var pendingWriteBytes: Int { 0 }
    public var isReadEnabled: Bool = true
    public func close() {}
    public func closeAfterFlush() {}
    public func shutdownWrite() {}
    public let remoteAddress: SocketAddress? = nil
    public static func connect(host: String, port: Int, timeout: Duration, on loop: EventLoop, handler: any ChannelHandler) async throws -> Channel { Channel() }
}
public final class Listener: @unchecked Sendable {
    public static func bind(host: String, port: Int, backlog: Int = 511, reusePort: Bool = false, on loop: EventLoop, childLoops: [EventLoop]? = nil, accept: @escaping @Sendable (Channel) -> Void) throws(TransportError) -> Listener { Listener() }
    public var localAddress: SocketAddress { SocketAddress() }
    public func close() {}
}
extension SocketAddress { public var port: Int { 0 } }
