#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# probe_replay_test.sh - `pktdoctor replay` of captures/tso-sender.pcapng
# (taken on a sending host with TSO on: 12 data frames of 5858 to 65226
# bytes, partial TCP checksums) into a veth whose peer has MTU 1500, in
# two network namespaces this script creates and deletes on every exit.
#   1. --fix-offload --rewrite: only frames of at most 1514 bytes reach
#      the peer (its own capture says so), the peer's kernel counts no
#      checksum error for them, and the counts add up;
#   2. without --fix-offload the 12 oversize frames are refused and
#      counted, and the command says so (exit 1);
#   3. --mtu-policy segment / truncate / fragment are counted as such;
#   4. --pps paces on an absolute schedule;
#   5. offload settings unchanged, nothing left behind.
# Exit 77 = skipped.
#   probe_replay_test.sh PKTDOCTOR SRCDIR
set -uo pipefail
bin=$1
src=$2
cap=$src/captures/tso-sender.pcapng
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (network namespaces, AF_PACKET)"
	exit 77
fi
for t in ip ethtool jq tcpdump; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done

id=$$
A=pdp${id}r B=pdp${id}s
IA=pdp${id}u IB=pdp${id}v
tmp=$(mktemp -d)
tcpdump_pid=
cleanup() {
	[ -n "$tcpdump_pid" ] && kill "$tcpdump_pid" 2>/dev/null && wait "$tcpdump_pid" 2>/dev/null
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if ! ip netns add "$A" 2>/dev/null || ! ip netns add "$B"; then
	echo "SKIP: cannot create network namespaces here"
	exit 77
fi
ip link add "$IA" netns "$A" type veth peer name "$IB" netns "$B" || { echo "SKIP: no veth"; exit 77; }
ip -n "$A" addr add 10.212.0.1/24 dev "$IA"
ip -n "$B" addr add 10.212.0.2/24 dev "$IB"
ip -n "$A" link set "$IA" up
ip -n "$B" link set "$IB" up
ip -n "$B" link set "$IB" mtu 1500
MA=$(ip -n "$A" -j link show "$IA" | jq -r '.[0].address')
MB=$(ip -n "$B" -j link show "$IB" | jq -r '.[0].address')
before_a=$(ip netns exec "$A" ethtool -k "$IA")
before_b=$(ip netns exec "$B" ethtool -k "$IB")

rw=(--rewrite 10.78.1.1=10.212.0.1 --rewrite 10.78.1.2=10.212.0.2
	--rewrite 02:78:01:00:00:01="$MA" --rewrite 02:78:01:00:00:02="$MB")
sender=(-f 'src host 10.78.1.1')
snmp() { # Group Name: the value in the peer's namespace
	ip netns exec "$B" awk -v g="$1:" -v n="$2" '$1==g && !h {for(i=2;i<=NF;i++) c[$i]=i; h=1; next}
		$1==g && h {print $c[n]; exit}' /proc/net/snmp
}
capture_start() {
	ip netns exec "$B" timeout 60 tcpdump -i "$IB" -nn -U -w "$tmp/rx.pcap" 'tcp and src host 10.212.0.1' 2>/dev/null &
	tcpdump_pid=$!
	sleep 1
}
capture_stop() { # [frames expected]: wait (at most 10 s) until the capture holds them
	for _ in $(seq 50); do
		[ "$(tcpdump -r "$tmp/rx.pcap" 2>/dev/null | wc -l)" -ge "${1:-0}" ] && break
		sleep 0.2
	done
	kill "$tcpdump_pid" 2>/dev/null
	wait "$tcpdump_pid" 2>/dev/null
	tcpdump_pid=
}

# 1. --fix-offload --rewrite
csum0=$(snmp Tcp InCsumErrors)
capture_start
j=$("$bin" replay "$cap" -i "$A:$IA" --topspeed --fix-offload "${rw[@]}" "${sender[@]}" -F json); rc=$?
capture_stop "$(jq .sent <<<"$j")"
csum1=$(snmp Tcp InCsumErrors)
[ "$rc" = 0 ] && ok "fix-offload replay exits 0" || ko "fix-offload replay exit $rc: $j"
got=$(jq -c '[.read, .skipped, .segmented, .refused, .failed, .fixed]' <<<"$j")
[ "$got" = "[98,81,12,0,0,17]" ] && ok "counts: 98 read, 81 filtered out, 12 segmented, 0 refused, 0 failed, 17 fixed" ||
	ko "counts [read,skipped,segmented,refused,failed,fixed] = $got"
sent=$(jq .sent <<<"$j")
# 307200 data bytes at 1448 per segment (MSS 1460 less 12 bytes of
# timestamps, RFC 6691) are 213 segments, plus 5 frames without data
[ "$sent" -ge 215 ] && [ "$(jq .max_frame <<<"$j")" -le 1514 ] &&
	ok "sent $sent frames, largest $(jq .max_frame <<<"$j") bytes" || ko "sent $sent, largest $(jq .max_frame <<<"$j")"
lens=$(tcpdump -r "$tmp/rx.pcap" -nn -e 2>/dev/null | awk '{for(i=1;i<NF;i++) if($i=="length"){sub(":","",$(i+1)); print $(i+1); break}}')
n=$(wc -l <<<"$lens")
max=$(sort -n <<<"$lens" | tail -1)
[ "$n" = "$sent" ] && [ "$max" -le 1514 ] && ok "the peer's capture: $n TCP frames from the replay, largest $max bytes" ||
	ko "the peer's capture: $n frames, largest $max"
[ "$csum1" = "$csum0" ] && ok "the peer's kernel counted no TCP checksum error (Tcp.InCsumErrors $csum0)" ||
	ko "Tcp.InCsumErrors moved from $csum0 to $csum1"

# 2. without --fix-offload: refused and counted
t=$("$bin" replay "$cap" -i "$A:$IA" --topspeed "${rw[@]}" "${sender[@]}"); rc=$?
[ "$rc" = 1 ] && ok "without --fix-offload: exit 1" || ko "without --fix-offload: exit $rc"
grep -q "refused 12," <<<"$t" && grep -q "12 frames above the MTU were refused (the default)" <<<"$t" &&
	ok "without --fix-offload: the 12 oversize frames are refused and the report says so" || ko "report: $t"
grep -q "largest frame 74 bytes" <<<"$t" && ok "without --fix-offload: nothing above the MTU sent" || ko "report: $t"

# 3. the other policies
j=$("$bin" replay "$cap" -i "$A:$IA" --topspeed --mtu-policy segment --mss 1000 "${rw[@]}" "${sender[@]}" -F json)
[ "$(jq -c '[.segmented, .refused, .fixed]' <<<"$j")" = "[12,0,0]" ] && [ "$(jq .max_frame <<<"$j")" -le 1054 ] &&
	ok "--mtu-policy segment --mss 1000: 12 segmented, largest $(jq .max_frame <<<"$j") bytes" ||
	ko "segment: $j"
j=$("$bin" replay "$cap" -i "$A:$IA" --topspeed --mtu-policy truncate "${rw[@]}" "${sender[@]}" -F json)
[ "$(jq -c '[.truncated, .refused, .max_frame]' <<<"$j")" = "[12,0,1514]" ] && ok "--mtu-policy truncate: 12 cut to 1514" ||
	ko "truncate: $j"
j=$("$bin" replay "$cap" -i "$A:$IA" --topspeed --mtu-policy fragment "${rw[@]}" "${sender[@]}" -F json)
[ "$(jq -c '[.fragmented, .refused]' <<<"$j")" = "[12,0]" ] && [ "$(jq .max_frame <<<"$j")" -le 1514 ] &&
	ok "--mtu-policy fragment: 12 fragmented, none above 1514" || ko "fragment: $j"

# 4. --pps: 21 frames at 40 per second take 0.5 s (frame k at k/40 s)
t0=$(date +%s%N)
j=$("$bin" replay "$cap" -i "$A:$IA" --pps 40 -c 21 "${rw[@]}" -F json)
t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
[ "$ms" -ge 490 ] && [ "$ms" -le 2500 ] && [ "$(jq .read <<<"$j")" = 21 ] &&
	ok "--pps 40 -c 21 took $ms ms (500 expected)" || ko "--pps 40: $ms ms, $j"

# usage and safety
"$bin" replay "$cap" >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "no -i: usage error" || ko "no -i: exit $rc"
"$bin" replay "$cap" -i "$A:$IA" --rewrite nonsense >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "bad --rewrite: usage error" || ko "bad --rewrite: exit $rc"
"$bin" replay "$cap" -i "$A:pdpnosuch0" >/dev/null 2>&1; rc=$?
[ "$rc" = 3 ] && ok "missing interface: exit 3" || ko "missing interface: exit $rc"

after_a=$(ip netns exec "$A" ethtool -k "$IA")
after_b=$(ip netns exec "$B" ethtool -k "$IB")
[ "$before_a" = "$after_a" ] && [ "$before_b" = "$after_b" ] && ok "offload settings unchanged" ||
	ko "offload settings changed"
cleanup
ip netns list | grep -q "^pdp${id}" && ko "namespaces left behind" || ok "no namespace left behind"
echo "probe_replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
