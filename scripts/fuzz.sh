#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# fuzz.sh - time-boxed libFuzzer run of every harness (clang, ASan+UBSan).
#   scripts/fuzz.sh [TOTAL_SECONDS]   (default $PD_FUZZ_SECONDS, else 150)
# One budget for the whole run, split evenly over the harnesses but at
# least 20 s each, so adding a harness does not stretch CI without bound
# (the total is then 20 s x harnesses at the least).
# Harnesses and their seeds:
#   fuzz_frame   frames cut from captures/*.pcap
#   fuzz_file    captures/ and ../shared/corpus/tcpdump-tests/ (with --timeline)
#   fuzz_pcapng  the pcapng reader alone: every pcapng in captures/ and
#                ../shared/corpus/ (read there, not copied, for licences)
#   fuzz_syslog  --syslog-file text: tests/fuzz/regressions/syslog/
#   fuzz_policy  check --policy: the docs/ci.md example, regressions/policy/
#   fuzz_expect  expected-findings files: tests/expected/, regressions/expect/
# Every harness also starts from its tests/fuzz/regressions/<kind>/.  A
# crash leaves its input in fuzz-out/<harness>/ and the script exits 1;
# fix it and add the input to tests/fuzz/regressions/<kind>/, which ctest
# replays.
set -euo pipefail
cd "$(dirname "$0")/.."
harnesses=(fuzz_frame fuzz_file fuzz_pcapng fuzz_syslog fuzz_policy fuzz_expect)
corpus=${PD_CORPUS_DIR:-../shared/corpus}  # the shared corpus (other path: set PD_CORPUS_DIR)
total=${1:-${PD_FUZZ_SECONDS:-150}}
case $total in '' | *[!0-9]*) echo "fuzz.sh: '$total' is not a number of seconds" >&2; exit 2 ;; esac
secs=$((total / ${#harnesses[@]}))
[ "$secs" -ge 20 ] || secs=20
out=fuzz-out
build=build-fuzz
jobs=$(nproc 2> /dev/null || echo 2)
[ "$jobs" -le 2 ] || jobs=2
CC=${CC:-clang} cmake -S . -B "$build" -DCMAKE_C_COMPILER="${CC:-clang}" -DPD_FUZZ=ON \
	-DPD_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$jobs" --target "${harnesses[@]}" > /dev/null

for h in "${harnesses[@]}"; do
	kind=${h#fuzz_}
	mkdir -p "$out/seed-$kind" "$out/corpus-$kind" "$out/$h"
	cp tests/fuzz/regressions/"$kind"/* "$out/seed-$kind/" 2> /dev/null || true
done
cp captures/*.pcap captures/*.pcapng "$out/seed-file/" 2> /dev/null || true
if [ -d "$corpus/tcpdump-tests" ]; then
	# small files only: libFuzzer's -max_len keeps inputs short anyway
	find "$corpus/tcpdump-tests" -type f -size -64k -exec cp {} "$out/seed-file/" \;
fi
# pcapng files for fuzz_pcapng, recognised by their magic
for f in captures/* "$corpus"/external/* "$corpus"/tcpdump-tests/*; do
	[ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] &&
		cp "$f" "$out/seed-pcapng/"
done
for f in tests/expected/*.findings; do cp "$f" "$out/seed-expect/$(basename "$f")"; done
# the policy example of docs/ci.md, and the policies and syslog lines the
# shell tests write
python3 - docs/ci.md "$out/seed-policy/ci-md" <<'PY'
import sys
s = open(sys.argv[1]).read()
a = s.index("```\n", s.index("Policy file, one rule a line:")) + 4
open(sys.argv[2], "w").write(s[a:s.index("```", a)])
PY
seed_printf() { # SCRIPT REGEX DIR PREFIX: each "printf '...'" of the script as a seed
	local n=0 l
	grep -ohE "printf '$2[^']*'" "$1" | sed "s/^printf '//; s/'\$//" | while IFS= read -r l; do
		n=$((n + 1))
		# shellcheck disable=SC2059
		printf "$l" > "$3/$4-$n"
	done
}
seed_printf tests/check_test.sh "(forbid|require|max-|evidence|# )" "$out/seed-policy" check-test
seed_printf tests/badinput_test.sh "(<[0-9]+>|[0-9]{4}-|[A-Z][a-z][a-z] )" "$out/seed-syslog" badinput
# frames for fuzz_frame: byte 0 = link type index (0 = Ethernet), byte 1 = 0
python3 - "$out/seed-frame" captures/*.pcap <<'PY'
import struct, sys, os
dst = sys.argv[1]
n = 0
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    if len(data) < 24:
        continue
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        continue
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        with open(os.path.join(dst, "f%04d" % n), "wb") as f:
            f.write(b"\x00\x00" + frame)
        n += 1
PY

echo "fuzz.sh: ${#harnesses[@]} harnesses, ${secs}s each (budget ${total}s)"
status=0
for h in "${harnesses[@]}"; do
	kind=${h#fuzz_}
	echo "fuzz.sh: $h for ${secs}s"
	if ! ASAN_OPTIONS=detect_leaks=1 "$build/tests/fuzz/$h" -max_total_time="$secs" \
		-timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
		-artifact_prefix="$out/$h/" "$out/corpus-$kind" "$out/seed-$kind" \
		> "$out/$h.log" 2>&1; then
		echo "fuzz.sh: $h FOUND A CRASH; input in $out/$h/:"
		ls "$out/$h"
		tail -40 "$out/$h.log"
		status=1
	else
		grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$out/$h.log" | sed "s/^/  /"
	fi
done
exit $status
