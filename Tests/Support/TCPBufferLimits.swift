#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Linux's TCP buffer sysctls, `/proc/sys/net/ipv4/tcp_rmem` and `tcp_wmem` (each "min default
/// max" in bytes), for tests that must send more than the kernel may buffer between two
/// sockets. Where a value cannot be read (no `/proc`, as on Darwin), 16 MiB stands in.
public enum TCPBufferLimits {
    /// A field of the sysctls.
    public enum Field: Int, Sendable {
        /// The smallest size the kernel uses under memory pressure.
        case minimum = 0
        /// A new socket's size; a receive buffer grows only as its application reads.
        case initial = 1
        /// The largest size autotuning may reach.
        case maximum = 2
    }

    /// What a value that cannot be read stands in for.
    public static let fallback = 16 << 20

    /// `field` of the receive buffer's sysctl (`tcp_rmem`).
    public static func receive(_ field: Field) -> Int { value(field, of: "/proc/sys/net/ipv4/tcp_rmem") }

    /// `field` of the send buffer's sysctl (`tcp_wmem`).
    public static func send(_ field: Field) -> Int { value(field, of: "/proc/sys/net/ipv4/tcp_wmem") }

    /// `field` of the three-number sysctl file at `path`, or ``fallback``.
    static func value(_ field: Field, of path: String) -> Int {
        guard let file = fopen(path, "r") else { return fallback }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return fallback }
        let text = line.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard fields.count == 3, let value = Int(fields[field.rawValue]) else { return fallback }
        return value
    }
}
