/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live.h - what the live backends (live_pcap.c, afpacket.c) share, and
 * the AF_PACKET helpers the unit tests call (private to src/sources/ and
 * tests/test_afpacket.c).
 */
#ifndef PKTDOCTOR_SOURCES_LIVE_H
#define PKTDOCTOR_SOURCES_LIVE_H

#include <stddef.h>
#include <stdint.h>

#define PD_LIVE_SNAPLEN_DEFAULT 262144
#define PD_LIVE_BUFFER_DEFAULT ((size_t)4 << 20)   /* bytes */
#define PD_LIVE_BUFFER_MAX ((size_t)1 << 30)       /* bytes: a bound on the ring */
#define PD_LIVE_TIMEOUT_DEFAULT 100                /* ms */

/**
 * pd_live_perm_message() - the message for a capture that lacks
 * CAP_NET_RAW: it says what to do (run as root, give the binary the
 * capability, or read a capture file instead).
 */
void pd_live_perm_message(char *err, size_t errlen, const char *iface);

/**
 * pd_live_wait() - poll @fd for input for up to @timeout_ms (a negative
 * value does not wait).
 * Return: 1 readable, 0 timed out or interrupted by a signal, or -errno
 * of a socket error (POLLERR: SO_ERROR, e.g. -ENETDOWN).
 */
int pd_live_wait(int fd, int timeout_ms);

/* --- AF_PACKET helpers (afpacket.c), exported for the unit tests --- */

/* TP_STATUS_GSO_TCP (include/uapi/linux/if_packet.h, Linux 6.10): the
 * packet is a TCP GSO super-packet; Debian 12's headers (6.1) lack it. */
#ifndef TP_STATUS_GSO_TCP
#define TP_STATUS_GSO_TCP (1 << 8)
#endif

/**
 * pd_afpacket_epb_flags() - pcapng epb_flags for a TPACKET_V3 packet.
 * @tp_status: the packet header's tp_status.
 * @pkttype: sockaddr_ll sll_pkttype (PACKET_HOST ... PACKET_OUTGOING).
 * Return: direction in bits 0-1 (PACKET_OUTGOING: outbound; HOST,
 * BROADCAST, MULTICAST, OTHERHOST: inbound; else 0), plus
 * TP_STATUS_CSUMNOTREADY -> PD_EPB_CSUM_NOT_READY (bit 9),
 * TP_STATUS_CSUM_VALID -> PD_EPB_CSUM_VALID (bit 10),
 * TP_STATUS_GSO_TCP -> PD_EPB_TSO (bit 11).  The offload bits mean
 * different things by direction: outbound CSUM_NOT_READY is TX checksum
 * offload on the capturing host; inbound it is a partial checksum passed
 * through (veth) or a GRO-built packet, and inbound TSO is GRO.
 */
uint32_t pd_afpacket_epb_flags(uint32_t tp_status, unsigned pkttype);

/**
 * pd_afpacket_vlan_insert() - put back the 802.1Q tag the kernel moved
 * into tp_vlan_tci, as libpcap does: copy @frame into @dst with the
 * 4-byte tag (@tpid, @tci, network byte order) after the two MAC
 * addresses.
 * @dst: buffer of @dstlen bytes; a frame longer than @dstlen - 4 is cut.
 * @frame: @caplen captured bytes starting with the Ethernet header.
 * Return: bytes written to @dst (at most @dstlen), or 0 when the frame
 * is shorter than the two MAC addresses or @dst is too small for them
 * and the tag (the caller then delivers the frame unchanged).
 */
size_t pd_afpacket_vlan_insert(uint8_t *dst, size_t dstlen, const uint8_t *frame,
			       size_t caplen, uint16_t tci, uint16_t tpid);

/**
 * pd_afpacket_linktype() - the LINKTYPE_ for an interface's ARPHRD_ type:
 * EN10MB for Ethernet and loopback (Linux gives lo a 14-byte Ethernet
 * header of zeroes), LINUX_SLL for every other type, whose frames are
 * read without their link header and given a cooked header instead.
 */
int pd_afpacket_linktype(unsigned arphrd);

/**
 * pd_afpacket_sll_header() - write the 16-byte LINKTYPE_LINUX_SLL header
 * (packet type, ARPHRD_ type, address length, 8 address bytes,
 * protocol; network byte order) into @dst.
 * @addr: @halen link-layer address bytes (at most 8 are kept).
 * @protocol_be: the EtherType, already in network byte order (sll_protocol).
 */
void pd_afpacket_sll_header(uint8_t dst[16], unsigned pkttype, unsigned hatype,
			    const uint8_t *addr, unsigned halen, uint16_t protocol_be);

#endif
