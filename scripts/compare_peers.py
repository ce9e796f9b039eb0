#!/usr/bin/python3
"""compare_peers.py - compare pktdoctor's checksum verdicts with tshark's
and tcpdump's on the same capture files (see docs/peers.md).

For every file it runs, each under a timeout:

  pktdoctor analyze -q -F json FILE
  tshark -r FILE -o ip/tcp/udp.check_checksum:TRUE -T fields ...
  tcpdump -# -nn -vv -r FILE

and counts, per protocol (IPv4 header, TCP, UDP; ICMP and ICMPv6 are
collected too), the verdicts of each tool on the OUTERMOST header only:
pktdoctor does not look inside tunnels or ICMP error quotes, so inner
headers (a second IP header in frame.protocols, the quoted packet of an
ICMP error) are left out of the tshark and tcpdump counts.

Standard library only.  Usage: see --help.
"""

import argparse
import atexit
import concurrent.futures
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

PROTOS = ("ipv4", "tcp", "udp")
ALL_PROTOS = ("ipv4", "tcp", "udp", "icmp", "icmpv6")
TS_FIELD = {"ipv4": "ip", "tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6"}
# frame.protocols tokens of the transport headers we compare
L4_TOKENS = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6"}
NET_TOKENS = ("ip", "ipv6")

DEFAULT_PD = "/work/main/build/pktdoctor"
DEFAULT_INPUTS = ["/work/main/captures/*.pcap*", "/work/shared/corpus/tcpdump-tests/*"]
CAPTURE_EXT = re.compile(r"\.(pcap|pcapng|cap|dmp|pcap\.gz|pcapng\.gz|ntar)$", re.I)


# ----------------------------------------------------------------- helpers
def run(cmd, timeout):
    """Run cmd; return (rc, stdout, stderr, status) with status ok|timeout|error."""
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return (p.returncode, p.stdout.decode("utf-8", "replace"),
                p.stderr.decode("utf-8", "replace"), "ok")
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode("utf-8", "replace") if e.stdout else ""
        return (None, out, "timeout after %ss" % timeout, "timeout")
    except OSError as e:
        return (None, "", str(e), "error")


def first_line(s):
    for line in s.splitlines():
        line = line.strip()
        if line and not line.startswith("Running as user"):
            return line[:200]
    return ""


# ----------------------------------------------------------------- pktdoctor
def run_pktdoctor(path, args):
    rc, out, err, st = run([args.pktdoctor, "analyze", "-q", "-F", "json", path], args.timeout)
    r = {"status": "refused", "rc": rc, "msg": first_line(err)}
    if st == "timeout":
        r["status"] = "timeout"
        return r
    line = next((l for l in out.splitlines() if l.startswith("{")), None)
    if line is None:
        return r
    try:
        d = json.loads(line)
    except ValueError as e:
        r["msg"] = "bad JSON: %s" % e
        return r
    cs = (d.get("stats") or {}).get("checksums") or {}
    r["counts"] = {p: {k: int((cs.get(p) or {}).get(k, 0))
                       for k in ("valid", "bad", "partial", "zero", "unverifiable")}
                   for p in ALL_PROTOS}
    r["frames"] = d.get("frames", 0)
    r["linktype"] = d.get("linktype")
    r["error"] = d.get("error")
    r["complete"] = d.get("complete", True)
    st_ = d.get("stats") or {}
    r["unsupported_link"] = st_.get("unsupported_link", 0)
    r["ip_fragment"] = (st_.get("protocols") or {}).get("ip_fragment", 0)
    r["snaplen_cut"] = st_.get("snaplen_cut", 0)
    bad = {p: [] for p in ALL_PROTOS}
    layer_map = {"IPv4 header": "ipv4", "TCP": "tcp", "UDP": "udp", "ICMP": "icmp",
                 "ICMPv6": "icmpv6"}
    partial = set()
    bad_unlisted = 0
    for f in d.get("findings") or []:
        if f.get("id") == "checksum.bad":
            ev = f.get("evidence") or {}
            layer = layer_map.get(ev.get("layer"))
            if layer:
                bad[layer].extend(f.get("frames") or [])
            else:  # the summary past the 200 one-by-one findings
                bad_unlisted += int(ev.get("count", f.get("frames_total", 0)))
        elif f.get("id") == "checksum.offload_partial":
            partial.update(f.get("frames") or [])
    r["bad_frames"] = {p: sorted(set(v)) for p, v in bad.items()}
    r["bad_unlisted"] = bad_unlisted
    r["partial_frames"] = sorted(partial)
    if d.get("error") and not d.get("frames"):
        r["status"] = "refused"
        r["msg"] = str(d.get("error"))[:200]
    elif d.get("error") or not d.get("complete", True):
        r["status"] = "incomplete"
        r["msg"] = str(d.get("error"))[:200]
    else:
        r["status"] = "ok"
    return r


# ----------------------------------------------------------------- tshark
TS_EXTRA = ["frame.protocols", "frame.len", "frame.cap_len", "ip.flags.mf", "ip.frag_offset",
            "ipv6.fraghdr.offset", "ipv6.fraghdr.more"]
STATUS_NAMES = {"0": "bad", "1": "good", "2": "unverified", "3": "notpresent", "4": "illegal",
                "bad": "bad", "good": "good", "unverified": "unverified",
                "not present": "notpresent", "illegal": "illegal"}


def tshark_status_names():
    """Read the value strings of *.checksum.status from this tshark."""
    rc, out, err, st = run(["tshark", "-G", "values"], 60)
    names = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[0] == "V" and parts[1] == "tcp.checksum.status":
            names[parts[2]] = parts[3].lower().replace(" ", "")
            names[parts[3].lower()] = parts[3].lower().replace(" ", "")
    if names:
        STATUS_NAMES.update(names)
    return names


def ts_cmd(path, extra_opts):
    cmd = ["tshark", "-n", "-r", path, "-o", "ip.check_checksum:TRUE",
           "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE"]
    cmd += extra_opts
    cmd += ["-T", "fields", "-E", "separator=/t", "-E", "occurrence=a", "-E", "aggregator=,",
            "-e", "frame.number"]
    for p in ALL_PROTOS:
        cmd += ["-e", TS_FIELD[p] + ".checksum.status"]
    for f in TS_EXTRA:
        cmd += ["-e", f]
    return cmd


def ts_outer(protocols, has_ip_status=True):
    """From frame.protocols, return (net, l4, prefix): the outermost network
    token (ip/ipv6 or None), the transport token right after it (None when
    a second IP header or something else comes first), and the tokens
    before the network layer (link encapsulation)."""
    toks = protocols.split(":") if protocols else []
    net = l4 = None
    prefix = []
    i = 0
    for i, t in enumerate(toks):
        if t in NET_TOKENS:
            net = t
            break
        prefix.append(t)
    if net is None:
        return None, None, ":".join(prefix)
    if net == "ip" and not has_ip_status and i + 1 < len(toks) and toks[i + 1] == "ipv6":
        # "ip:ipv6": tshark's ip dissector handed a version-6 packet to
        # ipv6 (e.g. LINKTYPE_IPV4 holding IPv6); no IPv4 header there
        net = "ipv6"
        i += 1
    for t in toks[i + 1:]:
        if t in NET_TOKENS:
            break
        if t in L4_TOKENS:
            l4 = t
            break
    return net, l4, ":".join(prefix)


def parse_tshark(out):
    frames = {}
    ncols = 1 + len(ALL_PROTOS) + len(TS_EXTRA)
    for line in out.splitlines():
        parts = line.split("\t")
        if not parts or not parts[0].isdigit():
            continue
        parts += [""] * (ncols - len(parts))
        n = int(parts[0])
        stat = dict(zip(ALL_PROTOS, parts[1:1 + len(ALL_PROTOS)]))
        ex = dict(zip(TS_EXTRA, parts[1 + len(ALL_PROTOS):]))
        net, l4, prefix = ts_outer(ex["frame.protocols"], stat["ipv4"].strip() != "")
        v = {}
        allv = {}
        for p in ALL_PROTOS:
            vals = [STATUS_NAMES.get(x.strip().lower(), x.strip()) for x in stat[p].split(",")
                    if x.strip()]
            allv[p] = vals
            if not vals:
                continue
            if p == "ipv4" and net == "ip":
                v[p] = vals[0]
            elif p != "ipv4" and l4 == p:
                v[p] = vals[0]
        mf = ex["ip.flags.mf"].split(",")[0]
        fo = ex["ip.frag_offset"].split(",")[0]
        frag = False
        if net == "ip" and (mf in ("1", "True") or (fo not in ("", "0"))):
            frag = True
        if net == "ipv6":
            # a fragment header of the outer IPv6 header (not of a quoted
            # or tunnelled one): before the next IP header in the chain
            toks = ex["frame.protocols"].split(":")
            k = toks.index("ipv6")
            for t in toks[k + 1:]:
                if t in NET_TOKENS:
                    break
                if t == "ipv6.fraghdr":
                    frag = True
                    break
        try:
            cut = int(ex["frame.cap_len"] or 0) < int(ex["frame.len"] or 0)
        except ValueError:
            cut = False
        frames[n] = {"v": v, "net": net, "l4": l4, "prefix": prefix, "frag": frag, "cut": cut,
                     "nested": {p: len(allv[p]) for p in ALL_PROTOS if len(allv[p]) > 1},
                     "protocols": ex["frame.protocols"]}
    return frames


def ts_counts(frames):
    c = {p: {"bad": 0, "good": 0, "unverified": 0, "notpresent": 0, "illegal": 0}
         for p in ALL_PROTOS}
    badf = {p: [] for p in ALL_PROTOS}
    goodf = {p: [] for p in ALL_PROTOS}
    for n, f in frames.items():
        for p, s in f["v"].items():
            if s in c[p]:
                c[p][s] += 1
            if s == "bad":
                badf[p].append(n)
            elif s == "good":
                goodf[p].append(n)
    return c, badf, goodf


def run_tshark(path, args, extra_opts=()):
    rc, out, err, st = run(ts_cmd(path, list(extra_opts)), args.timeout)
    r = {"status": "ok", "rc": rc, "msg": first_line(err)}
    if st == "timeout":
        r["status"] = "timeout"
        return r
    frames = parse_tshark(out)
    if rc != 0 and not frames:
        r["status"] = "refused"
        return r
    if rc != 0:
        r["status"] = "incomplete"
    r["nframes"] = max(frames) if frames else 0
    r["counts"], r["bad_frames"], r["good_frames"] = ts_counts(frames)
    r["frames"] = frames
    return r


# ----------------------------------------------------------------- tcpdump
TD_START = re.compile(r"^ {0,6}(\d+)  (?:\d\d:\d\d:\d\d\.\d+|\d+\.\d+|\[[^\]]*\]) ")
TD_IP4 = re.compile(r"(?<![A-Za-z0-9])IP (?:truncated-ip - \d+ bytes missing! )?\(tos ")
TD_IP6 = re.compile(r"(?<![A-Za-z0-9])IP6 (?:truncated-ip6 - \d+ bytes missing! ?)?\(")
TD_TCP = re.compile(r"Flags \[[^\]]*\], cksum 0x[0-9a-f]+ \((correct|incorrect[^)]*)\)")
TD_UDP = re.compile(r"\[(udp sum ok|bad udp cksum[^\]]*|no cksum)\]")
TD_ICMP6 = re.compile(r"\[(icmp6 sum ok|bad icmp6 cksum[^\]]*)\]")
TD_ICMP_BAD = re.compile(r"wrong icmp cksum")


def paren_end(s, i):
    """Index just past the ')' closing the '(' at s[i], or -1."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def td_frame(text):
    """Verdicts of one tcpdump packet text on the outer headers."""
    v = {}
    m4 = TD_IP4.search(text)
    m6 = TD_IP6.search(text)
    if not m4 and not m6:
        return v, {}
    outer4 = m4 and (not m6 or m4.start() < m6.start())
    m = m4 if outer4 else m6
    hdr_open = text.index("(tos", m.start()) if outer4 else text.index("(", m.start())
    hdr_end = paren_end(text, hdr_open)
    info = {"net": "ip" if outer4 else "ipv6"}
    if hdr_end < 0:
        return v, info
    hdr = text[hdr_open:hdr_end]
    rest = text[hdr_end:]
    nm = [x.start() for x in (TD_IP4.search(rest), TD_IP6.search(rest)) if x]
    scope = rest[:min(nm)] if nm else rest
    if outer4:
        if "bad cksum" in hdr:
            v["ipv4"] = "bad"
        elif "[truncated-option]" not in hdr and "[|ip]" not in scope:
            # tcpdump prints nothing for a good header checksum: a header
            # it could read whole without "bad cksum" counts as good
            v["ipv4"] = "good"
        mo = re.search(r"offset (\d+), flags \[([^\]]*)\]", hdr)
        if mo and (mo.group(1) != "0" or "+" in mo.group(2)):
            info["frag"] = True
        mp = re.search(r"proto (\S+) \((\d+)\)", hdr)
        info["proto"] = int(mp.group(2)) if mp else None
    # the outer L4 annotation: before any nested IP header (scope)
    cands = []
    for p, rx in (("tcp", TD_TCP), ("udp", TD_UDP), ("icmpv6", TD_ICMP6)):
        mm = rx.search(scope)
        if mm:
            cands.append((mm.start(), p, mm.group(1)))
    if cands:
        cands.sort()
        _, p, g = cands[0]
        if g.startswith("correct") or g.endswith("sum ok"):
            v[p] = "good"
        elif g == "no cksum":
            v[p] = "notpresent"
        else:
            v[p] = "bad"
    if outer4 and info.get("proto") == 1:
        v["icmp"] = "bad" if TD_ICMP_BAD.search(text) else "unknown"
    return v, info


def run_tcpdump(path, args):
    rc, out, err, st = run(["tcpdump", "-#", "-nn", "-vv", "-r", path], args.timeout)
    r = {"status": "ok", "rc": rc, "msg": first_line(err)}
    if st == "timeout":
        r["status"] = "timeout"
        return r
    pkts = {}
    cur = None
    buf = []
    for line in out.splitlines():
        m = TD_START.match(line)
        if m:
            if cur is not None:
                pkts[cur] = "\n".join(buf)
            cur = int(m.group(1))
            buf = [line[m.end():]]
        elif cur is not None:
            buf.append(line)
    if cur is not None:
        pkts[cur] = "\n".join(buf)
    if rc != 0 and not pkts:
        r["status"] = "refused"
        # tcpdump prints its reason last
        errs = [l for l in err.splitlines() if l.strip() and not l.startswith("reading from")]
        r["msg"] = (errs[-1] if errs else r["msg"])[:200]
        return r
    if rc != 0:
        r["status"] = "incomplete"
        errs = [l for l in err.splitlines() if l.strip() and not l.startswith("reading from")]
        r["msg"] = (errs[-1] if errs else r["msg"])[:200]
    frames = {}
    for n, text in pkts.items():
        v, info = td_frame(text)
        frames[n] = {"v": v, "frag": info.get("frag", False), "net": info.get("net")}
    c = {p: {"bad": 0, "good": 0, "notpresent": 0} for p in ALL_PROTOS}
    badf = {p: [] for p in ALL_PROTOS}
    goodf = {p: [] for p in ALL_PROTOS}
    for n, f in frames.items():
        for p, s in f["v"].items():
            if s in c[p]:
                c[p][s] += 1
            if s == "bad":
                badf[p].append(n)
            elif s == "good":
                goodf[p].append(n)
    r["nframes"] = max(pkts) if pkts else 0
    r["counts"], r["bad_frames"], r["good_frames"] = c, badf, goodf
    r["frames"] = frames
    return r


# ----------------------------------------------------------------- compare
def pd_badp(pd, p):
    return pd["counts"][p]["bad"] + pd["counts"][p]["partial"]


def diff_categories(rec):
    """Return the list of '<proto>.<bad|good>:<a>-<b>' disagreements."""
    cats = []
    tools = {}
    for t in ("pd", "ts", "td"):
        if rec[t]["status"] in ("ok", "incomplete") and "counts" in rec[t]:
            tools[t] = rec[t]
    for p in PROTOS:
        val = {}
        for t, r in tools.items():
            if t == "pd":
                val[t] = (pd_badp(r, p), r["counts"][p]["valid"])
            else:
                val[t] = (r["counts"][p]["bad"], r["counts"][p]["good"])
        for k, what in ((0, "bad"), (1, "good")):
            for a, b in (("pd", "ts"), ("pd", "td"), ("ts", "td")):
                if a in val and b in val and val[a][k] != val[b][k]:
                    cats.append("%s.%s:%s-%s" % (p, what, a, b))
    return cats


def icmp_categories(rec):
    """ICMP / ICMPv6: pktdoctor vs tshark only (tcpdump prints no good verdict)."""
    pd, ts = rec["pd"], rec["ts"]
    cats = []
    if "counts" not in pd or "counts" not in ts:
        return cats
    for p in ("icmp", "icmpv6"):
        if pd_badp(pd, p) != ts["counts"][p]["bad"]:
            cats.append("%s.bad:pd-ts" % p)
        if pd["counts"][p]["valid"] != ts["counts"][p]["good"]:
            cats.append("%s.good:pd-ts" % p)
    return cats


def frame_notes(rec):
    """Per-frame evidence for the differences: lists of frames per cause."""
    pd, ts, td = rec["pd"], rec["ts"], rec["td"]
    notes = {}

    def add(k, n):
        notes.setdefault(k, []).append(n)

    if "frames" not in ts:
        return notes
    tf = ts["frames"]
    pdok = "counts" in pd
    for p in ALL_PROTOS:
        pbad = set(pd["bad_frames"][p]) if pdok else set()
        ppart = set(pd["partial_frames"]) if pdok else set()
        for n in ts["bad_frames"][p]:
            f = tf[n]
            if n in pbad:
                continue
            if n in ppart:
                add("%s.ts_bad.pd_partial" % p, n)
            elif f["frag"] and p != "ipv4":
                add("%s.ts_bad.fragment" % p, n)
            elif pd.get("unsupported_link"):
                add("%s.ts_bad.pd_linktype_unsupported" % p, n)
            elif pdok and len(ppart) >= 32 and pd["counts"][p]["partial"]:
                # the partial-frame list stops at 32 frames per host
                add("%s.ts_bad.pd_partial_unlisted" % p, n)
            else:
                add("%s.ts_bad.pd_not_bad" % p, n)
        tsv = {n: f["v"].get(p) for n, f in tf.items()}
        for n in pbad:
            s = tsv.get(n)
            if s != "bad":
                add("%s.pd_bad.ts_%s" % (p, s or "none"), n)
        for n in ts["good_frames"][p]:
            f = tf[n]
            if f["frag"] and p != "ipv4":
                add("%s.ts_good.fragment" % p, n)
        for n, f in tf.items():
            if p in f.get("nested", {}):
                add("%s.ts_nested" % p, n)
        if "frames" in td:
            tdf = td["frames"]
            for n, f in tf.items():
                a = f["v"].get(p)
                b = tdf.get(n, {}).get("v", {}).get(p)
                if a in ("good", "bad") and b in ("good", "bad") and a != b:
                    add("%s.ts_%s.td_%s" % (p, a, b), n)
                elif a in ("good", "bad") and b is None and p in PROTOS:
                    add("%s.ts_%s.td_none" % (p, a), n)
                elif b in ("good", "bad") and a not in ("good", "bad"):
                    add("%s.td_%s.ts_%s" % (p, b, a or "none"), n)
    for n, f in tf.items():
        if f["cut"]:
            add("snaplen_cut", n)
        if f["net"] and pdok and pd.get("unsupported_link"):
            add("pd_linktype_unsupported:" + str(pd.get("linktype")), n)
        elif f["net"] and f["prefix"] and not re.fullmatch(
                r"(eth|sll|null|loop|raw|rawip)?(:ethertype)?((:vlan:ethertype)*)?(:llc)?",
                f["prefix"]):
            add("encap:" + f["prefix"], n)
    return notes


def compare_file(path, args):
    t0 = time.time()
    rec = {"file": path}
    rec["pd"] = run_pktdoctor(path, args)
    rec["ts"] = run_tshark(path, args)
    rec["td"] = run_tcpdump(path, args)
    ts = rec["ts"]
    if "frames" in ts and not args.no_variants:
        if any(f["frag"] for f in ts["frames"].values()):
            nd = run_tshark(path, args, ["-o", "ip.defragment:FALSE",
                                         "-o", "ipv6.defragment:FALSE"])
            if "counts" in nd:
                rec["ts_nodefrag"] = {"status": nd["status"], "counts": nd["counts"]}
        if any(f["l4"] == "tcp" for f in ts["frames"].values()):
            ns = run_tshark(path, args, ["-o", "tcp.desegment_tcp_streams:FALSE"])
            if "counts" in ns:
                rec["ts_nodeseg"] = {"status": ns["status"], "counts": ns["counts"]}
    rec["cats"] = diff_categories(rec)
    rec["xcats"] = icmp_categories(rec)
    rec["notes"] = frame_notes(rec)
    rec["seconds"] = round(time.time() - t0, 2)
    return rec


# ----------------------------------------------------------------- output
def cell(rec, t, p):
    r = rec[t]
    if "counts" not in r:
        return "-"
    c = r["counts"][p]
    if t == "pd":
        return "%d/%d/%d" % (c["bad"], c["partial"], c["valid"])
    return "%d/%d" % (c["bad"], c["good"])


def table_header():
    h = "%-44s" % "file"
    for p in PROTOS:
        h += " | %-5s %-12s %-9s %-9s" % (p, "pd b/p/v", "ts b/g", "td b/g")
    return h


def table_row(rec):
    name = rec["file"]
    if len(name) > 44:
        name = "..." + name[-41:]
    s = "%-44s" % name
    for p in PROTOS:
        s += " | %-5s %-12s %-9s %-9s" % ("", cell(rec, "pd", p), cell(rec, "ts", p),
                                          cell(rec, "td", p))
    return s


def strip_frames(rec):
    """A compact copy for the JSON lines output."""
    out = {"file": rec["file"], "cats": rec["cats"], "xcats": rec.get("xcats", []),
           "seconds": rec["seconds"],
           "notes": {k: v[:50] for k, v in rec["notes"].items()},
           "notes_total": {k: len(v) for k, v in rec["notes"].items()}}
    for t in ("pd", "ts", "td"):
        out[t] = {k: v for k, v in rec[t].items() if k != "frames" and k != "good_frames"}
        if "bad_frames" in out[t]:
            out[t]["bad_frames"] = {p: v[:50] for p, v in out[t]["bad_frames"].items() if v}
    for k in ("ts_nodefrag", "ts_nodeseg"):
        if k in rec:
            out[k] = rec[k]
    return out


MAGICS = (b"\xa1\xb2\xc3\xd4", b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\x3c\x4d",
          b"\x4d\x3c\xb2\xa1", b"\x0a\x0d\x0d\x0a", b"\xa1\xb2\xcd\x34",
          b"\x34\xcd\xb2\xa1", b"\x1f\x8b")


def looks_like_capture(path):
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return False
    return head.startswith(MAGICS) or bool(CAPTURE_EXT.search(path))


def expand_inputs(items):
    files = []
    for it in items:
        paths = sorted(glob.glob(it)) if any(ch in it for ch in "*?[") else [it]
        for p in paths:
            if os.path.isdir(p):
                # in a directory, only files that look like captures
                for root, _, names in os.walk(p):
                    for n in sorted(names):
                        if looks_like_capture(os.path.join(root, n)):
                            files.append(os.path.join(root, n))
            elif os.path.isfile(p):
                files.append(p)
            else:
                print("compare-peers: no such file: %s" % p, file=sys.stderr)
    seen = set()
    res = []
    for f in files:
        if f not in seen:
            seen.add(f)
            res.append(f)
    return res


def main():
    ap = argparse.ArgumentParser(
        prog="compare-peers",
        description="Compare pktdoctor's checksum verdicts with tshark's and tcpdump's.")
    ap.add_argument("inputs", nargs="*", help="capture files or directories "
                    "(default: %s)" % " ".join(DEFAULT_INPUTS))
    ap.add_argument("--all", action="store_true", help="print every file, not only differences")
    ap.add_argument("-o", "--output", help="also write the table and summary to this file")
    ap.add_argument("--json", help="write one JSON line per file (all the evidence) here")
    ap.add_argument("-t", "--timeout", type=float, default=60.0,
                    help="timeout per tool and file in seconds (default 60)")
    ap.add_argument("-j", "--jobs", type=int, default=max(1, os.cpu_count() or 1),
                    help="files compared in parallel (default: CPUs)")
    ap.add_argument("--pktdoctor", default=os.environ.get("PKTDOCTOR", DEFAULT_PD))
    ap.add_argument("--no-variants", action="store_true",
                    help="skip the extra tshark runs (ip.defragment:FALSE, "
                         "tcp.desegment_tcp_streams:FALSE)")
    ap.add_argument("--budget", type=float, default=0,
                    help="stop starting new files after this many seconds (0: no limit)")
    args = ap.parse_args()

    files = expand_inputs(args.inputs or DEFAULT_INPUTS)
    tshark_status_names()
    # work on a private copy of the binary: the tree may be rebuilt while
    # the comparison runs, and one run must use one binary
    tmpdir = tempfile.mkdtemp(prefix="compare-peers.")
    snap = os.path.join(tmpdir, "pktdoctor")
    try:
        shutil.copy2(args.pktdoctor, snap)
    except OSError as e:
        print("compare-peers: cannot copy %s: %s" % (args.pktdoctor, e), file=sys.stderr)
        return 2
    with open(snap, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:16]
    pd_origin = "%s (mtime %s, sha256 %s)" % (
        args.pktdoctor, time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(
            os.path.getmtime(snap))), digest)
    args.pktdoctor = snap
    atexit.register(shutil.rmtree, tmpdir, True)
    out_f = open(args.output, "w") if args.output else None
    json_f = open(args.json, "w") if args.json else None

    def emit(s=""):
        print(s, flush=True)
        if out_f:
            out_f.write(s + "\n")
            out_f.flush()

    emit("# compare-peers: %d files; pktdoctor %s; %s; %s" %
         (len(files), pd_origin, first_line(run(["tshark", "--version"], 60)[1]),
          first_line(run(["tcpdump", "--version"], 60)[1])))
    emit("# cells: pktdoctor (pd) bad/partial/valid, tshark (ts) bad/good, tcpdump (td) "
         "bad/good; outer headers only")
    emit(table_header())
    t_start = time.time()
    recs = []
    skipped_budget = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = {}
        it = iter(files)
        pending = set()

        def submit_next():
            for f in it:
                if args.budget and time.time() - t_start > args.budget:
                    skipped_budget.append(f)
                    continue
                fut = ex.submit(compare_file, f, args)
                futs[fut] = f
                pending.add(fut)
                return True
            return False

        for _ in range(args.jobs * 2):
            if not submit_next():
                break
        while pending:
            done, _ = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for fut in done:
                pending.discard(fut)
                try:
                    rec = fut.result()
                except Exception as e:  # keep going on a helper bug
                    rec = {"file": futs[fut], "error": repr(e), "cats": [], "notes": {},
                           "pd": {"status": "error"}, "ts": {"status": "error"},
                           "td": {"status": "error"}, "seconds": 0}
                recs.append(rec)
                refused = [t for t in ("pd", "ts", "td")
                           if rec[t]["status"] in ("refused", "timeout", "error")]
                if args.all or rec["cats"]:
                    tag = ""
                    if rec["cats"]:
                        tag = "   [%s]" % ",".join(sorted(set(c.split(":")[0]
                                                             for c in rec["cats"])))
                    emit(table_row(rec) + tag)
                for t in refused:
                    emit("  note: %s %s %s: %s" % (os.path.basename(rec["file"]), t,
                                                   rec[t]["status"], rec[t].get("msg", "")))
                if json_f:
                    json_f.write(json.dumps(strip_frames(rec) if "error" not in rec else rec)
                                 + "\n")
                    json_f.flush()
                submit_next()

    # ------------------------------------------------------------- summary
    recs.sort(key=lambda r: r["file"])
    all3 = [r for r in recs if all(r[t]["status"] in ("ok", "incomplete") for t in ("pd", "ts", "td"))]
    agree = [r for r in all3 if not r["cats"]]
    differ = [r for r in all3 if r["cats"]]
    refused = {t: [r for r in recs if r[t]["status"] in ("refused", "error")] for t in ("pd", "ts", "td")}
    timeouts = {t: [r for r in recs if r[t]["status"] == "timeout"] for t in ("pd", "ts", "td")}
    incomplete = {t: [r for r in recs if r[t]["status"] == "incomplete"] for t in ("pd", "ts", "td")}
    emit("")
    emit("# summary (%.0f s)" % (time.time() - t_start))
    emit("files given: %d, processed: %d, not started (budget): %d" %
         (len(files), len(recs), len(skipped_budget)))
    emit("files compared by all three tools: %d" % len(all3))
    emit("  all three agree (ipv4/tcp/udp bad and good counts): %d" % len(agree))
    emit("  differ: %d" % len(differ))
    two = [r for r in recs if r not in all3 and sum(
        r[t]["status"] in ("ok", "incomplete") for t in ("pd", "ts", "td")) == 2]
    emit("files compared by two tools only (the third refused or timed out): %d, "
         "of which differ: %d" % (len(two), sum(1 for r in two if r["cats"])))
    for t, name in (("pd", "pktdoctor"), ("ts", "tshark"), ("td", "tcpdump")):
        emit("%s refused %d, timed out %d, stopped early (read error, rest compared) %d" %
             (name, len(refused[t]), len(timeouts[t]), len(incomplete[t])))
    cat_count = {}
    for r in differ:
        for c in set(r["cats"]):
            cat_count[c] = cat_count.get(c, 0) + 1
    emit("files that differ, by category (<proto>.<bad|good>:<tool pair>; "
         "pd bad = bad+partial):")
    for c in sorted(cat_count, key=lambda k: (k.split(":")[0], k)):
        emit("  %-24s %d" % (c, cat_count[c]))
    xc = {}
    for r in all3:
        for c in set(r.get("xcats", [])):
            xc[c] = xc.get(c, 0) + 1
    emit("ICMP/ICMPv6 (pktdoctor vs tshark only; not part of the table): files that differ:")
    for c in sorted(xc):
        emit("  %-24s %d" % (c, xc[c]))
    note_files = {}
    note_frames = {}
    for r in all3:
        for k, v in r["notes"].items():
            note_files[k] = note_files.get(k, 0) + 1
            note_frames[k] = note_frames.get(k, 0) + len(v)
    emit("per-frame evidence (files / frames):")
    for k in sorted(note_files):
        emit("  %-40s %5d files %7d frames" % (k, note_files[k], note_frames[k]))
    if out_f:
        out_f.close()
    if json_f:
        json_f.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
