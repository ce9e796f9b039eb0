#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# tshark-iscsi-facts.sh - record tshark's iSCSI dissection of a capture,
# one line per iSCSI PDU (first PDU of a frame), so tests compare
# pktdoctor with tshark without needing tshark at test time.
#   scripts/tshark-iscsi-facts.sh captures/X.pcap > captures/X.tshark-iscsi.tsv
# Columns: frame time tcp_srcport opcode login_status lun expcmdsn
#          maxcmdsn statsn datasegmentlength expert_messages
set -euo pipefail
f=$1
echo "# $(tshark --version 2>/dev/null | head -1): iSCSI dissection of $(basename "$f")"
echo "# frame	time	sport	opcode	login_status	lun	expcmdsn	maxcmdsn	statsn	dsl	expert"
tshark -n -r "$f" -Y iscsi -T fields -E separator=/t -E occurrence=f \
	-d tcp.port==3260,iscsi -o iscsi.bogus_pdu_max_data_len:1048576 \
	-e frame.number -e frame.time_relative -e tcp.srcport -e iscsi.opcode -e iscsi.login.status \
	-e scsi.lun -e iscsi.expcmdsn -e iscsi.maxcmdsn -e iscsi.statsn -e iscsi.datasegmentlength \
	-e _ws.expert.message 2>/dev/null
