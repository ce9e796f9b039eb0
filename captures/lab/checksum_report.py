#!/usr/bin/python3
"""Checksum verdicts for a capture, as tshark sees them.

  checksum_report.py expected CAPTURE   one line per frame whose OUTERMOST
        ipv4/tcp/udp/icmp/icmpv6 checksum tshark calls bad:
        <frame (1-based)> <layer> <is 0xNNNN> <should 0xNNNN>
  checksum_report.py summary CAPTURE    human-readable summary + counts
  checksum_report.py partial CAPTURE    (scapy) classify each TCP/UDP checksum
        as correct / partial (pseudo-header sum) / other; exit 1 on other

tshark is run with ip/tcp/udp checksum checking on (ICMP/ICMPv6 checksums are
always checked).  Headers quoted inside ICMP errors are not "outermost" and
are ignored by `expected` (they are still counted by the display-filter
counts in `summary`, which is what `tshark -Y` would report).
"""
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

OPTS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
        "-o", "udp.check_checksum:TRUE"]
# pdml proto name -> (layer name for .expected, checksum field)
LAYERS = {
    "ip": ("ipv4", "ip.checksum"),
    "tcp": ("tcp", "tcp.checksum"),
    "udp": ("udp", "udp.checksum"),
    "icmp": ("icmp", "icmp.checksum"),
    "icmpv6": ("icmpv6", "icmpv6.checksum"),
}
STATUS = {"0": "bad", "1": "good", "2": "unverified", "3": "not-present",
          "4": "illegal"}
SHOULD = re.compile(r"should be (0x[0-9a-fA-F]{4})")


def tshark(*args):
    return subprocess.run(["tshark", "-n"] + OPTS + list(args), check=True,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout.decode()


def find_field(elem, name):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f
    return None


def outer_verdicts(capture):
    """Yield (frame number, layer, status, is, should) for outermost layers."""
    root = ET.fromstring(tshark("-r", capture, "-T", "pdml"))
    for pkt in root.iter("packet"):
        frame = None
        for proto in pkt.findall("proto"):      # top level only
            name = proto.get("name")
            if name == "frame":
                frame = int(find_field(proto, "frame.number").get("show"))
            if name not in LAYERS:
                continue
            layer, cfield = LAYERS[name]
            f = find_field(proto, cfield)
            st = find_field(proto, cfield + ".status")
            if f is None or st is None:
                continue
            m = SHOULD.search(f.get("showname", ""))
            should = m.group(1).lower() if m else None
            yield (frame, layer, STATUS.get(st.get("show"), st.get("show")),
                   int(f.get("show"), 16), should)


def expected(capture):
    for frame, layer, status, is_, should in outer_verdicts(capture):
        if status == "bad":
            if should is None:
                sys.exit("frame %d: no 'should be' value from tshark" % frame)
            print("%d %s 0x%04x %s" % (frame, layer, is_, should))


def count(capture, dfilter):
    out = tshark("-r", capture, "-Y", dfilter, "-T", "fields",
                 "-e", "frame.number")
    return len(out.split())


def summary(capture):
    total = count(capture, "frame")
    print("== %s: %d frames" % (capture, total))
    for name, layer, in (("ip", "ipv4"), ("tcp", "tcp"), ("udp", "udp"),
                         ("icmp", "icmp"), ("icmpv6", "icmpv6")):
        f = "%s.checksum.status" % name
        print("   %-6s frames: %3d  bad: %3d  good: %3d  unverified: %3d"
              % (layer, count(capture, name), count(capture, f + " == 0"),
                 count(capture, f + " == 1"), count(capture, f + " == 2")))
    print("   frames with any bad checksum (tshark -Y 'ip.checksum.status==0 "
          "|| tcp.checksum.status==0 || udp.checksum.status==0 || "
          "icmp.checksum.status==0 || icmpv6.checksum.status==0'): %d"
          % count(capture, "ip.checksum.status==0 || tcp.checksum.status==0"
                  " || udp.checksum.status==0 || icmp.checksum.status==0 || "
                  "icmpv6.checksum.status==0"))
    bad = [v for v in outer_verdicts(capture) if v[2] == "bad"]
    print("   outermost bad checksums: %d" % len(bad))
    for frame, layer, _, is_, should in bad:
        print("     frame %3d %-6s is 0x%04x should %s" % (frame, layer, is_,
                                                          should))


def _sum16(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def partial(capture):
    """Classify every TCP/UDP checksum: correct, CHECKSUM_PARTIAL (the
    folded, uncomplemented pseudo-header sum Linux leaves for the NIC) or
    other.  Exit 1 if any is 'other'."""
    import socket
    from scapy.all import IP, IPv6, TCP, UDP, rdpcap
    counts = {}
    other = 0
    for n, pkt in enumerate(rdpcap(capture), 1):
        for l4cls, proto in ((TCP, 6), (UDP, 17)):
            if l4cls not in pkt:
                continue
            if IP in pkt:
                ip = pkt[IP]
                l4len = ip.len - ip.ihl * 4
                pseudo = (socket.inet_aton(ip.src) + socket.inet_aton(ip.dst)
                          + bytes([0, proto]) + l4len.to_bytes(2, "big"))
            elif IPv6 in pkt:
                ip = pkt[IPv6]
                l4len = ip.plen
                pseudo = (socket.inet_pton(socket.AF_INET6, ip.src)
                          + socket.inet_pton(socket.AF_INET6, ip.dst)
                          + l4len.to_bytes(4, "big") + bytes([0, 0, 0, proto]))
            else:
                continue
            seg = bytes(pkt[l4cls])
            have = pkt[l4cls].chksum
            zeroed = seg[:16] + b"\0\0" + seg[18:] if proto == 6 else \
                seg[:6] + b"\0\0" + seg[8:]
            correct = (~_sum16(pseudo + zeroed)) & 0xFFFF
            if proto == 17 and correct == 0:
                correct = 0xFFFF
            if have == correct:
                kind = "correct"
            elif have == _sum16(pseudo):
                kind = "partial"
            else:
                kind = "other"
                other += 1
                print("   frame %d %s: checksum 0x%04x is neither correct "
                      "(0x%04x) nor partial (0x%04x)"
                      % (n, l4cls.__name__, have, correct, _sum16(pseudo)))
            key = (l4cls.__name__, kind)
            counts[key] = counts.get(key, 0) + 1
    print("   %s: " % capture + ", ".join(
        "%s %s=%d" % (k[0], k[1], v) for k, v in sorted(counts.items())))
    sys.exit(1 if other else 0)


def main(argv):
    if len(argv) == 3 and argv[1] == "expected":
        expected(argv[2])
    elif len(argv) == 3 and argv[1] == "partial":
        partial(argv[2])
    elif len(argv) == 3 and argv[1] == "summary":
        summary(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
