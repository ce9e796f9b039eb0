#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# compare-pcapng-speed.sh - pktdoctor's pcapng reader against libpcap's on
# a large single-link-type pcapng (docs/benchmarks.md).
#   scripts/compare-pcapng-speed.sh BUILD_DIR [COPIES [OLD_PKTDOCTOR]]
# Writes /tmp/pd-speed-XXXX/big.pcapng: captures/tcp-loss.pcap (565 real
# frames, ~1000 bytes each) repeated COPIES times (default 400: ~230 MB),
# each copy 400 s after the previous, as dumpcap writes it (SHB, one IDB
# with if_tsresol 10^-9, EPBs without options).  Then, best of 3:
#   - BUILD_DIR/tests/pcapng_readbench: read to the end through
#     pktdoctor's source and through libpcap's pcap_next_ex();
#   - BUILD_DIR/pktdoctor analyze -q -F json (the whole analysis), and
#     OLD_PKTDOCTOR if given (e.g. a build from before the reader).
# The file is deleted at the end.
set -euo pipefail
build=$1
copies=${2:-400}
old=${3:-}
src=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d /tmp/pd-speed-XXXX)
trap 'rm -rf "$tmp"' EXIT
[ -n "${KEEP:-}" ] && trap - EXIT  # KEEP=1: leave the file for more runs
/usr/bin/env python3 - "$src/captures/tcp-loss.pcap" "$tmp/big.pcapng" "$copies" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
e = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
nano = data[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d")
lt = struct.unpack_from(e + "I", data, 20)[0]
frames, off = [], 24
while off + 16 <= len(data):
    s, us, incl, orig = struct.unpack_from(e + "IIII", data, off)
    frames.append((s * 10**9 + (us if nano else us * 1000), data[off + 16:off + 16 + incl], orig))
    off += 16 + incl
def blk(t, body):
    body += b"\0" * (-len(body) % 4)
    return struct.pack("<II", t, len(body) + 12) + body + struct.pack("<I", len(body) + 12)
with open(sys.argv[2], "wb") as out:
    out.write(blk(0x0a0d0d0a, struct.pack("<IHHq", 0x1a2b3c4d, 1, 0, -1)))
    out.write(blk(1, struct.pack("<HHI", lt, 0, 262144) + struct.pack("<HH", 9, 1) + b"\x09\0\0\0" + b"\0" * 4))
    for c in range(int(sys.argv[3])):
        chunk = []
        for ts, d, orig in frames:
            t = ts + c * 400 * 10**9
            chunk.append(blk(6, struct.pack("<IIIII", 0, t >> 32, t & 0xffffffff, len(d), orig) + d))
        out.write(b"".join(chunk))
PY
ls -l "$tmp/big.pcapng" | awk '{printf "file: %.0f MB\n", $5 / 1e6}'
"$build/tests/pcapng_readbench" "$tmp/big.pcapng" 3
best() { # command... -> best wall time of 3, seconds
	local b=999999
	for _ in 1 2 3; do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" > /dev/null || true
		t1=$(date +%s.%N)
		b=$(echo "$t1 - $t0" | bc -l | awk -v b="$b" '{print ($1 < b) ? $1 : b}')
	done
	printf "%.3f" "$b"
}
echo "pktdoctor analyze (this build): $(best "$build/pktdoctor" analyze -q -F json "$tmp/big.pcapng") s"
if [ -n "$old" ]; then
	echo "pktdoctor analyze ($old): $(best "$old" analyze -q -F json "$tmp/big.pcapng") s"
fi
