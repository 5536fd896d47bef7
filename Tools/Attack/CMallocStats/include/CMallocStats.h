#ifndef CMALLOCSTATS_H
#define CMALLOCSTATS_H
#include <stddef.h>

/// Bytes the allocator has handed out and not taken back, across all threads: glibc's
/// `mallinfo2()` arena bytes in use (`uordblks`) plus mmapped blocks (`hblkhd`); on Darwin the
/// default zone's `size_in_use`. Used by the attack probe's and the soak's memory figures
/// (`<malloc.h>` is not part of Swift's Glibc module).
size_t cmalloc_heap_in_use(void);

#endif
