/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * boot.c - the boot summary: for each host that booted over the network,
 * DHCP exchange -> root path -> TCP connect -> iSCSI login -> first READ
 * -> handover -> OS traffic, each step with its frame and time.
 *
 * It runs last and only joins what the other analyzers published:
 * DHCP clients (by MAC, with the address they were given), iSCSI
 * connections and TCP connections (by the initiator's address), and ARP
 * duplicate-address-detection episodes (by MAC).  A host appears when it
 * did DHCP with a root path or PXE/iPXE identifiers, or logged in to an
 * iSCSI target.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pktdoctor/analyzer.h"
#include "pktdoctor/dhcp.h"
#include "pktdoctor/error.h"
#include "pktdoctor/iscsi.h"

#define MAX_BOOT_HOSTS 256

static int boot_init(struct pd_analysis *a, void **state)
{
	(void)a;
	*state = 0;
	return 0;
}

static void ip_str(const uint8_t *ip, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u.%u", ip[0], ip[1], ip[2], ip[3]);
}

static bool zero4(const uint8_t *ip)
{
	return !(ip[0] | ip[1] | ip[2] | ip[3]);
}

static void set_step(struct pd_boot_host *h, int step, uint64_t frame, int64_t ns)
{
	if (!frame || (h->frame[step] && h->frame[step] <= frame))
		return;
	h->frame[step] = frame;
	h->ns[step] = ns;
}

static struct pd_boot_host *host_for(struct pd_boot_hosts *b, const char *mac, const char *ip)
{
	for (size_t i = 0; i < b->n; i++) {
		struct pd_boot_host *h = &b->v[i];

		if ((mac[0] && !strcmp(h->mac, mac)) || (ip[0] && !strcmp(h->ip, ip)))
			return h;
	}
	if (b->n >= MAX_BOOT_HOSTS)
		return 0;
	memset(&b->v[b->n], 0, sizeof(b->v[0]));
	return &b->v[b->n++];
}

static void mac_str(const uint8_t *m, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

static int boot_finish(void *state, struct pd_analysis *a)
{
	struct pd_boot_hosts *b = &a->boot;
	const struct pd_dhcp_client *dc;
	size_t ndc = 0;

	(void)state;
	b->v = calloc(MAX_BOOT_HOSTS, sizeof(*b->v));
	if (!b->v)
		return -PD_ENOMEM;
	b->n = 0;

	/* 1. DHCP clients that look like network boots */
	dc = pd_dhcp_clients(a, &ndc);
	for (size_t i = 0; i < ndc; i++) {
		const struct pd_dhcp_client *c = &dc[i];
		struct pd_boot_host *h;
		char ip[16] = "";
		bool boots = c->root_path[0] || c->ipxe || c->boot_file[0] ||
			     !strncmp(c->vendor_class, "PXEClient", 9);

		if (!boots)
			continue;
		if (!zero4(c->assigned_ip))
			ip_str(c->assigned_ip, ip, sizeof(ip));
		h = host_for(b, c->hlen == 6 ? c->mac : "", ip);
		if (!h)
			break;
		if (c->hlen == 6)
			snprintf(h->mac, sizeof(h->mac), "%s", c->mac);
		if (ip[0])
			snprintf(h->ip, sizeof(h->ip), "%s", ip);
		set_step(h, PD_BOOT_DHCP_DISCOVER, c->discover_frame, c->discover_ns);
		snprintf(h->detail[PD_BOOT_DHCP_DISCOVER], sizeof(h->detail[0]),
			 "DHCP DISCOVER%s%s%s%s", c->vendor_class[0] ? ", vendor class " : "",
			 c->vendor_class, c->ipxe ? ", iPXE" : "",
			 c->user_class[0] ? ", user class set" : "");
		set_step(h, PD_BOOT_DHCP_ACK, c->ack_frame, c->ack_ns);
		snprintf(h->detail[PD_BOOT_DHCP_ACK], sizeof(h->detail[0]), "DHCP ACK %s%s%.120s", ip,
			 c->root_path[0] ? ", root path " : (c->boot_file[0] ? ", boot file " : ""),
			 c->root_path[0] ? c->root_path : c->boot_file);
	}

	/* 2. iSCSI initiators (the login and the first READ) */
	for (size_t i = 0; a->iscsi && i < a->iscsi->n; i++) {
		const struct pd_iscsi_conn *c = &a->iscsi->v[i];
		struct pd_boot_host *h;
		char ip[48];

		if (c->session_type == PD_ISCSI_SESSION_DISCOVERY || c->addr[0].family != 4)
			continue;
		pd_addr_format(&c->addr[0], ip, sizeof(ip));
		h = host_for(b, "", ip);
		if (!h)
			break;
		snprintf(h->ip, sizeof(h->ip), "%s", ip);
		if (c->state == PD_ISCSI_LOGIN_OK || c->state == PD_ISCSI_LOGIN_FAILED) {
			if (!h->frame[PD_BOOT_ISCSI_LOGIN] || c->login_done_frame < h->frame[PD_BOOT_ISCSI_LOGIN])
				snprintf(h->detail[PD_BOOT_ISCSI_LOGIN], sizeof(h->detail[0]),
					 "iSCSI login %s to %.100s", c->state == PD_ISCSI_LOGIN_OK ? "ok" : "FAILED",
					 c->target_name[0] ? c->target_name : "(target name not seen)");
			set_step(h, PD_BOOT_ISCSI_LOGIN, c->login_done_frame, c->login_done_ns);
		}
		if (c->first_read_frame) {
			set_step(h, PD_BOOT_FIRST_READ, c->first_read_frame, c->first_read_ns);
			snprintf(h->detail[PD_BOOT_FIRST_READ], sizeof(h->detail[0]),
				 "first SCSI READ (CDB 0x%02x)", c->first_read_cdb);
		}
		/* 3. the TCP connection it ran on: its SYN */
		for (size_t k = 0; k < a->conns.n; k++) {
			const struct pd_conn *t = &a->conns.v[k];
			char tip[48];

			if (t->flow_id != c->flow_id || !t->syn_seen)
				continue;
			pd_addr_format(&t->addr[1], tip, sizeof(tip));
			if (!h->frame[PD_BOOT_TCP_CONNECT] || t->first_frame < h->frame[PD_BOOT_TCP_CONNECT])
				snprintf(h->detail[PD_BOOT_TCP_CONNECT], sizeof(h->detail[0]),
					 "TCP connect to %s:%u", tip, t->port[1]);
			set_step(h, PD_BOOT_TCP_CONNECT, t->first_frame, t->first_ns);
		}
	}

	/* 4. handover and OS start, from ARP duplicate-address detection */
	for (size_t i = 0; i < a->arp.n; i++) {
		const struct pd_arp_episode *e = &a->arp.v[i];
		char mac[18], ip[16];
		struct pd_boot_host *h = 0;

		mac_str(e->mac, mac, sizeof(mac));
		ip_str(e->ip, ip, sizeof(ip));
		for (size_t k = 0; k < b->n && !h; k++)
			if (!strcmp(b->v[k].mac, mac) || !strcmp(b->v[k].ip, ip))
				h = &b->v[k];
		if (!h)
			continue; /* not a host we saw boot */
		if (!h->mac[0])
			snprintf(h->mac, sizeof(h->mac), "%s", mac);
		if (e->prev_frame && !h->frame[PD_BOOT_HANDOVER]) {
			set_step(h, PD_BOOT_HANDOVER, e->prev_frame, e->prev_ns);
			snprintf(h->detail[PD_BOOT_HANDOVER], sizeof(h->detail[0]),
				 "last packet before %.1f s of silence (the firmware hands over)",
				 (double)(e->first_probe_ns - e->prev_ns) / 1e9);
		}
		if (!h->frame[PD_BOOT_OS_FIRST]) {
			set_step(h, PD_BOOT_OS_FIRST, e->first_probe_frame, e->first_probe_ns);
			snprintf(h->detail[PD_BOOT_OS_FIRST], sizeof(h->detail[0]),
				 "ARP %s for %s (%u probes, %u announcements)%s",
				 e->probes ? "probe" : "announcement", ip, e->probes, e->announcements,
				 e->conflict ? ", ADDRESS CONFLICT" : "");
			if (e->first_ip_frame) {
				set_step(h, PD_BOOT_OS_IP, e->first_ip_frame, e->first_ip_ns);
				snprintf(h->detail[PD_BOOT_OS_IP], sizeof(h->detail[0]),
					 "first IP packet, %.1f s after the first probe",
					 (double)(e->first_ip_ns - e->first_probe_ns) / 1e9);
			}
		}
	}
	if (!b->n) {
		free(b->v);
		b->v = 0;
	}
	return 0;
}

const struct pd_analyzer_ops pd_analyzer_boot = {
	.name = "boot",
	.init = boot_init,
	.finish = boot_finish,
};
