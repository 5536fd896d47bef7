/// CRC-32 as in ISO-HDLC, zlib, PNG and Ethernet (reflected polynomial 0xEDB88320), computed a
/// byte at a time from a 256-entry table. The check value of "123456789" is 0xCBF43926.
public struct CRC32: Hashable, Sendable {
    /// The checksum of the bytes so far.
    public private(set) var value: UInt32 = 0

    /// A checksum of no bytes (0).
    public init() {}

    /// The checksum of `bytes`.
    /// - Parameter bytes: the data.
    public init(_ bytes: [UInt8]) {
        update(with: bytes)
    }

    /// Adds bytes to the checksum.
    /// - Parameter bytes: the next bytes of the data.
    public mutating func update(with bytes: some Sequence<UInt8>) {
        var crc = ~value
        for byte in bytes {
            crc = Self.table[Int(UInt8(truncatingIfNeeded: crc) ^ byte)] ^ (crc >> 8)
        }
        value = ~crc
    }

    /// The checksum in network byte order, as it goes on the wire.
    public var bigEndianBytes: [UInt8] {
        [UInt8(value >> 24), UInt8(truncatingIfNeeded: value >> 16), UInt8(truncatingIfNeeded: value >> 8),
         UInt8(truncatingIfNeeded: value)]
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var entry = UInt32(index)
        for _ in 0..<8 {
            entry = entry & 1 == 1 ? (entry >> 1) ^ 0xEDB8_8320 : entry >> 1
        }
        return entry
    }
}
