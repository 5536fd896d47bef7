// CZlib: zlib for Swift (DESIGN.md §1, .systemLibrary with pkg-config "zlib").
//
// zlib's initialisers are C macros that pass the library version and the size of z_stream,
// which Swift cannot import; these static inline wrappers call them.
#ifndef CZLIB_SHIM_H
#define CZLIB_SHIM_H

#include <zlib.h>

/// deflateInit2(strm, level, method, windowBits, memLevel, strategy).
static inline int czlib_deflateInit2(z_streamp strm, int level, int method, int windowBits,
                                     int memLevel, int strategy) {
    return deflateInit2(strm, level, method, windowBits, memLevel, strategy);
}

/// inflateInit2(strm, windowBits).
static inline int czlib_inflateInit2(z_streamp strm, int windowBits) {
    return inflateInit2(strm, windowBits);
}

#endif
