#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# write_errors_test.sh - a report that cannot be written is an error
# (exit 3 and a message saying why), never a silent success: standard
# output on a full device (/dev/full), --junit on a full device, and
# check --update into a full file system.  The full file system is a
# 16 KiB tmpfs mounted in a private mount namespace (unshare -m), so it
# disappears with the test; without the rights for that, a file-size
# limit (ulimit -f 0, SIGXFSZ ignored) makes the writes fail instead.
#   write_errors_test.sh PKTDOCTOR SRCDIR
set -uo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

if [ ! -w /dev/full ]; then
	echo "SKIP: /dev/full is missing, no device to fail writes on"
	exit 77
fi
cap=$src/captures/bad-checksums.pcap

for args in "analyze" "analyze -F json" "analyze --timeline" "analyze -F json --timeline"; do
	# shellcheck disable=SC2086
	"$bin" $args -q "$cap" > /dev/full 2> "$tmp/err"
	rc=$?
	[ $rc = 3 ] && grep -q "No space left on device" "$tmp/err" &&
		ok "$args > /dev/full: exit 3, '$(head -1 "$tmp/err")'" || ko "$args > /dev/full: exit $rc, stderr '$(cat "$tmp/err")'"
done

for args in "--help" "--version" "analyze --help" "check --help"; do
	# shellcheck disable=SC2086
	"$bin" $args > /dev/full 2> "$tmp/err"
	rc=$?
	[ $rc = 3 ] && grep -q "cannot write to standard output: No space left" "$tmp/err" &&
		ok "$args > /dev/full: exit 3" || ko "$args > /dev/full: exit $rc, '$(cat "$tmp/err")'"
done

cp "$cap" "$src/captures/offload-valid.pcap" "$tmp/"
mkdir "$tmp/exp"
"$bin" check -q -e "$tmp/exp" --update "$tmp" > /dev/null || ko "check --update into a fresh directory failed"

"$bin" check -e "$tmp/exp" "$tmp" > /dev/full 2> "$tmp/err"
rc=$?
[ $rc = 3 ] && grep -q "cannot write to standard output" "$tmp/err" && ok "check > /dev/full: exit 3" ||
	ko "check > /dev/full: exit $rc, '$(cat "$tmp/err")'"

"$bin" check -q -e "$tmp/exp" -j /dev/full "$tmp" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 3 ] && grep -q -- "--junit /dev/full: cannot write: No space left" "$tmp/err" &&
	ok "check -j /dev/full: exit 3 with the reason" || ko "check -j /dev/full: exit $rc, '$(cat "$tmp/err")'"
grep -q "2 passed, 0 failed" "$tmp/out" && ok "check -j /dev/full: the results are still printed" || ko "check -j: $(cat "$tmp/out")"

# check --update into a file system with no room left: exit 3, the reason,
# and the expected file from before left whole (no half-written file).
cp "$tmp/exp/bad-checksums.pcap.findings" "$tmp/old.findings"
echo "# an older baseline" >> "$tmp/old.findings"
update_on_full_fs() { # DIR [limit]: fill it (or limit file sizes to 0), then update into it
	cp "$tmp/old.findings" "$1/bad-checksums.pcap.findings"
	dd if=/dev/zero of="$1/fill" bs=1k count=1024 2> /dev/null
	if [ $# -gt 1 ]; then
		# the limit must not hit the output: it goes through a pipe
		(trap '' XFSZ; ulimit -f 0; exec "$bin" check -q -e "$1" --update "$tmp/bad-checksums.pcap") \
			2> /dev/null | cat > "$tmp/out"
		echo "${PIPESTATUS[0]}" > "$tmp/rc"
	else
		"$bin" check -q -e "$1" --update "$tmp/bad-checksums.pcap" > "$tmp/out" 2> "$tmp/err"
		echo $? > "$tmp/rc"
	fi
	cp "$1/bad-checksums.pcap.findings" "$tmp/after.findings"
	ls "$1" > "$tmp/ls"
}
export -f update_on_full_fs
export bin tmp
how=
if [ "$(id -u)" = 0 ] && unshare -m true 2> /dev/null; then
	mkdir "$tmp/mnt"
	if unshare -m bash -c 'mount -t tmpfs -o size=16k tmpfs "$tmp/mnt" && update_on_full_fs "$tmp/mnt"'; then
		how="a full 16 KiB tmpfs"
	fi
fi
if [ -z "$how" ]; then
	mkdir -p "$tmp/lim"
	update_on_full_fs "$tmp/lim" limit
	how="a file-size limit of 0 (no tmpfs: not root or no mount namespace)"
fi
rc=$(cat "$tmp/rc")
[ "$rc" = 3 ] && ok "check --update on $how: exit 3" || ko "check --update on $how: exit $rc, out '$(cat "$tmp/out")'"
grep -qE "cannot write .*bad-checksums.pcap.findings.tmp: (No space left on device|File too large) .*left as it was" "$tmp/out" &&
	ok "check --update: says it could not write and why: $(grep -o 'cannot write.*' "$tmp/out")" ||
	ko "check --update message: '$(cat "$tmp/out")'"
cmp -s "$tmp/old.findings" "$tmp/after.findings" && ok "check --update: the old expected file is intact" ||
	ko "check --update damaged the old file: $(head -3 "$tmp/after.findings")"
grep -q '\.tmp$' "$tmp/ls" && ko "check --update left a temporary file: $(cat "$tmp/ls")" || ok "check --update: no temporary file left"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
