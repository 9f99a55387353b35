/* What a fresh page of anonymous memory costs on this machine, against
 * writing memory already mapped: the floor under every step that fills a
 * new array. BENCHMARKS.md (2026-12-04, "fresh pages") has the results.
 *
 *   cc -O2 -o page-cost scripts/bench/page-cost.c
 *   ./page-cost [MiB] [huge]      # default 1024 MiB, 4 KiB pages
 *
 * Three rounds in one process, each mapping MiB of anonymous memory and
 * asking the kernel for all its pages at once (MADV_POPULATE_WRITE, as
 * heapdiff's `memory::populate` does), then writing every byte (memset)
 * of the now-mapped range, then unmapping it. Round 1 gets pages the
 * kernel has not handed to this process; rounds 2 and 3 mostly get the
 * pages round 1 gave back. With `huge`, the range is advised
 * MADV_HUGEPAGE first (transparent huge pages are `madvise` here).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
    int huge = argc > 2 && strcmp(argv[2], "huge") == 0;
    size_t n = mib << 20;
    for (int round = 1; round <= 3; round++) {
        double t0 = now();
        char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        if (huge)
            madvise(p, n, MADV_HUGEPAGE);
        if (madvise(p, n, MADV_POPULATE_WRITE) != 0) {
            perror("madvise(MADV_POPULATE_WRITE)");
            return 1;
        }
        double t1 = now();
        memset(p, 1, n);
        double t2 = now();
        munmap(p, n);
        double pages = (double)n / 4096;
        printf("round %d: populate %.3f s (%.2f us per 4 KiB page, %.1f GB/s), "
               "memset of the mapped range %.3f s (%.1f GB/s)\n",
               round, t1 - t0, (t1 - t0) / pages * 1e6, n / (t1 - t0) / 1e9, t2 - t1,
               n / (t2 - t1) / 1e9);
    }
    return 0;
}
