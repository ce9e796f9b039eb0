#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# monitor_eve_test.sh - the monitor's headless event stream, checked with
# jq against docs/json-schema.md ("Event stream"): every line one event
# with the EVE envelope; findings open before they close; the summary is
# the last event and carries the same verdicts as `analyze -F json`;
# syslog lines as they arrive; stats events; outputs to a file (reopened
# on SIGHUP), a unix socket and syslog (RFC 5424).
#   usage: monitor_eve_test.sh PKTDOCTOR SOURCE_DIR
set -u
PD=$(realpath "$1")
SRC=$2
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
T=$(mktemp -d /tmp/pdm9eve.XXXXXX)
fail=0
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "${KEEP:-}" ] || rm -rf "$T"
}
trap cleanup EXIT
cd "$SRC" || exit 1
bad() { echo "FAIL: $*"; fail=1; }

# the envelope every event has (Suricata EVE's names)
ENVELOPE='(.timestamp|type=="string" and test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+\\+0000$"))
  and (.host|type=="string" and length>0)
  and (.event_type|IN("nic","finding","stats","syslog","summary"))
  and (.in_iface|type=="string") and .schema_version==1
  and (if .src_port then (.src_port|type=="number") else true end)
  and (if .dest_port then (.dest_port|type=="number") else true end)'
check_stream() { # FILE: every line an event, the summary last and once
	local f=$1 n
	n=$(wc -l <"$f")
	[ "$n" -gt 0 ] || { bad "$f: no events"; return; }
	jq -e -c . "$f" >/dev/null 2>&1 || { bad "$f: a line is not JSON"; return; }
	[ "$(jq -c "select(($ENVELOPE)|not)" "$f" | wc -l)" -eq 0 ] ||
		bad "$f: events without the envelope: $(jq -c "select(($ENVELOPE)|not)" "$f" | head -2)"
	[ "$(tail -1 "$f" | jq -r .event_type)" = summary ] || bad "$f: the last event is not the summary"
	[ "$(jq -r 'select(.event_type=="summary")|1' "$f" | wc -l)" -eq 1 ] || bad "$f: not one summary"
}

# 1. standard output not a terminal: the stream without --no-tui
"$PD" monitor -r captures/oversize-blackhole.pcap --topspeed >"$T/seed.json"
rc=$?
[ $rc -eq 1 ] || bad "seed case: exit $rc, want 1 (errors found)"
check_stream "$T/seed.json"
# findings: flow fields from the finding's flow, open before close, the finding object
jq -e -s '[.[]|select(.event_type=="finding")] | length > 0 and all(.[];
	.proto=="TCP" and (.src_ip|type=="string") and (.dest_port|type=="number")
	and (.finding.id|type=="string") and (.finding.severity|IN("info","warning","error"))
	and (.finding_event|IN("open","update","close")) and (.finding_key|type=="number"))' \
	"$T/seed.json" >/dev/null || bad "finding events lack fields"
jq -e -s '[.[]|select(.event_type=="finding")] | group_by(.finding_key) | all(.[];
	.[0].finding_event=="open" and .[-1].finding_event=="close")' "$T/seed.json" >/dev/null ||
	bad "a finding does not open first and close last"
# the same verdicts as analyze
want=$("$PD" analyze -F json captures/oversize-blackhole.pcap | jq -c '[.findings[]|[.id,.flow,.message]]|sort')
got=$(tail -1 "$T/seed.json" | jq -c '[.report.findings[]|[.id,.flow,.message]]|sort')
[ "$want" = "$got" ] || bad "the summary's findings differ from analyze's"
closed=$(jq -s '[.[]|select(.finding_event=="close")]|length' "$T/seed.json")
[ "$closed" = "$(tail -1 "$T/seed.json" | jq '.report.findings|length')" ] ||
	bad "closed findings ($closed) differ from the summary's"
grep -q '"tcp.oversize_blackhole"' "$T/seed.json" || bad "no tcp.oversize_blackhole event"
[ "$(tail -1 "$T/seed.json" | jq .exit_code)" = 1 ] || bad "summary exit_code is not 1"

# 1b. an update that changes the severity: the NAK of captures/dhcp-nak.pcap
# is an error while the client has no lease (frame 2), a warning from the
# ACK that gives it one (frame 10), one key throughout; the summary agrees
"$PD" monitor --no-tui -r captures/dhcp-nak.pcap --topspeed >"$T/nak.json"
check_stream "$T/nak.json"
got=$(jq -s -c '[.[]|select(.event_type=="finding" and .finding.id=="dhcp.nak")
	|[.finding_event,.finding.severity,.finding.frames[-1]]]' "$T/nak.json")
[ "$got" = '[["open","error",2],["update","warning",10],["close","warning",10]]' ] ||
	bad "dhcp.nak events: $got"
[ "$(jq -s '[.[]|select(.finding.id=="dhcp.nak")|.finding_key]|unique|length' "$T/nak.json")" = 1 ] ||
	bad "dhcp.nak changed key"
[ "$(tail -1 "$T/nak.json" | jq -r '.report.findings[]|select(.id=="dhcp.nak")|.severity')" = warning ] ||
	bad "the summary's dhcp.nak is not the warning"

# 2. syslog lines as events, one per message analyze reports
"$PD" monitor --no-tui -r captures/ipxe-syslog.pcap --topspeed >"$T/sys.json"
check_stream "$T/sys.json"
want=$("$PD" analyze -F json captures/ipxe-syslog.pcap | jq -c '[.syslog[].message]')
got=$(jq -s -c '[.[]|select(.event_type=="syslog")|.syslog.message]' "$T/sys.json")
[ "$want" = "$got" ] || bad "syslog events differ from analyze's syslog list"$'\n'"$want"$'\n'"$got"
jq -e -s '[.[]|select(.event_type=="syslog")][0] | .proto=="UDP" and .src_ip=="10.79.0.50"' \
	"$T/sys.json" >/dev/null || bad "syslog event flow fields"

# 3. stats events while a paced replay runs (2 s at 8x)
"$PD" monitor --no-tui -r captures/oversize-blackhole.pcap --speed 8 --stats-interval 0.5 >"$T/st.json"
check_stream "$T/st.json"
ns=$(jq -s '[.[]|select(.event_type=="stats")]|length' "$T/st.json")
[ "$ns" -ge 2 ] || bad "only $ns stats events in 2 s at --stats-interval 0.5"
jq -e -s '[.[]|select(.event_type=="stats")] | all(.[]; (.stats.pps|type=="number")
	and (.stats.bps|type=="number") and .stats.drops.capture==null
	and (.stats.packets|type=="number"))' "$T/st.json" >/dev/null || bad "stats event fields"
jq -e -s '[.[]|select(.event_type=="stats")|.stats.packets] | . == sort' "$T/st.json" >/dev/null ||
	bad "packet counts go backwards"
jq -e -s '[.[]|select(.event_type=="stats")|.stats.pps] | max > 0' "$T/st.json" >/dev/null ||
	bad "no packet rate measured during the replay"

# 4. a file output, reopened on SIGHUP (logrotate); the text report on stdout
"$PD" monitor --no-tui -r captures/oversize-blackhole.pcap --speed 4 -o "$T/ev.json" \
	>"$T/report.txt" &
pid=$!
pids+=("$pid")
sleep 1.5
mv "$T/ev.json" "$T/ev.json.1"
kill -HUP "$pid"
wait "$pid"
[ -s "$T/ev.json" ] || bad "SIGHUP did not reopen the file"
[ -s "$T/ev.json.1" ] || bad "nothing was written before the rotation"
cat "$T/ev.json.1" "$T/ev.json" >"$T/ev.all"
check_stream "$T/ev.all"
grep -q "^STATISTICS" "$T/report.txt" || bad "no text report on standard output with -o FILE"

# 5. a unix stream socket (a log shipper's socket source)
python3 - "$T/sock" "$T/sock.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1); s.settimeout(20)
c, _ = s.accept()
with open(sys.argv[2], "wb") as out:
    while True:
        b = c.recv(65536)
        if not b:
            break
        out.write(b)
PY
lp=$!
pids+=("$lp")
for _ in $(seq 50); do [ -S "$T/sock" ] && break; sleep 0.1; done
"$PD" monitor -r captures/iscsi-boot.pcap --topspeed -o "unix:$T/sock" >/dev/null
wait "$lp"
check_stream "$T/sock.out"

# 6. syslog, RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG
python3 - "$T/log" "$T/log.out" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(3)
with open(sys.argv[2], "w") as out:
    try:
        while True:
            out.write(s.recv(1 << 20).decode() + "\n")
    except socket.timeout:
        pass
PY
lp=$!
pids+=("$lp")
for _ in $(seq 50); do [ -S "$T/log" ] && break; sleep 0.1; done
"$PD" monitor -r captures/oversize-blackhole.pcap --topspeed -o "syslog:$T/log" >/dev/null
wait "$lp"
n=$(wc -l <"$T/log.out")
[ "$n" -ge 5 ] || bad "only $n syslog messages"
grep -vqE '^<1[0-9]{2}>1 [0-9T:.-]+Z [^ ]+ pktdoctor [0-9]+ monitor - \{' "$T/log.out" &&
	bad "a message is not RFC 5424: $(grep -vE '^<1[0-9]{2}>1 ' "$T/log.out" | head -1)"
sed -E 's/^[^{]*//' "$T/log.out" >"$T/log.json"
check_stream "$T/log.json"
grep -q '^<131>1 ' "$T/log.out" || bad "no error (local0.err, PRI 131) message for the black hole"

# 7. errors: an output that cannot be opened; a bad filter; nothing to read
"$PD" monitor --no-tui -r captures/tcp-loss.pcap -o "unix:$T/none" >/dev/null 2>"$T/err"
[ $? -eq 2 ] || bad "unreachable socket: exit status is not 2"
grep -q "$T/none" "$T/err" || bad "the message does not name the socket"
"$PD" monitor --no-tui -r captures/tcp-loss.pcap -f 'tcp port' >/dev/null 2>"$T/err"
[ $? -eq 2 ] || bad "bad capture filter: exit status is not 2"
"$PD" monitor --no-tui -r "$T/missing.pcap" >/dev/null 2>"$T/err"
[ $? -eq 3 ] || bad "missing file: exit status is not 3"

# no permission to capture: a message that says what to do, exit 3
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1 &&
	! "$PD" monitor -i lo --no-tui --duration 0.2 2>&1 >/dev/null | grep -q "not available in this build"; then
	cp "$PD" "$T/pd" && chmod 755 "$T" "$T/pd"
	su nobody -s /bin/sh -c "$T/pd monitor -i lo --no-tui --duration 1" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 3 ] || bad "capture without permission: exit $rc, want 3"
	grep -q "CAP_NET_RAW" "$T/err" && grep -q "monitor -r FILE" "$T/err" ||
		bad "the permission message does not say what to do: $(cat "$T/err")"
fi

[ $fail -eq 0 ] && echo "PASS: event stream"
exit $fail
