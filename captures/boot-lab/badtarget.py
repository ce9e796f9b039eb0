#!/usr/bin/python3
"""badtarget.py - a deliberately broken iSCSI target for pktdoctor's boot lab.

Usage: badtarget.py ADDR PORT SECONDS MAXCONN

Listens on ADDR:PORT (the lab script uses a second address of pdboot-srv,
10.79.0.2:3260) and serves at most MAXCONN connections, one after the other,
for at most SECONDS.  Each connection does exactly one thing wrong; which one
is chosen by the TargetName the initiator logs in to
(iqn.2026-11.lab.pktdoctor:bad-<CASE>):

  burst   Login Response answers FirstBurstLength=262144 with
          MaxBurstLength=65536 (RFC 7143 13.14: FirstBurst <= MaxBurst)
  mrdsl   a READ(10) is answered by one Data-In whose data segment (262656
          bytes) is longer than the MaxRecvDataSegmentLength=262144 the
          initiator declared (13.12)
  cmdsn   the READ(10)'s Data-In carries MaxCmdSN = ExpCmdSN - 3: a negative
          command window (4.2.2.1)
  statsn  the READ(10)'s Data-In skips a StatSN (previous + 2, 4.2.2.2)
  digest  HeaderDigest=CRC32C is negotiated; the READ(10)'s Data-In carries a
          wrong header digest (all other PDUs are right)

Everything else is minimal but correct so that libiscsi gets through the
login (one operational stage, T=1, NSG=3, every offered key answered with the
offered value), the TEST UNIT READY its full connect sends, INQUIRY/READ
CAPACITY/READ(10) (data: "BADTARGET LBA nnnnnnnn" sectors), NOP-Out pings
and Logout.  Plain sockets, one thread, everything bounded in time.
"""
import socket
import struct
import sys
import time

BHS = 48
SECTOR = 512
NBLOCKS = 2048          # a 1 MiB "disk"


def log(msg):
    print("badtarget: " + msg, file=sys.stderr, flush=True)


# CRC32C (Castagnoli, reflected polynomial 0x82f63b78), as src/core/crc32c.c
_T = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _T.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def digest_bytes(hdr):
    # RFC 3720 B.4: the CRC goes on the wire least significant byte first
    return struct.pack("<I", crc32c(hdr))


def sector(lba):
    return ("BADTARGET LBA %08d " % lba).encode().ljust(SECTOR, b".")


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


class Conn:
    def __init__(self, sock):
        self.s = sock
        self.hd = False          # header digests in use (after login)
        self.case = None
        self.statsn = 0x1000
        self.expcmdsn = 0
        self.window = 32
        self.read_done = False

    # ---------------------------------------------------------- I/O ---
    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.s.recv(n - len(buf))
            if not chunk:
                raise EOFError
            buf += chunk
        return buf

    def recv_pdu(self):
        h = self.recv_exact(BHS)
        ahs = h[4] * 4
        dsl = int.from_bytes(h[5:8], "big")
        if ahs:
            h += self.recv_exact(ahs)
        if self.hd:
            d = self.recv_exact(4)
            if d != digest_bytes(h):
                log("initiator header digest mismatch (ignored)")
        data = self.recv_exact(dsl + (-dsl % 4))[:dsl] if dsl else b""
        return h, data

    def send_pdu(self, h, data=b"", bad_digest=False):
        assert len(h) == BHS
        h = bytearray(h)
        h[5:8] = len(data).to_bytes(3, "big")
        h = bytes(h)
        out = h
        if self.hd:
            d = digest_bytes(h)
            if bad_digest:
                d = bytes(x ^ 0xFF for x in d)      # deliberately wrong
            out += d
        out += pad4(data)
        self.s.sendall(out)

    # ------------------------------------------------------ numbers ---
    def sn(self):
        """StatSN, ExpCmdSN, MaxCmdSN for the next status PDU."""
        st = self.statsn
        self.statsn = (self.statsn + 1) & 0xFFFFFFFF
        return st, self.expcmdsn, (self.expcmdsn + self.window - 1) & 0xFFFFFFFF

    # -------------------------------------------------------- login ---
    def login(self, h, data):
        keys = [kv.split("=", 1) for kv in data.rstrip(b"\0").decode().split("\0") if "=" in kv]
        kd = dict(keys)
        self.case = kd.get("TargetName", "").rsplit("bad-", 1)[-1]
        log("login from %s to %s (case %s)" % (kd.get("InitiatorName"), kd.get("TargetName"),
                                                 self.case))
        flags = h[1]
        csg = (flags >> 2) & 3
        cmdsn = struct.unpack(">I", h[24:28])[0]
        self.expcmdsn = cmdsn               # the login is immediate
        ans = []
        declared = {"MaxRecvDataSegmentLength", "InitiatorName", "InitiatorAlias",
                    "TargetName", "SessionType"}
        for k, v in keys:
            if k in declared:
                continue
            if k == "HeaderDigest":
                offer = v.split(",")
                v = "CRC32C" if (self.case == "digest" and "CRC32C" in offer) else \
                    ("None" if "None" in offer else offer[0])
            elif k == "DataDigest":
                v = "None"
            elif k == "AuthMethod":
                v = "None"
            elif k == "MaxBurstLength" and self.case == "burst":
                v = "65536"
            elif k == "FirstBurstLength" and self.case == "burst":
                v = "262144"
            ans.append("%s=%s" % (k, v))
        if csg == 1 or flags & 0x80:
            ans += ["TargetAlias=pdboot-badtarget", "TargetPortalGroupTag=1",
                    "MaxRecvDataSegmentLength=262144"]
        text = "".join(a + "\0" for a in ans).encode()
        # T=1 and NSG=3 (full feature phase) from whatever stage was asked
        nflags = 0x80 | (csg << 2) | 3
        st, exp, mx = self.sn()
        rsp = struct.pack(">BBBB", 0x23, nflags, 0, 0) + b"\0\0\0\0" + h[8:14] + \
            struct.pack(">H", 0x4242) + h[16:20] + b"\0" * 4 + \
            struct.pack(">III", st, exp, mx) + b"\0\0" + b"\0" * 10
        self.send_pdu(rsp, text)
        self.hd = any(a == "HeaderDigest=CRC32C" for a in ans)
        return True

    # --------------------------------------------------------- SCSI ---
    def scsi(self, h, data):
        lun = h[8:16]
        itt = h[16:20]
        edtl = struct.unpack(">I", h[20:24])[0]
        cmdsn = struct.unpack(">I", h[24:28])[0]
        if not h[0] & 0x40:                 # not immediate
            self.expcmdsn = (cmdsn + 1) & 0xFFFFFFFF
        cdb = h[32:48]
        op = cdb[0]
        payload = None
        if op == 0x12:                      # INQUIRY
            inq = bytearray(36)
            inq[2], inq[3], inq[4] = 5, 2, 31
            inq[8:16] = b"PDBOOT  "
            inq[16:32] = b"BADTARGET       "
            inq[32:36] = b"0001"
            payload = bytes(inq)[:cdb[4] | cdb[3] << 8]
        elif op == 0x25:                    # READ CAPACITY(10)
            payload = struct.pack(">II", NBLOCKS - 1, SECTOR)
        elif op == 0x9E and (cdb[1] & 0x1F) == 0x10:      # READ CAPACITY(16)
            payload = struct.pack(">QI", NBLOCKS - 1, SECTOR).ljust(32, b"\0")[:edtl]
        elif op == 0x28:                    # READ(10)
            lba = struct.unpack(">I", cdb[2:6])[0]
            n = struct.unpack(">H", cdb[7:9])[0]
            payload = b"".join(sector(lba + i) for i in range(n))
        elif op == 0xA0:                    # REPORT LUNS
            payload = struct.pack(">I", 8) + b"\0" * 4 + b"\0" * 8
            payload = payload[:edtl]
        if payload is None:                 # TEST UNIT READY and the rest: GOOD
            st, exp, mx = self.sn()
            rsp = struct.pack(">BBBB", 0x21, 0x80, 0, 0) + b"\0" * 12 + itt + b"\0" * 4 + \
                struct.pack(">III", st, exp, mx) + b"\0" * 12
            self.send_pdu(rsp)
            return
        under = edtl - len(payload)
        flags = 0x80 | 0x01                 # F, S (status in the Data-In)
        if under > 0:
            flags |= 0x02
        elif under < 0:
            flags |= 0x04
        bad_digest = False
        st, exp, mx = self.sn()
        if op == 0x28 and not self.read_done:
            self.read_done = True
            if self.case == "statsn":
                st = (st + 1) & 0xFFFFFFFF          # skip one StatSN
                self.statsn = (st + 1) & 0xFFFFFFFF
                log("READ: StatSN %d (skipped %d)" % (st, st - 1))
            elif self.case == "cmdsn":
                mx = (exp - 3) & 0xFFFFFFFF         # negative window
                log("READ: ExpCmdSN %d MaxCmdSN %d" % (exp, mx))
            elif self.case == "digest":
                bad_digest = True
                log("READ: wrong header digest")
            elif self.case == "mrdsl":
                log("READ: one Data-In with %d bytes of data" % len(payload))
        hdr = struct.pack(">BBBB", 0x25, flags, 0, 0) + b"\0" * 4 + lun + itt + \
            b"\xff\xff\xff\xff" + struct.pack(">IIIIII", st, exp, mx, 0, 0, abs(under))
        self.send_pdu(hdr, payload, bad_digest)

    def nop(self, h, data):
        itt = h[16:20]
        if itt == b"\xff\xff\xff\xff":
            return
        st, exp, mx = self.sn()
        self.statsn = (self.statsn - 1) & 0xFFFFFFFF   # NOP-In does not advance StatSN
        rsp = struct.pack(">BBBB", 0x20, 0x80, 0, 0) + b"\0" * 4 + h[8:16] + itt + \
            b"\xff\xff\xff\xff" + struct.pack(">III", st, exp, mx) + b"\0" * 12
        self.send_pdu(rsp, data)

    def logout(self, h, data):
        st, exp, mx = self.sn()
        rsp = struct.pack(">BBBB", 0x26, 0x80, 0, 0) + b"\0" * 12 + h[16:20] + b"\0" * 4 + \
            struct.pack(">III", st, exp, mx) + b"\0" * 4 + b"\0" * 8
        self.send_pdu(rsp)

    def serve(self):
        while True:
            h, data = self.recv_pdu()
            op = h[0] & 0x3F
            if op == 0x03:
                self.login(h, data)
            elif op == 0x01:
                self.scsi(h, data)
            elif op == 0x00:
                self.nop(h, data)
            elif op == 0x06:
                self.logout(h, data)
                # let the initiator close first (libiscsi disconnects after
                # the Logout Response), as tgtd's connections end
                self.s.settimeout(3)
                try:
                    while self.s.recv(4096):
                        pass
                except OSError:
                    pass
                return
            else:
                log("opcode 0x%02x not handled; closing" % op)
                return


def main():
    addr, port, seconds, maxconn = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(1)
    print("ready", flush=True)
    end = time.monotonic() + seconds
    for _ in range(maxconn):
        left = end - time.monotonic()
        if left <= 0:
            break
        ls.settimeout(left)
        try:
            s, peer = ls.accept()
        except socket.timeout:
            break
        s.settimeout(15)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        c = Conn(s)
        try:
            c.serve()
        except (EOFError, OSError) as e:
            log("connection from %s ended: %s" % (peer[0], e or "EOF"))
        finally:
            s.close()
        log("done with %s:%d (case %s)" % (peer[0], peer[1], c.case))
    ls.close()


if __name__ == "__main__":
    main()
