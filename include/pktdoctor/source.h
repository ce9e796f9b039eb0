/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * source.h - capture sources behind one interface (libpcap's struct pcap
 * ops in pcap-int.h are the model).
 *
 * A source delivers frames; each frame carries its own link type, so a
 * pcapng file whose interfaces differ (Ethernet + Linux SLL + raw IP) is
 * read to the end.  Backends (src/sources/):
 *   - pcap.c      classic pcap files and pipes through libpcap;
 *   - pcapng.c    pcapng files and pipes, read by pktdoctor itself: every
 *                 interface with its own link type and timestamp
 *                 resolution, epb_flags, comments, multiple sections,
 *                 both byte orders, custom and unknown blocks;
 *   - live_pcap.c live capture through libpcap;
 *   - afpacket.c  Linux AF_PACKET TPACKET_V3 ring, which keeps each
 *                 packet's tp_status offload bits and direction and maps
 *                 them onto pcapng epb_flags;
 *   - replay.c    a wrapper that paces another source by its timestamps.
 * source.c holds what every backend shares: opening by content, the BPF
 * filter (compiled once per link type that appears), statistics.
 */
#ifndef PKTDOCTOR_SOURCE_H
#define PKTDOCTOR_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The pcapng epb_flags bits (PD_EPB_DIR_IN/OUT, PD_EPB_CSUM_NOT_READY,
 * PD_EPB_CSUM_VALID, PD_EPB_TSO) are defined in packet.h. */
#include "pktdoctor/packet.h"

/** What a record is. */
enum pd_frame_kind {
	PD_FRAME_PACKET = 0,  /* a packet: dissect it */
	PD_FRAME_OTHER = 1,   /* a record tshark numbers that holds no packet
			       * (pcapng custom block, systemd journal entry):
			       * it counts in frame numbers and is not dissected */
};

/** One frame as a source delivers it; data is valid until the next call. */
struct pd_frame {
	const uint8_t *data;
	uint32_t caplen;      /* captured bytes */
	uint32_t wirelen;     /* original length on the wire, bytes */
	int64_t ts_ns;        /* ns since the epoch */
	int linktype;         /* link type of this frame's interface, as libpcap's
			       * DLT_ value (what pcap_open_dead() takes) */
	uint32_t ifid;        /* interface number: 0-based in order of appearance
			       * over the whole input (pcapng: IDBs of all sections) */
	uint32_t epb_flags;   /* pcapng EPB flags word (PD_EPB_* in packet.h) */
	bool has_epb_flags;
	uint8_t kind;         /* enum pd_frame_kind */
	const char *comment;  /* first opt_comment (NUL-terminated), or NULL */
};

/** Counters a source keeps (live sources: from the kernel). */
struct pd_source_stats {
	uint64_t received;      /* frames delivered */
	uint64_t capture_drops; /* dropped by the capture: ring or buffer full
				 * (ps_drop, tp_drops) */
	uint64_t if_drops;      /* dropped by the interface as libpcap reports it
				 * (ps_ifdrop); 0 when unknown */
	bool valid;             /* the backend could read its counters */
};

/* Return values of pd_source_next() besides negative -PD_E... codes. */
enum pd_source_rc {
	PD_SRC_END = 0,    /* end of input */
	PD_SRC_FRAME = 1,  /* @f filled */
	PD_SRC_AGAIN = 2,  /* no frame yet (live timeout, replay waiting):
			    * poll pd_source_fd() or wait pd_source_wait_ns() */
};

struct pd_source;

/**
 * pd_source_open_file() - open a capture file, pcap or pcapng, chosen by
 * its first bytes (not its name).
 * @out: set to the new source.
 * @path: file name; "-" reads standard input (a pipe works: the format
 *        is recognised without seeking).
 * @err: buffer for a message naming the file and the reason.
 * @errlen: size of @err in bytes.
 * Return: 0, -PD_EOPEN (cannot open: missing, permission, a directory),
 * -PD_EFORMAT (not a pcap or pcapng file) or -PD_ENOMEM.
 */
int pd_source_open_file(struct pd_source **out, const char *path, char *err, size_t errlen);

/**
 * pd_source_open_stream() - as pd_source_open_file(), from an open stream
 * (a pipe, an fmemopen() buffer).  The source takes the stream over: it
 * is closed by pd_source_close(), and also on failure of this call.
 * @name: used in messages.
 * Return: as pd_source_open_file(), without -PD_EOPEN.
 */
int pd_source_open_stream(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen);

/** Which live backend to use. */
enum pd_live_backend {
	PD_LIVE_AUTO = 0,     /* AF_PACKET on Linux, libpcap elsewhere */
	PD_LIVE_PCAP = 1,     /* libpcap (pcap_create ... pcap_activate) */
	PD_LIVE_AFPACKET = 2, /* Linux TPACKET_V3 ring with offload status */
};

/** Options of a live capture; zeroes take the defaults. */
struct pd_live_opts {
	const char *iface;    /* interface name (required) */
	const char *netns;    /* named network namespace (/run/netns/NAME), or NULL */
	int backend;          /* enum pd_live_backend */
	int snaplen;          /* bytes per frame; 0 = 262144 */
	bool promisc;         /* promiscuous mode */
	size_t buffer_bytes;  /* kernel buffer / ring size; 0 = 4 MiB */
	int timeout_ms;       /* longest wait in pd_source_next(); 0 = 100 ms */
};

/**
 * pd_source_open_live() - open a live capture on an interface.
 * Opening needs CAP_NET_RAW; with @o->netns the namespace is entered with
 * setns() for the open only, and the thread returns to its own namespace.
 * Return: 0, -PD_EPERM (no permission: the message says what to do),
 * -PD_EOPEN (no such interface or namespace, interface down), -PD_ENOMEM.
 */
int pd_source_open_live(struct pd_source **out, const struct pd_live_opts *o, char *err,
			size_t errlen);

/**
 * pd_source_replay() - pace a source by its timestamps.  The returned
 * source owns @inner.  Frames are released when their time since the
 * first frame, divided by @speed, has passed on the monotonic clock;
 * the schedule is absolute, so no drift builds up.
 * @speed: 1.0 = as captured, 2.0 = twice as fast; ignored with @topspeed.
 * @topspeed: no pacing at all.
 * Return: 0 or -PD_ENOMEM (@inner is closed on failure).
 */
int pd_source_replay(struct pd_source **out, struct pd_source *inner, double speed,
		     bool topspeed);

/**
 * pd_source_next() - the next record.
 * Return: PD_SRC_FRAME with @f filled, PD_SRC_END at the end of the
 * input, PD_SRC_AGAIN when a live or paced source has nothing yet, or
 * -PD_EFORMAT / -PD_EIO when the input is corrupt or truncated, or
 * -PD_EIO when a live capture failed (see pd_source_error()).
 */
int pd_source_next(struct pd_source *s, struct pd_frame *f);

/** pd_source_fd() - a descriptor to poll() for input, or -1 if none. */
int pd_source_fd(const struct pd_source *s);

/** pd_source_wait_ns() - after PD_SRC_AGAIN from a paced source: how long
 * until the next frame is due, ns; -1 when unknown (poll the fd). */
int64_t pd_source_wait_ns(const struct pd_source *s);

/** pd_source_stats() - counters; @out->valid is false where unknown. */
void pd_source_stats(struct pd_source *s, struct pd_source_stats *out);

/** pd_source_is_live() - true for a live interface (SIGINT is a normal end). */
bool pd_source_is_live(const struct pd_source *s);

/** pd_source_linktype() - the link type of the first interface (what a
 * classic pcap file has for every frame). */
int pd_source_linktype(const struct pd_source *s);

/** pd_source_linktype_name() - libpcap's name for it, e.g. "EN10MB". */
const char *pd_source_linktype_name(const struct pd_source *s);

/** pd_source_snaplen() - the snapshot length in bytes. */
int pd_source_snaplen(const struct pd_source *s);

/** pd_source_format() - "pcap", "pcapng", "live" or "afpacket". */
const char *pd_source_format(const struct pd_source *s);

/** pd_source_name() - file name or interface, as given. */
const char *pd_source_name(const struct pd_source *s);

/**
 * pd_source_error() - the last read error.
 * @offset: set to the byte offset where the last good record ended
 *          (the corruption starts at or after it), or -1 if unknown.
 */
const char *pd_source_error(const struct pd_source *s, int64_t *offset);

/** pd_source_position() / pd_source_size() - bytes read so far / file
 * size (-1 if not a regular file). */
int64_t pd_source_position(const struct pd_source *s);
int64_t pd_source_size(const struct pd_source *s);

/**
 * pd_source_compile_filter() - set a BPF filter.  It is compiled now for
 * the first link type (so a bad expression fails here), and once more for
 * each other link type when its first frame arrives.  Frames that do not
 * match are still counted, so frame numbers stay those of tshark.
 * Return: 0 or -PD_EFILTER with @err set.
 */
int pd_source_compile_filter(struct pd_source *s, const char *expr, char *err, size_t errlen);

/** pd_source_match() - true if @f passes the filter (or there is none).
 * A link type the expression cannot be compiled for matches nothing. */
bool pd_source_match(struct pd_source *s, const struct pd_frame *f);

/** pd_source_close() - close and free (NULL is allowed). */
void pd_source_close(struct pd_source *s);

#endif
