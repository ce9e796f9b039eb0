#!/usr/bin/env bash
# make-offload-captures.sh - build pktdoctor's checksum/offload test captures
# from real Linux kernel traffic.
#
# Creates two network namespaces (pdlab-a = sender, pdlab-b = receiver) joined
# by a direct veth pair (pd-a <-> pd-b), runs small, bounded exchanges between
# them and writes into captures/ (next to this lab/ directory):
#
#   offload-partial.pcapng  TCP + UDP, veth TX checksum offload ON (default),
#                           dumpcap on pd-a inside pdlab-a: TCP/UDP checksums
#                           are the CHECKSUM_PARTIAL pseudo-header sums.
#   offload-valid.pcap      same exchange, "ethtool -K <dev> tx off" on both
#                           ends, tcpdump (nanosecond pcap) on pd-a: every
#                           checksum is correct.
#   bad-checksums.pcap      scapy frames with fixed, deliberately wrong
#                           IPv4/TCP/UDP/ICMP/ICMPv6 checksums mixed with good
#                           ones (tx off), tcpdump on the receiver pd-b.
#   bad-checksums.expected  "<frame> <layer> <is 0xNNNN> <should 0xNNNN>" for
#                           every corrupted frame, taken from tshark.
#
# Traffic only ever goes between 10.77.0.0/24 / fd77::/64 addresses inside
# the pdlab-* namespaces this script creates; nothing touches the host's
# interfaces.  Needs root, iproute2, ethtool, tcpdump, tshark/dumpcap, socat
# and python3-scapy (/usr/bin/python3).
#
# Usage: sudo captures/lab/make-offload-captures.sh [OUTDIR]   (OUTDIR defaults
# to the captures/ directory containing lab/).  Re-runnable; takes ~1 min.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$(dirname "$LAB_DIR")}
PY=/usr/bin/python3            # Debian's python3 with python3-scapy

NS_A=pdlab-a;  DEV_A=pd-a;  MAC_A=02:77:00:00:00:01
NS_B=pdlab-b;  DEV_B=pd-b;  MAC_B=02:77:00:00:00:02
IP4_A=10.77.0.1;  IP6_A=fd77::1
IP4_B=10.77.0.2;  IP6_B=fd77::2
TCP_PORT=5001; UDP4_PORT=7777; UDP6_PORT=7778
TCP_BYTES=20480; UDP4_COUNT=4; UDP6_COUNT=2
SETTLE=3                       # seconds for IPv6 MLD reports to die down

WORK=""
PIDS=()

log() { printf '[pdlab] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

in_a() { ip netns exec "$NS_A" "$@"; }
in_b() { ip netns exec "$NS_B" "$@"; }

teardown_lab() {
    local ns
    for ns in "$NS_A" "$NS_B"; do
        if ip netns list | grep -qw "^$ns"; then
            ip netns del "$ns" 2>/dev/null || true
        fi
    done
}

cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    teardown_lab
    if [[ -n "$WORK" && -d "$WORK" ]]; then rm -rf "$WORK"; fi
    if (( rc != 0 )); then log "failed (exit $rc); namespaces removed"; fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

forget_pid() {   # drop a PID we have already waited for
    local p keep=()
    for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

# ---------------------------------------------------------------- checks ---
[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
for t in ip ethtool tcpdump dumpcap tshark socat timeout ss; do
    command -v "$t" >/dev/null || die "missing tool: $t"
done
"$PY" -c 'import scapy.all' 2>/dev/null \
    || die "$PY cannot import scapy (apt-get install python3-scapy)"
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d /tmp/pdlab.XXXXXX)

# ------------------------------------------------------------------- lab ---
# setup_lab TXCSUM: fresh namespaces + veth pair; TXCSUM is "on" (kernel
# default) or "off" (ethtool -K <dev> tx off on both ends).
setup_lab() {
    local txcsum=$1 ns k
    teardown_lab
    for ns in "$NS_A" "$NS_B"; do
        ip netns add "$ns"
        # No DAD, no router solicitations: keeps IPv6 noise out of captures.
        for k in all default; do
            ip netns exec "$ns" sysctl -qw \
                "net.ipv6.conf.$k.accept_dad=0" \
                "net.ipv6.conf.$k.dad_transmits=0" \
                "net.ipv6.conf.$k.router_solicitations=0"
        done
        # Answer every probe (no ICMP rate limiting) so runs are identical.
        ip netns exec "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 \
            net.ipv6.icmp.ratelimit=0
        ip -n "$ns" link set lo up
    done
    # The pair is created directly inside the namespaces (never in the host).
    ip -n "$NS_A" link add "$DEV_A" address "$MAC_A" type veth \
        peer name "$DEV_B" netns "$NS_B" address "$MAC_B"
    ip -n "$NS_A" addr add "$IP4_A/24" dev "$DEV_A"
    ip -n "$NS_A" addr add "$IP6_A/64" dev "$DEV_A" nodad
    ip -n "$NS_B" addr add "$IP4_B/24" dev "$DEV_B"
    ip -n "$NS_B" addr add "$IP6_B/64" dev "$DEV_B" nodad
    # Static neighbours: no ARP / ND in the captures.
    ip -n "$NS_A" neigh replace "$IP4_B" lladdr "$MAC_B" dev "$DEV_A" nud permanent
    ip -n "$NS_A" neigh replace "$IP6_B" lladdr "$MAC_B" dev "$DEV_A" nud permanent
    ip -n "$NS_B" neigh replace "$IP4_A" lladdr "$MAC_A" dev "$DEV_B" nud permanent
    ip -n "$NS_B" neigh replace "$IP6_A" lladdr "$MAC_A" dev "$DEV_B" nud permanent
    if [[ "$txcsum" == off ]]; then
        in_a ethtool -K "$DEV_A" tx off >/dev/null
        in_b ethtool -K "$DEV_B" tx off >/dev/null
    fi
    ip -n "$NS_A" link set "$DEV_A" up
    ip -n "$NS_B" link set "$DEV_B" up
    log "lab up (tx checksum offload $txcsum): $NS_A/$DEV_A $IP4_A $IP6_A <-> $NS_B/$DEV_B $IP4_B $IP6_B"
    log "  $DEV_A: $(in_a ethtool -k "$DEV_A" | grep -E '^\s*(tx-checksumming|tx-tcp-segmentation|generic-segmentation-offload):' | tr -s ' \t\n' ' ')"
    log "  $DEV_B: $(in_b ethtool -k "$DEV_B" | grep -E '^\s*(tx-checksumming|tx-tcp-segmentation|generic-segmentation-offload):' | tr -s ' \t\n' ' ')"
    sleep "$SETTLE"   # let link-up MLD reports pass before capturing
}

# wait_for_line FILE REGEX SECONDS
wait_for_line() {
    local i
    for (( i = 0; i < $3 * 10; i++ )); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

CAP_PID=""; CAP_TOOL=""
# start_capture NS DEV TOOL OUTFILE  (TOOL = dumpcap | tcpdump)
start_capture() {
    local ns=$1 dev=$2 tool=$3 out=$4 errlog
    errlog="$WORK/$tool.log"
    : > "$errlog"; CAP_TOOL=$tool
    case $tool in
    dumpcap)
        ip netns exec "$ns" timeout 60 dumpcap -q -i "$dev" -s 0 \
            -a duration:50 -w "$out" 2> "$errlog" &
        CAP_PID=$!; PIDS+=("$CAP_PID")
        wait_for_line "$errlog" '^File: ' 10 || die "dumpcap did not start: $(cat "$errlog")"
        ;;
    tcpdump)
        ip netns exec "$ns" timeout 60 tcpdump -n -i "$dev" -s 0 -U -Z root \
            --immediate-mode --time-stamp-precision=nano -w "$out" 2> "$errlog" &
        CAP_PID=$!; PIDS+=("$CAP_PID")
        wait_for_line "$errlog" 'listening on ' 10 || die "tcpdump did not start: $(cat "$errlog")"
        ;;
    esac
    sleep 0.5
    log "capturing on $ns/$dev with $tool (pid $CAP_PID)"
}

stop_capture() {
    local rc=0
    sleep 0.5                    # let the last packets reach the file
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" || rc=$?
    forget_pid "$CAP_PID"
    (( rc == 0 )) || die "capture process exited with status $rc"
    local stats got seen drop
    stats=$(cat "$WORK/$CAP_TOOL.log")
    case $CAP_TOOL in
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
        || die "$CAP_TOOL lost packets: $stats"
    log "capture stopped: $CAP_TOOL wrote $got packets, 0 dropped"
}

wait_listen() {   # wait_listen NS PROTO(t|u) PORT
    local i
    for (( i = 0; i < 50; i++ )); do
        [[ -n $(ip netns exec "$1" ss -Hn"$2"l "sport = :$3") ]] && return 0
        sleep 0.1
    done
    die "nothing listening on $1 port $3"
}

tcp_exchange() {
    # Client in A sends $TCP_BYTES deterministic bytes, half-closes; the
    # server in B answers with the byte count (wc -c) and closes: handshake,
    # data both ways, FIN both ways.
    local srv reply
    "$PY" "$LAB_DIR/labtraffic.py" payload "$TCP_BYTES" > "$WORK/payload"
    in_b timeout 20 socat -T 10 \
        "TCP-LISTEN:$TCP_PORT,bind=$IP4_B,reuseaddr" EXEC:"wc -c" &
    srv=$!; PIDS+=("$srv")
    wait_listen "$NS_B" t "$TCP_PORT"
    in_a timeout 20 socat -t 2 -T 10 - "TCP:$IP4_B:$TCP_PORT" \
        < "$WORK/payload" > "$WORK/tcp-reply"
    wait "$srv"; forget_pid "$srv"
    reply=$(tr -d ' \n' < "$WORK/tcp-reply")
    [[ "$reply" == "$TCP_BYTES" ]] || die "TCP exchange: server saw '$reply' bytes"
    log "TCP: $TCP_BYTES bytes $IP4_A -> $IP4_B:$TCP_PORT, reply '$reply'"
}

udp_exchange() {   # udp_exchange SERVER_ADDR PORT COUNT
    local srv
    : > "$WORK/udp-server.out"
    in_b timeout 20 "$PY" "$LAB_DIR/labtraffic.py" udp-server "$1" "$2" "$3" \
        > "$WORK/udp-server.out" &
    srv=$!; PIDS+=("$srv")
    wait_for_line "$WORK/udp-server.out" '^ready' 10 || die "UDP server did not start"
    in_a timeout 20 "$PY" "$LAB_DIR/labtraffic.py" udp-client "$1" "$2" "$3" >&2
    wait "$srv"; forget_pid "$srv"
}

check_exchange() {   # check_exchange CAPTURE: both exchanges fully present
    local f=$1 udp_want=$(( 2 * (UDP4_COUNT + UDP6_COUNT) ))
    (( $(count "$f" udp) == udp_want )) \
        || die "$f: expected $udp_want UDP frames, found $(count "$f" udp)"
    (( $(count "$f" 'tcp.flags.syn == 1') == 2 && $(count "$f" 'tcp.flags.fin == 1') == 2 )) \
        || die "$f: TCP handshake / FINs missing"
    (( $(count "$f" 'not (tcp or udp)') == 0 )) \
        || die "$f: unexpected extra traffic (e.g. MLD/ND noise)"
}

exchange() {
    tcp_exchange
    udp_exchange "$IP4_B" "$UDP4_PORT" "$UDP4_COUNT"
    udp_exchange "$IP6_B" "$UDP6_PORT" "$UDP6_COUNT"
}

TSHARK_CK=(-o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE)
count() {   # count CAPTURE DISPLAYFILTER
    tshark -n "${TSHARK_CK[@]}" -r "$1" -Y "$2" -T fields -e frame.number 2>/dev/null | wc -l
}

check_size() {
    local sz
    sz=$(stat -c %s "$1")
    (( sz < 2 * 1024 * 1024 )) || die "$1 is $sz bytes (limit 2 MB)"
}

# ============================================ 1. offload-partial.pcapng ===
make_partial() {
    local out="$WORK/offload-partial.pcapng" n bad_tcp bad_udp
    log "=== offload-partial.pcapng: tx offload ON, dumpcap on sender $DEV_A"
    setup_lab on
    start_capture "$NS_A" "$DEV_A" dumpcap "$out"
    exchange
    stop_capture
    teardown_lab
    check_size "$out"
    check_exchange "$out"
    n=$(count "$out" frame)
    bad_tcp=$(count "$out" 'tcp.checksum.status == 0')
    bad_udp=$(count "$out" 'udp.checksum.status == 0')
    (( bad_tcp > 0 && bad_udp > 0 )) \
        || die "offload-partial: expected partial TCP and UDP checksums (bad tcp=$bad_tcp udp=$bad_udp)"
    (( $(count "$out" 'ip.checksum.status == 0') == 0 )) \
        || die "offload-partial: IPv4 header checksums should all be good"
    "$PY" "$LAB_DIR/checksum_report.py" partial "$out" >&2 \
        || die "offload-partial: a TCP/UDP checksum is neither partial nor correct"
    log "offload-partial: $n frames, $bad_tcp TCP + $bad_udp UDP flagged bad (partial)"
    install -m 0644 "$out" "$OUT_DIR/offload-partial.pcapng"
}

# ================================================ 2. offload-valid.pcap ===
make_valid() {
    local out="$WORK/offload-valid.pcap" n magic bad
    log "=== offload-valid.pcap: tx offload OFF both ends, tcpdump (nano) on sender $DEV_A"
    setup_lab off
    start_capture "$NS_A" "$DEV_A" tcpdump "$out"
    exchange
    stop_capture
    teardown_lab
    check_size "$out"
    check_exchange "$out"
    magic=$(od -An -tx1 -N4 "$out" | tr -d ' ')
    [[ "$magic" == 4d3cb2a1 || "$magic" == a1b23c4d ]] \
        || die "offload-valid.pcap is not a nanosecond pcap (magic $magic)"
    n=$(count "$out" frame)
    bad=$(count "$out" 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0 || icmpv6.checksum.status == 0')
    (( bad == 0 )) || die "offload-valid: $bad frames with bad checksums"
    (( $(count "$out" 'tcp.checksum.status == 1') == $(count "$out" tcp) )) \
        || die "offload-valid: not every TCP checksum verified good"
    (( $(count "$out" 'udp.checksum.status == 1') == $(count "$out" udp) )) \
        || die "offload-valid: not every UDP checksum verified good"
    log "offload-valid: $n frames, all checksums good, nanosecond pcap (magic $magic)"
    install -m 0644 "$out" "$OUT_DIR/offload-valid.pcap"
}

# ======================================= 3. bad-checksums.pcap/.expected ===
make_bad() {
    local out="$WORK/bad-checksums.pcap" exp="$WORK/bad-checksums.expected"
    local manifest="$WORK/sent-manifest" sent
    log "=== bad-checksums.pcap: scapy on $NS_A/$DEV_A (tx off), tcpdump on receiver $DEV_B"
    setup_lab off
    start_capture "$NS_B" "$DEV_B" tcpdump "$out"
    in_a timeout 30 "$PY" "$LAB_DIR/send_bad_checksums.py" \
        "$DEV_A" "$MAC_A" "$MAC_B" "$manifest" >&2
    stop_capture
    teardown_lab
    check_size "$out"
    "$PY" "$LAB_DIR/checksum_report.py" expected "$out" > "$exp"
    # The corrupted frames tshark finds must be exactly the ones we sent,
    # in the same order, with the same wrong and right values.
    diff <(cut -d' ' -f2- "$manifest") <(cut -d' ' -f2- "$exp") >&2 \
        || die "bad-checksums: tshark's bad frames differ from what scapy sent"
    sent=$(count "$out" "eth.src == $MAC_A")
    log "bad-checksums: $(count "$out" frame) frames ($sent sent by scapy), $(wc -l < "$exp") corrupted"
    install -m 0644 "$out" "$OUT_DIR/bad-checksums.pcap"
    install -m 0644 "$exp" "$OUT_DIR/bad-checksums.expected"
}

make_partial
make_valid
make_bad

# ============================================================== summary ===
echo
echo "Captures written to $OUT_DIR (checksum verdicts from tshark with ip/tcp/udp checking on):"
for f in offload-partial.pcapng offload-valid.pcap bad-checksums.pcap; do
    "$PY" "$LAB_DIR/checksum_report.py" summary "$OUT_DIR/$f"
    printf '   size: %s bytes, file type: %s\n' "$(stat -c %s "$OUT_DIR/$f")" \
        "$(capinfos -t "$OUT_DIR/$f" 2>/dev/null | sed -n 's/^File type: *//p')"
done
echo
echo "bad-checksums.expected (<frame> <layer> <is> <should>):"
sed 's/^/   /' "$OUT_DIR/bad-checksums.expected"
