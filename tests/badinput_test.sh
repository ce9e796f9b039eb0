#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# badinput_test.sh - bad input gets a clear error naming the file and the
# reason, the documented exit code, and keeps the results already read.
#   badinput_test.sh PKTDOCTOR SRCDIR
set -uo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
expect_rc() { # want got label
	[ "$1" = "$2" ] && ok "$3 (exit $2)" || ko "$3: exit $2, want $1"
}

good="$src/captures/bad-checksums.pcap"
size=$(stat -c %s "$good")

# A capture cut in the middle of its last record: the frames before it are
# still analysed and reported, with a capture.truncated_file finding.
head -c $((size - 10)) "$good" > "$tmp/cut.pcap"
"$bin" analyze -q -F json "$tmp/cut.pcap" > "$tmp/out" 2> "$tmp/err"
rc=$?
expect_rc 3 $rc "pcap cut mid-record"
grep -q "cut.pcap" "$tmp/err" && ok "message names the file" || ko "message does not name the file: $(cat "$tmp/err")"
grep -q "byte offset" "$tmp/err" && ok "message gives the byte offset" || ko "no byte offset in: $(cat "$tmp/err")"
full=$("$bin" analyze -q -F json "$good" | jq .frames)
got=$(jq .frames "$tmp/out")
[ "$got" = $((full - 1)) ] && ok "all $got complete frames before the cut were read" || ko "read $got frames, want $((full - 1))"
jq -e '.complete == false and (.error.byte_offset > 0)' "$tmp/out" > /dev/null && ok "JSON says complete=false with the offset" || ko "JSON lacks complete=false/error"
jq -e '[.findings[].id] | index("capture.truncated_file") != null' "$tmp/out" > /dev/null && ok "capture.truncated_file reported" || ko "no capture.truncated_file"
jq -e '[.findings[] | select(.id=="checksum.bad")] | length >= 6' "$tmp/out" > /dev/null && ok "findings before the cut kept" || ko "findings before the cut lost"

# pcapng cut inside a block.
ng="$src/captures/offload-partial.pcapng"
nsize=$(stat -c %s "$ng")
head -c $((nsize - 30)) "$ng" > "$tmp/cut.pcapng"
"$bin" analyze -q "$tmp/cut.pcapng" > "$tmp/out" 2> "$tmp/err"
expect_rc 3 $? "pcapng cut mid-block"
grep -q "cut.pcapng" "$tmp/err" && ok "pcapng message names the file" || ko "pcapng message: $(cat "$tmp/err")"

# pcapng whose third block (the first packet block) has a corrupt length:
# exit 3, the file and the offset named, the blocks before it kept.
python3 - "$ng" "$tmp/badlen.pcapng" <<'PY'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
off = 0
for _ in range(2):  # skip the section header and interface blocks
    off += struct.unpack_from("<I", d, off + 4)[0]
struct.pack_into("<I", d, off + 4, 0x7ffffff0)  # absurd block length
open(sys.argv[2], "wb").write(d)
PY
"$bin" analyze -q -F json "$tmp/badlen.pcapng" > "$tmp/out" 2> "$tmp/err"
expect_rc 3 $? "pcapng block with a bad length"
grep -q "badlen.pcapng" "$tmp/err" && grep -q "byte offset" "$tmp/err" && ok "bad block length: file and offset named" || ko "bad block length message: $(cat "$tmp/err")"
jq -e '.complete == false' "$tmp/out" > /dev/null && ok "bad block length: JSON says complete=false" || ko "bad block length JSON"

# Not a capture file.
printf 'this is not a capture file at all\n' > "$tmp/text.pcap"
"$bin" analyze -q "$tmp/text.pcap" > /dev/null 2> "$tmp/err"
expect_rc 3 $? "bad magic"
grep -q "text.pcap" "$tmp/err" && ok "bad magic message names the file" || ko "bad magic message: $(cat "$tmp/err")"

# Header only, then an absurd caplen in the first record.
head -c 24 "$good" > "$tmp/absurd.pcap"
printf '\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xff\x7f\xff\xff\xff\x7f' >> "$tmp/absurd.pcap"
"$bin" analyze -q "$tmp/absurd.pcap" > /dev/null 2> "$tmp/err"
expect_rc 3 $? "absurd caplen"

# Empty file, missing file, directory.
: > "$tmp/empty.pcap"
"$bin" analyze -q "$tmp/empty.pcap" > /dev/null 2>&1
expect_rc 3 $? "empty file"
"$bin" analyze -q "$tmp/does-not-exist.pcap" > /dev/null 2> "$tmp/err"
expect_rc 3 $? "missing file"
grep -q "does-not-exist.pcap" "$tmp/err" && ok "missing-file message names it" || ko "missing-file message: $(cat "$tmp/err")"
"$bin" analyze -q "$tmp" > /dev/null 2>&1
expect_rc 3 $? "a directory"

# One bad file among good ones: the good ones are still reported.
"$bin" analyze -q -F json "$good" "$tmp/empty.pcap" "$ng" > "$tmp/out" 2> /dev/null
expect_rc 3 $? "mixed good and bad files"
[ "$(jq -s 'map(select(.complete)) | length' "$tmp/out")" = 2 ] && ok "both good files reported as JSON Lines" || ko "good files not all reported"

# A flow table too small for the capture: the overflow is counted and
# reported, not fatal (offload-partial has 3 flows: TCP, UDP/IPv4, UDP/IPv6).
j=$("$bin" analyze -q -F json --max-flows 1 "$ng")
jq -e '.stats.flows.overflow > 0 and ([.findings[] | select(.id=="analysis.limit_reached" and .evidence.table=="flows")] | length == 1) and .complete' <<< "$j" > /dev/null &&
	ok "--max-flows 1: overflow counted and reported as analysis.limit_reached" || ko "flow overflow: $(jq -c .stats.flows <<< "$j")"

# Usage errors: exit 2.
"$bin" analyze > /dev/null 2>&1
expect_rc 2 $? "no file"
"$bin" analyze --bogus "$good" > /dev/null 2>&1
expect_rc 2 $? "unknown flag"
"$bin" analyze -F xml "$good" > /dev/null 2>&1
expect_rc 2 $? "unknown format"
"$bin" analyze --fail-on fatal "$good" > /dev/null 2>&1
expect_rc 2 $? "unknown severity"
for n in 0 -1 x 1000001; do
	"$bin" analyze --max-findings-per-id "$n" "$good" > /dev/null 2>&1
	expect_rc 2 $? "--max-findings-per-id $n"
done
for n in 0 x 1048577; do
	"$bin" analyze -i lo -B "$n" > /dev/null 2>&1
	expect_rc 2 $? "--buffer-size $n"
done
"$bin" analyze -B 64 "$good" > /dev/null 2> "$tmp/err"
expect_rc 2 $? "--buffer-size without -i"
grep -q "buffer-size go with -i" "$tmp/err" && ok "--buffer-size without -i says so" ||
	ko "--buffer-size without -i: $(cat "$tmp/err")"
for n in 0 x 1048577; do
	"$bin" monitor -i lo --no-tui -B "$n" > /dev/null 2>&1
	expect_rc 2 $? "monitor --buffer-size $n"
done
"$bin" monitor -r "$good" --no-tui -B 64 > /dev/null 2> "$tmp/err"
expect_rc 2 $? "monitor --buffer-size with -r"
grep -q "buffer-size and -Z go with -i" "$tmp/err" && ok "monitor --buffer-size with -r says so" ||
	ko "monitor --buffer-size with -r: $(cat "$tmp/err")"
jq -e '.source == null' <<< "$("$bin" analyze -q -F json "$good")" > /dev/null &&
	ok "a file's report has no source counters (source null)" || ko "a file's report has a source object"
"$bin" analyze -f "tcp port" "$good" > /dev/null 2> "$tmp/err"
expect_rc 2 $? "bad BPF filter"
grep -q "filter" "$tmp/err" && ok "filter error says so" || ko "filter error: $(cat "$tmp/err")"
"$bin" frobnicate > /dev/null 2>&1
expect_rc 2 $? "unknown command"
grep -q "Usage: pktdoctor analyze" <<< "$("$bin" --help)" && ok "--help prints usage" || ko "--help"

# Exit codes 0/1 by --fail-on.
"$bin" analyze -q "$src/captures/offload-valid.pcap" > /dev/null
expect_rc 0 $? "clean capture"
"$bin" analyze -q "$good" > /dev/null
expect_rc 1 $? "capture with errors"
"$bin" analyze -q --fail-on info "$ng" > /dev/null
expect_rc 1 $? "--fail-on info with info findings"
"$bin" analyze -q "$ng" > /dev/null
expect_rc 0 $? "info findings below the default --fail-on error"

# A BPF filter keeps tshark's frame numbers (counted over the whole file).
f=$("$bin" analyze -q -F json -f "icmp" "$good" | jq -c '[.findings[] | select(.id=="checksum.bad") | .frames[0]]')
[ "$f" = "[9]" ] && ok "filtered run keeps whole-file frame numbers" || ko "filtered frames: $f, want [9]"


# Numbers in flags: the whole argument, in range, or exit 2 naming the flag.
flagerr() { # want-substring label args...
	local want=$1 label=$2
	shift 2
	"$bin" analyze -q "$@" "$good" > /dev/null 2> "$tmp/err"
	local rc=$?
	[ $rc = 2 ] && grep -q -- "$want" "$tmp/err" && ok "$label: exit 2, '$(head -1 "$tmp/err")'" ||
		ko "$label: exit $rc, stderr '$(cat "$tmp/err")'"
}
flagerr "--max-flows: '99999999999999999999999' is out of range" "--max-flows past 2^64" --max-flows 99999999999999999999999
flagerr "--max-flows: '4294967296' is out of range" "--max-flows past 2^32" --max-flows 4294967296
flagerr "--max-hosts: ' 5' is not a whole number" "--max-hosts with a space" --max-hosts " 5"
flagerr "--max-frames: '+3'" "--max-frames with a sign" --max-frames +3
flagerr "--iscsi-timeout: '1e-12' is below one nanosecond" "--iscsi-timeout 1e-12" --iscsi-timeout 1e-12
flagerr "--handover-gap: 'nan'" "--handover-gap nan" --handover-gap nan
flagerr "--probe-delay-threshold: '0x10'" "--probe-delay-threshold 0x10" --probe-delay-threshold 0x10
flagerr "--frames: '3- 5'" "--frames with a space" --frames "3- 5"
flagerr "--frames: '1-99999999999999999999999'" "--frames past 2^64" --frames 1-99999999999999999999999
"$bin" analyze -q --iscsi-timeout 2.5e-3 --max-flows 4294967295 --frames 2- "$good" > /dev/null
expect_rc 1 $? "in-range numbers (2.5e-3 s, 2^32-1 flows, frames 2-) accepted"

# --syslog-file: a directory, a bad timestamp, an out-of-range year, a
# 100,000-byte line and a line starting with a NUL byte are usage errors
# naming the flag, the file and the line.
slog() { # want-substring label file
	"$bin" analyze -q --timeline "--syslog-file=$3" "$good" > /dev/null 2> "$tmp/err"
	local rc=$?
	[ $rc = 2 ] && grep -q -- "--syslog-file $4" "$tmp/err" && grep -q -- "$1" "$tmp/err" &&
		ok "$2: exit 2, '$(head -1 "$tmp/err")'" || ko "$2: exit $rc, stderr '$(cat "$tmp/err")'"
}
mkdir "$tmp/logdir"
slog "is a directory" "--syslog-file DIR" "$tmp/logdir" "$tmp/logdir"
printf '2026-11-22T03:14:02Z host a: fine\n2026-13-40T25:61:61Z host b: bad\n' > "$tmp/month.log"
slog "month 13 is not 01-12" "--syslog-file 2026-13-40T25:61:61Z" "$tmp/month.log" "$tmp/month.log:2:"
printf '2026-02-29T10:00:00Z host: no such day\n' > "$tmp/feb.log"
slog "day 29 is not a day of 2026-02" "--syslog-file Feb 29 2026" "$tmp/feb.log" "$tmp/feb.log:1:"
printf 'no stamp here\n9999-12-31T23:59:59Z host: far future\n' > "$tmp/y9999.log"
slog "outside 1970-01-01 .. 2262-04-11" "--syslog-file year 9999" "$tmp/y9999.log" "$tmp/y9999.log:2:"
printf 'Nov 22 24:00:00 host a: hour 24\n' > "$tmp/bsd.log"
slog "hour 24 is not 00-23" "--syslog-file RFC 3164 hour 24" "$tmp/bsd.log" "$tmp/bsd.log:1:"
printf '2026-11-22T03:14:02+25:00 host: offset\n' > "$tmp/off.log"
slog "UTC offset" "--syslog-file offset +25:00" "$tmp/off.log" "$tmp/off.log:1:"
{ echo "2026-11-22T03:14:02Z first"; head -c 100000 /dev/zero | tr '\0' x; echo; } > "$tmp/long.log"
slog "line longer than 8191 bytes" "--syslog-file 100,000-byte line" "$tmp/long.log" "$tmp/long.log:2:"
printf 'ok line\n\0hidden 2026-13-40T25:61:61Z\n' > "$tmp/nul.log"
slog "NUL byte at column 1" "--syslog-file line starting with NUL" "$tmp/nul.log" "$tmp/nul.log:2:"
# RFC 3164 stamps have no year: Feb 29 is checked in the capture's (2026).
printf 'Feb 29 00:00:00 host leap\n' > "$tmp/f29.log"
slog "day 29 is not a day of 2026-02" "--syslog-file RFC 3164 Feb 29 in a 2026 capture" "$tmp/f29.log" "$tmp/f29.log:1:"
# From a pipe (copied to a temporary file as it is checked): same checks.
"$bin" analyze -q --timeline --syslog-file <(printf 'x\n2026-11-31T00:00:00Z pipe\n') "$good" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q ":2: day 31 is not a day of 2026-11" "$tmp/err" && ok "--syslog-file from a pipe: bad line 2 named" ||
	ko "--syslog-file pipe: exit $rc, '$(cat "$tmp/err")'"
n=$("$bin" analyze -q --timeline --syslog-file <(printf '2026-11-22T03:23:58Z a\nb\n') "$good" | grep -c '>>> syslog file')
[ "$n" = 2 ] && ok "--syslog-file from a pipe: both lines merged" || ko "--syslog-file pipe merged $n lines"
# A valid file in several forms still merges (RFC 5424 with PRI, space for
# T, offset, comma fraction, RFC 3164, a continuation line).
printf '<34>1 2026-11-22T03:23:57.5+00:00 h app - - - a\n2026-11-22 03:23:58,25 b\n  continued\nNov 22 03:24:00 h c\n' > "$tmp/good.log"
"$bin" analyze -q --timeline --syslog-file "$tmp/good.log" "$good" > "$tmp/out" 2> "$tmp/err"
[ $? = 1 ] && [ "$(grep -c '>>> syslog file' "$tmp/out")" = 4 ] && ok "--syslog-file: valid forms merged (4 lines)" ||
	ko "--syslog-file valid forms: $(cat "$tmp/err") $(grep '>>> syslog file' "$tmp/out")"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
