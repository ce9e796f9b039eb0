/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dhcp.h - what the DHCP analyzer (src/analyzers/dhcp.c) learned about
 * each DHCPv4 client of a capture, published for the boot summary.
 *
 * The analyzer keeps one record per client hardware address (chaddr,
 * RFC 2131 2), at most PD_DHCP_MAX_CLIENTS of them, and at finish copies
 * the list into one heap block that struct pd_analysis owns (field
 * `dhcp`, freed by pd_analysis_free()).  Read it with pd_dhcp_clients().
 */
#ifndef PKTDOCTOR_DHCP_H
#define PKTDOCTOR_DHCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pktdoctor/analyze.h"

#define PD_DHCP_MAX_CLIENTS 4096

/* DHCP message types (option 53, RFC 2132 9.6). */
enum pd_dhcp_msg {
	PD_DHCP_DISCOVER = 1,
	PD_DHCP_OFFER = 2,
	PD_DHCP_REQUEST = 3,
	PD_DHCP_DECLINE = 4,
	PD_DHCP_ACK = 5,
	PD_DHCP_NAK = 6,
	PD_DHCP_RELEASE = 7,
	PD_DHCP_INFORM = 8,
};

/** One DHCPv4 client, by chaddr.  Times are ns since the epoch and frames
 * 1-based; both are 0 when that message was not seen. */
struct pd_dhcp_client {
	uint8_t htype, hlen;        /* hardware type/length of chaddr (1/6: Ethernet) */
	uint8_t chaddr[16];         /* client hardware address, hlen bytes used */
	char mac[48];               /* chaddr as text, "02:79:00:00:11:01" */
	uint32_t xid;               /* transaction id of the client's last message */
	uint32_t discovers, offers, requests, acks, naks; /* messages seen */
	int64_t discover_ns, offer_ns, request_ns, ack_ns, nak_ns; /* first of each */
	uint64_t discover_frame, offer_frame, request_frame, ack_frame, nak_frame;
	uint8_t offered_ip[4];      /* yiaddr of the first OFFER */
	uint8_t assigned_ip[4];     /* yiaddr of the last ACK */
	uint8_t server_id[4];       /* option 54 (server identifier) of the first OFFER,
				     * or of the ACK when no OFFER was seen */
	uint8_t next_server[4];     /* siaddr of the last OFFER/ACK: TFTP/next server */
	char boot_file[128];        /* option 67, else the 'file' field, of the last OFFER/ACK */
	char tftp_server[64];       /* option 66 of the last OFFER/ACK */
	char root_path[256];        /* root path of the last OFFER/ACK that carried one */
	uint8_t root_path_opt;      /* 17, or 43 when it came from sub-option 201; 0 none */
	char vendor_class[64];      /* option 60 the client sent ("PXEClient:Arch:00000:
				     * UNDI:002001", "BRCM ISAN", ...) */
	char user_class[64];        /* option 77 the client sent ("iPXE"), raw bytes */
	uint16_t client_arch;       /* option 93 (RFC 4578) the client sent; valid if has_arch */
	bool has_arch;
	bool ipxe;                  /* the client sent option 175 (iPXE encapsulated options) */
	uint32_t declines;          /* DHCPDECLINEs the client sent (RFC 2131 4.4.1:
				     * the address is already in use) */
	int64_t decline_ns;         /* first DECLINE */
	uint64_t decline_frame;
	uint8_t declined_ip[4];     /* option 50 of the first DECLINE */
	uint64_t ack_after_nak_frame;     /* first ACK after the first NAK, 0 none */
	uint64_t ack_after_decline_frame; /* first ACK after the first DECLINE, 0 none */
	int64_t ack_after_nak_ns, ack_after_decline_ns;
	char nak_message[96];       /* option 56 of the first NAK (RFC 2132 9.9) */
};

/** The published list: one allocation, freed with free(). */
struct pd_dhcp_clients {
	size_t n;                   /* records in v[] */
	uint64_t dropped;           /* clients not tracked: the table was full */
	struct pd_dhcp_client v[];
};

/**
 * pd_dhcp_clients() - the DHCPv4 clients an analysis saw, in order of
 * their first message.
 * @a: a finished analysis (pd_analyze_file()).
 * @n: set to the number of records (0 when there were none).
 * Return: the first record, or NULL when there are none.  Valid until
 * pd_analysis_free(@a).
 */
const struct pd_dhcp_client *pd_dhcp_clients(const struct pd_analysis *a, size_t *n);

#endif
