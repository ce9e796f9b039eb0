/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pcapng.c - pktdoctor's own pcapng reader (draft-ietf-opsawg-pcapng),
 * for files and pipes.
 *
 * Why not libpcap: libpcap refuses a pcapng file whose interfaces have
 * different link types (a capture on eth0 and lo at once) and drops the
 * EPB flags word (direction, checksum and TSO bits), the best evidence
 * this tool has.  Wireshark's libwiretap reads both but is GPL.
 *
 * What it reads, sequentially from a FILE * (no seeking, so a pipe
 * works), one block at a time into one reusable buffer:
 *   - SHB in both byte orders; several sections, each with its own byte
 *     order and its own interface numbering;
 *   - IDB: link type (as libpcap's DLT_ value, see ng_dlt_map), snaplen, if_name, if_description, if_tsresol (10^-n
 *     and 2^-n), if_tsoffset; every interface gets a number over the
 *     whole file (struct pd_frame.ifid);
 *   - EPB with epb_flags and the first opt_comment; SPB (no timestamp:
 *     it takes the previous packet's; caplen is the original length cut
 *     to the snaplen of interface 0); the obsolete PB (type 2) with its
 *     pack_flags;
 *   - records tshark numbers without holding a packet (custom blocks,
 *     systemd journal export, Sysdig events): delivered as
 *     PD_FRAME_OTHER, so frame numbers stay tshark's;
 *   - ISB, NRB, DSB and unknown blocks: checked for a sound length and
 *     skipped.
 * Every length is checked before use (block length: minimum for its type,
 * multiple of 4, cap, trailing copy; option lengths inside their block;
 * interface ids defined).  A bad block stops the read with a message that
 * names the file, the block number, its byte offset and the reason; the
 * frames before it have been delivered.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "backend.h"
#include "pktdoctor/cursor.h"
#include "pktdoctor/error.h"
#include "pktdoctor/pcapng.h"

/* Block types (draft-ietf-opsawg-pcapng section 10.1, and the types
 * Wireshark registers for its own records). */
#define NG_SHB 0x0a0d0d0au
#define NG_IDB 0x00000001u
#define NG_PB 0x00000002u  /* obsolete Packet Block */
#define NG_SPB 0x00000003u
#define NG_NRB 0x00000004u
#define NG_ISB 0x00000005u
#define NG_EPB 0x00000006u
#define NG_JOURNAL 0x00000009u /* systemd journal export */
#define NG_DSB 0x0000000au
#define NG_SYSDIG_EVENT 0x00000204u
#define NG_SYSDIG_EVENT_V2 0x00000216u
#define NG_SYSDIG_EVENT_V2_LARGE 0x00000221u
#define NG_CB_COPY 0x00000badu
#define NG_CB_NOCOPY 0x40000badu
#define NG_BOM 0x1a2b3c4du
#define NG_NOTYPE 0xffffffffu /* in messages: the type is not known yet */

/* Options (section 3.5 and the per-block option tables). */
#define OPT_ENDOFOPT 0
#define OPT_COMMENT 1
#define IF_NAME 2
#define IF_DESCRIPTION 3
#define IF_TSRESOL 9
#define IF_TSOFFSET 14
#define EPB_FLAGS 2

/* Bounds.  A block larger than PD_PCAPNG_MAX_BLOCK is refused (no
 * snaplen in use needs more than 256 KiB per packet); at most
 * PD_PCAPNG_MAX_IFACES interfaces over the whole file. */
#define PD_PCAPNG_MAX_BLOCK (16u * 1024 * 1024)
#define PD_PCAPNG_MAX_IFACES 65536u
#define NG_CHUNK (256u * 1024) /* read size on regular files */
#define NG_SNAPLEN_DEFAULT 262144

#define PD_TS_MAX ((int64_t)1 << 62)

/*
 * LINKTYPE_ values in files that differ from the DLT_ values libpcap
 * hands out (libpcap's pcap-common.c linktype_to_dlt()).  The pcap
 * backend and the live ones deliver DLT_ values, so this reader does the
 * same: one capture gives the same link type whatever reads it.
 */
static const struct {
	int linktype, dlt;
} ng_dlt_map[] = {
	{100, DLT_ATM_RFC1483},
	{101, DLT_RAW},
	{102, DLT_SLIP_BSDOS},
	{103, DLT_PPP_BSDOS},
	{106, DLT_ATM_CLIP},
};

int pd_pcapng_linktype_to_dlt(int linktype)
{
	for (size_t i = 0; i < sizeof(ng_dlt_map) / sizeof(ng_dlt_map[0]); i++)
		if (ng_dlt_map[i].linktype == linktype)
			return ng_dlt_map[i].dlt;
	return linktype;
}

int pd_pcapng_dlt_to_linktype(int dlt)
{
	for (size_t i = 0; i < sizeof(ng_dlt_map) / sizeof(ng_dlt_map[0]); i++)
		if (ng_dlt_map[i].dlt == dlt)
			return ng_dlt_map[i].linktype;
	return dlt;
}

/* One interface (IDB). */
struct ng_iface {
	int linktype;           /* libpcap's DLT_ value for the file's LINKTYPE_ */
	uint32_t snaplen;       /* bytes; 0 = no limit */
	uint8_t tsresol;        /* if_tsresol: bit 7 clear = 10^-n s, set = 2^-n s */
	uint64_t mult;          /* ns per tick when that is a whole number, else 0 */
	int64_t tsoffset;       /* if_tsoffset, seconds added to every timestamp */
	char name[64];          /* if_name (may be cut) */
	char desc[128];         /* if_description (may be cut) */
};

struct ng_state {
	FILE *fp;
	bool regular;           /* a regular file: read in large chunks */
	/* the read window: buf[start, end) holds bytes from file offset
	 * buf_off + start on */
	uint8_t *buf;
	size_t cap, start, end;
	int64_t buf_off;
	bool eof;
	/* the current section */
	bool le;                /* little-endian section */
	uint32_t sec_base;      /* global id of this section's interface 0 */
	uint32_t sections;
	/* interfaces over the whole file */
	struct ng_iface *ifs;
	uint32_t n_ifs, cap_ifs;
	uint64_t block_no;      /* 1-based number of the block being read */
	int64_t last_ts;        /* ns, for SPBs (they carry none) */
	int deferred;           /* error met while opening, returned by next() */
	char *comment;          /* first opt_comment of the current packet */
};

static const char *block_name(uint32_t type)
{
	switch (type) {
	case NG_SHB: return "Section Header Block";
	case NG_IDB: return "Interface Description Block";
	case NG_PB: return "Packet Block";
	case NG_SPB: return "Simple Packet Block";
	case NG_NRB: return "Name Resolution Block";
	case NG_ISB: return "Interface Statistics Block";
	case NG_EPB: return "Enhanced Packet Block";
	case NG_JOURNAL: return "systemd Journal Export Block";
	case NG_DSB: return "Decryption Secrets Block";
	case NG_SYSDIG_EVENT:
	case NG_SYSDIG_EVENT_V2:
	case NG_SYSDIG_EVENT_V2_LARGE: return "Sysdig Event Block";
	case NG_CB_COPY:
	case NG_CB_NOCOPY: return "Custom Block";
	default: return "block";
	}
}

/* Set s->err: file, block number and type, byte offset, reason. */
__attribute__((format(printf, 5, 6)))
static int ng_fail(struct pd_source *s, int rc, uint32_t type, int64_t off, const char *fmt, ...)
{
	struct ng_state *st = s->priv;
	char why[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (type == NG_NOTYPE)
		snprintf(s->err, sizeof(s->err), "%s: pcapng block %" PRIu64
			 " at byte offset %" PRId64 ": %s", s->name, st->block_no, off, why);
	else
		snprintf(s->err, sizeof(s->err), "%s: pcapng block %" PRIu64 " (%s, type 0x%08"
			 PRIx32 ") at byte offset %" PRId64 ": %s", s->name, st->block_no,
			 block_name(type), type, off, why);
	return rc;
}

static uint16_t rd16(const struct ng_state *st, const uint8_t *p)
{
	unsigned v = st->le ? (unsigned)p[0] | (unsigned)p[1] << 8
			    : (unsigned)p[0] << 8 | (unsigned)p[1];

	return (uint16_t)v;
}

static uint32_t rd32(const struct ng_state *st, const uint8_t *p)
{
	return st->le ? (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
				(uint32_t)p[3] << 24
		      : (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t rd64(const struct ng_state *st, const uint8_t *p)
{
	uint64_t a = rd32(st, p), b = rd32(st, p + 4);

	return st->le ? b << 32 | a : a << 32 | b;
}

/*
 * Make @n bytes available at buf + start.  Regular files are read in
 * NG_CHUNK pieces; a pipe gets exactly what is missing, so a block is
 * delivered as soon as it has arrived (a live `tcpdump -w -` feed).
 * Return: bytes available (< @n only at the end of the input), or
 * -PD_EIO / -PD_ENOMEM.
 */
static ssize_t ng_fill(struct ng_state *st, size_t n)
{
	size_t have = st->end - st->start;

	while (have < n && !st->eof) {
		size_t want, got;

		if (n > st->cap - st->start) {
			/* not enough room after start: move the partial block to
			 * the front, growing the buffer if the block needs it */
			if (st->start) {
				memmove(st->buf, st->buf + st->start, have);
				st->buf_off += (int64_t)st->start;
				st->start = 0;
				st->end = have;
			}
			if (n > st->cap) {
				size_t ncap = st->cap;
				uint8_t *nb;

				while (ncap < n)
					ncap *= 2;
				nb = realloc(st->buf, ncap);
				if (!nb)
					return -PD_ENOMEM;
				st->buf = nb;
				st->cap = ncap;
			}
		}
		want = st->regular ? st->cap - st->end : n - have;
		got = fread(st->buf + st->end, 1, want, st->fp);
		st->end += got;
		have += got;
		if (got < want) {
			if (ferror(st->fp))
				return -PD_EIO;
			st->eof = true;
		}
	}
	return (ssize_t)have;
}

/* File offset of buf + start: where the current block begins. */
static int64_t ng_pos(const struct ng_state *st)
{
	return st->buf_off + (int64_t)st->start;
}

/*
 * Walk the options in [@p, @p + @len): call @fn for each until
 * opt_endofopt or the end.  Three checks per option (truncated header,
 * value past the end, padding past the end).
 * Return: 0, or the offset within the options of the bad option + 1
 * (the caller reports it), with @bad_code/@bad_len set.
 */
struct ng_opt_cb {
	void (*fn)(struct ng_state *st, void *arg, uint16_t code, const uint8_t *v, uint16_t len);
	void *arg;
};

static int ng_options(struct pd_source *s, uint32_t type, const uint8_t *p, size_t len,
		      int64_t file_off, const struct ng_opt_cb *cb)
{
	struct ng_state *st = s->priv;
	struct pd_cursor c;

	pd_cur_init(&c, p, len, len);
	while (pd_cur_remaining(&c) > 0) {
		const uint8_t *oh;
		uint16_t code, olen;
		size_t at = c.off;

		if (!pd_cur_has(&c, 4))
			return ng_fail(s, -PD_EFORMAT, type, file_off,
				       "option header cut: %zu bytes left in the block, need 4",
				       pd_cur_remaining(&c));
		oh = pd_cur_ptr(&c);
		code = rd16(st, oh);
		olen = rd16(st, oh + 2);
		pd_cur_skip(&c, 4);
		if (code == OPT_ENDOFOPT)
			return 0;
		if ((((size_t)olen + 3) & ~(size_t)3) > pd_cur_remaining(&c))
			return ng_fail(s, -PD_EFORMAT, type, file_off,
				       "option %u of length %u (at byte %zu of the options) runs past "
				       "the end of the block (%zu bytes left)",
				       code, olen, at, pd_cur_remaining(&c));
		if (cb && cb->fn)
			cb->fn(st, cb->arg, code, pd_cur_ptr(&c), olen);
		pd_cur_skip(&c, ((size_t)olen + 3) & ~(size_t)3);
	}
	return 0;
}

/* Copy an option string (not NUL-terminated in the file) into @dst. */
static void ng_strcpy(char *dst, size_t dstlen, const uint8_t *v, uint16_t len)
{
	size_t n = len < dstlen - 1 ? len : dstlen - 1;

	memcpy(dst, v, n);
	dst[n] = 0;
}

static void ng_set_resol(struct ng_iface *ifc)
{
	static const uint64_t p10[10] = {1000000000, 100000000, 10000000, 1000000, 100000,
					 10000, 1000, 100, 10, 1};

	ifc->mult = 0;
	if (!(ifc->tsresol & 0x80) && ifc->tsresol <= 9)
		ifc->mult = p10[ifc->tsresol];
	else if ((ifc->tsresol & 0x80) && (ifc->tsresol & 0x7f) == 0)
		ifc->mult = 1000000000;
}

static void ng_idb_opt(struct ng_state *st, void *arg, uint16_t code, const uint8_t *v,
		       uint16_t len)
{
	struct ng_iface *ifc = arg;

	switch (code) {
	case IF_NAME:
		ng_strcpy(ifc->name, sizeof(ifc->name), v, len);
		break;
	case IF_DESCRIPTION:
		ng_strcpy(ifc->desc, sizeof(ifc->desc), v, len);
		break;
	case IF_TSRESOL:
		if (len >= 1) {
			ifc->tsresol = v[0];
			ng_set_resol(ifc);
		}
		break;
	case IF_TSOFFSET:
		if (len == 8)
			ifc->tsoffset = (int64_t)rd64(st, v);
		break;
	default:
		break;
	}
}

struct ng_pkt_opts {
	struct pd_frame *f;
	bool have_comment;
};

static void ng_pkt_opt(struct ng_state *st, void *arg, uint16_t code, const uint8_t *v,
		       uint16_t len)
{
	struct ng_pkt_opts *po = arg;

	if (code == OPT_COMMENT && !po->have_comment) {
		size_t n = len;
		const uint8_t *nul = memchr(v, 0, len);

		if (nul)
			n = (size_t)(nul - v);
		memcpy(st->comment, v, n);
		st->comment[n] = 0;
		po->f->comment = st->comment;
		po->have_comment = true;
	} else if (code == EPB_FLAGS && len == 4 && !po->f->has_epb_flags) {
		po->f->epb_flags = rd32(st, v);
		po->f->has_epb_flags = true;
	}
}

/*
 * Timestamp in ticks of @ifc to ns since the epoch (clamped to
 * [0, 2^62]).  Ticks are 10^-n or 2^-n s (if_tsresol); if_tsoffset
 * seconds are added.  Rounds down, as Wireshark does.
 */
static int64_t ng_ts(const struct ng_iface *ifc, uint64_t ts)
{
	unsigned __int128 ns;
	uint64_t sec;
	int64_t off = ifc->tsoffset;
	unsigned n = ifc->tsresol & 0x7f;

	if (ifc->mult && off == 0 && ts <= (uint64_t)PD_TS_MAX / ifc->mult)
		return (int64_t)(ts * ifc->mult); /* the common case */
	if (ifc->tsresol & 0x80) {
		ns = ((unsigned __int128)ts * 1000000000u) >> n;
	} else if (n <= 9) {
		ns = (unsigned __int128)ts * ifc->mult;
	} else if (n - 9 < 20) {
		uint64_t d = 1;

		for (unsigned i = 0; i < n - 9; i++)
			d *= 10;
		ns = ts / d;
	} else {
		ns = 0;
	}
	sec = ns / 1000000000u > (uint64_t)1 << 40 ? (uint64_t)1 << 40
						   : (uint64_t)(ns / 1000000000u);
	if (off > (int64_t)1 << 40)
		off = (int64_t)1 << 40;
	if (off < -((int64_t)1 << 40))
		off = -((int64_t)1 << 40);
	return pd_ts_to_ns((int64_t)sec + off, (int64_t)(ns % 1000000000u));
}

/* Parse an SHB body (after type and length); sets the byte order.
 * @p points at the byte-order magic. */
static int ng_shb(struct pd_source *s, const uint8_t *p, size_t blen, int64_t off)
{
	struct ng_state *st = s->priv;
	uint16_t major, minor;

	if (blen < 16)
		return ng_fail(s, -PD_EFORMAT, NG_SHB, off,
			       "block length %zu is below the minimum of 28", blen + 12);
	major = rd16(st, p + 4);
	minor = rd16(st, p + 6);
	if (major != 1)
		return ng_fail(s, -PD_EFORMAT, NG_SHB, off,
			       "unsupported pcapng version %u.%u (only 1.x is defined)", major,
			       minor);
	st->sec_base = st->n_ifs;
	st->sections++;
	return ng_options(s, NG_SHB, p + 16, blen - 16, off, 0);
}

static int ng_idb(struct pd_source *s, const uint8_t *p, size_t blen, int64_t off)
{
	struct ng_state *st = s->priv;
	struct ng_iface *ifc;
	struct ng_opt_cb cb = {ng_idb_opt, 0};
	int rc;

	if (blen < 8)
		return ng_fail(s, -PD_EFORMAT, NG_IDB, off,
			       "block length %zu is below the minimum of 20", blen + 12);
	if (st->n_ifs >= PD_PCAPNG_MAX_IFACES)
		return ng_fail(s, -PD_EFORMAT, NG_IDB, off,
			       "more than %u interfaces in the file (pktdoctor's limit)",
			       PD_PCAPNG_MAX_IFACES);
	if (st->n_ifs == st->cap_ifs) {
		uint32_t ncap = st->cap_ifs ? st->cap_ifs * 2 : 8;
		struct ng_iface *n = realloc(st->ifs, ncap * sizeof(*n));

		if (!n)
			return ng_fail(s, -PD_ENOMEM, NG_IDB, off, "%s", pd_strerror(PD_ENOMEM));
		st->ifs = n;
		st->cap_ifs = ncap;
	}
	ifc = &st->ifs[st->n_ifs];
	memset(ifc, 0, sizeof(*ifc));
	ifc->linktype = pd_pcapng_linktype_to_dlt(rd16(st, p));
	ifc->snaplen = rd32(st, p + 4);
	ifc->tsresol = 6;
	ng_set_resol(ifc);
	cb.arg = ifc;
	rc = ng_options(s, NG_IDB, p + 8, blen - 8, off, &cb);
	if (rc)
		return rc;
	st->n_ifs++;
	if (s->linktype < 0) {
		s->linktype = ifc->linktype;
		/* 0 = no limit: report libpcap's maximum, as libpcap did */
		s->snaplen = ifc->snaplen && ifc->snaplen <= 0x7fffffffu ? (int)ifc->snaplen
									 : NG_SNAPLEN_DEFAULT;
	}
	return 0;
}

/* The interface a packet block names, or NULL after reporting the error. */
static const struct ng_iface *ng_iface_of(struct pd_source *s, uint32_t type, uint32_t id,
					  int64_t off, int *rc)
{
	struct ng_state *st = s->priv;
	uint32_t n = st->n_ifs - st->sec_base;

	if (id >= n) {
		*rc = ng_fail(s, -PD_EFORMAT, type, off,
			      "packet names interface %" PRIu32 ", but this section defines %s%" PRIu32
			      " interface%s", id, n ? "only " : "", n, n == 1 ? "" : "s");
		return 0;
	}
	return &st->ifs[st->sec_base + id];
}

/* EPB (type 6) or PB (type 2): fill @f. */
static int ng_packet(struct pd_source *s, uint32_t type, const uint8_t *p, size_t blen,
		     int64_t off, struct pd_frame *f)
{
	struct ng_state *st = s->priv;
	const struct ng_iface *ifc;
	struct ng_pkt_opts po = {f, false};
	struct ng_opt_cb cb = {ng_pkt_opt, &po};
	uint32_t id, caplen, wirelen;
	size_t padded;
	int rc = 0;

	if (blen < 20)
		return ng_fail(s, -PD_EFORMAT, type, off,
			       "block length %zu is below the minimum of 32", blen + 12);
	id = type == NG_EPB ? rd32(st, p) : rd16(st, p);
	ifc = ng_iface_of(s, type, id, off, &rc);
	if (!ifc)
		return rc;
	caplen = rd32(st, p + 12);
	wirelen = rd32(st, p + 16);
	padded = ((size_t)caplen + 3) & ~(size_t)3;
	if (padded > blen - 20)
		return ng_fail(s, -PD_EFORMAT, type, off,
			       "captured length %" PRIu32 " does not fit in the block (%zu bytes "
			       "of packet data at most)", caplen, blen - 20);
	rc = ng_options(s, type, p + 20 + padded, blen - 20 - padded, off, &cb);
	if (rc)
		return rc;
	f->data = p + 20;
	f->caplen = caplen;
	f->wirelen = wirelen;
	f->ts_ns = ng_ts(ifc, (uint64_t)rd32(st, p + 4) << 32 | rd32(st, p + 8));
	f->linktype = ifc->linktype;
	f->ifid = (uint32_t)(ifc - st->ifs);
	st->last_ts = f->ts_ns;
	return PD_SRC_FRAME;
}

/* SPB (type 3): interface 0 of the section, no timestamp, no options. */
static int ng_spb(struct pd_source *s, const uint8_t *p, size_t blen, int64_t off,
		  struct pd_frame *f)
{
	struct ng_state *st = s->priv;
	const struct ng_iface *ifc;
	uint32_t wirelen, caplen;
	int rc = 0;

	if (blen < 4)
		return ng_fail(s, -PD_EFORMAT, NG_SPB, off,
			       "block length %zu is below the minimum of 16", blen + 12);
	ifc = ng_iface_of(s, NG_SPB, 0, off, &rc);
	if (!ifc)
		return rc;
	/* the captured length is not in the block: it is the original
	 * length cut to the snaplen, and the block must hold it */
	wirelen = rd32(st, p);
	caplen = ifc->snaplen && wirelen > ifc->snaplen ? ifc->snaplen : wirelen;
	if ((((size_t)caplen + 3) & ~(size_t)3) > blen - 4)
		return ng_fail(s, -PD_EFORMAT, NG_SPB, off,
			       "block length %zu is too small for %" PRIu32 " bytes of packet "
			       "data (original length %" PRIu32 ", snaplen %" PRIu32 ")",
			       blen + 12, caplen, wirelen, ifc->snaplen);
	f->data = p + 4;
	f->caplen = caplen;
	f->wirelen = wirelen;
	f->ts_ns = st->last_ts;
	f->linktype = ifc->linktype;
	f->ifid = (uint32_t)(ifc - st->ifs);
	return PD_SRC_FRAME;
}

/* Smallest total length of a block that tshark rejects below it. */
static uint32_t ng_min_len(uint32_t type)
{
	switch (type) {
	case NG_SHB: return 28;
	case NG_IDB: return 20;
	case NG_PB:
	case NG_EPB: return 32;
	case NG_SPB: return 16;
	case NG_ISB: return 24;
	case NG_DSB: return 20;
	case NG_CB_COPY:
	case NG_CB_NOCOPY: return 16;
	case NG_SYSDIG_EVENT: return 36;
	case NG_SYSDIG_EVENT_V2:
	case NG_SYSDIG_EVENT_V2_LARGE: return 40;
	default: return 12;
	}
}

/*
 * Read the next block into the window (st->start is its first byte).
 * Return: 1 with @type/@total set, PD_SRC_END at a clean end, or a
 * negative code with s->err set.
 */
static int ng_read_block(struct pd_source *s, uint32_t *type, uint32_t *total)
{
	struct ng_state *st = s->priv;
	int64_t off = ng_pos(st);
	ssize_t have = ng_fill(st, 12);
	const uint8_t *b;
	uint32_t t, len;

	st->block_no++;
	if (have < 0)
		return ng_fail(s, (int)have, NG_NOTYPE, off, "read error: %s",
			       pd_strerror((int)have));
	if (have == 0)
		return PD_SRC_END;
	b = st->buf + st->start;
	if (have < 12)
		return ng_fail(s, -PD_EFORMAT, NG_NOTYPE, off,
			       "the file ends inside a block header (%zd of 12 bytes)", have);
	t = rd32(st, b);
	if (t == NG_SHB) {
		/* a new section: its byte-order magic says how to read it */
		if (b[8] == 0x4d && b[9] == 0x3c && b[10] == 0x2b && b[11] == 0x1a)
			st->le = true;
		else if (b[8] == 0x1a && b[9] == 0x2b && b[10] == 0x3c && b[11] == 0x4d)
			st->le = false;
		else
			return ng_fail(s, -PD_EFORMAT, t, off,
				       "bad byte-order magic %02x%02x%02x%02x", b[8], b[9], b[10],
				       b[11]);
	}
	len = rd32(st, b + 4);
	if (len < ng_min_len(t))
		return ng_fail(s, -PD_EFORMAT, t, off,
			       "block length %" PRIu32 " is below the minimum of %" PRIu32, len,
			       ng_min_len(t));
	if (len % 4)
		return ng_fail(s, -PD_EFORMAT, t, off,
			       "block length %" PRIu32 " is not a multiple of 4", len);
	if (len > PD_PCAPNG_MAX_BLOCK)
		return ng_fail(s, -PD_EFORMAT, t, off,
			       "block length %" PRIu32 " exceeds pktdoctor's limit of %u bytes "
			       "(corrupt length?)", len, PD_PCAPNG_MAX_BLOCK);
	have = ng_fill(st, len);
	if (have < 0)
		return ng_fail(s, (int)have, t, off, "read error: %s", pd_strerror((int)have));
	if ((size_t)have < len)
		return ng_fail(s, -PD_EFORMAT, t, off,
			       "the file ends inside the block (%zd of %" PRIu32 " bytes: truncated)",
			       have, len);
	b = st->buf + st->start;
	if (rd32(st, b + len - 4) != len)
		return ng_fail(s, -PD_EFORMAT, t, off,
			       "trailing block length %" PRIu32 " differs from the leading %" PRIu32,
			       rd32(st, b + len - 4), len);
	*type = t;
	*total = len;
	return 1;
}

/* Consume the block in the window. */
static void ng_consume(struct pd_source *s, uint32_t total)
{
	struct ng_state *st = s->priv;

	st->start += total;
	s->last_good = ng_pos(st);
}

/*
 * Read blocks until one gives a record (@f filled) or the input ends.
 * With @f NULL (at open): stop before the first record block, leaving it
 * unread, once an IDB has been read.
 */
static int ng_next(struct pd_source *s, struct pd_frame *f)
{
	struct ng_state *st = s->priv;

	if (st->deferred) {
		int rc = st->deferred;

		st->deferred = 0;
		return rc;
	}
	for (;;) {
		uint32_t type, total;
		const uint8_t *body;
		size_t blen;
		int64_t off;
		int rc = ng_read_block(s, &type, &total);

		if (rc <= 0)
			return rc;
		body = st->buf + st->start + 8;
		blen = total - 12;
		off = ng_pos(st);
		switch (type) {
		case NG_SHB:
			rc = ng_shb(s, body, blen, off);
			break;
		case NG_IDB:
			rc = ng_idb(s, body, blen, off);
			break;
		case NG_EPB:
		case NG_PB:
		case NG_SPB:
		case NG_CB_COPY:
		case NG_CB_NOCOPY:
		case NG_JOURNAL:
		case NG_SYSDIG_EVENT:
		case NG_SYSDIG_EVENT_V2:
		case NG_SYSDIG_EVENT_V2_LARGE:
			if (!f) {
				st->block_no--; /* read again by the first next() */
				return 0;
			}
			if (type == NG_SPB)
				rc = ng_spb(s, body, blen, off, f);
			else if (type == NG_EPB || type == NG_PB)
				rc = ng_packet(s, type, body, blen, off, f);
			else {
				/* a numbered record without a packet (tshark
				 * counts it as a frame); custom blocks' data
				 * starts after the PEN */
				size_t skip = type == NG_CB_COPY || type == NG_CB_NOCOPY ? 4 : 0;

				f->kind = PD_FRAME_OTHER;
				f->data = body + skip;
				f->caplen = f->wirelen = (uint32_t)(blen - skip);
				f->ts_ns = st->last_ts;
				f->linktype = -1;
				rc = PD_SRC_FRAME;
			}
			break;
		case NG_ISB:
			rc = ng_options(s, type, body + 12, blen - 12, off, 0);
			break;
		default:
			/* NRB, DSB, unknown and local-use types: skipped */
			rc = 0;
			break;
		}
		if (rc < 0)
			return rc;
		ng_consume(s, total);
		if (rc == PD_SRC_FRAME)
			return rc;
	}
}

static int ng_next_frame(struct pd_source *s, struct pd_frame *f)
{
	return ng_next(s, f);
}

static int64_t ng_position(const struct pd_source *s)
{
	const struct ng_state *st = s->priv;

	return ng_pos(st);
}

static void ng_close(struct pd_source *s)
{
	struct ng_state *st = s->priv;

	if (!st)
		return;
	if (st->fp)
		fclose(st->fp);
	free(st->buf);
	free(st->ifs);
	free(st->comment);
	free(st);
	s->priv = 0;
}

static const struct pd_source_ops pcapng_ops = {
	.name = "pcapng",
	.next = ng_next_frame,
	.position = ng_position,
	.close = ng_close,
};

int pd_source_open_pcapng(struct pd_source **out, FILE *fp, const char *name, char *err,
			  size_t errlen)
{
	struct pd_source *s;
	struct ng_state *st;
	struct stat sb;
	uint32_t type = 0, total = 0;
	int rc;

	*out = 0;
	s = pd_source_alloc(&pcapng_ops, name);
	st = calloc(1, sizeof(*st));
	if (!s || !st) {
		free(s);
		free(st);
		fclose(fp);
		snprintf(err, errlen, "%s: %s", name, pd_strerror(PD_ENOMEM));
		return -PD_ENOMEM;
	}
	s->priv = st;
	st->fp = fp;
	st->le = true;
	if (fileno(fp) >= 0 && fstat(fileno(fp), &sb) == 0 && S_ISREG(sb.st_mode)) {
		s->size = sb.st_size;
		st->regular = true;
	}
	st->cap = NG_CHUNK;
	st->buf = malloc(st->cap);
	st->comment = malloc(65536);
	if (!st->buf || !st->comment) {
		rc = -PD_ENOMEM;
		snprintf(err, errlen, "%s: %s", name, pd_strerror(PD_ENOMEM));
		goto fail;
	}
	snprintf(s->format, sizeof(s->format), "pcapng");
	s->last_good = 0;
	/* the section header must be sound, or this is not a pcapng file */
	rc = ng_read_block(s, &type, &total);
	if (rc == PD_SRC_END)
		rc = ng_fail(s, -PD_EFORMAT, NG_SHB, 0, "empty input");
	else if (rc == 1)
		rc = ng_shb(s, st->buf + st->start + 8, total - 12, 0);
	if (rc < 0) {
		snprintf(err, errlen, "%s", s->err);
		goto fail;
	}
	ng_consume(s, total);
	/* read the interfaces up to the first record, so that the link
	 * type is known; an error there is returned by the first next() */
	rc = ng_next(s, 0);
	if (rc < 0)
		st->deferred = rc;
	*out = s;
	return 0;
fail:
	pd_source_close(s);
	return rc;
}
