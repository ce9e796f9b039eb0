#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare-tcp.py - pktdoctor's TCP analysis counts next to tshark's.

For each capture: per category, pktdoctor's total (sum over its
tcp.retransmissions findings) and tshark's (frames with the
tcp.analysis.* flag).  tshark flags a fast retransmission as a
retransmission too, so pktdoctor's retransmission + fast_retransmission
is compared with tshark's retransmission.

    scripts/compare-tcp.py [--pktdoctor BIN] FILE... > table.txt
"""
import json
import subprocess
import sys

CATS = [
    ("retransmission", "tcp.analysis.retransmission"),
    ("fast_retransmission", "tcp.analysis.fast_retransmission"),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission"),
    ("out_of_order", "tcp.analysis.out_of_order"),
    ("previous_segment_not_captured", "tcp.analysis.lost_segment"),
    ("duplicate_ack", "tcp.analysis.duplicate_ack"),
    ("zero_window", "tcp.analysis.zero_window"),
]


def pd_counts(binary, path):
    out = subprocess.run([binary, "analyze", "-q", "-F", "json", path], capture_output=True,
                         text=True, timeout=120)
    line = out.stdout.strip().splitlines()
    if not line:
        return None
    doc = json.loads(line[-1])
    tot = {k: 0 for k, _ in CATS}
    for f in doc.get("findings", []):
        if f["id"] == "tcp.retransmissions":
            for k, _ in CATS:
                tot[k] += f["evidence"].get(k, 0)
    tot["retransmission"] += tot["fast_retransmission"]
    return tot, doc["stats"]["protocols"]["tcp"]


def ts_counts(path):
    fields = []
    for _, flag in CATS:
        fields += ["-e", flag]
    out = subprocess.run(["tshark", "-n", "-r", path, "-Y", "tcp", "-T", "fields",
                          "-E", "separator=\t", "-E", "occurrence=f"] + fields,
                         capture_output=True, text=True, timeout=120)
    tot = {k: 0 for k, _ in CATS}
    for line in out.stdout.splitlines():
        cols = line.split("\t")
        for i, (k, _) in enumerate(CATS):
            if i < len(cols) and cols[i] != "":
                tot[k] += 1
    return tot


def main():
    args = sys.argv[1:]
    binary = "build/pktdoctor"
    if args[:1] == ["--pktdoctor"]:
        binary, args = args[1], args[2:]
    short = ["retx", "fast", "spur", "ooo", "lost", "dupack", "zwin"]
    print("# file  " + "  ".join("%s pd/ts" % s for s in short))
    same = differ = 0
    diff_by_cat = {k: 0 for k, _ in CATS}
    for path in args:
        try:
            r = pd_counts(binary, path)
        except (subprocess.TimeoutExpired, json.JSONDecodeError):
            continue
        if not r or r[1] == 0:
            continue
        pd, _ = r
        ts = ts_counts(path)
        if all(pd[k] == ts[k] for k, _ in CATS):
            same += 1
            continue
        differ += 1
        for k, _ in CATS:
            if pd[k] != ts[k]:
                diff_by_cat[k] += 1
        print(path.rsplit("/", 1)[-1] + "  " +
              "  ".join("%d/%d" % (pd[k], ts[k]) for k, _ in CATS))
    print("# files with TCP: %d agree on every count, %d differ" % (same, differ))
    print("# files differing per category: " +
          ", ".join("%s %d" % (k, v) for k, v in diff_by_cat.items()))


if __name__ == "__main__":
    main()
