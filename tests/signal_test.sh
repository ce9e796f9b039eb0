#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# signal_test.sh - SIGINT or SIGTERM while a capture is being read stops
# the read; what was read is still analysed and reported, marked
# incomplete with the frame where it stopped, and the exit code is
# 128+signal.  The capture comes through a FIFO that a feeder fills
# slowly with the records of a bundled capture, so the signal always
# lands mid-read.
#   signal_test.sh PKTDOCTOR SRCDIR
set -uo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
feeder_pid=
run_pid=
cleanup() {
	[ -n "$run_pid" ] && kill "$run_pid" 2> /dev/null
	[ -n "$feeder_pid" ] && kill "$feeder_pid" 2> /dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

# feed FIFO: the pcap header, then the capture's records over and over,
# a batch every 20 ms, until the reader goes away (or 60 s pass); FED is
# created once five batches went through.
feed() {
	python3 - "$src/captures/tcp-loss.pcap" "$1" "$tmp/fed" <<'PY' &
import struct, sys, time
data = open(sys.argv[1], "rb").read()
end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
recs, off = [], 24
while off + 16 <= len(data):
    incl = struct.unpack_from(end + "I", data, off + 8)[0]
    recs.append(data[off:off + 16 + incl])
    off += 16 + incl
batch = b"".join(recs)
try:
    with open(sys.argv[2], "wb") as out:
        out.write(data[:24])
        t0, n = time.time(), 0
        while time.time() - t0 < 60:
            out.write(batch)
            out.flush()
            n += 1
            if n == 5:  # five batches through a 64 KiB pipe: the reader is reading
                open(sys.argv[3], "w").close()
            time.sleep(0.02)
except (BrokenPipeError, ConnectionResetError):
    pass
PY
	feeder_pid=$!
}

# run_stopped SIGNAL OUT ARGS...: start pktdoctor on a fed FIFO, signal it
# once the feeder has got five batches through, wait; sets $rc.
run_stopped() {
	local sig=$1 out=$2
	shift 2
	rm -f "$tmp/fifo.pcap" "$tmp/fed"
	mkfifo "$tmp/fifo.pcap"
	feed "$tmp/fifo.pcap"
	# job control on: a background job of a script would otherwise start
	# with SIGINT ignored, and pktdoctor keeps an ignored signal ignored
	[ -n "${keep_ignored:-}" ] || set -m
	"$bin" "$@" > "$out" 2> "$tmp/err" &
	run_pid=$!
	set +m
	for _ in $(seq 200); do # up to 20 s on a loaded machine
		[ -e "$tmp/fed" ] && break
		sleep 0.1
	done
	sleep 0.3
	if [ -n "${keep_ignored:-}" ]; then # SIGINT first: it must change nothing
		kill -s INT "$run_pid"
		sleep 0.5
	fi
	kill -s "$sig" "$run_pid"
	wait "$run_pid"
	rc=$?
	run_pid=
	wait "$feeder_pid" 2> /dev/null
	feeder_pid=
}

# JSON report: exit 130, complete=false, the frame where it stopped, and
# the findings of what was read (tcp-loss has retransmissions).
run_stopped INT "$tmp/out" analyze -q -F json "$tmp/fifo.pcap"
[ $rc = 130 ] && ok "SIGINT: exit 130" || ko "SIGINT: exit $rc, want 130 ($(cat "$tmp/err"))"
jq -e '.complete == false and .stopped_at_frame > 0 and .frames == .stopped_at_frame and .error.code == "interrupted"' "$tmp/out" > /dev/null &&
	ok "SIGINT: report with complete=false, stopped_at_frame $(jq .stopped_at_frame "$tmp/out")" ||
	ko "SIGINT: report: $(head -c 300 "$tmp/out")"
jq -e '[.findings[].id] | index("tcp.retransmissions") != null' "$tmp/out" > /dev/null &&
	ok "SIGINT: findings of the frames read are kept" || ko "SIGINT: no findings kept"
grep -q "stopped by SIGINT after frame" "$tmp/err" && ok "SIGINT: standard error says where it stopped" ||
	ko "SIGINT: stderr: $(cat "$tmp/err")"

# --timeline -F json: every line parses (none cut mid-object), one
# timeline line per frame read, and the report last.
run_stopped INT "$tmp/out" analyze -q -F json --timeline "$tmp/fifo.pcap"
[ $rc = 130 ] && ok "SIGINT with --timeline: exit 130" || ko "SIGINT --timeline: exit $rc"
if jq -c . "$tmp/out" > /dev/null 2>&1; then
	ok "SIGINT with --timeline: all $(wc -l < "$tmp/out") JSON lines parse"
else
	ko "SIGINT with --timeline: a line does not parse: $(tail -c 200 "$tmp/out")"
fi
last=$(tail -1 "$tmp/out")
n=$(jq -s '[.[] | select(.tool == null)] | length' "$tmp/out")
jq -e --argjson n "$n" '.tool == "pktdoctor" and .complete == false and .stopped_at_frame == $n' <<< "$last" > /dev/null &&
	ok "SIGINT with --timeline: the last line is the report; $n timeline lines = stopped_at_frame" ||
	ko "SIGINT with --timeline: last line $(head -c 200 <<< "$last"), $n timeline lines"

# SIGTERM, text report: exit 143 and the report says it stopped.
run_stopped TERM "$tmp/out" analyze -q "$tmp/fifo.pcap"
[ $rc = 143 ] && ok "SIGTERM: exit 143" || ko "SIGTERM: exit $rc, want 143"
grep -q "STOPPED by a signal after frame [1-9]" "$tmp/out" && grep -q "^  verdict:" "$tmp/out" &&
	ok "SIGTERM: the text report says where it stopped" || ko "SIGTERM: text: $(head -5 "$tmp/out")"

# Started with SIGINT ignored (a background job of a script without job
# control, nohup): SIGINT stays ignored, SIGTERM still stops with a report.
keep_ignored=1 run_stopped TERM "$tmp/out" analyze -q -F json "$tmp/fifo.pcap"
[ $rc = 143 ] && jq -e '.complete == false' "$tmp/out" > /dev/null &&
	ok "SIGINT ignored on entry stays ignored; SIGTERM then stops (exit 143)" || ko "ignored SIGINT: exit $rc"

# check --update: an interrupted capture must not become a baseline.
mkdir "$tmp/exp"
run_stopped INT "$tmp/out" check -e "$tmp/exp" --update "$tmp/fifo.pcap"
[ $rc = 130 ] && ok "check --update, SIGINT: exit 130" || ko "check --update SIGINT: exit $rc"
[ -z "$(ls "$tmp/exp")" ] && ok "check --update, SIGINT: no expected file written from part of a capture" ||
	ko "check --update SIGINT wrote: $(ls "$tmp/exp")"
grep -q "interrupted" "$tmp/out" && ok "check: the closing line says interrupted" || ko "check output: $(cat "$tmp/out")"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
