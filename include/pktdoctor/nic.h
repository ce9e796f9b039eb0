/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * nic.h - the NIC as the kernel sees it: link state and speed, MTU,
 * offload features (active, requested, fixed, as `ethtool -k` prints
 * them), the GSO/GRO/TSO size limits and the drop counters.
 *
 * Read only, never changed.  Features come from the ethtool ioctl
 * (SIOCETHTOOL: ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS for ETH_SS_FEATURES,
 * ETHTOOL_GFEATURES), speed from ETHTOOL_GSET, the rest from rtnetlink
 * (RTM_GETLINK through libmnl: IFLA_MTU, IFLA_OPERSTATE, IFLA_STATS64,
 * IFLA_GSO_MAX_SIZE, IFLA_GRO_MAX_SIZE, IFLA_TSO_MAX_SIZE ...).  None of
 * it needs a privilege.  The sockets are made inside the network
 * namespace given at open (a socket stays in the namespace it was made
 * in), so later reads need neither setns() nor a capability.
 */
#ifndef PKTDOCTOR_NIC_H
#define PKTDOCTOR_NIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The ethtool -k legacy groups, in the order ethtool prints them. */
enum pd_nic_group {
	PD_NIC_RX_CSUM,   /* rx-checksumming: rx-checksum */
	PD_NIC_TX_CSUM,   /* tx-checksumming: tx-checksum-* */
	PD_NIC_TSO,       /* tcp-segmentation-offload: tx-tcp*-segmentation */
	PD_NIC_GSO,       /* generic-segmentation-offload: tx-generic-segmentation */
	PD_NIC_GRO,       /* generic-receive-offload: rx-gro */
	PD_NIC_LRO,       /* large-receive-offload: rx-lro */
	PD_NIC_RX_VLAN,   /* rx-vlan-offload: rx-vlan-hw-parse */
	PD_NIC__GROUPS
};

/** One offload feature bit (ETH_SS_FEATURES string). */
struct pd_nic_feature {
	char name[32];        /* "tx-checksum-ip-generic" ... */
	bool active;          /* what the device does now */
	bool requested;       /* what was asked for (ethtool -K) */
	bool fixed;           /* cannot be changed: not available or never_changed */
};

/** A legacy group as `ethtool -k` prints it: on if any member is active;
 * a group of one feature (rx-checksumming, GSO, GRO, LRO, rx-vlan) also
 * has that feature's [fixed] and requested state; a larger group line
 * (tx-checksumming, TSO) has neither: its members carry them. */
struct pd_nic_group_state {
	bool present;         /* the device has at least one member */
	unsigned members;     /* features in the group */
	bool active;          /* any member active */
	bool requested;       /* any member requested (one member: that one) */
	bool fixed;           /* one member, and it is fixed */
};

#define PD_NIC_MAX_FEATURES 128

struct pd_nic_info {
	char iface[32];
	int ifindex;
	bool admin_up;        /* IFF_UP */
	bool carrier;         /* IFF_LOWER_UP */
	char operstate[16];   /* RFC 2863 IF_OPER_*: "up", "down", "lowerlayerdown"... */
	int64_t speed_mbps;   /* Mb/s, -1 unknown (veth: 10000) */
	int duplex;           /* 0 half, 1 full, -1 unknown */
	uint32_t mtu;         /* bytes */
	/* size limits, bytes (segments for the *_segs); 0 = not reported */
	uint32_t gso_max_size, gso_max_segs, gro_max_size, tso_max_size, tso_max_segs;
	uint32_t gso_ipv4_max_size, gro_ipv4_max_size;
	/* IFLA_STATS64 counters */
	bool have_stats;
	uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
	uint64_t rx_dropped;       /* dropped by the kernel/driver (no buffer, ...) */
	uint64_t rx_missed_errors; /* missed by the NIC (FIFO/ring full) */
	uint64_t rx_fifo_errors;   /* receive FIFO overruns */
	uint64_t rx_errors;
	/* offload features */
	bool have_features;        /* the ethtool ioctl answered */
	unsigned n_features;
	struct pd_nic_feature features[PD_NIC_MAX_FEATURES];
	struct pd_nic_group_state group[PD_NIC__GROUPS];
};

struct pd_nic;

/**
 * pd_nic_open() - prepare to read one interface.
 * @out: set to the handle.
 * @iface: interface name.
 * @netns: named network namespace (/run/netns/NAME), or NULL for the
 *         caller's own.  Entering it needs CAP_SYS_ADMIN; the thread
 *         returns to its own namespace before this returns.
 * @err: message buffer of @errlen bytes.
 * Return: 0, -PD_EOPEN (no such interface or namespace), -PD_EPERM
 * (cannot enter the namespace), -PD_ENOMEM.
 */
int pd_nic_open(struct pd_nic **out, const char *iface, const char *netns, char *err,
		size_t errlen);

/**
 * pd_nic_read() - read the interface's state now.
 * Return: 0, or -PD_EOPEN when the interface has gone (@err says so).
 * Features or speed that the device does not report are left unknown
 * (have_features false, speed -1), which is not an error.
 */
int pd_nic_read(struct pd_nic *n, struct pd_nic_info *out, char *err, size_t errlen);

/** pd_nic_close() - close the sockets (NULL is allowed). */
void pd_nic_close(struct pd_nic *n);

/** pd_nic_group_name() - "tx-checksumming", ... as `ethtool -k` names it. */
const char *pd_nic_group_name(int g);

/** pd_nic_group_short() - "tx-csum", "TSO", ... for an 80-column header. */
const char *pd_nic_group_short(int g);

/** pd_nic_feature() - a feature by its ethtool name, or NULL. */
const struct pd_nic_feature *pd_nic_feature(const struct pd_nic_info *i, const char *name);

/**
 * pd_nic_config_equal() - same features, MTU, link and sizes (what a
 * "nic" event is sent again for); counters are not compared.
 */
bool pd_nic_config_equal(const struct pd_nic_info *a, const struct pd_nic_info *b);

#endif
