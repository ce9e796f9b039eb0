#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# live_test.sh PROBE PKTDOCTOR - live capture through both backends
# (libpcap and the AF_PACKET TPACKET_V3 ring) on a veth pair between two
# network namespaces that this script creates and deletes:
#
#   pdl-<pid>-a [pdlA<pid>, 10.208.8.1] <--veth--> [pdlB<pid>, 10.208.8.2] pdl-<pid>-b
#
# (a) on the sender, with TX checksum offload and TSO on: the ring marks
#     outgoing frames "checksum not ready" (and TSO super-frames "tso");
#     libpcap delivers the same traffic without any such flags;
# (b) on the receiver with GRO on and the sender's TX checksum offload
#     and TSO off: frames larger than the MTU arrive inbound, marked
#     "tso" by the ring.  veth coalesces only with NAPI; on kernel 6.18
#     `ethtool -K gro on` alone turns it on (69 of 203 frames above 1514
#     bytes; gro off: 0 of 3206), and threaded NAPI is set too
#     (/sys/class/net/IF/threaded, 87 of 191), which writing fails with
#     EIO while gro is off;
# both also through `pktdoctor analyze -i --netns` (the verdict names the
# capturing host and cites the flag; with GRO no TX-offload verdict is made
# against the sender, checksum.rx_coalesced names GRO instead); plus
# loopback (each packet once), a stop right after the traffic, 802.1Q
# tags put back, capture drops counted for a slow reader, a BPF filter, -c,
# a missing namespace / interface, and an unprivileged user, whose message
# must say what to do.
#
# Traffic stays in the namespaces; every load is bounded (iperf3 -n,
# timeout).  Offload settings and /sys/.../threaded are read first and
# restored on every exit path; the namespaces are deleted at the end.
# Exit 77 (skip) when not root or without network namespaces or the tools.
set -u
PROBE=$1
PD=$2
NSA=pdl-$$-a
NSB=pdl-$$-b
IFA=pdlA$$
IFB=pdlB$$
IPA=10.208.8.1
IPB=10.208.8.2
TMP=
PIDS=()
RESTORE=()
FAILS=0

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

[ "$(id -u)" -eq 0 ] || skip "live capture in network namespaces needs root (CAP_NET_RAW, CAP_SYS_ADMIN)"
for t in ip ethtool iperf3 setpriv timeout; do
	command -v "$t" >/dev/null || skip "$t is not installed (./build.sh setup installs it)"
done

cleanup() {
	local i
	for pid in "${PIDS[@]}"; do
		kill "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	# restore in reverse order what was changed
	for ((i = ${#RESTORE[@]} - 1; i >= 0; i--)); do
		eval "${RESTORE[$i]}" >/dev/null 2>&1 || echo "warning: could not restore: ${RESTORE[$i]}"
	done
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	[ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ip netns add "$NSA" 2>/dev/null || skip "cannot create a network namespace (no netns support?)"
ip netns add "$NSB" || skip "cannot create a second network namespace"
ip link add "$IFA" netns "$NSA" type veth peer name "$IFB" netns "$NSB" ||
	skip "cannot create a veth pair (no veth support?)"
ip -n "$NSA" addr add $IPA/24 dev "$IFA"
ip -n "$NSB" addr add $IPB/24 dev "$IFB"
for ns in "$NSA" "$NSB"; do ip -n "$ns" link set lo up; done
ip -n "$NSA" link set "$IFA" up
ip -n "$NSB" link set "$IFB" up
TMP=$(mktemp -d /tmp/pdl-live.XXXXXX)

# offload NAME of IFACE in NS: "on" or "off" (ethtool -k)
offload() { ip netns exec "$1" ethtool -k "$2" | awk -F': ' -v k="$3" '$1 == k {print $2; exit}' | cut -d' ' -f1; }

# set_offloads NS IFACE tx|tso|gro on|off ...: read each first, remember how to restore
set_offloads() {
	local ns=$1 dev=$2 name key cur
	shift 2
	while [ $# -ge 2 ]; do
		case $1 in
		tx) key=tx-checksumming ;;
		tso) key=tcp-segmentation-offload ;;
		gro) key=generic-receive-offload ;;
		*) echo "set_offloads: $1?"; return 1 ;;
		esac
		cur=$(offload "$ns" "$dev" "$key")
		[ -n "$cur" ] || { fail "cannot read $key of $dev"; return 1; }
		RESTORE+=("ip netns exec $ns ethtool -K $dev $1 $cur")
		echo "  $dev: $1 $cur -> $2"
		ip netns exec "$ns" ethtool -K "$dev" "$1" "$2" >/dev/null || { fail "ethtool -K $dev $1 $2"; return 1; }
		name=$(offload "$ns" "$dev" "$key")
		[ "$name" = "$2" ] || { fail "$dev: $key is $name after setting $2"; return 1; }
		shift 2
	done
}

# set_threaded NS IFACE 0|1: NAPI in a kernel thread (veth needs NAPI for GRO)
set_threaded() {
	local f=/sys/class/net/$2/threaded cur
	cur=$(ip netns exec "$1" cat "$f") || { fail "cannot read $f"; return 1; }
	RESTORE+=("ip netns exec $1 sh -c 'echo $cur > $f'")
	echo "  $2: threaded NAPI $cur -> $3"
	ip netns exec "$1" sh -c "echo $3 > $f"
}

# wait_for FILE REGEX SECONDS
wait_for() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		grep -q "$3" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# capture OUT NS IFACE BACKEND COUNT [probe args...]: start the probe in
# the background (at most COUNT frames, 8 s) and wait until it captures
capture() {
	local out=$1 ns=$2 dev=$3 be=$4 n=$5
	shift 5
	"$PROBE" -i "$dev" -n "$ns" -b "$be" -c "$n" -t 8 "$@" >"$out" 2>"$out.err" &
	PIDS+=($!)
	CAP_PID=$!
	wait_for "$out" 5 '^open ' || { fail "probe on $dev ($be) did not start: $(cat "$out.err")"; return 1; }
}

# stop_capture: end the probe after the traffic (SIGTERM: it prints its
# counters and exits 0); sets RC
stop_capture() {
	sleep 0.3
	kill -TERM "$CAP_PID" 2>/dev/null
	wait "$CAP_PID"
	RC=$?
}

# tcp_load BYTES: one bounded iperf3 TCP transfer from A to B
tcp_load() {
	ip netns exec "$NSB" timeout 15 iperf3 -s -1 -B $IPB >/dev/null 2>&1 &
	local spid=$!
	PIDS+=($spid)
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NSB" ss -ltn 2>/dev/null | grep -q ":5201 " && break
		sleep 0.1
	done
	ip netns exec "$NSA" timeout 10 iperf3 -c $IPB -n "$1" >/dev/null 2>&1 || fail "iperf3 transfer failed"
	wait "$spid" 2>/dev/null
}

# analyze OUT NS IFACE BACKEND [args...]: start `pktdoctor analyze -i` (JSON
# report in OUT, messages in OUT.err; bounded by --duration) and wait until
# it captures
analyze() {
	local out=$1 ns=$2 dev=$3 be=$4
	shift 4
	"$PD" analyze -F json --backend "$be" -i "$dev" --netns "$ns" --duration 20 "$@" \
		>"$out" 2>"$out.err" &
	PIDS+=($!)
	CAP_PID=$!
	wait_for "$out.err" 5 'capturing on' || { fail "analyze on $dev ($be) did not start: $(cat "$out.err")"; return 1; }
}

# verdict JSON HOST: the checksum.offload_suspected evidence for HOST, or ""
verdict() { jq -c --arg h "$2" '.findings[] | select(.id == "checksum.offload_suspected" and .evidence.host == $h) | .evidence' "$1"; }

# frames FILE AWK-CONDITION: how many frame lines match
frames() { awk -v FS='[ =]' "/^frame=/ && ($2) {n++} END {print n + 0}" "$1"; }
# fields of a frame line (FS ' ' and '='): 2 frame, 4 linktype, 6 caplen,
# 8 wirelen, 10 dir, 12 flags

echo "== (a) sender $IFA with TX checksum offload and TSO on"
set_offloads "$NSA" "$IFA" tx on tso on
for be in afpacket pcap; do
	out=$TMP/a-$be
	capture "$out" "$NSA" "$IFA" $be 5000 || continue
	tcp_load 2M
	stop_capture
	[ $RC -eq 0 ] || fail "($be) probe exit $RC: $(cat "$out.err")"
	total=$(frames "$out" 1)
	[ "$total" -gt 0 ] || { fail "($be) no frame captured on $IFA"; continue; }
	grep -q "^stats received=$total " "$out" || fail "($be) stats line disagrees with $total frames: $(grep ^stats "$out")"
	if [ $be = afpacket ]; then
		grep -q "^open iface=$IFA format=afpacket linktype=EN10MB" "$out" || fail "(afpacket) open line: $(head -1 "$out")"
		nr=$(frames "$out" '$10 == "out" && $12 ~ /csum_not_ready/')
		tso=$(frames "$out" '$10 == "out" && $12 ~ /tso/ && $8 > 1514')
		[ "$nr" -gt 0 ] && ok "(afpacket) $nr of $total frames outbound with checksum not ready" ||
			fail "(afpacket) no outbound frame marked checksum not ready ($total frames)"
		[ "$tso" -gt 0 ] && ok "(afpacket) $tso outbound TSO super-frames above 1514 bytes" ||
			fail "(afpacket) no outbound TSO frame above 1514 bytes"
	else
		grep -q "^open iface=$IFA format=live linktype=EN10MB" "$out" || fail "(pcap) open line: $(head -1 "$out")"
		noflags=$(frames "$out" '$10 == "-" && $12 == "-"')
		big=$(frames "$out" '$8 > 1514')
		[ "$noflags" -eq "$total" ] && ok "(pcap) $total frames, none with direction or offload flags (libpcap has none)" ||
			fail "(pcap) $((total - noflags)) frames carry flags libpcap cannot know"
		[ "$big" -gt 0 ] && ok "(pcap) $big TSO super-frames above 1514 bytes" ||
			fail "(pcap) no frame above 1514 bytes with TSO on"
	fi
done

echo "== (a) pktdoctor analyze -i on the sender: the verdict names it"
for be in afpacket pcap; do
	out=$TMP/a-$be.json
	analyze "$out" "$NSA" "$IFA" $be || continue
	tcp_load 2M
	stop_capture # SIGINT ends a live capture normally: report, exit 0/1
	[ $RC -le 1 ] || { fail "($be) analyze exit $RC: $(cat "$out.err")"; continue; }
	fmt=$(jq -r .format "$out")
	n=$(jq -r .packets "$out")
	[ "$n" -gt 0 ] || { fail "($be) analyze captured no packet"; continue; }
	grep -q "frames received, [0-9]* dropped by the capture" "$out.err" || fail "($be) no capture counters on stderr"
	ev=$(verdict "$out" $IPA)
	[ -n "$ev" ] || { fail "($be) no checksum.offload_suspected for the capturing host $IPA: $(jq -c '[.findings[].id]' "$out")"; continue; }
	nr=$(jq -r .epb_checksum_not_ready <<<"$ev")
	outb=$(jq -r .epb_outbound <<<"$ev")
	if [ $be = afpacket ]; then
		[ "$fmt" = afpacket ] || fail "(afpacket) report format is $fmt"
		[ "$nr" -gt 0 ] && [ "$outb" -gt 0 ] &&
			ok "(afpacket) TX offload verdict on $IPA cites $nr frames 'checksum not ready', $outb outbound ($n packets)" ||
			fail "(afpacket) verdict on $IPA does not cite the flags: $ev"
	else
		[ "$fmt" = live ] || fail "(pcap) report format is $fmt"
		[ "$nr" -eq 0 ] && [ "$outb" -eq 0 ] &&
			ok "(pcap) TX offload verdict on $IPA from the capture alone (no flags from libpcap): $(jq -r .confidence <<<"$ev") confidence" ||
			fail "(pcap) verdict cites flags libpcap cannot give: $ev"
	fi
done

echo "== (b) receiver $IFB with GRO on; sender TX checksum offload and TSO off"
set_offloads "$NSA" "$IFA" tx off tso off
set_offloads "$NSB" "$IFB" gro on
set_threaded "$NSB" "$IFB" 1
for be in afpacket pcap; do
	out=$TMP/b-$be
	capture "$out" "$NSB" "$IFB" $be 5000 || continue
	tcp_load 4M
	stop_capture
	[ $RC -eq 0 ] || fail "($be) probe exit $RC: $(cat "$out.err")"
	total=$(frames "$out" 1)
	[ "$total" -gt 0 ] || { fail "($be) no frame captured on $IFB"; continue; }
	big=$(frames "$out" '$8 > 1514')
	[ "$big" -gt 0 ] && ok "($be) $big GRO frames above 1514 bytes of $total" ||
		fail "($be) no frame above 1514 bytes with GRO on"
	if [ $be = afpacket ]; then
		gro=$(frames "$out" '$10 == "in" && $12 ~ /tso/ && $8 > 1514')
		outbig=$(frames "$out" '$10 == "out" && $8 > 1514')
		[ "$gro" -gt 0 ] && ok "(afpacket) $gro inbound GRO frames marked tso" ||
			fail "(afpacket) no inbound frame above 1514 bytes marked tso"
		[ "$outbig" -eq 0 ] || fail "(afpacket) $outbig outbound frames above 1514 bytes from the receiver"
	fi
done

echo "== (b) pktdoctor analyze -i on the receiver with GRO: no TX-offload verdict on the sender"
for be in afpacket pcap; do
	out=$TMP/b-$be.json
	analyze "$out" "$NSB" "$IFB" $be || continue
	tcp_load 4M
	stop_capture
	[ $RC -le 1 ] || { fail "($be) analyze exit $RC: $(cat "$out.err")"; continue; }
	n=$(jq -r .packets "$out")
	[ "$n" -gt 0 ] || { fail "($be) analyze captured no packet"; continue; }
	ev=$(verdict "$out" $IPA)
	ids=$(jq -c '[.findings[] | .id + " " + (.evidence.host // .evidence.sender // "")]' "$out")
	[ -z "$ev" ] && ok "($be) no TX-offload verdict on the sender $IPA ($n packets)" ||
		fail "($be) TX-offload verdict on the sender $IPA, whose TX offload is off: $ev"
	# GRO on the capturing host is named instead
	jq -e --arg h $IPA '.findings[] | select(.id == "checksum.rx_coalesced" and .evidence.host == $h)' "$out" >/dev/null &&
		ok "($be) checksum.rx_coalesced: $(jq -r '.findings[] | select(.id == "checksum.rx_coalesced") | .message' "$out" | head -1 | cut -c1-150)" ||
		fail "($be) no checksum.rx_coalesced finding for $IPA: $ids"
done

echo "== loopback: each packet once (it passes lo twice), outbound on the ring"
for be in afpacket pcap; do
	out=$TMP/lo-$be
	capture "$out" "$NSA" lo $be 50 -f "udp port 9" || continue
	ip netns exec "$NSA" bash -c 'for i in 1 2 3; do echo hi >/dev/udp/127.0.0.1/9; done'
	stop_capture
	n=$(frames "$out" 1)
	outn=$(frames "$out" '$10 == "out" && $12 ~ /csum_not_ready/')
	if [ "$n" -ne 3 ]; then
		fail "($be) lo: $n frames for 3 datagrams"
	elif [ $be = afpacket ] && [ "$outn" -ne 3 ]; then
		fail "(afpacket) lo: $outn of 3 frames outbound with checksum not ready"
	else
		ok "($be) lo: 3 datagrams, 3 frames$([ $be = afpacket ] && echo ', outbound, checksum not ready')"
	fi
done

echo "== a stop right after the traffic still reports what was captured before it"
# An AF_PACKET block is handed over when full or at its timeout: frames
# captured just before SIGINT must not be lost in an unfinished block.
# TCP over lo in A, SIGINT as soon as iperf3 ends; the connections' FINs
# come last.
for be in afpacket pcap; do
	out=$TMP/stop-$be.json
	ip netns exec "$NSA" timeout 15 iperf3 -s -1 -B 127.0.0.1 >/dev/null 2>&1 &
	spid=$!
	PIDS+=($spid)
	"$PD" analyze -F json --backend $be -i lo --netns "$NSA" -f 'tcp[tcpflags] & tcp-fin != 0' \
		--duration 20 >"$out" 2>"$out.err" &
	PIDS+=($!)
	CAP_PID=$!
	wait_for "$out.err" 5 'capturing on' || { fail "($be) analyze on lo did not start"; continue; }
	for ((i = 0; i < 50; i++)); do
		ip netns exec "$NSA" ss -ltn 2>/dev/null | grep -q ":5201 " && break
		sleep 0.1
	done
	ip netns exec "$NSA" timeout 10 iperf3 -c 127.0.0.1 -n 1M >/dev/null 2>&1 || fail "iperf3 on lo failed"
	kill -INT "$CAP_PID"
	wait "$CAP_PID"
	RC=$?
	wait "$spid" 2>/dev/null
	n=$(jq -r .packets "$out" 2>/dev/null)
	[ $RC -le 1 ] && [ "${n:-0}" -ge 2 ] && ok "($be) SIGINT at once: $n FIN segments reported" ||
		fail "($be) SIGINT right after the traffic: exit $RC, ${n:-no} FIN segments: $(cat "$out.err")"
done

echo "== 802.1Q: the tag the kernel moves into tp_vlan_tci is put back"
# The receiving kernel strips the tag of any tagged frame before the
# capture sees it (skb_vlan_untag), even without 802.1Q devices: three
# frames tagged VID 100, PCP 5 are sent raw from A and must match a
# filter on the tag at B, 47 bytes long with the tag.
PY=/usr/bin/python3
[ -x $PY ] || PY=python3
# On "any" (cooked LINUX_SLL headers) the tag goes where the protocol
# field was, as libpcap puts it (49 bytes); libpcap's "vlan" keyword does
# not exist for cooked headers, so that filter reads the bytes: TPID
# 0x8100, TCI 0xa064, EtherType IPv4, UDP to port 9.
for be in afpacket pcap afpacket-any pcap-any; do
	out=$TMP/vlan-$be
	if [[ $be == *-any ]]; then
		dev=any len=49 flt="link[14:2] = 0x8100 and link[16:2] = 0xa064 and link[18:2] = 0x0800 and link[29] = 17 and link[42:2] = 9"
	else
		dev=$IFB len=47 flt="vlan 100 and ether[14] & 0xe0 = 0xa0 and udp port 9"
	fi
	capture "$out" "$NSB" "$dev" "${be%-any}" 3 -f "$flt" || continue
	ip netns exec "$NSA" "$PY" - "$IFA" <<'PYEOF' || fail "($be) could not send tagged frames"
import socket, struct, sys
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff)
    return ~(s + (s >> 16)) & 0xffff
udp = struct.pack("!HHHH", 40000, 9, 9, 0) + b"x"
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                 bytes([10, 208, 8, 1]), bytes([10, 208, 8, 2]))
ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
frame = b"\xff" * 6 + bytes([2, 0, 0, 0, 0, 1]) + struct.pack("!HHH", 0x8100, 0xa064, 0x0800) + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
for _ in range(3):
    s.send(frame)
PYEOF
	stop_capture
	n=$(frames "$out" "\$8 == $len && \$6 == $len")
	[ "$n" -eq 3 ] && ok "($be) 3 tagged frames matched VID 100 with PCP 5, $len bytes with the tag" ||
		fail "($be) tagged frames: $n of 3 matched with the tag back: $(grep -h . "$out" "$out.err" | head -5)"
done

echo "== a reader too slow for a burst: the capture counts its drops"
# The probe stalls 1 s after the first frame while 3000 datagrams of 1000
# bytes arrive; the smallest buffer cannot hold them.  Every frame the
# interface received must be either delivered or counted as dropped.
for be in afpacket pcap; do
	out=$TMP/drops-$be
	rx0=$(ip -n "$NSB" -j -s link show "$IFB" | jq '.[0].stats64.rx.packets')
	capture "$out" "$NSB" "$IFB" $be 100000 -q -s 2048 -B 1 -S 1000 -f "udp port 9" || continue
	ip netns exec "$NSA" "$PY" -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x", ("'$IPB'", 9))
time.sleep(0.1)
for i in range(3000):
    s.sendto(b"y" * 1000, ("'$IPB'", 9))' || fail "($be) could not send the burst"
	sleep 1.5
	stop_capture
	rx=$(($(ip -n "$NSB" -j -s link show "$IFB" | jq '.[0].stats64.rx.packets') - rx0))
	read -r recv drops < <(sed -n 's/^stats received=\([0-9]*\) .* capture_drops=\([0-9]*\) .*/\1 \2/p' "$out")
	if [ "${drops:-0}" -gt 0 ] && [ $((recv + drops)) -ge "$rx" ] && [ "$rx" -ge 3000 ]; then
		ok "($be) burst of $rx frames: $recv delivered, $drops counted as capture drops"
	else
		fail "($be) burst of $rx frames: delivered ${recv:-?}, capture drops ${drops:-?}: $(grep -h . "$out" "$out.err" | tail -2)"
	fi
done

echo "== analyze -i whose capture drops: the report says so (capture.dropped)"
# pktdoctor is stopped (SIGSTOP) while 6000 datagrams of 1000 bytes arrive:
# more than its smallest ring holds (-B 64 KiB; the afpacket ring is at
# least 4 blocks of one 256 KiB frame, 1 MiB).  After SIGCONT and SIGTERM,
# the JSON report must carry the counters in "source", a capture.dropped
# warning with the same numbers, and the stderr line must agree.
for be in afpacket pcap; do
	out=$TMP/dropped-$be.json
	analyze "$out" "$NSB" "$IFB" $be -B 64 -f "udp port 9" || continue
	kill -STOP "$CAP_PID"
	ip netns exec "$NSA" timeout 20 "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(6000):
    s.sendto(b"y" * 1000, ("'$IPB'", 9))' || fail "($be) could not send the burst"
	kill -CONT "$CAP_PID"
	stop_capture # SIGTERM: a live capture's normal end, with the report
	[ $RC -le 1 ] || { fail "($be) analyze exit $RC: $(cat "$out.err")"; continue; }
	drops=$(jq -r '.source.dropped_by_capture' "$out")
	recv=$(jq -r '.source.received' "$out")
	pk=$(jq -r '.packets' "$out")
	f=$(jq -c '[.findings[] | select(.id == "capture.dropped")]' "$out")
	if [ "${drops:-0}" -gt 0 ] 2>/dev/null && [ "$recv" -ge "$pk" ] &&
		jq -e --argjson d "$drops" --argjson r "$recv" 'length == 1 and .[0].severity == "warning"
			and .[0].evidence.dropped_by_capture == $d and .[0].evidence.received == $r' \
			<<<"$f" >/dev/null &&
		grep -q "$recv frames received, $drops dropped by the capture" "$out.err"; then
		ok "($be) stalled reader: $drops frames dropped by the capture, $recv delivered; capture.dropped in the report"
	else
		fail "($be) stalled reader: source $(jq -c .source "$out"), capture.dropped $f, stderr: $(tail -1 "$out.err")"
	fi
done
# the same capture with nothing lost has its counters and no capture.dropped
out=$TMP/nodrop.json
analyze "$out" "$NSB" "$IFB" afpacket -f "udp port 9" && {
	ip netns exec "$NSA" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(20):
    s.sendto(b"y" * 100, ("'$IPB'", 9))'
	stop_capture
	if jq -e '.source.dropped_by_capture == 0 and .source.received >= 20
		and ([.findings[] | select(.id == "capture.dropped")] | length == 0)' "$out" >/dev/null; then
		ok "no drop: source $(jq -c .source "$out"), no capture.dropped"
	else
		fail "no drop: source $(jq -c .source "$out"), findings $(jq -c '[.findings[].id]' "$out")"
	fi
}

echo "== BPF filter on a live source"
out=$TMP/filter
capture "$out" "$NSB" "$IFB" afpacket 5000 -f "udp port 9" && {
	tcp_load 256K
	stop_capture
	m=$(sed -n 's/^stats received=\([0-9]*\) matched=\([0-9]*\) .*/\1 \2/p' "$out")
	set -- $m
	[ "${1:-0}" -gt 0 ] && [ "${2:-1}" -eq 0 ] && ok "filter 'udp port 9': $1 TCP frames received, 0 matched" ||
		fail "filter 'udp port 9' over TCP traffic: $(grep ^stats "$out")"
}

echo "== pktdoctor analyze -i -c COUNT ends after COUNT packets"
out=$TMP/count.json
"$PD" analyze -F json -i "$IFB" --netns "$NSB" -c 20 --duration 20 >"$out" 2>"$out.err" &
PIDS+=($!)
CAP_PID=$!
if wait_for "$out.err" 5 'capturing on'; then
	tcp_load 512K
	wait "$CAP_PID"
	RC=$?
	n=$(jq -r .packets "$out" 2>/dev/null)
	[ $RC -le 1 ] && [ "$n" = 20 ] && ok "-c 20: exit $RC, 20 packets reported" ||
		fail "-c 20: exit $RC, packets ${n:-none}: $(cat "$out.err")"
else
	fail "analyze -c did not start: $(cat "$out.err")"
fi

echo "== errors"
msg=$("$PROBE" -i "$IFA" -n pdl-$$-nosuch -t 1 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ $msg == *"no such network namespace: pdl-$$-nosuch"* ]] && ok "missing namespace: exit 3, named" ||
	fail "missing namespace: exit $rc: $msg"
msg=$("$PROBE" -i pdlnosuch0 -n "$NSA" -t 1 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ $msg == *"no such interface: pdlnosuch0 in network namespace $NSA"* ]] && ok "missing interface: exit 3, named" ||
	fail "missing interface: exit $rc: $msg"

echo "== unprivileged user (uid 65534)"
cp "$PROBE" "$TMP/probe" && chmod 755 "$TMP" "$TMP/probe"
for be in afpacket pcap; do
	msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/probe" -i lo -b $be -t 1 2>&1)
	rc=$?
	[ $rc -eq 3 ] && [[ $msg == *CAP_NET_RAW*"run as root"*"setcap cap_net_raw+ep"* ]] &&
		ok "($be) no permission: exit 3, says what to do" || fail "($be) unprivileged: exit $rc: $msg"
done
cp "$PD" "$TMP/pktdoctor" && chmod 755 "$TMP/pktdoctor"
msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/pktdoctor" analyze -i lo -c 1 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ $msg == *CAP_NET_RAW*"setcap cap_net_raw+ep"* ]] && ok "pktdoctor analyze -i without permission: exit 3, says what to do" ||
	fail "pktdoctor analyze -i unprivileged: exit $rc: $msg"
# the remedy the message names: the same user with cap_net_raw+ep on the
# binary captures (on this host's loopback: setns would need CAP_SYS_ADMIN)
if command -v setcap >/dev/null && setcap cap_net_raw+ep "$TMP/pktdoctor" 2>/dev/null; then
	port=$((40000 + $$ % 20000))
	setpriv --reuid=65534 --regid=65534 --clear-groups "$TMP/pktdoctor" analyze -F json -i lo \
		-f "udp port $port" -c 3 --duration 10 >"$TMP/cap.json" 2>"$TMP/cap.err" &
	PIDS+=($!)
	cpid=$!
	if wait_for "$TMP/cap.err" 5 'capturing on'; then
		for i in 1 2 3; do echo hi >/dev/udp/127.0.0.1/$port; done
		wait $cpid
		rc=$?
		n=$(jq -r .packets "$TMP/cap.json" 2>/dev/null)
		[ $rc -le 1 ] && [ "$n" = 3 ] && ok "with setcap cap_net_raw+ep, uid 65534 captures (3 packets on lo)" ||
			fail "setcap'd pktdoctor as uid 65534: exit $rc, packets ${n:-none}: $(cat "$TMP/cap.err")"
	else
		fail "setcap'd pktdoctor as uid 65534 did not start: $(cat "$TMP/cap.err")"
	fi
else
	echo "NOTE: setcap unavailable or $TMP has no file capabilities: the setcap remedy is not tried"
fi
msg=$("$PD" analyze -i "$IFA" --netns pdl-$$-nosuch -c 1 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ $msg == *"no such network namespace: pdl-$$-nosuch"* ]] && ok "pktdoctor analyze --netns missing: exit 3, named" ||
	fail "pktdoctor analyze --netns missing: exit $rc: $msg"
msg=$(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$TMP/probe" -i "$IFA" -n "$NSA" -t 1 2>&1)
rc=$?
[ $rc -eq 3 ] && [[ $msg == *"CAP_SYS_ADMIN: run as root"* ]] && ok "namespace without permission: exit 3, says what to do" ||
	fail "unprivileged --netns: exit $rc: $msg"

[ $FAILS -eq 0 ] || { echo "$FAILS failure(s); captures in $TMP are deleted"; exit 1; }
echo "all live checks passed"
