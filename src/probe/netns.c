/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netns.c - the privileged side of the prober: network namespaces
 * ("NS:IFACE" names /run/netns/NS as ip-netns(8) does; entered through
 * include/pktdoctor/netns.h, as the live sources do), interface facts,
 * AF_PACKET sockets, and dropping capabilities once the sockets are open
 * (libcap-ng, as tcpdump's droproot() does).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "probe.h"

#ifndef PACKET_VNET_HDR
#define PACKET_VNET_HDR 15 /* linux/if_packet.h */
#endif

int pd_probe_if_parse(struct pd_probe_if *i, const char *spec)
{
	const char *colon = strchr(spec, ':');
	size_t nl = colon ? (size_t)(colon - spec) : 0;
	const char *name = colon ? colon + 1 : spec;

	memset(i, 0, sizeof(*i));
	i->nsfd = -1;
	i->ctlfd = -1;
	if (nl >= sizeof(i->ns) || !*name || strlen(name) >= IFNAMSIZ || strchr(name, '/') ||
	    (colon && (!nl || memchr(spec, '/', nl))))
		return -PD_EUSAGE;
	memcpy(i->ns, spec, nl);
	i->ns[nl] = 0;
	snprintf(i->name, sizeof(i->name), "%s", name);
	return 0;
}

int pd_probe_ns_leave(struct pd_netns_saved *saved)
{
	int rc = pd_netns_leave(saved);

	if (rc)
		fputs("pktdoctor: cannot return to the original network namespace\n", stderr);
	return rc;
}

/* Drivers whose "device" is software: the kernel answers offload
 * requests, no hardware is judged. */
static bool driver_is_virtual(const char *d)
{
	static const char *const v[] = {"veth", "tun", "bridge", "dummy", "macvlan", "ipvlan",
					 "vxlan", "ifb", "vrf", "geneve", "openvswitch", "team",
					 "bonding", "netkit", "macvtap"};

	if (!*d)
		return true; /* no ethtool driver info: loopback and the like */
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
		if (!strcmp(d, v[k]))
			return true;
	return false;
}

static void read_addrs(struct pd_probe_if *i)
{
	struct ifaddrs *ifa, *a;

	if (getifaddrs(&ifa) != 0)
		return;
	for (a = ifa; a; a = a->ifa_next) {
		if (!a->ifa_addr || strcmp(a->ifa_name, i->name) != 0)
			continue;
		if (a->ifa_addr->sa_family == AF_INET && !i->addr4[0]) {
			const struct sockaddr_in *s = (const void *)a->ifa_addr;

			memcpy(i->addr4, &s->sin_addr, 4);
		} else if (a->ifa_addr->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s = (const void *)a->ifa_addr;

			/* a global or unique-local address: link-local needs a scope */
			if (!IN6_IS_ADDR_LINKLOCAL(&s->sin6_addr) && !i->addr6[0])
				memcpy(i->addr6, &s->sin6_addr, 16);
		}
	}
	freeifaddrs(ifa);
}

int pd_probe_if_open(struct pd_probe_if *i, char *err, size_t errlen)
{
	struct ifreq ifr;
	struct ethtool_drvinfo di;
	struct pd_netns_saved saved;
	int fd = -1, rc;

	/* kept open: every later socket enters this very namespace */
	rc = pd_netns_open(i->ns, &i->nsfd, err, errlen);
	if (rc)
		return rc;
	rc = pd_netns_enter_fd(i->nsfd, i->ns, &saved, err, errlen);
	if (rc)
		return rc;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		rc = -PD_EOPEN;
		goto out;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", i->name);
	if (ioctl(fd, SIOCGIFINDEX, &ifr) != 0) {
		snprintf(err, errlen, "no interface %s%s%s", i->name, i->ns[0] ? " in netns " : "",
			 i->ns);
		rc = -PD_EOPEN;
		goto out;
	}
	i->ifindex = ifr.ifr_ifindex;
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) == 0)
		memcpy(i->mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ioctl(fd, SIOCGIFMTU, &ifr) == 0)
		i->mtu = (uint16_t)(ifr.ifr_mtu > 65535 ? 65535 : ifr.ifr_mtu);
	memset(&di, 0, sizeof(di));
	di.cmd = ETHTOOL_GDRVINFO;
	ifr.ifr_data = (void *)&di;
	if (ioctl(fd, SIOCETHTOOL, &ifr) == 0)
		snprintf(i->driver, sizeof(i->driver), "%s", di.driver);
	i->is_virtual = driver_is_virtual(i->driver);
	i->has_8021q = access("/proc/net/vlan/config", F_OK) == 0;
	read_addrs(i);
out:
	if (pd_netns_leave(&saved) && !rc) {
		snprintf(err, errlen, "cannot return to the original network namespace after "
			 "reading %s in netns %s", i->name, i->ns);
		rc = -PD_EIO;
	}
	if (rc == 0)
		i->ctlfd = fd; /* kept for the ethtool ioctls */
	else if (fd >= 0)
		close(fd);
	return rc;
}

void pd_probe_if_close(struct pd_probe_if *i)
{
	if (i->nsfd >= 0)
		close(i->nsfd);
	if (i->ctlfd >= 0)
		close(i->ctlfd);
	i->nsfd = i->ctlfd = -1;
}

int pd_probe_packet_socket(const struct pd_probe_if *i, int kind, char *err, size_t errlen)
{
	bool vnet_hdr = kind == PD_PSOCK_SEND_VNET, capture = kind == PD_PSOCK_CAPTURE;
	struct sockaddr_ll sll;
	struct pd_netns_saved saved;
	int fd, one = 1, rc;

	rc = pd_netns_enter_fd(i->nsfd, i->ns, &saved, err, errlen);
	if (rc)
		return rc;
	/* protocol 0: a send-only socket receives nothing; ETH_P_ALL: capture */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, capture ? htons(ETH_P_ALL) : 0);
	if (fd < 0) {
		rc = errno == EPERM || errno == EACCES ? -PD_EPERM : -PD_EOPEN;
		snprintf(err, errlen, "AF_PACKET socket on %s: %s%s", i->name, strerror(errno),
			 rc == -PD_EPERM ? " (needs CAP_NET_RAW: run as root or "
					   "setcap cap_net_raw,cap_net_admin+ep pktdoctor)" : "");
		goto out;
	}
	if (vnet_hdr && setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0) {
		snprintf(err, errlen, "PACKET_VNET_HDR on %s: %s", i->name, strerror(errno));
		close(fd);
		fd = -1;
		rc = -PD_EOPEN;
		goto out;
	}
	memset(&sll, 0, sizeof(sll));
	sll.sll_family = AF_PACKET;
	sll.sll_ifindex = i->ifindex;
	sll.sll_protocol = capture ? htons(ETH_P_ALL) : 0;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) != 0) {
		snprintf(err, errlen, "bind AF_PACKET to %s: %s", i->name, strerror(errno));
		close(fd);
		fd = -1;
		rc = -PD_EOPEN;
		goto out;
	}
	rc = fd;
out:
	if (pd_netns_leave(&saved)) {
		if (rc >= 0)
			close(rc);
		snprintf(err, errlen, "cannot return to the original network namespace after "
			 "opening an AF_PACKET socket on %s in netns %s", i->name, i->ns);
		rc = -PD_EIO;
	}
	return rc;
}

int pd_probe_check_caps(bool need_admin, char *err, size_t errlen)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_RAW)) {
		snprintf(err, errlen, "sending crafted frames needs CAP_NET_RAW: run as root, or "
			 "setcap cap_net_raw,cap_net_admin+ep on the pktdoctor binary");
		return -PD_EPERM;
	}
	if (need_admin && !capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN)) {
		snprintf(err, errlen, "--toggle changes offload settings and needs CAP_NET_ADMIN: "
			 "run as root, or setcap cap_net_raw,cap_net_admin+ep on the binary");
		return -PD_EPERM;
	}
	return 0;
}

int pd_probe_drop_privileges(bool keep_net_admin, bool keep_sys_admin, char *err,
			     size_t errlen)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (keep_net_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	if (keep_sys_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_SYS_ADMIN);
	if (capng_apply(CAPNG_SELECT_BOTH) != 0) {
		snprintf(err, errlen, "libcap-ng could not drop capabilities");
		return -PD_EPERM;
	}
	return 0;
}
