// Vector kernels that Swift's SIMD types cannot express well: a byte shuffle (pshufb) is the
// core of table-lookup UTF-8 validation, and Swift has none. Plain C with x86 intrinsics behind
// runtime CPU checks and AArch64's AdvSIMD (NEON, part of every AArch64 CPU); every other target
// reports no kernel and Swift's own vector path runs.
// The reference for every kernel is the automaton in WebSocketFraming (UTF8Validator), and the
// tests run each kernel against it.
#ifndef CWEBSOCKETSIMD_H
#define CWEBSOCKETSIMD_H

#include <stddef.h>
#include <stdint.h>

/// The UTF-8 kernels, by vector width.
typedef enum {
    SWIFTWS_UTF8_KERNEL_NONE = 0,   ///< none on this CPU or architecture
    SWIFTWS_UTF8_KERNEL_SSSE3 = 1,  ///< 16 bytes per step (x86-64 with SSSE3)
    SWIFTWS_UTF8_KERNEL_AVX2 = 2,   ///< 32 bytes per step (x86-64 with AVX2)
    SWIFTWS_UTF8_KERNEL_NEON = 3,   ///< 16 bytes per step (AArch64: AdvSIMD `tbl`)
} swiftws_utf8_kernel;

/// The fastest kernel this CPU runs (checked once).
swiftws_utf8_kernel swiftws_utf8_best_kernel(void);

/// Validates whole vectors of `base[start..<end]` as UTF-8 with `kernel` (RFC 3629 §4, Unicode
/// table 3-7). `start` must be a character boundary with at least 3 readable bytes before it
/// (each byte is judged with the 3 before it, loaded from memory).
///
/// Returns the end of the last whole vector checked (a sequence may still be open there: the
/// caller resumes with its automaton from that sequence's lead byte); `start` itself if `kernel`
/// is NONE or not supported by this CPU, or fewer than a vector's bytes remain; or -1 if the
/// bytes are not valid UTF-8.
intptr_t swiftws_utf8_scan(swiftws_utf8_kernel kernel, const uint8_t *base, intptr_t start, intptr_t end);

#endif
