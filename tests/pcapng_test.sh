#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# pcapng_test.sh - the pcapng reader and writer end to end.
#   pcapng_test.sh PKTDOCTOR BUILD_TESTS_DIR SRCDIR CORPUS_DIR
# 1. A 3-interface pcapng with mixed link types (Ethernet + Linux SLL +
#    raw IP), written by the writer from frames of the bundled captures,
#    is read to the end and every frame is analysed with its own link
#    type: the protocol and checksum counts equal those of the original
#    captures.  tshark (when installed) reads the same file, frame by
#    frame identical (scripts/compare-pcapng.py).
# 2. `cat X.pcapng | pktdoctor analyze -` gives the report that reading X
#    gives (input name aside), for captures/*.pcapng and the external
#    pcapng captures (when CORPUS_DIR is there).
# 3. The external captures libpcap stopped on are read whole.
# Parts needing tshark or the corpus say so and are skipped; the rest
# always runs.
set -uo pipefail
bin=$1
tdir=$2
src=$3
corpus=$4
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
skip() { echo "skip $1"; }
have_tshark=false
command -v tshark > /dev/null 2>&1 && have_tshark=true

# -- 1. mixed link types -------------------------------------------------
ins=("$src/captures/offload-partial.pcapng" "$src/captures/dhcp-rootpath.pcap"
	"$src/captures/arp-conflict.pcap" "$src/captures/bad-checksums.pcap"
	"$src/captures/tso-sender.pcapng")
if ! "$tdir/pcapng_mix" "$tmp/mix.pcapng" "${ins[@]}" > "$tmp/counts"; then
	ko "pcapng_mix could not write the mixed capture"
else
	n0=$(awk '$1=="if0"{print $2}' "$tmp/counts")
	n1=$(awk '$1=="if1"{print $2}' "$tmp/counts")
	n2=$(awk '$1=="if2"{print $2}' "$tmp/counts")
	total=$((n0 + n1 + n2))
	[ "$n1" -gt 10 ] && [ "$n2" -gt 10 ] && ok "writer: $n0 Ethernet, $n1 SLL, $n2 raw IP frames" ||
		ko "writer: too few frames per link type ($n0/$n1/$n2)"
	"$bin" analyze -q -F json "$tmp/mix.pcapng" > "$tmp/mix.json" 2> "$tmp/err"
	rc=$?
	[ $rc -le 1 ] && jq -e --argjson t $total '.complete and .frames == $t and .format == "pcapng"' \
		"$tmp/mix.json" > /dev/null && ok "mixed capture read to the end: $total frames" ||
		ko "mixed capture: exit $rc, $(jq -c '{complete, frames, error}' "$tmp/mix.json") $(cat "$tmp/err")"
	jq -e --argjson a $n0 --argjson b $n1 '.stats.protocols.eth == $a and .stats.protocols.sll == $b and
		.stats.unsupported_link == 0' "$tmp/mix.json" > /dev/null &&
		ok "each frame dissected with its own link type (eth $n0, sll $n1, raw $n2, none unsupported)" ||
		ko "link types: $(jq -c '.stats.protocols, .stats.unsupported_link' "$tmp/mix.json")"
	# the layers above the link are those of the originals
	for f in "${ins[@]}"; do "$bin" analyze -q -F json "$f"; done > "$tmp/orig.json"
	want_p=$(jq -S -s -c '[.[].stats.protocols | del(.eth, .sll)] | reduce .[] as $x ({}; reduce ($x | keys[]) as $k (.; .[$k] += $x[$k]))' "$tmp/orig.json")
	got_p=$(jq -S -c '.stats.protocols | del(.eth, .sll)' "$tmp/mix.json")
	want_c=$(jq -S -s -c '[.[].stats.checksums] | reduce .[] as $x ({}; reduce ($x | keys[]) as $l (.; reduce ($x[$l] | keys[]) as $v (.; .[$l][$v] += $x[$l][$v])))' "$tmp/orig.json")
	got_c=$(jq -S -c '.stats.checksums' "$tmp/mix.json")
	[ "$want_p" = "$got_p" ] && ok "protocol counts above the link layer equal the originals'" ||
		ko "protocols: mixed $got_p, originals $want_p"
	[ "$want_c" = "$got_c" ] && ok "checksum verdicts equal the originals' ($(jq -c '.tcp' <<< "$got_c") TCP)" ||
		ko "checksums: mixed $got_c, originals $want_c"
	# a BPF filter is compiled for each link type that appears
	got=$("$bin" analyze -q -F json -f tcp "$tmp/mix.pcapng" | jq '.packets')
	want=$(jq '.stats.protocols.tcp' "$tmp/mix.json")
	[ "$got" = "$want" ] && ok "-f tcp matches the $want TCP packets on all three link types" ||
		ko "-f tcp matched $got packets, want $want"
	jq -e --argjson t $total '.stats.epb_flags == $t' "$tmp/mix.json" > /dev/null &&
		ok "epb_flags read on every frame" || ko "epb_flags on $(jq .stats.epb_flags "$tmp/mix.json") of $total frames"
	if $have_tshark; then
		enc=$(tshark -n -r "$tmp/mix.pcapng" -T fields -e frame.encap_type 2> /dev/null | sort | uniq -c | awk '{printf "%s:%s ", $2, $1}')
		[ "$enc" = "1:$n0 25:$n1 7:$n2 " ] && ok "tshark reads the writer's file: $enc(WTAP encap:frames)" ||
			ko "tshark encapsulations: $enc, want 1:$n0 25:$n1 7:$n2"
		nip=$(tshark -n -r "$tmp/mix.pcapng" -Y "ip or ipv6" 2> /dev/null | wc -l)
		[ "$nip" = "$(jq '.stats.protocols.ipv4 + .stats.protocols.ipv6' "$tmp/mix.json")" ] &&
			ok "tshark finds the same $nip IP packets" || ko "tshark IP packets: $nip"
		# the capture point: interface name and offload text (IDB), the
		# host name from the NRB, hardware/OS/application from the SHB
		meta=$(tshark -n -N n -r "$tmp/mix.pcapng" -c 1 -T fields -E separator=";" -e frame.interface_name \
			-e frame.interface_description -e ip.src_host 2> /dev/null)
		[ "$meta" = "eth0;tx-checksumming: on, tso: on, gro: off;pktdoctor-test" ] &&
			ok "tshark sees if_name, if_description and the NRB host name: $meta" || ko "capture point: '$meta'"
		if command -v capinfos > /dev/null 2>&1; then
			shb=$(capinfos "$tmp/mix.pcapng" 2> /dev/null | grep -E "Capture (hardware|oper-sys|application)|MAC|IPv4" | tr -s ' ' | tr '\n' ';')
			case "$shb" in
			*"hardware: test rig"*"oper-sys: Linux"*"application: pktdoctor "*) ok "capinfos: SHB hardware, OS, application" ;;
			*) ko "capinfos SHB: $shb" ;;
			esac
		fi
		if /usr/bin/env python3 "$src/scripts/compare-pcapng.py" --dump "$tdir/pcapng_dump" \
			"$tmp/mix.pcapng" > "$tmp/cmp" 2>&1; then
			ok "pktdoctor and tshark agree frame by frame on the writer's file (times, flags, comments)"
		else
			ko "compare-pcapng on the writer's file:"
			cat "$tmp/cmp"
		fi
	else
		skip "tshark not installed: the writer's file is not read back with tshark"
	fi
fi

# -- 2. a pipe gives the same report as the file ---------------------------
files=("$src"/captures/*.pcapng "$tmp/mix.pcapng")
if [ -d "$corpus/external" ]; then
	for f in "$corpus"/external/*; do
		[ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] && files+=("$f")
	done
else
	skip "corpus $corpus/external not found: pipe check on captures/ only"
fi
for f in "${files[@]}"; do
	[ -f "$f" ] || continue
	# the input name is the only difference allowed (also in error messages)
	"$bin" analyze -q -F json "$f" 2> /dev/null | jq -S 'del(.input)' |
		sed "s#$f#(standard input)#g" > "$tmp/a.json"
	cat "$f" | "$bin" analyze -q -F json - 2> /dev/null | jq -S 'del(.input)' > "$tmp/b.json"
	if [ -s "$tmp/a.json" ] && cmp -s "$tmp/a.json" "$tmp/b.json"; then
		ok "pipe = file: $(basename "$f") ($(jq -c '[.frames, .complete]' "$tmp/a.json"))"
	else
		ko "pipe differs from file: $(basename "$f")"
		diff "$tmp/a.json" "$tmp/b.json" | head -10
	fi
done

# -- 3. the captures libpcap stopped on ----------------------------------
if [ -d "$corpus/external" ]; then
	for fw in pp-many_interfaces-1.pcapng:64 pp-pcapng-example.pcapng:159 \
		pngtg-test102-all-blocks.pcapng:8 pngtg-be-test202.pcapng:11; do
		f=${fw%%:*}
		want=${fw##*:}
		j=$("$bin" analyze -q -F json "$corpus/external/$f" 2> /dev/null)
		jq -e --argjson w "$want" '.complete and .frames == $w' <<< "$j" > /dev/null &&
			ok "$f read whole: $want frames as tshark ($(jq -c '[.packets, .stats.protocols.eth, .stats.protocols.sll, .stats.protocols.loopback]' <<< "$j") packets/eth/sll/null)" ||
			ko "$f: $(jq -c '{frames, complete, error}' <<< "$j"), want $want frames"
	done
else
	skip "corpus $corpus/external not found: pp-many_interfaces-1 and pngtg-* not checked"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
