#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tshark-tcp-facts.sh - record tshark's TCP analysis of a capture, one line
# per TCP frame, so tests can compare pktdoctor with tshark without
# needing tshark at test time.
#   scripts/tshark-tcp-facts.sh captures/X.pcap > captures/X.tshark-tcp.tsv
# Columns (tab-separated, "1" = tshark set the flag):
#   frame time_relative src srcport dst dstport tcp_len mss retransmission
#   fast_retransmission spurious_retransmission out_of_order lost_segment
#   duplicate_ack zero_window
set -euo pipefail
f=$1
echo "# $(tshark --version 2>/dev/null | head -1): TCP analysis of $(basename "$f")"
echo "# frame	time	src	sport	dst	dport	len	mss	retx	fast	spurious	ooo	lost	dupack	zerowin"
tshark -n -r "$f" -Y tcp -T fields -E separator=/t -E occurrence=f \
	-e frame.number -e frame.time_relative -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport \
	-e tcp.len -e tcp.options.mss_val -e tcp.analysis.retransmission \
	-e tcp.analysis.fast_retransmission -e tcp.analysis.spurious_retransmission \
	-e tcp.analysis.out_of_order -e tcp.analysis.lost_segment -e tcp.analysis.duplicate_ack \
	-e tcp.analysis.zero_window 2>/dev/null
