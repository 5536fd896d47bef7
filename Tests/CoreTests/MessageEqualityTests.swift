import Testing
import WebSocketCore

/// `Message.==` compares words, not elements: it must still see every byte.
@Suite("Core: message equality")
struct MessageEqualityTests {
    @Test("a difference in any byte, at any length, is seen", arguments: [0, 1, 7, 8, 9, 15, 16, 17, 100, 4095, 4096, 4097, 10_000])
    func everyByteCounts(length: Int) {
        let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 29 &+ 3) }
        let copy = Array(bytes)  // same bytes, other storage
        #expect(Message.binary(bytes) == Message.binary(copy + []))
        for index in Set([0, length / 2, length - 1]) where index >= 0 && index < length {
            var changed = copy
            changed[index] ^= 0x40
            #expect(Message.binary(bytes) != Message.binary(changed), "byte \(index) of \(length)")
        }
        #expect(Message.binary(bytes) != Message.binary(bytes + [0]))
    }

    @Test("kinds differ even with equal bytes")
    func kindsDiffer() {
        #expect(Message.text("abc") != Message.binary(Array("abc".utf8)))
        #expect(Message.text("abc") == Message.text("abc"))
        #expect(Message.text("") == Message.text(""))
    }
}
