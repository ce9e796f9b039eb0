/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * analyze.h - the offline analysis of one capture file:
 * source -> frame -> dissect -> packet -> flow -> analyzers -> findings.
 *
 * The result (struct pd_analysis) holds statistics and findings and is
 * what the reporters format.  Memory grows with live flows and hosts,
 * never with the number of packets, and is bounded by the limits
 * (docs/ARCHITECTURE.md, "Memory bound").
 */
#ifndef PKTDOCTOR_ANALYZE_H
#define PKTDOCTOR_ANALYZE_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "pktdoctor/checksum.h"
#include "pktdoctor/duplicate.h"
#include "pktdoctor/bus.h"
#include "pktdoctor/finding.h"
#include "pktdoctor/flow.h"
#include "pktdoctor/packet.h"
#include "pktdoctor/source.h"
#include "pktdoctor/tcpstream.h"

#define PD_VERSION "0.1.0"

/* Protocol counters in pd_stats.proto[]. */
enum pd_stat_proto {
	PD_SP_ETH, PD_SP_VLAN, PD_SP_SLL, PD_SP_LOOP, PD_SP_ARP, PD_SP_IPV4,
	PD_SP_IPV6, PD_SP_FRAG, PD_SP_ICMP, PD_SP_ICMPV6, PD_SP_TCP, PD_SP_UDP,
	PD_SP_OTHER, PD_SP__COUNT
};

/** pd_conn_end_name() - "open", "fin", "half-fin" or "rst". */
const char *pd_conn_end_name(int end);

/* Checksummed layers in pd_stats.csum[][]. */
enum pd_csum_layer {
	PD_CL_IPV4, PD_CL_TCP, PD_CL_UDP, PD_CL_ICMP, PD_CL_ICMPV6, PD_CL__COUNT
};

const char *pd_stat_proto_name(int i);
const char *pd_csum_layer_name(int i);

/** Whole-file counters. */
struct pd_stats {
	uint64_t frames;          /* frames read (the last frame number) */
	uint64_t packets;         /* frames analysed (matching the filter) */
	uint64_t bytes;           /* wire bytes of analysed frames */
	uint64_t captured_bytes;  /* captured bytes of analysed frames */
	int64_t first_ns, last_ns;/* first/last timestamp, ns since the epoch */
	uint64_t proto[PD_SP__COUNT];
	uint64_t csum[PD_CL__COUNT][PD_CSUM__COUNT];
	uint64_t malformed;       /* frames whose dissection stopped on a bad header */
	uint64_t snaplen_cut;     /* frames with caplen < wire length */
	uint64_t unsupported_link;/* frames of a link type with no dissector */
	uint64_t epb_flags;       /* frames that carried a pcapng epb_flags word */
	uint64_t ts_backwards;    /* frames stamped earlier than the one before */
	struct pd_flow_stats flows;
};

struct pd_analysis;

/** Options for an analysis. */
struct pd_analysis_opts {
	const char *filter;       /* BPF expression, or NULL */
	size_t max_flows;         /* 0 = default */
	size_t max_hosts;         /* 0 = default (65536) */
	size_t max_findings_per_id; /* findings of one id kept one by one; 0 = default (200) */
	bool progress;            /* print progress to stderr on long files */
	unsigned storm_threshold; /* copies of one segment that make a storm; 0 = 4 */
	bool connections;         /* keep the per-connection table */
	int64_t probe_delay_ns;   /* arp.probe_delay warning above this; 0 = 2 s */
	int64_t handover_gap_ns;  /* silence that counts as a boot handover; 0 = 1 s */
	int64_t iscsi_timeout_ns; /* iscsi.timeout threshold; 0 = 10 s */
	uint64_t first_frame, last_frame; /* analyse only this frame range; 0 = no bound */
	/** Checked once per frame: when it points to a non-zero value (a
	 * SIGINT/SIGTERM handler sets it) reading stops, what was read is
	 * analysed and the result is marked stopped.  NULL for none. */
	const volatile sig_atomic_t *stop;
};

/** One syslog message seen in the capture (RFC 3164/5424/iPXE). */
struct pd_syslog_msg {
	uint64_t frame;
	int64_t ts_ns;
	struct pd_addr sender;
	uint8_t facility, severity, format;
	char hostname[64];
	char app[32];
	char msg[480];
};

/** The syslog messages of a capture (the first PD_MAX_SYSLOG; the rest
 * are counted in @dropped, reported as analysis.limit_reached, and still
 * read for boot errors). */
#define PD_MAX_SYSLOG 5000
struct pd_syslog_list {
	struct pd_syslog_msg *v;
	size_t n, cap;
	uint64_t dropped;
};

/** An RFC 5227 address-conflict-detection episode: ARP probes from one
 * MAC for one IPv4 address, the announcements after them, and the first
 * IP packet the host sent afterwards. */
struct pd_arp_episode {
	uint8_t mac[6];
	uint8_t ip[4];
	uint64_t first_probe_frame;
	int64_t first_probe_ns;
	unsigned probes, announcements;
	uint64_t first_ip_frame;  /* 0 when no IP traffic followed */
	int64_t first_ip_ns;
	uint64_t prev_frame;      /* this MAC's last frame before the first probe, 0 none */
	int64_t prev_ns;
	bool conflict;            /* another host claimed the address */
};

struct pd_arp_episodes {
	struct pd_arp_episode *v;
	size_t n, cap;
};

/* One step of a network boot, in struct pd_boot_host.step[]. */
enum pd_boot_step {
	PD_BOOT_DHCP_DISCOVER, /* the firmware's first DHCP DISCOVER */
	PD_BOOT_DHCP_ACK,      /* the lease, with its root path */
	PD_BOOT_TCP_CONNECT,   /* the SYN to the iSCSI target */
	PD_BOOT_ISCSI_LOGIN,   /* the Login Final-Response */
	PD_BOOT_FIRST_READ,    /* the first SCSI READ */
	PD_BOOT_HANDOVER,      /* the firmware's last packet before the silence */
	PD_BOOT_OS_FIRST,      /* the OS's first packet: its first ARP probe */
	PD_BOOT_OS_IP,         /* the OS's first IP packet */
	PD_BOOT_DHCP_NAK,      /* the server refused a REQUEST (DHCPNAK) */
	PD_BOOT_DHCP_DECLINE,  /* the client declined its address (DHCPDECLINE) */
	PD_BOOT__COUNT
};

/* Phase of a boot step, in struct pd_boot_host.phase[]. */
enum pd_boot_phase {
	PD_BOOT_FIRMWARE = 0,  /* up to and including the handover */
	PD_BOOT_OS = 1,        /* after the handover */
};

/** A host that booted over the network, step by step (0 = not seen).
 * order[0..n_steps-1] lists the seen steps in time order (then frame
 * order); reporters print them in that order. */
struct pd_boot_host {
	char mac[18];
	char ip[16];
	uint64_t frame[PD_BOOT__COUNT];
	int64_t ns[PD_BOOT__COUNT];
	char detail[PD_BOOT__COUNT][160];
	uint8_t phase[PD_BOOT__COUNT];   /* enum pd_boot_phase */
	uint8_t order[PD_BOOT__COUNT];   /* enum pd_boot_step, in time order */
	uint8_t n_steps;
};

struct pd_boot_hosts {
	struct pd_boot_host *v;
	size_t n;
};

struct pd_dhcp_clients;
struct pd_iscsi_conns;

/** pd_boot_step_name() - "dhcp_discover", "dhcp_ack", ... */
const char *pd_boot_step_name(int step);

/* How a TCP connection ended, in struct pd_conn.end. */
enum pd_conn_end {
	PD_END_OPEN = 0,   /* still open when the capture (or its idle timer) ended */
	PD_END_FIN,        /* FIN from both sides */
	PD_END_HALF_FIN,   /* FIN from one side only */
	PD_END_RST,        /* reset */
};

/** One TCP connection, summarised when it leaves the flow table
 * (tcptrace's long output is the model).  Sides: [0] client (the side
 * that sent the first packet, the SYN when captured), [1] server. */
struct pd_conn {
	uint64_t flow_id;
	struct pd_addr addr[2];
	uint16_t port[2];
	uint16_t vlan;
	int64_t first_ns, last_ns;
	uint64_t first_frame, last_frame;
	bool syn_seen;            /* the handshake was captured */
	int64_t rtt_ns;           /* SYN -> ACK of the handshake; -1 unknown */
	uint64_t packets[2], bytes[2], payload[2];
	uint16_t mss[2];          /* advertised in each side's SYN, 0 unseen */
	uint32_t max_seg[2];      /* largest payload each side sent, bytes */
	uint64_t max_seg_frame[2];
	uint64_t retrans[2], fast_retrans[2], spurious[2], out_of_order[2];
	uint64_t lost[2], dup_ack[2], zero_window[2];
	uint32_t storms;          /* retransmission storms in this connection */
	uint32_t oversize_unacked;/* segments over the receiver's MSS never ACKed */
	uint8_t end;              /* enum pd_conn_end */
};

/** The per-connection table (only with opts->connections). */
struct pd_conns {
	struct pd_conn *v;
	size_t n, cap;
	uint64_t dropped;         /* connections past the table limit */
};

/**
 * pd_tcp_conn_snapshot() - summarise a TCP connection that is still in
 * the flow table, as it would be recorded if it ended now (for live
 * views; read only).  oversize_unacked stays 0: it is judged at the end.
 * @a: the analysis whose pipeline is running (the TCP analyzer's state).
 * Return: 0, or -PD_EUNSUPPORTED when the TCP analyzer keeps no state
 * for @f (not TCP).
 */
int pd_tcp_conn_snapshot(const struct pd_analysis *a, const struct pd_flow *f,
			 struct pd_conn *out);

struct pd_analyzer_ops;
struct pd_pipeline;

#define PD_MAX_ANALYZERS 12

/** The result of analysing one file. */
struct pd_analysis {
	const struct pd_analysis_opts *opts;
	const char *input;        /* file name as given, or the interface (points to
				   * input_name unless a caller sets its own string) */
	char input_name[256];     /* the analysis' own copy of the name: a
				   * source's name dies with the source */
	char format[12];          /* "pcap", "pcapng", "live" or "afpacket" */
	int linktype;
	char linktype_name[32];
	int snaplen;
	struct pd_stats stats;
	struct pd_findings findings;
	struct pd_conns conns;    /* filled by the TCP analyzer with opts->connections */
	struct pd_syslog_list syslog;  /* filled by the syslog analyzer */
	struct pd_arp_episodes arp;    /* filled by the ARP analyzer */
	struct pd_dhcp_clients *dhcp;  /* published by the DHCP analyzer (include/pktdoctor/dhcp.h) */
	struct pd_iscsi_conns *iscsi;  /* published by the iSCSI analyzer (include/pktdoctor/iscsi.h) */
	struct pd_boot_hosts boot;     /* the boot summary (src/analyzers/boot.c) */
	struct pd_flow_table *flows;
	/* What the engine found about the packet being analysed, before any
	 * analyzer sees it: whether it repeats an earlier frame (the same
	 * packet captured twice; dup.of is 0 when it is no copy), and the TCP
	 * stream layer's verdict on its segment (tcpstream.h; all zero when
	 * it is no TCP segment of a tracked flow, or a copy). */
	struct pd_dup dup;
	struct pd_tcp_seg tcp_seg;
	void *state[PD_MAX_ANALYZERS];
	struct pd_bus bus;             /* what analyzers publish for each other (bus.h) */
	struct pd_pipeline *pipeline; /* the pipeline feeding this analysis, while it runs */
	bool live;                /* read from a live interface (a stop
				   * request ends it normally: not "stopped") */
	/* a live source's own counters when the capture ended (frames it
	 * delivered, frames the capture buffer and the interface dropped),
	 * read before finish so that capture.dropped can say what they mean
	 * for the verdicts; source.valid is false for files */
	struct pd_source_stats source;
	/* input error, if any: the file could not be opened or is corrupt */
	int input_error;          /* 0 or -PD_E... */
	char input_error_msg[512];
	int64_t error_offset;     /* byte offset of the last good record, -1 unknown */
	/* reading stopped early through opts->stop: findings cover frames
	 * 1..stopped_at_frame only */
	bool stopped;
	uint64_t stopped_at_frame;/* the last frame read before the stop */
};

/** The analyzers run on every file, in order. */
extern const struct pd_analyzer_ops *const pd_analyzers[];

/**
 * pd_analyze_file() - analyse one capture file.
 * @path: file name ("-" = standard input).
 * @opts: options.
 * @a: result; always initialised, to be freed with pd_analysis_free().
 *
 * Return: 0 when the whole file was read; -PD_EOPEN, -PD_EFORMAT,
 * -PD_EFILTER or -PD_ENOMEM otherwise.  After a read error mid-file,
 * the statistics and findings for every frame read before it are kept
 * and a capture.truncated_file finding is added.  When @opts->stop is
 * set mid-read, the frames read so far are analysed and 0 is returned
 * with @a->stopped and @a->stopped_at_frame set.
 */
int pd_analyze_file(const char *path, const struct pd_analysis_opts *opts,
		    struct pd_analysis *a);

/**
 * pd_analyze_stream() - as pd_analyze_file(), from an open stream (for
 * example an fmemopen() buffer).  The stream is closed when done.
 * @name: used in messages and reports.
 */
int pd_analyze_stream(FILE *fp, const char *name, const struct pd_analysis_opts *opts,
		      struct pd_analysis *a);

/** pd_analysis_free() - free what pd_analyze_file() allocated. */
void pd_analysis_free(struct pd_analysis *a);

/**
 * pd_analysis_add() - emit a finding that no later evidence will change.
 * It goes to the pipeline's sink at once and is kept for the report,
 * through the per-id cap (pd_findings_add_capped(): past
 * opts->max_findings_per_id findings of one id, the rest are folded into
 * one aggregate, which the sink sees updated).
 * Return: 0 or -PD_ENOMEM.
 */
int pd_analysis_add(struct pd_analysis *a, const struct pd_finding *f);

/**
 * pd_analysis_emit() - emit a finding that later evidence may update.
 * @key: in/out.  0 on the first call: the finding is added, the sink
 *       sees it opened, and *@key is set to its stable key.  Non-zero
 *       on later calls: the finding with that key is replaced by @f and
 *       the sink sees an update (none when @f says the same as the
 *       finding it replaces: pd_finding_equal()), so an analyzer may call
 *       this whenever its evidence may have changed.  Keys are valid
 *       until finish.  A finding
 *       folded into its id's aggregate (the per-id cap) gets the key
 *       PD_FINDING_KEY_FOLDED, and its later updates are dropped.
 * Return: 0 or -PD_ENOMEM.
 */
int pd_analysis_emit(struct pd_analysis *a, const struct pd_finding *f, uint64_t *key);

#endif
