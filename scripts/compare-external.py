#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare-external.py - pktdoctor's findings next to tshark's view of the
same capture, for the review of captures nobody here made
(docs/peers.md, "External captures").

For each capture it prints:
  * pktdoctor's exit code and its findings (severity, id, flow, frames);
  * tshark's expert info, grouped by severity and message (-z expert);
  * tshark's checksum verdicts: frames whose IPv4 header / TCP / UDP /
    ICMP / ICMPv6 checksum tshark calls bad, with checksum validation on;
  * tshark's TCP analysis counts (retransmission, fast retransmission,
    duplicate ACK, out-of-order, lost segment) and pktdoctor's;
  * frames tshark reads but marks malformed.

Only the outermost headers count for the checksums (as in
scripts/compare_peers.py); tshark also checks the headers an ICMP error
quotes.

    scripts/compare-external.py [--pktdoctor BIN] FILE... > review.txt
"""
import collections
import json
import os
import re
import subprocess
import sys

CK = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
      "-o", "udp.check_checksum:TRUE"]
TCP_FLAGS = [
    ("retransmission", "tcp.analysis.retransmission"),
    ("fast_retransmission", "tcp.analysis.fast_retransmission"),
    ("duplicate_ack", "tcp.analysis.duplicate_ack"),
    ("out_of_order", "tcp.analysis.out_of_order"),
    ("previous_segment_not_captured", "tcp.analysis.lost_segment"),
    ("spurious_retransmission", "tcp.analysis.spurious_retransmission"),
]
CSUM = [("ipv4", "ip.checksum.status"), ("tcp", "tcp.checksum.status"),
        ("udp", "udp.checksum.status"), ("icmp", "icmp.checksum.status"),
        ("icmpv6", "icmpv6.checksum.status")]


def run(cmd, timeout=120):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def tshark_fields(path, flt, fields, extra=()):
    cmd = ["tshark", "-n", "-r", path] + CK + list(extra)
    if flt:
        cmd += ["-Y", flt]
    cmd += ["-T", "fields", "-E", "separator=\t"]
    for f in fields:
        cmd += ["-e", f]
    rc, out, err = run(cmd)
    return rc, [ln.split("\t") for ln in out.splitlines()], err


def expert(path):
    rc, out, err = run(["tshark", "-n", "-q", "-r", path] + CK + ["-z", "expert"])
    groups = collections.Counter()
    sev = None
    for ln in out.splitlines():
        s = ln.strip()
        for name in ("Errors", "Warnings", "Notes", "Chats", "Comments"):
            if s.startswith(name + " ("):
                sev = name
        if sev and s and s[0].isdigit() and "  " in s:
            parts = [x for x in s.split("  ") if x.strip()]
            if len(parts) >= 4:
                msg = re.sub(r"0x[0-9a-f]{4}", "0x....", parts[3].strip())
                msg = re.sub(r"#\d+", "#n", msg)
                groups[(sev, parts[1].strip(), msg[:90])] += int(parts[0])
    return rc, groups, err.strip().splitlines()[-1:] if rc else []


def checksums(path):
    rc, rows, _ = tshark_fields(path, "", ["frame.number", "frame.protocols"] +
                                [f for _, f in CSUM])
    bad = {k: [] for k, _ in CSUM}
    for r in rows:
        if len(r) < 2 + len(CSUM):
            continue
        for i, (k, _) in enumerate(CSUM):
            v = r[2 + i].split(",")[0]
            if v == "0":
                bad[k].append(int(r[0]))
    return bad


def tcp_counts(path):
    out = {}
    for k, flag in TCP_FLAGS:
        _, rows, _ = tshark_fields(path, flag, ["frame.number"])
        out[k] = len(rows)
    return out


def malformed(path):
    _, rows, _ = tshark_fields(path, "_ws.malformed || _ws.expert.severity == error",
                               ["frame.number", "_ws.expert.message"])
    return rows


def pd(binary, path):
    rc, out, err = run([binary, "analyze", "-q", "-F", "json", path])
    lines = out.strip().splitlines()
    doc = json.loads(lines[-1]) if lines else {}
    return rc, doc, err.strip()


def main(argv):
    binary = "build/pktdoctor"
    if len(argv) > 2 and argv[1] == "--pktdoctor":
        binary = argv[2]
        argv = argv[2:]
    for path in argv[1:]:
        name = os.path.basename(path)
        print("=" * 78)
        print(name)
        rc, doc, err = pd(binary, path)
        print("pktdoctor: exit %d, %s frames%s" % (
            rc, doc.get("frames", "?"), (", stderr: " + err) if err else ""))
        tot = collections.Counter()
        for f in doc.get("findings", []):
            fr = ",".join(str(x) for x in f.get("frames", [])[:12])
            print("  %-7s %-30s %s [%s] %s" % (f["severity"], f["id"], f.get("flow", ""), fr,
                                                f.get("message", "")[:150]))
            if f["id"] == "tcp.retransmissions":
                for k, _ in TCP_FLAGS:
                    tot[k] += f["evidence"].get(k, 0)
        tot["retransmission"] += tot["fast_retransmission"]
        trc, groups, terr = expert(path)
        print("tshark expert (exit %d%s):" % (trc, (", " + terr[0]) if terr else ""))
        for (sev, group, msg), n in sorted(groups.items()):
            print("  %-8s %4d  %-10s %s" % (sev, n, group, msg))
        bad = checksums(path)
        print("tshark bad checksums: " + ", ".join(
            "%s %d%s" % (k, len(v), (" (frames " + ",".join(map(str, v[:10])) + ")") if v else "")
            for k, v in bad.items()))
        pst = doc.get("stats", {}).get("checksums", {})
        print("pktdoctor checksums: " + ", ".join(
            "%s bad %s partial %s" % (k, pst.get(k, {}).get("bad", 0),
                                      pst.get(k, {}).get("partial", 0)) for k, _ in CSUM))
        tc = tcp_counts(path)
        print("TCP (tshark / pktdoctor): " + ", ".join(
            "%s %d/%d" % (k, tc[k], tot[k]) for k, _ in TCP_FLAGS))
        m = malformed(path)
        if m:
            print("tshark malformed/error frames: " + "; ".join(
                "%s %s" % (r[0], r[1][:60] if len(r) > 1 else "") for r in m[:6]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
