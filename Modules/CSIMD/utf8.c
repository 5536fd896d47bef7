// Table-lookup UTF-8 validation: J. Keiser and D. Lemire, "Validating UTF-8 In Less Than One
// Instruction Per Byte", Software: Practice and Experience 51(5), 2021. Each byte is judged with
// the byte before it through three 16-entry tables indexed by nibbles (one pshufb each); the
// bitwise AND of the three lookups is non-zero exactly where a rule of Unicode table 3-7 is
// broken, except bit 7 (two continuation bytes in a row), which must be set exactly where the
// byte is the 3rd or 4th of a sequence. Kernels: SSSE3 and AVX2 on x86-64, NEON on AArch64.
// The caller (UTF8Validator.scanVectors) starts at a character boundary with 3 bytes readable
// before it and resumes from the last boundary.
#include "CWebSocketSIMD.h"

#include <stdatomic.h>

// One bit per way a pair of bytes (the byte before, this byte) can break table 3-7.
enum {
    TOO_SHORT = 1 << 0,     // 11______ followed by 0_______ or 11______ (a sequence cut short)
    TOO_LONG = 1 << 1,      // 0_______ followed by 10______ (a stray continuation byte)
    OVERLONG_3 = 1 << 2,    // 11100000 100_____
    TOO_LARGE = 1 << 3,     // 11110100 1001____ or 101_____, and F5...FF followed by 1001/101
    SURROGATE = 1 << 4,     // 11101101 101_____
    OVERLONG_2 = 1 << 5,    // 1100000_ 10______ (C0, C1)
    TOO_LARGE_1000 = 1 << 6, // 11110101...11111___ followed by 1000____
    OVERLONG_4 = 1 << 6,    // 11110000 1000____ (shares the bit: both need byte 2 = 1000____)
    TWO_CONTS = 1 << 7,     // 10______ 10______ (valid only as the 3rd or 4th byte)
    CARRY = TOO_SHORT | TOO_LONG | TWO_CONTS, // rules that do not depend on the low nibble
};

/// Indexed by the high nibble of the byte before.
static const uint8_t firstHigh[16] = {
    TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, TOO_LONG, // ASCII
    TWO_CONTS, TWO_CONTS, TWO_CONTS, TWO_CONTS,                                     // 10______
    TOO_SHORT | OVERLONG_2,                                                         // 1100____
    TOO_SHORT,                                                                      // 1101____
    TOO_SHORT | OVERLONG_3 | SURROGATE,                                             // 1110____
    TOO_SHORT | TOO_LARGE | TOO_LARGE_1000 | OVERLONG_4,                            // 1111____
};

/// Indexed by the low nibble of the byte before.
static const uint8_t firstLow[16] = {
    CARRY | OVERLONG_3 | OVERLONG_2 | OVERLONG_4,                     // ____0000
    CARRY | OVERLONG_2,                                               // ____0001
    CARRY, CARRY,                                                     // ____001_
    CARRY | TOO_LARGE,                                                // ____0100
    CARRY | TOO_LARGE | TOO_LARGE_1000,                               // ____0101
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, // ____011_
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000, // ____1___
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000,
    CARRY | TOO_LARGE | TOO_LARGE_1000 | SURROGATE,                   // ____1101
    CARRY | TOO_LARGE | TOO_LARGE_1000, CARRY | TOO_LARGE | TOO_LARGE_1000,
};

/// Indexed by the high nibble of the byte itself.
static const uint8_t secondHigh[16] = {
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT, // ASCII
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE_1000 | OVERLONG_4,          // 1000____
    TOO_LONG | OVERLONG_2 | TWO_CONTS | OVERLONG_3 | TOO_LARGE,                             // 1001____
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,                              // 101_____
    TOO_LONG | OVERLONG_2 | TWO_CONTS | SURROGATE | TOO_LARGE,
    TOO_SHORT, TOO_SHORT, TOO_SHORT, TOO_SHORT,                                             // 11______
};

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx2")))
static intptr_t scan_avx2(const uint8_t *base, intptr_t start, intptr_t end) {
    const __m256i tableFirstHigh = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)firstHigh));
    const __m256i tableFirstLow = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)firstLow));
    const __m256i tableSecondHigh = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)secondHigh));
    const __m256i nibble = _mm256_set1_epi8(0x0F);
    const __m256i thirdBias = _mm256_set1_epi8((char)(0xE0 - 0x80));  // 111_____ stays >= 0x80
    const __m256i fourthBias = _mm256_set1_epi8((char)(0xF0 - 0x80)); // 1111____ stays >= 0x80
    const __m256i bit7 = _mm256_set1_epi8((char)0x80);
    __m256i error = _mm256_setzero_si256();
    intptr_t offset = start;
    while (offset + 32 <= end) {
        const __m256i input = _mm256_loadu_si256((const __m256i *)(base + offset));
        const __m256i previous1 = _mm256_loadu_si256((const __m256i *)(base + offset - 1));
        const __m256i previous2 = _mm256_loadu_si256((const __m256i *)(base + offset - 2));
        const __m256i previous3 = _mm256_loadu_si256((const __m256i *)(base + offset - 3));
        const __m256i rules = _mm256_and_si256(
            _mm256_and_si256(
                _mm256_shuffle_epi8(tableFirstHigh, _mm256_and_si256(_mm256_srli_epi16(previous1, 4), nibble)),
                _mm256_shuffle_epi8(tableFirstLow, _mm256_and_si256(previous1, nibble))),
            _mm256_shuffle_epi8(tableSecondHigh, _mm256_and_si256(_mm256_srli_epi16(input, 4), nibble)));
        const __m256i mustContinue = _mm256_and_si256(
            _mm256_or_si256(_mm256_subs_epu8(previous2, thirdBias), _mm256_subs_epu8(previous3, fourthBias)), bit7);
        error = _mm256_or_si256(error, _mm256_xor_si256(rules, mustContinue));
        offset += 32;
        // Checked every 4 vectors, off the critical path: an error stops the scan within 128 bytes.
        if (((offset - start) & 127) == 0 && !_mm256_testz_si256(error, error)) return -1;
    }
    if (!_mm256_testz_si256(error, error)) return -1;
    return offset;
}

__attribute__((target("ssse3")))
static intptr_t scan_ssse3(const uint8_t *base, intptr_t start, intptr_t end) {
    const __m128i tableFirstHigh = _mm_loadu_si128((const __m128i *)firstHigh);
    const __m128i tableFirstLow = _mm_loadu_si128((const __m128i *)firstLow);
    const __m128i tableSecondHigh = _mm_loadu_si128((const __m128i *)secondHigh);
    const __m128i nibble = _mm_set1_epi8(0x0F);
    const __m128i thirdBias = _mm_set1_epi8((char)(0xE0 - 0x80));
    const __m128i fourthBias = _mm_set1_epi8((char)(0xF0 - 0x80));
    const __m128i bit7 = _mm_set1_epi8((char)0x80);
    const __m128i zero = _mm_setzero_si128();
    __m128i error = zero;
    intptr_t offset = start;
    while (offset + 16 <= end) {
        const __m128i input = _mm_loadu_si128((const __m128i *)(base + offset));
        const __m128i previous1 = _mm_loadu_si128((const __m128i *)(base + offset - 1));
        const __m128i previous2 = _mm_loadu_si128((const __m128i *)(base + offset - 2));
        const __m128i previous3 = _mm_loadu_si128((const __m128i *)(base + offset - 3));
        const __m128i rules = _mm_and_si128(
            _mm_and_si128(
                _mm_shuffle_epi8(tableFirstHigh, _mm_and_si128(_mm_srli_epi16(previous1, 4), nibble)),
                _mm_shuffle_epi8(tableFirstLow, _mm_and_si128(previous1, nibble))),
            _mm_shuffle_epi8(tableSecondHigh, _mm_and_si128(_mm_srli_epi16(input, 4), nibble)));
        const __m128i mustContinue = _mm_and_si128(
            _mm_or_si128(_mm_subs_epu8(previous2, thirdBias), _mm_subs_epu8(previous3, fourthBias)), bit7);
        error = _mm_or_si128(error, _mm_xor_si128(rules, mustContinue));
        offset += 16;
        if (((offset - start) & 63) == 0 && _mm_movemask_epi8(_mm_cmpeq_epi8(error, zero)) != 0xFFFF) {
            return -1;
        }
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(error, zero)) != 0xFFFF) return -1;
    return offset;
}
#elif defined(__aarch64__)
#include <arm_neon.h>

// The SSSE3 kernel's steps with AdvSIMD, which every AArch64 CPU has: `tbl` is the table lookup
// (`pshufb`), and the shift is a true 8-bit shift, so no mask is needed after it.
static intptr_t scan_neon(const uint8_t *base, intptr_t start, intptr_t end) {
    const uint8x16_t tableFirstHigh = vld1q_u8(firstHigh);
    const uint8x16_t tableFirstLow = vld1q_u8(firstLow);
    const uint8x16_t tableSecondHigh = vld1q_u8(secondHigh);
    const uint8x16_t nibble = vdupq_n_u8(0x0F);
    const uint8x16_t thirdBias = vdupq_n_u8(0xE0 - 0x80);
    const uint8x16_t fourthBias = vdupq_n_u8(0xF0 - 0x80);
    const uint8x16_t bit7 = vdupq_n_u8(0x80);
    uint8x16_t error = vdupq_n_u8(0);
    intptr_t offset = start;
    while (offset + 16 <= end) {
        const uint8x16_t input = vld1q_u8(base + offset);
        const uint8x16_t previous1 = vld1q_u8(base + offset - 1);
        const uint8x16_t previous2 = vld1q_u8(base + offset - 2);
        const uint8x16_t previous3 = vld1q_u8(base + offset - 3);
        const uint8x16_t rules = vandq_u8(
            vandq_u8(vqtbl1q_u8(tableFirstHigh, vshrq_n_u8(previous1, 4)),
                     vqtbl1q_u8(tableFirstLow, vandq_u8(previous1, nibble))),
            vqtbl1q_u8(tableSecondHigh, vshrq_n_u8(input, 4)));
        const uint8x16_t mustContinue = vandq_u8(
            vorrq_u8(vqsubq_u8(previous2, thirdBias), vqsubq_u8(previous3, fourthBias)), bit7);
        error = vorrq_u8(error, veorq_u8(rules, mustContinue));
        offset += 16;
        if (((offset - start) & 63) == 0 && vmaxvq_u8(error) != 0) return -1;
    }
    if (vmaxvq_u8(error) != 0) return -1;
    return offset;
}
#endif

swiftws_utf8_kernel swiftws_utf8_best_kernel(void) {
    // -1: not checked yet. Racing first calls store the same answer.
    static _Atomic int best = -1;
    int kernel = atomic_load_explicit(&best, memory_order_relaxed);
    if (kernel < 0) {
        kernel = SWIFTWS_UTF8_KERNEL_NONE;
#if defined(__x86_64__)
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx2")) kernel = SWIFTWS_UTF8_KERNEL_AVX2;
        else if (__builtin_cpu_supports("ssse3")) kernel = SWIFTWS_UTF8_KERNEL_SSSE3;
#elif defined(__aarch64__)
        kernel = SWIFTWS_UTF8_KERNEL_NEON;
#endif
        atomic_store_explicit(&best, kernel, memory_order_relaxed);
    }
    return (swiftws_utf8_kernel)kernel;
}

intptr_t swiftws_utf8_scan(swiftws_utf8_kernel kernel, const uint8_t *base, intptr_t start, intptr_t end) {
    if (start < 3 || end < start) return start;
#if defined(__x86_64__)
    // A kernel this CPU lacks is never run, whoever asks for it.
    if (kernel > swiftws_utf8_best_kernel()) return start;
    switch (kernel) {
    case SWIFTWS_UTF8_KERNEL_AVX2: return scan_avx2(base, start, end);
    case SWIFTWS_UTF8_KERNEL_SSSE3: return scan_ssse3(base, start, end);
    default: break;
    }
#elif defined(__aarch64__)
    if (kernel == SWIFTWS_UTF8_KERNEL_NEON) return scan_neon(base, start, end);
#else
    (void)kernel; (void)base; (void)end;
#endif
    return start;
}
