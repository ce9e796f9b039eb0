#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# monitor_tui_test.sh - drive `pktdoctor monitor` in tmux (send-keys,
# capture-pane) over replays of the bundled captures: the panes show the
# expected findings, connections, boot steps and syslog lines; pause,
# filter (an invalid one red), sort, detail, help and quit work; SIGTERM
# and q restore the terminal (stty -a unchanged, the shell answers).
#   usage: monitor_tui_test.sh PKTDOCTOR SOURCE_DIR
set -u
PD=$(realpath "$1")
SRC=$2
if ! command -v tmux >/dev/null; then
	echo "SKIP: tmux is not installed"
	exit 77
fi
S=pdm9tui$$
T=$(mktemp -d /tmp/pdm9tui.XXXXXX)
fail=0
cleanup() { tmux kill-session -t "=$S" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
SRC=$(realpath "$SRC")
# run in the scratch directory: the save key writes there
cd "$T" || exit 1
ln -s "$SRC/captures" captures

screen() { tmux capture-pane -p -t "$S"; }
bad() { echo "FAIL: $*"; screen | sed 's/^/    | /'; fail=1; }
wait_for() { # TEXT [seconds]: until the screen shows TEXT
	local i n=$(( ${2:-10} * 10 ))
	for ((i = 0; i < n; i++)); do
		screen | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
expect() { wait_for "$1" "${2:-5}" || bad "screen does not show '$1'"; }
expect_not() { screen | grep -qF -- "$1" && bad "screen shows '$1'"; return 0; }
keys() { tmux send-keys -t "$S" "$@"; sleep 0.3; }
# run CMD in a fresh 80x24 shell, recording the terminal state around it
NSTART=0
start() {
	local old=$S
	NSTART=$((NSTART + 1))
	# a new session each time, made before the old one is killed: the tmux
	# server never runs out of sessions and exits under a new-session
	S=pdm9tui$$-$NSTART
	tmux new-session -d -s "$S" -x 80 -y 24 "env PS1='PDM\$ ' bash --norc --noprofile"
	tmux kill-session -t "=$old" 2>/dev/null # exact name: -t also matches prefixes
	wait_for 'PDM$' 5 || bad "the shell in tmux did not start"
	tmux send-keys -t "$S" "stty -a > $T/before; $*; echo EXIT=\$?; stty -a > $T/after" Enter
}
finished() { # EXPECTED_EXIT (a regex): the command ended, the terminal is as it was
	wait_for "EXIT=" 10 || { bad "the monitor did not exit"; return; }
	screen | grep -qE "EXIT=$1\b" || bad "exit status is not $1"
	sleep 0.2
	cmp -s "$T/before" "$T/after" || { bad "stty -a changed"; diff "$T/before" "$T/after"; }
	tmux send-keys -t "$S" "clear; echo ALIVE-\$((6*7))" Enter
	wait_for "ALIVE-42" 3 || bad "the shell does not answer after the monitor"
}

# 1. the seed case replayed at 50x: findings, connections, sort, detail,
#    filter, help, quit with the report and --fail-on's exit status
start "$PD monitor -r captures/oversize-blackhole.pcap --speed 50"
expect "[ENDED]" 10
expect "tcp.oversize_blackhole"
expect "tcp.retransmission_storm"
expect "Findings (12)"
expect "F10Quit"
keys Tab
expect "sort: retransmissions"
expect "8240/1460"
expect "10.78.3.2:3260"
keys s
expect "sort: bytes"
keys s
expect "sort: segment/MSS"
keys s
expect "sort: RTT"
keys BTab
expect "message  (+ new"
# the detail of the black hole, picked out with the display filter
keys / i d : t c p . o v e r s i z e Enter
expect "(4 rows)"
keys Home Enter
expect "Finding detail"
expect "tcp.oversize_blackhole"
expect "receiver_mss"
expect "Advice:"
keys Escape
expect "Findings (12)"
# the save key: the finding's packets as pcapng, which analyze reads to the same verdict
keys w
expect "saved "
f=$(ls pktdoctor-tcp.oversize_blackhole-*.pcapng 2>/dev/null | head -1)
if [ -n "$f" ]; then
	"$PD" analyze "$f" | grep -q "tcp.oversize_blackhole" ||
		bad "the saved packets do not show the black hole to analyze"
else
	bad "the save key wrote no file"
fi
keys /
for _ in $(seq 16); do tmux send-keys -t "$S" BSpace; done
keys Enter
expect_not "Filter:"
# an invalid filter is red (white on red: SGR 41) and says why
keys / p o r t : 9 9 9 9 9
expect "[invalid: port:99999"
tmux capture-pane -p -e -t "$S" | grep "Filter: port:99999" | grep -q $'\e\[41m' ||
	bad "the invalid filter is not drawn red"
keys BSpace BSpace BSpace BSpace BSpace 4 8 8 6 8 Enter
expect "(3 rows)"
expect_not "[invalid"
expect_not "48854"
keys / BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace BSpace Enter
keys '?'
expect "pause the display"
keys x
keys q
expect "STATISTICS"
finished 1

# 2. the boot pane: the boot steps of one client, the iPXE syslog lines inline
start "$PD monitor -r captures/iscsi-boot.pcap --topspeed"
expect "[ENDED]"
keys Tab Tab
expect "02:79:00:00:01:50"
expect "login +"
expect "Registered SAN device 0x80"
keys q
finished 0
start "$PD monitor -r captures/ipxe-syslog.pcap --topspeed"
expect "[ENDED]"
keys Tab Tab
expect "Could not boot image"
keys q
finished 1 # ipxe.error: the boot failed

# 3. connections sorted by retransmissions: the lossy connection first
start "$PD monitor -r captures/tcp-loss.pcap --topspeed --fail-on warning"
expect "[ENDED]"
expect "tcp.retransmissions"
keys Tab
screen | sed -n 8p | grep -q "10.78.2.1:59222" || bad "the lossy connection is not first"
keys q
finished 1

# 4. pause: the screen freezes while the replay goes on; End resumes
start "$PD monitor -r captures/oversize-blackhole.pcap --speed 2"
expect "REPLAY 2x" 5
sleep 1
keys p
expect "PAUSED"
a=$(screen)
sleep 2
b=$(screen)
[ "$a" = "$b" ] || bad "the screen changed while paused"
keys End
expect_not "PAUSED"
sleep 1.2
c=$(screen | sed -n 4p)
[ "$c" != "$(echo "$a" | sed -n 4p)" ] || bad "the counters did not move after End"
# 5. SIGTERM: a normal end, the terminal restored, the report printed
pid=$(pgrep -P "$(tmux display -p -t "$S" '#{pane_pid}')" -x pktdoctor)
if [ -n "$pid" ]; then
	kill -TERM "$pid"
	expect "STATISTICS"
	finished 1
else
	bad "cannot find the monitor's pid"
fi

# 5b. a crash (here a SIGSEGV sent to it) still gives the terminal back
start "$PD monitor -r captures/oversize-blackhole.pcap --speed 1"
expect "REPLAY 1x" 5
pid=$(pgrep -P "$(tmux display -p -t "$S" '#{pane_pid}')" -x pktdoctor)
if [ -n "$pid" ]; then
	kill -SEGV "$pid"
	finished '[1-9][0-9]*'
else
	bad "cannot find the monitor's pid"
fi

# 6. -w: everything captured, as pcapng, read back by analyze to the same verdicts
start "$PD monitor -r captures/tcp-loss.pcap --topspeed -w $T/all.pcapng"
expect "[ENDED]"
keys q
finished 0
a=$("$PD" analyze -F json captures/tcp-loss.pcap | jq -c '[.findings[]|[.id,.flow,.message]]')
b=$("$PD" analyze -F json "$T/all.pcapng" | jq -c '[.findings[]|[.id,.flow,.message]]')
[ "$a" = "$b" ] || bad "-w: analyze of the written pcapng differs"
[ "$("$PD" analyze -F json "$T/all.pcapng" | jq .packets)" = 565 ] || bad "-w: not all 565 packets"

# 7. a pipe: the capture on standard input, the keys from the terminal
start "cat captures/oversize-blackhole.pcap | $PD monitor -r - --topspeed"
expect "[ENDED]"
expect "tcp.oversize_blackhole"
keys q
finished 1

# 8. 80x24 is enough: nothing drawn past the bottom bar
start "$PD monitor -r captures/iscsi-boot.pcap --topspeed"
expect "[ENDED]"
[ "$(screen | wc -l)" -le 24 ] || bad "more than 24 lines"
screen | tail -1 | grep -q "F10Quit" || bad "the function bar is not the last line"
tmux resize-window -t "$S" -x 100 -y 30 2>/dev/null
sleep 0.5
screen | sed -n 30p | grep -q "F10Quit" || bad "not redrawn at 100x30 (SIGWINCH)"
tmux resize-window -t "$S" -x 80 -y 24 2>/dev/null
sleep 0.3
keys q
finished 0

[ $fail -eq 0 ] && echo "PASS: monitor screen over replays"
exit $fail
