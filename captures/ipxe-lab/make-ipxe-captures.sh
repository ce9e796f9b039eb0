#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# make-ipxe-captures.sh - captures of real iPXE firmware booting over iSCSI
# under QEMU, and of the boot-path faults around it (DHCPNAK, DHCPDECLINE,
# ARP on a "-i any" capture, syslog over TCP), all from real programs in
# throw-away network namespaces named pdx-*.
#
# Part "ipxe" (the real firmware):
#   pdx-sw   a Linux bridge pdxbr0 with the tap pdxtap0 of a QEMU guest
#            (SeaBIOS + Debian's iPXE option ROM on an e1000 NIC, KVM if
#            /dev/kvm works, TCG otherwise) and a veth to pdx-srv
#   pdx-srv  the boot server 10.80.0.1: dnsmasq (DHCP + TFTP: the boot
#            script boot.ipxe, option 17 root path) and tgtd (an iSCSI target
#            whose LUN 1 is a small file; its sector 0 is bootsector.S)
#   The guest's iPXE does DHCP, its IPv6 router solicitations go unanswered
#   (IPv6 is off in both namespaces, nothing sends router advertisements),
#   it hooks the root path (iSCSI login, READ CAPACITY, READ of LBA 0),
#   fetches boot.ipxe over TFTP, runs it, then boots the SAN drive: the boot
#   sector reads three more extents through INT 13h and returns to iPXE
#   (INT 18h); iPXE closes the iSCSI connection.  No OS ever runs.
#   Capture: tcpdump on pdxtap0 (the guest's own wire), until the boot
#   sector reports "done" on QEMU's debug console plus 4 s.
#   ipxe-boot.pcap    pxe-e1000.rom (Debian's legacy BIOS iPXE for e1000)
#   ipxe-boot-efirom.pcap  efi-e1000.rom (QEMU's default e1000 ROM: BIOS
#                     and UEFI images in one; under SeaBIOS its BIOS image)
#   ipxe-boot-retries.pcap  pxe-e1000.rom, and nft in pdx-srv drops the
#                     guest's first 4 SYNs to the target and its first 4 TFTP
#                     read requests (part "ipxe-retries")
#
# Boot-path faults (pdx-sw bridge, pdx-srv 10.80.1.1, pdx-cli, pdx-own):
#   dhcp-nak.pcap     dhclient's INIT-REBOOT REQUEST for an address of another
#                     network, refused by dnsmasq with DHCPNAK
#   dhcp-decline.pcap busybox udhcpc -a declines an address pdx-own uses
#   arp-any.pcap      "tcpdump -i any": an announcement alone, then RFC 5227
#                     probes + announcements + first IP packet (arping);
#                     arp-any-sll1.pcap the same with -y LINUX_SLL
#   syslog-tcp.pcap   util-linux logger --tcp, with and without --octet-count
#
# Traffic only flows inside the pdx-* namespaces this script creates
# (10.80.0.0/24, 10.80.1.0/24); nothing is sent on the host's interfaces.
# Every process is started under "timeout", remembered by PID and stopped
# by PID; namespaces are deleted on every exit path.
#
# Needs root, iproute2, ethtool, tcpdump, tshark, qemu-system-x86, ipxe-qemu,
# seabios, binutils (as, ld), dnsmasq(-base), tgt, isc-dhcp-client, busybox,
# arping (or iputils-arping), bsdutils (logger), nftables and /usr/bin/python3; the
# script installs what is missing with apt-get.
#
# Environment (for experiments): PDX_ACCEL=kvm|tcg skips the KVM probe;
# PDX_DNSMASQ_EXTRA adds lines to the iPXE boot server's dnsmasq.conf;
# PDX_BOOT_TIMEOUT (s, default 180); PDX_KEEP_WORK=1 keeps the work dir
# (logs, the guest's screen as PNG).
#
# Usage: captures/ipxe-lab/make-ipxe-captures.sh [OUTDIR] [PART...]
#   OUTDIR defaults to captures/; PART is any of: ipxe ipxe-efirom ipxe-retries dhcp-nak
#   dhcp-decline arp-any syslog-tcp (default: all).  About 45 s per iPXE
#   boot under TCG (plus a 20 s KVM probe), 3 min in all.  Then refresh the
#   tshark facts (ipxe-lab/tshark-facts.sh) and tests/expected/.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_DIR=${1:-$(dirname "$LAB_DIR")}
shift || true
PARTS=("$@")
(( ${#PARTS[@]} )) || PARTS=(ipxe ipxe-efirom ipxe-retries dhcp-nak dhcp-decline arp-any syslog-tcp)
PY=/usr/bin/python3

SRV_IP=10.80.0.1;  SRV_MAC=02:80:00:00:00:01
CLI_IP=10.80.0.50; CLI_MAC=52:54:00:80:00:50
TARGET_IQN=iqn.2026-11.lab.pktdoctor:ipxe-disk
ROOT_PATH="iscsi:$SRV_IP::3260:1:$TARGET_IQN"
ROM_DIR=/usr/lib/ipxe/qemu
BOOT_TIMEOUT=${PDX_BOOT_TIMEOUT:-180}       # s: from QEMU start to "done" on the debug console

WORK=""
PIDS=()

log() { printf '[pdx] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

in_ns() { local n=$1; shift; ip netns exec "pdx-$n" "$@"; }
# bg_ns NODE CMD...: CMD (always "timeout ...") in the background inside
# pdx-NODE; BG_PID is the timeout process, a signal to it reaches CMD.
BG_PID=""
bg_ns() { local n=$1; shift; ip netns exec "pdx-$n" "$@" & BG_PID=$!; PIDS+=("$BG_PID"); }

forget_pid() {
    local p keep=()
    for p in "${PIDS[@]}"; do [[ "$p" == "$1" ]] || keep+=("$p"); done
    PIDS=("${keep[@]+"${keep[@]}"}")
}

stop_pid() {    # stop_pid PID [SIG]: signal one of our background jobs, reap it
    local pid=$1 sig=${2:-TERM} i
    if kill -0 "$pid" 2>/dev/null; then
        kill "-$sig" "$pid" 2>/dev/null || true
        for (( i = 0; i < 30; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    forget_pid "$pid"
}

NSES=(sw srv cli own log)
lab_down() {
    local n p left
    for n in "${NSES[@]}"; do
        ip netns list | grep -qw "^pdx-$n" || continue
        # anything still inside one of our namespaces was started here
        left=$(ip netns pids "pdx-$n" 2>/dev/null || true)
        if [[ -n "$left" ]]; then
            log "ending leftover processes in pdx-$n: $(echo $left)"
            for p in $left; do kill -TERM "$p" 2>/dev/null || true; done
            sleep 1
            for p in $(ip netns pids "pdx-$n" 2>/dev/null || true); do kill -KILL "$p" 2>/dev/null || true; done
        fi
        ip netns del "pdx-$n" 2>/dev/null || true
    done
}

cleanup() {
    local rc=$? pid
    for pid in "${PIDS[@]}"; do stop_pid "$pid" TERM; done
    lab_down
    if [[ -n "$WORK" && -d "$WORK" ]]; then
        if [[ -n "${PDX_KEEP_WORK:-}" ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    fi
    (( rc == 0 )) || log "failed (exit $rc); namespaces removed"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[[ $(id -u) -eq 0 ]] || die "must run as root (network namespaces)"
# tool -> Debian package; what is missing is installed (a clean machine)
declare -A PKG=([ip]=iproute2 [ethtool]=ethtool [tcpdump]=tcpdump [tshark]=tshark
    [capinfos]=tshark [qemu-system-x86_64]=qemu-system-x86 [as]=binutils [ld]=binutils
    [dnsmasq]=dnsmasq-base [tgtd]=tgt [tgtadm]=tgt [dhclient]=isc-dhcp-client
    [busybox]=busybox [arping]=arping [logger]=bsdutils [nft]=nftables)
missing=()
for t in "${!PKG[@]}"; do command -v "$t" >/dev/null || missing+=("${PKG[$t]}"); done
[[ -f $ROM_DIR/pxe-e1000.rom && -f $ROM_DIR/efi-e1000.rom ]] || missing+=(ipxe-qemu)
[[ -f /usr/share/seabios/bios-256k.bin ]] || missing+=(seabios)
if (( ${#missing[@]} )); then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(printf '%s\n' "${missing[@]}" | sort -u) >/dev/null \
        || die "could not install ${missing[*]}"
fi
for t in "${!PKG[@]}"; do command -v "$t" >/dev/null || die "missing tool: $t (${PKG[$t]})"; done
mkdir -p "$OUT_DIR"
WORK=$(mktemp -d /tmp/pdx-lab.XXXXXX)
chmod 755 "$WORK"

count() { tshark -n -r "$1" -Y "$2" 2>/dev/null | wc -l; }
fields() { local f=$1 y=$2; shift 2; tshark -n -r "$f" -Y "$y" -T fields $(printf -- '-e %s ' "$@") 2>/dev/null; }

wait_for_line() {   # wait_for_line FILE REGEX SECONDS
    local i
    for (( i = 0; i < $3 * 10; i++ )); do
        grep -qE "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

CAP_PID=""
start_capture() {   # start_capture NODE IFACE FILE
    : > "$WORK/tcpdump.err"
    bg_ns "$1" timeout -s INT 300 tcpdump -i "$2" -U -n --immediate-mode -B 16384 -s 0 -w "$3" \
        2> "$WORK/tcpdump.err"
    CAP_PID=$BG_PID
    wait_for_line "$WORK/tcpdump.err" 'listening on' 10 || die "tcpdump did not start"
}
stop_capture() {
    stop_pid "$CAP_PID" INT
    grep -q '^0 packets dropped by kernel' "$WORK/tcpdump.err" \
        || die "tcpdump dropped packets: $(cat "$WORK/tcpdump.err")"
}

# ================================================================ ipxe ===
# netns_new NAME...: namespaces with IPv6 off (no router advertisements,
# no MLD or DAD of their own) and lo up
netns_new() {
    local n
    for n in "$@"; do
        ip netns add "pdx-$n"
        in_ns "$n" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
        ip -n "pdx-$n" link set lo up
    done
}

# mkdisk FILE: a 16 MiB LUN (sparse); sector 0 = the assembled bootsector.S,
# blocks 1-2111 start with "PDX LBA nnnnnnnn " (what the boot sector checks).
# Not smaller: iPXE guesses a 255-head, 63-sector geometry for a disk without
# partitions, and below 16065 sectors (7.8 MiB) that is 0 cylinders, so its
# INT 13h CHS read of the boot sector fails with "Input/output error"
# (ipxe.org/1d852039) before anything goes on the wire.
mkdisk() {
    local img=$1
    as --32 -o "$WORK/bs.o" "$LAB_DIR/bootsector.S"
    ld -m elf_i386 -Ttext 0x7c00 --oformat binary -o "$WORK/bs.bin" "$WORK/bs.o"
    [[ $(stat -c %s "$WORK/bs.bin") == 512 ]] || die "boot sector is not 512 bytes"
    [[ $(od -An -tx1 -j510 -N2 "$WORK/bs.bin" | tr -d ' ') == 55aa ]] || die "no 55 aa signature"
    "$PY" - "$img" "$WORK/bs.bin" <<'EOP'
import sys
img, bs = sys.argv[1], open(sys.argv[2], "rb").read()
with open(img, "wb") as f:
    f.write(bs)
    for lba in range(1, 2048 + 64):
        f.write((("PDX LBA %08d " % lba) * 32).encode()[:512])
    f.truncate(16 << 20)
EOP
}

# pick_accel ROM: KVM if the guest's iPXE gets as far as sending a frame
# within 20 s under it, else TCG.  (On some nested-virtualisation hosts
# Debian's iPXE hangs at "starting execution" under KVM; QEMU's -cpu host
# fails there to set MSR 0x10a.)  Sets ACCEL.
ACCEL=${PDX_ACCEL:-}
pick_accel() {
    local rom=$1 q
    [[ -n "$ACCEL" ]] && return 0
    ACCEL=tcg
    [[ -r /dev/kvm && -w /dev/kvm ]] || { log "no usable /dev/kvm: TCG"; return 0; }
    lab_down
    netns_new sw
    ip -n pdx-sw tuntap add dev pdxtap0 mode tap
    ip -n pdx-sw link set pdxtap0 up
    bg_ns sw timeout -s TERM 25 qemu-system-x86_64 -machine pc,accel=kvm -m 128 -nodefaults \
        -vga std -display none -netdev tap,id=n0,ifname=pdxtap0,script=no,downscript=no \
        -device "e1000,netdev=n0,mac=$CLI_MAC,romfile=$ROM_DIR/$rom" -boot order=n \
        > "$WORK/qemu-kvm-probe.out" 2>&1
    q=$BG_PID
    if in_ns sw timeout 20 tcpdump -i pdxtap0 -n -c 1 -q "ether src $CLI_MAC" \
            > "$WORK/kvm-probe.out" 2>&1; then      # 124: timed out
        ACCEL=kvm
    fi
    stop_pid "$q" TERM
    lab_down
    log "accelerator: $ACCEL (KVM probe: guest $([[ $ACCEL == kvm ]] && echo sent a frame || echo silent for 20 s))"
}

# screendump PNG: the guest's screen (QEMU monitor) as a PNG, for the log
screendump() {
    "$PY" - "$WORK/qemu-mon.sock" "$WORK/screen.ppm" "$1" <<'EOP' || true
import socket, struct, sys, time, zlib
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1]); s.settimeout(2); time.sleep(0.2); s.recv(4096)
s.sendall(b"screendump %s\n" % sys.argv[2].encode()); time.sleep(1.5)
d = open(sys.argv[2], "rb").read()
magic, w, h, mx, px = d.split(maxsplit=4)
w, h = int(w), int(h)
raw = b"".join(b"\0" + px[y * w * 3:(y + 1) * w * 3] for y in range(h))
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
open(sys.argv[3], "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                              + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
EOP
}

# drop_first NAME N BPF NFTRULE: in pdx-srv, drop what NFTRULE matches
# (nft table inet NAME) until N frames matching BPF have crossed the guest's
# tap, then delete the table.  A tcpdump in pdx-sw counts them.
drop_first() {
    local name=$1 n=$2 bpf=$3 rule=$4
    in_ns srv nft -f - <<EON
table inet $name {
    chain in {
        type filter hook input priority 0; policy accept;
        $rule counter drop
    }
}
EON
    bg_ns sw timeout 150 bash -c '
        n=0
        while read -r l; do
            n=$((n + 1))
            if (( n >= $2 )); then
                ip netns exec pdx-srv nft delete table inet "$1" && echo "removed after $n"
                break
            fi
        done < <(tcpdump -l -n -i pdxtap0 "$3" 2>/dev/null)' _ "$name" "$n" "$bpf" \
        > "$WORK/drop-$name.log" 2>&1
}

# boot_ipxe ROM FILE [retries]: one real iPXE boot, captured on the guest's
# tap; with "retries", the server drops the guest's first 4 TCP SYNs to the
# target and its first 4 TFTP read requests, so iPXE has to re-send them
# (its timers start at about 0.25 s and double: 2 drops cost under 1 s).
boot_ipxe() {
    local rom=$1 f=$2 faults=${3:-} qemu_pid tgt_pid dns_pid accel t0 i
    log "=== $(basename "$f"): iPXE ($rom) -> DHCP -> iSCSI sanboot of $ROOT_PATH"
    pick_accel "$rom"
    lab_down
    netns_new sw srv
    ip -n pdx-sw link add pdxbr0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n pdx-sw tuntap add dev pdxtap0 mode tap
    ip -n pdx-sw link set pdxtap0 master pdxbr0
    ip -n pdx-sw link add pdxs-srv type veth peer name pdxsrv netns pdx-srv address "$SRV_MAC"
    ip -n pdx-sw link set pdxs-srv master pdxbr0
    in_ns srv ethtool -K pdxsrv tx off >/dev/null
    for l in pdxbr0 pdxtap0 pdxs-srv; do ip -n pdx-sw link set "$l" up; done
    ip -n pdx-srv link set pdxsrv up
    ip -n pdx-srv addr add "$SRV_IP/24" dev pdxsrv

    # --- the iSCSI target
    mkdisk "$WORK/disk.img"
    export TGT_IPC_SOCKET=$WORK/tgtd.ipc
    bg_ns srv timeout -s INT 300 tgtd -f --iscsi "portal=$SRV_IP:3260" > "$WORK/tgtd.log" 2>&1
    tgt_pid=$BG_PID
    for (( i = 0; i < 50; i++ )); do
        in_ns srv ss -Htln 'sport = :3260' | grep -q . && break
        sleep 0.1
    done
    local A=(in_ns srv tgtadm --lld iscsi)
    "${A[@]}" --op new --mode target --tid 1 -T "$TARGET_IQN"
    "${A[@]}" --op new --mode logicalunit --tid 1 --lun 1 -b "$WORK/disk.img"
    "${A[@]}" --op bind --mode target --tid 1 -I ALL

    # --- DHCP + TFTP
    mkdir -p "$WORK/tftp"
    cat > "$WORK/tftp/boot.ipxe" <<'EOS'
#!ipxe
# pktdoctor iPXE lab.  iPXE has already hooked the root path (DHCP option
# 17) as drive 0x80; when this script ends, iPXE boots from it (a script
# that ran "sanboot" itself would be followed by a second SAN boot).
echo pdx lab: ${net0/ip} boots ${root-path}
EOS
    cat > "$WORK/dnsmasq.conf" <<EOC
port=0
interface=pdxsrv
bind-interfaces
dhcp-range=$CLI_IP,$CLI_IP,255.255.255.0,1h
dhcp-host=$CLI_MAC,$CLI_IP
dhcp-authoritative
dhcp-leasefile=$WORK/dnsmasq.leases
dhcp-match=set:ipxe,175
dhcp-boot=tag:ipxe,boot.ipxe,,$SRV_IP
dhcp-option=17,$ROOT_PATH
enable-tftp
tftp-root=$WORK/tftp
log-dhcp
${PDX_DNSMASQ_EXTRA:-}
EOC
    bg_ns srv timeout 300 dnsmasq -k -C "$WORK/dnsmasq.conf" --log-facility="$WORK/dnsmasq.log" \
        --pid-file="$WORK/dnsmasq.pid"
    dns_pid=$BG_PID
    sleep 1

    # --- capture on the guest's wire, then power the guest on
    start_capture sw pdxtap0 "$f"
    if [[ $faults == retries ]]; then
        drop_first pdxsyn 4 "tcp dst port 3260 and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn" \
            "tcp dport 3260 tcp flags & (syn | ack) == syn"
        drop_first pdxtftp 4 "udp dst port 69" "udp dport 69"
    fi
    : > "$WORK/debugcon.log"
    t0=$(date +%s.%N)
    bg_ns sw timeout -s TERM $(( BOOT_TIMEOUT + 30 )) qemu-system-x86_64 \
        -machine "pc,accel=$ACCEL" -m 128 -nodefaults -vga std -display none \
        -netdev tap,id=n0,ifname=pdxtap0,script=no,downscript=no \
        -device "e1000,netdev=n0,mac=$CLI_MAC,romfile=$ROM_DIR/$rom" \
        -boot order=n \
        -chardev "file,id=dbg,path=$WORK/debugcon.log" -device isa-debugcon,iobase=0xe9,chardev=dbg \
        -chardev "file,id=bios,path=$WORK/seabios.log" -device isa-debugcon,iobase=0x402,chardev=bios \
        -monitor "unix:$WORK/qemu-mon.sock,server,nowait" -no-reboot \
        > "$WORK/qemu.out" 2>&1
    qemu_pid=$BG_PID
    if wait_for_line "$WORK/debugcon.log" 'PDX-BOOTSECTOR: (done|FAILED)' "$BOOT_TIMEOUT"; then
        log "guest: $(tr -d '\r' < "$WORK/debugcon.log" | tr '\n' '|') after $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.1f", b - a}') s"
    else
        screendump "$WORK/screen-fail.png"
        log "guest never reported (debug console: $(cat "$WORK/debugcon.log")); screen: $WORK/screen-fail.png"
        log "QEMU: $(cat "$WORK/qemu.out")"
        log "dnsmasq: $(tail -20 "$WORK/dnsmasq.log" 2>/dev/null)"
        die "iPXE boot did not reach the boot sector"
    fi
    grep -q 'PDX-BOOTSECTOR: done' "$WORK/debugcon.log" || die "the boot sector's reads failed"
    log "QEMU accelerator: $ACCEL"
    screendump "$WORK/screen-$(basename "$f" .pcap).png"
    sleep 4                     # iPXE closes the SAN connection, the script ends
    stop_capture
    if [[ $faults == retries ]]; then
        grep -q 'removed after 4' "$WORK/drop-pdxsyn.log" || die "SYN drop rule not removed: $(cat "$WORK/drop-pdxsyn.log")"
        grep -q 'removed after 4' "$WORK/drop-pdxtftp.log" || die "TFTP drop rule not removed: $(cat "$WORK/drop-pdxtftp.log")"
        (( $(count "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 3260') == 5 )) \
            || die "retries: expected 5 SYNs (4 dropped)"
        (( $(count "$f" 'tftp.opcode == 1') == 5 )) || die "retries: expected 5 TFTP read requests (4 dropped)"
    fi
    stop_pid "$qemu_pid" TERM
    stop_pid "$dns_pid" TERM
    stop_pid "$tgt_pid" INT
    unset TGT_IPC_SOCKET
    cp "$WORK/dnsmasq.log" "$WORK/$(basename "$f").dnsmasq.log"
    lab_down

    # ---- what the capture must show (checked with tshark)
    (( $(count "$f" "dhcp.option.dhcp == 5 && dhcp.ip.your == $CLI_IP && dhcp.option.root_path == \"$ROOT_PATH\"") >= 1 )) \
        || die "no DHCP ACK with the root path"
    (( $(count "$f" 'iscsi.opcode == 0x23 && iscsi.login.status == 0') >= 1 )) || die "no successful iSCSI login"
    (( $(count "$f" 'tftp.opcode == 1') >= 1 )) || die "no TFTP read request"
    (( $(count "$f" 'arp.src.proto_ipv4 == 0.0.0.0') == 0 )) || log "note: RFC 5227 probes in the capture"
    log "gratuitous ARPs: $(count "$f" 'arp.isgratuitous'), router solicitations: $(count "$f" 'icmpv6.type == 133'), iSCSI READs: $(count "$f" 'scsi_sbc.opcode == 0x28 && iscsi.opcode == 0x01')"
    capinfos -c -u "$f" | tail -2 >&2
}

# =========================================== boot-path fault captures ===
# lab_l2 NODE...: pdx-sw with bridge pdxbr0, one namespace pdx-NODE per node
# joined to it by a veth (pdxs-NODE in the switch, pdxNODE in the node)
F_SRV=10.80.1.1; F_CLI_MAC=02:80:00:01:00:50; F_OWN_MAC=02:80:00:01:00:07
lab_l2() {
    local n mac
    lab_down
    netns_new sw "$@"
    ip -n pdx-sw link add pdxbr0 type bridge stp_state 0 forward_delay 0 mcast_snooping 0
    ip -n pdx-sw link set pdxbr0 up
    for n in "$@"; do
        case $n in srv) mac=$SRV_MAC ;; cli) mac=$F_CLI_MAC ;; own) mac=$F_OWN_MAC ;; esac
        ip -n pdx-sw link add "pdxs-$n" type veth peer name "pdx$n" netns "pdx-$n" address "$mac"
        ip -n pdx-sw link set "pdxs-$n" master pdxbr0
        in_ns sw ethtool -K "pdxs-$n" tx off >/dev/null
        in_ns "$n" ethtool -K "pdx$n" tx off >/dev/null
        ip -n pdx-sw link set "pdxs-$n" up
        ip -n "pdx-$n" link set "pdx$n" up
    done
    ip -n pdx-srv addr add "$F_SRV/24" dev pdxsrv 2>/dev/null || true
    sleep 1
}

# fault_dnsmasq EXTRA...: dnsmasq on pdxsrv for 10.80.1.0/24 (root path set)
DNS_PID=""
fault_dnsmasq() {
    local l
    {
        echo "port=0"; echo "interface=pdxsrv"; echo "bind-interfaces"
        echo "dhcp-authoritative"; echo "log-dhcp"
        echo "dhcp-leasefile=$WORK/fault.leases"
        echo "dhcp-range=10.80.1.160,10.80.1.169,255.255.255.0,1h"
        echo "dhcp-option=17,iscsi:$F_SRV::3260:1:$TARGET_IQN"
        for l in "$@"; do echo "$l"; done
    } > "$WORK/fault-dnsmasq.conf"
    : > "$WORK/fault-dnsmasq.log"
    bg_ns srv timeout 120 dnsmasq -k -C "$WORK/fault-dnsmasq.conf" \
        --log-facility="$WORK/fault-dnsmasq.log" --pid-file="$WORK/fault-dnsmasq.pid"
    DNS_PID=$BG_PID
    wait_for_line "$WORK/fault-dnsmasq.log" 'DHCP, sockets bound' 10 || die "dnsmasq did not start"
}

# dhcp-nak.pcap: ISC dhclient comes back with the lease of another network
# (10.80.9.50, still valid in its lease file), asks for it (INIT-REBOOT:
# REQUEST with option 50 and no server identifier), dnsmasq (authoritative
# for 10.80.1.0/24) answers DHCPNAK, the client starts over with DISCOVER.
make_dhcp_nak() {
    local f=$OUT_DIR/dhcp-nak.pcap d=$WORK/nak pid
    log "=== dhcp-nak.pcap: INIT-REBOOT REQUEST for 10.80.9.50 -> DHCPNAK -> DISCOVER ... ACK"
    lab_l2 srv cli
    mkdir -p "$d"
    fault_dnsmasq
    cat > "$d/leases" <<EOL
lease {
  interface "pdxcli";
  fixed-address 10.80.9.50;
  option subnet-mask 255.255.255.0;
  option dhcp-server-identifier 10.80.9.1;
  renew 4 2037/01/01 00:00:00;
  rebind 4 2037/01/01 00:00:00;
  expire 4 2037/01/01 00:00:00;
}
EOL
    cat > "$d/dhclient.conf" <<'EOC'
send vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001";
request subnet-mask, routers, root-path;
timeout 20;
initial-interval 2;
EOC
    printf '#!/bin/sh\necho "$reason new_ip_address=$new_ip_address" >> %s/events\nexit 0\n' "$d" > "$d/hook"
    chmod 755 "$d/hook"
    : > "$d/events"
    start_capture cli pdxcli "$f"
    bg_ns cli timeout 40 dhclient -4 -d -1 -v -cf "$d/dhclient.conf" -lf "$d/leases" \
        -pf "$d/dhclient.pid" -sf "$d/hook" pdxcli > "$d/out" 2>&1
    pid=$BG_PID
    wait_for_line "$d/events" '^BOUND' 35 || die "dhclient got no lease: $(cat "$d/out")"
    sleep 1
    stop_pid "$pid" TERM
    stop_capture
    stop_pid "$DNS_PID" TERM
    grep -E 'DHCPNAK|DHCPREQUEST' "$WORK/fault-dnsmasq.log" | head -3 >&2
    lab_down
    (( $(count "$f" 'dhcp.option.dhcp == 6') == 1 )) || die "dhcp-nak: expected one DHCPNAK"
    (( $(count "$f" 'dhcp.option.dhcp == 3 && dhcp.option.requested_ip_address == 10.80.9.50 && !dhcp.option.dhcp_server_id') >= 1 )) \
        || die "dhcp-nak: no INIT-REBOOT REQUEST for 10.80.9.50"
    (( $(count "$f" 'dhcp.option.dhcp == 5') == 1 )) || die "dhcp-nak: expected one ACK after the NAK"
    log "NAK message: $(fields "$f" 'dhcp.option.dhcp == 6' dhcp.option.message)"
}

# dhcp-decline.pcap: pdx-own already uses 10.80.1.150, which dnsmasq (no-ping,
# so it does not notice) has reserved for the client; busybox udhcpc -a checks
# the address with ARP after the ACK, gets pdx-own's reply, sends DHCPDECLINE,
# waits 10 s (RFC 2131 3.1) and starts over; dnsmasq then gives a pool address.
make_dhcp_decline() {
    local f=$OUT_DIR/dhcp-decline.pcap d=$WORK/decline pid
    log "=== dhcp-decline.pcap: ACK 10.80.1.150 -> ARP check answered by its owner -> DHCPDECLINE"
    lab_l2 srv cli own
    mkdir -p "$d"
    ip -n pdx-own addr add 10.80.1.150/24 dev pdxown
    fault_dnsmasq "no-ping" "dhcp-host=$F_CLI_MAC,10.80.1.150"
    printf '#!/bin/sh\necho "$1 ip=$ip" >> %s/events\nexit 0\n' "$d" > "$d/hook"
    chmod 755 "$d/hook"
    : > "$d/events"
    start_capture cli pdxcli "$f"
    bg_ns cli timeout 40 busybox udhcpc -f -q -a -i pdxcli -t 3 -T 2 -A 5 \
        -V "PXEClient:Arch:00000:UNDI:002001" -O rootpath -s "$d/hook" > "$d/out" 2>&1
    pid=$BG_PID
    wait_for_line "$d/events" '^bound' 35 || die "udhcpc got no lease: $(cat "$d/out")"
    sleep 1
    stop_pid "$pid" TERM
    stop_capture
    stop_pid "$DNS_PID" TERM
    grep -E 'DHCPDECLINE|disabling' "$WORK/fault-dnsmasq.log" | head -3 >&2
    lab_down
    (( $(count "$f" 'dhcp.option.dhcp == 4 && dhcp.option.requested_ip_address == 10.80.1.150') == 1 )) \
        || die "dhcp-decline: expected one DHCPDECLINE of 10.80.1.150"
    (( $(count "$f" "arp.opcode == 2 && arp.src.proto_ipv4 == 10.80.1.150 && arp.src.hw_mac == $F_OWN_MAC") >= 1 )) \
        || die "dhcp-decline: the owner did not answer the ARP check"
    (( $(count "$f" 'dhcp.option.dhcp == 5 && dhcp.ip.your != 10.80.1.150') == 1 )) \
        || die "dhcp-decline: no second lease"
    log "udhcpc: $(tr '\n' '|' < "$d/out")"
}

# arping comes in two flavours with different options: Thomas Habets'
# (Debian package arping) and iputils-arping.  ARP_PROBE NS IFACE IP sends
# one RFC 5227 probe (sender IP 0.0.0.0) and waits 1 s for an answer:
# exit 0 = nobody answered.  ARP_ANNOUNCE NS IFACE IP N sends N gratuitous
# requests (sender IP = target IP) 1 s apart.
HABETS_ARPING=0
arping --help 2>&1 | grep -q Habets && HABETS_ARPING=1
arp_probe() {
    local rc=0
    if (( HABETS_ARPING )); then
        in_ns "$1" timeout 5 arping -q -0 -c 1 -w 1 -i "$2" "$3" || rc=$?
        (( rc == 1 ))           # Habets: 1 = no reply
    else
        in_ns "$1" timeout 5 arping -q -D -c 1 -I "$2" "$3"
    fi
}
arp_announce() {
    if (( HABETS_ARPING )); then
        in_ns "$1" timeout 8 arping -q -U -S "$3" -c "$4" -W 1 -w "$(( $4 + 1 ))" -i "$2" "$3" || true
    else
        in_ns "$1" timeout 8 arping -q -U -c "$4" -i 1 -I "$2" -s "$3" "$3" || true
    fi
}

# arp-any.pcap: "tcpdump -i any" in pdx-cli (Linux cooked headers).
# pdx-own announces 10.80.1.7 once (no probes) and pings the server 2 s
# later: no probe delay.  pdx-cli then does RFC 5227 with iputils arping:
# 3 probes, 2 announcements (arping, either flavour), then its first IP
# packet (busybox ping).
make_arp_any() {
    local f=$OUT_DIR/arp-any.pcap i sll1_pid
    log "=== arp-any.pcap + arp-any-sll1.pcap: -i any capture; announcement only (pdx-own), probes + announcements (pdx-cli)"
    lab_l2 srv cli own
    ip -n pdx-own addr add 10.80.1.7/24 dev pdxown
    # a second tcpdump at the same time writes the older cooked header
    # (LINUX_SLL, 16 bytes; the default "any" header is LINUX_SLL2)
    : > "$WORK/tcpdump-sll1.err"
    bg_ns cli timeout -s INT 300 tcpdump -i any -y LINUX_SLL -U -n --immediate-mode -B 16384 -s 0 \
        -w "$OUT_DIR/arp-any-sll1.pcap" 2> "$WORK/tcpdump-sll1.err"
    sll1_pid=$BG_PID
    wait_for_line "$WORK/tcpdump-sll1.err" 'listening on' 10 || die "tcpdump (LINUX_SLL) did not start"
    start_capture cli any "$f"
    arp_announce own pdxown 10.80.1.7 1
    sleep 2
    in_ns own timeout 5 busybox ping -q -c 1 -W 2 -I pdxown "$F_SRV" >/dev/null
    sleep 1
    for i in 1 2 3; do
        arp_probe cli pdxcli 10.80.1.50 || die "arp-any: probe $i: address conflict?!"
        (( i < 3 )) && sleep 0.5
    done
    ip -n pdx-cli addr add 10.80.1.50/24 dev pdxcli
    arp_announce cli pdxcli 10.80.1.50 2
    in_ns cli timeout 5 busybox ping -q -c 1 -W 2 -I pdxcli "$F_SRV" >/dev/null
    sleep 0.5
    stop_capture
    stop_pid "$sll1_pid" INT
    grep -q '^0 packets dropped by kernel' "$WORK/tcpdump-sll1.err" || die "tcpdump (LINUX_SLL) dropped packets"
    lab_down
    [[ $(capinfos -E "$f" | awk -F': +' '/encapsulation/ {print $2}') == *"Linux cooked"* ]] \
        || die "arp-any: not a Linux cooked capture"
    [[ $(capinfos -E "$OUT_DIR/arp-any-sll1.pcap" | awk -F': +' '/encapsulation/ {print $2}') == "Linux cooked-mode capture v1" ]] \
        || die "arp-any-sll1: not LINUX_SLL"
    (( $(count "$OUT_DIR/arp-any-sll1.pcap" frame) == $(count "$f" frame) )) \
        || die "arp-any: the two captures differ in length"
    (( $(count "$f" 'arp.src.proto_ipv4 == 0.0.0.0 && arp.dst.proto_ipv4 == 10.80.1.50') == 3 )) \
        || die "arp-any: expected 3 probes"
    (( $(count "$f" "arp.isgratuitous && arp.src.hw_mac == $F_OWN_MAC") == 1 )) \
        || die "arp-any: expected one announcement from pdx-own"
    log "encapsulation: $(capinfos -E "$f" | awk -F': +' '/encapsulation/ {print $2}')"
}

# syslog-tcp.pcap: util-linux logger over TCP to a listener in pdx-srv, with
# RFC 6587 octet counting (--octet-count) and without (newline framing);
# one connection per message.  Severity 3 messages that are not boot
# failures (a switch's link-up, an sshd error) and ones that are.
make_syslog_tcp() {
    local f=$OUT_DIR/syslog-tcp.pcap l_pid n
    log "=== syslog-tcp.pcap: logger --tcp (octet counting and newline framing)"
    lab_l2 srv cli
    ip -n pdx-cli addr add 10.80.1.50/24 dev pdxcli
    : > "$WORK/syslog-tcp.rx"
    bg_ns srv timeout 60 "$PY" -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 514)); s.listen(8); s.settimeout(30)
print("ready", flush=True)
out = open(sys.argv[2], "ab")
for _ in range(int(sys.argv[3])):
    c, _a = s.accept(); c.settimeout(10)
    data = b""
    while True:
        b = c.recv(4096)
        if not b:
            break
        data += b
    out.write(repr(data).encode() + b"\n"); out.flush(); c.close()
' "$F_SRV" "$WORK/syslog-tcp.rx" 5 > "$WORK/syslog-tcp.ready" 2>&1
    l_pid=$BG_PID
    wait_for_line "$WORK/syslog-tcp.ready" '^ready' 10 || die "TCP syslog listener did not start"
    start_capture cli pdxcli "$f"
    local L=(in_ns cli timeout 10 logger --tcp -n "$F_SRV" -P 514)
    "${L[@]}" --octet-count -p local7.err -t '%LINK-3-UPDOWN' \
        'Interface GigabitEthernet1/0/5, changed state to up'
    sleep 0.3
    "${L[@]}" --octet-count -p daemon.err -t tgtd \
        'iSCSI login failed for initiator iqn.2010-04.org.ipxe:pdx-client: target not found'
    sleep 0.3
    "${L[@]}" -p auth.err -t sshd \
        'error: kex_exchange_identification: Connection closed by remote host'
    sleep 0.3
    "${L[@]}" -p user.info -t ipxe \
        'Could not boot image: No such file or directory (https://ipxe.org/2d0c618e)'
    sleep 0.3
    "${L[@]}" -p daemon.crit -t dnsmasq-dhcp \
        'DHCP packet received on pdxsrv which has no address: boot clients get no lease, failed'
    sleep 0.5
    stop_capture
    stop_pid "$l_pid" TERM
    lab_down
    n=$(wc -l < "$WORK/syslog-tcp.rx")
    (( n == 5 )) || die "syslog-tcp: the listener got $n of 5 connections"
    (( $(count "$f" 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && tcp.dstport == 514') == 5 )) \
        || die "syslog-tcp: expected 5 connections"
    log "listener got: $(cut -c1-60 "$WORK/syslog-tcp.rx" | tr '\n' '|')"
}

for p in "${PARTS[@]}"; do
    case $p in
    ipxe) boot_ipxe pxe-e1000.rom "$OUT_DIR/ipxe-boot.pcap" ;;
    ipxe-efirom) boot_ipxe efi-e1000.rom "$OUT_DIR/ipxe-boot-efirom.pcap" ;;
    ipxe-retries) boot_ipxe pxe-e1000.rom "$OUT_DIR/ipxe-boot-retries.pcap" retries ;;
    dhcp-nak) make_dhcp_nak ;;
    dhcp-decline) make_dhcp_decline ;;
    arp-any) make_arp_any ;;
    syslog-tcp) make_syslog_tcp ;;
    *) die "unknown part $p" ;;
    esac
done
