// The C UTF-8 kernels of Modules/CSIMD against a byte-wise reference validator (Unicode table
// 3-7), on the machine's own kernels and, through `run.sh`, on AArch64 under qemu: the Swift
// tests (UTF8ValidatorTests) hold every kernel of the machine they run on to the automaton, but
// this machine has no AArch64 CPU for the NEON kernel, so this file checks it where Swift cannot
// run. Each kernel is used as UTF8Validator uses it: scan whole vectors from a character
// boundary, then finish byte-wise from the last boundary before where the kernel stopped; that
// verdict must equal the reference's for every input.
#include "CWebSocketSIMD.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long failures = 0, checks = 0;

/// Unicode table 3-7, one sequence at a time.
static int reference_valid(const uint8_t *s, intptr_t n) {
    intptr_t i = 0;
    while (i < n) {
        const uint8_t b = s[i];
        if (b < 0x80) { i += 1; continue; }
        int length;
        uint8_t low = 0x80, high = 0xBF;
        if (b >= 0xC2 && b <= 0xDF) length = 2;
        else if (b == 0xE0) { length = 3; low = 0xA0; }
        else if (b == 0xED) { length = 3; high = 0x9F; }
        else if (b >= 0xE1 && b <= 0xEF) length = 3;
        else if (b == 0xF0) { length = 4; low = 0x90; }
        else if (b == 0xF4) { length = 4; high = 0x8F; }
        else if (b >= 0xF1 && b <= 0xF3) length = 4;
        else return 0;
        if (i + length > n || s[i + 1] < low || s[i + 1] > high) return 0;
        for (int k = 2; k < length; k++) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) return 0;
        }
        i += length;
    }
    return 1;
}

/// The start of a sequence still open at `offset` (UTF8Validator.lastBoundary).
static intptr_t last_boundary(const uint8_t *base, intptr_t offset) {
    if (base[offset - 1] >= 0xC0) return offset - 1;
    if (base[offset - 2] >= 0xE0) return offset - 2;
    if (base[offset - 3] >= 0xF0) return offset - 3;
    return offset;
}

static intptr_t width_of(swiftws_utf8_kernel kernel) {
    return kernel == SWIFTWS_UTF8_KERNEL_AVX2 ? 32 : 16;
}

static void fail(const char *what, swiftws_utf8_kernel kernel, const uint8_t *bytes, intptr_t n) {
    if (++failures > 20) return;
    fprintf(stderr, "FAIL kernel %d: %s; input (%ld bytes):", (int)kernel, what, (long)n);
    for (intptr_t i = 0; i < n; i++) fprintf(stderr, " %02X", bytes[i]);
    fprintf(stderr, "\n");
}

/// Checks `bytes` with `kernel` against the reference; `shift` (0...15) misaligns the buffer.
static void check(swiftws_utf8_kernel kernel, const uint8_t *bytes, intptr_t n, int shift) {
    static uint8_t storage[4096 + 64];
    uint8_t *base = storage + shift;
    memcpy(base, "abc", 3);  // 3 readable bytes before the start, a character boundary
    memcpy(base + 3, bytes, (size_t)n);
    checks++;
    const int expected = reference_valid(bytes, n);
    const intptr_t stop = swiftws_utf8_scan(kernel, base, 3, 3 + n);
    if (stop < 0) {
        if (expected) fail("rejected valid input", kernel, bytes, n);
        return;
    }
    const intptr_t width = width_of(kernel);
    if (stop < 3 || (stop - 3) % width != 0 || 3 + n - stop >= width) {
        fail("did not stop after the last whole vector", kernel, bytes, n);
        return;
    }
    const intptr_t resume = last_boundary(base, stop);
    if (reference_valid(base + resume, 3 + n - resume) != expected) {
        fail(expected ? "valid input failed after the kernel" : "accepted invalid input", kernel, bytes, n);
    }
}

static uint64_t random_state = 0x9E3779B97F4A7C15u;
static uint32_t next_random(void) {  // xorshift64*
    random_state ^= random_state >> 12;
    random_state ^= random_state << 25;
    random_state ^= random_state >> 27;
    return (uint32_t)((random_state * 0x2545F4914F6CDD1Du) >> 32);
}

/// Appends the UTF-8 form of `scalar` (not a surrogate, at most U+10FFFF).
static intptr_t encode(uint32_t scalar, uint8_t *out) {
    if (scalar < 0x80) { out[0] = (uint8_t)scalar; return 1; }
    if (scalar < 0x800) { out[0] = (uint8_t)(0xC0 | scalar >> 6); out[1] = (uint8_t)(0x80 | (scalar & 0x3F)); return 2; }
    if (scalar < 0x10000) {
        out[0] = (uint8_t)(0xE0 | scalar >> 12); out[1] = (uint8_t)(0x80 | ((scalar >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (scalar & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | scalar >> 18); out[1] = (uint8_t)(0x80 | ((scalar >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((scalar >> 6) & 0x3F)); out[3] = (uint8_t)(0x80 | (scalar & 0x3F));
    return 4;
}

static uint32_t random_scalar(void) {
    switch (next_random() % 5) {
    case 0: return 0x80 + next_random() % (0x800 - 0x80);
    case 1: return 0x800 + next_random() % (0xD800 - 0x800);
    case 2: return 0xE000 + next_random() % (0x10000 - 0xE000);
    case 3: return 0x10000 + next_random() % (0x110000 - 0x10000);
    default: return 0x20 + next_random() % 0x5F;
    }
}

/// Byte values at the edge of every range of table 3-7.
static const uint8_t edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1,
                                0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3,
                                0xF4, 0xF5, 0xF7, 0xF8, 0xFF};
enum { EDGE_COUNT = sizeof edges };

/// Greek text ("κόσμε " repeated): 2-byte sequences and spaces, no long ASCII runs.
static void greek(uint8_t *out, intptr_t n) {
    static const uint8_t word[] = {0xCE, 0xBA, 0xCF, 0x8C, 0xCF, 0x83, 0xCE, 0xBC, 0xCE, 0xB5, 0x20};
    for (intptr_t i = 0; i < n; i++) out[i] = word[i % sizeof word];
}

/// `sequence` planted at every character boundary of Greek text from 40 to 110 (across several
/// 16- and 32-byte vectors and their edges).
static void plant(swiftws_utf8_kernel kernel, const uint8_t *sequence, intptr_t length) {
    uint8_t background[160], input[200];
    greek(background, sizeof background);
    for (intptr_t at = 40; at < 110; at++) {
        if ((background[at] & 0xC0) == 0x80) continue;
        memcpy(input, background, (size_t)at);
        memcpy(input + at, sequence, (size_t)length);
        memcpy(input + at + length, background + at, sizeof background - (size_t)at);
        check(kernel, input, (intptr_t)sizeof background + length, (int)(at % 16));
    }
}

static void run(swiftws_utf8_kernel kernel) {
    uint8_t sequence[4];
    // Every pair of bytes, every lead byte with every second byte and an edge third byte, and
    // edge values of 4-byte sequences: every rule broken and kept at every vector position.
    for (int a = 0; a < 256; a++) {
        for (int b = 0; b < 256; b++) {
            sequence[0] = (uint8_t)a; sequence[1] = (uint8_t)b;
            plant(kernel, sequence, 2);
            if (a < 0xC0) continue;
            for (int c = 0; c < EDGE_COUNT; c += 2) {
                sequence[2] = edges[c];
                plant(kernel, sequence, 3);
            }
        }
    }
    for (int a = 0xE0; a < 256; a++) {
        for (int b = 0; b < EDGE_COUNT; b++) {
            for (int c = 0; c < EDGE_COUNT; c++) {
                for (int d = 0; d < EDGE_COUNT; d++) {
                    sequence[0] = (uint8_t)a; sequence[1] = edges[b]; sequence[2] = edges[c]; sequence[3] = edges[d];
                    plant(kernel, sequence, 4);
                }
            }
        }
    }
    // Random text of every kind of scalar, two thirds of it with one byte replaced, inserted or
    // removed.
    uint8_t input[1024];
    for (int round = 0; round < 60000; round++) {
        intptr_t n = 0;
        const intptr_t length = 16 + next_random() % 700;
        while (n < length) n += encode(random_scalar(), input + n);
        if (round % 3 != 0) {
            const intptr_t at = next_random() % n;
            const uint8_t edge = edges[next_random() % EDGE_COUNT];
            switch (next_random() % 3) {
            case 0: input[at] = edge; break;
            case 1: memmove(input + at + 1, input + at, (size_t)(n - at)); input[at] = edge; n += 1; break;
            default: memmove(input + at, input + at + 1, (size_t)(n - at - 1)); n -= 1; break;
            }
        }
        check(kernel, input, n, (int)(next_random() % 16));
    }
}

int main(void) {
    const swiftws_utf8_kernel best = swiftws_utf8_best_kernel();
#if defined(__x86_64__) || defined(__aarch64__)
    // Every x86-64 CPU of the last 15 years has SSSE3, and every AArch64 CPU has NEON.
    if (best == SWIFTWS_UTF8_KERNEL_NONE) {
        fprintf(stderr, "FAIL: no vector kernel on this architecture\n");
        return 1;
    }
#endif
#if defined(__aarch64__)
    if (best != SWIFTWS_UTF8_KERNEL_NEON) {
        fprintf(stderr, "FAIL: the best AArch64 kernel is %d, not NEON\n", (int)best);
        return 1;
    }
#endif
    int ran = 0;
    for (int kernel = SWIFTWS_UTF8_KERNEL_SSSE3; kernel <= SWIFTWS_UTF8_KERNEL_NEON; kernel++) {
        // A kernel this CPU lacks must do nothing: return its start.
        uint8_t probe[64 + 3];
        greek(probe, sizeof probe);
        const intptr_t stop = swiftws_utf8_scan((swiftws_utf8_kernel)kernel, probe, 3, sizeof probe);
        if (stop == 3) continue;
        const long before = checks;
        run((swiftws_utf8_kernel)kernel);
        printf("kernel %d: %ld inputs checked against the reference\n", kernel, checks - before);
        ran++;
    }
    if (ran == 0) printf("no vector kernel on this architecture: nothing to check\n");
    if (failures) {
        fprintf(stderr, "%ld of %ld checks failed\n", failures, checks);
        return 1;
    }
    return 0;
}
