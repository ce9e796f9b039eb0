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

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
