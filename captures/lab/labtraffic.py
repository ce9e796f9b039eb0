#!/usr/bin/python3
"""Deterministic traffic helpers for make-offload-captures.sh.

Runs inside the pdlab-* network namespaces only.  Every mode is bounded in
count and time (socket timeouts + the caller's `timeout`).

  labtraffic.py payload N                 write N deterministic bytes to stdout
  labtraffic.py udp-server ADDR PORT N    echo N datagrams back ("echo:" + data)
  labtraffic.py udp-client ADDR PORT N    send N datagrams, wait for each echo
"""
import socket
import sys
import time


def payload(n):
    # Non-trivial, deterministic byte pattern (not all zeros, so checksums
    # actually depend on the data).
    sys.stdout.buffer.write(bytes(((i * 131) + (i >> 8) * 7 + 3) & 0xFF
                                  for i in range(n)))


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def udp_server(addr, port, n):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.settimeout(10.0)
    print("ready", flush=True)
    for _ in range(n):
        data, peer = s.recvfrom(2048)
        s.sendto(b"echo:" + data, peer)
    s.close()


def udp_client(addr, port, n):
    s = socket.socket(family(addr), socket.SOCK_DGRAM)
    s.settimeout(3.0)
    s.connect((addr, port))
    for i in range(1, n + 1):
        msg = ("pktdoctor-udp-%d " % i).encode() + b"x" * (16 * i)
        s.send(msg)
        reply = s.recv(2048)
        if reply != b"echo:" + msg:
            sys.exit("udp-client: bad echo for datagram %d" % i)
        time.sleep(0.05)
    s.close()
    print("udp-client: %d datagrams echoed via %s" % (n, addr))


def main(argv):
    if len(argv) >= 2 and argv[1] == "payload":
        payload(int(argv[2]))
    elif len(argv) == 5 and argv[1] == "udp-server":
        udp_server(argv[2], int(argv[3]), int(argv[4]))
    elif len(argv) == 5 and argv[1] == "udp-client":
        udp_client(argv[2], int(argv[3]), int(argv[4]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
