#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench.py - pktdoctor's speed and memory next to peers, in one run.

Builds big captures by repeating a bundled capture (captures/tcp-loss.pcap
by default) N times, each copy shifted in time by 400 s so that its flows
have expired (idle timeout 300 s) when the next copy starts, then times:

  pktdoctor analyze -q -F json   (full analysis)
  tcpdump -nr FILE -w /dev/null  (libpcap read, no dissection: the floor)
  tshark -nr FILE -q             (dissection without a protocol tree; if installed)
  tshark -nr FILE -q -z expert   (TCP analysis and checksum checks: the like-for-like peer)

and records each one's peak resident memory.  Memory must not grow with
the number of packets: the same capture repeated 4x as often should take
the same RSS.  Figures go to stdout as a Markdown table (docs/benchmarks.md
keeps one run).  Nothing here runs in CI.

    /usr/bin/python3 scripts/bench.py [--copies 50,200] [--base FILE] [--pktdoctor BIN]
"""
import argparse
import os
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time


def repeat_pcap(src, dst, copies, shift_s=400):
    data = open(src, "rb").read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        end = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        end = ">"
    else:
        sys.exit("%s: not a classic pcap" % src)
    recs = []
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(end + "IIII", data[off:off + 16])
        recs.append((sec, frac, incl, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    packets = 0
    with open(dst, "wb") as out:
        out.write(data[:24])
        for c in range(copies):
            for sec, frac, incl, orig, body in recs:
                out.write(struct.pack(end + "IIII", sec + c * shift_s, frac, incl, orig))
                out.write(body)
                packets += 1
    return packets


def run(cmd):
    """Run one command in a child; return (seconds, peak RSS in MiB)."""
    code = ("import resource,subprocess,sys,time\n"
            "t=time.perf_counter()\n"
            "p=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL)\n"
            "d=time.perf_counter()-t\n"
            "r=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
            "print(d, r, p.returncode)\n")
    out = subprocess.run([sys.executable, "-c", code] + cmd, capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), int(out[1]) / 1024.0, int(out[2])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", default="50,200")
    ap.add_argument("--base", default="captures/tcp-loss.pcap")
    ap.add_argument("--pktdoctor", default="build/pktdoctor")
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    tools = [("pktdoctor", [a.pktdoctor, "analyze", "-q", "-F", "json"])]
    if shutil.which("tcpdump"):
        tools.append(("tcpdump -w /dev/null", ["tcpdump", "-nr", "{f}", "-w", "/dev/null"]))
    if shutil.which("tshark"):
        tools.append(("tshark -q", ["tshark", "-nr", "{f}", "-q"]))
        # the like-for-like peer: TCP analysis and checksum checks, expert summary
        tools.append(("tshark -q -z expert (checksums on)",
                      ["tshark", "-nr", "{f}", "-q", "-z", "expert",
                       "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                       "-o", "udp.check_checksum:TRUE"]))
    tmp = tempfile.mkdtemp(prefix="pd-bench-")
    print("| capture | packets | MB | tool | best of %d (s) | Mpackets/s | MB/s | peak RSS (MiB) |"
          % a.runs)
    print("|---|---|---|---|---|---|---|---|")
    try:
        for copies in [int(x) for x in a.copies.split(",")]:
            f = os.path.join(tmp, "x%d.pcap" % copies)
            n = repeat_pcap(a.base, f, copies)
            mb = os.path.getsize(f) / 1e6
            for name, cmd in tools:
                argv = [x.replace("{f}", f) for x in cmd]
                if "{f}" not in " ".join(cmd):
                    argv = argv + [f]
                best, rss = None, 0.0
                for _ in range(a.runs):
                    secs, r, rc = run(argv)
                    best = secs if best is None else min(best, secs)
                    rss = max(rss, r)
                print("| %s x%d | %d | %.0f | %s | %.2f | %.2f | %.0f | %.0f |"
                      % (os.path.basename(a.base), copies, n, mb, name, best, n / best / 1e6,
                         mb / best, rss))
                sys.stdout.flush()
    finally:
        shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
