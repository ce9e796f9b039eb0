#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# monitor_nic_test.sh - the monitor's NIC reader against the kernel's own
# tools: in a network namespace made here, a veth pair with MTU 9000, TSO
# and GRO turned off and a smaller gso_max_size; `pktdoctor monitor --nic`
# must report what `ethtool -k` and `ip -d link` say, feature by feature;
# a live monitor reports a "nic" change event when the MTU and GRO change.
# Needs root (namespaces); skipped (77) otherwise.
#   usage: monitor_nic_test.sh PKTDOCTOR
set -u
PD=$1
if [ "$(id -u)" -ne 0 ] || ! command -v ethtool >/dev/null || ! command -v ip >/dev/null ||
	! command -v jq >/dev/null; then
	echo "SKIP: needs root, ip, ethtool and jq (network namespaces)"
	exit 77
fi
NS=pdm9nic$$
A=pdm9a$$
B=pdm9b$$
fail=0
cleanup() { ip netns del "$NS" 2>/dev/null; }
trap cleanup EXIT
if ! ip netns add "$NS" 2>/dev/null; then
	echo "SKIP: cannot create a network namespace here"
	exit 77
fi
ip -n "$NS" link add "$A" type veth peer name "$B" || exit 1
ip -n "$NS" link set "$A" mtu 9000 up
ip -n "$NS" link set "$B" up
# changed only inside the namespace made here, which is deleted at the end
ip netns exec "$NS" ethtool -K "$A" tso off gro off >/dev/null 2>&1
ip -n "$NS" link set "$A" gso_max_size 32768 2>/dev/null

out=$("$PD" monitor --nic -i "$A" --netns "$NS") || { echo "FAIL: monitor --nic exited $?"; exit 1; }
echo "$out" | jq -e . >/dev/null || { echo "FAIL: not JSON: $out"; exit 1; }
check() { # name got want
	if [ "$2" != "$3" ]; then
		echo "FAIL: $1: monitor says '$2', the kernel's tools say '$3'"
		fail=1
	fi
}
# the EVE envelope
check event_type "$(echo "$out" | jq -r .event_type)" nic
check in_iface "$(echo "$out" | jq -r .in_iface)" "$A"
# ip -d link: MTU and the size limits
link=$(ip -n "$NS" -d link show "$A")
for f in mtu gso_max_size gso_max_segs tso_max_size tso_max_segs gro_max_size; do
	want=$(echo "$link" | grep -o "\b$f [0-9]*" | head -1 | awk '{print $2}')
	[ -n "$want" ] || continue
	check "$f" "$(echo "$out" | jq -r ".nic.$f")" "$want"
done
check mtu-is-9000 "$(echo "$out" | jq -r .nic.mtu)" 9000
# ethtool -k: every feature line, and the group lines
n=0
while IFS= read -r line; do
	case "$line" in Features*) continue ;; esac
	name=$(echo "$line" | sed -E 's/^[[:space:]]*([^:]+):.*/\1/')
	state=$(echo "$line" | sed -E 's/^[^:]+: (on|off).*/\1/')
	fixed=false
	case "$line" in *"[fixed]"*) fixed=true ;; esac
	req=""
	case "$line" in *"[requested on]"*) req=true ;; *"[requested off]"*) req=false ;; esac
	if echo "$out" | jq -e --arg n "$name" '.nic.features[$n]' >/dev/null; then
		obj=".nic.features[\"$name\"]"
	elif echo "$out" | jq -e --arg n "$name" '.nic.offload[$n]' >/dev/null; then
		obj=".nic.offload[\"$name\"]"
	else
		continue # a legacy group the monitor does not show (scatter-gather, ...)
	fi
	n=$((n + 1))
	act=$(echo "$out" | jq -r "$obj.active")
	check "$name active" "$([ "$act" = true ] && echo on || echo off)" "$state"
	# [fixed] and [requested] only where ethtool prints them for a feature
	if [ "${obj#.nic.features}" != "$obj" ] || [ "$fixed" = true ]; then
		check "$name fixed" "$(echo "$out" | jq -r "$obj.fixed")" "$fixed"
	fi
	if [ -n "$req" ]; then
		check "$name requested" "$(echo "$out" | jq -r "$obj.requested")" "$req"
	fi
done < <(ip netns exec "$NS" ethtool -k "$A")
[ "$n" -ge 20 ] || { echo "FAIL: only $n ethtool -k lines compared"; fail=1; }
check tso-off "$(echo "$out" | jq -r '.nic.offload["tcp-segmentation-offload"].active')" false
check gro-off "$(echo "$out" | jq -r '.nic.offload["generic-receive-offload"].active')" false
# an interface that does not exist: a clear message, exit 3
"$PD" monitor --nic -i pdm9none --netns "$NS" 2>/tmp/pdm9nic.err
rc=$?
check "missing interface exit" "$rc" 3
grep -q "pdm9none" /tmp/pdm9nic.err || { echo "FAIL: message does not name the interface"; fail=1; }
rm -f /tmp/pdm9nic.err
# a live monitor re-reads the NIC every few seconds and reports a change
# (skipped while live capture is not in the build)
if "$PD" monitor -i "$A" --netns "$NS" --no-tui --duration 0.2 2>&1 >/dev/null |
	grep -q "not available in this build"; then
	echo "note: live capture not in this build: the NIC change event is not checked"
else
	"$PD" monitor -i "$A" --netns "$NS" --no-tui --duration 6 >"/tmp/pdm9nic$$.json" &
	mp=$!
	sleep 1.5
	ip -n "$NS" link set "$A" mtu 4000
	ip netns exec "$NS" ethtool -K "$A" gro on >/dev/null 2>&1
	wait "$mp"
	ch=$(jq -c 'select(.event_type=="nic" and .nic.reason=="change") | .nic' "/tmp/pdm9nic$$.json" | tail -1)
	[ -n "$ch" ] || { echo "FAIL: no nic change event after the MTU changed"; fail=1; }
	[ -z "$ch" ] || check "changed mtu" "$(echo "$ch" | jq .mtu)" 4000
	[ -z "$ch" ] || check "changed gro" \
		"$(echo "$ch" | jq '.offload["generic-receive-offload"].active')" true
	[ "$(jq -r 'select(.event_type=="nic") | .nic.reason' "/tmp/pdm9nic$$.json" | head -1)" = start ] ||
		{ echo "FAIL: the first nic event is not the start"; fail=1; }
	rm -f "/tmp/pdm9nic$$.json"
fi
[ $fail -eq 0 ] && echo "PASS: $n ethtool -k lines and ip -d link sizes agree"
exit $fail
