#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tshark-boot-facts.sh - record tshark's ARP and syslog dissection of a
# capture, one line per frame, so tests compare pktdoctor with tshark
# without needing tshark at test time.
#   scripts/tshark-boot-facts.sh captures/X.pcap > captures/X.tshark-boot.tsv
# Columns: frame time eth_src arp_opcode arp_src_ip arp_dst_ip ip_src
#          syslog_level syslog_msg dhcp_msg_type dhcp_root_path
set -euo pipefail
f=$1
echo "# $(tshark --version 2>/dev/null | head -1): ARP/syslog dissection of $(basename "$f")"
echo "# frame	time	eth_src	arp_op	arp_spa	arp_tpa	ip_src	syslog_level	syslog_msg	dhcp_type	root_path"
tshark -n -r "$f" -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e frame.time_relative -e eth.src -e arp.opcode -e arp.src.proto_ipv4 \
	-e arp.dst.proto_ipv4 -e ip.src -e syslog.level -e syslog.msg -e dhcp.option.dhcp \
	-e dhcp.option.root_path 2>/dev/null
