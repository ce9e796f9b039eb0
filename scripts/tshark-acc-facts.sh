#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tshark-acc-facts.sh - record what tshark reads in a capture of
# captures/acc-lab/, one line per IP frame, so tests/acc_test.sh can check
# pktdoctor against tshark without tshark at test time.
#   scripts/tshark-acc-facts.sh captures/X.pcap > captures/X.tshark-acc.tsv
# Columns (tab-separated; checksum status 1 good, 0 bad, as tshark -T
# fields prints it, with checksum validation on; flags "1" when set;
# only the first value of a field, i.e. the outer header of an ICMP error):
#   frame time src dst vlan ttl frame_len tcp_stream tcp_len syn fin rst
#   retransmission fast_retransmission tcp_csum udp_csum ip_id
set -euo pipefail
f=$1
echo "# $(tshark --version 2>/dev/null | head -1): facts of $(basename "$f")"
echo "# frame	time	src	dst	vlan	ttl	frame_len	stream	tcp_len	syn	fin	rst	retx	fast	tcp_csum	udp_csum	ip_id"
tshark -n -r "$f" -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE \
	-Y 'ip || ipv6' -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e frame.time_relative -e _ws.col.Source -e _ws.col.Destination -e vlan.id \
	-e ip.ttl -e frame.len -e tcp.stream -e tcp.len -e tcp.flags.syn -e tcp.flags.fin \
	-e tcp.flags.reset -e tcp.analysis.retransmission -e tcp.analysis.fast_retransmission \
	-e tcp.checksum.status -e udp.checksum.status -e ip.id 2>/dev/null |
	awk -F'\t' 'BEGIN {OFS = "\t"} {for (i = 10; i <= 12; i++) if ($i == "True") $i = 1; else if ($i == "False") $i = 0; print}'
