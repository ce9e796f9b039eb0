#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# [PD=pktdoctor] bench-monitor.sh [RATES] - the monitor's capture drops
# against tcpdump's at the same offered load, and its CPU per packet.
#
# A veth pair between two network namespaces this script creates
# (pdm9bench-a/-b), every offload off on both ends (each frame is one
# wire-sized packet); iperf3 -u from a to b for 5 s at each rate (bounded
# by -t 5 and timeout), with one capture at a time on the receiving end:
#   - tcpdump -i IF -w /dev/null -B 4096 (libpcap, 4 MiB buffer);
#   - pktdoctor monitor -i IF --netns NS --no-tui (AF_PACKET ring, 4 MiB,
#     the whole analysis and the event stream to a file).
# RATES are iperf3 -b values with a payload length: RATE/LEN, e.g.
# 1G/1400 (1400-byte payloads), 200M/64 (small packets, high rate) or
# 1G/tcp (a TCP stream capped at that rate; iperf3 gives no packet count).
# Prints one row per run: packets iperf3 offered, what the capture
# received, what it says it dropped, and CPU seconds (user+sys) per
# 100 000 packets received (from /proc/PID/stat just before the end).  Run as root; the namespaces are deleted and
# every process started here is ended on exit.  Not a test: the figures
# depend on the machine and its load.
set -u
PD=${PD:-build/pktdoctor}
RATES=${1:-"100M/1400 500M/1400 1G/1400 2G/1400 4G/1400 50M/64 100M/64 200M/64 1G/tcp 4G/tcp"}
NSA=pdm9bench-a
NSB=pdm9bench-b
IFA=pdm9benA
IFB=pdm9benB
PORT=5299
PIDS=()
TMP=$(mktemp -d /tmp/pdm9bench.XXXXXX)

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	ip netns del $NSA 2>/dev/null
	ip netns del $NSB 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[ "$(id -u)" -eq 0 ] || { echo "bench-monitor.sh: run as root" >&2; exit 2; }
for t in iperf3 tcpdump jq; do
	command -v $t >/dev/null || { echo "bench-monitor.sh: needs $t" >&2; exit 2; }
done
ip netns add $NSA && ip netns add $NSB || exit 1
ip link add $IFA netns $NSA type veth peer name $IFB netns $NSB || exit 1
ip -n $NSA addr add 10.78.29.1/24 dev $IFA
ip -n $NSB addr add 10.78.29.2/24 dev $IFB
for ns in $NSA $NSB; do ip -n $ns link set lo up; done
ip -n $NSA link set $IFA up
ip -n $NSB link set $IFB up
# fresh veths made here: nothing to restore, they go with the namespaces
ip netns exec $NSA ethtool -K $IFA tx off tso off gso off gro off >/dev/null
ip netns exec $NSB ethtool -K $IFB tx off tso off gso off gro off >/dev/null
sleep 1

# offer RATE LEN: iperf3 -u for 5 s; prints the datagrams sent
offer() {
	ip netns exec $NSB timeout 20 iperf3 -s -1 -B 10.78.29.2 -p $PORT >/dev/null 2>&1 &
	local spid=$!
	PIDS+=("$spid")
	sleep 0.5
	if [ "$2" = tcp ]; then # TCP at a capped rate: iperf3 does not count segments
		ip netns exec $NSA timeout 20 iperf3 -c 10.78.29.2 -p $PORT -b "$1" -t 5 --json \
			>"$TMP/iperf.json" 2>/dev/null
		wait "$spid" 2>/dev/null
		echo "-"
		return
	fi
	ip netns exec $NSA timeout 20 iperf3 -c 10.78.29.2 -p $PORT -u -b "$1" -l "$2" -t 5 --json \
		>"$TMP/iperf.json" 2>/dev/null
	wait "$spid" 2>/dev/null
	jq '.end.sum.packets // 0' "$TMP/iperf.json" 2>/dev/null || echo 0
}

printf '%-10s %5s %-9s %9s %9s %9s %8s %12s\n' rate len tool offered received dropped drop% "cpu_s/100k"
for r in $RATES; do
	rate=${r%/*}
	len=${r#*/}
	for tool in tcpdump monitor; do
		if [ $tool = tcpdump ]; then
			ip netns exec $NSB timeout 30 tcpdump -i $IFB -w /dev/null -B 4096 -q \
				>/dev/null 2>"$TMP/cap" &
		else
			timeout 30 "$PD" monitor -i $IFB --netns $NSB --no-tui -o "$TMP/ev.json" \
				>/dev/null 2>"$TMP/cap" &
		fi
		cpid=$!
		PIDS+=("$cpid")
		sleep 1.5
		# the capturing process itself (timeout's child)
		tpid=$(pgrep -P "$cpid" | head -1)
		sent=$(offer "$rate" "$len")
		sleep 1
		# its CPU time (user + system, clock ticks) before it is asked to end
		cpu=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' \
			"/proc/$tpid/stat" 2>/dev/null)
		kill -INT "$tpid" 2>/dev/null
		wait "$cpid" 2>/dev/null
		if [ $tool = tcpdump ]; then
			recv=$(sed -n 's/^\([0-9]*\) packets captured.*/\1/p' "$TMP/cap")
			drop=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$TMP/cap")
		else
			recv=$(tail -1 "$TMP/ev.json" | jq '.stats.packets')
			drop=$(tail -1 "$TMP/ev.json" | jq '.stats.drops.capture')
			rm -f "$TMP/ev.json"
		fi
		per=$(awk -v c="${cpu:-0}" -v n="${recv:-0}" 'BEGIN { if (n > 0) printf "%.3f", c * 100000 / n; else print "-" }')
		pct=$(awk -v d="${drop:-0}" -v n="${recv:-0}" 'BEGIN { t = d + n; if (t > 0) printf "%.1f", d * 100 / t; else print "-" }')
		printf '%-10s %5s %-9s %9s %9s %9s %8s %12s\n' "$rate" "$len" $tool "$sent" "${recv:-?}" \
			"${drop:-?}" "$pct" "$per"
	done
done
