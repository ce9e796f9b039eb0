/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapsave.h - the monitor's captures on disk, through the pcapng writer
 * (include/pktdoctor/pcapng.h): everything captured (-w FILE), and the
 * packets around one finding, from a bounded ring of recent frames, for
 * a bug report (the screen's save key).  Each interface block says in
 * its description what the NIC's offload settings were at the start.
 */
#ifndef PKTDOCTOR_PCAPSAVE_H
#define PKTDOCTOR_PCAPSAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/source.h"

/* The ring: at most PD_SAVE_RING_FRAMES frames of at most
 * PD_SAVE_RING_SNAP captured bytes each (16 MiB at most, allocated as it
 * fills); a longer frame is kept cut, with its wire length. */
#define PD_SAVE_RING_FRAMES 4096
#define PD_SAVE_RING_SNAP 4096

struct pd_capwrite;

/**
 * pd_capwrite_open() - create @path as pcapng.
 * @ifname: if_name of the interfaces written (the interface or file name).
 * @desc: if_description (the offload settings at the start), or NULL.
 * Return: 0, -PD_EOPEN (with @err), -PD_ENOMEM, -PD_EWRITE.
 */
int pd_capwrite_open(struct pd_capwrite **out, const char *path, const char *ifname,
		     const char *desc, char *err, size_t errlen);

/** pd_capwrite_frame() - write one frame (an interface block first for a
 * new link type or interface).  Return: 0 or -PD_EWRITE (sticky). */
int pd_capwrite_frame(struct pd_capwrite *w, const struct pd_frame *f);

/** pd_capwrite_close() - flush and close.  Return: 0 or -PD_EWRITE if
 * any write failed.  NULL is allowed. */
int pd_capwrite_close(struct pd_capwrite *w);

struct pd_save_ring;

int pd_save_ring_new(struct pd_save_ring **out);
void pd_save_ring_free(struct pd_save_ring *r);

/** pd_save_ring_put() - keep frame number @frame (overwrites the oldest). */
void pd_save_ring_put(struct pd_save_ring *r, uint64_t frame, const struct pd_frame *f);

/**
 * pd_save_ring_write() - write the frames @want() selects to @path.
 * @want: called with each kept frame number, oldest first.
 * @written: set to the number of frames written.
 * Return: 0, -PD_EOPEN / -PD_EWRITE (with @err), -PD_ENOMEM.
 */
int pd_save_ring_write(const struct pd_save_ring *r, const char *path, const char *ifname,
		       const char *desc, bool (*want)(void *arg, uint64_t frame), void *arg,
		       size_t *written, char *err, size_t errlen);

#endif
