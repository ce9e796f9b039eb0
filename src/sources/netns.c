/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netns.c - enter a named network namespace and come back (netns.h).
 *
 * iproute2 keeps a named namespace alive by bind-mounting its nsfs file
 * on /run/netns/NAME; setns(2) with CLONE_NEWNET moves the calling
 * thread into it.  The caller's own namespace is saved as an open
 * descriptor of /proc/thread-self/ns/net first, so going back does not
 * depend on any name.  The live sources enter by name; the prober opens
 * the namespace once (pd_netns_open()) and enters it by that descriptor
 * each time it opens a socket there.
 */
#define _GNU_SOURCE /* setns */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "pktdoctor/netns.h"

#define NETNS_RUN_DIR "/run/netns"

int pd_netns_open(const char *name, int *fd, char *err, size_t errlen)
{
	char path[sizeof(NETNS_RUN_DIR) + 256];

	*fd = -1;
	if (!name || !*name)
		return 0;
	if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0 ||
	    strlen(name) > 255) {
		snprintf(err, errlen, "network namespace \"%s\": not a namespace name "
			 "(a name from `ip netns list`)", name);
		return -PD_EUSAGE;
	}
	snprintf(path, sizeof(path), "%s/%s", NETNS_RUN_DIR, name);
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	if (errno == EACCES || errno == EPERM) {
		snprintf(err, errlen, "network namespace %s: %s: %s (run as root)", name, path,
			 strerror(errno));
		return -PD_EPERM;
	}
	snprintf(err, errlen, "no such network namespace: %s (%s: %s; see `ip netns list`)", name,
		 path, strerror(errno));
	return -PD_EOPEN;
}

int pd_netns_enter_fd(int nsfd, const char *name, struct pd_netns_saved *saved, char *err,
		      size_t errlen)
{
	int e;

	saved->fd = -1;
	if (nsfd < 0)
		return 0;
	saved->fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved->fd < 0)
		saved->fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (saved->fd < 0) {
		e = errno;
		snprintf(err, errlen, "network namespace %s: cannot save the current namespace: %s",
			 name, strerror(e));
		return e == EACCES || e == EPERM ? -PD_EPERM : -PD_EIO;
	}
	if (setns(nsfd, CLONE_NEWNET) == 0)
		return 0;
	e = errno;
	if (e == EPERM)
		snprintf(err, errlen, "network namespace %s: entering it needs "
			 "CAP_SYS_ADMIN: run as root", name);
	else if (e == EINVAL)
		snprintf(err, errlen, "%s/%s is not a network namespace", NETNS_RUN_DIR, name);
	else
		snprintf(err, errlen, "network namespace %s: setns: %s", name, strerror(e));
	close(saved->fd);
	saved->fd = -1;
	return e == EPERM ? -PD_EPERM : e == EINVAL ? -PD_EOPEN : -PD_EIO;
}

int pd_netns_enter(const char *name, struct pd_netns_saved *saved, char *err, size_t errlen)
{
	int fd, rc;

	saved->fd = -1;
	rc = pd_netns_open(name, &fd, err, errlen);
	if (rc || fd < 0)
		return rc;
	rc = pd_netns_enter_fd(fd, name, saved, err, errlen);
	close(fd);
	return rc;
}

int pd_netns_leave(struct pd_netns_saved *saved)
{
	int rc = 0;

	if (saved->fd < 0)
		return 0;
	if (setns(saved->fd, CLONE_NEWNET) != 0)
		rc = -PD_EIO;
	close(saved->fd);
	saved->fd = -1;
	return rc;
}
