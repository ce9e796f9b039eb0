/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netns.h - enter a named network namespace (iproute2's /run/netns/NAME)
 * for the time it takes to open sockets, then return.
 *
 * A socket keeps the namespace it was created in, so a live capture, the
 * prober and the monitor open their sockets inside the lab's namespace
 * and go back: one command reaches a lab's interfaces.  setns(2) changes
 * the namespace of the calling thread only.
 */
#ifndef PKTDOCTOR_NETNS_H
#define PKTDOCTOR_NETNS_H

#include <stddef.h>

/** Where to go back to; from pd_netns_enter(). */
struct pd_netns_saved {
	int fd;   /* /proc/thread-self/ns/net of the caller, or -1 (nothing entered) */
};

/**
 * pd_netns_enter() - move the calling thread into network namespace @name.
 * @name: a name as `ip netns add` makes it (/run/netns/@name); NULL or ""
 *        enters nothing and succeeds.
 * @saved: set for pd_netns_leave(); always safe to pass to it.
 * @err: message naming the namespace and what to do.
 * @errlen: size of @err, bytes.
 * Return: 0; -PD_EOPEN (no such namespace, or not a namespace: the name
 * is listed by `ip netns list`), -PD_EPERM (setns needs CAP_SYS_ADMIN:
 * run as root), -PD_EUSAGE (a name with '/' or "."/".."), -PD_EIO.
 */
int pd_netns_enter(const char *name, struct pd_netns_saved *saved, char *err, size_t errlen);

/**
 * pd_netns_open() - open named network namespace @name, to enter it later
 * with pd_netns_enter_fd() (the prober enters the same namespace for each
 * socket it opens, also after a rename or re-creation of the name).
 * @name: as for pd_netns_enter(); NULL or "" opens nothing and succeeds.
 * @fd: set to a descriptor of /run/netns/@name (the caller closes it), or
 *      -1 when nothing was opened.
 * @err: message naming the namespace and what to do.
 * @errlen: size of @err, bytes.
 * Return: 0; -PD_EOPEN (no such namespace), -PD_EPERM (cannot read it:
 * run as root), -PD_EUSAGE (a name with '/' or "."/"..").
 */
int pd_netns_open(const char *name, int *fd, char *err, size_t errlen);

/**
 * pd_netns_enter_fd() - pd_netns_enter() into the namespace open as @nsfd.
 * @nsfd: from pd_netns_open(); -1 enters nothing and succeeds.
 * @name: its name, for messages.
 * @saved, @err, @errlen: as for pd_netns_enter().
 * Return: 0; -PD_EPERM (setns needs CAP_SYS_ADMIN: run as root), -PD_EOPEN
 * (not a network namespace), -PD_EIO.
 */
int pd_netns_enter_fd(int nsfd, const char *name, struct pd_netns_saved *saved, char *err,
		      size_t errlen);

/**
 * pd_netns_leave() - return to the namespace saved by pd_netns_enter() or
 * pd_netns_enter_fd().
 * Return: 0, or -PD_EIO if the thread could not go back (it is then
 * still in the other namespace: the caller should stop).
 */
int pd_netns_leave(struct pd_netns_saved *saved);

#endif
