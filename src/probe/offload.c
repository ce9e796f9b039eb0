/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * offload.c - read and set a device's offload features with the ethtool
 * ioctl (ETHTOOL_GFEATURES / ETHTOOL_SFEATURES, the names from the
 * ETH_SS_FEATURES string set, as `ethtool -k/-K` does).  A request may
 * not take effect (turning tx checksumming off forces TSO off), so every
 * set reads back what is active and returns that.  Every change is
 * logged on standard error; the caller restores what it read first.
 */
#define _GNU_SOURCE
#include <errno.h>
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

static const char *const names[PD_OFF__COUNT][2] = {
	{"rx-checksum", 0},
	{"rx-gro", 0},
	{"tx-checksum-ip-generic", "tx-checksum-ipv4"},
	{"tx-tcp-segmentation", 0},
};

const char *pd_offload_name(int o)
{
	static const char *const short_names[PD_OFF__COUNT] = {"rx-csum", "gro", "tx-csum", "tso"};

	return o >= 0 && o < PD_OFF__COUNT ? short_names[o] : "?";
}

/* A socket in @i's namespace, for SIOCETHTOOL (opened by
 * pd_probe_if_open(), so no namespace is entered here). */
static int eth_socket(const struct pd_probe_if *i)
{
	return i->ctlfd >= 0 ? dup(i->ctlfd) : -1;
}

static int ethtool(int fd, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

/* Index of feature @o in the device's feature strings, or -1. */
static int feature_index(int fd, const char *ifname, int o, unsigned *count)
{
	struct {
		struct ethtool_sset_info hdr;
		uint32_t len;
	} si;
	struct ethtool_gstrings *gs;
	int found = -1;

	memset(&si, 0, sizeof(si));
	si.hdr.cmd = ETHTOOL_GSSET_INFO;
	si.hdr.sset_mask = 1ull << ETH_SS_FEATURES;
	if (ethtool(fd, ifname, &si) != 0 || !si.hdr.sset_mask || !si.len || si.len > 1024)
		return -1;
	gs = calloc(1, sizeof(*gs) + (size_t)si.len * ETH_GSTRING_LEN);
	if (!gs)
		return -1;
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_FEATURES;
	gs->len = si.len;
	if (ethtool(fd, ifname, gs) == 0) {
		for (int alt = 0; alt < 2 && found < 0 && names[o][alt]; alt++)
			for (unsigned k = 0; k < si.len; k++)
				if (!strncmp((const char *)gs->data + (size_t)k * ETH_GSTRING_LEN,
					     names[o][alt], ETH_GSTRING_LEN)) {
					found = (int)k;
					break;
				}
	}
	*count = si.len;
	free(gs);
	return found;
}

/* Active state of bit @idx: 1, 0, or -1 on error. */
static int active(int fd, const char *ifname, int idx, unsigned count)
{
	unsigned blocks = (count + 31) / 32;
	struct ethtool_gfeatures *gf = calloc(1, sizeof(*gf) + blocks * sizeof(gf->features[0]));
	int on = -1;

	if (!gf)
		return -1;
	gf->cmd = ETHTOOL_GFEATURES;
	gf->size = blocks;
	if (ethtool(fd, ifname, gf) == 0)
		on = (gf->features[idx / 32].active >> (idx % 32)) & 1;
	free(gf);
	return on;
}

int pd_offload_get(const struct pd_probe_if *i, int o)
{
	unsigned count = 0;
	int fd = eth_socket(i), idx, rc;

	if (fd < 0)
		return -PD_EIO;
	idx = feature_index(fd, i->name, o, &count);
	rc = idx < 0 ? -PD_EUNSUPPORTED : active(fd, i->name, idx, count);
	close(fd);
	return rc < 0 && rc != -PD_EUNSUPPORTED ? -PD_EIO : rc;
}

int pd_offload_set(const struct pd_probe_if *i, int o, bool on)
{
	unsigned count = 0, blocks;
	int fd = eth_socket(i), idx, rc = -PD_EIO;
	struct ethtool_sfeatures *sf = 0;

	if (fd < 0)
		return -PD_EIO;
	idx = feature_index(fd, i->name, o, &count);
	if (idx < 0) {
		rc = -PD_EUNSUPPORTED;
		goto out;
	}
	blocks = (count + 31) / 32;
	sf = calloc(1, sizeof(*sf) + blocks * sizeof(sf->features[0]));
	if (!sf) {
		rc = -PD_ENOMEM;
		goto out;
	}
	sf->cmd = ETHTOOL_SFEATURES;
	sf->size = blocks;
	sf->features[idx / 32].valid = 1u << (idx % 32);
	sf->features[idx / 32].requested = on ? 1u << (idx % 32) : 0;
	if (ethtool(fd, i->name, sf) < 0) {
		rc = errno == EPERM ? -PD_EPERM : -PD_EIO;
		fprintf(stderr, "pktdoctor: %s%s%s: setting %s %s failed: %s\n", i->ns,
			i->ns[0] ? ":" : "", i->name, names[o][0], on ? "on" : "off", strerror(errno));
		goto out;
	}
	rc = active(fd, i->name, idx, count);
	if (rc < 0)
		rc = -PD_EIO;
	fprintf(stderr, "pktdoctor: %s%s%s: %s requested %s, active %s\n", i->ns,
		i->ns[0] ? ":" : "", i->name, names[o][0], on ? "on" : "off",
		rc == 1 ? "on" : rc == 0 ? "off" : "unknown");
out:
	free(sf);
	close(fd);
	return rc;
}
