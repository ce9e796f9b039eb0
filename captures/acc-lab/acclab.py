#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""Traffic helpers for make-acc-captures.sh (captures pktdoctor must not
raise false alarms on, and their positive controls).

Runs only inside the pdq-* network namespaces the script creates; every
mode is bounded in count and time (socket timeouts, fixed counts, and the
caller's `timeout`).

  acclab.py paced-bulk ADDR PORT NBYTES PAUSE
        connect, print "connected", wait PAUSE s (the capture starts now,
        after the handshake), send NBYTES in 16 KiB writes, half-close and
        check the receiver's byte count (sink of ../tcp-lab/tcplab.py).
  acclab.py san-client-fin ADDR PORT RECONNECTS
        the iPXE-like SAN client of ../tcp-lab/tcplab.py, but it gives up a
        stalled connection with an ordinary close (FIN) instead of a RST,
        so the server goes on retransmitting on the old connection while
        the client has already reconnected.
  acclab.py vlan-replay IFACE PCAP ADDR VID_A VID_B
        send the frames of PCAP (a real capture) out of IFACE with their
        original timing; frames from ADDR get an 802.1Q tag with VID_A, all
        others VID_B (this kernel has no 802.1Q devices: the tags are
        written by scapy).  Prints the number of frames sent.
  acclab.py mipv6 IFACE SRC_MAC DST_MAC COA HOA CN
        Mobile IPv6 (RFC 6275) frames from a mobile node away from home:
        IPv6 source = care-of address COA, a destination-options header with
        a Home Address option HOA, to correspondent CN.  TCP SYN, TCP data
        and UDP, each with the checksum over the RFC 6275 6.3 pseudo-header
        (home address as source; scapy's in6_chksum), then the positive
        controls: the same TCP data with the checksum computed over the
        care-of address (wrong by RFC 6275) and with the checksum corrupted.
        Prints one line per frame: "<n> <kind> <checksum>".
  acclab.py vlan-strip IN OUT
        write IN without its 802.1Q tags, timestamps kept (to show that
        tshark's verdicts do not depend on the tags).
"""
import os
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tcp-lab"))
import tcplab  # noqa: E402  (the sink, the SAN server and the image pattern)


def paced_bulk(addr, port, nbytes, pause):
    data = tcplab.pattern(0, nbytes)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20.0)
    s.connect((addr, port))
    print("connected from port %d" % s.getsockname()[1], flush=True)
    time.sleep(pause)
    for off in range(0, nbytes, 16384):
        s.sendall(data[off:off + 16384])
        time.sleep(0.002)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        d = s.recv(100)
        if not d:
            break
        reply += d
    s.close()
    if reply.strip() != str(nbytes).encode():
        sys.exit("paced-bulk: receiver reported %r, sent %d" % (reply, nbytes))
    print("paced-bulk: sent %d bytes, receiver confirmed" % nbytes, flush=True)


def san_client_fin(addr, port, max_reconnects):
    offset = 0
    reconnects = 0
    keep = []                   # closed sockets stay referenced: no RST on GC
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3.0)
        s.connect((addr, port))
        s.settimeout(tcplab.RECV_TIMEOUT)
        tcplab.log("client: connected from port %d (connection %d), offset %d"
                   % (s.getsockname()[1], reconnects + 1, offset))
        try:
            s.sendall(b"LOGIN pdtcp-initiator\n")
            tcplab.recv_exact(s, tcplab.HDR + 200)
            reads = 0
            while offset < tcplab.IMAGE_SIZE:
                size = tcplab.SMALL_READ if reads < tcplab.SMALL_READS else tcplab.LARGE_READ
                size = min(size, tcplab.IMAGE_SIZE - offset)
                s.sendall(b"READ %d %d\n" % (offset, size))
                data = tcplab.read_response(s, size)
                if data != tcplab.IMAGE[offset:offset + size]:
                    sys.exit("client: data mismatch at offset %d" % offset)
                offset += size
                reads += 1
            s.close()
            tcplab.log("client: boot image complete")
            return
        except socket.timeout:
            # an ordinary close: FIN (nothing unread in the receive queue;
            # what arrived out of order is not "unread data")
            tcplab.log("client: READ at offset %d timed out; closing (FIN) and reconnecting"
                       % offset)
            s.shutdown(socket.SHUT_WR)
            keep.append(s)
        if reconnects >= max_reconnects:
            tcplab.log("client: giving up after %d reconnects" % reconnects)
            time.sleep(0.5)
            sys.exit(2)
        reconnects += 1


def vlan_replay(iface, pcap, addr, vid_a, vid_b):
    from scapy.all import Dot1Q, Ether, IP, rdpcap
    frames = rdpcap(pcap)
    if len(frames) > 5000:
        sys.exit("vlan-replay: %d frames, limit 5000" % len(frames))
    # build every frame first, then send them with their original spacing
    # (sub-millisecond gaps matter: tshark tells a tail-loss probe from a
    # retransmission by it), busy-waiting the last 2 ms before each one
    out = []
    first = float(frames[0].time)
    for p in frames:
        if Ether not in p or IP not in p:
            continue
        vid = vid_a if p[IP].src == addr else vid_b
        eth = p[Ether]
        tagged = Ether(src=eth.src, dst=eth.dst, type=0x8100) / \
            Dot1Q(vlan=vid, type=eth.type) / eth.payload
        out.append((float(p.time) - first, bytes(tagged)))
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((iface, 0))
    t0 = time.monotonic()
    for rel, raw in out:
        due = t0 + rel
        while True:
            delay = due - time.monotonic()
            if delay <= 0:
                break
            if delay > 0.002:
                time.sleep(min(delay - 0.002, 30.0))
        sock.send(raw)
    sock.close()
    print("vlan-replay: sent %d frames" % len(out), flush=True)


def vlan_strip(src, dst):
    from scapy.all import Dot1Q, Ether, rdpcap, wrpcap
    out = []
    for p in rdpcap(src):
        if Dot1Q in p:
            q = Ether(src=p[Ether].src, dst=p[Ether].dst, type=p[Dot1Q].type) / p[Dot1Q].payload
            q.time = p.time
            p = q
        out.append(p)
    wrpcap(dst, out)


def mipv6(iface, smac, dmac, coa, hoa, cn):
    from scapy.all import UDP, TCP, Ether, Raw, conf
    from scapy.layers.inet6 import HAO, IPv6, IPv6ExtHdrDestOpt
    sock = conf.L2socket(iface=iface)

    def mn(l4):
        return Ether(src=smac, dst=dmac) / IPv6(src=coa, dst=cn, hlim=64) / \
            IPv6ExtHdrDestOpt(options=[HAO(hoa=hoa)]) / l4

    data = b"GET /index.html HTTP/1.1\r\nHost: cn\r\n\r\n"
    frames = [
        ("tcp-syn", mn(TCP(sport=40001, dport=80, flags="S", seq=1000, window=64240))),
        ("tcp-data", mn(TCP(sport=40001, dport=80, flags="PA", seq=1001, ack=1, window=502)
                        / Raw(data))),
        ("udp", mn(UDP(sport=40002, dport=7777) / Raw(b"mobile node, home address option"))),
    ]
    # positive controls: the same data segment, checksum over the care-of
    # address (not the home address) / checksum deliberately wrong
    ok = mn(TCP(sport=40001, dport=80, flags="PA", seq=1001, ack=1, window=502) / Raw(data))
    ok = Ether(bytes(ok))
    plain = Ether(src=smac, dst=dmac) / IPv6(src=coa, dst=cn, hlim=64) / \
        TCP(sport=40001, dport=80, flags="PA", seq=1001, ack=1, window=502) / Raw(data)
    coa_sum = Ether(bytes(plain))[TCP].chksum
    wrong = ok.copy()
    wrong[TCP].chksum = coa_sum
    corrupt = ok.copy()
    corrupt[TCP].chksum = 0xbeef
    frames += [("tcp-data-coa-checksum", wrong), ("tcp-data-corrupt", corrupt)]
    for n, (kind, f) in enumerate(frames, 1):
        raw = bytes(f)
        sock.send(Ether(raw))
        e = Ether(raw)
        l4 = e[TCP] if TCP in e else e[UDP]
        print("%d %s 0x%04x" % (n, kind, l4.chksum), flush=True)
        time.sleep(0.05)
    sock.close()


def main(argv):
    if len(argv) < 2:
        sys.exit(__doc__)
    mode = argv[0]
    if mode == "paced-bulk":
        paced_bulk(argv[1], int(argv[2]), int(argv[3]), float(argv[4]))
    elif mode == "san-client-fin":
        san_client_fin(argv[1], int(argv[2]), int(argv[3]))
    elif mode == "vlan-replay":
        vlan_replay(argv[1], argv[2], argv[3], int(argv[4]), int(argv[5]))
    elif mode == "vlan-strip":
        vlan_strip(argv[1], argv[2])
    elif mode == "mipv6":
        mipv6(*argv[1:7])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
