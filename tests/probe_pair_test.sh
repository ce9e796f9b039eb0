#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# probe_pair_test.sh - `pktdoctor probe --pair` across a veth pair in two
# network namespaces that this script creates (and deletes on every exit,
# SIGINT included).  It checks what a user checks:
#   1. with the receiver's rx checksumming on and then off, every case a
#      correct receiver delivers is delivered, every invalid one is
#      dropped with the counter that names it (Udp.InCsumErrors,
#      IpExt.InCsumErrors / Ip.InHdrErrors, Tcp.InCsumErrors), and there
#      is no finding;
#   2. an nftables rule in the receiver drops one valid case, standing in
#      for the faulty NIC: it is the one and only probe.valid_dropped,
#      named exactly, with NETFILTER_DROP as its reason where the
#      tracepoint is available; moving the rule moves the finding;
#   3. the GSO case's segment sizes on the wire: one 14654-byte frame with
#      the sender's TSO on (a veth passes it whole), ten 1514-byte frames
#      with TSO off;
#   4. --toggle runs the offload matrix, names the impossible
#      combinations, and restores every setting, also after SIGINT;
#   5. the offload settings of both ends are the same after as before,
#      and no namespace is left behind.
# Traffic stays inside the two namespaces.  Exit 77 = skipped.
#   probe_pair_test.sh PKTDOCTOR
set -uo pipefail
bin=$1
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ "$(id -u)" -ne 0 ]; then
	echo "SKIP: needs root (network namespaces, AF_PACKET)"
	exit 77
fi
for t in ip nft ethtool jq; do
	command -v "$t" >/dev/null || { echo "SKIP: $t is not installed"; exit 77; }
done

id=$$
A=pdp${id}a B=pdp${id}b   # namespaces
IA=pdp${id}x IB=pdp${id}y # interfaces (<= 15 chars)
tmpd=$(mktemp -d)
cleanup() {
	[ -n "${pid:-}" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	[ -n "${lpid:-}" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	[ -n "${hold:-}" ] && kill "$hold" 2>/dev/null && wait "$hold" 2>/dev/null
	rm -rf "$tmpd"
	ip netns del "$A" 2>/dev/null
	ip netns del "$B" 2>/dev/null
}
trap cleanup EXIT
trap 'cleanup; exit 130' INT TERM

if ! ip netns add "$A" 2>/dev/null || ! ip netns add "$B"; then
	echo "SKIP: cannot create network namespaces here"
	exit 77
fi
ip link add "$IA" netns "$A" type veth peer name "$IB" netns "$B" || { echo "SKIP: no veth"; exit 77; }
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" addr add 10.211.0.1/24 dev "$IA"
ip -n "$B" addr add 10.211.0.2/24 dev "$IB"
ip -n "$A" addr add fd10:211::1/64 dev "$IA" nodad
ip -n "$B" addr add fd10:211::2/64 dev "$IB" nodad
ip -n "$A" link set "$IA" up
ip -n "$B" link set "$IB" up

before_a=$(ip netns exec "$A" ethtool -k "$IA")
before_b=$(ip netns exec "$B" ethtool -k "$IB")

probe() { timeout 120 "$bin" probe --pair "$A:$IA" "$B:$IB" -F json "$@"; }

# what a clean receiver must show, in one JSON report
check_clean() { # label json
	local label=$1 j=$2 n
	n=$(jq '[.results[] | select(.expect=="deliver" and .verdict!="skip" and .delivered!=true)] | length' <<<"$j")
	[ "$n" = 0 ] && ok "$label: every valid case delivered" ||
		ko "$label: $n valid cases not delivered: $(jq -c '[.results[] | select(.expect=="deliver" and .verdict!="skip" and .delivered!=true) | .case]' <<<"$j")"
	n=$(jq '[.results[] | select(.expect=="drop" and .verdict!="skip" and .delivered!=false)] | length' <<<"$j")
	[ "$n" = 0 ] && ok "$label: every invalid case dropped" || ko "$label: $n invalid cases delivered"
	n=$(jq '.findings | length' <<<"$j")
	[ "$n" = 0 ] && ok "$label: no findings" || ko "$label: $n findings: $(jq -c '[.findings[].id]' <<<"$j")"
	# the counter that names each drop
	for pair in "udp4.623.csum-wrong:Udp.InCsumErrors+1" "udp6.623.csum-wrong:Udp6.InCsumErrors+1" \
		"udp6.623.csum0000:Udp6.InCsumErrors+1" "tcp4.3260.syn.csum-wrong:Tcp.InCsumErrors+1" \
		"ipv4.hdrcsum-wrong:IpExt.InCsumErrors+1"; do
		c=${pair%%:*} want=${pair#*:}
		got=$(jq -r --arg c "$c" '.results[] | select(.case==$c) | .counters' <<<"$j")
		case " $got " in
		*" $want "*) ok "$label: $c counted as $want" ;;
		*) ko "$label: $c counters '$got', want $want" ;;
		esac
	done
	n=$(jq '[.results[] | select(.verdict=="ok" or .verdict=="note" or .verdict=="skip")] | length' <<<"$j")
	t=$(jq '.results | length' <<<"$j")
	[ "$t" -ge 30 ] && [ "$n" = "$t" ] && ok "$label: $t results, none FAULT" || ko "$label: $n of $t results without FAULT"
}

j=$(probe); rc=$?
[ "$rc" = 0 ] && ok "probe exits 0 on a clean pair" || ko "probe exit code $rc on a clean pair"
[ "$(jq -r '.receiver.virtual' <<<"$j")" = true ] && ok "the veth is reported as a virtual device" ||
	ko "veth not reported as virtual"
check_clean "rx-csum on" "$j"

ip netns exec "$B" ethtool -K "$IB" rx off >/dev/null
j=$(probe)
[ "$(jq -r '.results[0].setting' <<<"$j")" = "rx-csum=off gro=off tx-csum=on tso=on" ] &&
	ok "the report shows the active setting rx-csum=off" || ko "setting: $(jq -r '.results[0].setting' <<<"$j")"
check_clean "rx-csum off" "$j"
ip netns exec "$B" ethtool -K "$IB" rx on >/dev/null

# the injected fault: an nftables drop of one valid case, by its source port
sport_of() { "$bin" probe --list | awk -v c="$1" '$1==c {print $2}'; }
fault_run() { # case
	local c=$1 sp
	sp=$(sport_of "$c")
	ip netns exec "$B" nft -f - <<-EOF
	table inet pdpfault {
		chain input { type filter hook input priority 0; policy accept; udp sport $sp drop; }
	}
	EOF
	j=$(probe --only udp4); rc=$?
	ip netns exec "$B" nft delete table inet pdpfault
	[ "$rc" = 1 ] && ok "fault on $c: exit 1" || ko "fault on $c: exit $rc"
	got=$(jq -c '[.findings[] | select(.id=="probe.valid_dropped") | .evidence.case]' <<<"$j")
	[ "$got" = "[\"$c\"]" ] && ok "fault on $c: the one and only probe.valid_dropped is $c" ||
		ko "fault on $c: valid_dropped on $got"
	[ "$(jq '.findings | length' <<<"$j")" = 1 ] && ok "fault on $c: no other finding" ||
		ko "fault on $c: findings $(jq -c '[.findings[].id]' <<<"$j")"
	if [ "$(jq -r '.drop_reasons' <<<"$j")" = kfree_skb ]; then
		r=$(jq -r '.findings[0].evidence.drop_reason' <<<"$j")
		case ",$r," in
		*,NETFILTER_DROP,*) ok "fault on $c: drop reason NETFILTER_DROP" ;;
		*) ko "fault on $c: drop reason '$r'" ;;
		esac
	else
		echo "note: $(jq -r '.drop_reasons' <<<"$j")"
	fi
}
fault_run udp4.623.dfclear
fault_run udp4.69.len18

# JUnit for CI: the fault is the one failing testcase
sp=$(sport_of udp4.623.dfclear)
ip netns exec "$B" nft -f - <<-EOF
	table inet pdpfault {
		chain input { type filter hook input priority 0; policy accept; udp sport $sp drop; }
	}
	EOF
timeout 120 "$bin" probe --pair "$A:$IA" "$B:$IB" --only udp4.623 -F junit >"$tmpd/j.xml"
ip netns exec "$B" nft delete table inet pdpfault
got=$(python3 - "$tmpd/j.xml" <<-'PY'
	import sys, xml.etree.ElementTree as E
	s = E.parse(sys.argv[1]).getroot()[0]
	bad = [c.get("name").split()[0] for c in s if c.find("failure") is not None]
	print(s.get("failures"), len(s), ",".join(bad))
	PY
)
n=$(jq '[.results[] | select(.case | startswith("udp4.623"))] | length' <<<"$(probe --only udp4.623)")
[ "$got" = "1 $n udp4.623.dfclear" ] && ok "JUnit: $n testcases, the one failure is udp4.623.dfclear" || ko "JUnit: $got (of $n)"

# GSO: segment sizes as the kernel and the veth produce them
gso() { probe --only gso-mss | jq -c '[.results[0].on_wire, .results[0].wire_lengths]'; }
got=$(gso)
[ "$got" = "[1,[14654]]" ] && ok "GSO 14600/1460, sender TSO on: one 14654-byte frame on the wire" ||
	ko "GSO with TSO on: $got"
ip netns exec "$A" ethtool -K "$IA" tso off >/dev/null
got=$(gso)
ip netns exec "$A" ethtool -K "$IA" tso on >/dev/null
want="[10,[$(printf '1514,%.0s' {1..10} | sed 's/,$//')]]"
[ "$got" = "$want" ] && ok "GSO 14600/1460, sender TSO off: ten 1514-byte frames" || ko "GSO with TSO off: $got"

# the text report is the matrix a user reads
t=$(timeout 120 "$bin" probe --pair "$A:$IA" "$B:$IB" --only udp4.623.csum)
grep -q "^SETTING rx-csum=on" <<<"$t" && grep -q "udp4.623.csum-wrong .*drop .*no .*ok .*Udp.InCsumErrors+1" <<<"$t" &&
	ok "text report: matrix row for udp4.623.csum-wrong" || ko "text report: $t"

# --toggle: the offload matrix; impossible combinations named and skipped
j=$(probe --toggle --only udp4.623.csum-wrong 2>"$tmpd/toggle.err")
n=$(jq '[.results[] | select(.verdict=="ok")] | length' <<<"$j")
s=$(jq -r '[.results[].setting] | unique | length' <<<"$j")
[ "$n" = 12 ] && [ "$s" = 12 ] && ok "--toggle: 12 possible settings, the invalid case dropped under each" ||
	ko "--toggle: $n ok results over $s settings"
grep -q "tx-csum=off tso=on cannot exist" <<<"$(jq -r .settings_note <<<"$j")" &&
	ok "--toggle: tx-csum off with TSO on is named as impossible" || ko "settings note: $(jq -r .settings_note <<<"$j")"
grep -q "tx-tcp-segmentation requested on, active off" "$tmpd/toggle.err" &&
	ok "--toggle: each change is logged, requested and active" || ko "toggle log: $(head -3 "$tmpd/toggle.err")"
[ "$(ip netns exec "$A" ethtool -k "$IA")" = "$before_a" ] && [ "$(ip netns exec "$B" ethtool -k "$IB")" = "$before_b" ] &&
	ok "--toggle: settings restored" || ko "--toggle: settings not restored"
# SIGINT in the middle of the matrix: it stops, restores, reports
timeout 120 "$bin" probe --pair "$A:$IA" "$B:$IB" --toggle -F json >"$tmpd/int.json" 2>/dev/null &
pid=$!
sleep 4
kill -INT "$pid"
wait "$pid"
pid=
[ "$(jq -r .interrupted "$tmpd/int.json")" = true ] && ok "SIGINT: the report says interrupted" ||
	ko "SIGINT: $(head -c 300 "$tmpd/int.json")"
[ "$(ip netns exec "$A" ethtool -k "$IA")" = "$before_a" ] && [ "$(ip netns exec "$B" ethtool -k "$IB")" = "$before_b" ] &&
	ok "SIGINT: settings restored" || ko "SIGINT: settings not restored"

# --listen in the receiver's namespace, the prober in the sender's: the
# control connection, the token, the same verdicts
listen() { # log [options]: start a listener, set lpid and tok
	local log=$1
	shift
	timeout 120 "$bin" probe --listen "$B:$IB" --bind 10.211.0.2:6231 --timeout 60 "$@" \
		>"$log" 2>"$log.err" &
	lpid=$!
	tok=
	for _ in $(seq 50); do
		tok=$(awk '/token/ {print $NF}' "$log" 2>/dev/null)
		[ -n "$tok" ] && break
		sleep 0.1
	done
}
listen_wait() { wait "$lpid"; local rc=$?; lpid=; return $rc; }
listen "$tmpd/l1"
grep -q "listening on 10.211.0.2:6231 in netns $B" "$tmpd/l1" && ok "--listen prints its address and a token" ||
	ko "--listen: $(cat "$tmpd/l1" "$tmpd/l1.err")"
ss=$(ip netns exec "$B" ss -Hltn 'sport = :6231')
grep -q "10.211.0.2:6231" <<<"$ss" && ! grep -q "0.0.0.0:6231\|\*:6231" <<<"$ss" &&
	ok "--listen binds the given address only" || ko "--listen sockets: $ss"
"$bin" probe -i "$A:$IA" --to 10.211.0.2:6231 --token 0000 >/dev/null 2>"$tmpd/bad.err"; rc=$?
[ "$rc" = 3 ] && grep -q "refused" "$tmpd/bad.err" && ok "a wrong token is refused (exit 3)" ||
	ko "wrong token: exit $rc, $(cat "$tmpd/bad.err")"
j=$(timeout 120 "$bin" probe -i "$A:$IA" --to 10.211.0.2:6231 --token "$tok" -F json); rc=$?
listen_wait; lrc=$?
[ "$rc" = 0 ] && [ "$lrc" = 0 ] && ok "--to with the token: prober and listener exit 0" || ko "--to: exit $rc, listener $lrc"
check_clean "--listen" "$j"
# the injected fault seen through the control connection
sp=$(sport_of udp4.67.len64)
ip netns exec "$B" nft -f - <<-EOF
	table inet pdpfault {
		chain input { type filter hook input priority 0; policy accept; udp sport $sp drop; }
	}
	EOF
listen "$tmpd/l2"
j=$(timeout 120 "$bin" probe -i "$A:$IA" --to 10.211.0.2:6231 --token "$tok" --only udp4 -F json)
listen_wait
ip netns exec "$B" nft delete table inet pdpfault
[ "$(jq -c '[.findings[] | .id + " " + .evidence.case]' <<<"$j")" = '["probe.valid_dropped udp4.67.len64"]' ] &&
	ok "--listen: the nftables drop is the one valid_dropped" || ko "--listen fault: $(jq -c '[.findings[] | [.id, .evidence.case]]' <<<"$j")"
# the listener changes its offloads only with --allow-toggle
listen "$tmpd/l3"
"$bin" probe -i "$A:$IA" --to 10.211.0.2:6231 --token "$tok" --toggle --only csum-wrong >/dev/null 2>"$tmpd/t.err"; rc=$?
listen_wait
[ "$rc" = 3 ] && grep -q "allow-toggle" "$tmpd/t.err" && ok "--toggle against a listener without --allow-toggle is refused" ||
	ko "toggle refused: exit $rc, $(cat "$tmpd/t.err")"
listen "$tmpd/l4" --allow-toggle
j=$(timeout 120 "$bin" probe -i "$A:$IA" --to 10.211.0.2:6231 --token "$tok" --toggle --only udp4.623.csum-wrong -F json 2>/dev/null)
listen_wait
[ "$(jq '[.results[] | select(.verdict=="ok")] | length' <<<"$j")" = 12 ] &&
	ok "--toggle through the listener: 12 settings" || ko "--toggle through the listener: $(jq -c .summary <<<"$j")"
[ "$(ip netns exec "$A" ethtool -k "$IA")" = "$before_a" ] && [ "$(ip netns exec "$B" ethtool -k "$IB")" = "$before_b" ] &&
	ok "--listen --allow-toggle: settings restored" || ko "--listen --allow-toggle: settings not restored"

# the probe's own capture (pcapng, epb_flags, a comment per case), read
# back by pktdoctor itself: the one wrong checksum is there, sent and received
timeout 120 "$bin" probe --pair "$A:$IA" "$B:$IB" --only udp4.623.csum -w "$tmpd/p.pcapng" >/dev/null
j=$("$bin" analyze -q -F json "$tmpd/p.pcapng")
got=$(jq -c '[.findings[] | select(.id | startswith("checksum.")) | .id + " " + .flow] | unique' <<<"$j")
want="[\"checksum.bad UDP 10.211.0.1:$(sport_of udp4.623.csum-wrong) -> 10.211.0.2:623\"]"
[ "$got" = "$want" ] && [ "$(jq .packets <<<"$j")" = 6 ] &&
	ok "-w: the probe's pcapng (3 sent, 3 received) has one bad checksum, the csum-wrong case's" ||
	ko "-w: analyze says $got, $(jq .packets <<<"$j") packets"

# a UDP port held by another program on the receiver: its cases are
# skipped, saying why, not reported as dropped
ip netns exec "$B" python3 -c 'import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("10.211.0.2", 69)); time.sleep(30)' &
hold=$!
sleep 0.5
j=$(probe --only udp4.69)
kill "$hold"; wait "$hold" 2>/dev/null; hold=
got=$(jq -c '[.results[] | select(.verdict=="skip") | .skip_reason] | unique' <<<"$j")
[ "$got" = '["UDP port 69 is in use by another program on the receiver"]' ] &&
	[ "$(jq '.findings | length' <<<"$j")" = 0 ] && ok "port 69 held by another program: its cases skipped, no finding" ||
	ko "busy port: $got $(jq -c '[.findings[].id]' <<<"$j")"

# without privileges: a clear message, exit 3
if command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$bin" probe --pair "$A:$IA" "$B:$IB" >/dev/null 2>"$tmpd/perm.err"; rc=$?
	[ "$rc" = 3 ] && grep -q "needs CAP_NET_RAW" "$tmpd/perm.err" && ok "unprivileged: says CAP_NET_RAW is needed (exit 3)" ||
		ko "unprivileged: exit $rc, $(cat "$tmpd/perm.err")"
fi

# bad usage and missing interfaces
"$bin" probe --pair "$A:pdpnosuch0" "$B:$IB" >/dev/null 2>&1; rc=$?
[ "$rc" = 3 ] && ok "a missing interface is a setup error (exit 3)" || ko "missing interface: exit $rc"
"$bin" probe --pair "$A:$IA" >/dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok "one interface is a usage error (exit 2)" || ko "one interface: exit $rc"

after_a=$(ip netns exec "$A" ethtool -k "$IA")
after_b=$(ip netns exec "$B" ethtool -k "$IB")
[ "$before_a" = "$after_a" ] && [ "$before_b" = "$after_b" ] && ok "offload settings unchanged" ||
	ko "offload settings changed"
cleanup
ip netns list | grep -q "^pdp${id}" && ko "namespaces left behind" || ok "no namespace left behind"

echo "probe_pair: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
