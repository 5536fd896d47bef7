#include <malloc.h>
#include "CMallocStats.h"

size_t cmalloc_heap_in_use(void) {
    struct mallinfo2 info = mallinfo2();
    return info.uordblks + info.hblkhd;
}
