/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * source.h - capture sources behind one interface.  The file source reads
 * pcap and pcapng through libpcap (microsecond and nanosecond stamps),
 * and recovers the pcapng epb_flags word that libpcap does not pass on.
 */
#ifndef PKTDOCTOR_SOURCE_H
#define PKTDOCTOR_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/** One frame as a source delivers it; data is valid until the next call. */
struct pd_frame {
	const uint8_t *data;
	uint32_t caplen;      /* captured bytes */
	uint32_t wirelen;     /* original length */
	int64_t ts_ns;        /* ns since the epoch */
	uint32_t epb_flags;   /* pcapng EPB flags word */
	bool has_epb_flags;
};

struct pd_source;

/**
 * pd_source_open_file() - open a pcap or pcapng file.
 * @out: set to the new source.
 * @path: file name; "-" reads standard input.
 * @err: buffer for a message naming the file and the reason.
 * @errlen: size of @err in bytes.
 * Return: 0, -PD_EOPEN (cannot open: missing, permission) or
 * -PD_EFORMAT (not a capture file libpcap can read).
 */
int pd_source_open_file(struct pd_source **out, const char *path, char *err, size_t errlen);

/**
 * pd_source_open_stream() - read a capture from an open stream (a pipe,
 * an fmemopen() buffer).  libpcap takes the stream over: it is closed by
 * pd_source_close(), also on failure of this call.
 * @name: used in messages.
 * Return: as pd_source_open_file(), without -PD_EOPEN.
 */
int pd_source_open_stream(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen);

/**
 * pd_source_next() - read the next frame.
 * Return: 1 with @f filled, 0 at the end of the input, or -PD_EFORMAT /
 * -PD_EIO when the file is corrupt or truncated (see pd_source_error()).
 */
int pd_source_next(struct pd_source *s, struct pd_frame *f);

/** pd_source_linktype() - the LINKTYPE/DLT of the frames. */
int pd_source_linktype(const struct pd_source *s);

/** pd_source_linktype_name() - libpcap's name for it, e.g. "EN10MB". */
const char *pd_source_linktype_name(const struct pd_source *s);

/** pd_source_snaplen() - the file's snapshot length in bytes. */
int pd_source_snaplen(const struct pd_source *s);

/** pd_source_format() - "pcap" or "pcapng". */
const char *pd_source_format(const struct pd_source *s);

/** pd_source_nanosecond() - true if the file stores nanosecond stamps. */
bool pd_source_nanosecond(const struct pd_source *s);

/**
 * pd_source_error() - the last read error: a libpcap message.
 * @offset: set to the byte offset where the last good record ended
 *          (the corruption starts at or after it), or -1 if unknown.
 */
const char *pd_source_error(const struct pd_source *s, int64_t *offset);

/** pd_source_position() / pd_source_size() - bytes read so far / file size (-1 if not a file). */
int64_t pd_source_position(const struct pd_source *s);
int64_t pd_source_size(const struct pd_source *s);

/**
 * pd_source_compile_filter() - compile a BPF filter for this source's
 * link type.  Frames are matched with pd_source_match(); frames that do
 * not match are still counted so frame numbers stay those of tshark.
 * Return: 0 or -PD_EFILTER with @err set.
 */
int pd_source_compile_filter(struct pd_source *s, const char *expr, char *err, size_t errlen);

/** pd_source_match() - true if @f passes the filter (or there is none). */
bool pd_source_match(const struct pd_source *s, const struct pd_frame *f);

/** pd_source_close() - close and free. */
void pd_source_close(struct pd_source *s);

#endif
