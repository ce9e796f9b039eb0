#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# external_test.sh - pktdoctor on public captures nobody here made
# (../shared/corpus/external; sources in its README.md).  Every finding
# was reviewed against tshark and the frames (docs/peers.md, "External
# captures"); the reviewed findings are pinned in EXPECTED_DIR and checked
# with pktdoctor's own CI gate, so any new warning or error (a false alarm)
# and any finding that disappears (a real problem missed) fails.
#
#   external_test.sh PKTDOCTOR CORPUS_DIR EXPECTED_DIR
#
# PKTDOCTOR_EXTERNAL_CORPUS overrides CORPUS_DIR.  A capture libpcap
# refuses has EXPECTED_DIR/<name>.refused instead of a .findings file: it
# must give exit 3 and a message naming the file.  A capture with neither
# has not been reviewed and fails.  Exit 77 (skipped) without the corpus.
set -uo pipefail
bin=$1
dir=${PKTDOCTOR_EXTERNAL_CORPUS:-$2}
exp=$3
if [ ! -d "$dir" ]; then
	echo "SKIP: external corpus $dir not found (it sits beside the project in shared/corpus/external;"
	echo "      set PKTDOCTOR_EXTERNAL_CORPUS to run from elsewhere)"
	exit 77
fi
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }
files=()
for f in "$dir"/*; do
	[ -f "$f" ] || continue
	name=$(basename "$f")
	case "$name" in *.pcap | *.pcapng | *.cap) ;; *) continue ;; esac
	if [ -f "$exp/$name.refused" ]; then
		err=$("$bin" analyze -q -F json "$f" 2>&1 > /dev/null)
		rc=$?
		[ $rc -eq 3 ] && grep -qF "$name" <<< "$err" && ok "$name: refused (exit 3): ${err##*: }" ||
			ko "$name: expected exit 3 naming the file, got exit $rc: $err"
	elif [ -f "$exp/$name.findings" ]; then
		files+=("$f")
	else
		ko "$name: not reviewed (no $exp/$name.findings or .refused)"
	fi
done
[ ${#files[@]} -gt 0 ] || { ko "no capture to check in $dir"; echo "$pass passed, $fail failed"; exit 1; }
if "$bin" check -e "$exp" "${files[@]}"; then
	ok "pktdoctor check: ${#files[@]} captures match their reviewed findings"
else
	ko "pktdoctor check: a capture differs from its reviewed findings (diff above)"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
