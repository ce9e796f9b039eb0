/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h - the NIC prober (`pktdoctor probe`) and the replayer
 * (`pktdoctor replay`), private to src/probe/ and src/cli/.
 *
 * Pieces:
 *   suite.c    the table of named cases: what is sent, what a correct
 *              receiver does (RFC), the documented fault it reproduces;
 *   frame.c    the one translation unit that includes libnet: builds a
 *              case's frames at the link layer with exact field values;
 *   verify.c   checks every built frame with pktdoctor's own dissector
 *              and RFC 1071 routine before it may be sent;
 *   netns.c    namespaces, interface facts (MTU, MAC, addresses,
 *              driver), AF_PACKET sockets, privilege dropping;
 *   observe.c  the receiving end: capture socket, UDP/TCP sockets,
 *              /proc/net/snmp + netstat + ethtool counters;
 *   trace.c    skb:kfree_skb drop reasons through tracefs;
 *   offload.c  ethtool features read/set/restore (--toggle);
 *   pair.c     runs the suite across two interfaces, judges each case;
 *   report.c   text matrix, JSON, JUnit;
 *   replay.c   pushes a capture's frames through an interface with an
 *              explicit MTU policy, --fix-offload and --rewrite.
 */
#ifndef PKTDOCTOR_PROBE_H
#define PKTDOCTOR_PROBE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pktdoctor/finding.h"
#include "pktdoctor/netns.h"
#include "pktdoctor/packet.h"

/* ---------------------------------------------------------------- suite */

/** What a correct receiver does with a case (from the RFCs). */
enum pd_probe_expect {
	PD_EXPECT_DELIVER = 0, /* the application gets it */
	PD_EXPECT_DROP = 1,    /* the stack drops it (and should count it) */
	PD_EXPECT_ANY = 2,     /* the RFCs allow both: reported, never a finding */
};

/** How the L4 (or IPv4 header) checksum field is filled. */
enum pd_probe_csum {
	PD_CS_VALID = 0,   /* the correct value */
	PD_CS_WRONG,       /* correct value + 1 (ones'-complement): corruption */
	PD_CS_ZERO,        /* 0x0000: "no checksum" over IPv4 UDP (RFC 768),
			    * invalid over IPv6 (RFC 8200 8.1) */
	PD_CS_FFFF_COMPUTED_ZERO, /* payload chosen so the sum computes to 0,
				   * sent as 0xffff (RFC 768) */
	PD_CS_ZERO_COMPUTED_ZERO, /* the same payload with 0x0000 in the field:
				   * the smsc95xx / libnet 1.1.6 fault */
};

/** Link-layer padding of frames below 60 bytes (IEEE 802.3 minimum). */
enum pd_probe_pad {
	PD_PAD_NONE = 0,   /* leave the frame short: the device pads */
	PD_PAD_ZERO,       /* pad to 60 bytes with zeros */
	PD_PAD_NONZERO,    /* pad to 60 bytes with 0xa5 (RFC 894: ignored) */
};

/** Fragmentation of the datagram (IPv4, RFC 791). */
enum pd_probe_frag {
	PD_FRAG_NONE = 0,
	PD_FRAG_FIRST,     /* the first of two fragments alone (MF, offset 0) */
	PD_FRAG_LAST,      /* the last of two fragments alone */
	PD_FRAG_BOTH,      /* both fragments: reassembles */
	PD_FRAG_OVERLAP,   /* both, the second overlapping the first by 8 bytes */
};

/** Frame size classes relative to the sender's MTU. */
enum pd_probe_size {
	PD_SIZE_PAYLOAD = 0, /* payload_len as given */
	PD_SIZE_MTU,         /* IP datagram of exactly the MTU */
	PD_SIZE_MTU_PLUS1,   /* one byte more */
	PD_SIZE_JUMBO,       /* 9000-byte IP datagram */
};

/* Case flags. */
#define PD_PF_DF_CLEAR   0x0001u /* DF clear (the IPMI card's replies); else DF set */
#define PD_PF_IPOPT      0x0002u /* IPv4 options (4 bytes: NOP NOP NOP EOL) */
#define PD_PF_TCPOPT     0x0004u /* TCP SYN with MSS, SACK-permitted, timestamps, WS */
#define PD_PF_VLAN0      0x0008u /* 802.1Q priority tag, VID 0, PCP 5 */
#define PD_PF_VLANCFG    0x0010u /* 802.1Q tag with the receiver's configured VID */
#define PD_PF_IPMI       0x0020u /* IPMI-card form: IP ID copied from a request */
#define PD_PF_GSO        0x0040u /* TCP super-frame handed over with PACKET_VNET_HDR */
#define PD_PF_IPCSUM_BAD 0x0080u /* wrong IPv4 header checksum */

/** One row of the suite. */
struct pd_probe_case {
	const char *name;      /* stable name, e.g. "udp4.623.len1.pad0" */
	uint8_t family;        /* 4 or 6 */
	uint8_t proto;         /* 17 UDP or 6 TCP */
	uint16_t dport;        /* destination port on the receiver */
	uint16_t payload_len;  /* L4 payload bytes (PD_SIZE_PAYLOAD) */
	uint8_t csum;          /* enum pd_probe_csum, for the L4 checksum */
	uint8_t pad;           /* enum pd_probe_pad */
	uint8_t frag;          /* enum pd_probe_frag */
	uint8_t size;          /* enum pd_probe_size */
	uint16_t flags;        /* PD_PF_* */
	uint8_t expect;        /* enum pd_probe_expect */
	const char *why;       /* the expectation's source (RFC section) */
	const char *fault;     /* the documented fault it reproduces, or "" */
};

/** pd_probe_suite() - the table; @n set to its length. */
const struct pd_probe_case *pd_probe_suite(size_t *n);

/** pd_probe_case_sport() - the UDP/TCP source port a case is sent from:
 * 40000 + its index in the suite, stable, so a filter (or a test's
 * nftables rule) can name one case. */
uint16_t pd_probe_case_sport(size_t index);

/** pd_probe_expect_name() - "deliver", "drop" or "any". */
const char *pd_probe_expect_name(int e);

/* ---------------------------------------------------------------- frames */

#define PD_PROBE_MAX_FRAMES 3
#define PD_PROBE_FRAME_MAX 16384 /* GSO super-frame or jumbo + link header, bytes */

/** The two ends as the frames name them. */
struct pd_probe_ends {
	uint8_t src_mac[6], dst_mac[6];
	uint8_t src4[4], dst4[4];     /* network order; all zero = no IPv4 */
	uint8_t src6[16], dst6[16];   /* all zero = no IPv6 */
	uint16_t mtu;                 /* sender's MTU, bytes (IP datagram) */
	uint16_t vlan_id;             /* the receiver's configured VID, 0 = none */
	uint16_t peer_mss;            /* the receiver's MSS (its MTU - 40), bytes;
				       * 0 = 1460: the GSO case's gso_size */
};

/** What was built for one case. */
struct pd_probe_built {
	unsigned n;                            /* frames, 1..PD_PROBE_MAX_FRAMES */
	uint32_t len[PD_PROBE_MAX_FRAMES];     /* bytes per frame */
	uint8_t frame[PD_PROBE_MAX_FRAMES][PD_PROBE_FRAME_MAX];
	uint16_t ip_id;                        /* IPv4 identification */
	uint16_t sport;
	uint16_t l4_csum;                      /* the checksum field as sent */
	uint16_t l4_csum_correct;              /* the value RFC 768/9293 call correct */
	uint16_t ip_csum;                      /* IPv4 header checksum as sent */
	uint32_t l4_len;                       /* L4 header + payload, bytes */
	uint32_t ip_len;                       /* IP datagram (unfragmented), bytes */
	uint32_t gso_size;                     /* PD_PF_GSO: bytes of payload per segment */
	uint32_t seq;                          /* TCP sequence number (= probe id) */
};

/**
 * pd_probe_build() - build a case's frames with libnet at the link layer
 * (libnet_init(LIBNET_NONE), checksums toggled off and filled in from
 * pktdoctor's RFC 1071 routine, so libnet 1.1.6's 0xffff -> 0x0000 bug
 * cannot change a value).
 * @c: the case.
 * @e: addresses; the case's family must be configured in @e.
 * @id: probe id, written into the payload when there is room (8 bytes:
 *      "PDP" + version + id) and into the IPv4 identification.
 * @sport: source port.
 * @ip_id: IPv4 identification to use (the IPMI form copies a request's).
 * @out: filled.
 * @err: message on failure.
 * Return: 0, -PD_EUNSUPPORTED (family not configured), -PD_EUSAGE (the
 * case does not fit the MTU as asked), -PD_ENOMEM or -PD_EMALFORMED
 * (libnet refused).
 */
int pd_probe_build(const struct pd_probe_case *c, const struct pd_probe_ends *e, uint32_t id,
		   uint16_t sport, uint16_t ip_id, struct pd_probe_built *out, char *err,
		   size_t errlen);

/**
 * pd_probe_verify() - check built frames with pktdoctor's own dissector
 * and checksum routine: every frame dissects without a malformation, the
 * IPv4 header checksum and the L4 checksum have the verdict the case
 * asks for (valid, bad "is/should", zero), fragments reassemble to a
 * datagram whose checksum is right, pad bytes are as asked.
 * Return: 0 or -PD_EMALFORMED with @err saying "is 0x..., should be 0x...".
 */
int pd_probe_verify(const struct pd_probe_case *c, const struct pd_probe_built *b, char *err,
		    size_t errlen);

/* ---------------------------------------------------------------- netns */

/** An interface, possibly in a named namespace ("NS:IFACE"). */
struct pd_probe_if {
	char ns[64];           /* namespace name, "" = the current one */
	char name[32];
	int nsfd;              /* open /run/netns/NS, or -1 */
	int ctlfd;             /* AF_INET socket in that namespace, for the
				* ethtool ioctls after privileges are dropped */
	int ifindex;
	uint8_t mac[6];
	uint16_t mtu;
	uint8_t addr4[4];      /* first IPv4 address, zero if none */
	uint8_t addr6[16];     /* first global/ULA IPv6 address, zero if none */
	char driver[32];       /* ETHTOOL_GDRVINFO driver, "" unknown */
	bool is_virtual;       /* veth, tun/tap, bridge, dummy, ... */
	bool has_8021q;        /* the namespace shows /proc/net/vlan */
};

/**
 * pd_probe_if_parse() - "[NS:]IFACE" into @i (no system call).
 * Return: 0 or -PD_EUSAGE (names too long, or not starting as allowed).
 */
int pd_probe_if_parse(struct pd_probe_if *i, const char *spec);

/**
 * pd_probe_if_open() - open the namespace and read the interface's facts.
 * Return: 0, -PD_EOPEN (no such namespace or interface), -PD_EPERM.
 */
int pd_probe_if_open(struct pd_probe_if *i, char *err, size_t errlen);

/** pd_probe_if_close() - close the namespace descriptor. */
void pd_probe_if_close(struct pd_probe_if *i);

/*
 * A socket of @i is opened inside its namespace: pd_netns_enter_fd(i->nsfd,
 * i->ns, ...) (include/pktdoctor/netns.h), then back.
 */

/**
 * pd_probe_ns_leave() - pd_netns_leave(), saying on stderr when the thread
 * could not go back: its next sockets would be opened in @i's namespace,
 * so the caller closes what it opened and fails.
 * Return: 0 or -PD_EIO.
 */
int pd_probe_ns_leave(struct pd_netns_saved *saved);

/** What an AF_PACKET socket is for. */
enum pd_psock {
	PD_PSOCK_CAPTURE = 0,   /* ETH_P_ALL: every frame in and out */
	PD_PSOCK_SEND = 1,      /* protocol 0: sends, receives nothing */
	PD_PSOCK_SEND_VNET = 2, /* sends with a virtio_net_hdr (PACKET_VNET_HDR) */
};

/**
 * pd_probe_packet_socket() - an AF_PACKET SOCK_RAW socket bound to @i,
 * opened inside its namespace.
 * @kind: enum pd_psock.
 * Return: the descriptor, or -PD_EPERM (no CAP_NET_RAW) / -PD_EOPEN.
 */
int pd_probe_packet_socket(const struct pd_probe_if *i, int kind, char *err, size_t errlen);

/**
 * pd_probe_drop_privileges() - after the sockets are open: keep only
 * the capabilities listed (CAP_NET_ADMIN for --toggle, CAP_SYS_ADMIN
 * while namespaces must still be entered), clear the rest with
 * libcap-ng.  Return: 0, or -PD_EPERM when libcap-ng failed.
 */
int pd_probe_drop_privileges(bool keep_net_admin, bool keep_sys_admin, char *err,
			     size_t errlen);

/** pd_probe_check_caps() - do we hold CAP_NET_RAW (and CAP_NET_ADMIN if
 * @need_admin)?  Return: 0 or -PD_EPERM with @err saying what to do. */
int pd_probe_check_caps(bool need_admin, char *err, size_t errlen);

/* ---------------------------------------------------------------- counters */

/** Counters read in the receiver's namespace; names as in /proc. */
#define PD_PROBE_MAX_COUNTERS 48

struct pd_probe_counters {
	unsigned n;
	char name[PD_PROBE_MAX_COUNTERS][40]; /* "Udp.InCsumErrors", "ethtool.rx_dropped" */
	uint64_t val[PD_PROBE_MAX_COUNTERS];
};

/** Where the counters are read from: descriptors opened inside the
 * receiver's namespace, so no privilege is needed to read them again. */
struct pd_probe_csrc {
	int snmp, snmp6, netstat;   /* /proc/net files, -1 if missing */
	int ethfd;                  /* socket for SIOCETHTOOL, -1 if none */
	char ifname[32];
	unsigned n_stats;           /* ethtool statistics the device has */
	unsigned n_keep;            /* of them, the ones kept (drops, checksums) */
	unsigned keep_idx[16];
	char keep_name[16][32];
};

/**
 * pd_probe_counters_open() - open the counter sources of @i's namespace:
 * /proc/net/snmp (Ip, Udp, Tcp), /proc/net/snmp6 (Ip6, Udp6),
 * /proc/net/netstat (IpExt InCsumErrors) and the interface's ethtool
 * statistics whose names speak of drops, errors or checksums
 * (ETHTOOL_GSTATS).  Return: 0 or -PD_EOPEN.
 */
int pd_probe_counters_open(struct pd_probe_csrc *s, const struct pd_probe_if *i);

/** pd_probe_counters_read() - read them all now.  Return: 0 or -PD_EIO. */
int pd_probe_counters_read(struct pd_probe_csrc *s, struct pd_probe_counters *out);

/** pd_probe_counters_close() - close the descriptors. */
void pd_probe_counters_close(struct pd_probe_csrc *s);

/**
 * pd_probe_counters_delta() - "Udp.InCsumErrors+1 Ip.InDelivers+1"
 * for counters that moved from @a to @b.  Return: @buf.
 */
char *pd_probe_counters_delta(const struct pd_probe_counters *a, const struct pd_probe_counters *b,
			      char *buf, size_t len);

/** pd_probe_counter_moved() - how much @name moved from @a to @b (0 if absent). */
uint64_t pd_probe_counter_moved(const struct pd_probe_counters *a,
				const struct pd_probe_counters *b, const char *name);

/* ---------------------------------------------------------------- trace */

struct pd_probe_trace;

/**
 * pd_probe_trace_open() - start recording skb:kfree_skb in a tracefs
 * instance of our own ("pktdoctor-PID"), so the global trace is left
 * alone.  Return: 0, or -PD_EUNSUPPORTED with @why saying what is missing
 * (tracefs not mounted, no such event, no permission).
 */
int pd_probe_trace_open(struct pd_probe_trace **out, char *why, size_t whylen);

/**
 * pd_probe_trace_collect() - drop reasons recorded since the last call,
 * "UDP_CSUM", "NETFILTER_DROP,NO_SOCKET", for IPv4/IPv6 skbs; reasons
 * that the kernel uses for ordinary frees (NOT_SPECIFIED) are left out.
 * Return: @buf ("" when none).
 */
char *pd_probe_trace_collect(struct pd_probe_trace *t, char *buf, size_t len);

/** pd_probe_trace_close() - remove the instance. */
void pd_probe_trace_close(struct pd_probe_trace *t);

/* ---------------------------------------------------------------- offload */

/** The four offloads the matrix varies. */
enum pd_offload {
	PD_OFF_RX_CSUM = 0, /* "rx-checksum" (receiver) */
	PD_OFF_GRO,         /* "rx-gro" (receiver) */
	PD_OFF_TX_CSUM,     /* "tx-checksum-ip-generic" (sender) */
	PD_OFF_TSO,         /* "tx-tcp-segmentation" (sender) */
	PD_OFF__COUNT
};

/** pd_offload_name() - the ethtool -k name. */
const char *pd_offload_name(int o);

/**
 * pd_offload_get() - is feature @o active on @i?  (ETHTOOL_GFEATURES)
 * Return: 1 on, 0 off, -PD_EUNSUPPORTED (the device has no such
 * feature) or -PD_EIO.
 */
int pd_offload_get(const struct pd_probe_if *i, int o);

/**
 * pd_offload_set() - request @o on or off (ETHTOOL_SFEATURES) and
 * return what is active afterwards (the kernel may refuse: turning tx
 * checksumming off forces TSO off).  Logged on stderr.
 * Return: 1 on, 0 off, or a negative -PD_E... code.
 */
int pd_offload_set(const struct pd_probe_if *i, int o, bool on);

/* ---------------------------------------------------------------- pair */

#define PD_PROBE_MAX_WIRE_LEN 16

/** What happened to one case under one offload setting. */
struct pd_probe_result {
	size_t case_index;
	uint32_t probe_id;
	uint16_t sport;
	char setting[64];       /* "rx-csum=on gro=off tx-csum=on tso=on" or "" */
	bool skipped;
	char skip_why[160];
	unsigned sent;          /* frames the sender handed to the kernel */
	char send_err[96];      /* sendto error, "" if none */
	unsigned on_wire;       /* frames the receiver's capture saw */
	uint32_t wire_len[PD_PROBE_MAX_WIRE_LEN]; /* their lengths, bytes (the first ones) */
	unsigned n_wire_len;
	bool pad_nonzero;       /* received pad bytes not zero where zero was sent */
	bool delivered;         /* the application socket got it */
	char counters[256];     /* counters that moved */
	char reason[96];        /* kfree_skb reasons, "" none */
	char verdict[16];       /* "ok", "FAULT", "note", "skip" */
	char note[160];
	uint16_t csum_sent;     /* L4 checksum field as sent */
	uint16_t csum_wire;     /* as captured at the receiver (0 if not seen) */
	uint32_t rx_status;     /* PD_EPB_CSUM_VALID / PD_EPB_CSUM_NOT_READY: what the
				 * receiving kernel (or NIC) said of the checksum
				 * (PACKET_AUXDATA tp_status) for any frame of it */
};

/** Options of a probe run. */
struct pd_probe_opts {
	const char *only;       /* run only cases whose name contains this, or NULL */
	unsigned pps;           /* frames per second at most; 0 = 200 */
	unsigned wait_ms;       /* wait for a case's effects; 0 = 150 */
	bool toggle;            /* repeat over the offload matrix */
	uint16_t vlan_id;       /* a VLAN id the receiver has configured (1..4094),
				 * for the tagged case; 0 = none (skipped) */
	bool allow_multicast;   /* unused by the pair (unicast only) */
	const char *pcapng;     /* write the receiver's capture here, or NULL */
	const volatile sig_atomic_t *stop;
	/** on_frame() - for the probe's own capture (pcapng): @side 0 is
	 * every frame the receiver's capture sees, 1 every frame the sender
	 * sent; @epb_flags has the direction (PD_EPB_DIR_IN/OUT) and, on the
	 * receiver, the checksum status (PD_EPB_CSUM_VALID,
	 * PD_EPB_CSUM_NOT_READY); @comment names the case ("udp4.623.ipmi
	 * probe 7") or is NULL for other traffic.  NULL = not kept. */
	void (*on_frame)(void *arg, int side, const uint8_t *data, uint32_t caplen,
			 uint32_t wirelen, uint32_t epb_flags, const char *comment);
	void *frame_arg;
};

/** A whole run: results and findings. */
struct pd_probe_run {
	struct pd_probe_if snd, rcv;
	char trace_note[160];       /* why drop reasons are missing, "" if present */
	struct pd_probe_result *r;
	size_t n, cap;
	struct pd_findings findings;
	char settings_note[512];    /* impossible combinations, restores */
	bool interrupted;
};

/**
 * pd_probe_pair() - run the suite from @snd to @rcv (two interfaces, or
 * the two ends of a veth pair in two namespaces).  Sends only on @snd,
 * only to @rcv's addresses, at most @o->pps frames per second.
 * Return: 0, or a negative -PD_E... code (setup failed; @err says why).
 */
int pd_probe_pair(struct pd_probe_run *run, const struct pd_probe_opts *o, char *err,
		  size_t errlen);

/** Options of `probe --listen`, the receiving end on its own host. */
struct pd_listen_opts {
	const char *iface;      /* [NS:]IFACE whose receive side is judged */
	const char *bind;       /* IPv4[:PORT] for the control connection; NULL =
				 * the interface's own IPv4 address, port 6230
				 * (never all addresses) */
	bool allow_toggle;      /* the prober may change rx-csum and GRO here */
	unsigned timeout_s;     /* wait for a prober this long; 0 = 300 s */
	const volatile sig_atomic_t *stop;
	FILE *out;              /* where the address and the token are printed */
};

/**
 * pd_probe_listen() - serve one prober: print the address and a random
 * token, accept only a connection that presents it, then answer its
 * requests (CASE/DONE with what this end saw, IPMI requests, offload
 * GET/SET with --allow-toggle) until it says BYE.  Offload settings it
 * changed are restored before returning.  The listener sends no frame
 * except the IPMI requests the IPMI-form case needs.
 * Return: 0, or a negative -PD_E... code with @err set.
 */
int pd_probe_listen(const struct pd_listen_opts *lo, char *err, size_t errlen);

/**
 * pd_probe_remote() - run the suite from @run->snd (already parsed) to a
 * listener at @to ("IPv4[:PORT]", port 6230 by default) that printed
 * @token.  @run->rcv is filled from the listener's answer.
 * Return: 0 or a negative -PD_E... code (-PD_EPERM for a refused token).
 */
int pd_probe_remote(struct pd_probe_run *run, const struct pd_probe_opts *o, const char *to,
		    const char *token, char *err, size_t errlen);

/** pd_probe_run_free() - free results and findings. */
void pd_probe_run_free(struct pd_probe_run *run);

/* ---------------------------------------------------------------- report */

int pd_probe_report_text(FILE *out, const struct pd_probe_run *run);
int pd_probe_report_json(FILE *out, const struct pd_probe_run *run);
int pd_probe_report_junit(FILE *out, const struct pd_probe_run *run);

/* ---------------------------------------------------------------- replay */

/** What to do with a frame above the MTU. */
enum pd_mtu_policy {
	PD_MTU_REFUSE = 0,  /* do not send it; count it (default) */
	PD_MTU_SEGMENT,     /* TCP: cut into segments of at most --mss payload */
	PD_MTU_FRAGMENT,    /* IPv4: RFC 791 fragments */
	PD_MTU_TRUNCATE,    /* send the first MTU bytes */
};

#define PD_REPLAY_MAX_REWRITE 8

/** One address rewrite, "OLD=NEW" (MAC or IP). */
struct pd_rewrite {
	uint8_t kind;          /* 0 MAC, 4 IPv4, 6 IPv6 */
	uint8_t from[16], to[16];
};

struct pd_replay_opts {
	const char *file;
	const char *iface;      /* [NS:]IFACE */
	const char *filter;     /* BPF, or NULL */
	double speed;           /* 1.0 = as captured */
	unsigned pps;           /* 0 = timestamps */
	bool topspeed;
	int policy;             /* enum pd_mtu_policy */
	unsigned mss;           /* 0 = from the SYN's MSS option, else 1460 */
	bool fix_offload;
	struct pd_rewrite rw[PD_REPLAY_MAX_REWRITE];
	unsigned n_rw;
	uint64_t max_frames;    /* 0 = 1,000,000 */
	bool allow_broadcast;   /* broadcast/multicast destinations */
	const volatile sig_atomic_t *stop;
};

struct pd_replay_counts {
	uint64_t read;          /* frames read from the file */
	uint64_t sent;          /* frames put on the interface */
	uint64_t refused;       /* above the MTU under "refuse", or not sendable */
	uint64_t segmented;     /* input frames cut into TCP segments */
	uint64_t fragmented;    /* input frames cut into IPv4 fragments */
	uint64_t truncated;     /* input frames cut to the MTU */
	uint64_t fixed;         /* input frames whose offload artefacts were repaired */
	uint64_t rewritten;     /* input frames with an address rewritten */
	uint64_t skipped;       /* not Ethernet, filtered, broadcast/multicast */
	uint64_t failed;        /* send errors */
	uint64_t bytes;         /* bytes sent */
	uint32_t max_len;       /* largest frame sent, bytes */
	bool interrupted;       /* stopped by SIGINT/SIGTERM: the counts so far */
};

/** pd_rewrite_parse() - "OLD=NEW", MAC or IP.  Return: 0 or -PD_EUSAGE. */
int pd_rewrite_parse(struct pd_rewrite *rw, const char *spec);

/**
 * pd_replay_run() - replay @o->file onto @o->iface.
 * Return: 0, or a negative -PD_E... code with @err set; @cnt filled in
 * either case.
 */
int pd_replay_run(const struct pd_replay_opts *o, struct pd_replay_counts *cnt, char *err,
		  size_t errlen);

/**
 * pd_replay_frame() - what replay does to one Ethernet frame: rewrite,
 * repair offload artefacts, and cut it to the MTU by @o->policy.
 * Exposed for the unit tests.
 * @in, @len: the frame.
 * @mtu: the interface MTU, bytes (IP datagram).
 * @out: up to @max_out frames of up to @out_size bytes each.
 * @out_len: their lengths.
 * @n_out: set to the number of frames produced (0 = refused).
 * @cnt: counters updated.
 * Return: 0, or -PD_ELIMIT (too many pieces) / -PD_EMALFORMED.
 */
int pd_replay_frame(const struct pd_replay_opts *o, const uint8_t *in, uint32_t len, uint16_t mtu,
		    uint16_t mss, uint8_t *out, size_t out_size, uint32_t *out_len, unsigned max_out,
		    unsigned *n_out, struct pd_replay_counts *cnt);

#endif
