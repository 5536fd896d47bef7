extension UTF8Validator {
    // The automaton's states, each the bit offset of its 6-bit field in a transition row.
    // After the lead byte of a multi-byte sequence the state records how many continuation
    // bytes are still due and which range the next one must be in (table 3-7).

    /// Between code points (also the initial state).
    @usableFromInline static let accept: UInt64 = 0
    /// An invalid byte was seen; absorbing.
    @usableFromInline static let reject: UInt64 = 6
    /// One continuation byte due, 80..BF.
    static let tail1: UInt64 = 12
    /// Two continuation bytes due, the next in 80..BF.
    static let tail2: UInt64 = 18
    /// After E0: two due, the next in A0..BF (no overlongs).
    static let afterE0: UInt64 = 24
    /// After ED: two due, the next in 80..9F (no surrogates).
    static let afterED: UInt64 = 30
    /// After F0: three due, the next in 90..BF (no overlongs).
    static let afterF0: UInt64 = 36
    /// After F1..F3: three due, the next in 80..BF.
    static let tail3: UInt64 = 42
    /// After F4: three due, the next in 80..8F (nothing above U+10FFFF).
    static let afterF4: UInt64 = 48

    static let states: [UInt64] = [accept, reject, tail1, tail2, afterE0, afterED, afterF0, tail3, afterF4]

    /// The transition function of the Unicode Standard's table 3-7 (well-formed UTF-8 byte
    /// sequences), written out as the table reads; the packed rows are generated from it.
    /// - Parameters:
    ///   - state: the current state.
    ///   - byte: the next byte.
    /// - Returns: the next state.
    static func transition(from state: UInt64, on byte: UInt8) -> UInt64 {
        switch state {
        case accept:
            switch byte {
            case 0x00...0x7F: accept
            case 0xC2...0xDF: tail1
            case 0xE0: afterE0
            case 0xE1...0xEC, 0xEE...0xEF: tail2
            case 0xED: afterED
            case 0xF0: afterF0
            case 0xF1...0xF3: tail3
            case 0xF4: afterF4
            default: reject  // 80..BF (stray continuation), C0, C1, F5..FF
            }
        case tail1: (0x80...0xBF).contains(byte) ? accept : reject
        case tail2: (0x80...0xBF).contains(byte) ? tail1 : reject
        case afterE0: (0xA0...0xBF).contains(byte) ? tail1 : reject
        case afterED: (0x80...0x9F).contains(byte) ? tail1 : reject
        case afterF0: (0x90...0xBF).contains(byte) ? tail2 : reject
        case tail3: (0x80...0xBF).contains(byte) ? tail2 : reject
        case afterF4: (0x80...0x8F).contains(byte) ? tail2 : reject
        default: reject
        }
    }

    /// One row per byte value: bits `s..<s+6` of `rows[byte]` hold the state that follows
    /// state `s` on `byte`, so a step is `(rows[byte] >> state) & 63`.
    static let rows: [UInt64] = (0...255).map { byte in
        states.reduce(UInt64(0)) { row, state in
            row | transition(from: state, on: UInt8(byte)) << state
        }
    }
}
