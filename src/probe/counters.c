/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * counters.c - why a frame was dropped, as the receiving stack counts
 * it: /proc/net/snmp (RFC 1213/4293 MIB names: Ip InHdrErrors,
 * InDelivers, Udp InCsumErrors ...), /proc/net/snmp6, /proc/net/netstat
 * (IpExt InCsumErrors) and the device's ethtool statistics.  The files
 * are opened once inside the receiver's namespace and read again with
 * lseek(0), so reading needs no privilege after the open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "probe.h"

/* The MIB counters kept ("Group.Name"); everything else is ignored. */
static const char *const wanted[] = {
	"Ip.InReceives", "Ip.InHdrErrors", "Ip.InAddrErrors", "Ip.InDiscards", "Ip.InDelivers",
	"Ip.ReasmReqds", "Ip.ReasmOKs", "Ip.ReasmFails", "Ip.InUnknownProtos",
	"Udp.InDatagrams", "Udp.NoPorts", "Udp.InErrors", "Udp.InCsumErrors", "Udp.RcvbufErrors",
	"Tcp.InSegs", "Tcp.InErrs", "Tcp.InCsumErrors", "Tcp.OutRsts",
	"IpExt.InCsumErrors", "IpExt.InNoRoutes", "IpExt.InTruncatedPkts",
	"Ip6.InReceives", "Ip6.InHdrErrors", "Ip6.InDelivers", "Ip6.InDiscards",
	"Ip6.ReasmFails", "Udp6.InDatagrams", "Udp6.NoPorts", "Udp6.InErrors",
	"Udp6.InCsumErrors",
};

static bool is_wanted(const char *name)
{
	for (size_t k = 0; k < sizeof(wanted) / sizeof(wanted[0]); k++)
		if (!strcmp(name, wanted[k]))
			return true;
	return false;
}

static void put(struct pd_probe_counters *out, const char *name, uint64_t v)
{
	if (out->n >= PD_PROBE_MAX_COUNTERS)
		return;
	snprintf(out->name[out->n], sizeof(out->name[0]), "%s", name);
	out->val[out->n++] = v;
}

static ssize_t slurp(int fd, char *buf, size_t size)
{
	size_t got = 0;
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) != 0)
		return -1;
	while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	buf[got] = 0;
	return (ssize_t)got;
}

/* /proc/net/snmp and netstat: pairs of lines "Grp: Name Name ..." and
 * "Grp: 1 2 ...". */
static void parse_pairs(char *text, struct pd_probe_counters *out)
{
	char *save = 0, *names = strtok_r(text, "\n", &save);

	while (names) {
		char *vals = strtok_r(0, "\n", &save);
		char *grp_end = strchr(names, ':');
		char *sn = 0, *sv = 0, *n, *v;
		char grp[16], full[40];

		if (!vals || !grp_end)
			break;
		snprintf(grp, sizeof(grp), "%.*s", (int)(grp_end - names), names);
		n = strtok_r(grp_end + 1, " ", &sn);
		v = strchr(vals, ':');
		v = v ? strtok_r(v + 1, " ", &sv) : 0;
		while (n && v) {
			snprintf(full, sizeof(full), "%s.%s", grp, n);
			if (is_wanted(full))
				put(out, full, strtoull(v, 0, 10));
			n = strtok_r(0, " ", &sn);
			v = strtok_r(0, " ", &sv);
		}
		names = strtok_r(0, "\n", &save);
	}
}

/* /proc/net/snmp6: "Ip6InReceives   12" per line. */
static void parse_snmp6(char *text, struct pd_probe_counters *out)
{
	char *save = 0, *line;

	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
		char name[40], full[44];
		unsigned long long v;
		size_t gl;

		if (sscanf(line, "%39s %llu", name, &v) != 2)
			continue;
		gl = !strncmp(name, "Udp6", 4) ? 4 : !strncmp(name, "Ip6", 3) ? 3 : 0;
		if (!gl)
			continue;
		snprintf(full, sizeof(full), "%.*s.%s", (int)gl, name, name + gl);
		if (is_wanted(full))
			put(out, full, v);
	}
}

static bool stat_wanted(const char *s)
{
	return strstr(s, "drop") || strstr(s, "csum") || strstr(s, "checksum") ||
	       strstr(s, "err");
}

int pd_probe_counters_open(struct pd_probe_csrc *s, const struct pd_probe_if *i)
{
	struct pd_netns_saved saved;
	struct ifreq ifr;
	char nerr[160];

	memset(s, 0, sizeof(*s));
	s->snmp = s->snmp6 = s->netstat = s->ethfd = -1;
	snprintf(s->ifname, sizeof(s->ifname), "%s", i->name);
	if (pd_netns_enter_fd(i->nsfd, i->ns, &saved, nerr, sizeof(nerr)))
		return -PD_EOPEN;
	/* /proc/net is the namespace of the opener: read here, it stays this one's */
	s->snmp = open("/proc/net/snmp", O_RDONLY | O_CLOEXEC);
	s->snmp6 = open("/proc/net/snmp6", O_RDONLY | O_CLOEXEC);
	s->netstat = open("/proc/net/netstat", O_RDONLY | O_CLOEXEC);
	s->ethfd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (pd_probe_ns_leave(&saved)) {
		pd_probe_counters_close(s);
		return -PD_EIO;
	}
	if (s->snmp < 0)
		return -PD_EOPEN;
	/* the ethtool statistics names, once (ETH_SS_STATS) */
	if (s->ethfd >= 0) {
		struct {
			struct ethtool_sset_info hdr;
			uint32_t len;
		} si;
		struct ethtool_gstrings *gs;

		memset(&si, 0, sizeof(si));
		si.hdr.cmd = ETHTOOL_GSSET_INFO;
		si.hdr.sset_mask = 1ull << ETH_SS_STATS;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->name);
		ifr.ifr_data = (void *)&si;
		if (ioctl(s->ethfd, SIOCETHTOOL, &ifr) != 0 || !si.hdr.sset_mask || !si.len ||
		    si.len > 4096)
			return 0;
		gs = calloc(1, sizeof(*gs) + (size_t)si.len * ETH_GSTRING_LEN);
		if (!gs)
			return 0;
		gs->cmd = ETHTOOL_GSTRINGS;
		gs->string_set = ETH_SS_STATS;
		gs->len = si.len;
		ifr.ifr_data = (void *)gs;
		if (ioctl(s->ethfd, SIOCETHTOOL, &ifr) == 0) {
			s->n_stats = si.len;
			for (unsigned k = 0; k < si.len && s->n_keep < 16; k++) {
				char name[ETH_GSTRING_LEN + 1];

				memcpy(name, gs->data + (size_t)k * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
				name[ETH_GSTRING_LEN] = 0;
				if (!stat_wanted(name))
					continue;
				s->keep_idx[s->n_keep] = k;
				snprintf(s->keep_name[s->n_keep], sizeof(s->keep_name[0]), "%s", name);
				s->n_keep++;
			}
		}
		free(gs);
	}
	return 0;
}

int pd_probe_counters_read(struct pd_probe_csrc *s, struct pd_probe_counters *out)
{
	static char buf[65536];

	out->n = 0;
	if (s->snmp < 0 || slurp(s->snmp, buf, sizeof(buf)) < 0)
		return -PD_EIO;
	parse_pairs(buf, out);
	if (s->netstat >= 0 && slurp(s->netstat, buf, sizeof(buf)) >= 0)
		parse_pairs(buf, out);
	if (s->snmp6 >= 0 && slurp(s->snmp6, buf, sizeof(buf)) >= 0)
		parse_snmp6(buf, out);
	if (s->n_keep) {
		struct ethtool_stats *st = calloc(1, sizeof(*st) + (size_t)s->n_stats * 8);
		struct ifreq ifr;

		if (!st)
			return 0;
		st->cmd = ETHTOOL_GSTATS;
		st->n_stats = s->n_stats;
		memset(&ifr, 0, sizeof(ifr));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", s->ifname);
		ifr.ifr_data = (void *)st;
		if (ioctl(s->ethfd, SIOCETHTOOL, &ifr) == 0) {
			for (unsigned k = 0; k < s->n_keep; k++) {
				char full[40];

				snprintf(full, sizeof(full), "ethtool.%s", s->keep_name[k]);
				put(out, full, st->data[s->keep_idx[k]]);
			}
		}
		free(st);
	}
	return 0;
}

void pd_probe_counters_close(struct pd_probe_csrc *s)
{
	int *fds[] = {&s->snmp, &s->snmp6, &s->netstat, &s->ethfd};

	for (size_t k = 0; k < 4; k++) {
		if (*fds[k] >= 0)
			close(*fds[k]);
		*fds[k] = -1;
	}
}

uint64_t pd_probe_counter_moved(const struct pd_probe_counters *a,
				const struct pd_probe_counters *b, const char *name)
{
	for (unsigned k = 0; k < b->n; k++) {
		if (strcmp(b->name[k], name))
			continue;
		for (unsigned j = 0; j < a->n; j++)
			if (!strcmp(a->name[j], name))
				return b->val[k] - a->val[j];
		return 0;
	}
	return 0;
}

char *pd_probe_counters_delta(const struct pd_probe_counters *a, const struct pd_probe_counters *b,
			      char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (unsigned k = 0; k < b->n; k++) {
		uint64_t d = pd_probe_counter_moved(a, b, b->name[k]);
		int w;

		/* receptions and deliveries move for every case: the report
		 * says delivered or not; list what explains a drop */
		if (!d || !strcmp(b->name[k], "Ip.InReceives") || !strcmp(b->name[k], "Ip6.InReceives"))
			continue;
		w = snprintf(buf + used, len - used, "%s%s+%llu", used ? " " : "", b->name[k],
			     (unsigned long long)d);
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
	return buf;
}
