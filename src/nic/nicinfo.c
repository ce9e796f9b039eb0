/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nicinfo.c - read a NIC's state as the kernel sees it (include/pktdoctor/nic.h):
 * offload features through the ethtool ioctl, the way `ethtool -k` gets
 * them, and link, MTU, size limits and counters through rtnetlink with
 * libmnl.  It reads; it never changes a setting.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "pktdoctor/error.h"
#include "pktdoctor/netns.h"
#include "pktdoctor/nic.h"

/* rtnetlink attributes newer than Debian 12's 6.1 headers (the values are
 * the kernel's, include/uapi/linux/if_link.h, 6.3+). */
#define PD_IFLA_GSO_IPV4_MAX_SIZE 63
#define PD_IFLA_GRO_IPV4_MAX_SIZE 64
#define PD_IFLA_ATTR_MAX 64

struct pd_nic {
	char iface[IFNAMSIZ];
	int ioctl_fd;            /* AF_INET datagram socket for SIOCETHTOOL */
	struct mnl_socket *nl;   /* NETLINK_ROUTE */
	unsigned seq;
};

/* ethtool's legacy groups: feature-name patterns (ethtool.c off_flag_def). */
static const struct {
	const char *name, *shortname, *pattern;
} groups[PD_NIC__GROUPS] = {
	[PD_NIC_RX_CSUM] = {"rx-checksumming", "rx-csum", "rx-checksum"},
	[PD_NIC_TX_CSUM] = {"tx-checksumming", "tx-csum", "tx-checksum-*"},
	[PD_NIC_TSO] = {"tcp-segmentation-offload", "TSO", "tx-tcp*-segmentation"},
	[PD_NIC_GSO] = {"generic-segmentation-offload", "GSO", "tx-generic-segmentation"},
	[PD_NIC_GRO] = {"generic-receive-offload", "GRO", "rx-gro"},
	[PD_NIC_LRO] = {"large-receive-offload", "LRO", "rx-lro"},
	[PD_NIC_RX_VLAN] = {"rx-vlan-offload", "rx-vlan", "rx-vlan-hw-parse"},
};

const char *pd_nic_group_name(int g)
{
	return g >= 0 && g < PD_NIC__GROUPS ? groups[g].name : "?";
}

const char *pd_nic_group_short(int g)
{
	return g >= 0 && g < PD_NIC__GROUPS ? groups[g].shortname : "?";
}

/* Make the sockets, inside @netns when given (include/pktdoctor/netns.h). */
static int open_sockets(struct pd_nic *n, const char *netns, char *err, size_t errlen)
{
	struct pd_netns_saved saved;
	int rc;

	rc = pd_netns_enter(netns, &saved, err, errlen);
	if (rc)
		return rc;
	n->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	n->nl = mnl_socket_open(NETLINK_ROUTE);
	if (n->ioctl_fd < 0 || !n->nl || mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		snprintf(err, errlen, "cannot open a netlink socket: %s", strerror(errno));
		rc = -PD_EOPEN;
	}
	if (pd_netns_leave(&saved)) {
		/* cannot happen short of a kernel bug; never go on in the wrong namespace */
		snprintf(err, errlen, "cannot return to the own network namespace after opening "
			 "the sockets in %s", netns);
		rc = -PD_EPERM;
	}
	return rc;
}

int pd_nic_open(struct pd_nic **out, const char *iface, const char *netns, char *err,
		size_t errlen)
{
	struct pd_nic *n;
	struct pd_nic_info probe;
	int rc;

	*out = 0;
	if (!iface || strlen(iface) >= IFNAMSIZ) {
		snprintf(err, errlen, "bad interface name");
		return -PD_EOPEN;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -PD_ENOMEM;
	n->ioctl_fd = -1;
	snprintf(n->iface, sizeof(n->iface), "%s", iface);
	n->seq = (unsigned)time(0);
	rc = open_sockets(n, netns, err, errlen);
	if (!rc)
		rc = pd_nic_read(n, &probe, err, errlen);
	if (rc) {
		pd_nic_close(n);
		return rc;
	}
	*out = n;
	return 0;
}

void pd_nic_close(struct pd_nic *n)
{
	if (!n)
		return;
	if (n->ioctl_fd >= 0)
		close(n->ioctl_fd);
	if (n->nl)
		mnl_socket_close(n->nl);
	free(n);
}

static int ethtool_ioctl(struct pd_nic *n, void *cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", n->iface);
	ifr.ifr_data = cmd;
	return ioctl(n->ioctl_fd, SIOCETHTOOL, &ifr);
}

static bool bit(const struct ethtool_get_features_block *b, unsigned i, unsigned which)
{
	const struct ethtool_get_features_block *blk = &b[i / 32];
	uint32_t m = 1u << (i % 32);
	uint32_t w = which == 0 ? blk->available
		     : which == 1 ? blk->requested
		     : which == 2 ? blk->active : blk->never_changed;

	return (w & m) != 0;
}

/* ETHTOOL_GSSET_INFO -> ETHTOOL_GSTRINGS -> ETHTOOL_GFEATURES. */
static void read_features(struct pd_nic *n, struct pd_nic_info *o)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t count;
	} ss;
	struct ethtool_gstrings *names = 0;
	struct ethtool_gfeatures *feat = 0;
	uint32_t count, blocks;

	memset(&ss, 0, sizeof(ss));
	ss.hdr.cmd = ETHTOOL_GSSET_INFO;
	ss.hdr.sset_mask = 1ULL << ETH_SS_FEATURES;
	if (ethtool_ioctl(n, &ss) < 0 || !ss.hdr.sset_mask)
		return;
	count = ss.count;
	if (count == 0 || count > 4096)
		return;
	blocks = (count + 31) / 32;
	names = calloc(1, sizeof(*names) + (size_t)count * ETH_GSTRING_LEN);
	feat = calloc(1, sizeof(*feat) + blocks * sizeof(feat->features[0]));
	if (!names || !feat)
		goto out;
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_FEATURES;
	names->len = count;
	feat->cmd = ETHTOOL_GFEATURES;
	feat->size = blocks;
	if (ethtool_ioctl(n, names) < 0 || ethtool_ioctl(n, feat) < 0)
		goto out;
	o->have_features = true;
	for (uint32_t i = 0; i < count && i < names->len; i++) {
		const char *nm = (const char *)names->data + (size_t)i * ETH_GSTRING_LEN;
		struct pd_nic_feature *x;

		if (!nm[0] || o->n_features >= PD_NIC_MAX_FEATURES)
			continue;
		x = &o->features[o->n_features++];
		snprintf(x->name, sizeof(x->name), "%.*s", ETH_GSTRING_LEN, nm);
		x->active = bit(feat->features, i, 2);
		x->requested = bit(feat->features, i, 1);
		x->fixed = !bit(feat->features, i, 0) || bit(feat->features, i, 3);
	}
	/* ethtool -k: a group line is "on" when any member is active; a group of
	 * one feature is printed as that feature, with its [fixed] and
	 * [requested ...]; a larger group line carries neither */
	for (int g = 0; g < PD_NIC__GROUPS; g++) {
		struct pd_nic_group_state *s = &o->group[g];
		const struct pd_nic_feature *only = 0;

		for (unsigned i = 0; i < o->n_features; i++) {
			const struct pd_nic_feature *x = &o->features[i];

			if (fnmatch(groups[g].pattern, x->name, 0) != 0)
				continue;
			s->members++;
			s->present = true;
			s->active |= x->active;
			s->requested |= x->requested;
			only = x;
		}
		if (s->members == 1) {
			s->fixed = only->fixed;
			s->requested = only->requested;
		}
	}
out:
	free(names);
	free(feat);
}

static void read_speed(struct pd_nic *n, struct pd_nic_info *o)
{
	struct ethtool_cmd ec;

	o->speed_mbps = -1;
	o->duplex = -1;
	memset(&ec, 0, sizeof(ec));
	ec.cmd = ETHTOOL_GSET;
	if (ethtool_ioctl(n, &ec) < 0)
		return;
	{
		uint32_t sp = ethtool_cmd_speed(&ec);

		if (sp != 0 && sp != (uint32_t)SPEED_UNKNOWN)
			o->speed_mbps = sp;
	}
	if (ec.duplex == DUPLEX_HALF || ec.duplex == DUPLEX_FULL)
		o->duplex = ec.duplex == DUPLEX_FULL;
}

static const char *operstate_name(unsigned v)
{
	static const char *const names[] = {"unknown", "notpresent", "down", "lowerlayerdown",
					    "testing", "dormant", "up"};

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

static int link_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(attr);

	if (type > PD_IFLA_ATTR_MAX)
		return MNL_CB_OK;
	tb[type] = attr;
	return MNL_CB_OK;
}

static uint32_t attr_u32(const struct nlattr *a)
{
	return a && mnl_attr_get_payload_len(a) >= 4 ? mnl_attr_get_u32(a) : 0;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pd_nic_info *o = data;
	const struct nlattr *tb[PD_IFLA_ATTR_MAX + 1];
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	memset(tb, 0, sizeof(tb));
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr, tb);
	o->ifindex = ifm->ifi_index;
	o->admin_up = (ifm->ifi_flags & IFF_UP) != 0;
	o->carrier = (ifm->ifi_flags & IFF_LOWER_UP) != 0;
	o->mtu = attr_u32(tb[IFLA_MTU]);
	snprintf(o->operstate, sizeof(o->operstate), "%s",
		 tb[IFLA_OPERSTATE] ? operstate_name(mnl_attr_get_u8(tb[IFLA_OPERSTATE]))
				    : "unknown");
	o->gso_max_size = attr_u32(tb[IFLA_GSO_MAX_SIZE]);
	o->gso_max_segs = attr_u32(tb[IFLA_GSO_MAX_SEGS]);
	o->gro_max_size = attr_u32(tb[IFLA_GRO_MAX_SIZE]);
	o->tso_max_size = attr_u32(tb[IFLA_TSO_MAX_SIZE]);
	o->tso_max_segs = attr_u32(tb[IFLA_TSO_MAX_SEGS]);
	o->gso_ipv4_max_size = attr_u32(tb[PD_IFLA_GSO_IPV4_MAX_SIZE]);
	o->gro_ipv4_max_size = attr_u32(tb[PD_IFLA_GRO_IPV4_MAX_SIZE]);
	if (tb[IFLA_STATS64] &&
	    mnl_attr_get_payload_len(tb[IFLA_STATS64]) >= sizeof(struct rtnl_link_stats64)) {
		struct rtnl_link_stats64 st;

		/* attribute payloads are only 4-byte aligned */
		memcpy(&st, mnl_attr_get_payload(tb[IFLA_STATS64]), sizeof(st));
		o->have_stats = true;
		o->rx_packets = st.rx_packets;
		o->rx_bytes = st.rx_bytes;
		o->tx_packets = st.tx_packets;
		o->tx_bytes = st.tx_bytes;
		o->rx_dropped = st.rx_dropped;
		o->rx_missed_errors = st.rx_missed_errors;
		o->rx_fifo_errors = st.rx_fifo_errors;
		o->rx_errors = st.rx_errors;
	}
	return MNL_CB_OK;
}

/* RTM_GETLINK for one interface by name. */
static int read_link(struct pd_nic *n, struct pd_nic_info *o, char *err, size_t errlen)
{
	char buf[32768]; /* one RTM_NEWLINK answer; MNL_SOCKET_BUFFER_SIZE is not constant */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;
	unsigned seq = ++n->seq, portid = mnl_socket_get_portid(n->nl);
	ssize_t len;
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, n->iface);
	if (mnl_socket_sendto(n->nl, nlh, nlh->nlmsg_len) < 0) {
		snprintf(err, errlen, "%s: rtnetlink: %s", n->iface, strerror(errno));
		return -PD_EOPEN;
	}
	len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
	if (len < 0) {
		snprintf(err, errlen, "%s: rtnetlink: %s", n->iface, strerror(errno));
		return -PD_EOPEN;
	}
	rc = mnl_cb_run(buf, (size_t)len, seq, portid, link_cb, o);
	if (rc < 0) {
		snprintf(err, errlen, "%s: %s", n->iface,
			 errno == ENODEV ? "no such interface" : strerror(errno));
		return -PD_EOPEN;
	}
	return 0;
}

int pd_nic_read(struct pd_nic *n, struct pd_nic_info *out, char *err, size_t errlen)
{
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->iface, sizeof(out->iface), "%s", n->iface);
	rc = read_link(n, out, err, errlen);
	if (rc)
		return rc;
	read_speed(n, out);
	read_features(n, out);
	return 0;
}

const struct pd_nic_feature *pd_nic_feature(const struct pd_nic_info *i, const char *name)
{
	for (unsigned k = 0; k < i->n_features; k++)
		if (!strcmp(i->features[k].name, name))
			return &i->features[k];
	return 0;
}

bool pd_nic_config_equal(const struct pd_nic_info *a, const struct pd_nic_info *b)
{
	if (a->mtu != b->mtu || a->admin_up != b->admin_up || a->carrier != b->carrier ||
	    a->speed_mbps != b->speed_mbps || a->gso_max_size != b->gso_max_size ||
	    a->gro_max_size != b->gro_max_size || a->tso_max_size != b->tso_max_size ||
	    a->n_features != b->n_features || strcmp(a->operstate, b->operstate))
		return false;
	for (unsigned k = 0; k < a->n_features; k++)
		if (a->features[k].active != b->features[k].active ||
		    a->features[k].requested != b->features[k].requested ||
		    a->features[k].fixed != b->features[k].fixed ||
		    strcmp(a->features[k].name, b->features[k].name))
			return false;
	return true;
}
