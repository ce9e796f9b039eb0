#!/usr/bin/env bash
# make-boot-captures.sh - build pktdoctor's network-boot test captures from
# real daemons and clients running in throw-away network namespaces.
#
# Lab: a "switch" namespace (pdboot-sw) holds a Linux bridge; every host
# namespace (pdboot-srv = boot server 10.79.0.1, pdboot-cli = the booting
# client, pdboot-own = a host that already owns the client's address) is
# plugged into it with a veth pair (host side pdb-<name>, bridge side
# sw-<name>).  IPv6 is disabled in all of them (no MLD/ND/RS noise), TX
# checksum offload is off on every veth so all checksums in the files are
# real.  Every capture is taken with tcpdump --immediate-mode on pdb-cli
# inside pdboot-cli (the booting machine's view) and the kernel drop counter
# is checked.  Written into captures/ (next to this boot-lab/ directory):
#
#   dhcp-rootpath.pcap      dnsmasq -> ISC dhclient: 3 DORA exchanges, option
#                           17 iSCSI root paths (LUN 0, LUN "40" hex, all
#                           defaults) + option 203 initiator IQN
#   dhcp-vendor43.pcap      option 60 "BRCM ISAN" + option 43 sub-options
#                           201/202/203, then a client without option 60 that
#                           still gets iSCSI option 43 (misconfiguration)
#   dhcp-rootpath-bad.pcap  option 17 with LUN "zz", protocol 17, port 99999,
#                           ambiguous LUN "0000000064"
#   dhcp-no-offer.pcap      busybox udhcpc as a PXE-style client, 5 DISCOVERs
#                           4 s apart, nobody answers
#   iscsi-login.pcap        tgtd target (8 MiB file LUN) <- libiscsi:
#                           iscsi-ls -s (SendTargets discovery + login), a
#                           libiscsi session (bootlab.py via ctypes) with
#                           HeaderDigest=CRC32C and READs, and a CHAP login
#                           (security + operational stages) to a 2nd target
#   arp-probe-delay.pcap    firmware HTTP fetch, 4 s silence, RFC 5227 probes
#                           (arping -D) x3, 2 announcements (arping -U), first
#                           IP packet ~6 s after the first probe
#   arp-conflict.pcap       same start, but pdboot-own owns 10.79.0.50: it
#                           answers the probe and announces the IP itself
#   ipxe-syslog.pcap        iPXE-style syslog (UDP 514) interleaved with real
#                           HTTP GETs (200, 200, 404) from python http.server
#   iscsi-errors.pcap       one failure per iSCSI connection (libiscsi
#                           initiator): logins refused by tgtd (unknown
#                           TargetName 0x0203, wrong CHAP secret 0x0201),
#                           TUR/READ to tgtd LUN 255, a READ(10) answered
#                           after 12 s (tgtd SIGSTOPped), and 5 sessions with
#                           badtarget.py on 10.79.0.2:3260, each breaking RFC
#                           7143 once (FirstBurst > MaxBurst, data segment >
#                           MaxRecvDataSegmentLength, MaxCmdSN < ExpCmdSN - 1,
#                           skipped StatSN, wrong CRC32C header digest)
#   iscsi-boot.pcap         one client's whole iSCSI boot (part "boot"): DHCP
#                           with option 60 PXEClient + 77 "iPXE" -> option 17
#                           root path, iPXE-style syslog, firmware iSCSI
#                           login + READs (no Logout), ~5 s handover silence,
#                           RFC 5227 probes x3 + announcements x2, then the
#                           OS's own iSCSI login + READ
#
# Traffic only ever flows inside the pdboot-* namespaces this script creates,
# between 10.79.0.0/24 addresses; nothing touches the host's interfaces.
# Daemons (dnsmasq, tgtd, http.server, the syslog listener) run inside
# pdboot-srv, bind only to its veth address, keep their config/pid/lease/ipc
# files in a temp dir, and are stopped by PID.
#
# Needs root, iproute2, ethtool, tcpdump, tshark, python3 (Debian's), and the
# Debian packages dnsmasq-base, isc-dhcp-client, busybox, iputils-arping, tgt,
# libiscsi-bin (libiscsi7).
#
# Usage: sudo captures/boot-lab/make-boot-captures.sh [OUTDIR] [PART...]
#   OUTDIR defaults to the captures/ directory containing boot-lab/; PART is
#   any of dhcp iscsi iscsi-errors arp-delay arp-conflict syslog boot (default: all).
#   Re-runnable; takes ~3 min (boot alone ~30 s).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$(dirname "$LAB_DIR")}
shift || true
PARTS=("$@")
(( ${#PARTS[@]} )) || PARTS=(dhcp iscsi iscsi-errors arp-delay arp-conflict syslog boot)
PY=/usr/bin/python3
BOOTLAB="$LAB_DIR/bootlab.py"

NS_SW=pdboot-sw
SRV_IP=10.79.0.1;  SRV_MAC=02:79:00:00:00:01
CLI_IP=10.79.0.50; CLI_MAC=02:79:00:00:01:50
OWN_MAC=02:79:00:00:02:50           # the other owner of 10.79.0.50
TARGET_IQN=iqn.2026-11.lab.pktdoctor:disk1
TARGET2_IQN=iqn.2026-11.lab.pktdoctor:disk2
INIT_IQN=iqn.2026-11.lab.pktdoctor:client1
# iscsi-boot.pcap's root path.  LUN 1: tgt keeps LUN 0 for its controller and
# cannot put a disk there (tgtadm refuses to delete LUN 0).
BOOT_RP="iscsi:$SRV_IP::3260:1:$TARGET_IQN"

WORK=""
PIDS=()
NODES=()

log() { printf '[pdboot] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

ns() { echo "pdboot-$1"; }
in_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@"; }
# bg_ns NODE CMD...: run CMD in the background inside pdboot-NODE.  The
# background job is "ip netns exec", which execs CMD (always "timeout ..."),
# so BG_PID is the timeout process: a signal sent to it reaches CMD.
BG_PID=""
bg_ns() { local n=$1; shift; ip netns exec "$(ns "$n")" "$@" & BG_PID=$!; PIDS+=("$BG_PID"); }

lab_down() {
    local n p left
    for n in srv cli own sw; do
        if ip netns list | grep -qw "^pdboot-$n"; then
            # Safety net: anything still running inside one of our own
            # namespaces was started by this script; end it by PID.
            left=$(ip netns pids "pdboot-$n" 2>/dev/null || true)
            if [[ -n "$left" ]]; then
                log "ending leftover processes in pdboot-$n: $(echo $left)"
                for p in $left; do kill -TERM "$p" 2>/dev/null || true; done
                sleep 1
                for p in $(ip netns pids "pdboot-$n" 2>/dev/null || true); do
                    kill -KILL "$p" 2>/dev/null || true
                done
            fi
            ip netns del "pdboot-$n" 2>/dev/null || true
        fi
    done
    NODES=()
}

stop_pid() {    # stop_pid PID [SIG]: signal one of our background jobs, reap it
    local pid=$1 sig=${2:-TERM} i
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; forget_pid "$pid"; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    for (( i = 0; i < 30; i++ )); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; sleep 0.5; fi
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
}

cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid" INT; done
    lab_down
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ -n "${PDBOOT_KEEP_WORK:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
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
for t in ip ethtool tcpdump tshark capinfos timeout ss dnsmasq dhclient busybox \
         arping tgtd tgtadm iscsi-ls; do
    command -v "$t" >/dev/null || die "missing tool: $t (see the header for packages)"
done
"$PY" -c 'import ctypes; ctypes.CDLL("libiscsi.so.7")' 2>/dev/null \
    || die "libiscsi.so.7 not loadable (apt-get install libiscsi-bin)"
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d /tmp/pdboot.XXXXXX)
chmod 755 "$WORK"

# ------------------------------------------------------------------- lab ---
# lab_up NODE... : fresh switch namespace + one namespace per NODE (srv, cli,
# own).  Addresses are added by the callers.
lab_up() {
    local n k mac
    lab_down
    for n in sw "$@"; do
        ip netns add "$(ns "$n")"
        ip netns exec "$(ns "$n")" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
            net.ipv6.conf.default.disable_ipv6=1
        ip -n "$(ns "$n")" link set lo up
    done
    ip -n "$NS_SW" link add br0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n "$NS_SW" link set br0 up
    for n in "$@"; do
        case $n in srv) mac=$SRV_MAC ;; cli) mac=$CLI_MAC ;; own) mac=$OWN_MAC ;; esac
        # created directly inside the namespaces, never in the host
        ip -n "$NS_SW" link add "sw-$n" type veth peer name "pdb-$n" \
            netns "$(ns "$n")" address "$mac"
        ip -n "$NS_SW" link set "sw-$n" master br0
        in_ns sw ethtool -K "sw-$n" tx off >/dev/null
        in_ns "$n" ethtool -K "pdb-$n" tx off >/dev/null
        ip -n "$NS_SW" link set "sw-$n" up
        ip -n "$(ns "$n")" link set "pdb-$n" up
        NODES+=("$n")
    done
    sleep 1
    log "lab up: bridge br0 in $NS_SW, hosts: ${NODES[*]}"
}

set_cli_mac() {     # set_cli_mac MAC: new identity for the next client run
    ip -n pdboot-cli link set pdb-cli down
    ip -n pdboot-cli link set pdb-cli address "$1"
    ip -n pdboot-cli link set pdb-cli up
    sleep 0.3
}

wait_for_line() {   # wait_for_line FILE REGEX SECONDS
    local i
    for (( i = 0; i < $3 * 10; i++ )); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

wait_listen() {   # wait_listen NODE PROTO(t|u) PORT
    local i
    for (( i = 0; i < 50; i++ )); do
        [[ -n $(in_ns "$1" ss -Hn"$2"l "sport = :$3") ]] && return 0
        sleep 0.1
    done
    die "nothing listening in $(ns "$1") port $3"
}

CAP_PID=""; CAP_LOG=""
start_capture() {   # start_capture OUTFILE  (on pdb-cli inside pdboot-cli)
    CAP_LOG="$WORK/tcpdump.log"; : > "$CAP_LOG"
    bg_ns cli timeout 120 tcpdump -n -i pdb-cli -s 0 -B 16384 -U -Z root --immediate-mode \
        -w "$1" > /dev/null 2> "$CAP_LOG"
    CAP_PID=$BG_PID
    wait_for_line "$CAP_LOG" 'listening on ' 10 || die "tcpdump did not start: $(cat "$CAP_LOG")"
    sleep 0.5
}

stop_capture() {
    local rc=0 stats got seen drop
    sleep 0.5
    kill -INT "$CAP_PID" 2>/dev/null || true
    wait "$CAP_PID" || rc=$?
    forget_pid "$CAP_PID"
    (( rc == 0 )) || die "tcpdump exited with status $rc"
    stats=$(cat "$CAP_LOG")
    got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' <<<"$stats")
    seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' <<<"$stats")
    drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel.*/\1/p' <<<"$stats")
    [[ -n "$got" && "$got" == "$seen" && "$drop" == 0 ]] || die "tcpdump lost packets: $stats"
    log "capture stopped: $got packets, 0 dropped"
}

TS=(-o tcp.check_checksum:TRUE -o udp.check_checksum:TRUE -o ip.check_checksum:TRUE)
fields() {   # fields CAPTURE FILTER FIELD...
    local f=$1 y=$2 a=() x; shift 2
    for x in "$@"; do a+=(-e "$x"); done
    tshark -n "${TS[@]}" -d tcp.port==3260,iscsi -r "$f" -Y "$y" -T fields \
        -E separator='|' -E occurrence=a -E aggregator=, "${a[@]}" 2>/dev/null
}
count() { fields "$1" "$2" frame.number | wc -l; }

finish_capture() {   # finish_capture WORKFILE NAME: sanity checks + install
    local f=$1 name=$2 sz bad
    sz=$(stat -c %s "$f")
    (( sz < 2 * 1024 * 1024 )) || die "$name is $sz bytes (limit 2 MB)"
    bad=$(count "$f" 'ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0')
    (( bad == 0 )) || die "$name: $bad frames with bad checksums"
    (( $(count "$f" 'not (ip.src == 10.79.0.0/24 || arp || ip.src == 0.0.0.0)') == 0 )) \
        || die "$name: traffic from outside 10.79.0.0/24"
    install -m 0644 "$f" "$OUT_DIR/$name"
    log "$name: $(count "$f" frame) frames, $sz bytes"
}

# ======================================================== DHCP captures ===
DNSMASQ_PID=""
start_dnsmasq() {
    local c=$WORK/dnsmasq.conf
    local rp="iscsi:$SRV_IP::3260:0:$TARGET_IQN"
    local o43
    o43=$("$PY" "$BOOTLAB" opt43 "201=iscsi:$SRV_IP::3260:0:$TARGET_IQN" \
          "202=iscsi:10.79.0.2::3260:0:$TARGET2_IQN" "203=$INIT_IQN")
    cat > "$c" <<EOF
# pdboot lab dnsmasq: DHCP only, on pdb-srv only
port=0
interface=pdb-srv
bind-interfaces
no-resolv
no-hosts
no-ping
log-dhcp
dhcp-authoritative
dhcp-range=10.79.0.100,10.79.0.199,255.255.255.0,1h
dhcp-leasefile=$WORK/dnsmasq.leases
pid-file=$WORK/dnsmasq.pid
# --- dhcp-rootpath.pcap: option 17 (+ 203 initiator IQN) ---
dhcp-host=02:79:00:00:11:01,10.79.0.101,set:r1
dhcp-host=02:79:00:00:11:02,10.79.0.102,set:r2
dhcp-host=02:79:00:00:11:03,10.79.0.103,set:r3
dhcp-option=tag:r1,17,"$rp"
dhcp-option=tag:r2,17,"iscsi:$SRV_IP::3260:40:$TARGET_IQN"
dhcp-option=tag:r3,17,"iscsi:$SRV_IP::::$TARGET_IQN"
dhcp-option=tag:r1,203,"$INIT_IQN"
dhcp-option=tag:r2,203,"$INIT_IQN"
dhcp-option=tag:r3,203,"$INIT_IQN"
# --- dhcp-vendor43.pcap ---
# v1: client says option 60 "BRCM ISAN" -> option 43 sub-options 201/202/203
dhcp-host=02:79:00:00:12:01,10.79.0.111,set:v1
dhcp-option=tag:v1,vendor:BRCM ISAN,201,"iscsi:$SRV_IP::3260:0:$TARGET_IQN"
dhcp-option=tag:v1,vendor:BRCM ISAN,202,"iscsi:10.79.0.2::3260:0:$TARGET2_IQN"
dhcp-option=tag:v1,vendor:BRCM ISAN,203,"$INIT_IQN"
# v2: misconfiguration - the same iSCSI option 43 forced on a client that
# sent no vendor class; no option 60 in the reply
dhcp-host=02:79:00:00:12:02,10.79.0.112,set:v2
dhcp-option-force=tag:v2,43,$o43
# --- dhcp-rootpath-bad.pcap ---
dhcp-host=02:79:00:00:13:01,10.79.0.121,set:b1
dhcp-host=02:79:00:00:13:02,10.79.0.122,set:b2
dhcp-host=02:79:00:00:13:03,10.79.0.123,set:b3
dhcp-host=02:79:00:00:13:04,10.79.0.124,set:b4
dhcp-option=tag:b1,17,"iscsi:$SRV_IP::3260:zz:$TARGET_IQN"
dhcp-option=tag:b2,17,"iscsi:$SRV_IP:17:3260:0:$TARGET_IQN"
dhcp-option=tag:b3,17,"iscsi:$SRV_IP::99999:0:$TARGET_IQN"
dhcp-option=tag:b4,17,"iscsi:$SRV_IP::3260:0000000064:$TARGET_IQN"
# --- iscsi-boot.pcap: the lab client's own MAC gets 10.79.0.50 and a log
# server; the root path only goes to DHCP requests with user class "iPXE"
# (the usual chainloading setup)
dhcp-userclass=set:ipxe,iPXE
dhcp-host=$CLI_MAC,$CLI_IP,set:boot
dhcp-option=tag:boot,tag:ipxe,17,"$BOOT_RP"
dhcp-option=tag:boot,7,$SRV_IP
EOF
    : > "$WORK/dnsmasq.log"
    bg_ns srv timeout 300 dnsmasq -k --conf-file="$c" --user=root --group=root \
        --log-facility="$WORK/dnsmasq.log" > "$WORK/dnsmasq.out" 2>&1
    DNSMASQ_PID=$BG_PID
    wait_for_line "$WORK/dnsmasq.log" 'sockets bound exclusively to interface pdb-srv' 10 \
        || die "dnsmasq did not start: $(cat "$WORK/dnsmasq.log")"
    log "dnsmasq running in pdboot-srv (pid $DNSMASQ_PID), bound to pdb-srv"
}

# dhclient_run MAC VENDORCLASS(or "") WANT_ROOTPATH(or "") [EXTRA] : one full
# DORA with ISC dhclient; the hook script only records the variables it gets.
# EXTRA: more dhclient.conf lines.
RUN=0
dhclient_run() {
    local mac=$1 vci=$2 want=$3 extra=${4:-} d pid got
    RUN=$(( RUN + 1 )); d=$WORK/dhclient.$RUN; mkdir -p "$d"
    set_cli_mac "$mac"
    {
        echo 'option iscsi-initiator-iqn code 203 = text;'
        [[ -n "$vci" ]] && echo "send vendor-class-identifier \"$vci\";"
        echo 'request subnet-mask, broadcast-address, routers, host-name, root-path,'
        echo '        vendor-encapsulated-options, vendor-class-identifier,'
        echo '        iscsi-initiator-iqn;'
        echo 'timeout 15;'
        echo 'initial-interval 2;'
        if [[ -n "$extra" ]]; then echo "$extra"; fi
    } > "$d/dhclient.conf"
    cat > "$d/hook" <<EOF
#!/bin/sh
{ env | grep -E '^new_' | sort; echo "done=\$reason"; } > "$d/env.\$reason"
cat "$d/env.\$reason" >> "$d/env.log"     # one append, marker last
exit 0
EOF
    chmod 755 "$d/hook"
    bg_ns cli timeout 30 dhclient -4 -d -1 -v -cf "$d/dhclient.conf" -lf "$d/leases" \
        -pf "$d/dhclient.pid" -sf "$d/hook" pdb-cli > "$d/out" 2>&1
    pid=$BG_PID
    wait_for_line "$d/env.log" '^done=BOUND' 20 || die "dhclient ($mac) got no lease: $(cat "$d/out")"
    stop_pid "$pid" TERM
    # dnsmasq unicasts OFFER/ACK via an ARP entry it writes into the kernel;
    # this client never configures the address, so 5 s later the server's
    # kernel would send unanswered unicast ARP probes for it into the next
    # exchange.  Forget the entry instead.
    ip -n pdboot-srv neigh flush dev pdb-srv
    got=$(sed -n 's/^new_root_path=//p' "$d/env.log")
    if [[ -n "$want" && "$got" != "$want" ]]; then
        die "dhclient ($mac): root path '$got', expected '$want'"
    fi
    log "DORA $mac -> $(sed -n 's/^new_ip_address=//p' "$d/env.log")${got:+, root-path $got}"
    sleep 1
}

check_dora() {   # check_dora CAPTURE N: N complete DISCOVER/OFFER/REQUEST/ACK
    local f=$1 n=$2 types want=""
    types=$(fields "$f" dhcp dhcp.option.dhcp | tr '\n' ' ')
    for (( i = 0; i < n; i++ )); do want+="1 2 3 5 "; done
    [[ "$types" == "$want" ]] || die "$f: DHCP message types '$types', expected '$want'"
}

make_dhcp() {
    local f out
    log "=== DHCP captures: dnsmasq in pdboot-srv, clients in pdboot-cli"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    start_dnsmasq

    # ---- dhcp-rootpath.pcap
    f=$WORK/dhcp-rootpath.pcap
    start_capture "$f"
    dhclient_run 02:79:00:00:11:01 "" "iscsi:$SRV_IP::3260:0:$TARGET_IQN"
    dhclient_run 02:79:00:00:11:02 "" "iscsi:$SRV_IP::3260:40:$TARGET_IQN"
    dhclient_run 02:79:00:00:11:03 "" "iscsi:$SRV_IP::::$TARGET_IQN"
    stop_capture
    check_dora "$f" 3
    (( $(count "$f" 'dhcp.option.dhcp == 5 && dhcp.option.root_path && dhcp.option.type == 203') == 3 )) \
        || die "dhcp-rootpath: ACKs without option 17/203"
    finish_capture "$f" dhcp-rootpath.pcap

    # ---- dhcp-vendor43.pcap
    f=$WORK/dhcp-vendor43.pcap
    start_capture "$f"
    dhclient_run 02:79:00:00:12:01 "BRCM ISAN" ""
    grep -q '^new_vendor_encapsulated_options=' "$WORK/dhclient.$RUN/env.log" \
        || die "v1: dhclient got no option 43"
    dhclient_run 02:79:00:00:12:02 "" ""
    grep -q '^new_vendor_encapsulated_options=' "$WORK/dhclient.$RUN/env.log" \
        || die "v2: dhclient got no option 43"
    stop_capture
    check_dora "$f" 2
    (( $(count "$f" '(dhcp.option.dhcp == 2 || dhcp.option.dhcp == 5) && dhcp.option.type == 43 && dhcp.option.type == 60') == 2 )) \
        || die "dhcp-vendor43: exchange 1 replies should carry 43 and 60"
    (( $(count "$f" '(dhcp.option.dhcp == 2 || dhcp.option.dhcp == 5) && dhcp.option.type == 43 && !(dhcp.option.type == 60)') == 2 )) \
        || die "dhcp-vendor43: exchange 2 replies should carry 43 without 60"
    finish_capture "$f" dhcp-vendor43.pcap

    # ---- dhcp-rootpath-bad.pcap
    f=$WORK/dhcp-rootpath-bad.pcap
    start_capture "$f"
    dhclient_run 02:79:00:00:13:01 "" "iscsi:$SRV_IP::3260:zz:$TARGET_IQN"
    dhclient_run 02:79:00:00:13:02 "" "iscsi:$SRV_IP:17:3260:0:$TARGET_IQN"
    dhclient_run 02:79:00:00:13:03 "" "iscsi:$SRV_IP::99999:0:$TARGET_IQN"
    dhclient_run 02:79:00:00:13:04 "" "iscsi:$SRV_IP::3260:0000000064:$TARGET_IQN"
    stop_capture
    check_dora "$f" 4
    finish_capture "$f" dhcp-rootpath-bad.pcap

    # ---- dhcp-no-offer.pcap: the server is gone
    stop_pid "$DNSMASQ_PID" TERM
    log "dnsmasq stopped; dhcp-no-offer: busybox udhcpc, 5 DISCOVERs 4 s apart"
    f=$WORK/dhcp-no-offer.pcap
    set_cli_mac 02:79:00:00:14:01
    start_capture "$f"
    # PXE-like DISCOVER: option 60 PXEClient, 93 arch 0 (BIOS), 94 UNDI 2.1,
    # 97 client UUID (type 0 + 16 bytes), no client-id; asks for 17/43/60/66/67.
    out=$WORK/udhcpc.out
    in_ns cli timeout 40 busybox udhcpc -f -n -i pdb-cli -t 5 -T 4 -s /bin/true -C \
        -V "PXEClient:Arch:00000:UNDI:002001" -x 0x5d:0000 -x 0x5e:010201 \
        -x 0x61:005a79c0de000040008000000000000001 \
        -O 17 -O 43 -O 60 -O 66 -O 67 > "$out" 2>&1 && die "udhcpc got a lease?!"
    stop_capture
    [[ $(fields "$f" dhcp dhcp.option.dhcp | sort -u) == 1 ]] || die "dhcp-no-offer: not only DISCOVERs"
    (( $(count "$f" dhcp) == 5 )) || die "dhcp-no-offer: expected 5 DISCOVERs"
    finish_capture "$f" dhcp-no-offer.pcap
    lab_down
}

# ========================================================= iSCSI capture ===
make_iscsi() {
    local f=$WORK/iscsi-login.pcap tgt_pid disk=$WORK/disk1.img disk2=$WORK/disk2.img
    log "=== iscsi-login.pcap: tgtd in pdboot-srv, libiscsi initiators in pdboot-cli"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    # static neighbours: the capture is the TCP/iSCSI conversation only
    ip -n pdboot-srv neigh replace "$CLI_IP" lladdr "$CLI_MAC" dev pdb-srv nud permanent
    ip -n pdboot-cli neigh replace "$SRV_IP" lladdr "$SRV_MAC" dev pdb-cli nud permanent
    "$PY" "$BOOTLAB" mkdisk "$disk" 8
    "$PY" "$BOOTLAB" mkdisk "$disk2" 1

    export TGT_IPC_SOCKET=$WORK/tgtd.ipc     # management socket in the temp dir
    # tgtd ignores SIGTERM; SIGINT makes it exit
    bg_ns srv timeout -s INT 300 tgtd -f --iscsi "portal=$SRV_IP:3260" > "$WORK/tgtd.log" 2>&1
    tgt_pid=$BG_PID
    wait_listen srv t 3260
    local A=(in_ns srv tgtadm --lld iscsi)
    "${A[@]}" --op new --mode target --tid 1 -T "$TARGET_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$disk"
    "${A[@]}" --op bind --mode target --tid 1 -I ALL
    [[ -z $(in_ns srv ss -Htln 'sport = :3260' | grep -v "$SRV_IP:3260") ]] \
        || die "tgtd listens on more than $SRV_IP:3260"
    log "tgtd (pid $tgt_pid) serving $TARGET_IQN LUN 1 = 8 MiB file"

    start_capture "$f"
    log "session 1+2: iscsi-ls -s (SendTargets discovery, then a normal session)"
    in_ns cli timeout 30 iscsi-ls -i "$INIT_IQN" -s "iscsi://$SRV_IP:3260" >&2
    sleep 1
    # tgtd's default for HeaderDigest is "None" only; offered "CRC32C" alone
    # it still answers "HeaderDigest=None" (a value the initiator did not
    # offer) and libiscsi carries on without digests.
    log "session 3: libiscsi (bootlab.py) offers HeaderDigest=CRC32C only; tgtd default"
    in_ns cli timeout 30 "$PY" "$BOOTLAB" iscsi-read "$SRV_IP:3260" "$TARGET_IQN" \
        "$INIT_IQN" 1 crc32c "$disk" read10:0:1 >&2
    sleep 1
    "${A[@]}" --op update --mode target --tid 1 --name HeaderDigest --value CRC32C,None
    log "session 4: same offer after 'tgtadm ... --name HeaderDigest --value CRC32C,None'; READs"
    in_ns cli timeout 30 "$PY" "$BOOTLAB" iscsi-read "$SRV_IP:3260" "$TARGET_IQN" \
        "$INIT_IQN" 1 crc32c "$disk" >&2
    sleep 1
    # a second target that requires CHAP: libiscsi then starts with a
    # SecurityNegotiation stage (CSG 0) before the operational stage
    "${A[@]}" --op new --mode target --tid 2 -T "$TARGET2_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 2 --lun 1 -b "$disk2"
    "${A[@]}" --op bind --mode target --tid 2 -I ALL
    "${A[@]}" --op new --mode account --user pdboot --password pdboot-lab-secret
    "${A[@]}" --op bind --mode account --tid 2 --user pdboot
    log "session 5: libiscsi with CHAP to $TARGET2_IQN, HeaderDigest None"
    in_ns cli timeout 30 "$PY" "$BOOTLAB" iscsi-read "$SRV_IP:3260" "$TARGET2_IQN" \
        "$INIT_IQN" 1 none "$disk2" read10:0:1 pdboot pdboot-lab-secret >&2
    stop_capture

    stop_pid "$tgt_pid" INT
    unset TGT_IPC_SOCKET
    (( $(count "$f" 'iscsi.opcode == 0x03') >= 7 )) || die "iscsi: fewer than 7 login requests"
    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.login.status == 0') >= 7 )) \
        || die "iscsi: missing successful login responses"
    (( $(count "$f" 'iscsi.opcode == 0x04 && iscsi.keyvalue contains "SendTargets"') == 1 )) \
        || die "iscsi: no SendTargets text request"
    fields "$f" 'iscsi.opcode == 0x23' iscsi.keyvalue | grep -q 'HeaderDigest=CRC32C' \
        || die "iscsi: no login response with HeaderDigest=CRC32C"
    fields "$f" 'iscsi.opcode == 0x23' iscsi.keyvalue | grep -q 'CHAP_C=' \
        || die "iscsi: no CHAP challenge"
    finish_capture "$f" iscsi-login.pcap
    lab_down
}

# ================================================== iSCSI error capture ===
# iscsi-errors.pcap: one TCP connection per failure, all between pdboot-cli
# (10.79.0.50) and pdboot-srv.  tgtd on 10.79.0.1:3260 gives the failures a
# real target commits; badtarget.py, a deliberately broken target on a second
# address of pdboot-srv (10.79.0.2:3260, so pktdoctor/tshark see port 3260),
# gives the protocol violations.  The initiator is always libiscsi.
BAD_IP=10.79.0.2
BAD_IQN=iqn.2026-11.lab.pktdoctor:bad
make_iscsi_errors() {
    local f=$WORK/iscsi-errors.pcap disk=$WORK/errdisk.img tgt_pid tgtd bad_pid c out go
    local CASE=(in_ns cli timeout 40 "$PY" "$BOOTLAB" iscsi-case)
    log "=== iscsi-errors.pcap: tgtd + badtarget.py in pdboot-srv, libiscsi in pdboot-cli"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    ip -n pdboot-srv addr add "$BAD_IP/24" dev pdb-srv
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    ip -n pdboot-srv neigh replace "$CLI_IP" lladdr "$CLI_MAC" dev pdb-srv nud permanent
    ip -n pdboot-cli neigh replace "$SRV_IP" lladdr "$SRV_MAC" dev pdb-cli nud permanent
    ip -n pdboot-cli neigh replace "$BAD_IP" lladdr "$SRV_MAC" dev pdb-cli nud permanent
    "$PY" "$BOOTLAB" mkdisk "$disk" 1

    export TGT_IPC_SOCKET=$WORK/tgtd-err.ipc
    bg_ns srv timeout -s INT 300 tgtd -f --iscsi "portal=$SRV_IP:3260" > "$WORK/tgtd-err.log" 2>&1
    tgt_pid=$BG_PID
    wait_listen srv t 3260
    local A=(in_ns srv tgtadm --lld iscsi)
    "${A[@]}" --op new --mode target --tid 1 -T "$TARGET_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$disk"
    "${A[@]}" --op new --mode logicalunit --tid 1 --lun 255 -b "$disk"
    "${A[@]}" --op bind --mode target --tid 1 -I ALL
    "${A[@]}" --op new --mode target --tid 2 -T "$TARGET2_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 2 --lun 1 -b "$disk"
    "${A[@]}" --op bind --mode target --tid 2 -I ALL
    "${A[@]}" --op new --mode account --user pdboot --password pdboot-lab-secret
    "${A[@]}" --op bind --mode account --tid 2 --user pdboot
    # tgtd -f is the child of the "timeout" process bg_ns started
    tgtd=$(ps -o pid= --ppid "$tgt_pid" | tr -d ' ')
    [[ "$tgtd" =~ ^[0-9]+$ ]] || die "no tgtd process under $tgt_pid"
    log "tgtd (pid $tgtd) serving $TARGET_IQN LUN 1 + LUN 255, $TARGET2_IQN (CHAP)"

    bg_ns srv timeout 120 "$PY" "$LAB_DIR/badtarget.py" "$BAD_IP" 3260 110 5 \
        > "$WORK/badtarget.ready" 2> "$WORK/badtarget.log"
    bad_pid=$BG_PID
    wait_for_line "$WORK/badtarget.ready" '^ready' 10 || die "badtarget.py did not start"
    [[ -z $(in_ns srv ss -Htln 'sport = :3260' | grep -vE "($SRV_IP|$BAD_IP):3260") ]] \
        || die "something listens on more than $SRV_IP/$BAD_IP:3260"

    start_capture "$f"
    log "conn 1: login to a target tgtd does not have (0x0203)"
    "${CASE[@]}" "$SRV_IP:3260" "$TARGET_IQN-missing" "$INIT_IQN" 1 none 10 login-fail >&2 \
        || die "conn 1: login was not refused"
    sleep 0.5
    log "conn 2: CHAP login with a wrong secret (0x0201)"
    "${CASE[@]}" "$SRV_IP:3260" "$TARGET2_IQN" "$INIT_IQN" 1 none 10 login-fail \
        pdboot wrong-secret-123 >&2 || die "conn 2: login was not refused"
    sleep 0.5
    log "conn 3: TEST UNIT READY + READ(10) to LUN 255"
    "${CASE[@]}" "$SRV_IP:3260" "$TARGET_IQN" "$INIT_IQN" 255 none 10 \
        login,tur,read10:0:1,logout >&2 || die "conn 3 failed"
    sleep 0.5
    log "conn 4: READ(10), tgtd stopped (SIGSTOP) for 12 s during the next READ(10)"
    go=$WORK/stall.go; rm -f "$go"; out=$WORK/stall.out; : > "$out"
    bg_ns cli timeout 60 "$PY" "$BOOTLAB" iscsi-case "$SRV_IP:3260" "$TARGET_IQN" "$INIT_IQN" 1 \
        none 30 "login,read10:0:1,wait:$go:20,read10:8:1,logout" > "$out" 2>&1
    c=$BG_PID
    wait_for_line "$out" '^waiting$' 20 || die "conn 4: no login/READ: $(cat "$out")"
    kill -STOP "$tgtd"
    touch "$go"
    sleep 12
    kill -CONT "$tgtd"
    wait "$c" || die "conn 4 failed: $(cat "$out")"
    forget_pid "$c"
    cat "$out" >&2
    sleep 0.5
    # mrdsl last: libiscsi resets the connection part-way through the long
    # Data-In, so how many of its segments get out varies from run to run
    for c in burst cmdsn statsn digest mrdsl; do
        log "conn: badtarget.py case $c"
        local dg=none rd=read10:0:1
        [[ $c == digest ]] && dg=crc32c
        [[ $c == mrdsl ]] && rd=read10:0:513
        "${CASE[@]}" "$BAD_IP:3260" "$BAD_IQN-$c" "$INIT_IQN" 0 "$dg" 10 \
            "login,tur,$rd,logout" >&2 || die "badtarget case $c: login failed"
        sleep 0.5
    done
    stop_capture
    stop_pid "$bad_pid" TERM
    stop_pid "$tgt_pid" INT
    unset TGT_IPC_SOCKET
    cat "$WORK/badtarget.log" >&2

    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.login.status == 0x0203') == 1 )) \
        || die "iscsi-errors: no 'not found' login response"
    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.login.status == 0x0201') == 1 )) \
        || die "iscsi-errors: no 'authentication failure' login response"
    (( $(count "$f" 'iscsi.opcode == 0x01 && scsi.lun == 0xff') >= 2 )) \
        || die "iscsi-errors: no SCSI commands to LUN 255"
    (( $(count "$f" "tcp.flags.syn == 1 && tcp.flags.ack == 0 && ip.dst == $BAD_IP") == 5 )) \
        || die "iscsi-errors: expected 5 connections to badtarget.py"
    (( $(grep -c '^badtarget: done with' "$WORK/badtarget.log") == 5 )) \
        || die "iscsi-errors: badtarget.py did not serve 5 connections"
    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.keyvalue == "HeaderDigest=CRC32C"') == 1 )) \
        || die "iscsi-errors: HeaderDigest=CRC32C not negotiated with badtarget.py"
    grep -q '^read10:8:1: status 0 after 1[1-9]\.' "$out" \
        || die "iscsi-errors: the stalled READ(10) was not answered after 11-20 s"
    finish_capture "$f" iscsi-errors.pcap
    lab_down
}

# ========================================================= ARP captures ===
HTTP_PID=""
start_http() {   # python http.server in pdboot-srv, bound to 10.79.0.1:80
    local www=$WORK/www
    mkdir -p "$www"
    printf '#!ipxe\nkernel http://%s/vmlinuz console=ttyS0\ninitrd http://%s/initrd.img\nboot\n' \
        "$SRV_IP" "$SRV_IP" > "$www/boot.ipxe"
    head -c 98304 /dev/zero | tr '\0' 'K' > "$www/vmlinuz"      # 96 KiB "kernel"
    echo ok > "$www/ready"
    bg_ns srv timeout 300 "$PY" -m http.server 80 --bind "$SRV_IP" --directory "$www" \
        > "$WORK/http.log" 2>&1
    HTTP_PID=$BG_PID
    wait_listen srv t 80
}

arp_times() {   # print "frame time description" for ARP and the first IP packets
    tshark -n -r "$1" -t r -T fields -e frame.number -e frame.time_relative \
        -e _ws.col.Info 2>/dev/null
}

firmware_phase() {   # iPXE-like fetch from 10.79.0.50 with the client's MAC, then hand over
    in_ns cli "$PY" "$BOOTLAB" http-get "$SRV_IP" 80 /boot.ipxe 200 >&2
    sleep 0.5
    # hand-over: the OS starts with no address and an empty neighbour table
    ip -n pdboot-cli addr flush dev pdb-cli
    ip -n pdboot-cli neigh flush dev pdb-cli
    # The server would otherwise re-validate its entry for 10.79.0.50 about
    # 5 s later with unicast ARP probes that nobody answers (the firmware is
    # gone), at timer-dependent moments in the middle of the DAD probes.
    # Keep the handover gap silent and the frame numbers stable.
    ip -n pdboot-srv neigh flush dev pdb-srv
    log "firmware phase done; silence for 4 s (handover)"
    sleep 4
}

make_arp_delay() {
    local f=$WORK/arp-probe-delay.pcap i rc p1 ip1
    log "=== arp-probe-delay.pcap: firmware fetch, RFC 5227 probe/announce, first IP ~6 s later"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    start_http
    start_capture "$f"
    firmware_phase
    # 3 probes 1.5 s apart (arping -D waits 1 s for an answer after each)
    for i in 1 2 3; do
        rc=0; in_ns cli timeout 5 arping -q -D -c 1 -I pdb-cli "$CLI_IP" || rc=$?
        (( rc == 0 )) || die "probe $i: address conflict?!"
        (( i < 3 )) && sleep 0.5
    done
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    # 2 announcements 1 s apart (arping -U -c 2 -i 1 returns ~1 s after the last)
    in_ns cli timeout 5 arping -q -U -c 2 -i 1 -I pdb-cli -s "$CLI_IP" "$CLI_IP" || true
    # first IP traffic: a TCP connection (HTTP GET) to the server
    in_ns cli "$PY" "$BOOTLAB" http-get "$SRV_IP" 80 /ready 200 >&2
    stop_capture
    stop_pid "$HTTP_PID" TERM
    (( $(count "$f" 'arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == 10.79.0.50') == 3 )) \
        || die "arp-probe-delay: expected 3 probes"
    (( $(count "$f" 'arp.isgratuitous && arp.opcode == 1') == 2 )) \
        || die "arp-probe-delay: expected 2 announcements"
    p1=$(fields "$f" 'arp.src.proto_ipv4 == 0.0.0.0' frame.time_relative | head -1)
    ip1=$(fields "$f" "ip && frame.time_relative > $p1" frame.time_relative | head -1)
    log "first probe at ${p1}s, first IP packet after it at ${ip1}s"
    awk -v a="$p1" -v b="$ip1" 'BEGIN { d = b - a; exit !(d > 5.5 && d < 7.5) }' \
        || die "arp-probe-delay: first probe -> first IP is not ~6 s"
    finish_capture "$f" arp-probe-delay.pcap
    lab_down
}

make_arp_conflict() {
    local f=$WORK/arp-conflict.pcap rc
    log "=== arp-conflict.pcap: pdboot-own owns 10.79.0.50 and defends it"
    lab_up srv cli own
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    ip -n pdboot-own addr add "$CLI_IP/24" dev pdb-own
    start_http
    start_capture "$f"
    firmware_phase
    # the probe is answered by the owner: arping -D stops and exits 1
    rc=0; in_ns cli timeout 5 arping -D -c 3 -I pdb-cli "$CLI_IP" > "$WORK/dad.out" 2>&1 || rc=$?
    (( rc == 1 )) && grep -q 'Received 1 response' "$WORK/dad.out" \
        || die "arp-conflict: DAD did not see the owner: $(cat "$WORK/dad.out")"
    log "DAD: $(grep -i 'reply' "$WORK/dad.out" | head -1)"
    sleep 1
    # the owner announces the address with its own MAC (request, then reply form)
    in_ns own timeout 5 arping -q -U -c 1 -I pdb-own -s "$CLI_IP" "$CLI_IP" || true
    in_ns own timeout 5 arping -q -A -c 1 -I pdb-own -s "$CLI_IP" "$CLI_IP" || true
    stop_capture
    stop_pid "$HTTP_PID" TERM
    (( $(count "$f" "arp.opcode == 2 && arp.src.hw_mac == $OWN_MAC && arp.dst.proto_ipv4 == 0.0.0.0") == 1 )) \
        || die "arp-conflict: no reply to the probe from the owner"
    (( $(count "$f" "arp.isgratuitous && arp.src.hw_mac == $OWN_MAC") == 2 )) \
        || die "arp-conflict: owner announcements missing"
    (( $(count "$f" "ip && frame.time_relative > $(fields "$f" 'arp.src.proto_ipv4 == 0.0.0.0' frame.time_relative | head -1)") == 0 )) \
        || die "arp-conflict: client used the address after the conflict"
    finish_capture "$f" arp-conflict.pcap
    lab_down
}

# ======================================================= syslog capture ===
make_syslog() {
    local f=$WORK/ipxe-syslog.pcap sl_pid n
    log "=== ipxe-syslog.pcap: iPXE-style syslog + HTTP (200, 200, 404)"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    start_http
    : > "$WORK/syslog.ready"
    bg_ns srv timeout 60 "$PY" "$BOOTLAB" syslog-listen "$SRV_IP" 514 "$WORK/syslog.rx" 40 50 \
        > "$WORK/syslog.ready" 2>&1
    sl_pid=$BG_PID
    wait_for_line "$WORK/syslog.ready" '^ready' 10 || die "syslog listener did not start"
    start_capture "$f"
    in_ns cli timeout 30 "$PY" "$BOOTLAB" ipxe-session "$SRV_IP" 514 80 pxeclient1 "$CLI_MAC" "$CLI_IP" \
        > "$WORK/ipxe-session.out"
    cat "$WORK/ipxe-session.out" >&2
    stop_capture
    sleep 0.5
    stop_pid "$sl_pid" TERM
    stop_pid "$HTTP_PID" TERM
    n=$(grep -c '^syslog: ' "$WORK/ipxe-session.out")
    (( $(wc -l < "$WORK/syslog.rx") == n )) || die "syslog listener got $(wc -l < "$WORK/syslog.rx") of $n lines"
    (( $(count "$f" syslog) == n )) || die "ipxe-syslog: tshark sees $(count "$f" syslog) syslog frames, sent $n"
    (( $(count "$f" 'icmp') == 0 )) || die "ipxe-syslog: ICMP (port unreachable?) in capture"
    (( $(count "$f" 'http.response.code == 404') == 1 )) || die "ipxe-syslog: no 404"
    finish_capture "$f" ipxe-syslog.pcap
    lab_down
}

# ====================================================== whole-boot capture ===
# One client (02:79:00:00:01:50) from its first DHCP DISCOVER to the OS's first
# IP packet: DHCP (dhclient with PXE/iPXE options) -> iPXE-style syslog ->
# firmware iSCSI session (bootlab.py ipxe-sanboot, left open like iPXE does)
# -> handover silence -> RFC 5227 probes/announcements (arping) -> the OS's
# own iSCSI login.  Every program runs in pdboot-cli on pdb-cli.
BOOT_GAP=4.5        # sleep at the handover; the silence comes out ~5 s
make_boot() {
    local f=$WORK/iscsi-boot.pcap disk=$WORK/bootdisk.img tgt_pid sl_pid fw_pid
    local rp=$BOOT_RP vci="PXEClient:Arch:00000:UNDI:002001"
    local i rc n d
    log "=== iscsi-boot.pcap: DHCP -> syslog -> firmware iSCSI -> handover -> DAD -> OS iSCSI"
    lab_up srv cli
    ip -n pdboot-srv addr add "$SRV_IP/24" dev pdb-srv
    # 2 MiB: small enough that bootlab.py reads its copy for the data checks
    # well inside the 40 ms delayed-ACK time (no stray ACK frames)
    "$PY" "$BOOTLAB" mkdisk "$disk" 2

    export TGT_IPC_SOCKET=$WORK/tgtd-boot.ipc
    bg_ns srv timeout -s INT 300 tgtd -f --iscsi "portal=$SRV_IP:3260" > "$WORK/tgtd-boot.log" 2>&1
    tgt_pid=$BG_PID
    wait_listen srv t 3260
    local A=(in_ns srv tgtadm --lld iscsi)
    "${A[@]}" --op new --mode target --tid 1 -T "$TARGET_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$disk"
    "${A[@]}" --op bind --mode target --tid 1 -I ALL
    [[ -z $(in_ns srv ss -Htln 'sport = :3260' | grep -v "$SRV_IP:3260") ]] \
        || die "tgtd listens on more than $SRV_IP:3260"
    log "tgtd (pid $tgt_pid) serving $TARGET_IQN LUN 1 = 2 MiB file"

    start_dnsmasq
    : > "$WORK/bootsyslog.ready"
    bg_ns srv timeout 90 "$PY" "$BOOTLAB" syslog-listen "$SRV_IP" 514 "$WORK/bootsyslog.rx" 80 20 \
        > "$WORK/bootsyslog.ready" 2>&1
    sl_pid=$BG_PID
    wait_for_line "$WORK/bootsyslog.ready" '^ready' 10 || die "syslog listener did not start"

    start_capture "$f"
    # 1. DHCP: PXE-style vendor class, iPXE user class, arch 0, UNDI 2.1
    dhclient_run "$CLI_MAC" "$vci" "$rp" "$(cat <<'EOC'
send user-class "iPXE";
option pdboot-client-arch code 93 = unsigned integer 16;
option pdboot-client-ndi code 94 = { unsigned integer 8, unsigned integer 8, unsigned integer 8 };
send pdboot-client-arch 0;
send pdboot-client-ndi 1 2 1;
also request log-servers;
EOC
)"
    d=$WORK/dhclient.$RUN
    grep -qx "new_ip_address=$CLI_IP" "$d/env.log" || die "boot: dhclient did not get $CLI_IP"
    grep -qx "new_log_servers=$SRV_IP" "$d/env.log" || die "boot: no log server $SRV_IP"
    # what iPXE does with the lease (dhclient's hook only recorded it)
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli

    # 2+3. iPXE-style syslog and the firmware's iSCSI session (kept open).
    # READ(10)s of MBR, loader and partition boot sector; each fits in one
    # TCP segment, so the frame numbers do not depend on ACK timing.
    : > "$WORK/sanboot.out"
    bg_ns cli timeout 90 "$PY" "$BOOTLAB" ipxe-sanboot "$SRV_IP" 514 "$rp" "$INIT_IQN" "$disk" \
        "$CLI_MAC" "$CLI_IP" 255.255.255.0 "$SRV_IP" "$SRV_IP" 0:1,1:1,2:2,2048:1 60 \
        > "$WORK/sanboot.out" 2>&1
    fw_pid=$BG_PID
    wait_for_line "$WORK/sanboot.out" '^handover$' 30 \
        || die "ipxe-sanboot did not reach the handover: $(cat "$WORK/sanboot.out")"
    cat "$WORK/sanboot.out" >&2
    sleep 0.5
    # 4. handover: the OS starts with no address and empty neighbour tables
    # (server side too, see firmware_phase); the firmware's TCP connection
    # stays open and silent in the held process.
    ip -n pdboot-cli addr flush dev pdb-cli
    ip -n pdboot-cli neigh flush dev pdb-cli
    ip -n pdboot-srv neigh flush dev pdb-srv
    log "firmware phase done; silence (handover)"
    sleep "$BOOT_GAP"
    for i in 1 2 3; do
        rc=0; in_ns cli timeout 5 arping -q -D -c 1 -I pdb-cli "$CLI_IP" || rc=$?
        (( rc == 0 )) || die "boot: probe $i: address conflict?!"
        (( i < 3 )) && sleep 0.5
    done
    ip -n pdboot-cli addr add "$CLI_IP/24" dev pdb-cli
    in_ns cli timeout 5 arping -q -U -c 2 -i 1 -I pdb-cli -s "$CLI_IP" "$CLI_IP" || true
    # the OS's first IP traffic: its own iSCSI login (new ISID) + READ(10) LBA 0
    in_ns cli timeout 30 "$PY" "$BOOTLAB" iscsi-read "$SRV_IP:3260" "$TARGET_IQN" \
        "$INIT_IQN" 1 none "$disk" read10:0:1 >&2
    stop_capture
    # only now may the firmware's connection close (its FIN is not captured)
    stop_pid "$fw_pid" TERM
    sleep 0.5
    stop_pid "$sl_pid" TERM
    stop_pid "$DNSMASQ_PID" TERM
    stop_pid "$tgt_pid" INT
    unset TGT_IPC_SOCKET

    # ---- checks
    check_dora "$f" 1
    (( $(count "$f" "dhcp.option.dhcp == 1 && eth.src == $CLI_MAC && dhcp.option.vendor_class_id == \"$vci\" && dhcp.option.user_class.text == \"iPXE\"") == 1 )) \
        || die "boot: DISCOVER without option 60/77"
    # siaddr = 10.79.0.1 is why the firmware logs "Next server: 10.79.0.1"
    (( $(count "$f" "dhcp.option.dhcp == 5 && dhcp.ip.your == $CLI_IP && dhcp.ip.server == $SRV_IP && dhcp.option.root_path == \"$rp\" && dhcp.option.log_server == $SRV_IP") == 1 )) \
        || die "boot: no ACK with $CLI_IP, siaddr, root path and log server"
    (( $(count "$f" "eth.src != $CLI_MAC && eth.src != $SRV_MAC") == 0 )) \
        || die "boot: frames from a third MAC"
    (( $(count "$f" "eth.src == $SRV_MAC && eth.dst != $CLI_MAC && !(eth.dst == ff:ff:ff:ff:ff:ff)") == 0 )) \
        || die "boot: server frames to a third MAC"
    n=$(grep -c '^syslog: ' "$WORK/sanboot.out")
    (( $(wc -l < "$WORK/bootsyslog.rx") == n )) || die "boot: syslog listener got $(wc -l < "$WORK/bootsyslog.rx") of $n lines"
    (( $(count "$f" "syslog && ip.src == $CLI_IP") == n )) || die "boot: tshark sees $(count "$f" syslog) syslog frames, sent $n"
    (( $(count "$f" icmp) == 0 )) || die "boot: ICMP in capture"
    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.login.status == 0') == 2 )) || die "boot: expected 2 good logins"
    (( $(count "$f" 'iscsi.opcode == 0x06') == 1 )) || die "boot: expected 1 Logout (the OS's only)"
    (( $(count "$f" 'tcp.flags.fin == 1') == 2 )) || die "boot: expected FINs only for the OS session"
    (( $(count "$f" 'arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == 10.79.0.50') == 3 )) \
        || die "boot: expected 3 probes"
    (( $(count "$f" 'arp.isgratuitous && arp.opcode == 1') == 2 )) || die "boot: expected 2 announcements"
    boot_frames "$f"
    finish_capture "$f" iscsi-boot.pcap
    lab_down
}

# boot_frames CAPTURE: the frame of each step, their order and the timing
boot_frames() {
    local f=$1 disc ack sl1 sln syn lrsp rd1 last p1 ip1 t_last t_p1 t_ip1 x prev=0
    disc=$(fields "$f" 'dhcp.option.dhcp == 1' frame.number | head -1)
    ack=$(fields "$f" 'dhcp.option.dhcp == 5 && dhcp.option.root_path' frame.number | head -1)
    sl1=$(fields "$f" syslog frame.number | head -1)
    sln=$(fields "$f" syslog frame.number | tr '\n' ' ')
    syn=$(fields "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 3260' frame.number | head -1)
    lrsp=$(fields "$f" 'iscsi.opcode == 0x23' frame.number | head -1)
    rd1=$(fields "$f" 'scsi_sbc.opcode == 0x28 && iscsi.opcode == 0x01' frame.number | head -1)
    p1=$(fields "$f" 'arp.src.proto_ipv4 == 0.0.0.0' frame.number | head -1)
    last=$(( p1 - 1 ))
    ip1=$(fields "$f" "ip && frame.number > $p1" frame.number | head -1)
    for x in "$disc" "$ack" "$sl1" "$syn" "$lrsp" "$rd1" "$last" "$p1" "$ip1"; do
        [[ -n "$x" ]] && (( x > prev )) || die "boot: steps out of order: $disc $ack $sl1 $syn $lrsp $rd1 $last $p1 $ip1"
        prev=$x
    done
    (( $(count "$f" "frame.number == $last && tcp.port == 3260") == 1 )) \
        || die "boot: frame $last (before the first probe) is not the firmware's iSCSI"
    (( $(count "$f" "frame.number == $ip1 && tcp.flags.syn == 1 && tcp.dstport == 3260") == 1 )) \
        || die "boot: first IP packet after the probes is not a SYN to 3260"
    t_last=$(fields "$f" "frame.number == $last" frame.time_relative)
    t_p1=$(fields "$f" "frame.number == $p1" frame.time_relative)
    t_ip1=$(fields "$f" "frame.number == $ip1" frame.time_relative)
    awk -v a="$t_last" -v b="$t_p1" 'BEGIN { d = b - a; exit !(d > 4.5 && d < 6) }' \
        || die "boot: handover silence $t_last -> $t_p1 is not ~5 s"
    awk -v a="$t_p1" -v b="$t_ip1" 'BEGIN { d = b - a; exit !(d > 5.5 && d < 7.5) }' \
        || die "boot: first probe -> first IP is not ~6 s"
    log "boot frames: DISCOVER $disc, ACK $ack, syslog $sln, SYN $syn, login rsp $lrsp, first READ $rd1"
    log "boot frames: last firmware $last (${t_last}s), first probe $p1 (${t_p1}s), first IP after it $ip1 (${t_ip1}s)"
}

for p in "${PARTS[@]}"; do
    case $p in
    dhcp) make_dhcp ;;
    iscsi) make_iscsi ;;
    iscsi-errors) make_iscsi_errors ;;
    arp-delay) make_arp_delay ;;
    arp-conflict) make_arp_conflict ;;
    syslog) make_syslog ;;
    boot) make_boot ;;
    *) die "unknown part $p" ;;
    esac
done

echo
echo "Captures written to $OUT_DIR:"
for p in "${PARTS[@]}"; do
    case $p in
    dhcp) set -- dhcp-rootpath.pcap dhcp-vendor43.pcap dhcp-rootpath-bad.pcap dhcp-no-offer.pcap ;;
    iscsi) set -- iscsi-login.pcap ;;
    iscsi-errors) set -- iscsi-errors.pcap ;;
    arp-delay) set -- arp-probe-delay.pcap ;;
    arp-conflict) set -- arp-conflict.pcap ;;
    syslog) set -- ipxe-syslog.pcap ;;
    boot) set -- iscsi-boot.pcap ;;
    esac
    for f in "$@"; do
        printf '  %-24s %5s frames %8s bytes\n' "$f" "$(count "$OUT_DIR/$f" frame)" "$(stat -c %s "$OUT_DIR/$f")"
    done
done
