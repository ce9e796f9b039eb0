/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * live.c - pd_source_open_live(): the checks every live backend shares
 * (interface name, network namespace, the interface exists and is up)
 * and the choice of backend: the AF_PACKET ring on Linux for
 * PD_LIVE_AUTO, libpcap where the ring is not available.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "live.h"
#include "pktdoctor/error.h"
#include "pktdoctor/netns.h"

void pd_live_perm_message(char *err, size_t errlen, const char *iface)
{
	snprintf(err, errlen,
		 "%s: capturing needs CAP_NET_RAW: run as root, or give the binary the "
		 "capability (setcap cap_net_raw+ep /path/to/pktdoctor), or analyse a capture "
		 "file instead (pktdoctor analyze FILE)",
		 iface);
}

int pd_live_wait(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int n;

	if (timeout_ms < 0)
		return 0;
	n = poll(&p, 1, timeout_ms);
	if (n <= 0)
		return 0; /* timeout, or EINTR: the caller looks at its signal flag */
	if (p.revents & (POLLERR | POLLHUP | POLLNVAL)) {
		int e = 0;
		socklen_t el = sizeof(e);

		if (p.revents & POLLNVAL)
			return -EBADF;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e)
			return -e;
		if (!(p.revents & POLLIN))
			return -EIO;
	}
	return 1;
}

/* The interface exists in the current namespace and is up. */
static int check_iface(const char *iface, const char *netns, char *err, size_t errlen)
{
	struct ifreq ifr;
	int fd, rc = 0;

	if (strcmp(iface, "any") == 0)
		return 0;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0; /* no socket to ask with: let the backend report */
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, iface, strlen(iface)); /* length checked: < IFNAMSIZ */
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0) {
		if (errno == ENODEV || errno == ENXIO)
			snprintf(err, errlen, "no such interface: %s%s%s (see `ip%s%s link`)",
				 iface, netns ? " in network namespace " : "", netns ? netns : "",
				 netns ? " -n " : "", netns ? netns : "");
		else
			snprintf(err, errlen, "%s: cannot read the interface flags: %s", iface,
				 strerror(errno));
		rc = -PD_EOPEN;
	} else if (!(ifr.ifr_flags & IFF_UP)) {
		snprintf(err, errlen, "%s: the interface is down (ip%s%s link set %s up)", iface,
			 netns ? " -n " : "", netns ? netns : "", iface);
		rc = -PD_EOPEN;
	}
	close(fd);
	return rc;
}

int pd_source_open_live(struct pd_source **out, const struct pd_live_opts *o, char *err,
			size_t errlen)
{
	struct pd_live_opts lo;
	struct pd_netns_saved saved;
	const char *netns;
	int rc, lrc;

	*out = 0;
	if (!o || !o->iface || !*o->iface || strlen(o->iface) >= IFNAMSIZ ||
	    strchr(o->iface, '/')) {
		snprintf(err, errlen, "\"%s\": not an interface name (at most %d characters)",
			 o && o->iface ? o->iface : "", IFNAMSIZ - 1);
		return -PD_EUSAGE;
	}
	lo = *o;
	if (lo.snaplen <= 0 || lo.snaplen > PD_LIVE_SNAPLEN_DEFAULT)
		lo.snaplen = PD_LIVE_SNAPLEN_DEFAULT;
	if (lo.snaplen < 64)
		lo.snaplen = 64;
	if (lo.buffer_bytes == 0)
		lo.buffer_bytes = PD_LIVE_BUFFER_DEFAULT;
	if (lo.buffer_bytes > PD_LIVE_BUFFER_MAX)
		lo.buffer_bytes = PD_LIVE_BUFFER_MAX;
	if (lo.timeout_ms == 0)
		lo.timeout_ms = PD_LIVE_TIMEOUT_DEFAULT;
	netns = lo.netns && *lo.netns ? lo.netns : 0;

	rc = pd_netns_enter(netns, &saved, err, errlen);
	if (rc)
		return rc;
	rc = check_iface(lo.iface, netns, err, errlen);
	if (rc == 0) {
		switch (lo.backend) {
		case PD_LIVE_PCAP:
			rc = pd_source_open_live_pcap(out, &lo, err, errlen);
			break;
		case PD_LIVE_AFPACKET:
			rc = pd_source_open_afpacket(out, &lo, err, errlen);
			break;
		default:
			/* the ring keeps the offload status; libpcap where it is
			 * not there (not Linux, no TPACKET_V3) */
			rc = pd_source_open_afpacket(out, &lo, err, errlen);
			if (rc == -PD_EUNSUPPORTED)
				rc = pd_source_open_live_pcap(out, &lo, err, errlen);
			break;
		}
	}
	lrc = pd_netns_leave(&saved);
	if (lrc) {
		pd_source_close(*out);
		*out = 0;
		snprintf(err, errlen, "could not return from network namespace %s", netns);
		return lrc;
	}
	return rc;
}
