/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpstream.h - the TCP stream layer: sequence numbers are tracked once,
 * per flow direction, by the engine, before any analyzer sees the packet.
 * Every analyzer that needs to know what a segment is (new data, a
 * retransmission, a gap, a duplicate ACK) or needs the byte stream in
 * order (iSCSI PDUs and syslog over TCP today) reads the one verdict in
 * struct pd_tcp_seg instead of keeping its own tracker: the TCP, iSCSI,
 * syslog, boot and checksum analyzers do.
 *
 * Two positions are kept per direction (RFC 9293 3.3.1 names):
 *   SND.NXT as seen   the highest sequence number + length this side has
 *                     sent (payload + SYN + FIN; bare ACKs and RSTs do not
 *                     move it); every captured copy counts, even one with a
 *                     bad checksum, because the wire carried it.  A segment
 *                     is classified against it in the order of Wireshark's
 *                     tcp_analyze_sequence_number (epan/dissectors/
 *                     packet-tcp.c, as of 4.0); where pktdoctor's counts
 *                     differ from tshark's, docs/peers.md says why.
 *   delivery point    the next byte a receiver would hand to its
 *                     application (RCV.NXT as the capture can know it): a
 *                     segment with a bad checksum is dropped by the
 *                     receiver and delivers nothing; its retransmission
 *                     does.  Payload is delivered in sequence order, once,
 *                     with the sequence numbers skipped before it (a
 *                     gap: not captured, captured out of order, or dropped
 *                     for a bad checksum and not sent again) and the bytes
 *                     already delivered (an overlap) counted.  A RST's
 *                     payload is not stream data.  Nothing is buffered: a segment
 *                     after a gap is delivered as is and the consumer
 *                     decides (iSCSI re-synchronises or gives up).
 *
 * A SYN with a sequence number not seen before starts a connection; when
 * the 5-tuple had state of an earlier one (a client reconnecting from the
 * same port), both directions forget it first (tshark's "port numbers
 * reused").
 *
 * The state lives in struct pd_flow_dir (flow.h), so it costs no
 * allocation.  Frames that are malformed, second copies of one frame
 * (duplicate.h), and packets of flows the flow table could not track (it
 * was full: analysis.limit_reached) are not seen by the stream layer.
 */
#ifndef PKTDOCTOR_TCPSTREAM_H
#define PKTDOCTOR_TCPSTREAM_H

#include <stdbool.h>
#include <stdint.h>

#include "pktdoctor/flow.h"
#include "pktdoctor/packet.h"

/** What a segment is, against its sender's SND.NXT before it. */
enum pd_tcp_seg_kind {
	PD_SEG_NONE = 0,    /* no sequence space (a bare ACK, a RST), or not analysed */
	PD_SEG_FIRST,       /* the first segment of this direction the capture shows */
	PD_SEG_NEW,         /* starts at SND.NXT: new data in order */
	PD_SEG_GAP,         /* starts past SND.NXT: earlier segments were not captured */
	PD_SEG_OLD,         /* starts before SND.NXT: a retransmission, or out of order;
			     * may also carry new bytes past SND.NXT */
	PD_SEG_KEEPALIVE,   /* one byte at SND.NXT - 1 (RFC 9293 3.8.4; a keep-alive with
			     * no byte has no sequence space: PD_SEG_NONE) */
};

/**
 * struct pd_tcp_seg - the stream layer's verdict on the TCP segment being
 * analysed.  Sequence numbers are the packet's own (32-bit, wrapping:
 * compare them with pd_seq_lt()).  All zero for a packet the layer did not
 * analyse (@analysed false).
 */
struct pd_tcp_seg {
	bool analysed;        /* a TCP segment of a tracked flow, not malformed, no copy */
	uint8_t kind;         /* enum pd_tcp_seg_kind */
	uint32_t seq;         /* first sequence number (the SYN's own for a SYN) */
	uint32_t end;         /* seq + payload + SYN + FIN: the next one after it */
	uint32_t seglen;      /* end - seq, in sequence numbers */
	uint32_t prev_nxt;    /* the sender's SND.NXT before this segment (valid
			       * unless @kind is PD_SEG_FIRST or PD_SEG_NONE) */
	/* the ACK this segment carries (RFC 5681 2, RFC 9293 3.4) */
	bool ack;             /* the ACK flag is set */
	bool ack_first;       /* the first ACK from this side */
	bool ack_changed;     /* the ACK number differs from this side's previous one */
	bool ack_advanced;    /* it is above every ACK this side sent before */
	bool dup_ack;         /* a duplicate ACK (RFC 5681 2 as a capture can test it):
			       * no data, no SYN/FIN/RST, the same ACK number and window
			       * as this side's previous ACK, and the peer's SND.NXT is
			       * not that ACK, so data is outstanding (tshark 4.0 does not
			       * ask that: docs/peers.md) */
	/* delivery, in sequence order: payload bytes [data_off, data_off +
	 * data_len) of this packet's TCP payload (data_len counts bytes the
	 * snaplen cut as well: compare with the packet's payload_caplen) */
	uint32_t data_off;
	uint32_t data_len;
	uint32_t gap;         /* sequence numbers skipped before data_off (see above) */
	uint32_t overlap;     /* payload bytes already delivered (a retransmission) */
	bool syn_new;         /* a SYN with a sequence number not seen before: a connection
			       * starts (a SYN retransmission is not one) */
	bool reused;          /* ... and the 5-tuple had state of an earlier connection,
			       * which both directions forgot (tshark: "port numbers reused") */
	bool stream_start;    /* the first delivery of this direction (or of a new
			       * connection on the same 5-tuple) */
	bool start_at_syn;    /* ... and it starts right after a captured SYN, so at the
			       * application's first byte (a PDU boundary) */
	bool csum_dropped;    /* payload not delivered: a bad checksum (the receiver drops it) */
};

/**
 * pd_tcp_stream_update() - classify a TCP segment and advance its flow's
 * stream state.  The engine calls it once per packet, before the analyzers,
 * and writes the result to pd_analysis.tcp_seg.
 * @f: the packet's flow (not NULL); f->dir[@dir] is updated, f->dir[1 - @dir]
 *     is read (its SND.NXT for the duplicate-ACK test), and both are cleared
 *     when a SYN shows the 5-tuple reused.
 * @dir: the direction of @p in @f (0 from endpoint A, 1 from B).
 * @p: a dissected packet with PD_L_TCP set, not malformed; the caller skips
 *     second copies of a frame (pd_analysis.dup), which are no segment of
 *     their own.
 * @out: the verdict; fully written.
 *
 * Source: RFC 9293 3.3-3.5 (sequence space, SYN/FIN occupy one number,
 * reset), RFC 5681 2 (duplicate ACK); the classification order is
 * Wireshark's (epan/dissectors/packet-tcp.c, tcp_analyze_sequence_number).
 */
void pd_tcp_stream_update(struct pd_flow *f, int dir, const struct pd_packet *p,
			  struct pd_tcp_seg *out);

/**
 * pd_tcp_stream_acked() - whether the peer of side @dir has acknowledged
 * every sequence number before @seq (RFC 9293 3.4: its highest ACK, of the
 * current connection, is at or past @seq).
 * @f: the flow.
 * @dir: the side that sent the data (0 = endpoint A, 1 = B).
 * @seq: the sequence number just past the data.
 * Return: false also when the peer has sent no ACK yet.
 */
static inline bool pd_tcp_stream_acked(const struct pd_flow *f, int dir, uint32_t seq)
{
	const struct pd_flow_dir *peer = &f->dir[1 - dir];

	return peer->ack_valid && pd_seq_le(seq, peer->highest_ack);
}

#endif
