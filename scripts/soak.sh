#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# soak.sh - memory and time of `pktdoctor analyze` on large generated
# captures (issue 12).  Not part of ctest: it takes minutes and a few GB
# of /tmp.
#
#   scripts/soak.sh [BUILD_DIR] [SCALE]
#
# BUILD_DIR (default build) holds pktdoctor and tests/pd_gencap; SCALE
# (default 1) multiplies every size (0.1 for a quick look).  Each
# scenario runs at 1/4, 1/2 and 1 of its full size:
#
#   syn     1M TCP flows that only send a SYN      (--max-flows 1048576)
#   data    1M TCP flows with handshake and data   (--max-flows 1048576)
#   arp     2M ARP packets from 500k hosts
#   probe   one MAC probing 1M new addresses (1M arp.probe_delay episodes)
#   dhcp    200k DHCPDISCOVERs from as many clients
#   syslog  100k syslog messages, a boot error in the last
#   bulk    one TCP connection, 2 GB of payload
#
# For each run it records peak RSS and wall time from /usr/bin/time -v
# and checks three things, printing one line per run and a verdict:
#   1. peak RSS <= the bound docs/ARCHITECTURE.md gives as a formula of
#      the limits and of what the scenario creates (flows, hosts, findings);
#   2. time grows linearly: from 1/2 to full, time per packet changes by
#      less than 2x either way;
#   3. every table limit the scenario hits is reported as an
#      analysis.limit_reached finding (the tables expected are listed per
#      scenario) and nothing else is.
# Generated files go to a directory under /tmp and are deleted after
# each run.  Every analysis runs under `prlimit --as` (3 GB).
# Exit 0 when every check passes, 1 otherwise, 77 when a tool is missing.
set -uo pipefail

build=${1:-build}
scale=${2:-1}
pd=$build/pktdoctor
gen=$build/tests/pd_gencap
for t in "$pd" "$gen" /usr/bin/time jq prlimit; do
	if ! command -v "$t" > /dev/null 2>&1; then
		echo "SKIP: $t not found (build first; Debian package 'time' for /usr/bin/time)"
		exit 77
	fi
done
tmp=$(mktemp -d /tmp/pd-soak.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail=0
AS_LIMIT=$((3 * 1024 * 1024 * 1024))

# Costs from docs/ARCHITECTURE.md ("Memory bound"), in bytes.
BASE=$((16 * 1000 * 1000))      # program, libpcap, one packet
FLOW=232                        # struct pd_flow (200) + flow storage (32)
TCP_SYN=208                     # TCP state of a flow that sent only a SYN
TCP_DATA=432                    # ... of a short flow with data both ways
CONN=304                        # one connection record (at most 100000)
HOST=272                        # one checksum host record
FINDING=3536                    # one finding
FIXED=$((40 * 1000 * 1000))     # ARP, DHCP, syslog, iSCSI, storm tables when full

# bytes of the checksum hosts for H hosts: the dense vector (a power of
# two >= H records, from 16) and its index (a power of two >= 4H/3 8-byte
# slots, from 16), each times 1.5 for the old copy while it doubles
host_bytes() {
	local h=$1 v=16 s=16
	[ "$h" -gt 65536 ] && h=65536
	while [ "$v" -lt "$h" ]; do v=$((v * 2)); done
	while [ $((s * 3)) -lt $((h * 4)) ]; do s=$((s * 2)); done
	echo $(((v * HOST + s * 8) * 3 / 2))
}

# bytes of the flow index for F flows: a power of two >= 4F/3 8-byte
# slots, from 16, times 1.5 for the old slots while it doubles
index_bytes() {
	local f=$1 s=16
	while [ $((s * 3)) -lt $((f * 4)) ]; do s=$((s * 2)); done
	echo $((s * 12))
}

# bound SCENARIO N: the peak RSS allowed, in kB
bound() {
	local sc=$1 n=$2 b=$((BASE + FIXED + 60 * 202 * FINDING))
	local conns=$n
	[ "$conns" -gt 100000 ] && conns=100000
	case $sc in
	syn) b=$((b + n * (FLOW + TCP_SYN) + $(index_bytes "$n") + conns * CONN + $(host_bytes 1))) ;;
	data) b=$((b + n * (FLOW + TCP_DATA) + $(index_bytes "$n") + conns * CONN + $(host_bytes "$n"))) ;;
	arp) b=$((b + $(host_bytes "$n"))) ;;
	*) b=$((b + $(host_bytes 100))) ;;
	esac
	echo $((b / 1024))
}

# run SCENARIO SIZE GEN_ARGS... : generate, analyse, check; prints a line
run() {
	local sc=$1 n=$2
	shift 2
	local f=$tmp/$sc.pcap out=$tmp/out.json tv=$tmp/time.txt
	local opts=(-q -F json --max-flows 1048576)
	"$gen" "$@" "$f" || { echo "FAIL $sc $n: generator failed"; fail=1; return; }
	local bytes packets rss wall secs kb lim rc
	bytes=$(stat -c %s "$f")
	prlimit --as=$AS_LIMIT /usr/bin/time -v "$pd" analyze "${opts[@]}" "$f" > "$out" 2> "$tv"
	rc=$?
	rm -f "$f"
	rss=$(awk -F': ' '/Maximum resident/ {print $2}' "$tv")
	wall=$(awk -F': ' '/Elapsed \(wall/ {print $2}' "$tv")
	secs=$(awk -v w="$wall" 'BEGIN { n = split(w, p, ":"); s = 0;
		for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s }')
	packets=$(jq -r '.packets' "$out" 2> /dev/null)
	lim=$(jq -r '[.findings[] | select(.id == "analysis.limit_reached") |
		.evidence.table + (if .evidence.finding_id then ":" + .evidence.finding_id else "" end)] |
		sort | join(",")' "$out" 2> /dev/null)
	kb=$(bound "$sc" "$n")
	printf '%-7s %9s %11s pkts %8.1f MB file %8.1f MB RSS (bound %7.1f) %7.2f s %6.0f ns/pkt  limits: %s\n' \
		"$sc" "$n" "$packets" "$(awk -v b="$bytes" 'BEGIN{print b/1e6}')" \
		"$(awk -v r="$rss" 'BEGIN{print r*1.024/1000}')" \
		"$(awk -v r="$kb" 'BEGIN{print r*1.024/1000}')" "$secs" \
		"$(awk -v s="$secs" -v p="$packets" 'BEGIN{print p ? s*1e9/p : 0}')" "${lim:-none}"
	if [ "$rc" -gt 1 ] || [ -z "$packets" ] || [ "$packets" = null ]; then
		echo "FAIL $sc $n: pktdoctor exit $rc"; tail -3 "$tv"; fail=1
	fi
	if [ "$rss" -gt "$kb" ]; then
		echo "FAIL $sc $n: peak RSS ${rss} kB above the bound ${kb} kB"; fail=1
	fi
	LAST_SECS=$secs LAST_PKTS=$packets LAST_LIM=$lim
}

# scenario NAME EXPECTED_LIMITS FULL_SIZE GEN_ARGS(with N for the size)...
scenario() {
	local sc=$1 expect=$2 full=$3
	shift 3
	local half_rate="" q n args a
	for q in 4 2 1; do
		n=$(awk -v f="$full" -v s="$scale" -v q="$q" 'BEGIN{printf "%d", f*s/q}')
		args=()
		for a in "$@"; do
			case $a in
			N) args+=("$n") ;;
			N4) args+=("$((n / 4))") ;;
			*) args+=("$a") ;;
			esac
		done
		run "$sc" "$n" "${args[@]}"
		if [ "$LAST_LIM" != "$expect" ]; then
			# at reduced scales a limit may not be reached yet: only the full
			# size must show exactly the expected tables
			if [ "$q" = 1 ]; then
				echo "FAIL $sc $n: limits reported '$LAST_LIM', expected '$expect'"; fail=1
			fi
		fi
		local rate
		rate=$(awk -v s="$LAST_SECS" -v p="$LAST_PKTS" 'BEGIN{print p ? s/p : 0}')
		if [ "$q" = 2 ]; then
			half_rate=$rate
		elif [ "$q" = 1 ] && [ -n "$half_rate" ]; then
			if ! awk -v a="$half_rate" -v b="$rate" -v s="$LAST_SECS" \
				'BEGIN{ exit !(s < 1.0 || (b < 2 * a && a < 2 * b)) }'; then
				echo "FAIL $sc: time per packet $half_rate s at 1/2, $rate s at full: not linear"
				fail=1
			fi
		fi
	done
}

echo "pktdoctor soak, scale $scale, $(date -u +%FT%TZ), $(nproc) cores"
scenario syn "tcp_connections" 1000000 syn N
scenario data "hosts,tcp_connections" 1000000 data N
scenario arp "arp_hosts,findings:arp.probe_delay,hosts" 2000000 arp N N4
scenario probe "arp_episodes,findings:arp.probe_delay" 1000000 probe N
scenario dhcp "arp_hosts,clients" 200000 dhcp N
scenario syslog "syslog_messages" 100000 syslog N
scenario bulk "" 2000000000 bulk N
if [ $fail -eq 0 ]; then
	echo "soak: all runs within the bound, linear in time, every limit reported"
else
	echo "soak: FAILED"
fi
exit $fail
