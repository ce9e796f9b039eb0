#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# corpus_test.sh - robustness: every file of a capture corpus (default
# ../shared/corpus/tcpdump-tests, 830 real, partly malformed captures)
# goes through `pktdoctor analyze` with no crash, hang or sanitizer
# report, and gives valid JSON.  A file libpcap refuses must give exit 3
# and a message naming the file.
#
#   corpus_test.sh PKTDOCTOR CORPUS_DIR
# Exit 77 (ctest "skipped") when the corpus is not there.
set -uo pipefail
bin=$1
dir=$2
if [ ! -d "$dir" ]; then
	echo "SKIP: corpus directory $dir not found (it sits beside the project in shared/)"
	exit 77
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
pass=0
fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$dir"/*; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	timeout 60 "$bin" analyze -q -F json "$f" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	why=""
	if [ $rc -eq 124 ]; then
		why="timed out (hang?)"
	elif [ $rc -gt 3 ]; then
		why="exit $rc (crash?)"
	elif grep -q "ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:" "$tmp/err"; then
		why="sanitizer report"
	elif [ -s "$tmp/out" ] && ! jq -e . "$tmp/out" > /dev/null 2>&1; then
		why="output is not valid JSON"
	elif [ $rc -eq 3 ] && ! grep -qF "$name" "$tmp/err"; then
		why="exit 3 without a message naming the file"
	fi
	if [ -n "$why" ]; then
		fail=$((fail + 1))
		echo "FAIL $name: $why"
		head -20 "$tmp/err"
	else
		pass=$((pass + 1))
	fi
done
echo "corpus: $pass passed, $fail failed"
[ $fail -eq 0 ]
