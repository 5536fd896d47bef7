/* mallocount: an LD_PRELOAD allocation counter. Counts calls of malloc, calloc, realloc and the
 * aligned allocators, process-wide, into a shared file that another process can read while this
 * one runs: MALLOCOUNT_FILE=/path LD_PRELOAD=./mallocount.so server ...
 * The file holds four little-endian uint64: allocations, frees, reallocs, bytes requested.
 * Build: gcc -O2 -shared -fPIC -o mallocount.so mallocount.c */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

typedef struct { uint64_t allocs, frees, reallocs, bytes; } Counters;
static Counters fallback;
static Counters *counters = &fallback;

__attribute__((constructor)) static void mallocount_init(void) {
    const char *path = getenv("MALLOCOUNT_FILE");
    if (!path) return;
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return;
    if (ftruncate(fd, sizeof(Counters)) == 0) {
        void *map = mmap(NULL, sizeof(Counters), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (map != MAP_FAILED) {
            memcpy(map, &fallback, sizeof fallback);
            counters = map;
        }
    }
    close(fd);
}

#define COUNT(field, n) __atomic_fetch_add(&counters->field, (n), __ATOMIC_RELAXED)

void *malloc(size_t size) { COUNT(allocs, 1); COUNT(bytes, size); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { COUNT(allocs, 1); COUNT(bytes, n * size); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) {
    if (p == NULL) COUNT(allocs, 1); else COUNT(reallocs, 1);
    COUNT(bytes, size);
    return __libc_realloc(p, size);
}
void free(void *p) { if (p) COUNT(frees, 1); __libc_free(p); }
void *memalign(size_t alignment, size_t size) { COUNT(allocs, 1); COUNT(bytes, size); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = p;
    return 0;
}
