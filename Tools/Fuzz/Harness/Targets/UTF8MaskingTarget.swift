import WebSocketFraming

extension FuzzTarget {
    /// The two `unsafe` fast paths of WebSocketFraming against their safe twins: the word-wise
    /// masking (RFC 6455 §5.3) and the table-driven UTF-8 validator (RFC 3629), fed in chunks.
    ///
    /// Input: masking key (4 bytes), phase, chunk plan (2 bytes), then the data. Checks that the
    /// fast and byte-wise masking agree for every chunk and phase and that masking twice restores
    /// the data; that incremental validation agrees with the byte-wise twin after every chunk and
    /// with the standard library's `String(validating:)` at the end.
    public static let utf8Masking = FuzzTarget(name: "utf8-masking", run: { bytes throws(FuzzFailure) in
        var input = FuzzInput(bytes)
        let key = MaskingKey(input.byte(), input.byte(), input.byte(), input.byte())
        let phase = Int(input.byte())
        let plan = ChunkPlan(&input)
        let data = input.rest()
        try checkMasking(data, key: key, phase: phase, plan: plan)
        try checkUTF8(data, plan: plan)
    }, seeds: FrameSeeds.utf8Seeds)

    static func checkMasking(_ data: [UInt8], key: MaskingKey, phase: Int, plan: ChunkPlan) throws(FuzzFailure) {
        var fast = data
        var slow = data
        Masking.apply(key, to: &fast, phase: phase)
        Masking.applyBytewise(key, to: &slow, phase: phase)
        try require(fast == slow, "word-wise and byte-wise masking differ")
        Masking.apply(key, to: &fast, phase: phase)
        try require(fast == data, "masking twice did not restore the data")

        var copied: [UInt8] = []
        var copiedSlow: [UInt8] = []
        var offset = 0
        for chunk in plan.chunks(of: data) {
            let range = chunk.startIndex..<chunk.endIndex
            Masking.copyApplying(key, from: data, range: range, appendingTo: &copied, phase: phase + offset)
            Masking.copyApplyingBytewise(key, from: data, range: range, appendingTo: &copiedSlow, phase: phase + offset)
            offset += chunk.count
        }
        try require(copied == copiedSlow, "chunked copy-masking differs from its byte-wise twin")
        try require(copied == slow, "chunked copy-masking differs from one-pass masking")
    }

    static func checkUTF8(_ data: [UInt8], plan: ChunkPlan) throws(FuzzFailure) {
        for kernel in UTF8Validator.availableKernels {
            try checkUTF8(data, plan: plan, kernel: kernel)
        }
    }

    /// One vector kernel (portable Swift SIMD, SSSE3, AVX2) against the byte-wise automaton.
    static func checkUTF8(_ data: [UInt8], plan: ChunkPlan, kernel: UTF8Validator.VectorKernel) throws(FuzzFailure) {
        var fast = UTF8Validator()
        var slow = UTF8Validator()
        var valid = true
        for chunk in plan.chunks(of: data) {
            let range = chunk.startIndex..<chunk.endIndex
            let fastResult = fast.validate(data, range: range, kernel: kernel)
            let slowResult = slow.validateBytewise(data, range: range)
            try require(fastResult == slowResult, "table (\(kernel)) and byte-wise UTF-8 validation differ")
            try require(fast.isAtCharacterBoundary == slow.isAtCharacterBoundary, "UTF-8 boundary state differs (\(kernel))")
            valid = fastResult
        }
        let complete = valid && fast.isAtCharacterBoundary
        try require(complete == UTF8Validator.isValid(data), "chunked and one-pass UTF-8 validation differ")
        try require(complete == (String(validating: data, as: UTF8.self) != nil),
                    "UTF8Validator disagrees with the standard library")
    }
}
