/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * afpacket.c - Linux AF_PACKET capture through a TPACKET_V3 ring
 * (Documentation/networking/packet_mmap.rst).
 *
 * Why a second live backend next to libpcap: the kernel tells a packet
 * socket, per packet, what the stack did with the checksum and
 * segmentation (tp_status: TP_STATUS_CSUMNOTREADY, TP_STATUS_CSUM_VALID,
 * TP_STATUS_GSO_TCP) and which way the packet went (sll_pkttype), and
 * libpcap drops both.  They are mapped onto the pcapng epb_flags word
 * (pd_afpacket_epb_flags()), so the checksum analyzer can tell "TX
 * checksum offload on this host" from corruption with the kernel's own
 * word instead of a guess.
 *
 * The ring is block based: the kernel fills a block with packets and
 * hands it over when it is full or when the block timeout
 * (tp_retire_blk_tov) expires, so a frame waits at most that long.  A
 * block is given back (block_status = TP_STATUS_KERNEL) only on the call
 * after its last frame was delivered, since a frame's bytes live in the
 * block until the next pd_source_next().  Frames go out without a copy,
 * except when an 802.1Q tag that the kernel moved into tp_vlan_tci is
 * put back, or a cooked (LINUX_SLL) header is built: those are copied
 * into one per-source buffer.
 *
 * Link type: EN10MB for Ethernet and loopback devices (SOCK_RAW, the
 * frame as on the wire); LINUX_SLL for every other device type and for
 * "any" (SOCK_DGRAM, the kernel strips the link header and the address
 * fields of sockaddr_ll are put in a cooked header), as libpcap does.
 * On a loopback device every packet passes twice (outgoing, then
 * incoming), and one copy is skipped, so both backends deliver the same
 * frames.  libpcap keeps the incoming copy; the ring keeps the outgoing
 * one, so its flags say what is true on lo: the capturing host sent the
 * packet and left its checksum partial ("outbound, checksum not ready"
 * = TX offload on this host), where "inbound, not ready" would point at
 * a sender elsewhere or at GRO.  The bytes are the same.
 *
 * Counters: PACKET_STATISTICS (struct tpacket_stats_v3) resets on each
 * read, so the drops are summed here; tp_drops is capture_drops.
 */
#include "backend.h"
#include "live.h"
#include "pktdoctor/error.h"

#include <stdio.h>
#include <string.h>

#ifdef __linux__
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#endif

#define VLAN_TAG_LEN 4
#define ETH_ADDRS_LEN 12   /* destination + source MAC */
#define SLL_HDR_LEN 16
#define LINKTYPE_EN10MB 1
#define LINKTYPE_LINUX_SLL 113
#define PKT_HOST 0         /* sll_pkttype values (linux/if_packet.h) */
#define PKT_OTHERHOST 3
#define PKT_OUTGOING 4
#define ARPHRD_ETHER_ 1
#define ARPHRD_LOOPBACK_ 772
#define ETHERTYPE_8021Q 0x8100

uint32_t pd_afpacket_epb_flags(uint32_t tp_status, unsigned pkttype)
{
	uint32_t f = 0;

	if (pkttype == PKT_OUTGOING)
		f |= PD_EPB_DIR_OUT;
	else if (pkttype <= PKT_OTHERHOST)
		f |= PD_EPB_DIR_IN;
	if (tp_status & (1u << 3)) /* TP_STATUS_CSUMNOTREADY */
		f |= PD_EPB_CSUM_NOT_READY;
	if (tp_status & (1u << 7)) /* TP_STATUS_CSUM_VALID */
		f |= PD_EPB_CSUM_VALID;
	if (tp_status & (1u << 8)) /* TP_STATUS_GSO_TCP */
		f |= PD_EPB_TSO;
	return f;
}

size_t pd_afpacket_vlan_insert(uint8_t *dst, size_t dstlen, const uint8_t *frame,
			       size_t caplen, uint16_t tci, uint16_t tpid)
{
	size_t rest;

	if (caplen < ETH_ADDRS_LEN || dstlen < ETH_ADDRS_LEN + VLAN_TAG_LEN)
		return 0;
	rest = caplen - ETH_ADDRS_LEN;
	if (rest > dstlen - ETH_ADDRS_LEN - VLAN_TAG_LEN)
		rest = dstlen - ETH_ADDRS_LEN - VLAN_TAG_LEN;
	memcpy(dst, frame, ETH_ADDRS_LEN);
	dst[12] = (uint8_t)(tpid >> 8);
	dst[13] = (uint8_t)tpid;
	dst[14] = (uint8_t)(tci >> 8);
	dst[15] = (uint8_t)tci;
	memcpy(dst + ETH_ADDRS_LEN + VLAN_TAG_LEN, frame + ETH_ADDRS_LEN, rest);
	return ETH_ADDRS_LEN + VLAN_TAG_LEN + rest;
}

int pd_afpacket_linktype(unsigned arphrd)
{
	return arphrd == ARPHRD_ETHER_ || arphrd == ARPHRD_LOOPBACK_ ? LINKTYPE_EN10MB
								     : LINKTYPE_LINUX_SLL;
}

void pd_afpacket_sll_header(uint8_t dst[16], unsigned pkttype, unsigned hatype,
			    const uint8_t *addr, unsigned halen, uint16_t protocol_be)
{
	const uint8_t *pb = (const uint8_t *)&protocol_be; /* already big-endian */

	memset(dst, 0, SLL_HDR_LEN);
	dst[0] = (uint8_t)(pkttype >> 8);
	dst[1] = (uint8_t)pkttype;
	dst[2] = (uint8_t)(hatype >> 8);
	dst[3] = (uint8_t)hatype;
	dst[4] = (uint8_t)(halen >> 8);
	dst[5] = (uint8_t)halen;
	if (addr)
		memcpy(dst + 6, addr, halen < 8 ? halen : 8);
	dst[14] = pb[0];
	dst[15] = pb[1];
}

#ifdef __linux__

#define BLOCK_MIN ((size_t)128 << 10)  /* bytes */
#define BLOCKS_MIN 4
#define FRAME_SIZE 2048                /* tp_frame_size: only counted in V3 */
#define BLOCK_TOV_MAX_MS 50            /* longest a frame waits in a partly filled block */

struct afp_state {
	int fd;
	uint8_t *ring;           /* mmap()ed blocks */
	size_t ring_len;         /* bytes */
	size_t block_size;       /* bytes, a power of two >= page size */
	unsigned block_nr;
	unsigned cur;            /* block being read */
	bool held;               /* @cur is ours (TP_STATUS_USER) */
	uint32_t pkts_left;      /* packets of @cur not yet looked at */
	size_t next_off;         /* offset in @cur of the next packet header */
	int timeout_ms;          /* longest wait in next(); negative: none */
	uint32_t snaplen;
	bool cooked;             /* LINUX_SLL: SOCK_DGRAM + a built header */
	int lo_ifindex;          /* skip incoming copies on this loopback, or 0 */
	uint8_t *buf;            /* VLAN reinsertion / cooked header, @buflen bytes */
	size_t buflen;
	uint64_t drops;          /* tp_drops summed (PACKET_STATISTICS resets) */
};

/* Read PACKET_STATISTICS (which resets the kernel's counters) into the sums. */
static void afp_read_stats(struct afp_state *st)
{
	struct tpacket_stats_v3 ks;
	socklen_t len = sizeof(ks);

	memset(&ks, 0, sizeof(ks));
	if (getsockopt(st->fd, SOL_PACKET, PACKET_STATISTICS, &ks, &len) != 0)
		return;
	st->drops += ks.tp_drops;
}

static struct tpacket_block_desc *afp_block(struct afp_state *st, unsigned i)
{
	/* kernel ABI metadata at the page-aligned start of a block */
	return (struct tpacket_block_desc *)(void *)(st->ring + (size_t)i * st->block_size);
}

static void afp_release(struct afp_state *st)
{
	struct tpacket_block_desc *bd = afp_block(st, st->cur);

	__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL, __ATOMIC_RELEASE);
	st->held = false;
	st->cur = (st->cur + 1) % st->block_nr;
}

/*
 * Take the next packet of the held block; 1 = @f filled, 0 = skipped
 * (loopback duplicate, or bad metadata that ends the block).
 */
static int afp_take(struct pd_source *s, struct afp_state *st, struct pd_frame *f)
{
	uint8_t *blk = st->ring + (size_t)st->cur * st->block_size;
	size_t off = st->next_off, sll_off, room;
	struct tpacket3_hdr h;
	struct sockaddr_ll sll;
	const uint8_t *data;
	uint32_t caplen, wirelen;
	uint16_t tpid, tci;
	bool vlan;

	st->pkts_left--;
	if (off < sizeof(struct tpacket_block_desc) ||
	    sizeof(h) > st->block_size - off) {
		st->pkts_left = 0;
		return 0;
	}
	memcpy(&h, blk + off, sizeof(h));
	if (h.tp_next_offset)
		st->next_off = off + h.tp_next_offset;
	else
		st->pkts_left = 0;
	sll_off = off + TPACKET_ALIGN(sizeof(struct tpacket3_hdr));
	room = st->block_size - off;
	if (sll_off > st->block_size || sizeof(sll) > st->block_size - sll_off || h.tp_mac > room ||
	    h.tp_snaplen > room - h.tp_mac)
		return 0;
	memcpy(&sll, blk + sll_off, sizeof(sll));
	if (st->lo_ifindex && sll.sll_ifindex == st->lo_ifindex &&
	    sll.sll_pkttype != PACKET_OUTGOING)
		return 0; /* the outgoing copy was delivered */
	data = blk + off + h.tp_mac;
	caplen = h.tp_snaplen;
	wirelen = h.tp_len;
	vlan = h.hv1.tp_vlan_tci || (h.tp_status & TP_STATUS_VLAN_VALID);
	tpid = (h.tp_status & TP_STATUS_VLAN_TPID_VALID) ? h.hv1.tp_vlan_tpid : ETHERTYPE_8021Q;
	tci = (uint16_t)h.hv1.tp_vlan_tci;
	if (st->cooked) {
		/* the tag goes where the protocol field was, as libpcap puts
		 * it: SLL protocol = TPID, then TCI, then the EtherType */
		size_t hl = SLL_HDR_LEN + (vlan ? VLAN_TAG_LEN : 0);
		size_t n = caplen < st->buflen - hl ? caplen : st->buflen - hl;

		pd_afpacket_sll_header(st->buf, sll.sll_pkttype, sll.sll_hatype, sll.sll_addr,
				       sll.sll_halen, vlan ? htons(tpid) : sll.sll_protocol);
		if (vlan) {
			st->buf[SLL_HDR_LEN] = (uint8_t)(tci >> 8);
			st->buf[SLL_HDR_LEN + 1] = (uint8_t)tci;
			memcpy(st->buf + SLL_HDR_LEN + 2, &sll.sll_protocol, 2);
		}
		memcpy(st->buf + hl, data, n);
		data = st->buf;
		caplen = (uint32_t)(n + hl);
		wirelen += (uint32_t)hl;
	} else if (vlan) {
		size_t n = pd_afpacket_vlan_insert(st->buf, st->buflen, data, caplen, tci, tpid);

		if (n) {
			data = st->buf;
			caplen = (uint32_t)n;
			wirelen += VLAN_TAG_LEN;
		}
	}
	if (caplen > st->snaplen)
		caplen = st->snaplen;
	if (wirelen < caplen)
		wirelen = caplen;
	f->data = data;
	f->caplen = caplen;
	f->wirelen = wirelen;
	f->ts_ns = pd_ts_to_ns((int64_t)h.tp_sec, (int64_t)h.tp_nsec);
	f->linktype = s->linktype;
	f->epb_flags = pd_afpacket_epb_flags(h.tp_status, sll.sll_pkttype);
	f->has_epb_flags = true;
	return 1;
}

static int afp_next(struct pd_source *s, struct pd_frame *f)
{
	struct afp_state *st = s->priv;
	bool waited = false;

	for (;;) {
		struct tpacket_block_desc *bd;
		uint32_t status;
		int w;

		if (st->held) {
			if (st->pkts_left == 0) {
				afp_release(st);
				continue;
			}
			if (afp_take(s, st, f))
				return PD_SRC_FRAME;
			continue;
		}
		bd = afp_block(st, st->cur);
		status = __atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE);
		if (status & TP_STATUS_USER) {
			st->held = true;
			st->pkts_left = bd->hdr.bh1.num_pkts;
			st->next_off = bd->hdr.bh1.offset_to_first_pkt;
			continue;
		}
		if (waited)
			return PD_SRC_AGAIN;
		waited = true;
		w = pd_live_wait(st->fd, st->timeout_ms);

		if (w < 0) {
			snprintf(s->err, sizeof(s->err), "%s: %s", s->name,
				 w == -ENETDOWN ? "the interface went down or was removed"
						: strerror(-w));
			return -PD_EIO;
		}
	}
}

static int afp_fd(const struct pd_source *s)
{
	const struct afp_state *st = s->priv;

	return st->fd;
}

static void afp_stats(struct pd_source *s, struct pd_source_stats *out)
{
	struct afp_state *st = s->priv;

	afp_read_stats(st);
	out->capture_drops = st->drops;
	out->if_drops = 0; /* not known to a packet socket */
	out->valid = true;
}

static void afp_close(struct pd_source *s)
{
	struct afp_state *st = s->priv;

	if (!st)
		return;
	if (st->ring && st->ring != MAP_FAILED)
		munmap(st->ring, st->ring_len);
	if (st->fd >= 0)
		close(st->fd); /* also leaves promiscuous mode */
	free(st->buf);
	free(st);
	s->priv = 0;
}

static const struct pd_source_ops afp_ops = {
	.name = "afpacket",
	.next = afp_next,
	.fd = afp_fd,
	.stats = afp_stats,
	.close = afp_close,
};

/* ifindex and ARPHRD_ type of @iface through the packet socket. */
static int afp_iface(int fd, const char *iface, int *ifindex, unsigned *arphrd, char *err,
		     size_t errlen)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		snprintf(err, errlen, "no such interface: %s (%s)", iface, strerror(errno));
		return -PD_EOPEN;
	}
	*ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) != 0) {
		snprintf(err, errlen, "%s: cannot read the link type: %s", iface,
			 strerror(errno));
		return -PD_EOPEN;
	}
	*arphrd = ifr.ifr_hwaddr.sa_family;
	return 0;
}

/* Block size: a power of two of pages that holds the header and snaplen. */
static size_t afp_block_size(uint32_t snaplen)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t need = TPACKET_ALIGN(TPACKET3_HDRLEN) + VLAN_TAG_LEN + snaplen + 64;
	size_t b = pg > 0 ? (size_t)pg : 4096;

	while (b < need || b < BLOCK_MIN)
		b <<= 1;
	return b;
}

/* Socket setup errors: a missing capability says what to do. */
static int afp_sys_error(const char *iface, const char *what, char *err, size_t errlen)
{
	int e = errno;

	if (e == EPERM || e == EACCES) {
		pd_live_perm_message(err, errlen, iface);
		return -PD_EPERM;
	}
	snprintf(err, errlen, "%s: %s: %s", iface, what, strerror(e));
	if (e == ENOMEM || e == ENOBUFS)
		return -PD_ENOMEM;
	if (e == EAFNOSUPPORT || e == ENOPROTOOPT || e == EINVAL)
		return -PD_EUNSUPPORTED;
	return -PD_EOPEN;
}

int pd_source_open_afpacket(struct pd_source **out, const struct pd_live_opts *o,
			    char *err, size_t errlen)
{
	struct pd_source *s;
	struct afp_state *st;
	struct tpacket_req3 req;
	struct sockaddr_ll sa;
	int ver = TPACKET_V3, ifindex = 0, soerr = 0, rc, tov;
	unsigned arphrd = ARPHRD_ETHER_;
	socklen_t el = sizeof(soerr);
	bool any = strcmp(o->iface, "any") == 0;
	size_t blocks;

	*out = 0;
	s = pd_source_alloc(&afp_ops, o->iface);
	st = calloc(1, sizeof(*st));
	if (!s || !st) {
		free(s);
		free(st);
		snprintf(err, errlen, "%s: %s", o->iface, pd_strerror(PD_ENOMEM));
		return -PD_ENOMEM;
	}
	s->priv = st;
	st->fd = -1;
	st->timeout_ms = o->timeout_ms;
	st->snaplen = (uint32_t)o->snaplen;

	/* protocol 0: nothing is queued before the ring exists; bind() below
	 * starts the capture */
	st->fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (st->fd < 0) {
		rc = afp_sys_error(o->iface, "AF_PACKET socket", err, errlen);
		goto fail;
	}
	if (!any) {
		rc = afp_iface(st->fd, o->iface, &ifindex, &arphrd, err, errlen);
		if (rc)
			goto fail;
	}
	s->linktype = any ? LINKTYPE_LINUX_SLL : pd_afpacket_linktype(arphrd);
	if (s->linktype == LINKTYPE_LINUX_SLL) {
		/* the kernel strips the link header: a cooked header replaces it */
		close(st->fd);
		st->cooked = true;
		st->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (st->fd < 0) {
			rc = afp_sys_error(o->iface, "AF_PACKET socket", err, errlen);
			goto fail;
		}
	}
	if (arphrd == ARPHRD_LOOPBACK_)
		st->lo_ifindex = ifindex;
	if (any)
		st->lo_ifindex = (int)if_nametoindex("lo");

	if (setsockopt(st->fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver)) != 0) {
		rc = afp_sys_error(o->iface, "TPACKET_V3", err, errlen);
		goto fail;
	}
	st->block_size = afp_block_size(st->snaplen);
	blocks = o->buffer_bytes / st->block_size;
	if (blocks < BLOCKS_MIN)
		blocks = BLOCKS_MIN;
	st->block_nr = (unsigned)blocks;
	memset(&req, 0, sizeof(req));
	req.tp_block_size = (unsigned)st->block_size;
	req.tp_block_nr = st->block_nr;
	req.tp_frame_size = FRAME_SIZE;
	req.tp_frame_nr = (unsigned)(st->block_size / FRAME_SIZE) * st->block_nr;
	/* half the wait in next(), so that a next() that waited its whole
	 * timeout has seen every block the kernel had started: a caller
	 * that reads until PD_SRC_AGAIN has taken all frames from before */
	tov = o->timeout_ms / 2;
	req.tp_retire_blk_tov = (unsigned)(tov < 1 ? 1 : tov > BLOCK_TOV_MAX_MS ? BLOCK_TOV_MAX_MS : tov);
	req.tp_feature_req_word = 0;
	if (setsockopt(st->fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req)) != 0) {
		rc = afp_sys_error(o->iface, "PACKET_RX_RING", err, errlen);
		goto fail;
	}
	st->ring_len = st->block_size * st->block_nr;
	st->ring = mmap(0, st->ring_len, PROT_READ | PROT_WRITE, MAP_SHARED, st->fd, 0);
	if (st->ring == MAP_FAILED) {
		st->ring = 0;
		rc = afp_sys_error(o->iface, "mmap of the ring", err, errlen);
		goto fail;
	}
	st->buflen = st->block_size + SLL_HDR_LEN + VLAN_TAG_LEN;
	st->buf = malloc(st->buflen);
	if (!st->buf) {
		snprintf(err, errlen, "%s: %s", o->iface, pd_strerror(PD_ENOMEM));
		rc = -PD_ENOMEM;
		goto fail;
	}
	if (o->promisc && !any) {
		struct packet_mreq mr;

		memset(&mr, 0, sizeof(mr));
		mr.mr_ifindex = ifindex;
		mr.mr_type = PACKET_MR_PROMISC;
		if (setsockopt(st->fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mr, sizeof(mr)) != 0) {
			rc = afp_sys_error(o->iface, "promiscuous mode", err, errlen);
			goto fail;
		}
	}
	memset(&sa, 0, sizeof(sa));
	sa.sll_family = AF_PACKET;
	sa.sll_protocol = htons(ETH_P_ALL);
	sa.sll_ifindex = ifindex;
	if (bind(st->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = afp_sys_error(o->iface, "bind", err, errlen);
		if (rc == -PD_EUNSUPPORTED)
			rc = -PD_EOPEN;
		goto fail;
	}
	/* binding to a device that is down leaves ENETDOWN in SO_ERROR */
	if (getsockopt(st->fd, SOL_SOCKET, SO_ERROR, &soerr, &el) == 0 && soerr) {
		if (soerr == ENETDOWN)
			snprintf(err, errlen, "%s: the interface is down (ip link set %s up)",
				 o->iface, o->iface);
		else
			snprintf(err, errlen, "%s: %s", o->iface, strerror(soerr));
		rc = -PD_EOPEN;
		goto fail;
	}
	afp_read_stats(st); /* start the counters at zero */
	st->drops = 0;
	s->snaplen = o->snaplen;
	s->live = true;
	snprintf(s->format, sizeof(s->format), "afpacket");
	*out = s;
	return 0;
fail:
	pd_source_close(s);
	return rc;
}

#else /* !__linux__ */

int pd_source_open_afpacket(struct pd_source **out, const struct pd_live_opts *o,
			    char *err, size_t errlen)
{
	*out = 0;
	snprintf(err, errlen, "%s: AF_PACKET capture exists only on Linux", o->iface);
	return -PD_EUNSUPPORTED;
}

#endif
