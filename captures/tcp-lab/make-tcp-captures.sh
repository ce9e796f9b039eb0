#!/usr/bin/env bash
# make-tcp-captures.sh - build pktdoctor's TCP segmentation / loss test
# captures from real Linux kernel TCP traffic between network namespaces.
#
# Writes into captures/ (the parent of this tcp-lab/ directory):
#
#   tso-sender.pcapng        300 KiB bulk transfer, dumpcap on the SENDER's
#                            veth with TSO/GSO/tx-csum on: GSO super-segments
#                            far larger than the MTU, partial checksums.
#   tso-receiver.pcap        the SAME transfer (same connection), tcpdump on
#                            the RECEIVER's veth.  A bridge namespace in the
#                            middle has tx-csum/TSO/GSO/GRO off on its ports,
#                            so the bridge segments the super-segments in
#                            software: on-wire frames, <= 1514 bytes, valid
#                            checksums.
#   oversize-blackhole.pcap  iPXE/iSCSI-style SAN boot over a path with an
#                            MTU mismatch: the client (MTU 1500) advertises
#                            MSS 1460, the jumbo server (MTU 9000) is made to
#                            believe MSS 8960 (raw nft rewrite of the SYN on
#                            the server's ingress, after the capture point),
#                            sends 8240-byte segments, a 1500-MTU bridge port
#                            silently drops them, the server retransmits with
#                            exponential back-off, the client times out,
#                            resets and reconnects, and stalls again.
#   tcp-loss.pcap            500 KiB bulk transfer through a router namespace
#                            whose nft rule drops every 50th data segment
#                            (numgen inc mod 50 == 7, deterministic, 2 %);
#                            tcpdump at the sender, offloads off.
#   tcp-loss.tshark.txt      per-flow tshark counts of the tcp.analysis.*
#                            flags in tcp-loss.pcap, with the command used.
#
# Network rules: traffic only between 10.78.0.0/16 addresses inside the
# pdtcp-* namespaces this script creates (IPv6 is disabled in them), every
# loop and process bounded by count and `timeout`, only our own PIDs are
# killed, and all namespaces are deleted on exit (trap).  Needs root,
# iproute2, ethtool, nftables, tcpdump, tshark/dumpcap, capinfos and
# /usr/bin/python3.  No tc netem needed.
#
# Usage: sudo captures/tcp-lab/make-tcp-captures.sh [OUTDIR]
#        (OUTDIR defaults to captures/).  Re-runnable; takes about 1 min.
#        PDTCP_ONLY=tso|blackhole|loss makes just one of them;
#        PDTCP_KEEP_WORK=1 keeps the /tmp/pdtcp.* scratch directory (logs,
#        the client-side check capture of the blackhole run).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$(dirname "$LAB_DIR")}
PY=/usr/bin/python3
HELPER="$LAB_DIR/tcplab.py"

# Namespaces (all prefixed pdtcp-) and the devices in them.
NS_SND=pdtcp-snd; NS_RCV=pdtcp-rcv; NS_SW=pdtcp-sw; NS_RTR=pdtcp-rtr
NS_CLI=pdtcp-cli; NS_SRV=pdtcp-srv
ALL_NS=("$NS_SND" "$NS_RCV" "$NS_SW" "$NS_RTR" "$NS_CLI" "$NS_SRV")

TSO_BYTES=$(( 300 * 1024 )); TSO_PORT=5001
LOSS_BYTES=$(( 500 * 1024 )); LOSS_PORT=5003
LOSS_MOD=50; LOSS_HIT=7            # drop data packet n when n % 50 == 7
LOSS_CHUNK=$(( 4 * 1448 ))         # sender writes 4 segments ...
LOSS_INTERVAL_MS=4                 # ... every 4 ms (ACK-clocked, ~1.4 MB/s)
LOSS_CLAMP=65536                   # receiver: TCP_WINDOW_CLAMP (constant window)
LOSS_FIN_DROPS=2                   # the last data segment (with FIN) is lost twice
SAN_PORT=3260                      # iSCSI
CLIENT_MSS=1460; FAKE_MSS=8960     # what the client sends / the server sees
SETTLE=1

WORK=""
PIDS=()
declare -A CAP_PID CAP_TOOL

log() { printf '[pdtcp] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

teardown() {
    local ns
    for ns in "${ALL_NS[@]}"; do
        if ip netns list | grep -qw "^$ns"; then
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}

cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    teardown
    if [[ -n "$WORK" && -d "$WORK" && -z "${PDTCP_KEEP_WORK:-}" ]]; then rm -rf "$WORK"; fi
    if (( rc != 0 )); then log "failed (exit $rc); namespaces removed"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

# ---------------------------------------------------------------- checks ---
[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
for t in ip ethtool nft tcpdump dumpcap tshark capinfos timeout ss nstat; do
    command -v "$t" >/dev/null || die "missing tool: $t"
done
[[ -x "$PY" ]] || die "missing $PY"
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d /tmp/pdtcp.XXXXXX)

# ---------------------------------------------------------- lab helpers ---
mk_ns() {   # mk_ns NS: fresh namespace, IPv6 off (no MLD/ND/RS noise), lo up
    local ns=$1
    ip netns add "$ns"
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1
    ip -n "$ns" link set lo up
}

mk_veth() {   # mk_veth NS1 DEV1 MAC1 NS2 DEV2 MAC2 MTU
    ip -n "$1" link add "$2" address "$3" mtu "$7" type veth \
        peer name "$5" netns "$4" address "$6" mtu "$7"
    ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null || true
    ip netns exec "$4" sysctl -qw "net.ipv6.conf.$5.disable_ipv6=1" 2>/dev/null || true
}

offloads() {   # offloads NS DEV on|off : tx-csum, TSO, GSO, GRO together
    ip netns exec "$1" ethtool -K "$2" tx "$3" tso "$3" gso "$3" gro "$3" >/dev/null 2>&1 \
        || ip netns exec "$1" ethtool -K "$2" tx "$3" gso "$3" gro "$3" >/dev/null
}

show_offloads() {   # one log line per device
    log "  $1/$2 mtu $(ip -n "$1" -o link show "$2" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'):" \
        "$(ip netns exec "$1" ethtool -k "$2" | grep -E '^\s*(tx-checksumming|tcp-segmentation-offload|generic-segmentation-offload|generic-receive-offload):' \
           | sed 's/tx-checksumming/tx-csum/; s/tcp-segmentation-offload/tso/; s/generic-segmentation-offload/gso/; s/generic-receive-offload/gro/' | tr -s ' \t\n' ' ')"
}

mk_bridge() {   # mk_bridge NS BR PORT...: plain bridge, no STP, no br_netfilter
    local ns=$1 br=$2 p; shift 2
    ip netns exec "$ns" sysctl -qw net.bridge.bridge-nf-call-iptables=0 \
        net.bridge.bridge-nf-call-ip6tables=0 net.bridge.bridge-nf-call-arptables=0 \
        2>/dev/null || true
    ip -n "$ns" link add "$br" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    for p in "$@"; do ip -n "$ns" link set "$p" master "$br"; ip -n "$ns" link set "$p" up; done
    ip -n "$ns" link set "$br" up
}

neigh() {   # neigh NS DEV IP MAC : static neighbour, no ARP in captures
    ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}

wait_for_line() {   # wait_for_line FILE REGEX SECONDS
    local i
    for (( i = 0; i < $3 * 10; i++ )); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# start_capture TAG NS DEV TOOL OUTFILE   (TOOL = dumpcap | tcpdump)
start_capture() {
    local tag=$1 ns=$2 dev=$3 tool=$4 out=$5 errlog="$WORK/cap-$1.log"
    : > "$errlog"; CAP_TOOL[$tag]=$tool
    case $tool in
    dumpcap)
        ip netns exec "$ns" timeout 90 dumpcap -q -i "$dev" -s 0 \
            -a duration:80 -w "$out" 2> "$errlog" &
        CAP_PID[$tag]=$!; PIDS+=("$!")
        wait_for_line "$errlog" '^File: ' 10 || die "dumpcap did not start: $(cat "$errlog")"
        ;;
    tcpdump)
        ip netns exec "$ns" timeout 90 tcpdump -n -i "$dev" -s 0 -U -Z root \
            --immediate-mode -w "$out" 2> "$errlog" &
        CAP_PID[$tag]=$!; PIDS+=("$!")
        wait_for_line "$errlog" 'listening on ' 10 || die "tcpdump did not start: $(cat "$errlog")"
        ;;
    esac
    log "capturing [$tag] on $ns/$dev with $tool (pid ${CAP_PID[$tag]})"
}

stop_capture() {   # stop_capture TAG: stop it and insist on 0 dropped packets
    local tag=$1 rc=0 stats got seen drop pid=${CAP_PID[$1]}
    kill -INT "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
    forget_pid "$pid"
    (( rc == 0 )) || die "capture [$tag] exited with status $rc"
    stats=$(cat "$WORK/cap-$tag.log")
    case ${CAP_TOOL[$tag]} in
    tcpdump)
        got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' <<<"$stats")
        seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' <<<"$stats")
        drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' <<<"$stats") ;;
    dumpcap)
        got=$(sed -n "s/^Packets received\/dropped on interface '[^']*': \([0-9]*\)\/\([0-9]*\).*/\1/p" <<<"$stats")
        seen=$got
        drop=$(sed -n "s/^Packets received\/dropped on interface '[^']*': \([0-9]*\)\/\([0-9]*\).*/\2/p" <<<"$stats") ;;
    esac
    [[ -n "$got" && "$got" == "$seen" && "$drop" == 0 ]] \
        || die "capture [$tag] lost packets: $stats"
    log "capture [$tag] stopped: ${CAP_TOOL[$tag]} wrote $got packets, 0 dropped"
}

wait_listen() {   # wait_listen NS PORT
    local i
    for (( i = 0; i < 50; i++ )); do
        [[ -n $(ip netns exec "$1" ss -Hntl "sport = :$2") ]] && return 0
        sleep 0.1
    done
    die "nothing listening on $1 port $2"
}

TSHARK_CK=(-o tcp.check_checksum:TRUE -o ip.check_checksum:TRUE)
count() {   # count CAPTURE DISPLAYFILTER
    tshark -n "${TSHARK_CK[@]}" -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
}
fields() {   # fields CAPTURE FILTER FIELD...
    local f=$1 flt=$2 fld args=(); shift 2
    for fld in "$@"; do args+=(-e "$fld"); done
    tshark -n "${TSHARK_CK[@]}" -r "$f" -Y "$flt" -T fields -E separator=' ' "${args[@]}" 2>/dev/null
}
check_size() {
    local sz; sz=$(stat -c %s "$1")
    (( sz < 2 * 1024 * 1024 )) || die "$1 is $sz bytes (limit 2 MB)"
}

# bulk_transfer SND_NS RCV_NS RCV_IP PORT BYTES [CHUNK MS CLAMP]: python sink + bulk sender
bulk_transfer() {
    local srv
    : > "$WORK/sink.out"
    ip netns exec "$2" timeout 30 "$PY" "$HELPER" sink "$3" "$4" "${8:-0}" > "$WORK/sink.out" &
    srv=$!; PIDS+=("$srv")
    wait_for_line "$WORK/sink.out" '^ready' 10 || die "sink did not start"
    ip netns exec "$1" timeout 30 "$PY" "$HELPER" bulk "$3" "$4" "$5" ${6:+"$6" "$7"} >&2 \
        || die "bulk transfer failed"
    wait "$srv" || die "sink failed"; forget_pid "$srv"
    log "$(tail -1 "$WORK/sink.out")"
}

# =================================== 1+2. tso-sender / tso-receiver ===
# pdtcp-snd [pt-snd] --veth-- [pt-sw-s] pdtcp-sw:pt-br [pt-sw-r] --veth-- [pt-rcv] pdtcp-rcv
make_tso() {
    local a="$WORK/tso-sender.pcapng" b="$WORK/tso-receiver.pcap"
    local ip_s=10.78.1.1 ip_r=10.78.1.2 mac_s=02:78:01:00:00:01 mac_r=02:78:01:00:00:02
    log "=== tso-sender.pcapng + tso-receiver.pcap (one transfer, two capture points)"
    teardown
    mk_ns "$NS_SND"; mk_ns "$NS_SW"; mk_ns "$NS_RCV"
    mk_veth "$NS_SND" pt-snd "$mac_s" "$NS_SW" pt-sw-s 02:78:01:00:00:11 1500
    mk_veth "$NS_RCV" pt-rcv "$mac_r" "$NS_SW" pt-sw-r 02:78:01:00:00:12 1500
    # Sender keeps the veth defaults (tx-csum, TSO, GSO on).  Bridge ports
    # and receiver: everything off, so the bridge segments in software and
    # the receiver sees wire-sized frames with real checksums.
    offloads "$NS_SW" pt-sw-s off; offloads "$NS_SW" pt-sw-r off
    offloads "$NS_RCV" pt-rcv off
    mk_bridge "$NS_SW" pt-br pt-sw-s pt-sw-r
    ip -n "$NS_SND" addr add "$ip_s/24" dev pt-snd
    ip -n "$NS_RCV" addr add "$ip_r/24" dev pt-rcv
    neigh "$NS_SND" pt-snd "$ip_r" "$mac_r"; neigh "$NS_RCV" pt-rcv "$ip_s" "$mac_s"
    ip -n "$NS_SND" link set pt-snd up; ip -n "$NS_RCV" link set pt-rcv up
    show_offloads "$NS_SND" pt-snd; show_offloads "$NS_SW" pt-sw-s
    show_offloads "$NS_SW" pt-sw-r; show_offloads "$NS_RCV" pt-rcv
    sleep "$SETTLE"
    start_capture snd "$NS_SND" pt-snd dumpcap "$a"
    start_capture rcv "$NS_RCV" pt-rcv tcpdump "$b"
    sleep 0.5
    bulk_transfer "$NS_SND" "$NS_RCV" "$ip_r" "$TSO_PORT" "$TSO_BYTES"
    sleep 0.5
    stop_capture snd; stop_capture rcv
    teardown
    check_size "$a"; check_size "$b"

    local f big maxlen partial bytes_a bytes_b syn_a syn_b
    for f in "$a" "$b"; do
        (( $(count "$f" 'not tcp') == 0 )) || die "$f: non-TCP frames"
        (( $(count "$f" 'tcp.flags.syn == 1') == 2 && $(count "$f" 'tcp.flags.fin == 1') == 2 )) \
            || die "$f: handshake/FINs missing"
        (( $(count "$f" 'tcp.analysis.retransmission || tcp.analysis.lost_segment || tcp.analysis.ack_lost_segment') == 0 )) \
            || die "$f: unexpected loss/retransmission"
    done
    bytes_a=$(fields "$a" "ip.src == $ip_s" tcp.len | awk '{s+=$1} END {print s+0}')
    bytes_b=$(fields "$b" "ip.src == $ip_s" tcp.len | awk '{s+=$1} END {print s+0}')
    (( bytes_a == TSO_BYTES + 0 && bytes_b == TSO_BYTES + 0 )) \
        || die "payload bytes: sender capture $bytes_a, receiver capture $bytes_b, want $TSO_BYTES"
    syn_a=$(fields "$a" 'tcp.flags.syn == 1 && tcp.flags.ack == 0' tcp.srcport tcp.seq_raw)
    syn_b=$(fields "$b" 'tcp.flags.syn == 1 && tcp.flags.ack == 0' tcp.srcport tcp.seq_raw)
    [[ "$syn_a" == "$syn_b" ]] || die "the two captures are not the same connection ($syn_a / $syn_b)"
    big=$(count "$a" "ip.src == $ip_s && frame.len > 1514")
    partial=$(count "$a" "ip.src == $ip_s && tcp.checksum.status == 0")
    (( big > 0 && partial == $(count "$a" "ip.src == $ip_s") )) \
        || die "tso-sender: expected super-segments ($big) and partial checksums on all sender frames"
    for f in "$a" "$b"; do   # the receiver ACKs everything, FIN included
        (( $(fields "$f" "ip.src == $ip_r" tcp.ack | sort -n | tail -1) == TSO_BYTES + 2 )) \
            || die "$f: the receiver's last ACK does not cover all data + FIN"
    done
    maxlen=$(fields "$b" frame frame.len | sort -n | tail -1)
    (( maxlen <= 1514 )) || die "tso-receiver: frame of $maxlen bytes"
    (( $(count "$b" 'tcp.checksum.status == 0 || ip.checksum.status == 0') == 0 )) \
        || die "tso-receiver: bad checksums"
    log "tso: same connection (port/ISN $syn_a), $TSO_BYTES bytes; sender capture $big super-segments, receiver max frame $maxlen"
    install -m 0644 "$a" "$OUT_DIR/tso-sender.pcapng"
    install -m 0644 "$b" "$OUT_DIR/tso-receiver.pcap"
}

# ================================================ 3. oversize-blackhole ===
# pdtcp-cli [pt-cli mtu 1500] -- [pt-sw-c mtu 1500] pdtcp-sw:pt-br [pt-sw-v mtu 9000] -- [pt-srv mtu 9000] pdtcp-srv
# A layer-2 MTU mismatch: the bridge (a "switch" with a 1500-byte port
# toward the client) silently drops every frame > 1514 bytes toward the
# client; no ICMP is ever generated.  Capture: tcpdump on the bridge's
# server-facing port pt-sw-v (a SPAN port next to the server).
make_blackhole() {
    local out="$WORK/oversize-blackhole.pcap" cside="$WORK/blackhole-client-side.pcap"
    local ip_c=10.78.3.1 ip_v=10.78.3.2 mac_c=02:78:03:00:00:01 mac_v=02:78:03:00:00:02
    local comp rule srv crc
    log "=== oversize-blackhole.pcap"
    teardown
    mk_ns "$NS_CLI"; mk_ns "$NS_SW"; mk_ns "$NS_SRV"
    mk_veth "$NS_CLI" pt-cli "$mac_c" "$NS_SW" pt-sw-c 02:78:03:00:00:11 1500
    mk_veth "$NS_SRV" pt-srv "$mac_v" "$NS_SW" pt-sw-v 02:78:03:00:00:12 9000
    # Offloads off everywhere: every frame is what a NIC would put on the
    # wire (the server's "TSO" is done by its own stack at MSS 8948+12),
    # checksums are complete, and the kernel verifies them on receive.
    offloads "$NS_CLI" pt-cli off; offloads "$NS_SRV" pt-srv off
    offloads "$NS_SW" pt-sw-c off; offloads "$NS_SW" pt-sw-v off
    mk_bridge "$NS_SW" pt-br pt-sw-c pt-sw-v
    ip -n "$NS_CLI" addr add "$ip_c/24" dev pt-cli
    ip -n "$NS_SRV" addr add "$ip_v/24" dev pt-srv
    neigh "$NS_CLI" pt-cli "$ip_v" "$mac_v"; neigh "$NS_SRV" pt-srv "$ip_c" "$mac_c"
    # Deterministic segmenting on the server: no autocorking, no MTU probing.
    ip netns exec "$NS_SRV" sysctl -qw net.ipv4.tcp_autocorking=0 net.ipv4.tcp_mtu_probing=0
    # The MSS trick.  Linux never sends more than the peer's MSS, and
    # "tcp option maxseg size set" / TCPMSS can only LOWER it (the kernel
    # ignores an increase).  So the server's prerouting hook (raw priority,
    # i.e. AFTER every packet tap: the capture still shows MSS 1460) rewrites
    # the SYN's MSS option with a raw @th payload write.  nft does NOT fix the
    # TCP checksum for raw @th writes (csum_type 0), so the same rule writes
    # the one's-complement difference into the urgent pointer (ignored in a
    # segment without URG), which leaves the 16-bit sum, and so the checksum,
    # unchanged.  The kernel verifies it (tx-csum is off on the client).
    comp=$(( CLIENT_MSS + (0xffff & ~FAKE_MSS) ))
    comp=$(( (comp & 0xffff) + (comp >> 16) ))
    rule="iifname \"pt-srv\" ip saddr $ip_c tcp dport $SAN_PORT tcp flags & (syn|ack) == syn"
    rule+=" @th,160,32 $(printf '0x0204%04x' "$CLIENT_MSS") @th,144,16 0"
    rule+=" @th,176,16 set $FAKE_MSS @th,144,16 set $(printf '0x%04x' "$comp") counter"
    ip netns exec "$NS_SRV" nft -f - <<EOF
table ip pdtcp_mss {
    chain pre {
        type filter hook prerouting priority raw; policy accept;
        $rule
    }
}
EOF
    log "  server nft: $rule"
    ip -n "$NS_CLI" link set pt-cli up; ip -n "$NS_SRV" link set pt-srv up
    show_offloads "$NS_CLI" pt-cli; show_offloads "$NS_SW" pt-sw-c
    show_offloads "$NS_SW" pt-sw-v; show_offloads "$NS_SRV" pt-srv
    sleep "$SETTLE"
    start_capture span "$NS_SW" pt-sw-v tcpdump "$out"
    start_capture cli "$NS_CLI" pt-cli tcpdump "$cside"
    sleep 0.5
    : > "$WORK/san-server.out"
    ip netns exec "$NS_SRV" timeout 60 "$PY" "$HELPER" san-server "$ip_v" "$SAN_PORT" 4 \
        > "$WORK/san-server.out" &
    srv=$!; PIDS+=("$srv")
    wait_for_line "$WORK/san-server.out" '^ready' 10 || die "san-server did not start"
    crc=0
    ip netns exec "$NS_CLI" timeout 50 "$PY" "$HELPER" san-client "$ip_v" "$SAN_PORT" \
        > "$WORK/san-client.out" || crc=$?
    wait "$srv" || die "san-server failed: $(cat "$WORK/san-server.out")"; forget_pid "$srv"
    sleep 0.5
    stop_capture span; stop_capture cli
    sed 's/^/  /' "$WORK/san-client.out" "$WORK/san-server.out" >&2
    (( crc == 2 )) || die "san-client should give up after 3 reconnects (exit 2), got $crc"
    grep -q 'giving up after 3 reconnects' "$WORK/san-client.out" || die "client did not give up"
    (( $(grep -c "TCP_MAXSEG $(( FAKE_MSS - 12 ))" "$WORK/san-server.out") == 4 )) \
        || die "server did not see the raised MSS on all 4 connections"
    local hits csumerr
    hits=$(ip netns exec "$NS_SRV" nft list table ip pdtcp_mss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    # nstat -a -s: absolute counters of this fresh namespace, no history file
    csumerr=$(ip netns exec "$NS_SRV" nstat -asz TcpInCsumErrors | awk '/TcpInCsumErrors/ {print $2}')
    (( hits == 4 && csumerr == 0 )) || die "MSS rewrite: $hits SYNs rewritten, $csumerr checksum errors"
    log "MSS rewrite: $hits SYNs rewritten on the server's ingress, TcpInCsumErrors $csumerr"
    teardown
    check_size "$out"

    (( $(count "$out" 'not tcp') == 0 )) || die "blackhole: non-TCP frames"
    (( $(count "$out" 'tcp.checksum.status == 0 || ip.checksum.status == 0') == 0 )) \
        || die "blackhole: bad checksums"
    local syns mss_c mss_s big rx_big cbig rsts
    syns=$(count "$out" "tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == $SAN_PORT")
    mss_c=$(fields "$out" 'tcp.flags.syn == 1 && tcp.flags.ack == 0' tcp.options.mss_val | sort -u)
    mss_s=$(fields "$out" 'tcp.flags.syn == 1 && tcp.flags.ack == 1' tcp.options.mss_val | sort -u)
    (( syns == 4 )) || die "blackhole: $syns SYNs, want 4 (1 + 3 reconnects)"
    [[ "$mss_c" == "$CLIENT_MSS" && "$mss_s" == "$FAKE_MSS" ]] \
        || die "blackhole: SYN MSS '$mss_c' SYN-ACK MSS '$mss_s'"
    big=$(count "$out" "ip.src == $ip_v && frame.len > 1514")
    rx_big=$(count "$out" "ip.src == $ip_v && frame.len > 1514 && tcp.analysis.retransmission")
    rsts=$(count "$out" "ip.src == $ip_c && tcp.flags.reset == 1")
    cbig=$(count "$cside" "frame.len > 1514")
    (( big > 0 && rx_big > 0 && rsts == 4 && cbig == 0 )) \
        || die "blackhole: oversized $big, retransmitted $rx_big, client RSTs $rsts, oversized at client $cbig"
    (( $(count "$out" "ip.src == $ip_c && tcp.analysis.duplicate_ack") > 0 )) \
        || die "blackhole: no duplicate ACKs from the client"
    # The RTO ladder: after the first (RACK/early) retransmission, every gap
    # must be about twice the previous one (exponential back-off).
    blackhole_ladder "$out" "$ip_v" > "$WORK/ladder"
    sed 's/^/  ladder: /' "$WORK/ladder" >&2
    awk '{ n = 0; for (i = 8; i <= NF; i++) { split($i, a, "+"); d[++n] = a[2] }
           if (n < 4) exit 1
           for (i = 3; i <= n; i++) { r = d[i] / d[i-1]; if (r < 1.6 || r > 2.4) exit 1 } }' \
        "$WORK/ladder" || die "blackhole: retransmissions do not back off exponentially"
    log "blackhole: $syns connections, SYN MSS $mss_c / SYN-ACK MSS $mss_s, $big oversized server frames ($rx_big retransmissions), none reached the client"
    install -m 0644 "$out" "$OUT_DIR/oversize-blackhole.pcap"
}

# blackhole_ladder CAPTURE SERVER_IP: per connection, the first oversized
# segment (lowest seq among frames > 1514 bytes) and every copy of it, with
# the time since the previous copy.  Output lines:
#   stream <n> seq <s> len <l>: <frame>@<t> [<frame>@<t>+<dt> ...]
blackhole_ladder() {
    fields "$1" "ip.src == $2 && frame.len > 1514" tcp.stream tcp.seq frame.number \
        frame.time_relative tcp.len \
    | awk '
        !($1 in head) || $2 < head[$1] { head[$1] = $2 }
        { st[NR] = $1; sq[NR] = $2; fr[NR] = $3; t[NR] = $4; ln[NR] = $5 }
        END {
            for (i = 1; i <= NR; i++) {
                if (sq[i] != head[st[i]]) continue
                if (!(st[i] in out)) { out[st[i]] = sprintf("stream %s seq %s len %s: %s@%.6f", st[i], sq[i], ln[i], fr[i], t[i]); order[++n] = st[i] }
                else out[st[i]] = out[st[i]] sprintf(" %s@%.6f+%.3f", fr[i], t[i], t[i] - last[st[i]])
                last[st[i]] = t[i]
            }
            for (k = 1; k <= n; k++) print out[order[k]]
        }'
}

# ========================================================= 4. tcp-loss ===
# pdtcp-snd [pt-snd] -- [pt-rtr-s] pdtcp-rtr [pt-rtr-r] -- [pt-rcv] pdtcp-rcv
make_loss() {
    local out="$WORK/tcp-loss.pcap" txt="$WORK/tcp-loss.tshark.txt"
    local ip_s=10.78.2.1 ip_rs=10.78.2.254 ip_rr=10.78.5.254 ip_r=10.78.5.1
    local mac_s=02:78:02:00:00:01 mac_rs=02:78:02:00:00:fe mac_rr=02:78:05:00:00:fe mac_r=02:78:05:00:00:01
    local drops
    log "=== tcp-loss.pcap"
    teardown
    mk_ns "$NS_SND"; mk_ns "$NS_RTR"; mk_ns "$NS_RCV"
    mk_veth "$NS_SND" pt-snd "$mac_s" "$NS_RTR" pt-rtr-s "$mac_rs" 1500
    mk_veth "$NS_RCV" pt-rcv "$mac_r" "$NS_RTR" pt-rtr-r "$mac_rr" 1500
    offloads "$NS_SND" pt-snd off; offloads "$NS_RCV" pt-rcv off
    offloads "$NS_RTR" pt-rtr-s off; offloads "$NS_RTR" pt-rtr-r off
    ip -n "$NS_SND" addr add "$ip_s/24" dev pt-snd
    ip -n "$NS_RTR" addr add "$ip_rs/24" dev pt-rtr-s
    ip -n "$NS_RTR" addr add "$ip_rr/24" dev pt-rtr-r
    ip -n "$NS_RCV" addr add "$ip_r/24" dev pt-rcv
    ip netns exec "$NS_RTR" sysctl -qw net.ipv4.ip_forward=1
    for d in pt-snd:"$NS_SND" pt-rcv:"$NS_RCV" pt-rtr-s:"$NS_RTR" pt-rtr-r:"$NS_RTR"; do
        ip -n "${d#*:}" link set "${d%%:*}" up
    done
    ip -n "$NS_SND" route add default via "$ip_rs"
    ip -n "$NS_RCV" route add default via "$ip_rr"
    neigh "$NS_SND" pt-snd "$ip_rs" "$mac_rs"; neigh "$NS_RTR" pt-rtr-s "$ip_s" "$mac_s"
    neigh "$NS_RCV" pt-rcv "$ip_rr" "$mac_rr"; neigh "$NS_RTR" pt-rtr-r "$ip_r" "$mac_r"
    # tc netem is not available on this kernel ("Specified qdisc kind is
    # unknown"), so the loss is made by nft in the router, deterministically
    # (no randomness; numgen inc is a per-rule packet counter from 0):
    #  1. the segment that carries the last data bytes and the FIN is dropped
    #     the first LOSS_FIN_DROPS=2 times it passes (tail loss: the tail loss
    #     probe is lost too, so the third copy is an RTO retransmission);
    #  2. of all other data segments (IP length > 100) of this flow, numbers
    #     7, 57, 107, ... (counting from 0, retransmissions included) are
    #     dropped: 1 in LOSS_MOD=50 = 2 %.
    local match="iifname \"pt-rtr-s\" ip saddr $ip_s ip daddr $ip_r tcp dport $LOSS_PORT ip length > 100"
    ip netns exec "$NS_RTR" nft -f - <<EOF
table ip pdtcp_loss {
    chain forward_drop {
        type filter hook forward priority filter; policy accept;
        $match tcp flags & fin == fin numgen inc mod 1000 < $LOSS_FIN_DROPS counter drop
        $match numgen inc mod $LOSS_MOD == $LOSS_HIT counter drop
    }
}
EOF
    show_offloads "$NS_SND" pt-snd; show_offloads "$NS_RTR" pt-rtr-s
    show_offloads "$NS_RTR" pt-rtr-r; show_offloads "$NS_RCV" pt-rcv
    sleep "$SETTLE"
    start_capture snd "$NS_SND" pt-snd tcpdump "$out"
    sleep 0.5
    bulk_transfer "$NS_SND" "$NS_RCV" "$ip_r" "$LOSS_PORT" "$LOSS_BYTES" \
        "$LOSS_CHUNK" "$LOSS_INTERVAL_MS" "$LOSS_CLAMP"
    sleep 0.5
    stop_capture snd
    ip netns exec "$NS_SND" nstat -asz TcpOutSegs TcpRetransSegs TcpExtTCPFastRetrans \
        TcpExtTCPLossProbes TcpExtTCPTimeouts TcpExtTCPSackRecovery TcpExtTCPLostRetransmit \
        | awk '/^Tcp/ {printf "#   %-26s %s\n", $1, $2}' > "$WORK/loss-nstat"
    local findrops
    ip netns exec "$NS_RTR" nft list table ip pdtcp_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p' \
        > "$WORK/loss-counters"
    findrops=$(sed -n 1p "$WORK/loss-counters"); drops=$(sed -n 2p "$WORK/loss-counters")
    (( findrops == LOSS_FIN_DROPS )) || die "tcp-loss: FIN segment dropped $findrops times, want $LOSS_FIN_DROPS"
    log "router dropped $drops data segments (1 in $LOSS_MOD) + $findrops x the last data segment with FIN"
    drops=$(( drops + findrops ))
    teardown
    check_size "$out"
    (( $(count "$out" 'not tcp') == 0 )) || die "tcp-loss: non-TCP frames"
    (( $(fields "$out" frame frame.len | sort -n | tail -1) <= 1514 )) || die "tcp-loss: frame > 1514"
    # Every dropped segment must have been sent again: count the sender's
    # data segments whose sequence number was already seen (independent of
    # tshark's retransmission / out-of-order heuristics).
    local resent fast
    resent=$(fields "$out" "ip.src == $ip_s && tcp.len > 0" tcp.seq \
        | awk 'seen[$1]++ {n++} END {print n+0}')
    fast=$(count "$out" 'tcp.analysis.fast_retransmission')
    (( drops > 0 && resent == drops )) \
        || die "tcp-loss: router dropped $drops segments, sender re-sent $resent"
    (( fast > 0 && $(count "$out" 'tcp.analysis.retransmission && !tcp.analysis.fast_retransmission') > 0 )) \
        || die "tcp-loss: want both fast and ordinary retransmissions (fast: $fast)"
    log "tcp-loss: $resent segments re-sent, $fast flagged as fast retransmissions by tshark"
    tcp_loss_report "$out" "$drops" > "$txt"
    cat "$txt" >&2
    install -m 0644 "$out" "$OUT_DIR/tcp-loss.pcap"
    install -m 0644 "$txt" "$OUT_DIR/tcp-loss.tshark.txt"
}

LOSS_FLAGS=(tcp.analysis.retransmission tcp.analysis.fast_retransmission
    tcp.analysis.spurious_retransmission tcp.analysis.out_of_order
    tcp.analysis.lost_segment tcp.analysis.duplicate_ack tcp.analysis.zero_window)

tcp_loss_report() {   # tcp_loss_report CAPTURE DROPS
    local f=$1 name flag
    name=$(basename "$f")
    echo "# tshark $(tshark --version 2>/dev/null | head -1 | sed 's/^TShark (Wireshark) //') analysis of $name"
    echo "# $2 data segments were dropped by the router: the last data segment (with FIN)"
    echo "# the first $LOSS_FIN_DROPS times, and every other data segment n with n % $LOSS_MOD == $LOSS_HIT"
    echo "# (nft numgen inc mod $LOSS_MOD == $LOSS_HIT), counted in sending order."
    echo "# The sender's kernel counters afterwards (ip netns exec pdtcp-snd nstat -asz ...):"
    cat "$WORK/loss-nstat"
    echo "# A flow is one direction of one TCP connection (tcp.stream, src -> dst)."
    echo "# Per flag, the count is:"
    echo "#   tshark -n -r $name -Y '<flag>' -T fields -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport | sort | uniq -c"
    echo "# Flows:"
    echo "#   tshark -n -r $name -T fields -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport | sort -u"
    echo "# tshark marks a fast retransmission with BOTH tcp.analysis.fast_retransmission"
    echo "# and tcp.analysis.retransmission, so the first column includes the second."
    echo
    local flows
    flows=$(tshark -n -r "$f" -T fields -e tcp.stream -e ip.src -e tcp.srcport -e ip.dst -e tcp.dstport 2>/dev/null | sort -u)
    for flag in "${LOSS_FLAGS[@]}"; do
        tshark -n -r "$f" -Y "$flag" -T fields -e tcp.stream -e ip.src -e tcp.srcport \
            -e ip.dst -e tcp.dstport 2>/dev/null | sort | uniq -c \
            | awk -v fl="$flag" '{print fl "\t" $2 "\t" $3 ":" $4 " -> " $5 ":" $6 "\t" $1}'
    done > "$WORK/loss-counts"
    printf '%-38s %-6s %-38s %s\n' flag stream flow count
    while read -r st s sp d dp; do
        for flag in "${LOSS_FLAGS[@]}"; do
            local c
            c=$(awk -F'\t' -v fl="$flag" -v st="$st" -v fw="$s:$sp -> $d:$dp" \
                '$1 == fl && $2 == st && $3 == fw {print $4}' "$WORK/loss-counts")
            printf '%-38s %-6s %-38s %s\n' "$flag" "$st" "$s:$sp -> $d:$dp" "${c:-0}"
        done
    done <<<"$flows"
    echo
    echo "# Re-sent data segments (relative seq seen before), with tshark's verdict:"
    echo "#   tshark -n -r $name -Y 'ip.src == 10.78.2.1 && (tcp.len > 0 || tcp.flags.fin == 1)' -T fields -e frame.number -e frame.time_relative -e tcp.seq -e tcp.len -e tcp.flags.fin -e tcp.analysis.rto -e tcp.analysis.rto_frame -e tcp.analysis.fast_retransmission -e tcp.analysis.retransmission -e tcp.analysis.out_of_order"
    printf '%-6s %-10s %-7s %-5s %-4s %-12s %-9s %s\n' frame time seq len fin rto_s rto_frame verdict
    tshark -n -r "$f" -Y "ip.src == 10.78.2.1 && (tcp.len > 0 || tcp.flags.fin == 1)" -T fields \
        -E separator='|' -E occurrence=f -e frame.number -e frame.time_relative -e tcp.seq -e tcp.len \
        -e tcp.flags.fin -e tcp.analysis.rto -e tcp.analysis.rto_frame \
        -e tcp.analysis.fast_retransmission -e tcp.analysis.retransmission \
        -e tcp.analysis.out_of_order 2>/dev/null \
    | awk -F'|' 'seen[$3]++ {
        v = ($8 != "") ? "fast_retransmission" : ($9 != "") ? "retransmission" : ($10 != "") ? "out_of_order" : "(none)"
        printf "%-6s %-10.6f %-7s %-5s %-4s %-12s %-9s %s\n", $1, $2, $3, $4, ($5 == "1" || $5 == "True") ? "FIN" : "-", ($6 == "" ? "-" : $6), ($7 == "" ? "-" : $7), v }'
    echo
    echo "# Frames per flag (tshark -n -r $name -Y '<flag>' -T fields -e frame.number):"
    for flag in "${LOSS_FLAGS[@]}"; do
        printf '%s: %s\n' "$flag" "$(tshark -n -r "$f" -Y "$flag" -T fields -e frame.number 2>/dev/null | tr '\n' ' ' | sed 's/ $//')"
    done
}

# ============================================================== main ===
[[ -n "${PDTCP_ONLY:-}" && "$PDTCP_ONLY" != tso ]] || make_tso
[[ -n "${PDTCP_ONLY:-}" && "$PDTCP_ONLY" != blackhole ]] || make_blackhole
[[ -n "${PDTCP_ONLY:-}" && "$PDTCP_ONLY" != loss ]] || make_loss

echo
echo "Captures written to $OUT_DIR:"
for f in tso-sender.pcapng tso-receiver.pcap oversize-blackhole.pcap tcp-loss.pcap; do
    printf '  %-26s %8s bytes  %5s frames  %s\n' "$f" "$(stat -c %s "$OUT_DIR/$f")" \
        "$(capinfos -c -M "$OUT_DIR/$f" 2>/dev/null | sed -n 's/^Number of packets: *//p')" \
        "$(capinfos -t "$OUT_DIR/$f" 2>/dev/null | sed -n 's/^File type: *//p')"
done
echo
echo "oversize-blackhole.pcap: retransmission ladder of the first oversized segment per connection"
echo "(frame@time, +seconds since the previous copy):"
blackhole_ladder "$OUT_DIR/oversize-blackhole.pcap" 10.78.3.2 | sed 's/^/  /'
echo
echo "oversize-blackhole.pcap: SYNs, oversized segments and their retransmissions, client RSTs:"
tshark -n -r "$OUT_DIR/oversize-blackhole.pcap" \
    -Y 'tcp.flags.syn == 1 || tcp.flags.reset == 1 || frame.len > 1514 || tcp.analysis.duplicate_ack' \
    -T fields -E separator=' ' -e frame.number -e frame.time_relative -e tcp.stream \
    -e ip.src -e tcp.srcport -e tcp.dstport -e frame.len -e tcp.len -e tcp.seq \
    -e tcp.flags.str -e tcp.options.mss_val -e tcp.analysis.retransmission \
    -e tcp.analysis.duplicate_ack_num -e tcp.options.sack_le -e tcp.options.sack_re 2>/dev/null \
    | awk '{printf "  %s\n", $0}'
