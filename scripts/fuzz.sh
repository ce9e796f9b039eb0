#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# fuzz.sh - time-boxed libFuzzer run of every harness (clang, ASan+UBSan).
#   scripts/fuzz.sh [SECONDS_PER_HARNESS [HARNESS...]]   (default 60, all)
# Seeds: the captures in captures/ and ../shared/corpus/tcpdump-tests/
# for fuzz_file; frames cut from the captures for fuzz_frame; for
# fuzz_pcapng every pcapng in captures/, ../shared/corpus/ (external and
# tcpdump-tests: read there, not copied, for their licences) and
# tests/fuzz/regressions/pcapng/.  A crash leaves its input in
# fuzz-out/<harness>/ and the script exits 1; fix it and add the input to
# tests/fuzz/regressions/<file|frame|pcapng>/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
harnesses=${*:-fuzz_frame fuzz_file fuzz_pcapng}
out=fuzz-out
corpus=${PD_CORPUS_DIR:-../shared/corpus}  # the shared corpus (other path: set PD_CORPUS_DIR)
build=build-fuzz
CC=${CC:-clang} cmake -S . -B "$build" -DCMAKE_C_COMPILER="${CC:-clang}" -DPD_FUZZ=ON \
	-DPD_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > /dev/null
cmake --build "$build" -j "$(nproc)" --target $harnesses > /dev/null

mkdir -p "$out/seed-file" "$out/seed-frame" "$out/corpus-file" "$out/corpus-frame" \
	"$out/fuzz_file" "$out/fuzz_frame" "$out/seed-pcapng" "$out/corpus-pcapng" "$out/fuzz_pcapng"
cp captures/*.pcap captures/*.pcapng "$out/seed-file/" 2> /dev/null || true
if [ -d "$corpus/tcpdump-tests" ]; then
	# small files only: libFuzzer's -max_len keeps inputs short anyway
	find "$corpus/tcpdump-tests" -type f -size -64k -exec cp {} "$out/seed-file/" \;
fi
# pcapng files for fuzz_pcapng, recognised by their magic
for f in captures/* "$corpus"/external/* "$corpus"/tcpdump-tests/* \
	tests/fuzz/regressions/pcapng/*; do
	[ -f "$f" ] && [ "$(head -c 4 "$f" | od -An -tx1 | tr -d ' ')" = 0a0d0d0a ] &&
		cp "$f" "$out/seed-pcapng/"
done
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

status=0
for h in $harnesses; do
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
