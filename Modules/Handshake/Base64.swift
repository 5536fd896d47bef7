/// Base64 with the standard alphabet and `=` padding (RFC 4648 §4), as used by
/// `Sec-WebSocket-Key` and `Sec-WebSocket-Accept` (RFC 6455 §4.1, §4.2.2).
///
/// Decoding is strict (RFC 4648 §3.3, §3.5): no line breaks or whitespace, no characters outside
/// the alphabet, a length that is a multiple of 4, padding only at the end, and zero pad bits.
/// A strict decoder means there is exactly one accepted spelling of each key.
public enum Base64 {
    /// Encodes `bytes` with the standard alphabet and padding (RFC 4648 §4).
    ///
    /// - Parameter bytes: The data to encode.
    /// - Returns: The encoding; its length is `4 * ceil(bytes.count / 3)`.
    public static func encode(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        output.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let available = min(3, bytes.count - index)
            let b0 = bytes[index]
            let b1 = available > 1 ? bytes[index + 1] : 0
            let b2 = available > 2 ? bytes[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(available > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : pad)
            output.append(available > 2 ? alphabet[Int(b2 & 0x3F)] : pad)
            index += 3
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes a strict standard Base64 string (RFC 4648 §4).
    ///
    /// - Parameter string: The encoded text.
    /// - Returns: The decoded bytes, or `nil` if `string` has a character outside the alphabet,
    ///   a length that is not a multiple of 4, misplaced padding, or non-zero pad bits
    ///   (RFC 4648 §3.5: "decoders MAY chose to reject an encoding if the pad bits have not
    ///   been set to zero"; we do).
    public static func decode(_ string: String) -> [UInt8]? {
        let input = Array(string.utf8)
        guard input.count % 4 == 0 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLast = index + 4 == input.count
            guard decodeQuantum(input[index..<(index + 4)], isLast: isLast, into: &output) else {
                return nil
            }
            index += 4
        }
        return output
    }

    /// Decodes one 4-character quantum; padding is allowed only in the last one.
    private static func decodeQuantum(
        _ quantum: ArraySlice<UInt8>, isLast: Bool, into output: inout [UInt8]
    ) -> Bool {
        let i = quantum.startIndex
        let padding = isLast ? (quantum[i + 3] == pad ? (quantum[i + 2] == pad ? 2 : 1) : 0) : 0
        var sextets: [UInt8] = []
        for character in quantum.prefix(4 - padding) {
            guard let value = sextet(character) else { return false }
            sextets.append(value)
        }
        switch padding {
        case 2:
            guard sextets[1] & 0x0F == 0 else { return false }
            output.append(sextets[0] << 2 | sextets[1] >> 4)
        case 1:
            guard sextets[2] & 0x03 == 0 else { return false }
            output.append(sextets[0] << 2 | sextets[1] >> 4)
            output.append(sextets[1] << 4 | sextets[2] >> 2)
        default:
            output.append(sextets[0] << 2 | sextets[1] >> 4)
            output.append(sextets[1] << 4 | sextets[2] >> 2)
            output.append(sextets[2] << 6 | sextets[3])
        }
        return true
    }

    /// The value of one alphabet character (RFC 4648 Table 1), or `nil` (padding included).
    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }

    /// RFC 4648 Table 1, "The Base 64 Alphabet".
    private static let alphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let pad = UInt8(ascii: "=")
}
