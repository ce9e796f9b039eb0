#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""compare-pcapng.py - pktdoctor's pcapng reader against tshark, per frame.

For every pcapng file given (directories: the files in them whose first
bytes are the pcapng magic, whatever their name), compares what
pktdoctor's reader delivers (tests/pcapng_dump) with what tshark reads:
  - the number of records and, per record, packet or not (tshark numbers
    custom blocks, systemd journal and Sysdig event blocks as frames too);
  - the link type (tshark's WTAP encapsulation mapped to the LINKTYPE_);
  - the interface: tshark 4.0 numbers interfaces per section
    (frame.section_number, frame.interface_id), pktdoctor over the whole
    file: the mapping must be one-to-one;
  - the timestamp in ns (Simple Packet Blocks carry none: tshark shows
    none, pktdoctor repeats the previous packet's; not compared; a time
    after 2116 is clamped to 2^62 ns by pktdoctor: counted, not a difference);
  - captured and original length (packets only);
  - epb_flags (frame.packet_flags; absent on both sides when the block
    has no flags option);
  - the first comment;
  - a file tshark calls damaged must stop pktdoctor too, after the same
    records.

    compare-pcapng.py --dump build/tests/pcapng_dump [-v] FILE|DIR...
Exit 0 when every file agrees, 1 otherwise, 77 when tshark is missing.
"""
import argparse
import os
import subprocess
import sys
from decimal import Decimal

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"
TS_MAX = 1 << 62  # pktdoctor's timestamps stop at 2^62 ns (year 2116)

# Wireshark WTAP_ENCAP_ -> LINKTYPE_ for the encapsulations in the corpus
# (wiretap/pcap-common.c pcap_to_wtap_map); others are checked for
# consistency only (one LINKTYPE_ per encapsulation within a file).
# pktdoctor delivers libpcap's DLT_ value where it differs from the
# LINKTYPE_ (raw IP: DLT_RAW 12 on Linux, 14 on OpenBSD).
WTAP_TO_LINKTYPE = {
    1: 1,      # Ethernet
    4: 9,      # PPP
    7: (101, 12, 14),  # raw IP: LINKTYPE_RAW, DLT_RAW
    15: 0,     # BSD loopback (NULL)
    25: 113,   # Linux cooked (SLL)
    28: 104,   # Cisco HDLC
    129: 228,  # raw IPv4
    130: 229,  # raw IPv6
    185: 271,  # Linux vsock
    210: 276,  # Linux cooked v2 (SLL2)
}

FIELDS = ["frame.number", "frame.encap_type", "frame.section_number",
          "frame.interface_id", "frame.time_epoch", "frame.cap_len", "frame.len",
          "frame.packet_flags", "frame.comment"]


def is_pcapng(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == PCAPNG_MAGIC
    except OSError:
        return False


def norm_comment(s):
    # tshark escapes newlines and tabs in -T fields output
    for a, b in (("\\n", " "), ("\\r", " "), ("\\t", " "), ("\\\\", "\\")):
        s = s.replace(a, b)
    return " ".join(s.split())


def run_tshark(path):
    cmd = ["tshark", "-n", "-r", path, "-T", "fields", "-E", "occurrence=f"]
    for f in FIELDS:
        cmd += ["-e", f]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    rows = []
    for line in p.stdout.splitlines():
        v = line.split("\t")
        v += [""] * (len(FIELDS) - len(v))
        rows.append(dict(zip(FIELDS, v)))
    err = "\n".join(l for l in p.stderr.splitlines() if "Running as user" not in l)
    damaged = "damaged or corrupt" in err or "isn't a capture file" in err or p.returncode != 0
    return rows, damaged, err.strip()


def run_dump(dump, path):
    p = subprocess.run([dump, path], capture_output=True, text=True, errors="replace")
    rows = []
    for line in p.stdout.splitlines():
        if line.startswith("#"):
            continue
        v = line.split("\t")
        v += [""] * (9 - len(v))
        rows.append({"n": int(v[0]), "kind": v[1], "linktype": int(v[2]), "ifid": int(v[3]),
                     "ts": int(v[4]), "caplen": int(v[5]), "wirelen": int(v[6]),
                     "flags": v[7], "comment": v[8]})
    return rows, p.returncode == 3, p.stderr.strip()


def compare(dump, path, verbose):
    """Return a list of difference strings (empty = agree) and a summary."""
    ts_rows, ts_bad, ts_err = run_tshark(path)
    pd_rows, pd_bad, pd_err = run_dump(dump, path)
    diffs = []
    if ts_bad != pd_bad:
        diffs.append("tshark %s, pktdoctor %s" % (
            "calls it damaged (%s)" % ts_err if ts_bad else "reads it whole",
            "stops (%s)" % pd_err if pd_bad else "reads it whole"))
    if len(ts_rows) != len(pd_rows):
        diffs.append("records: tshark %d, pktdoctor %d" % (len(ts_rows), len(pd_rows)))
    encap_map = {}
    if_map = {}
    if_rev = {}
    nts = 0
    nclamp = 0
    for t, p in zip(ts_rows, pd_rows):
        n = t["frame.number"]
        where = "frame %s: " % n
        t_packet = t["frame.encap_type"] != ""
        if t_packet != (p["kind"] == "packet"):
            diffs.append(where + "tshark %s, pktdoctor %s" % (
                "packet" if t_packet else "non-packet record", p["kind"]))
            continue
        if not t_packet:
            continue
        enc = int(t["frame.encap_type"])
        want = WTAP_TO_LINKTYPE.get(enc)
        if want is not None and p["linktype"] not in (want if isinstance(want, tuple) else (want,)):
            diffs.append(where + "link type: tshark encap %d = LINKTYPE %s, pktdoctor %d" % (
                enc, want, p["linktype"]))
        if encap_map.setdefault(enc, p["linktype"]) != p["linktype"]:
            diffs.append(where + "encap %d read as two link types" % enc)
        key = (t["frame.section_number"], t["frame.interface_id"])
        if if_map.setdefault(key, p["ifid"]) != p["ifid"] or \
                if_rev.setdefault(p["ifid"], key) != key:
            diffs.append(where + "interface: tshark section %s id %s, pktdoctor %d" % (
                key[0], key[1], p["ifid"]))
        if t["frame.time_epoch"]:
            tns = int(Decimal(t["frame.time_epoch"]) * 1000000000)
            nts += 1
            if tns >= TS_MAX and p["ts"] == TS_MAX:
                nclamp += 1  # beyond 2116: pktdoctor clamps (pd_ts_to_ns)
            elif tns != p["ts"]:
                diffs.append(where + "time: tshark %d ns, pktdoctor %d ns" % (tns, p["ts"]))
        if int(t["frame.cap_len"]) != p["caplen"] or int(t["frame.len"]) != p["wirelen"]:
            diffs.append(where + "lengths: tshark %s/%s, pktdoctor %d/%d" % (
                t["frame.cap_len"], t["frame.len"], p["caplen"], p["wirelen"]))
        tf = t["frame.packet_flags"]
        pf = p["flags"]
        if (tf == "") != (pf == "-") or (tf and int(tf, 16) != int(pf, 16)):
            diffs.append(where + "epb_flags: tshark %s, pktdoctor %s" % (tf or "none", pf))
        if norm_comment(t["frame.comment"]) != norm_comment(p["comment"]):
            diffs.append(where + "comment: tshark %r, pktdoctor %r" % (
                t["frame.comment"], p["comment"]))
    npkt = sum(1 for p in pd_rows if p["kind"] == "packet")
    nflags = sum(1 for p in pd_rows if p["flags"] != "-")
    summary = "%d records (%d packets, %d link types, %d interfaces, %d with epb_flags, " \
              "%d timestamps compared%s)%s" % (
                  len(pd_rows), npkt, len(set(encap_map.values())), len(if_map), nflags, nts,
                  ", %d beyond 2116 clamped" % nclamp if nclamp else "",
                  ", both stop: " + pd_err if pd_bad and ts_bad else "")
    return diffs, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dump", required=True, help="path to tests/pcapng_dump")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    if subprocess.run(["which", "tshark"], capture_output=True).returncode != 0:
        print("SKIP: tshark not installed")
        return 77
    files = []
    for p in a.paths:
        if not os.path.exists(p):
            print("note: %s not found, not compared" % p)
        elif os.path.isdir(p):
            files += sorted(os.path.join(p, f) for f in os.listdir(p)
                            if is_pcapng(os.path.join(p, f)))
        elif is_pcapng(p):
            files.append(p)
    bad = 0
    for f in files:
        diffs, summary = compare(a.dump, f, a.verbose)
        if diffs:
            bad += 1
            print("DIFF %s: %s" % (f, summary))
            for d in diffs[:20]:
                print("     " + d)
            if len(diffs) > 20:
                print("     ... %d more" % (len(diffs) - 20))
        else:
            print("ok   %s: %s" % (f, summary))
    print("compare-pcapng: %d files, %d agree with tshark, %d differ" % (
        len(files), len(files) - bad, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
