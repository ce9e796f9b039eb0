#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# [LEN=BYTES] [REPS=N] [PD=pktdoctor] bench-live.sh PROBE [RATES] - capture drops of the live backends against
# tcpdump at the same offered load.
#
# A veth pair between two network namespaces this script creates
# (pdl-bench-a/-b); every offload off on both ends, so each frame is one
# wire-sized packet; iperf3 -u from a to b for 5 s at each rate (bounded:
# -t 5 and a timeout), with one capture running on the receiving end:
#   - live_source_probe -b afpacket -q (TPACKET_V3 ring, 4 MiB),
#   - live_source_probe -b pcap -q      (libpcap, 4 MiB buffer),
#   - tcpdump -i IF -w /dev/null -B 4096 (libpcap 1.10, 4 MiB buffer),
#   - pktdoctor analyze -i IF (the AF_PACKET ring + the whole analysis),
#     when PD=path/to/pktdoctor is set.
# Prints one table row per run: offered packets (iperf3's count), what
# the capture received and what it says it dropped.  Run as root; the
# namespaces are deleted and every process ended on exit.
set -u
PROBE=${1:?usage: bench-live.sh PROBE [RATES]}
RATES=${2:-"200M 500M 1G 2G"}
LEN=${LEN:-1400}   # UDP payload bytes
NSA=pdl-bench-a
NSB=pdl-bench-b
IFA=pdlbenchA
IFB=pdlbenchB
PIDS=()
TMP=$(mktemp -d /tmp/pdl-bench.XXXXXX)

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del $NSA 2>/dev/null
	ip netns del $NSB 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || { echo "bench-live.sh: run as root" >&2; exit 2; }
ip netns add $NSA && ip netns add $NSB || exit 1
ip link add $IFA netns $NSA type veth peer name $IFB netns $NSB || exit 1
ip -n $NSA addr add 10.208.9.1/24 dev $IFA
ip -n $NSB addr add 10.208.9.2/24 dev $IFB
for ns in $NSA $NSB; do ip -n $ns link set lo up; done
ip -n $NSA link set $IFA up
ip -n $NSB link set $IFB up
# our own fresh veths: no previous setting to restore (deleted on exit)
ip netns exec $NSA ethtool -K $IFA tx off tso off gso off gro off >/dev/null
ip netns exec $NSB ethtool -K $IFB tx off tso off gso off gro off >/dev/null

# run RATE TOOL: offered load at RATE with TOOL capturing on IFB
run() {
	local rate=$1 tool=$2 cpid spid sent recv drop cpu
	case $tool in
	afpacket | pcap)
		ip netns exec $NSB "$PROBE" -i $IFB -b "$tool" -q -t 30 >"$TMP/cap" 2>&1 &
		;;
	pktdoctor)
		ip netns exec $NSB "$PD" analyze -i $IFB -F json --duration 30 >/dev/null 2>"$TMP/cap" &
		;;
	tcpdump)
		# ended below by SIGINT, or by cleanup on any exit
		ip netns exec $NSB tcpdump -i $IFB -n -w /dev/null -B 4096 >"$TMP/cap" 2>&1 &
		;;
	esac
	cpid=$!
	PIDS+=($cpid)
	ip netns exec $NSB timeout 20 iperf3 -s -1 -B 10.208.9.2 >/dev/null 2>&1 &
	spid=$!
	PIDS+=($spid)
	sleep 1
	ip netns exec $NSA timeout 20 iperf3 -u -c 10.208.9.2 -b "$rate" -l "$LEN" -t 5 -J >"$TMP/iperf" 2>&1
	wait $spid 2>/dev/null
	sleep 1.5 # tcpdump's ring hands over a block after 1 s at most
	# CPU seconds of the capture process (utime + stime, clock ticks)
	cpu=$(awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$cpid/stat 2>/dev/null)
	kill -INT $cpid 2>/dev/null
	wait $cpid 2>/dev/null
	sent=$(jq -r '.end.sum.packets // "?"' "$TMP/iperf" 2>/dev/null)
	if [ "$tool" = pktdoctor ]; then
		recv=$(sed -n 's/.*: \([0-9]*\) frames received, .*/\1/p' "$TMP/cap")
		drop=$(sed -n 's/.* received, \([0-9]*\) dropped by the capture.*/\1/p' "$TMP/cap")
	elif [ "$tool" = tcpdump ]; then
		recv=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$TMP/cap")
		drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$TMP/cap")
	else
		recv=$(sed -n 's/^stats received=\([0-9]*\) .*/\1/p' "$TMP/cap")
		drop=$(sed -n 's/.* capture_drops=\([0-9]*\) .*/\1/p' "$TMP/cap")
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$rate" "$tool" "$sent" "${recv:-?}" "${drop:-?}" "${cpu:-?}"
}

echo "| offered (iperf3 -u -l $LEN -t 5) | capture | datagrams sent | frames received | capture drops | capture CPU (s) |"
echo "|---|---|---|---|---|---|"
for rate in $RATES; do
	for ((rep = 0; rep < ${REPS:-1}; rep++)); do
		for tool in afpacket pcap tcpdump ${PD:+pktdoctor}; do
			run "$rate" "$tool"
		done
	done
done
