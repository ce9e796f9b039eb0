#!/usr/bin/python3
"""Send a fixed sequence of good and deliberately corrupted frames with scapy.

Run inside the sender namespace (pdlab-a), e.g.
  ip netns exec pdlab-a timeout 30 /usr/bin/python3 send_bad_checksums.py \
      pd-a 02:77:00:00:00:01 02:77:00:00:00:02 manifest.txt

Everything is addressed to 10.77.0.2 / fd77::2 (the pdlab-b end of the veth).
The list is fixed: same frames, same bad values on every run.  The manifest
lists, in sending order, every frame that carries a corrupted checksum:
  <send index (1-based)> <layer> <is 0xNNNN> <should 0xNNNN>
"""
import sys
import time

from scapy.all import (Ether, ICMP, ICMPv6EchoRequest, IP, IPv6, Raw, TCP,
                       UDP, conf, sendp)

SRC4, DST4 = "10.77.0.1", "10.77.0.2"
SRC6, DST6 = "fd77::1", "fd77::2"

conf.verb = 0


def finish(pkt):
    """Build the frame so scapy fills every checksum (and length) in."""
    return pkt.__class__(bytes(pkt))


def corrupt(pkt, layer_cls, value):
    """Return (frame with layer_cls's checksum forced to value, correct value).

    The checksum field is "chksum" in IP/TCP/UDP/ICMP and "cksum" in the
    ICMPv6 layers."""
    names = [f.name for f in layer_cls.fields_desc]
    field = "cksum" if "cksum" in names else "chksum"
    good = finish(pkt)
    should = good[layer_cls].getfieldval(field)
    if should == value:
        raise SystemExit("bad value %#06x equals the correct one" % value)
    bad = good.copy()
    bad[layer_cls].setfieldval(field, value)
    bad = bad.__class__(bytes(bad))
    assert bad[layer_cls].getfieldval(field) == value
    return bad, should


def main():
    iface, smac, dmac, manifest = sys.argv[1:5]
    e = Ether(src=smac, dst=dmac)
    v4 = lambda ident: e / IP(src=SRC4, dst=DST4, id=ident, ttl=64, flags="DF")
    v6 = lambda: e / IPv6(src=SRC6, dst=DST6, hlim=64)

    frames = []   # (frame, None | (layer name, is, should))

    def good(p):
        frames.append((finish(p), None))

    def bad(p, layer_cls, name, value):
        f, should = corrupt(p, layer_cls, value)
        frames.append((f, (name, value, should)))

    # UDP/IPv4 to a closed port: receiver answers ICMP port unreachable.
    good(v4(0x7701) / UDP(sport=40001, dport=9) / Raw(b"good udp v4"))
    bad(v4(0x7702) / UDP(sport=40002, dport=9) / Raw(b"bad udp v4"),
        UDP, "udp", 0x1234)
    # TCP SYN to a closed port: receiver answers RST,ACK.
    good(v4(0x7703) / TCP(sport=40003, dport=5001, flags="S", seq=1000,
                          window=64240))
    bad(v4(0x7704) / TCP(sport=40004, dport=5001, flags="S", seq=2000,
                         window=64240),
        TCP, "tcp", 0x1234)
    # ICMP echo: receiver answers the good one.
    good(v4(0x7705) / ICMP(type=8, id=0x77, seq=1) / Raw(b"good icmp echo"))
    bad(v4(0x7706) / ICMP(type=8, id=0x77, seq=2) / Raw(b"bad icmp echo"),
        ICMP, "icmp", 0x1234)
    # Bad IPv4 header checksum (the UDP inside is correct).
    bad(v4(0x7707) / UDP(sport=40007, dport=9) / Raw(b"bad ip header"),
        IP, "ipv4", 0x1234)
    # UDP/IPv4 with checksum 0 = "no checksum": legal, NOT corrupted.
    p = finish(v4(0x7708) / UDP(sport=40008, dport=9) / Raw(b"udp v4 cksum 0"))
    p[UDP].chksum = 0
    frames.append((p.__class__(bytes(p)), None))
    # TCP segment with data (PSH,ACK) to a closed port: RST from receiver.
    good(v4(0x7709) / TCP(sport=40009, dport=5001, flags="PA", seq=3000,
                          ack=1, window=64240) / Raw(b"good tcp data"))
    bad(v4(0x770a) / TCP(sport=40010, dport=5001, flags="PA", seq=4000,
                         ack=1, window=64240) / Raw(b"bad tcp data"),
        TCP, "tcp", 0xbeef)
    # IPv6: UDP to a closed port (ICMPv6 unreachable), then bad UDP.
    good(v6() / UDP(sport=40011, dport=9) / Raw(b"good udp v6"))
    bad(v6() / UDP(sport=40012, dport=9) / Raw(b"bad udp v6"),
        UDP, "udp", 0x1234)
    # ICMPv6 echo: receiver answers the good one.
    good(v6() / ICMPv6EchoRequest(id=0x77, seq=1, data=b"good icmpv6 echo"))
    bad(v6() / ICMPv6EchoRequest(id=0x77, seq=2, data=b"bad icmpv6 echo"),
        ICMPv6EchoRequest, "icmpv6", 0x1234)

    with open(manifest, "w") as out:
        for i, (f, info) in enumerate(frames, 1):
            if info:
                out.write("%d %s 0x%04x 0x%04x\n" % (i, info[0], info[1],
                                                      info[2]))
    for f, _ in frames:
        sendp(f, iface=iface)
        time.sleep(0.1)   # let the receiver's answer go out before the next
    print("sent %d frames (%d corrupted) on %s"
          % (len(frames), sum(1 for _, i in frames if i), iface))


if __name__ == "__main__":
    main()
