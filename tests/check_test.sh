#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# check_test.sh - `pktdoctor check`, the CI gate: a changed expectation
# fails with a readable diff, --update rewrites, looser match modes,
# policies, JUnit XML that parses and has the expected structure.
#   check_test.sh PKTDOCTOR SRCDIR
set -uo pipefail
bin=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
ko() { fail=$((fail + 1)); echo "FAIL $1"; }

cp "$src"/captures/bad-checksums.pcap "$src"/captures/offload-valid.pcap "$tmp/"
mkdir "$tmp/exp"

# --update writes one file per capture; a second run then passes.
"$bin" check -q -e "$tmp/exp" --update "$tmp" > /dev/null
[ -f "$tmp/exp/bad-checksums.pcap.findings" ] && ok "--update wrote the expected file" || ko "--update wrote nothing"
out=$("$bin" check -e "$tmp/exp" "$tmp")
rc=$?
[ $rc = 0 ] && ok "unchanged captures pass (exit 0)" || ko "unchanged captures: exit $rc"
[ "$(tail -1 <<< "$out")" = "2 passed, 0 failed" ] && ok "closing line '2 passed, 0 failed'" || ko "closing line: $(echo "$out" | tail -1)"

# Change one expected frame: exit 1 and a diff that names the change.
sed -i 's/^checksum.bad error 9 /checksum.bad error 8 /' "$tmp/exp/bad-checksums.pcap.findings"
out=$("$bin" check -e "$tmp/exp" -j "$tmp/junit.xml" "$tmp")
rc=$?
[ $rc = 1 ] && ok "a changed expectation fails (exit 1)" || ko "changed expectation: exit $rc"
grep -q "~ changed: checksum.bad error 8 ICMP" <<< "$out" && grep -q "checksum.bad error 9 ICMP" <<< "$out" &&
	ok "the diff shows the expected and the actual line" || ko "diff unreadable: $out"
[ "$(tail -1 <<< "$out")" = "1 passed, 1 failed" ] && ok "closing line '1 passed, 1 failed'" || ko "closing line: $(echo "$out" | tail -1)"

# JUnit XML parses and has one testcase per capture, the failure carrying the diff.
python3 - "$tmp/junit.xml" <<'PY' && ok "JUnit XML well-formed with the expected structure" || ko "JUnit XML"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
assert root.tag == "testsuites", root.tag
suite = root.find("testsuite")
assert suite.get("tests") == "2" and suite.get("failures") == "1", suite.attrib
cases = {c.get("name").rsplit("/", 1)[-1]: c for c in suite.findall("testcase")}
assert set(cases) == {"bad-checksums.pcap", "offload-valid.pcap"}, cases.keys()
f = cases["bad-checksums.pcap"].find("failure")
assert f is not None and "checksum.bad error 8" in f.text, f
assert cases["offload-valid.pcap"].find("failure") is None
PY

# A removed line is "missing", an added line is "new".
sed -i '/^checksum.bad error 8 /d' "$tmp/exp/bad-checksums.pcap.findings"
echo "checksum.offload_partial info 1 host 10.9.9.9" >> "$tmp/exp/bad-checksums.pcap.findings"
out=$("$bin" check -e "$tmp/exp" "$tmp")
grep -q "+ new:     checksum.bad error 9 ICMP" <<< "$out" && ok "an unexpected finding is shown as new" || ko "new: $out"
grep -q "\- missing: checksum.offload_partial info 1 host 10.9.9.9" <<< "$out" && ok "an absent finding is shown as missing" || ko "missing: $out"

# Looser matching: frames changed but the same ids and counts.
"$bin" check -q -e "$tmp/exp" --update "$tmp" > /dev/null
sed -i 's/^checksum.bad error 9 /checksum.bad error 99 /' "$tmp/exp/bad-checksums.pcap.findings"
"$bin" check -q -e "$tmp/exp" "$tmp" > /dev/null && ko "exact mode missed a frame change" || ok "exact mode sees the frame change"
"$bin" check -q -m counts -e "$tmp/exp" "$tmp" > /dev/null && ok "--match counts ignores frames" || ko "--match counts"
sed -i '/^checksum.bad error 99 /d' "$tmp/exp/bad-checksums.pcap.findings"
"$bin" check -q -m counts -e "$tmp/exp" "$tmp" > /dev/null && ko "--match counts missed a count change" || ok "--match counts sees one finding fewer"
"$bin" check -q -m ids -e "$tmp/exp" "$tmp" > /dev/null && ok "--match ids only compares the set of ids" || ko "--match ids"

# Policies over captures with no baseline.
mkdir "$tmp/none"
printf '# no corruption allowed\nforbid checksum.bad\n' > "$tmp/p1"
"$bin" check -q -e "$tmp/none" -p "$tmp/p1" "$tmp/offload-valid.pcap" > /dev/null && ok "policy passes a clean capture" || ko "policy on clean capture"
out=$("$bin" check -e "$tmp/none" -p "$tmp/p1" "$tmp/bad-checksums.pcap")
[ $? = 1 ] && grep -q "policy line 2: forbid checksum.bad: 7 findings" <<< "$out" && ok "forbid rule fails with the rule's line" || ko "forbid: $out"
printf 'max-severity warning\n' > "$tmp/p2"
"$bin" check -q -e "$tmp/none" -p "$tmp/p2" "$tmp/bad-checksums.pcap" > /dev/null && ko "max-severity missed errors" || ok "max-severity warning fails on errors"
printf 'evidence checksum.bad should > 0\nmax-count checksum.bad 7\nrequire checksum.bad\n' > "$tmp/p3"
"$bin" check -q -e "$tmp/none" -p "$tmp/p3" "$tmp/bad-checksums.pcap" > /dev/null && ok "evidence/max-count/require rules pass when true" || ko "p3 rules"
printf 'max-count checksum.bad 6\n' > "$tmp/p4"
"$bin" check -q -e "$tmp/none" -p "$tmp/p4" "$tmp/bad-checksums.pcap" > /dev/null && ko "max-count 6 passed 7 findings" || ok "max-count fails when exceeded"
printf 'frobnicate all\n' > "$tmp/p5"
"$bin" check -e "$tmp/none" -p "$tmp/p5" "$tmp" > /dev/null 2> "$tmp/err"
[ $? = 2 ] && grep -q "p5:1" "$tmp/err" && ok "a bad policy line is a usage error naming file:line" || ko "bad policy: $(cat "$tmp/err")"

# No expectation and no policy: fail, and say how to create one.
out=$("$bin" check -e "$tmp/none" "$tmp/offload-valid.pcap")
[ $? = 1 ] && grep -q "create it with --update" <<< "$out" && ok "missing expectations fail with a hint" || ko "missing expectations: $out"


# Policies are read strictly: each bad line is a usage error (exit 2)
# naming --policy, the file and the line, and the reason.
pol() { # want-substring label: policy text on stdin
	cat > "$tmp/pol"
	"$bin" check -e "$tmp/none" -p "$tmp/pol" "$tmp/offload-valid.pcap" > /dev/null 2> "$tmp/err"
	local rc=$?
	[ $rc = 2 ] && grep -q -- "--policy $tmp/pol:" "$tmp/err" && grep -q -- "$1" "$tmp/err" &&
		ok "$2: exit 2, '$(head -1 "$tmp/err" | sed "s|$tmp/||")'" || ko "$2: exit $rc, '$(cat "$tmp/err")'"
}
pol "pol:2: .*not a finite decimal" "policy '>= nan'" < <(printf 'forbid checksum.bad\nevidence checksum.bad should >= nan\n')
pol "pol:1: .*not a finite decimal" "policy '> inf'" < <(printf 'evidence checksum.bad should > inf\n')
pol "pol:1: .*larger than 18446744073709551615" "policy count past 2^64" < <(printf 'max-count checksum.bad 18446744073709551616\n')
pol "pol:1: .*not a whole number" "policy count -1" < <(printf 'max-count checksum.bad -1\n')
pol 'pol:1: unknown finding id "x.1"' "policy 'forbid x.1'" < <(printf 'forbid x.1\n')
pol 'pol:2: unknown finding id "checksum.bda" (did you mean checksum.bad?' "policy typo names the closest id" < <(printf '# typo\nforbid checksum.bda\n')
pol 'did you mean tcp.retransmissions?' "policy 'tcp.retransmision' suggests tcp.retransmissions" < <(printf 'require tcp.retransmision\n')
pol "pol:2: line longer than 511 bytes" "policy 100,000-byte line is line 2" < <({ printf 'forbid checksum.bad\n'; head -c 100000 /dev/zero | tr '\0' x; printf '\nforbid packet.malformed\n'; })
pol "pol:2: NUL byte at column 1" "policy line starting with NUL" < <(printf 'forbid checksum.bad\n\0forbid x.1\n')
mkdir "$tmp/poldir"
"$bin" check -e "$tmp/none" -p "$tmp/poldir" "$tmp/offload-valid.pcap" > /dev/null 2> "$tmp/err"
rc=$?
[ $rc = 2 ] && grep -q -- "--policy $tmp/poldir: is a directory" "$tmp/err" && ok "policy that is a directory: exit 2" ||
	ko "policy directory: exit $rc, '$(cat "$tmp/err")'"
printf 'evidence checksum.bad should >= -1.5e0\nmax-count checksum.bad 18446744073709551615\n' > "$tmp/p6"
"$bin" check -q -e "$tmp/none" -p "$tmp/p6" "$tmp/bad-checksums.pcap" > /dev/null && ok "policy with -1.5e0 and a count of 2^64-1 accepted and passes" ||
	ko "policy p6: $("$bin" check -e "$tmp/none" -p "$tmp/p6" "$tmp/bad-checksums.pcap" 2>&1)"

# Expected-findings files too: an unknown id, bad frames, a huge frame
# number or a long line is a usage error naming the file and line.
mkdir "$tmp/bad"
exp() { # want-substring label: expected-file text on stdin
	cat > "$tmp/bad/offload-valid.pcap.findings"
	"$bin" check -e "$tmp/bad" "$tmp/offload-valid.pcap" > "$tmp/out" 2> "$tmp/err"
	local rc=$?
	[ $rc = 2 ] && grep -q "offload-valid.pcap.findings:" "$tmp/err" && grep -q -- "$1" "$tmp/err" &&
		ok "$2: exit 2, '$(head -1 "$tmp/err" | sed "s|$tmp/||")'" || ko "$2: exit $rc, '$(cat "$tmp/err")'"
}
exp 'findings:2: unknown finding id "checksum.bda" (did you mean checksum.bad?' "expected file with a mistyped id" < <(printf '# x\nchecksum.bda error 9 ICMP 10.77.0.1 -> 10.77.0.2\n')
exp 'findings:1: frames "9,,10"' "expected file with frames 9,,10" < <(printf 'checksum.bad error 9,,10 ICMP a -> b\n')
exp 'findings:1: frames "0"' "expected file with frame 0" < <(printf 'checksum.bad error 0 ICMP a -> b\n')
exp 'findings:1: frames' "expected file with a frame past 2^64" < <(printf 'checksum.bad error 99999999999999999999999 ICMP a -> b\n')
exp 'findings:1: frames' "expected file with a total below the frames listed" < <(printf 'checksum.bad error 1,2,3/2 ICMP a -> b\n')
exp 'findings:1: severity "fatal"' "expected file with severity fatal" < <(printf 'checksum.bad fatal 1 ICMP a -> b\n')
exp 'findings:1: line longer than 1023 bytes' "expected file with a 100,000-byte line" < <({ printf 'checksum.bad error 1 '; head -c 100000 /dev/zero | tr '\0' x; echo; })

# The policy example of docs/ci.md (rules with trailing '#' comments) loads.
python3 - "$src/docs/ci.md" > "$tmp/ci-policy" <<'PY'
import sys
s = open(sys.argv[1]).read()
a = s.index("```\n", s.index("Policy file, one rule a line:")) + 4
print(s[a:s.index("```", a)], end="")
PY
"$bin" check -e "$tmp/none" -p "$tmp/ci-policy" "$tmp/bad-checksums.pcap" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc = 1 ] && grep -q "policy line 1: forbid checksum.bad: 7 findings" "$tmp/out" &&
	ok "the docs/ci.md policy example loads; its comments are not part of the rules" ||
	ko "docs/ci.md policy: exit $rc, $(cat "$tmp/err") $(cat "$tmp/out")"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
