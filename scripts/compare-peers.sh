#!/bin/sh
# compare-peers.sh - compare pktdoctor's checksum verdicts with tshark's and
# tcpdump's on the same capture files, and print a table of the files where
# they disagree (all files with --all) and a summary.  See docs/peers.md.
#
#   scripts/compare-peers.sh [--all] [-o TABLE] [--json FILE] [-t SECS] [-j N]
#                            [--budget SECS] [--no-variants] [FILES or DIRS...]
#
# Default inputs: /work/main/captures/*.pcap* and
# /work/shared/corpus/tcpdump-tests/*.  Each tool runs under a timeout per
# file (-t, default 60 s); a file a tool refuses is reported with a note and
# that tool's columns show "-".  PKTDOCTOR overrides the binary
# (default build/pktdoctor next to this script).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
: "${PKTDOCTOR:=$(cd "$here/.." && pwd)/build/pktdoctor}"
export PKTDOCTOR
for tool in tshark tcpdump; do
	command -v "$tool" >/dev/null 2>&1 || { echo "compare-peers: $tool not found" >&2; exit 2; }
done
[ -x "$PKTDOCTOR" ] || { echo "compare-peers: $PKTDOCTOR not built (make -C build)" >&2; exit 2; }
exec /usr/bin/python3 "$here/compare_peers.py" "$@"
