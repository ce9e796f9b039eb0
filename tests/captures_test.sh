#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# captures_test.sh - end-to-end regression over captures/ (tcpdump's
# tests/TESTLIST is the model).
#
#   captures_test.sh PKTDOCTOR SRCDIR            check
#   captures_test.sh PKTDOCTOR SRCDIR --update   rewrite tests/expected/
#
# 1. Pinned results: `pktdoctor check` compares every capture's findings
#    with tests/expected/<capture>.findings (id, severity, frames, flow).
# 2. Independent checks of the claims each lab capture was made for; the
#    expectations come from how the capture was made and from tshark, not
#    from pktdoctor's own output.
set -uo pipefail
bin=$1
src=$2
update=${3:-}
exp="$src/tests/expected"
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# 1. pinned findings, through pktdoctor's own CI gate (dogfooding)
if [ "$update" = "--update" ]; then
	"$bin" check -e "$exp" --update "$src/captures"
	exit $?
fi
if "$bin" check -e "$exp" "$src/captures"; then
	ok "pktdoctor check: every capture matches tests/expected/"
else
	ko "pktdoctor check: a capture differs from tests/expected/ (diff above)"
fi

# -- claims the lab captures were made to show (captures/README.md) --

# TX offload capture: the per-host verdict, and no checksum called bad.
j=$("$bin" analyze -q -F json "$src/captures/offload-partial.pcapng")
hosts=$(printf '%s' "$j" | jq -r '[.findings[] | select(.id=="checksum.offload_suspected") | .evidence.host] | sort | join(" ")')
nbad=$(printf '%s' "$j" | jq '[.findings[] | select(.id=="checksum.bad")] | length')
case " $hosts " in
*" 10.77.0.1 "*) ok "offload-partial: checksum.offload_suspected for sender 10.77.0.1" ;;
*) ko "offload-partial: no checksum.offload_suspected for 10.77.0.1 (got: $hosts)" ;;
esac
[ "$nbad" = 0 ] && ok "offload-partial: no checksum.bad" || ko "offload-partial: $nbad checksum.bad findings"

# Offload-off capture: every checksum valid, so no checksum finding at all.
j=$("$bin" analyze -q -F json "$src/captures/offload-valid.pcap")
n=$(printf '%s' "$j" | jq '[.findings[] | select(.id | startswith("checksum."))] | length')
[ "$n" = 0 ] && ok "offload-valid: no checksum finding" || ko "offload-valid: $n checksum findings"

# Bad-checksum capture: exactly the corrupted frames, with is/should
# values; the list was computed with tshark when the capture was made.
j=$("$bin" analyze -q -F json "$src/captures/bad-checksums.pcap")
want=$(awk '{print $1, $3, $4}' "$src/captures/bad-checksums.expected" | sort -n)
got=$(printf '%s' "$j" | jq -r '.findings[] | select(.id=="checksum.bad") | "\(.frames[0]) \(.evidence.is) \(.evidence.should)"' | sort -n)
if [ "$want" = "$got" ]; then
	ok "bad-checksums: checksum.bad on exactly the corrupted frames, is/should as tshark"
else
	ko "bad-checksums: checksum.bad frames differ from captures/bad-checksums.expected"
	diff <(echo "$want") <(echo "$got")
fi

# -- TCP path captures (captures/tcp-lab/make-tcp-captures.sh); tshark's
#    verdicts are in captures/*.tshark-tcp.tsv (scripts/tshark-tcp-facts.sh)
ids() { "$bin" analyze -q -F json "$1" | jq -r '[.findings[].id] | unique | join(" ")'; }
has() { case " $1 " in *" $2 "*) return 0 ;; esac; return 1; }

# (a) sender-side TSO capture: super-segments explained, nothing else.
got=$(ids "$src/captures/tso-sender.pcapng")
has "$got" tcp.tso_artifact && ! has "$got" tcp.segment_exceeds_mss && ! has "$got" tcp.oversize_blackhole &&
	ok "tso-sender: tcp.tso_artifact, no exceeds_mss/oversize_blackhole" || ko "tso-sender: ids $got"
# the super-segments are exactly the frames with payload above the receiver's MSS
want=$(awk -F'\t' '!/^#/ && $8 != "" && $3 == "10.78.1.2" {mss=$8} !/^#/ && $3 == "10.78.1.1" && $7+0 > 0 {print $1, $7}' \
	"$src/captures/tso-sender.tshark-tcp.tsv" | awk -v m=1460 '$2 > m {print $1}' | sort -n | tr '\n' ' ')
got=$("$bin" analyze -q -F json "$src/captures/tso-sender.pcapng" | jq -r '.findings[] | select(.id=="tcp.tso_artifact") | .frames[]' | sort -n | tr '\n' ' ')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "tso-sender: tso_artifact frames are the segments over MSS 1460" || ko "tso-sender: frames '$got' want '$want'"

# (b) the same transfer on the receiver: no oversize finding.
got=$(ids "$src/captures/tso-receiver.pcap")
! has "$got" tcp.tso_artifact && ! has "$got" tcp.segment_exceeds_mss && ! has "$got" tcp.oversize_blackhole &&
	ok "tso-receiver: no segment-size finding" || ko "tso-receiver: ids $got"

# (c) the black hole: oversize_blackhole + retransmission_storm per stalled
# connection, with tshark's retransmission frames, sizes, MSS and ladder.
bh="$src/captures/oversize-blackhole.pcap"
tsv="$src/captures/oversize-blackhole.tshark-tcp.tsv"
j=$("$bin" analyze -q -F json "$bh")
nconn=$(awk -F'\t' '!/^#/ && $8 == "1460"' "$tsv" | wc -l)
nbh=$(jq '[.findings[] | select(.id=="tcp.oversize_blackhole")] | length' <<< "$j")
nst=$(jq '[.findings[] | select(.id=="tcp.retransmission_storm")] | length' <<< "$j")
[ "$nbh" = "$nconn" ] && [ "$nst" = "$nconn" ] && ok "oversize-blackhole: one blackhole and one storm for each of the $nconn connections" ||
	ko "oversize-blackhole: $nbh blackholes, $nst storms, $nconn connections"
# storm frames (after the original) = frames tshark calls retransmissions of segments > 1460
want=$(awk -F'\t' '!/^#/ && $9 == "1" && $7+0 > 1460 {print $1}' "$tsv" | sort -n | tr '\n' ' ')
got=$(jq -r '.findings[] | select(.id=="tcp.retransmission_storm") | .frames[1:][]' <<< "$j" | sort -n | tr '\n' ' ')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "oversize-blackhole: storm copies are tshark's retransmission frames" || ko "storm frames '$got' want '$want'"
# sizes and MSS: tshark's segment length and the client's SYN MSS
want_len=$(awk -F'\t' '!/^#/ && $9 == "1" {print $7}' "$tsv" | sort -u | tr '\n' ' ')
got_len=$(jq -r '.findings[] | select(.id=="tcp.retransmission_storm") | .evidence.segment_len' <<< "$j" | sort -u | tr '\n' ' ')
got_mss=$(jq -r '.findings[] | select(.id=="tcp.oversize_blackhole") | .evidence.receiver_mss' <<< "$j" | sort -u)
[ "$want_len" = "$got_len" ] && [ "$got_mss" = 1460 ] && ok "oversize-blackhole: segment size $got_len, receiver MSS 1460" || ko "sizes '$got_len' want '$want_len', mss '$got_mss'"
# the back-off ladder: intervals between tshark's copies of the first storm
first=$(jq -r '[.findings[] | select(.id=="tcp.retransmission_storm")][0] | .frames | map(tostring) | join(" ")' <<< "$j")
want=$(for fr in $first; do awk -F'\t' -v f="$fr" '$1 == f {print $2}' "$tsv"; done | awk 'NR > 1 {printf "%s%.2f", (NR > 2 ? "," : ""), $1 - p} {p = $1}')
got=$(jq -r '[.findings[] | select(.id=="tcp.retransmission_storm")][0] | .evidence.rto_ladder_s' <<< "$j")
[ -n "$want" ] && [ "$want" = "$got" ] && ok "oversize-blackhole: RTO ladder $got s as tshark's timestamps" || ko "ladder '$got' want '$want'"
# reconnect and stall again, as the seed: all but the last storm reconnected
nre=$(jq '[.findings[] | select(.id=="tcp.retransmission_storm" and .evidence.reconnected and .evidence.stalled_again)] | length' <<< "$j")
[ "$nre" = $((nconn - 1)) ] && ok "oversize-blackhole: $nre storms followed by a reconnect that stalled again" || ko "reconnects: $nre"

# (d) random loss: per-flow counts agree with tshark (tshark counts a fast
# retransmission under tcp.analysis.retransmission too).
j=$("$bin" analyze -q -F json "$src/captures/tcp-loss.pcap")
tsv="$src/captures/tcp-loss.tshark-tcp.tsv"
for k in "9:retx" "10:fast" "11:spurious" "12:ooo" "13:lost" "14:dupack" "15:zerowin"; do
	col=${k%%:*}
	n=$(awk -F'\t' -v c="$col" '!/^#/ && $c == "1"' "$tsv" | wc -l)
	eval "ts_${k#*:}=$n"
done
pd() { jq "[.findings[] | select(.id==\"tcp.retransmissions\") | .evidence.$1] | add // 0" <<< "$j"; }
pr=$(( $(pd retransmission) + $(pd fast_retransmission) ))
[ "$pr" = "$ts_retx" ] && ok "tcp-loss: retransmissions $pr = tshark's $ts_retx" || ko "tcp-loss: retransmissions $pr, tshark $ts_retx"
[ "$(pd fast_retransmission)" = "$ts_fast" ] && ok "tcp-loss: fast retransmissions = tshark's $ts_fast" || ko "tcp-loss: fast $(pd fast_retransmission), tshark $ts_fast"
[ "$(pd duplicate_ack)" = "$ts_dupack" ] && ok "tcp-loss: duplicate ACKs = tshark's $ts_dupack" || ko "tcp-loss: dupacks $(pd duplicate_ack), tshark $ts_dupack"
[ "$(pd spurious_retransmission)" = "$ts_spurious" ] && [ "$(pd out_of_order)" = "$ts_ooo" ] && [ "$(pd previous_segment_not_captured)" = "$ts_lost" ] &&
	ok "tcp-loss: spurious/out-of-order/not-captured agree with tshark" || ko "tcp-loss: other categories differ from tshark"

# (e) a client reconnecting from the same port (tcp-lab/make-reuse-capture.sh):
# tshark sees a new session on reused ports and no loss; neither may we.
j=$("$bin" analyze -q -F json "$src/captures/tcp-reuse.pcap")
tsv="$src/captures/tcp-reuse.tshark-tcp.tsv"
ts_reused=$(awk -F'\t' '!/^#/ && $2 == "1" {print $1}' "$tsv")
ts_flags=$(awk -F'\t' '!/^#/ && ($3 == "1" || $4 == "1" || $5 == "1" || $6 == "1")' "$tsv" | wc -l)
pd_flags=$(jq '[.findings[] | select(.id=="tcp.retransmissions") | .evidence | .retransmission + .fast_retransmission + .spurious_retransmission + .out_of_order + .previous_segment_not_captured] | add // 0' <<< "$j")
[ -n "$ts_reused" ] && [ "$ts_flags" = 0 ] && [ "$pd_flags" = 0 ] &&
	ok "tcp-reuse: a new connection on reused ports (tshark frame $ts_reused) is no loss or retransmission" ||
	ko "tcp-reuse: tshark reused '$ts_reused' flags $ts_flags, pktdoctor $pd_flags"

# -- boot path (captures/boot-lab/make-boot-captures.sh); tshark's ARP and
#    syslog dissection is in captures/*.tshark-boot.tsv (scripts/tshark-boot-facts.sh)

# RFC 5227 probes, then the first IP packet from the probed address.
tsv="$src/captures/arp-probe-delay.tshark-boot.tsv"
j=$("$bin" analyze -q -F json "$src/captures/arp-probe-delay.pcap")
probes=$(awk -F'\t' '!/^#/ && $4 == "1" && $5 == "0.0.0.0"' "$tsv")
first_probe=$(head -1 <<< "$probes" | cut -f1)
t_probe=$(head -1 <<< "$probes" | cut -f2)
ip=$(head -1 <<< "$probes" | cut -f6)
first_ip=$(awk -F'\t' -v f="$first_probe" -v ip="$ip" '!/^#/ && $1 > f && $7 == ip {print $1; exit}' "$tsv")
t_ip=$(awk -F'\t' -v f="$first_ip" '$1 == f {print $2}' "$tsv")
want_delay=$(awk -v a="$t_probe" -v b="$t_ip" 'BEGIN {printf "%.3f", b - a}')
got=$(jq -r '.findings[] | select(.id=="arp.probe_delay") | "\(.severity) \(.evidence.probes) \(.evidence.first_probe_frame) \(.evidence.first_ip_frame) \(.evidence.delay_s * 1000 | round / 1000)"' <<< "$j")
want="warning $(wc -l <<< "$probes") $first_probe $first_ip $want_delay"
[ "$(awk '{printf "%s %s %s %s %.3f", $1, $2, $3, $4, $5}' <<< "$got")" = "$want" ] &&
	ok "arp-probe-delay: probes, first IP frame and ${want_delay}s delay as tshark shows them" || ko "arp-probe-delay: got '$got' want '$want'"
jq -e '[.findings[] | select(.id=="boot.handover_gap")] | length == 1' <<< "$j" > /dev/null &&
	ok "arp-probe-delay: one boot.handover_gap" || ko "arp-probe-delay: handover gap"

# The owner answers the probe: a conflict naming the probe and the reply.
tsv="$src/captures/arp-conflict.tshark-boot.tsv"
j=$("$bin" analyze -q -F json "$src/captures/arp-conflict.pcap")
probe=$(awk -F'\t' '!/^#/ && $4 == "1" && $5 == "0.0.0.0" {print $1; exit}' "$tsv")
ip=$(awk -F'\t' -v f="$probe" '$1 == f {print $6}' "$tsv")
reply=$(awk -F'\t' -v f="$probe" -v ip="$ip" '!/^#/ && $1 > f && $4 == "2" && $5 == ip {print $1; exit}' "$tsv")
got=$(jq -r '.findings[] | select(.id=="arp.address_conflict") | "\(.evidence.ip) \(.frames[0]) \(.frames[1])"' <<< "$j")
[ "$got" = "$ip $probe $reply" ] && ok "arp-conflict: conflict on $ip from probe $probe and reply $reply" || ko "arp-conflict: got '$got' want '$ip $probe $reply'"

# iPXE syslog: a boot error for each message tshark reads with an
# ipxe.org error URL, or a level of err or worse naming a boot, DHCP,
# TFTP, iSCSI or SAN failure, and nothing else.
tsv="$src/captures/ipxe-syslog.tshark-boot.tsv"
want=$(awk -F'\t' '!/^#/ && $8 != "" { lm = tolower($9)
	boot = lm ~ /(^|[^a-z])(boot|dhcp|tftp|iscsi|san|pxe|ipxe)/
	bad = lm ~ /(fail|error|could not|cannot|unable|timed out|refused|denied|not found|no such|missing)/
	if ($9 ~ /ipxe\.org\// || ($8 <= 3 && boot && bad)) print $1 }' "$tsv" | tr '\n' ' ')
got=$("$bin" analyze -q -F json "$src/captures/ipxe-syslog.pcap" | jq -r '.findings[] | select(.id=="syslog.boot_error") | .frames[-1]' | sort -n | tr '\n' ' ')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "ipxe-syslog: syslog.boot_error on frames $got" || ko "ipxe-syslog: got '$got' want '$want'"
n=$("$bin" analyze -q -F json "$src/captures/ipxe-syslog.pcap" | jq '.syslog | length')
m=$(awk -F'\t' '!/^#/ && $8 != ""' "$tsv" | wc -l)
[ "$n" = "$m" ] && ok "ipxe-syslog: all $m syslog messages in the JSON report" || ko "ipxe-syslog: $n messages, tshark $m"
tl=$("$bin" analyze -q --timeline --no-stats "$src/captures/ipxe-syslog.pcap")
grep -q '>>> syslog 10.79.0.50 <info> ipxe: Could not boot image' <<< "$tl" &&
	ok "ipxe-syslog: the timeline prints iPXE's messages inline" || ko "ipxe-syslog: timeline"

# DHCP: the unanswered DISCOVERs, and each root path tshark shows with a
# bad LUN, protocol or port reported invalid on the frames carrying it.
tsv="$src/captures/dhcp-no-offer.tshark-boot.tsv"
want=$(awk -F'\t' '!/^#/ && $10 == "1" {print $1}' "$tsv" | tr '\n' ' ')
got=$("$bin" analyze -q -F json "$src/captures/dhcp-no-offer.pcap" | jq -r '.findings[] | select(.id=="dhcp.no_offer") | .frames[]' | tr '\n' ' ')
[ -n "$want" ] && [ "$want" = "$got" ] && ok "dhcp-no-offer: dhcp.no_offer on tshark's DISCOVER frames $got" || ko "dhcp-no-offer: got '$got' want '$want'"
tsv="$src/captures/dhcp-rootpath-bad.tshark-boot.tsv"
j=$("$bin" analyze -q -F json "$src/captures/dhcp-rootpath-bad.pcap")
for bad in ":zz:" ":17:3260:" ":99999:"; do
	want=$(awk -F'\t' -v b="$bad" '!/^#/ && index($11, b) {print $1}' "$tsv" | tr '\n' ',' | sed 's/,$//')
	got=$(jq -r --arg b "$bad" '.findings[] | select(.id=="dhcp.rootpath_invalid" and (.evidence.root_path | contains($b))) | .frames | map(tostring) | join(",")' <<< "$j")
	[ -n "$want" ] && [ "$want" = "$got" ] && ok "dhcp-rootpath-bad: root path with '$bad' invalid on frames $got" || ko "dhcp-rootpath-bad '$bad': got '$got' want '$want'"
done
want=$(awk -F'\t' '!/^#/ && index($11, ":0000000064:") {print $1}' "$tsv" | tr '\n' ',' | sed 's/,$//')
got=$(jq -r '.findings[] | select(.id=="dhcp.rootpath_lun_ambiguous") | "\(.frames | map(tostring) | join(",")) \(.evidence.lun_hex_value)"' <<< "$j")
[ "$got" = "$want 100" ] && ok "dhcp-rootpath-bad: LUN 0000000064 ambiguous (read as 100) on frames $want" || ko "lun ambiguous: got '$got' want '$want 100'"

# iSCSI: the facts captures/README.md lists for iscsi-login.pcap, which were
# checked with tshark when the capture was made (tgtd + libiscsi).
j=$("$bin" analyze -q -F json "$src/captures/iscsi-login.pcap")
logins=$(jq -r '[.findings[] | select(.id=="iscsi.login")] | sort_by(.evidence.login_frame) | map("\(.evidence.login_frame)/\(.evidence.login_done_frame)") | join(" ")' <<< "$j")
[ "$logins" = "4/6 13/15 46/48 68/70 149/158" ] && ok "iscsi: five logins, 8 Login Responses ($logins)" || ko "iscsi: logins $logins"
reads=$(jq -r '[.findings[] | select(.id=="iscsi.login") | .evidence.first_read_frame // empty] | sort | join(" ")' <<< "$j")
[ "$reads" = "58 80 167" ] && ok "iscsi: first READ frames 58, 80, 167" || ko "iscsi: first READs $reads"
hd=$(jq -r '[.findings[] | select(.id=="iscsi.login" and .evidence.header_digest==true) | .flow] | join(" ")' <<< "$j")
[ "$hd" = "TCP 10.79.0.50:56182 -> 10.79.0.1:3260" ] && ok "iscsi: HeaderDigest=CRC32C only on 56182" || ko "iscsi: header digests on '$hd'"
neg=$(jq -r '[.findings[] | select(.id=="iscsi.negotiation_invalid") | "\(.frames[0]) \(.evidence.key)=\(.evidence.answered)"] | join(",")' <<< "$j")
[ "$neg" = "48 HeaderDigest=None" ] && ok "iscsi: tgtd's HeaderDigest=None to a CRC32C-only offer (frame 48)" || ko "iscsi: negotiation '$neg'"
bad=$(jq -r '[.findings[] | select(.id=="iscsi.digest_bad" or .id=="iscsi.statsn_gap" or .id=="iscsi.cmdsn_window" or .id=="iscsi.timeout" or .id=="iscsi.mrdsl_exceeded")] | length' <<< "$j")
[ "$bad" = 0 ] && ok "iscsi: 18 good header digests, StatSN and window in order (tshark agrees)" || ko "iscsi: $bad unexpected findings"

# The whole boot in one capture: the boot summary's steps are the frames
# tshark shows for them, in the order a network boot goes.
tsv="$src/captures/iscsi-boot.tshark-boot.tsv"
j=$("$bin" analyze -q -F json "$src/captures/iscsi-boot.pcap")
disc=$(awk -F'\t' '!/^#/ && $10 == "1" {print $1; exit}' "$tsv")
ack=$(awk -F'\t' '!/^#/ && $10 == "5" && $11 != "" {print $1; exit}' "$tsv")
probe=$(awk -F'\t' '!/^#/ && $4 == "1" && $5 == "0.0.0.0" {print $1; exit}' "$tsv")
ip=$(awk -F'\t' -v f="$probe" '$1 == f {print $6}' "$tsv")
firstip=$(awk -F'\t' -v f="$probe" -v ip="$ip" '!/^#/ && $1 > f && $7 == ip {print $1; exit}' "$tsv")
lastfw=$(awk -F'\t' -v f="$probe" -v m="$(awk -F'\t' -v f="$probe" '$1 == f {print $3}' "$tsv")" '!/^#/ && $1 < f && $3 == m {l = $1} END {print l}' "$tsv")
login=$(jq -r '[.findings[] | select(.id=="iscsi.login")][0] | "\(.evidence.login_done_frame) \(.evidence.first_read_frame)"' <<< "$j")
want="dhcp_discover:$disc dhcp_ack:$ack iscsi_login:${login% *} first_read:${login#* } handover:$lastfw os_first_packet:$probe os_first_ip:$firstip"
got=$(jq -r '.boot[0].steps | map(select(.step != "tcp_connect") | "\(.step):\(.frame)") | join(" ")' <<< "$j")
[ "$got" = "$want" ] && ok "iscsi-boot: boot summary $got" || ko "iscsi-boot: got '$got' want '$want'"
order=$(jq -r '.boot[0].steps | map(.frame) | . == sort' <<< "$j")
[ "$order" = true ] && ok "iscsi-boot: the steps come in frame order" || ko "iscsi-boot: steps out of order"

# --syslog-file: lines of a text log merged by their timestamps.  One line
# stamped 1 s after the first packet (RFC 3339), one after the last.
t0=$(jq -r '.first_ts' <<< "$("$bin" analyze -q -F json "$src/captures/arp-probe-delay.pcap")")
sf=$(mktemp)
{
	date -u -d "@$(awk -v t="$t0" 'BEGIN {printf "%.3f", t + 1.0}')" +"%Y-%m-%dT%H:%M:%S.%3NZ host kernel: one second in"
	date -u -d "@$(awk -v t="$t0" 'BEGIN {printf "%.3f", t + 60}')" +"%Y-%m-%dT%H:%M:%S.%3NZ host kernel: after the capture"
} > "$sf"
tl=$("$bin" analyze -q --timeline --syslog-file "$sf" --no-stats "$src/captures/arp-probe-delay.pcap")
before=$(awk '/one second in/ {print prev; exit} {prev = $1}' <<< "$tl")
after=$(awk '/one second in/ {getline; print $1; exit}' <<< "$tl")
last=$(grep -n "after the capture" <<< "$tl" | cut -d: -f1)
lastpkt=$(grep -nE "^ +[0-9]+ +[0-9.]+  [A-Z]" <<< "$tl" | tail -1 | cut -d: -f1)
t_before=$(awk -F'\t' -v f="$before" '$1 == f {print $2}' "$src/captures/arp-probe-delay.tshark-boot.tsv")
t_after=$(awk -F'\t' -v f="$after" '$1 == f {print $2}' "$src/captures/arp-probe-delay.tshark-boot.tsv")
awk -v a="$t_before" -v b="$t_after" 'BEGIN {exit !(a <= 1.0 && b > 1.0)}' && [ "$last" -gt "$lastpkt" ] &&
	ok "--syslog-file: lines merged at their time (between frames $before and $after, and at the end)" ||
	ko "--syslog-file: merged between $before ($t_before) and $after ($t_after), last at line $last"
rm -f "$sf"

# --connections: the TCP table agrees with the findings and with tshark.
j=$("$bin" analyze -q -F json --connections "$src/captures/tcp-loss.pcap")
c=$(jq -r '.connections | "\(length) \(.[0].client_to_server.retransmissions + .[0].client_to_server.fast_retransmissions) \(.[0].server_to_client.duplicate_acks) \(.[0].client_to_server.mss) \(.[0].end)"' <<< "$j")
[ "$c" = "1 $ts_retx $ts_dupack 1460 fin" ] && ok "--connections: one connection, $ts_retx retransmissions, $ts_dupack dup ACKs, MSS 1460, FIN" || ko "--connections: '$c'"
grep -q "^CONNECTIONS (1 TCP)" <<< "$("$bin" analyze -q --connections "$src/captures/tcp-loss.pcap")" && ok "--connections: text table" || ko "--connections text"

# --timeline with a BPF filter and a frame range: only those frames, with
# their numbers in the whole file.
want=$(awk -F'\t' '!/^#/ && $4 != "" && $1 >= 15 && $1 <= 40 {print $1}' "$src/captures/arp-probe-delay.tshark-boot.tsv" | tr '\n' ' ')
got=$("$bin" analyze -q --timeline --no-stats -f arp --frames 15-40 "$src/captures/arp-probe-delay.pcap" | awk '$3 == "ARP" {print $1}' | tr '\n' ' ')
all=$("$bin" analyze -q --timeline --no-stats -f arp --frames 15-40 "$src/captures/arp-probe-delay.pcap" | grep -cE "^ +[0-9]+ +[0-9.]+  ")
[ -n "$want" ] && [ "$want" = "$got" ] && [ "$all" = "$(wc -w <<< "$want")" ] && ok "--timeline -f arp --frames 15-40: ARP frames $got" || ko "--timeline filter/range: '$got' want '$want'"

# iSCSI failures from real traffic (tgtd refusing logins, LUN 255, a stopped
# target; a deliberately broken target for the protocol violations).
# tshark's iSCSI fields are in captures/iscsi-errors.tshark-iscsi.tsv
# (scripts/tshark-iscsi-facts.sh).
tsv="$src/captures/iscsi-errors.tshark-iscsi.tsv"
j=$("$bin" analyze -q -F json "$src/captures/iscsi-errors.pcap")
fr() { jq -r --arg id "$1" '[.findings[] | select(.id==$id) | .frames[]] | map(tostring) | join(" ")' <<< "$j"; }
want=$(awk -F'\t' '!/^#/ && $4 == "0x23" && $5 != "" && $5 != "0x0000" {print $1}' "$tsv" | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] && [ "$(fr iscsi.login_failed)" = "$want" ] && ok "iscsi-errors: login_failed on tshark's failed Login Responses ($want)" || ko "login_failed: $(fr iscsi.login_failed) want $want"
st=$(jq -r '[.findings[] | select(.id=="iscsi.login_failed") | .evidence.status] | join(" ")' <<< "$j")
want_st=$(awk -F'\t' '!/^#/ && $4 == "0x23" && $5 != "" && $5 != "0x0000" {print $5}' "$tsv" | tr '\n' ' ' | sed 's/ $//')
[ "$st" = "$want_st" ] && ok "iscsi-errors: status $st as tshark decodes it" || ko "login status '$st' want '$want_st'"
want=$(awk -F'\t' '!/^#/ && $4 == "0x01" && $6 == "0x00ff" {print $1}' "$tsv" | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] && [ "$(fr iscsi.lun_255)" = "$want" ] && ok "iscsi-errors: lun_255 on the commands tshark shows to LUN 255 ($want)" || ko "lun_255: $(fr iscsi.lun_255) want $want"
# a target PDU whose MaxCmdSN < ExpCmdSN - 1 (serial arithmetic, no wrap here)
want=$(awk -F'\t' '!/^#/ && $8 != "" && $7 != "" && $8 + 1 < $7 {print $1}' "$tsv" | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] && [ "$(fr iscsi.cmdsn_window)" = "$want" ] && ok "iscsi-errors: cmdsn_window on frame $want (MaxCmdSN < ExpCmdSN - 1 in tshark's fields)" || ko "cmdsn_window: $(fr iscsi.cmdsn_window) want $want"
g=$(jq -r '.findings[] | select(.id=="iscsi.statsn_gap") | "\(.frames[0]) \(.evidence.got)"' <<< "$j")
t=$(awk -F'\t' -v f="${g%% *}" '$1 == f {print $1, $9}' "$tsv")
[ -n "$g" ] && [ "$g" = "$t" ] && ok "iscsi-errors: statsn_gap at frame ${g%% *}, StatSN ${g#* } as tshark reads it" || ko "statsn_gap: '$g' tshark '$t'"
# From the checks the lab script makes with tshark -V (captures/README.md):
# frame 135's header digest 0x42d15f2f "Bad CRC32, should be 0xbd2ea0d0";
# frame 153 a Data-In of 262656 bytes against a 262144-byte limit;
# frame 59 a READ answered at 61, 12 s later, while tgtd was stopped.
d=$(jq -r '.findings[] | select(.id=="iscsi.digest_bad") | "\(.frames[0]) \(.evidence.is_wire) \(.evidence.kind)"' <<< "$j")
[ "$d" = "135 42d15f2f header" ] && ok "iscsi-errors: digest_bad at 135, wire value 0x42d15f2f as tshark shows" || ko "digest_bad: '$d'"
m=$(jq -r '.findings[] | select(.id=="iscsi.mrdsl_exceeded") | "\(.frames[0]) \(.evidence.data_segment_length) \(.evidence.limit)"' <<< "$j")
[ "$m" = "153 262656 262144" ] && ok "iscsi-errors: mrdsl_exceeded at 153 (262656 > 262144)" || ko "mrdsl_exceeded: '$m'"
w=$(jq -r '.findings[] | select(.id=="iscsi.timeout") | "\(.frames | map(tostring) | join(",")) \(.evidence.wait_s | floor)"' <<< "$j")
want_w=$(awk -F'\t' '$1 == 59 {a = $2} $1 == 61 {b = $2} END {printf "59,61 %d", b - a}' "$tsv")
[ "$w" = "$want_w" ] && ok "iscsi-errors: timeout, READ at 59 answered at 61 ($want_w s)" || ko "timeout: '$w' want '$want_w'"
b=$(jq -r '.findings[] | select(.id=="boot.delay") | "\(.evidence.cause) \(.evidence.from_frame) \(.evidence.answer_frame) \(.evidence.lost_s | floor)"' <<< "$j")
[ "$b" = "iscsi_target 59 61 ${want_w#* }" ] && ok "iscsi-errors: boot.delay for the READ at 59 the target answered at 61 (${want_w#* } s)" || ko "iscsi-errors boot.delay: '$b'"
[ "$(fr iscsi.burst_order)" = 74 ] && ok "iscsi-errors: burst_order on the Login Response at 74, once" || ko "burst_order: $(fr iscsi.burst_order)"

# Real iPXE (Debian's ROM under QEMU) booting over iSCSI, and the boot-path
# faults around it (captures/ipxe-lab/make-ipxe-captures.sh).  tshark's
# reading is in captures/*.tshark-ipxe.tsv (captures/ipxe-lab/tshark-facts.sh):
# 1 frame 2 time 3 src_mac 4 arp_op 5 arp_spa 6 arp_tpa 7 icmpv6_type
# 8 dhcp_type 9 dhcp_requested_ip 10 dhcp_yiaddr 11 dhcp_message 12 tcp_flags
# 13 tcp_dstport 14 tcp_len 15 tcp_retransmission 16 iscsi_opcode
# 17 scsi_opcode 18 tftp_opcode 19 syslog_level 20 syslog_msg
for cap in ipxe-boot ipxe-boot-efirom ipxe-boot-retries; do
	tsv="$src/captures/$cap.tshark-ipxe.tsv"
	j=$("$bin" analyze -q -F json "$src/captures/$cap.pcap")
	# iPXE sends one gratuitous ARP and no RFC 5227 probe: no probe delay
	probes=$(awk -F'\t' '!/^#/ && $4 == 1 && $5 == "0.0.0.0"' "$tsv" | wc -l)
	grat=$(awk -F'\t' '!/^#/ && $4 == 1 && $5 != "" && $5 == $6' "$tsv" | wc -l)
	n=$(jq '[.findings[] | select(.id=="arp.probe_delay")] | length' <<< "$j")
	[ "$probes" = 0 ] && [ "$grat" = 1 ] && [ "$n" = 0 ] && ok "$cap: one gratuitous ARP, no probe (tshark), no arp.probe_delay" ||
		ko "$cap: probes=$probes gratuitous=$grat probe_delay=$n"
	# the IPv6 wait: from the DHCP ACK to the client's next step (its ARP
	# for the target), every router solicitation unanswered (no RA at all)
	ack=$(awk -F'\t' '!/^#/ && $8 == 5 {print $1; exit}' "$tsv")
	mac=$(awk -F'\t' '!/^#/ && $8 == 1 {print $3; exit}' "$tsv")
	next=$(awk -F'\t' -v a="$ack" -v m="$mac" '!/^#/ && $1 > a && $3 == m && $7 != 133 && !($4 == 1 && $5 == $6) && $4 != 2 {print $1; exit}' "$tsv")
	rs=$(awk -F'\t' '!/^#/ && $7 == 133 {print $1}' "$tsv" | tr '\n' ' ')
	ra=$(awk -F'\t' '!/^#/ && $7 == 134' "$tsv" | wc -l)
	want=$(printf '%s\n' $rs "$ack" "$next" | sort -n | tr '\n' ',' | sed 's/,$//')
	got=$(jq -r '.findings[] | select(.id=="boot.delay" and .evidence.cause=="ipv6_router_solicitation") | "\(.frames | map(tostring) | join(",")) \(.evidence.from_frame) \(.evidence.to_frame) \(.evidence.lost_s | floor)"' <<< "$j")
	secs=$(awk -F'\t' -v a="$ack" -v b="$next" '$1 == a {x = $2} $1 == b {y = $2} END {printf "%d", y - x}' "$tsv")
	[ "$ra" = 0 ] && [ "$got" = "$want $ack $next $secs" ] && ok "$cap: boot.delay for the IPv6 wait, ACK $ack -> frame $next ($secs s), router solicitations $rs" ||
		ko "$cap: IPv6 wait '$got' want '$want $ack $next $secs' (RAs $ra)"
	# the boot summary: tshark's frames, in time order, no handover and no
	# OS step (the boot sector returned to iPXE, no OS ran)
	disc=$(awk -F'\t' '!/^#/ && $8 == 1 {print $1; exit}' "$tsv")
	syn=$(awk -F'\t' '!/^#/ && $12 == "0x0002" && $13 == 3260 {print $1; exit}' "$tsv")
	got=$(jq -r '.boot[0].steps | map("\(.step):\(.frame):\(.phase)") | join(" ")' <<< "$j")
	login=$(jq -r '[.findings[] | select(.id=="iscsi.login")][0] | "\(.evidence.login_done_frame) \(.evidence.first_read_frame)"' <<< "$j")
	want="dhcp_discover:$disc:firmware dhcp_ack:$ack:firmware tcp_connect:$syn:firmware iscsi_login:${login% *}:firmware first_read:${login#* }:firmware"
	[ "$got" = "$want" ] && ok "$cap: boot summary $got" || ko "$cap: boot summary '$got' want '$want'"
done

# The same boot with the server dropping iPXE's first 4 SYNs to the target
# and its first 4 TFTP read requests: one boot.delay each, from the first
# SYN (RRQ) over the repeats tshark shows to the client's next frame after
# the answer that moves on (its first data after the handshake; a pure ACK
# does not count; the TFTP ACK of the OACK)
tsv="$src/captures/ipxe-boot-retries.tshark-ipxe.tsv"
j=$("$bin" analyze -q -F json "$src/captures/ipxe-boot-retries.pcap")
mac=$(awk -F'\t' '!/^#/ && $8 == 1 {print $3; exit}' "$tsv")
syns=$(awk -F'\t' '!/^#/ && $12 == "0x0002" && $13 == 3260 {print $1}' "$tsv" | tr '\n' ',')
synack=$(awk -F'\t' '!/^#/ && $12 == "0x0012" {print $1; exit}' "$tsv")
after=$(awk -F'\t' -v a="$synack" -v m="$mac" '!/^#/ && $1 > a && $3 == m && $14 > 0 {print $1; exit}' "$tsv")
got=$(jq -r '.findings[] | select(.id=="boot.delay" and .evidence.cause=="tcp_syn_retry") | .frames | map(tostring) | join(",")' <<< "$j")
[ -n "$synack" ] && [ "$got" = "$syns$after" ] && ok "ipxe-boot-retries: boot.delay tcp_syn_retry on SYNs ${syns%,} (tshark), ended by $after" || ko "ipxe-boot-retries: SYN retry '$got' want '$syns$after'"
rrqs=$(awk -F'\t' '!/^#/ && $18 == 1 {print $1}' "$tsv" | tr '\n' ',')
oack=$(awk -F'\t' '!/^#/ && $18 == 6 {print $1; exit}' "$tsv")
after=$(awk -F'\t' -v a="$oack" -v m="$mac" '!/^#/ && $1 > a && $3 == m {print $1; exit}' "$tsv")
got=$(jq -r '.findings[] | select(.id=="boot.delay" and .evidence.cause=="tftp_retry") | .frames | map(tostring) | join(",")' <<< "$j")
[ -n "$oack" ] && [ "$got" = "$rrqs$after" ] && ok "ipxe-boot-retries: boot.delay tftp_retry on read requests ${rrqs%,} (tshark), ended by $after" || ko "ipxe-boot-retries: TFTP retry '$got' want '$rrqs$after'"

# DHCPNAK: dhclient's INIT-REBOOT REQUEST for its old address, dnsmasq's NAK
# ("wrong network"), the ACK after it starts over
tsv="$src/captures/dhcp-nak.tshark-ipxe.tsv"
j=$("$bin" analyze -q -F json "$src/captures/dhcp-nak.pcap")
req=$(awk -F'\t' '!/^#/ && $8 == 3 && $9 == "10.80.9.50" {print $1; exit}' "$tsv")
nak=$(awk -F'\t' '!/^#/ && $8 == 6 {print $1 " " $11; exit}' "$tsv")
ack=$(awk -F'\t' '!/^#/ && $8 == 5 {print $1; exit}' "$tsv")
got=$(jq -r '.findings[] | select(.id=="dhcp.nak") | "\(.frames | map(tostring) | join(",")) \(.evidence.requested_ip) \(.evidence.server_message) \(.severity)"' <<< "$j")
[ -n "$req" ] && [ "$got" = "$req,${nak%% *},$ack 10.80.9.50 ${nak#* } warning" ] && ok "dhcp-nak: dhcp.nak on REQUEST $req, NAK ${nak%% *} (\"${nak#* }\"), lease at $ack" ||
	ko "dhcp-nak: '$got' want '$req,${nak%% *},$ack 10.80.9.50 ${nak#* } warning'"
got=$(jq -r '.boot[0].steps | map("\(.step):\(.frame)") | join(" ")' <<< "$j")
disc=$(awk -F'\t' '!/^#/ && $8 == 1 {print $1; exit}' "$tsv")
[ "$got" = "dhcp_nak:${nak%% *} dhcp_discover:$disc dhcp_ack:$ack" ] && ok "dhcp-nak: boot summary $got" || ko "dhcp-nak: boot summary '$got'"

# DHCPDECLINE: udhcpc -a found 10.80.1.150 answered by its owner
tsv="$src/captures/dhcp-decline.tshark-ipxe.tsv"
j=$("$bin" analyze -q -F json "$src/captures/dhcp-decline.pcap")
ack1=$(awk -F'\t' '!/^#/ && $8 == 5 && $10 == "10.80.1.150" {print $1; exit}' "$tsv")
dec=$(awk -F'\t' '!/^#/ && $8 == 4 {print $1 " " $9; exit}' "$tsv")
ack2=$(awk -F'\t' '!/^#/ && $8 == 5 && $10 != "10.80.1.150" {print $1; exit}' "$tsv")
got=$(jq -r '.findings[] | select(.id=="dhcp.decline") | "\(.frames | map(tostring) | join(",")) \(.evidence.declined_ip)"' <<< "$j")
[ -n "$ack1" ] && [ "$got" = "$ack1,${dec%% *},$ack2 ${dec#* }" ] && ok "dhcp-decline: dhcp.decline of ${dec#* } (ACK $ack1, DECLINE ${dec%% *}, new lease $ack2)" ||
	ko "dhcp-decline: '$got' want '$ack1,${dec%% *},$ack2 ${dec#* }'"
got=$(jq -r '.boot[0].steps | map("\(.step):\(.frame)") | join(" ")' <<< "$j")
[ "$got" = "dhcp_discover:1 dhcp_decline:${dec%% *} dhcp_ack:$ack2" ] && ok "dhcp-decline: boot summary $got (no OS step for udhcpc's ARP check)" || ko "dhcp-decline: boot summary '$got'"

# ARP on a Linux cooked (tcpdump -i any) capture: real probes still give
# arp.probe_delay (the positive control), an announcement alone does not
for cap in arp-any arp-any-sll1; do
tsv="$src/captures/$cap.tshark-ipxe.tsv"
j=$("$bin" analyze -q -F json "$src/captures/$cap.pcap")
lt=$(jq -r '.linktype' <<< "$j")
pm=$(awk -F'\t' '!/^#/ && $4 == 1 && $5 == "0.0.0.0" {print $3; exit}' "$tsv")
want=$(awk -F'\t' -v m="$pm" '!/^#/ && $3 == m && $4 == 1 && ($5 == "0.0.0.0" || $5 == $6) {print $1}' "$tsv" | tr '\n' ',')
ip1=$(awk -F'\t' -v m="$pm" '!/^#/ && $3 == m && $4 == "" {print $1; exit}' "$tsv")
got=$(jq -r '[.findings[] | select(.id=="arp.probe_delay")] | map("\(.flow) \(.frames | map(tostring) | join(",")) \(.severity)") | join(";")' <<< "$j")
[ "${lt#LINUX_SLL}" != "$lt" ] && [ "$got" = "host $pm ${want}$ip1 warning" ] && ok "$cap ($lt): arp.probe_delay only for $pm's probes (frames ${want}$ip1)" || ko "$cap: '$got' want 'host $pm ${want}$ip1 warning'"
done

# syslog over TCP (RFC 6587): a boot error for each message tshark shows
# that carries an iPXE error URL, or has severity err or worse and names a
# boot/DHCP/TFTP/iSCSI/SAN failure; not for a switch's %LINK-3-UPDOWN
tsv="$src/captures/syslog-tcp.tshark-ipxe.tsv"
j=$("$bin" analyze -q -F json "$src/captures/syslog-tcp.pcap")
want=$(awk -F'\t' '!/^#/ && $20 != "" {
	m = $20; sev = $19
	# octet counting: "LEN <PRI>..." is left in the message, PRI = 8 * facility + severity
	if (sev == "" && match(m, /^[0-9]+ <[0-9]+>/)) { p = substr(m, RSTART, RLENGTH); sub(/^[0-9]+ </, "", p); sev = (p + 0) % 8 }
	lm = tolower(m)
	boot = lm ~ /(^|[^a-z])(boot|dhcp|tftp|iscsi|san|pxe|ipxe)/
	bad = lm ~ /(fail|error|could not|cannot|unable|timed out|refused|denied|not found|no such|missing)/
	if (m ~ /ipxe\.org\/[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]/ || (sev != "" && sev <= 3 && boot && bad)) print $1 }' "$tsv" | tr '\n' ' ')
got=$(jq -r '[.findings[] | select(.id=="syslog.boot_error") | .frames[-1]] | map(tostring) | join(" ")' <<< "$j")
link=$(awk -F'\t' '!/^#/ && $20 ~ /LINK-3-UPDOWN/ {print $1}' "$tsv")
[ -n "$want" ] && [ "$want" = "$got " ] && [ -n "$link" ] && ! grep -qw "$link" <<< "$got" &&
	ok "syslog-tcp: syslog.boot_error on frames $got(not the %LINK-3-UPDOWN at $link)" || ko "syslog-tcp: got '$got' want '$want' (link $link)"
n=$(jq '.syslog | length' <<< "$j")
m=$(awk -F'\t' '!/^#/ && $20 != ""' "$tsv" | wc -l)
[ "$n" = "$m" ] && ok "syslog-tcp: all $m messages read from TCP (octet counting and newline framing)" || ko "syslog-tcp: $n messages, tshark $m"
f=$(awk -F'\t' '!/^#/ && $20 ~ /ipxe\.org/ {print $1}' "$tsv")
tl=$("$bin" analyze -q --timeline --no-stats "$src/captures/syslog-tcp.pcap")
grep -qE "^ +$f +[0-9.]+  >>> syslog/tcp 10\.80\.1\.50 <info> ipxe: Could not boot image" <<< "$tl" &&
	ok "syslog-tcp: the timeline prints the TCP message inline at frame $f" || ko "syslog-tcp: timeline"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
