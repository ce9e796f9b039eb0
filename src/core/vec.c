/* SPDX-License-Identifier: BSD-2-Clause */
/* vec.c - growable, bounded arrays (include/pktdoctor/vec.h). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/error.h"
#include "pktdoctor/vec.h"

int pd_vec_reserve(void *v, size_t *cap, size_t n, size_t elem, size_t max)
{
	void *p;
	size_t ncap;

	if (max && n >= max)
		return -PD_ELIMIT;
	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 16;
	if (max && ncap > max)
		ncap = max;
	if (ncap > SIZE_MAX / elem)
		return -PD_ENOMEM;
	memcpy(&p, v, sizeof(p));
	p = realloc(p, ncap * elem);
	if (!p)
		return -PD_ENOMEM;
	memcpy(v, &p, sizeof(p));
	*cap = ncap;
	return 0;
}
