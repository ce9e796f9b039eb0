#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make-acc-captures.sh - real captures of the situations in which pktdoctor
# raised false alarms on public captures (issue 11), each with what must
# still fire (the positive controls).  Writes into captures/ (the parent of
# this acc-lab/ directory):
#
#   midstream.pcap            a bulk transfer captured on the receiver only
#                             after the handshake: no SYN, no MSS option.
#   midstream-oneway.pcap     the same transfer, same moment, receiver side,
#                             inbound only (tcpdump -Q in): data, no ACKs.
#   gro-receiver.pcap         a bulk transfer from a sender with TSO, GSO and
#                             TX checksumming off, captured on the RECEIVER
#                             with GRO on: merged segments up to 64 KiB.
#   gro-sender.pcap           the same transfer on the sender (reference:
#                             what was on the wire).
#   dup-any.pcap              a transfer routed through pdq-r, captured there
#                             with `tcpdump -i any`: every packet twice.
#   dup-any-loss.pcap         the same with the router dropping 1 data
#                             segment in 50 after its ingress tap: real
#                             retransmissions among the copies.
#   dup-sender.pcap,          single-interface captures on the sender of the
#   dup-loss-sender.pcap      two runs (reference for tshark's counts).
#   vlan-asym.pcap            a real TCP exchange (captured here first), each
#                             direction re-tagged with its own VLAN (client
#                             10, server 20) by scapy and replayed through a
#                             veth with its timing, captured on the peer.
#   vlan-asym-blackhole.pcap  captures/oversize-blackhole.pcap re-tagged the
#                             same way (positive control: the black hole and
#                             the storms must still be found, MSS 1460 from
#                             the SYN).
#   mipv6-hao.pcap            Mobile IPv6 frames with a Home Address option
#                             (crafted by scapy, sent through a veth, the
#                             receiving kernel's answers included).
#   giveup-fin.pcap           the oversize black hole, but the client gives
#                             up each stalled connection with a FIN and
#                             reconnects while the server keeps
#                             retransmitting on the old one.
#
# Network rules: traffic only inside the pdq-* namespaces made here (never
# the host's interfaces); every interface tool names its interface; loops and
# processes are bounded (counts, `timeout`); only our own PIDs are killed;
# the namespaces (and with them every veth whose offloads were changed) are
# deleted on exit.  Needs root, iproute2, ethtool, nft, tcpdump, tshark and
# /usr/bin/python3 with scapy.
#
# Usage: sudo captures/acc-lab/make-acc-captures.sh [OUTDIR]
#        PDQ_ONLY=midstream|gro|dup|vlan|mipv6|giveup makes one part.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$(dirname "$LAB_DIR")}
PY=/usr/bin/python3
ACC="$LAB_DIR/acclab.py"
TCPLAB="$LAB_DIR/../tcp-lab/tcplab.py"
ALL_NS=(pdq-a pdq-b pdq-r pdq-sw pdq-tx pdq-rx)
WORK=""
PIDS=()

log() { printf '[pdq] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

teardown() {
    local ns
    for ns in "${ALL_NS[@]}"; do
        ip netns list | grep -qw "^$ns" && ip netns del "$ns" 2>/dev/null || true
    done
}
cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        kill -0 "$pid" 2>/dev/null && { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; }
    done
    teardown
    [[ -n "$WORK" && -d "$WORK" && -z "${PDQ_KEEP_WORK:-}" ]] && rm -rf "$WORK"
    (( rc == 0 )) || log "failed (exit $rc); namespaces removed"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
for t in ip ethtool nft tcpdump tshark timeout; do command -v "$t" >/dev/null || die "missing $t (apt-get install iproute2 ethtool nftables tcpdump tshark)"; done
$PY -c 'import scapy' 2>/dev/null || die "$PY has no scapy (apt-get install python3-scapy)"
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d /tmp/pdq.XXXXXX)

mk_ns() {   # mk_ns NS [v6]: fresh namespace, lo up, IPv6 off unless v6
    ip netns add "$1"
    if [[ "${2:-}" != v6 ]]; then
        ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    else
        ip netns exec "$1" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
            net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
    fi
    ip -n "$1" link set lo up
}
mk_veth() {   # mk_veth NS1 DEV1 MAC1 NS2 DEV2 MAC2 MTU
    ip -n "$1" link add "$2" address "$3" mtu "$7" type veth peer name "$5" netns "$4" address "$6" mtu "$7"
}
offloads() {   # offloads NS DEV on|off: tx-csum, TSO, GSO, GRO together
    ip netns exec "$1" ethtool -K "$2" tx "$3" tso "$3" gso "$3" gro "$3" >/dev/null 2>&1 ||
        ip netns exec "$1" ethtool -K "$2" tx "$3" gso "$3" gro "$3" >/dev/null
}
show_offloads() {
    log "  $1/$2: $(ip netns exec "$1" ethtool -k "$2" | grep -E '^(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):' | tr -s ' \n' ' ')"
}
neigh() { ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent; }
wait_for_line() {   # wait_for_line FILE REGEX SECONDS
    local i
    for (( i = 0; i < $3 * 10; i++ )); do grep -qE "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}
declare -A CAP_PID
start_capture() {   # start_capture TAG NS DEV OUT [tcpdump args...]
    local tag=$1 ns=$2 dev=$3 out=$4; shift 4
    ip netns exec "$ns" timeout 120 tcpdump -n -i "$dev" -s 0 -B 16384 -U -Z root --immediate-mode "$@" \
        -w "$out" 2> "$WORK/cap-$tag.log" &
    CAP_PID[$tag]=$!; PIDS+=("$!")
    wait_for_line "$WORK/cap-$tag.log" 'listening on ' 10 || die "tcpdump [$tag] did not start"
}
stop_capture() {   # stop_capture TAG: insist on 0 dropped
    local pid=${CAP_PID[$1]} rc=0
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
    forget_pid "$pid"
    (( rc == 0 )) || die "tcpdump [$1] exit $rc"
    grep -q '^0 packets dropped by kernel' "$WORK/cap-$1.log" || die "tcpdump [$1] dropped: $(cat "$WORK/cap-$1.log")"
    log "capture [$1]: $(grep 'captured' "$WORK/cap-$1.log")"
}
count() { tshark -n -o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE -o udp.check_checksum:TRUE \
    -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l; }
fields() { local f=$1 y=$2 a=(); shift 2; for x in "$@"; do a+=(-e "$x"); done
    tshark -n -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -r "$f" -Y "$y" -T fields -E separator=' ' "${a[@]}" 2>/dev/null; }
sink_start() {   # sink_start NS ADDR PORT
    : > "$WORK/sink.out"
    ip netns exec "$1" timeout 40 "$PY" "$TCPLAB" sink "$2" "$3" > "$WORK/sink.out" &
    SINK=$!; PIDS+=("$SINK")
    wait_for_line "$WORK/sink.out" '^ready' 10 || die "sink did not start"
}
sink_wait() { wait "$SINK" || die "sink failed"; forget_pid "$SINK"; log "$(tail -1 "$WORK/sink.out")"; }
pair() {   # pair: pdq-a 10.91.N.1 <-> pdq-b 10.91.N.2, offloads off; $1 = N
    teardown
    mk_ns pdq-a; mk_ns pdq-b
    mk_veth pdq-a pdq-a0 02:91:00:00:0$1:01 pdq-b pdq-b0 02:91:00:00:0$1:02 1500
    ip -n pdq-a addr add "10.91.$1.1/24" dev pdq-a0; ip -n pdq-b addr add "10.91.$1.2/24" dev pdq-b0
    neigh pdq-a pdq-a0 "10.91.$1.2" 02:91:00:00:0$1:02; neigh pdq-b pdq-b0 "10.91.$1.1" 02:91:00:00:0$1:01
    offloads pdq-a pdq-a0 off; offloads pdq-b pdq-b0 off
    ip -n pdq-a link set pdq-a0 up; ip -n pdq-b link set pdq-b0 up
    sleep 1
}

# ======================================================== 1. midstream ===
make_midstream() {
    local a="$WORK/midstream.pcap" b="$WORK/midstream-oneway.pcap" c
    log "=== midstream.pcap, midstream-oneway.pcap"
    pair 1
    show_offloads pdq-a pdq-a0; show_offloads pdq-b pdq-b0
    sink_start pdq-b 10.91.1.2 5101
    : > "$WORK/bulk.out"
    ip netns exec pdq-a timeout 40 "$PY" "$ACC" paced-bulk 10.91.1.2 5101 400000 2.0 > "$WORK/bulk.out" &
    c=$!; PIDS+=("$c")
    wait_for_line "$WORK/bulk.out" '^connected' 10 || die "client did not connect"
    start_capture mid pdq-b pdq-b0 "$a"
    start_capture one pdq-b pdq-b0 "$b" -Q in
    wait "$c" || die "paced-bulk failed"; forget_pid "$c"; sink_wait
    sleep 0.3
    stop_capture mid; stop_capture one
    teardown
    (( $(count "$a" 'tcp.flags.syn == 1') == 0 && $(count "$b" 'tcp.flags.syn == 1') == 0 )) || die "midstream: a SYN was captured"
    (( $(count "$b" 'ip.src == 10.91.1.2') == 0 )) || die "midstream-oneway: frames from the receiver"
    (( $(count "$a" 'tcp.len > 1400') > 100 )) || die "midstream: no full-sized segments"
    (( $(count "$a" 'tcp.len > 1448') == 0 )) || die "midstream: a segment above MSS 1448+12"
    (( $(count "$a" 'tcp.analysis.retransmission || tcp.checksum.status == 0') == 0 )) || die "midstream: loss or bad checksums"
    log "midstream: $(count "$a" tcp) frames, largest segment $(fields "$a" tcp tcp.len | sort -n | tail -1), oneway $(count "$b" tcp) frames"
    install -m 0644 "$a" "$b" "$OUT_DIR/"
}

# ============================================================== 2. gro ===
make_gro() {
    local a="$WORK/gro-sender.pcap" b="$WORK/gro-receiver.pcap"
    log "=== gro-receiver.pcap, gro-sender.pcap"
    pair 2
    # sender: TSO, GSO and TX checksumming off (wire-sized frames, final
    # checksums); receiver: GRO on (the veth default here), which on this
    # kernel (6.18) is enough for veth to run NAPI and merge; threaded NAPI
    # or an XDP program made no difference.  TX checksumming stays on on
    # the receiver (the veth default): its ACKs carry partial sums.
    ip netns exec pdq-b ethtool -K pdq-b0 tx on gro on >/dev/null
    show_offloads pdq-a pdq-a0; show_offloads pdq-b pdq-b0
    start_capture snd pdq-a pdq-a0 "$a"
    start_capture rcv pdq-b pdq-b0 "$b"
    sink_start pdq-b 10.91.2.2 5102
    ip netns exec pdq-a timeout 30 "$PY" "$TCPLAB" bulk 10.91.2.2 5102 300000 >&2 || die "bulk failed"
    sink_wait; sleep 0.3
    stop_capture snd; stop_capture rcv
    teardown
    (( $(fields "$a" tcp frame.len | sort -n | tail -1) <= 1514 )) || die "gro: the sender sent a super-segment"
    (( $(count "$a" 'ip.src == 10.91.2.1 && tcp.checksum.status == 0') == 0 )) || die "gro: the sender's checksums are not all complete"
    (( $(count "$b" 'ip.src == 10.91.2.1 && frame.len > 1514') > 0 )) || die "gro: no merged segments on the receiver"
    (( $(count "$b" 'ip.src == 10.91.2.1 && frame.len > 1514 && tcp.checksum.status == 1') == 0 )) ||
        die "gro: a merged segment with a complete checksum"
    log "gro: sender max frame $(fields "$a" tcp frame.len | sort -n | tail -1), receiver max $(fields "$b" tcp frame.len | sort -n | tail -1), merged $(count "$b" 'frame.len > 1514')"
    install -m 0644 "$a" "$b" "$OUT_DIR/"
}

# ============================================================== 3. dup ===
# pdq-a [pdq-a0 10.91.3.1] -- [pdq-ra 10.91.3.254] pdq-r [pdq-rb 10.91.4.254] -- [pdq-b0 10.91.4.1] pdq-b
make_dup_run() {   # make_dup_run ANY_OUT SENDER_OUT LOSS(0|1)
    teardown
    mk_ns pdq-a; mk_ns pdq-r; mk_ns pdq-b
    mk_veth pdq-a pdq-a0 02:91:00:00:03:01 pdq-r pdq-ra 02:91:00:00:03:fe 1500
    mk_veth pdq-b pdq-b0 02:91:00:00:04:01 pdq-r pdq-rb 02:91:00:00:04:fe 1500
    offloads pdq-a pdq-a0 off; offloads pdq-b pdq-b0 off; offloads pdq-r pdq-ra off; offloads pdq-r pdq-rb off
    ip -n pdq-a addr add 10.91.3.1/24 dev pdq-a0; ip -n pdq-r addr add 10.91.3.254/24 dev pdq-ra
    ip -n pdq-r addr add 10.91.4.254/24 dev pdq-rb; ip -n pdq-b addr add 10.91.4.1/24 dev pdq-b0
    ip netns exec pdq-r sysctl -qw net.ipv4.ip_forward=1
    ip -n pdq-a link set pdq-a0 up; ip -n pdq-b link set pdq-b0 up
    ip -n pdq-r link set pdq-ra up; ip -n pdq-r link set pdq-rb up
    ip -n pdq-a route add default via 10.91.3.254; ip -n pdq-b route add default via 10.91.4.254
    neigh pdq-a pdq-a0 10.91.3.254 02:91:00:00:03:fe; neigh pdq-r pdq-ra 10.91.3.1 02:91:00:00:03:01
    neigh pdq-b pdq-b0 10.91.4.254 02:91:00:00:04:fe; neigh pdq-r pdq-rb 10.91.4.1 02:91:00:00:04:01
    if (( $3 )); then
        # every 50th data segment of the flow is dropped in the forward
        # hook: after the ingress tap, so the original is captured once
        ip netns exec pdq-r nft -f - <<EOF
table ip pdq_loss {
    chain forward_drop {
        type filter hook forward priority filter; policy accept;
        iifname "pdq-ra" ip saddr 10.91.3.1 tcp dport 5103 ip length > 100 numgen inc mod 50 == 7 counter drop
    }
}
EOF
    fi
    sleep 1
    start_capture any pdq-r any "$1"
    start_capture snd pdq-a pdq-a0 "$2"
    sink_start pdq-b 10.91.4.1 5103
    ip netns exec pdq-a timeout 30 "$PY" "$TCPLAB" bulk 10.91.4.1 5103 200000 5792 4 >&2 || die "bulk failed"
    sink_wait; sleep 0.3
    stop_capture any; stop_capture snd
    if (( $3 )); then
        DROPS=$(ip netns exec pdq-r nft list table ip pdq_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    fi
    teardown
}
make_dup() {
    local any="$WORK/dup-any.pcap" snd="$WORK/dup-sender.pcap"
    local anyl="$WORK/dup-any-loss.pcap" sndl="$WORK/dup-loss-sender.pcap" n1 n2
    log "=== dup-any.pcap, dup-any-loss.pcap (+ sender references)"
    make_dup_run "$any" "$snd" 0
    n1=$(count "$snd" tcp); n2=$(count "$any" tcp)
    (( n2 == 2 * n1 )) || die "dup-any: $n2 TCP frames with -i any, $n1 at the sender (want twice)"
    (( $(count "$snd" 'tcp.analysis.retransmission') == 0 )) || die "dup-any: the transfer had loss"
    log "dup-any: $n2 frames = 2 x $n1"
    DROPS=0
    make_dup_run "$anyl" "$sndl" 1
    (( DROPS > 0 )) || die "dup-any-loss: nothing dropped"
    n1=$(count "$sndl" tcp); n2=$(count "$anyl" tcp)
    (( n2 == 2 * n1 - DROPS )) || die "dup-any-loss: $n2 frames with -i any, $n1 at the sender, $DROPS dropped"
    log "dup-any-loss: router dropped $DROPS; $n2 frames = 2 x $n1 - $DROPS; sender retransmissions (tshark): $(count "$sndl" tcp.analysis.retransmission)"
    install -m 0644 "$any" "$snd" "$anyl" "$sndl" "$OUT_DIR/"
}

# ============================================================= 4. vlan ===
replay_pair() {   # replay_pair: pdq-tx [pdq-t0] -- [pdq-r0] pdq-rx, no addresses
    teardown
    mk_ns pdq-tx; mk_ns pdq-rx
    mk_veth pdq-tx pdq-t0 02:91:00:00:06:01 pdq-rx pdq-r0 02:91:00:00:06:02 9000   # the black hole has 8294-byte frames
    offloads pdq-tx pdq-t0 off; offloads pdq-rx pdq-r0 off
    ip -n pdq-tx link set pdq-t0 up; ip -n pdq-rx link set pdq-r0 up
    sleep 1
}
retag() {   # retag IN OUT CLIENT_ADDR
    local n
    replay_pair
    start_capture vlan pdq-rx pdq-r0 "$2"
    ip netns exec pdq-tx timeout 60 "$PY" "$ACC" vlan-replay pdq-t0 "$1" "$3" 10 20 > "$WORK/replay.out" || die "replay failed"
    sleep 0.3; stop_capture vlan
    teardown
    n=$(sed -n 's/^vlan-replay: sent \([0-9]*\) frames/\1/p' "$WORK/replay.out")
    (( n == $(count "$1" 'ip') && n == $(count "$2" 'ip') )) || die "retag: sent $n, captured $(count "$2" ip)"
    (( $(count "$2" "ip.src == $3 && vlan.id != 10") == 0 && $(count "$2" "ip.src != $3 && vlan.id != 20") == 0 )) ||
        die "retag: tags wrong"
    log "retag: $n frames of $(basename "$1"), client $3 on VLAN 10, server on VLAN 20"
}
make_vlan() {
    local real="$WORK/vlan-real.pcap" k
    log "=== vlan-asym.pcap, vlan-asym-blackhole.pcap"
    pair 5
    start_capture real pdq-a pdq-a0 "$real"
    sink_start pdq-b 10.91.5.2 5105
    ip netns exec pdq-a timeout 30 "$PY" "$TCPLAB" bulk 10.91.5.2 5105 100000 >&2 || die "bulk failed"
    sink_wait; sleep 0.3; stop_capture real
    teardown
    retag "$real" "$WORK/vlan-asym.pcap" 10.91.5.1
    retag "$LAB_DIR/../oversize-blackhole.pcap" "$WORK/vlan-asym-blackhole.pcap" 10.78.3.1
    # tshark's TCP analysis ignores the VLAN: the same verdicts on the tagged
    # captures as on the same frames with the tags removed (the replay's
    # timing is close to the original's, not exact: sub-millisecond gaps
    # decide out-of-order vs retransmission, so compare like with like)
    for f in vlan-asym vlan-asym-blackhole; do
        "$PY" "$ACC" vlan-strip "$WORK/$f.pcap" "$WORK/$f-untagged.pcap"
        for k in tcp.analysis.retransmission tcp.analysis.duplicate_ack tcp.analysis.out_of_order \
                 tcp.analysis.lost_segment tcp.analysis.fast_retransmission; do
            [[ $(count "$WORK/$f-untagged.pcap" "$k") == $(count "$WORK/$f.pcap" "$k") ]] ||
                die "$f: tshark's $k differs with and without the tags"
        done
        log "$f: tshark: $(count "$WORK/$f.pcap" tcp.analysis.retransmission) retransmissions, the same without the tags"
    done
    install -m 0644 "$WORK/vlan-asym.pcap" "$WORK/vlan-asym-blackhole.pcap" "$OUT_DIR/"
}

# ============================================================ 5. mipv6 ===
make_mipv6() {
    local out="$WORK/mipv6-hao.pcap"
    log "=== mipv6-hao.pcap"
    teardown
    mk_ns pdq-tx v6; mk_ns pdq-rx v6
    mk_veth pdq-tx pdq-t0 02:91:00:00:07:01 pdq-rx pdq-r0 02:91:00:00:07:02 1500
    offloads pdq-tx pdq-t0 off; offloads pdq-rx pdq-r0 off
    ip -n pdq-rx addr add fd91:7::2/64 dev pdq-r0 nodad
    ip -n pdq-tx addr add fd91:7::100/64 dev pdq-t0 nodad
    neigh pdq-rx pdq-r0 fd91:7::100 02:91:00:00:07:01
    ip -n pdq-tx link set pdq-t0 up; ip -n pdq-rx link set pdq-r0 up
    sleep 2
    start_capture mip pdq-rx pdq-r0 "$out" ip6
    ip netns exec pdq-tx timeout 20 "$PY" "$ACC" mipv6 pdq-t0 02:91:00:00:07:01 02:91:00:00:07:02 \
        fd91:7::100 fd91:8::5 fd91:7::2 > "$WORK/mipv6.out" || die "mipv6 failed"
    sleep 0.5; stop_capture mip
    teardown
    sed 's/^/  sent: /' "$WORK/mipv6.out" >&2
    (( $(count "$out" '!icmpv6 && ipv6.src == fd91:7::100 && ipv6.opt.type == 201') == 5 )) ||
        die "mipv6: want 5 frames with a Home Address option"
    # tshark (which builds the pseudo-header from the home address too):
    # the three RFC 6275 frames good, the two controls bad
    [[ "$(fields "$out" '!icmpv6 && ipv6.src == fd91:7::100' tcp.checksum.status udp.checksum.status | tr -d ' ' | tr '\n' ' ')" == "1 1 1 0 0 " ]] ||
        die "mipv6: tshark's checksum verdicts are not good, good, good, bad, bad"
    log "mipv6: tshark: frames from the mobile node good, good, good, bad (care-of address), bad (corrupted);" \
        "$(count "$out" icmpv6.type==4) ICMPv6 parameter problems from the receiver (no Mobile IPv6 there)"
    install -m 0644 "$out" "$OUT_DIR/"
}

# =========================================================== 6. giveup ===
# the oversize black hole of ../tcp-lab (see make_blackhole there): client
# MTU 1500, server MTU 9000 believing MSS 8960 (nft rewrite of the SYN
# after the capture point), a bridge that drops frames > 1514 toward the
# client; capture on the bridge's server-facing port.
make_giveup() {
    local out="$WORK/giveup-fin.pcap" srv crc comp rule
    log "=== giveup-fin.pcap"
    teardown
    mk_ns pdq-a; mk_ns pdq-sw; mk_ns pdq-b
    mk_veth pdq-a pdq-a0 02:91:00:00:09:01 pdq-sw pdq-swa 02:91:00:00:09:11 1500
    mk_veth pdq-b pdq-b0 02:91:00:00:09:02 pdq-sw pdq-swb 02:91:00:00:09:12 9000
    offloads pdq-a pdq-a0 off; offloads pdq-b pdq-b0 off; offloads pdq-sw pdq-swa off; offloads pdq-sw pdq-swb off
    ip -n pdq-sw link add pdq-br type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n pdq-sw link set pdq-swa master pdq-br; ip -n pdq-sw link set pdq-swb master pdq-br
    ip -n pdq-sw link set pdq-swa up; ip -n pdq-sw link set pdq-swb up; ip -n pdq-sw link set pdq-br up
    ip -n pdq-a addr add 10.91.9.1/24 dev pdq-a0; ip -n pdq-b addr add 10.91.9.2/24 dev pdq-b0
    neigh pdq-a pdq-a0 10.91.9.2 02:91:00:00:09:02; neigh pdq-b pdq-b0 10.91.9.1 02:91:00:00:09:01
    ip netns exec pdq-b sysctl -qw net.ipv4.tcp_autocorking=0 net.ipv4.tcp_mtu_probing=0
    comp=$(( 1460 + (0xffff & ~8960) )); comp=$(( (comp & 0xffff) + (comp >> 16) ))
    rule="iifname \"pdq-b0\" ip saddr 10.91.9.1 tcp dport 3260 tcp flags & (syn|ack) == syn"
    rule+=" @th,160,32 0x020405b4 @th,144,16 0 @th,176,16 set 8960 @th,144,16 set $(printf '0x%04x' "$comp") counter"
    ip netns exec pdq-b nft -f - <<EOF
table ip pdq_mss {
    chain pre {
        type filter hook prerouting priority raw; policy accept;
        $rule
    }
}
EOF
    ip -n pdq-a link set pdq-a0 up; ip -n pdq-b link set pdq-b0 up
    sleep 1
    start_capture span pdq-sw pdq-swb "$out"
    : > "$WORK/srv.out"
    ip netns exec pdq-b timeout 60 "$PY" "$TCPLAB" san-server 10.91.9.2 3260 2 > "$WORK/srv.out" &
    srv=$!; PIDS+=("$srv")
    wait_for_line "$WORK/srv.out" '^ready' 10 || die "san-server did not start"
    crc=0
    ip netns exec pdq-a timeout 40 "$PY" "$ACC" san-client-fin 10.91.9.2 3260 1 > "$WORK/cli.out" || crc=$?
    sed 's/^/  /' "$WORK/cli.out" >&2
    (( crc == 2 )) || die "san-client-fin should give up after 1 reconnect (exit 2), got $crc"
    sleep 8   # the server's back-off goes on after the client gave up
    stop_capture span
    wait "$srv" || true; forget_pid "$srv"
    teardown
    local fins syn2 late
    fins=$(fields "$out" 'ip.src == 10.91.9.1 && tcp.flags.fin == 1' frame.number tcp.stream | sort -k2,2n -u | head -1)
    syn2=$(fields "$out" 'tcp.flags.syn == 1 && tcp.flags.ack == 0' frame.number | sed -n 2p)
    late=$(fields "$out" "ip.src == 10.91.9.2 && tcp.stream == 0 && tcp.analysis.retransmission && frame.number > $syn2" frame.number | wc -l)
    [[ -n "$fins" && -n "$syn2" ]] || die "giveup: no client FIN or no second SYN"
    (( late > 0 )) || die "giveup: the server did not retransmit on the old connection after the reconnect"
    (( $(count "$out" 'ip.src == 10.91.9.1 && tcp.flags.reset == 1') == 0 )) || die "giveup: the client sent a RST"
    log "giveup: client FIN at frame ${fins% *}, reconnect SYN at $syn2, $late server retransmissions on the old connection after it"
    install -m 0644 "$out" "$OUT_DIR/"
}

run() { [[ -z "${PDQ_ONLY:-}" || "$PDQ_ONLY" == "$1" ]] && "make_$1"; return 0; }
run midstream
run gro
run dup
run vlan
run mipv6
run giveup
log "done: captures in $OUT_DIR"
