/* SPDX-License-Identifier: BSD-2-Clause */
/* LD_PRELOAD: realloc() of exactly FAIL_REALLOC_SIZE bytes fails (memory
 * pressure at one growth step), to see whether the caller reports it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <errno.h>
void *realloc(void *p, size_t n)
{
	static void *(*real)(void *, size_t);
	static long fail = -1;
	if (!real)
		real = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	if (fail < 0) {
		const char *e = getenv("FAIL_REALLOC_SIZE");
		fail = e ? atol(e) : 0;
	}
	if (fail && (long)n == fail) {
		errno = ENOMEM;
		return 0;
	}
	return real(p, n);
}
