#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tshark-facts.sh - record tshark's reading of an iPXE-lab capture, one line
# per frame, so tests/captures_test.sh compares pktdoctor with tshark
# without needing tshark at test time.
#   captures/ipxe-lab/tshark-facts.sh captures/X.pcap > captures/X.tshark-ipxe.tsv
# TCP port 514 is decoded as syslog (tshark does not parse RFC 6587 octet
# counting: such messages keep their "LEN " prefix and have no level).
# Columns: frame time src_mac arp_op arp_spa arp_tpa icmpv6_type dhcp_type
#          dhcp_requested_ip dhcp_yiaddr dhcp_message tcp_flags tcp_dstport
#          tcp_len tcp_retransmission iscsi_opcode scsi_opcode tftp_opcode
#          syslog_level syslog_msg
set -euo pipefail
f=$1
echo "# $(tshark --version 2>/dev/null | head -1): $(basename "$f")"
echo "# frame	time	src_mac	arp_op	arp_spa	arp_tpa	icmpv6_type	dhcp_type	dhcp_requested_ip	dhcp_yiaddr	dhcp_message	tcp_flags	tcp_dstport	tcp_len	tcp_retransmission	iscsi_opcode	scsi_opcode	tftp_opcode	syslog_level	syslog_msg"
tshark -n -r "$f" -d tcp.port==514,syslog -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e frame.time_relative -e eth.src -e sll.src.eth -e arp.opcode \
	-e arp.src.proto_ipv4 -e arp.dst.proto_ipv4 -e icmpv6.type -e dhcp.option.dhcp \
	-e dhcp.option.requested_ip_address -e dhcp.ip.your -e dhcp.option.message \
	-e tcp.flags -e tcp.dstport -e tcp.len -e tcp.analysis.retransmission -e iscsi.opcode \
	-e scsi_sbc.opcode -e tftp.opcode -e syslog.level -e syslog.msg 2>/dev/null |
	awk -F'\t' 'BEGIN {OFS = "\t"} {
		mac = $3 != "" ? $3 : $4
		printf "%s\t%s\t%s", $1, $2, mac
		for (i = 5; i <= NF; i++) printf "\t%s", $i
		printf "\n" }'
