/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng.h - the pcapng writer (draft-ietf-opsawg-pcapng).
 *
 * libpcap writes only classic pcap, which has one link type per file and
 * nowhere to put the per-packet direction and offload bits.  This writer
 * produces pcapng with:
 *   - a Section Header Block naming the capture point: shb_hardware,
 *     shb_os, shb_userappl ("pktdoctor <version>" unless given), and the
 *     capture host's name in an opt_comment ("capture host: NAME");
 *   - one Interface Description Block per interface, each with its own
 *     link type: if_name, if_description (free text: the caller puts the
 *     interface's offload settings there), if_MACaddr, if_IPv4addr,
 *     if_IPv6addr, if_snaplen, if_tsresol; and a Name Resolution Block
 *     mapping the interface's addresses to the host name;
 *   - Enhanced Packet Blocks with epb_flags (direction, checksum and TSO
 *     bits: PD_EPB_* in packet.h) and an opt_comment.
 * Every write is checked; the first failure sticks and every later call
 * returns -PD_EWRITE.  The reader is src/sources/pcapng.c.
 */
#ifndef PKTDOCTOR_PCAPNG_H
#define PKTDOCTOR_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/** The largest packet the writer accepts, bytes (the reader's block cap
 * less the EPB's own fields and a comment). */
#define PD_PCAPNG_MAX_PACKET (16u * 1024 * 1024 - 128 * 1024)

/** if_tsresol values: bit 7 clear = 10^-n seconds, set = 2^-n seconds. */
#define PD_PCAPNG_TSRESOL_US 6
#define PD_PCAPNG_TSRESOL_NS 9

/** What the Section Header Block says about the capture point; NULL
 * members are left out. */
struct pd_pcapng_section {
	const char *hardware;   /* shb_hardware: CPU / machine description */
	const char *os;         /* shb_os: e.g. "Linux 6.1.0" */
	const char *userappl;   /* shb_userappl; NULL = "pktdoctor <version>" */
	const char *hostname;   /* capture host: SHB comment and NRB entries */
	bool big_endian;        /* write the section big-endian (default: little) */
};

/** One IPv4 address of an interface (if_IPv4addr: address and netmask,
 * network byte order). */
struct pd_pcapng_ipv4 {
	uint8_t addr[4];
	uint8_t mask[4];
};

/** One IPv6 address of an interface (if_IPv6addr: address, prefix length). */
struct pd_pcapng_ipv6 {
	uint8_t addr[16];
	uint8_t prefix_len;
};

/** An interface to describe (IDB); NULL / 0 members are left out. */
struct pd_pcapng_iface {
	int linktype;           /* LINKTYPE_ value (1 Ethernet, 113 Linux SLL, 101 raw IP...);
				 * libpcap's DLT_ values that differ (DLT_RAW...),
				 * as sources deliver them, are converted */
	uint32_t snaplen;       /* bytes; 0 = no limit */
	const char *name;       /* if_name, e.g. "eth0" */
	const char *description;/* if_description: free text, e.g. the offload
				 * settings ("tx-checksumming: on, tso: on, gro: off") */
	const uint8_t *mac;     /* if_MACaddr: 6 bytes */
	const struct pd_pcapng_ipv4 *ipv4;  /* if_IPv4addr, @n_ipv4 of them */
	size_t n_ipv4;
	const struct pd_pcapng_ipv6 *ipv6;  /* if_IPv6addr, @n_ipv6 of them */
	size_t n_ipv6;
	uint8_t tsresol;        /* if_tsresol; 0 = PD_PCAPNG_TSRESOL_NS */
};

struct pd_pcapng_writer;

/**
 * pd_pcapng_writer_open() - start a pcapng stream on @fp and write the
 * first Section Header Block.  The writer does not own @fp: close it
 * after pd_pcapng_writer_close().
 * @out: set to the new writer (NULL on failure).
 * @section: what the SHB says; NULL for the defaults.
 * Return: 0, -PD_ENOMEM or -PD_EWRITE.
 */
int pd_pcapng_writer_open(struct pd_pcapng_writer **out, FILE *fp,
			  const struct pd_pcapng_section *section);

/**
 * pd_pcapng_writer_open_path() - as pd_pcapng_writer_open(), creating
 * (or truncating) the file @path, which the writer then owns.
 * Return: 0, -PD_EOPEN (cannot create), -PD_ENOMEM or -PD_EWRITE.
 */
int pd_pcapng_writer_open_path(struct pd_pcapng_writer **out, const char *path,
			       const struct pd_pcapng_section *section);

/**
 * pd_pcapng_new_section() - start a new section (SHB); interfaces of the
 * previous one can no longer be written to, and ids start at 0 again.
 * Return: 0, -PD_ENOMEM or -PD_EWRITE.
 */
int pd_pcapng_new_section(struct pd_pcapng_writer *w, const struct pd_pcapng_section *section);

/**
 * pd_pcapng_add_interface() - describe an interface (IDB).
 * Return: the interface id within the section (0, 1, ...) to pass to
 * pd_pcapng_write_packet(), or -PD_EUSAGE (link type outside 0..65535,
 * or a 2^-n/10^-n resolution finer than 2^-63 / 10^-19 s), -PD_ENOMEM,
 * -PD_EWRITE.
 */
int pd_pcapng_add_interface(struct pd_pcapng_writer *w, const struct pd_pcapng_iface *ifc);

/**
 * pd_pcapng_write_packet() - write one packet (EPB).
 * @ifid: an id returned by pd_pcapng_add_interface() in this section.
 * @ts_ns: ns since the epoch (>= 0); written in the interface's
 *         resolution, rounded down.
 * @data: @caplen captured bytes; @wirelen: length on the wire, bytes.
 * @epb_flags: the EPB flags word (PD_EPB_* in packet.h), written only
 *             when @has_flags.
 * @comment: opt_comment (UTF-8), or NULL; cut at 65535 bytes.
 * Return: 0, -PD_EUSAGE (unknown @ifid, @caplen above
 * PD_PCAPNG_MAX_PACKET, negative @ts_ns), -PD_ENOMEM, -PD_EWRITE.
 */
int pd_pcapng_write_packet(struct pd_pcapng_writer *w, uint32_t ifid, int64_t ts_ns,
			   const uint8_t *data, uint32_t caplen, uint32_t wirelen,
			   uint32_t epb_flags, bool has_flags, const char *comment);

/**
 * pd_pcapng_writer_close() - flush, close the file if the writer opened
 * it, free.  NULL is allowed.
 * Return: 0, or -PD_EWRITE if this or any earlier write failed.
 */
int pd_pcapng_writer_close(struct pd_pcapng_writer *w);

/**
 * pd_pcapng_linktype_to_dlt() / pd_pcapng_dlt_to_linktype() - convert
 * between the LINKTYPE_ values of capture files and libpcap's DLT_ values
 * where they differ (raw IP: LINKTYPE_RAW 101 is DLT_RAW 12 on Linux; ATM,
 * BSD/OS SLIP and PPP); other values are returned unchanged.  As
 * libpcap's linktype_to_dlt()/dlt_to_linktype().
 */
int pd_pcapng_linktype_to_dlt(int linktype);
int pd_pcapng_dlt_to_linktype(int dlt);

#endif
