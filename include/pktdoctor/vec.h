/* SPDX-License-Identifier: BSD-2-Clause */
/* vec.h - room for one more element in a growable, bounded array. */
#ifndef PKTDOCTOR_VEC_H
#define PKTDOCTOR_VEC_H

#include <stddef.h>

/**
 * pd_vec_reserve() - make room for element @n of an array that holds
 * @cap elements of @elem bytes, doubling it (from 16) when full.
 * @v: the array pointer (may be NULL with @cap 0); updated on growth.
 * @cap: its capacity in elements; updated on growth.
 * @n: elements in use.
 * @elem: element size in bytes.
 * @max: most elements ever allowed (0 = no bound).
 * Return: 0 when v[n] may be written; -PD_ELIMIT when @n reached @max;
 * -PD_ENOMEM when growing failed (the array is unchanged).
 */
int pd_vec_reserve(void *v, size_t *cap, size_t n, size_t elem, size_t max);

#endif
