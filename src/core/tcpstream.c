/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpstream.c - the TCP stream layer (include/pktdoctor/tcpstream.h):
 * one sequence tracker per flow direction, run by the engine before the
 * analyzers, so that none of them keeps its own.
 */
#include <string.h>

#include "pktdoctor/tcpstream.h"

#define TH_FIN 0x01
#define TH_SYN 0x02
#define TH_RST 0x04
#define TH_ACK 0x10

/* Where does the segment fall against SND.NXT?  The tests are in the
 * order of Wireshark's tcp_analyze_sequence_number; the finer split of an
 * old segment (fast retransmission, out of order, spurious) needs timing
 * that only the TCP analyzer keeps. */
static void classify(struct pd_flow_dir *d, const struct pd_tcp *t, struct pd_tcp_seg *o)
{
	if (o->seglen == 0 || (t->flags & TH_RST))
		return; /* no sequence space of its own */
	if (!d->seq_valid) {
		o->kind = PD_SEG_FIRST;
		d->snd_nxt = o->end;
		d->seq_valid = true;
	} else if (o->seglen <= 1 && !(t->flags & (TH_SYN | TH_FIN)) && o->seq == d->snd_nxt - 1) {
		o->kind = PD_SEG_KEEPALIVE;
	} else if (pd_seq_lt(d->snd_nxt, o->seq)) {
		o->kind = PD_SEG_GAP;
		d->snd_nxt = o->end;
	} else if (pd_seq_lt(o->seq, d->snd_nxt)) {
		o->kind = PD_SEG_OLD;
		if (pd_seq_lt(d->snd_nxt, o->end))
			d->snd_nxt = o->end;
	} else {
		o->kind = PD_SEG_NEW;
		d->snd_nxt = o->end;
	}
}

/* The ACK side.  A duplicate ACK is RFC 5681 2's, as far as a capture can
 * test it: no sequence space, no SYN/FIN/RST, the same ACK number and
 * window as this side's previous ACK, and the peer's SND.NXT is not that
 * ACK (data is outstanding; tshark 4.0 does not ask this, docs/peers.md).
 * Unlike RFC 5681 it compares with the previous ACK, not the greatest,
 * and unlike Wireshark it does not exclude a zero window. */
static void ack(struct pd_flow_dir *d, const struct pd_flow_dir *peer, const struct pd_tcp *t,
		struct pd_tcp_seg *o)
{
	if (!(t->flags & TH_ACK))
		return;
	o->ack = true;
	o->ack_first = !d->ack_valid;
	o->dup_ack = o->seglen == 0 && !(t->flags & (TH_SYN | TH_FIN | TH_RST)) && d->ack_valid &&
		     t->ack == d->last_ack && t->window == d->last_win && peer->seq_valid &&
		     peer->snd_nxt != t->ack;
	if (o->dup_ack) {
		if (d->dupacks < UINT16_MAX)
			d->dupacks++;
	} else if (!d->ack_valid || t->ack != d->last_ack) {
		d->dupacks = 0;
		o->ack_changed = true;
	}
	if (!d->ack_valid || pd_seq_lt(d->highest_ack, t->ack)) {
		d->highest_ack = t->ack;
		o->ack_advanced = true;
	}
	d->last_ack = t->ack;
	d->last_win = t->window;
	d->ack_valid = true;
}

/* Delivery in sequence order.  A SYN of a new connection (o->syn_new)
 * starts the stream at its sequence number + 1; without a captured SYN
 * the stream starts at the first payload, which may be mid-PDU.  A
 * segment with a bad checksum delivers nothing (the receiver drops it, and
 * its retransmission delivers); a RST's payload is diagnostic text, not
 * stream data (RFC 9293 3.5.3); a FIN occupies one sequence number after
 * the data. */
static void deliver(struct pd_flow_dir *d, const struct pd_packet *p, struct pd_tcp_seg *o)
{
	const struct pd_tcp *t = &p->tcp;
	uint32_t len = t->payload_len, dseq = t->seq, fin = (t->flags & TH_FIN) ? 1u : 0u;

	if (t->flags & TH_RST)
		return;
	if (t->csum.verdict == PD_CSUM_BAD) {
		o->csum_dropped = true;
		return;
	}
	if (t->flags & TH_SYN) {
		if (o->syn_new) {
			d->rcv_valid = true;
			d->rcv_nxt = t->seq + 1u;
			o->stream_start = true;
			o->start_at_syn = true;
		}
		dseq += 1u; /* data on a SYN follows the SYN's own number */
	}
	if (!len) {
		if (fin && d->rcv_valid && dseq == d->rcv_nxt)
			d->rcv_nxt += 1u;
		return;
	}
	if (!d->rcv_valid) {
		d->rcv_valid = true;
		o->stream_start = true;
	} else if (pd_seq_lt(dseq, d->rcv_nxt)) {
		uint32_t old = d->rcv_nxt - dseq;

		if (old >= len) {
			o->overlap = len;
			return; /* all of it was delivered before */
		}
		o->overlap = old;
		o->data_off = old;
	} else {
		o->gap = dseq - d->rcv_nxt;
	}
	o->data_len = len - o->data_off;
	d->rcv_nxt = dseq + len + fin;
}

/* Everything the layer knows of one direction, forgotten: a new
 * connection took over the 5-tuple.  The flow's counters and handshake
 * options stay (they are the flow record's, not the connection's). */
static void forget(struct pd_flow_dir *d)
{
	d->seq_valid = false;
	d->ack_valid = false;
	d->rcv_valid = false;
	d->isn_valid = false;
	d->dupacks = 0;
}

/* A SYN with a sequence number not yet seen starts a connection; when the
 * direction already had state, the 5-tuple was reused (a client
 * reconnecting from the same port, as boot firmware does after a reboot),
 * and both directions start over, as tshark's "port numbers reused".  A
 * SYN with a bad checksum is not believed (its number may be the damage). */
static void syn(struct pd_flow *f, int dir, const struct pd_tcp *t, struct pd_tcp_seg *o)
{
	struct pd_flow_dir *d = &f->dir[dir];

	if (!(t->flags & TH_SYN) || t->csum.verdict == PD_CSUM_BAD)
		return;
	if (d->isn_valid && d->isn == t->seq)
		return; /* the same SYN again */
	if (d->seq_valid || d->ack_valid || d->rcv_valid || d->isn_valid) {
		forget(&f->dir[0]);
		forget(&f->dir[1]);
		o->reused = true;
		o->prev_nxt = 0;
	}
	d->isn = t->seq;
	d->isn_valid = true;
	o->syn_new = true;
}

void pd_tcp_stream_update(struct pd_flow *f, int dir, const struct pd_packet *p,
			  struct pd_tcp_seg *out)
{
	struct pd_flow_dir *d = &f->dir[dir];
	const struct pd_tcp *t = &p->tcp;

	memset(out, 0, sizeof(*out));
	out->analysed = true;
	out->seq = t->seq;
	out->seglen = t->payload_len + ((t->flags & TH_SYN) ? 1u : 0u) +
		      ((t->flags & TH_FIN) ? 1u : 0u);
	out->end = t->seq + out->seglen;
	out->prev_nxt = d->snd_nxt;
	syn(f, dir, t, out);
	classify(d, t, out);
	ack(d, &f->dir[1 - dir], t, out);
	deliver(d, p, out);
}
