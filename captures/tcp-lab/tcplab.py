#!/usr/bin/python3
"""TCP traffic helpers for make-tcp-captures.sh.

Runs only inside the pdtcp-* network namespaces that the script creates.
Every mode is bounded in count and time (socket timeouts, fixed deadlines,
and the caller's `timeout`).

  tcplab.py sink ADDR PORT                 accept ONE connection, read to EOF,
                                           answer "<bytes>\\n", close
  tcplab.py bulk ADDR PORT NBYTES [CHUNK MS]
                                           connect, send NBYTES deterministic
                                           bytes, half-close, check the answer;
                                           with CHUNK/MS: write CHUNK bytes
                                           every MS milliseconds, and cork the
                                           last write so the FIN rides on the
                                           last data segment
  tcplab.py sink ADDR PORT [CLAMP]         CLAMP: TCP_WINDOW_CLAMP, so that the
                                           advertised window is a constant
  tcplab.py san-server ADDR PORT MAXCONN   iSCSI-like block server (see below)
  tcplab.py san-client ADDR PORT           iPXE-like SAN-boot client (see below)

The san-* pair reproduces the "oversized segment black hole" of a network
boot.  It is a toy protocol shaped like iSCSI:

  client -> server   "LOGIN pdtcp-initiator\\n"
  server -> client   one 48-byte header + 200-byte text "login response"
  client -> server   "READ <offset> <length>\\n"
  server -> client   Data-In PDUs (48-byte header + at most 8192 data bytes
                     each, ONE send() per PDU) and then a 48-byte status PDU
                     (one more send()).  TCP_NODELAY is on, so every PDU
                     leaves as its own TCP segment when the MSS allows it.

The client downloads a 200 KiB "boot image".  On every (re)connection it logs
in, does SMALL_READS reads of 1 KiB (each response is a 1072-byte and a
48-byte segment: they fit in MSS 1460 and get through) and then switches to
LARGE_READ-byte reads (the kernel image).  A large read produces two 8240-byte
Data-In PDUs (one segment each when the server believes the MSS is 8960),
which a 1500-byte path silently drops, followed by a 1072-byte PDU and the
status PDU, which do get through.  The client then waits RECV_TIMEOUT s for
the rest, gives up on the connection with an abortive close (RST, SO_LINGER
0, like a boot firmware that just drops its TCP state), reconnects at once to
the same port and resumes at the offset it has reached.  At most
MAX_RECONNECTS reconnects, at most DEADLINE s in total.
"""
import socket
import struct
import sys
import time

IMAGE_SIZE = 200 * 1024
SMALL_READ = 1024
SMALL_READS = 8
LARGE_READ = 17 * 1024          # 8192 + 8192 + 1024 data bytes
MAX_PDU_DATA = 8192             # "MaxRecvDataSegmentLength"
HDR = 48
RECV_TIMEOUT = 4.0
MAX_RECONNECTS = 3
DEADLINE = 40.0
T0 = time.monotonic()


def log(*a):
    print("[%7.3f]" % (time.monotonic() - T0), *a, flush=True)


def pattern(off, n):
    # Deterministic, offset-addressable byte pattern.
    return bytes(((i * 131) + (i >> 8) * 7 + 3) & 0xFF for i in range(off, off + n))


IMAGE = pattern(0, IMAGE_SIZE)


# ------------------------------------------------------------- bulk pair ---
def sink(addr, port, clamp=0):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if clamp:
        # A constant receive window: duplicate ACKs then really are
        # duplicates (same ack, same window) for tshark's analysis.
        ls.setsockopt(socket.IPPROTO_TCP, socket.TCP_WINDOW_CLAMP, clamp)
    ls.bind((addr, port))
    ls.listen(1)
    ls.settimeout(20.0)
    print("ready", flush=True)
    c, peer = ls.accept()
    ls.close()
    if clamp:
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_WINDOW_CLAMP, clamp)
    c.settimeout(20.0)
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"%d\n" % n)
    c.close()
    print("received", n, "bytes from", peer[0], flush=True)


def bulk(addr, port, nbytes, chunk=0, interval_ms=0):
    data = pattern(0, nbytes)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(20.0)
    s.connect((addr, port))
    if not chunk:
        s.sendall(data)
    else:
        # Application-limited, ACK-clocked flow: a burst of CHUNK bytes every
        # interval.  Each burst is long gone and ACKed before the next one,
        # so the loss recovery does not depend on scheduler jitter.
        for off in range(0, nbytes, chunk):
            if off + chunk >= nbytes:
                # Cork the last write: the final partial segment is held
                # back and shutdown() tacks the FIN onto it.
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_CORK, 1)
            s.sendall(data[off:off + chunk])
            if off + chunk < nbytes:
                time.sleep(interval_ms / 1000.0)
    s.shutdown(socket.SHUT_WR)
    reply = b""
    while True:
        d = s.recv(100)
        if not d:
            break
        reply += d
    s.close()
    if reply.strip() != str(nbytes).encode():
        sys.exit("bulk: receiver reported %r, sent %d" % (reply, nbytes))
    print("bulk: sent %d bytes, receiver confirmed" % nbytes, flush=True)


# ------------------------------------------------------- SAN-boot pair ---
def pdu_header(kind, seq, length):
    return struct.pack("!8sII", kind.ljust(8, b" "), seq, length).ljust(HDR, b"\0")


def recv_exact(s, n):
    buf = bytearray()
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise ConnectionError("peer closed")
        buf += d
    return bytes(buf)


def recv_line(s, limit=200):
    buf = bytearray()
    while not buf.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            return None
        buf += d
        if len(buf) > limit:
            raise ValueError("request too long")
    return buf.decode().strip()


def san_server(addr, port, maxconn):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(4)
    ls.settimeout(10.0)          # no new connection for 10 s: done
    print("ready", flush=True)
    for conn_no in range(1, maxconn + 1):
        try:
            c, peer = ls.accept()
        except socket.timeout:
            log("server: no further connection, exiting")
            break
        c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c.settimeout(15.0)
        mss = c.getsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG)
        log("server: connection %d from %s:%d, TCP_MAXSEG %d" % (conn_no, peer[0], peer[1], mss))
        seq = 0
        try:
            while True:
                req = recv_line(c)
                if req is None:
                    log("server: connection %d closed by client" % conn_no)
                    break
                words = req.split()
                if words[0] == "LOGIN":
                    c.sendall(pdu_header(b"LOGINRSP", seq, 200) + b"TargetName=pdtcp-target\0".ljust(200, b"\0"))
                    seq += 1
                elif words[0] == "READ":
                    off, length = int(words[1]), int(words[2])
                    data = IMAGE[off:off + length]
                    for p in range(0, len(data), MAX_PDU_DATA):
                        chunk = data[p:p + MAX_PDU_DATA]
                        c.sendall(pdu_header(b"DATAIN", seq, len(chunk)) + chunk)
                        seq += 1
                    c.sendall(pdu_header(b"STATUS", seq, 0))
                    seq += 1
                else:
                    log("server: bad request %r" % req)
                    break
        except (ConnectionError, socket.timeout, OSError) as e:
            log("server: connection %d ended: %s" % (conn_no, e.__class__.__name__))
        c.close()
    ls.close()


def read_response(s, length):
    got = bytearray()
    npdu = (length + MAX_PDU_DATA - 1) // MAX_PDU_DATA
    for _ in range(npdu):
        kind, _seq, n = struct.unpack("!8sII", recv_exact(s, HDR)[:16])
        if kind.strip() != b"DATAIN":
            raise ValueError("expected DATAIN, got %r" % kind)
        got += recv_exact(s, n)
    kind = recv_exact(s, HDR)[:8]
    if kind.strip() != b"STATUS":
        raise ValueError("expected STATUS, got %r" % kind)
    return bytes(got)


def san_client(addr, port):
    offset = 0
    reconnects = 0
    while True:
        if time.monotonic() - T0 > DEADLINE:
            log("client: deadline reached at offset %d" % offset)
            sys.exit(3)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3.0)
        s.connect((addr, port))
        s.settimeout(RECV_TIMEOUT)
        log("client: connected from port %d (connection %d), resuming at offset %d"
            % (s.getsockname()[1], reconnects + 1, offset))
        try:
            s.sendall(b"LOGIN pdtcp-initiator\n")
            recv_exact(s, HDR + 200)
            reads = 0
            while offset < IMAGE_SIZE:
                size = SMALL_READ if reads < SMALL_READS else LARGE_READ
                size = min(size, IMAGE_SIZE - offset)
                s.sendall(b"READ %d %d\n" % (offset, size))
                data = read_response(s, size)
                if data != IMAGE[offset:offset + size]:
                    sys.exit("client: data mismatch at offset %d" % offset)
                offset += size
                reads += 1
            s.close()
            log("client: boot image complete (%d bytes)" % offset)
            return
        except socket.timeout:
            log("client: READ at offset %d timed out after %.0f s; aborting connection (RST)"
                % (offset, RECV_TIMEOUT))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.close()
        if reconnects >= MAX_RECONNECTS:
            log("client: giving up after %d reconnects, %d of %d bytes read"
                % (reconnects, offset, IMAGE_SIZE))
            sys.exit(2)
        reconnects += 1


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    mode = argv[0]
    if mode == "sink":
        sink(argv[1], int(argv[2]), int(argv[3]) if len(argv) > 3 else 0)
    elif mode == "bulk":
        bulk(argv[1], int(argv[2]), int(argv[3]), *[int(a) for a in argv[4:6]])
    elif mode == "san-server":
        san_server(argv[1], int(argv[2]), int(argv[3]))
    elif mode == "san-client":
        san_client(argv[1], int(argv[2]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
