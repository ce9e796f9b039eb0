#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# bench-engine.sh - the engine's speed against the read floor and peers,
# on a capture of real traffic of at least 1 GB (issue 8).
#
#  1. Makes the capture: two network namespaces made here (pdb-a, pdb-b)
#     joined by a veth pair; iperf3 sends bulk TCP and then UDP from
#     pdb-a to pdb-b (bounded in bytes and seconds); tcpdump captures on
#     pdb-b.  Segmentation offloads are off on both ends so frames are
#     wire-sized (up to 1514 bytes) as on a real 1500-MTU link.  editcap
#     writes a pcapng copy.  Neither file is kept (they go to $WORK).
#  2. Runs, interleaved, ROUNDS times each on both files:
#       pd_readfloor FILE                 bare pcap_next_ex loop (the floor,
#                                         libpcap opening the file: 4 KiB stdio buffer)
#       pd_readfloor -b 1048576 FILE      the same loop with the 1 MiB stdio
#                                         buffer pktdoctor gives libpcap
#       tcpdump -r FILE -w /dev/null      libpcap read + write
#       pktdoctor analyze -q -F json FILE the full analysis
#       tshark -q -z expert (checksums)   the like-for-like peer (ROUNDS_TSHARK times)
#     and prints medians, ratios to both floors and peak RSS (from
#     /usr/bin/time) as a Markdown table for docs/benchmarks.md.
#
# Needs root (namespaces), iproute2, iperf3, tcpdump, editcap, tshark,
# GNU time.  Nothing here runs in CI.
#
#   sudo scripts/bench-engine.sh [BUILD_DIR]     (default: build-rel, built here)
#   KEEP=1 WORK=DIR ...   keep the captures in DIR; a later run with the
#                         same WORK measures them again without capturing
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:-build-rel}
WORK=${WORK:-$(mktemp -d /tmp/pd-bench.XXXXXX)}
mkdir -p "$WORK"
ROUNDS=${ROUNDS:-5}
ROUNDS_TSHARK=${ROUNDS_TSHARK:-1}
TARGET_MB=${TARGET_MB:-1100}
NS_A=${NS_A:-pdb-a} NS_B=${NS_B:-pdb-b}   # override to run beside another copy
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
	[ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

[ "$(id -u)" -eq 0 ] || { echo "bench-engine.sh: needs root (network namespaces)" >&2; exit 2; }
for t in iperf3 tcpdump editcap tshark /usr/bin/time; do
	command -v "$t" >/dev/null || { echo "bench-engine.sh: $t is missing" >&2; exit 2; }
done

if [ ! -x "$BUILD/pktdoctor" ] || [ ! -x "$BUILD/pd_readfloor" ]; then
	cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DPD_BUILD_TESTS=OFF >/dev/null
	cmake --build "$BUILD" -j2 --target pktdoctor pd_readfloor >/dev/null
fi
PD=$BUILD/pktdoctor
FLOOR=$BUILD/pd_readfloor

# ---- 1. the capture ----
PCAP=$WORK/bulk.pcap
PCAPNG=$WORK/bulk.pcapng
if [ -s "$PCAP" ] && [ -s "$PCAPNG" ]; then
	echo "bench-engine.sh: reusing the capture in $WORK (KEEP=1 kept it)" >&2
else
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip link add pdb-a netns "$NS_A" type veth peer name pdb-b netns "$NS_B"
	ip -n "$NS_A" addr add 10.88.0.1/24 dev pdb-a
	ip -n "$NS_B" addr add 10.88.0.2/24 dev pdb-b
	for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
	ip -n "$NS_A" link set pdb-a up
	ip -n "$NS_B" link set pdb-b up
	ip netns exec "$NS_A" ethtool -K pdb-a tso off gso off >/dev/null
	ip netns exec "$NS_B" ethtool -K pdb-b gro off >/dev/null

	ip netns exec "$NS_B" tcpdump -i pdb-b -s 0 -B 65536 -w "$PCAP" -U >/dev/null 2>"$WORK/tcpdump.err" &
	TCPDUMP=$!
	PIDS+=("$TCPDUMP")
	sleep 1
	# Bulk TCP in rounds of 400 MB at 1.5 Gb/s (a rate tcpdump keeps up with
	# on a busy 2-core machine), until the capture passes TARGET_MB; at most
	# 10 rounds, each bounded in time.
	for ((round = 0; round < 10; round++)); do
		[ "$(($(stat -c %s "$PCAP") / 1048576))" -lt "$TARGET_MB" ] || break
		ip netns exec "$NS_B" timeout 60 iperf3 -s -B 10.88.0.2 -1 >/dev/null 2>&1 &
		PIDS+=($!)
		sleep 0.5
		ip netns exec "$NS_A" timeout 60 iperf3 -c 10.88.0.2 -n 400M -l 64K -b 1500M \
			>/dev/null || true
		sleep 0.5
	done
	# UDP: 1400-byte datagrams, rate and time bounded
	ip netns exec "$NS_B" timeout 30 iperf3 -s -B 10.88.0.2 -1 >/dev/null 2>&1 &
	PIDS+=($!)
	sleep 0.5
	ip netns exec "$NS_A" timeout 30 iperf3 -c 10.88.0.2 -u -b 300M -t 6 -l 1400 >/dev/null || true
	sleep 1
	kill -INT "$TCPDUMP"
	wait "$TCPDUMP" 2>/dev/null || true
	editcap -F pcapng "$PCAP" "$PCAPNG"
fi
size_mb=$(($(stat -c %s "$PCAP") / 1048576))
frames=$("$FLOOR" "$PCAP" | cut -d' ' -f1)
echo "capture: $PCAP $size_mb MiB, $frames frames ($(tail -1 "$WORK/tcpdump.err" 2>/dev/null))" >&2
if [ "$size_mb" -lt 1000 ]; then
	echo "bench-engine.sh: capture is only $size_mb MiB (< 1 GB); raise TARGET_MB" >&2
	exit 1
fi

# ---- 2. the runs ----
# one timed run: prints "cpu_seconds maxrss_kib".  CPU time (user +
# system) rather than wall time: on a shared 2-core machine a process
# waits for a core, and that wait is not the tool's cost.
timed() {
	/usr/bin/time -f '%U %S %M' -o "$WORK/t" "$@" >/dev/null 2>&1 ||
		echo "bench-engine.sh: failed: $*" >&2
	tail -1 "$WORK/t" | awk '{printf "%.2f %d\n", $1 + $2, $3}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

declare -A T M
tools=(floor floor1m tcpdump pktdoctor)
for f in pcap pcapng; do
	file=$PCAP
	[ "$f" = pcapng ] && file=$PCAPNG
	for ((r = 0; r < ROUNDS; r++)); do
		for tool in "${tools[@]}"; do
			case $tool in
			floor) [ "$f" = pcap ] || continue; out=$(timed "$FLOOR" "$file") ;;
			floor1m) [ "$f" = pcap ] || continue; out=$(timed "$FLOOR" -b 1048576 "$file") ;;
			tcpdump) out=$(timed tcpdump -r "$file" -w /dev/null) ;;
			pktdoctor) out=$(timed "$PD" analyze -q -F json "$file") ;;
			esac
			T[$f.$tool]+="${out% *} "
			M[$f.$tool]="${out#* }"
		done
	done
	for ((r = 0; r < ROUNDS_TSHARK; r++)); do
		out=$(timed tshark -n -r "$file" -q -z expert -o ip.check_checksum:TRUE \
			-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
		T[$f.tshark]+="${out% *} "
		M[$f.tshark]="${out#* }"
	done
done

floor=$(echo "${T[pcap.floor]}" | tr ' ' '\n' | grep . | median)
floor1m=$(echo "${T[pcap.floor1m]}" | tr ' ' '\n' | grep . | median)
echo
echo "| file | tool | median CPU (s) | x read floor | x floor, 1 MiB buffer | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|"
for f in pcap pcapng; do
	for tool in floor floor1m tcpdump pktdoctor tshark; do
		[ -n "${T[$f.$tool]:-}" ] || continue
		med=$(echo "${T[$f.$tool]}" | tr ' ' '\n' | grep . | median)
		printf '| %s (%s MiB, %s frames) | %s | %s | %.2f | %.2f | %d |\n' "$f" "$size_mb" \
			"$frames" "$tool" "$med" "$(echo "$med $floor" | awk '{print $1/$2}')" \
			"$(echo "$med $floor1m" | awk '{print $1/$2}')" "$((${M[$f.$tool]} / 1024))"
	done
done
