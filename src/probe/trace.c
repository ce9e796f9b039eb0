/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trace.c - the kernel's own drop reasons, from the skb:kfree_skb
 * tracepoint (include/trace/events/skb.h: "... protocol=%u location=%pS
 * reason: %s"), read through tracefs.  An nftables drop moves no error
 * counter: only this tracepoint names it (NETFILTER_DROP).
 *
 * The event is enabled in a tracefs instance of our own
 * (instances/pktdoctor-PID), so the global trace buffer and whatever
 * other tools set there are left alone; the instance is removed at the
 * end.  When tracefs is not mounted, it is mounted in a private mount
 * namespace of this process only (nothing changes for the rest of the
 * machine).  Where the kernel allows none of this, the caller reports
 * that drop reasons are not available and why.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pktdoctor/error.h"
#include "probe.h"

struct pd_probe_trace {
	char dir[160];      /* the instance directory */
	int pipe;           /* its trace_pipe, non-blocking */
	char carry[512];    /* a partial line from the last read */
};

static bool is_tracefs(const char *root)
{
	char p[200];

	snprintf(p, sizeof(p), "%s/events/skb/kfree_skb", root);
	return access(p, F_OK) == 0;
}

static int write_file(const char *dir, const char *name, const char *val)
{
	char p[256];
	int fd, rc = 0;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -1;
	close(fd);
	return rc;
}

/* tracefs is not mounted: mount it in a mount namespace of our own. */
static const char *mount_private(char *why, size_t whylen)
{
	static const char *const root = "/sys/kernel/tracing";

	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(why, whylen, "tracefs is not mounted and a private mount namespace is "
			 "not allowed (%s); mount -t tracefs nodev /sys/kernel/tracing",
			 strerror(errno));
		return 0;
	}
	/* keep our mounts from propagating back to the host */
	if (mount(0, "/", 0, MS_REC | MS_PRIVATE, 0) != 0 ||
	    mount("nodev", root, "tracefs", 0, 0) != 0) {
		snprintf(why, whylen, "tracefs is not mounted and cannot be (%s)", strerror(errno));
		return 0;
	}
	return root;
}

int pd_probe_trace_open(struct pd_probe_trace **out, char *why, size_t whylen)
{
	static const char *const roots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
	const char *root = 0;
	struct pd_probe_trace *t;
	char p[200];

	*out = 0;
	for (size_t k = 0; k < 2 && !root; k++)
		if (is_tracefs(roots[k]))
			root = roots[k];
	if (!root && access("/sys/kernel/tracing", F_OK) == 0) {
		root = mount_private(why, whylen);
		if (!root)
			return -PD_EUNSUPPORTED;
		if (!is_tracefs(root)) {
			snprintf(why, whylen, "this kernel has no skb:kfree_skb tracepoint");
			return -PD_EUNSUPPORTED;
		}
	}
	if (!root) {
		snprintf(why, whylen, "no tracefs (/sys/kernel/tracing)");
		return -PD_EUNSUPPORTED;
	}
	t = calloc(1, sizeof(*t));
	if (!t)
		return -PD_ENOMEM;
	t->pipe = -1;
	snprintf(t->dir, sizeof(t->dir), "%s/instances/pktdoctor-%ld", root, (long)getpid());
	if (mkdir(t->dir, 0700) != 0 && errno != EEXIST) {
		snprintf(why, whylen, "cannot create a tracefs instance (%s)", strerror(errno));
		free(t);
		return -PD_EUNSUPPORTED;
	}
	/* IPv4 and IPv6 only, in the kernel, so the buffer holds what matters */
	if (write_file(t->dir, "events/skb/kfree_skb/filter",
		       "protocol == 2048 || protocol == 34525") != 0 ||
	    write_file(t->dir, "events/skb/kfree_skb/enable", "1") != 0) {
		snprintf(why, whylen, "cannot enable skb:kfree_skb (%s)", strerror(errno));
		pd_probe_trace_close(t);
		return -PD_EUNSUPPORTED;
	}
	snprintf(p, sizeof(p), "%s/trace_pipe", t->dir);
	t->pipe = open(p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->pipe < 0) {
		snprintf(why, whylen, "cannot read the trace (%s)", strerror(errno));
		pd_probe_trace_close(t);
		return -PD_EUNSUPPORTED;
	}
	*out = t;
	return 0;
}

/* Append @reason to @buf once. */
static void add_reason(char *buf, size_t len, const char *reason)
{
	size_t used = strlen(buf), rl = strlen(reason);
	const char *hit = strstr(buf, reason);

	if (hit && (hit[rl] == 0 || hit[rl] == ','))
		return;
	if (used + rl + 2 > len)
		return;
	snprintf(buf + used, len - used, "%s%s", used ? "," : "", reason);
}

char *pd_probe_trace_collect(struct pd_probe_trace *t, char *buf, size_t len)
{
	char chunk[8192 + 512];
	ssize_t n;

	buf[0] = 0;
	if (!t)
		return buf;
	for (int rounds = 0; rounds < 64; rounds++) {
		size_t carry = strlen(t->carry);
		char *line, *save = 0;

		memcpy(chunk, t->carry, carry);
		n = read(t->pipe, chunk + carry, sizeof(chunk) - carry - 1);
		if (n <= 0)
			break;
		chunk[carry + (size_t)n] = 0;
		t->carry[0] = 0;
		/* keep a trailing partial line for the next read */
		{
			char *last_nl = strrchr(chunk, '\n');

			if (last_nl && last_nl[1]) {
				snprintf(t->carry, sizeof(t->carry), "%s", last_nl + 1);
				last_nl[1] = 0;
			}
		}
		for (line = strtok_r(chunk, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
			char *r = strstr(line, "reason: ");
			char reason[48];

			if (!r || sscanf(r + 8, "%47s", reason) != 1)
				continue;
			if (!strcmp(reason, "NOT_SPECIFIED"))
				continue;
			add_reason(buf, len, reason);
		}
	}
	return buf;
}

void pd_probe_trace_close(struct pd_probe_trace *t)
{
	if (!t)
		return;
	if (t->pipe >= 0)
		close(t->pipe);
	write_file(t->dir, "events/skb/kfree_skb/enable", "0");
	if (rmdir(t->dir) != 0)
		fprintf(stderr, "pktdoctor: could not remove tracefs instance %s: %s\n", t->dir,
			strerror(errno));
	free(t);
}
