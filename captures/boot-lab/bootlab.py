#!/usr/bin/python3
"""bootlab.py - small helpers for make-boot-captures.sh (pktdoctor boot lab).

Every network action here is bounded in count and time and only talks to
the addresses it is given (the script passes 10.79.0.x addresses inside its
own pdboot-* network namespaces).

Subcommands:
  opt43 CODE=TEXT...            print a DHCP option 43 value (encapsulated
                                sub-options, ends with 0xff) as dnsmasq hex
                                "c9:37:69:..."
  mkdisk PATH MIB               write a file-backed LUN image: every 512-byte
                                sector says "PDBOOT LBA nnnnnnnn", LBA 0 ends
                                with the 55 aa boot signature
  iscsi-read PORTAL TARGET INITIATOR LUN DIGEST DISK [READS] [CHAPUSER CHAPPASS]
                                libiscsi (ctypes) initiator: login with
                                HeaderDigest DIGEST (none|crc32c|none,crc32c),
                                optionally CHAP, TEST UNIT READY, READ
                                CAPACITY(16), the READs in READS
                                ("read10:LBA:BLOCKS,read16:LBA:BLOCKS,...",
                                default: 4 reads), each checked against DISK,
                                then logout
  iscsi-case PORTAL TARGET INITIATOR LUN DIGEST TIMEOUT STEPS [CHAPUSER CHAPPASS]
                                libiscsi (ctypes) initiator for the error
                                captures: STEPS is a comma list run in order:
                                "login" (must succeed), "login-fail" (must be
                                refused; then stop), "tur", "read10:LBA:BLOCKS"
                                (512-byte blocks, no data check), "wait:FILE:S"
                                (print "waiting", then wait up to S seconds for
                                FILE to exist), "logout".  After the login a
                                failing step is reported and ends the steps
                                (the target may be broken on purpose); the
                                context is always disconnected.  TIMEOUT is
                                libiscsi's per-command timeout (s)
  syslog-listen ADDR PORT OUT SECONDS MAXMSG
                                UDP syslog receiver; one repr() per datagram
  http-get HOST PORT PATH [EXPECT]
                                one HTTP/1.1 GET with iPXE's request headers,
                                read to EOF, print status and body length
  ipxe-session SERVER SYSLOGPORT HTTPPORT HOSTNAME MAC IP
                                the iPXE-like boot: HTTP GETs (200, 200, 404)
                                with syslog lines sent at the moments iPXE
                                would send them (plus one RFC 3164 and one
                                RFC 5424 line)
  ipxe-sanboot SYSLOGSERVER SYSLOGPORT ROOTPATH INITIATOR DISK MAC IP MASK GW
               NEXTSERVER READS HOLD
                                the firmware half of an iSCSI SAN boot after
                                DHCP, as iPXE's netboot()/uriboot() does it:
                                syslog lines for the DHCP result, next server
                                (siaddr, "" = none) and root path, libiscsi login to the RFC 4173 ROOTPATH
                                (ISID type EN 10019 = iPXE's), TEST UNIT READY,
                                READ CAPACITY(10), "Registered SAN device
                                0x80", "Booting from SAN device 0x80", the
                                READ(10)s in READS ("LBA:BLOCKS,..."), each
                                checked against DISK; then prints "handover"
                                and keeps the connection open without a
                                Logout (iPXE leaves it to the OS) until it is
                                signalled or HOLD seconds pass
"""
import ctypes
import datetime
import os
import socket
import sys
import time

IPXE_UA = "iPXE/1.21.1+ (g8f1514a0)"


def die(msg):
    print("bootlab: " + msg, file=sys.stderr)
    sys.exit(1)


# --------------------------------------------------------------- opt43 ---
def cmd_opt43(args):
    out = bytearray()
    for a in args:
        code, text = a.split("=", 1)
        data = text.encode()
        if len(data) > 255:
            die("sub-option too long")
        out += bytes([int(code), len(data)]) + data
    out += b"\xff"
    if len(out) > 255:
        die("option 43 longer than 255 bytes")
    print(":".join("%02x" % b for b in out))


# -------------------------------------------------------------- mkdisk ---
def sector(lba):
    s = ("PDBOOT LBA %08d " % lba).encode()          # 20 bytes
    s = (s * 26)[:512]
    if lba == 0:
        s = b"PKTDOCTOR-LAB-DISK1 MBR".ljust(446, b"\0") + bytes(64) + b"\x55\xaa"
    return s


def cmd_mkdisk(args):
    path, mib = args[0], int(args[1])
    with open(path, "wb") as f:
        for lba in range(mib * 2048):
            f.write(sector(lba))


# ---------------------------------------------------------- iscsi-read ---
class ScsiIovec(ctypes.Structure):
    _fields_ = [("iov_base", ctypes.c_void_p), ("iov_len", ctypes.c_size_t)]


def load_libiscsi():
    lib = ctypes.CDLL("libiscsi.so.7")
    vp, cp, ci = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int
    sig = {
        "iscsi_create_context": (vp, [cp]),
        "iscsi_destroy_context": (ci, [vp]),
        "iscsi_get_error": (cp, [vp]),
        "iscsi_set_targetname": (ci, [vp, cp]),
        "iscsi_set_alias": (ci, [vp, cp]),
        "iscsi_set_session_type": (ci, [vp, ci]),
        "iscsi_set_header_digest": (ci, [vp, ci]),
        "iscsi_set_initiator_username_pwd": (ci, [vp, cp, cp]),
        "iscsi_set_timeout": (ci, [vp, ci]),
        "iscsi_set_noautoreconnect": (None, [vp, ci]),
        "iscsi_full_connect_sync": (ci, [vp, cp, ci]),
        "iscsi_logout_sync": (ci, [vp]),
        "iscsi_disconnect": (ci, [vp]),
        "iscsi_testunitready_sync": (vp, [vp, ci]),
        "iscsi_readcapacity16_sync": (vp, [vp, ci]),
        "iscsi_readcapacity10_sync": (vp, [vp, ci, ci, ci]),
        "iscsi_set_isid_en": (ci, [vp, ctypes.c_uint32, ctypes.c_uint32]),
        "iscsi_read10_iov_sync": (vp, [vp, ci, ctypes.c_uint32, ctypes.c_uint32,
                                       ci, ci, ci, ci, ci, ci,
                                       ctypes.POINTER(ScsiIovec), ci]),
        "iscsi_read16_iov_sync": (vp, [vp, ci, ctypes.c_uint64, ctypes.c_uint32,
                                       ci, ci, ci, ci, ci, ci,
                                       ctypes.POINTER(ScsiIovec), ci]),
        "scsi_datain_unmarshall": (vp, [vp]),
        "scsi_free_scsi_task": (None, [vp]),
    }
    for name, (res, argt) in sig.items():
        fn = getattr(lib, name)
        fn.restype = res
        fn.argtypes = argt
    return lib


DIGESTS = {"none": 0, "none,crc32c": 1, "crc32c,none": 2, "crc32c": 3}


def cmd_iscsi_read(args):
    portal, target, initiator, lun, digest, disk = args[:6]
    lun = int(lun)
    spec = args[6] if len(args) > 6 and args[6] else \
        "read10:0:1,read16:0:8,read16:2048:8,read16:64:128"
    reads = [(k, int(a), int(b)) for k, a, b in (r.split(":") for r in spec.split(","))]
    chap = args[7:9] if len(args) > 8 else None
    lib = load_libiscsi()
    ctx = lib.iscsi_create_context(initiator.encode())
    if not ctx:
        die("iscsi_create_context failed")

    def err(what):
        die("%s: %s" % (what, lib.iscsi_get_error(ctx).decode(errors="replace")))

    lib.iscsi_set_timeout(ctx, 10)
    lib.iscsi_set_noautoreconnect(ctx, 1)
    lib.iscsi_set_alias(ctx, b"pdboot-client1")
    lib.iscsi_set_targetname(ctx, target.encode())
    lib.iscsi_set_session_type(ctx, 2)              # ISCSI_SESSION_NORMAL
    if lib.iscsi_set_header_digest(ctx, DIGESTS[digest]) != 0:
        err("set_header_digest")
    if chap and lib.iscsi_set_initiator_username_pwd(ctx, chap[0].encode(), chap[1].encode()) != 0:
        err("set_initiator_username_pwd")
    if lib.iscsi_full_connect_sync(ctx, portal.encode(), lun) != 0:
        err("login")
    print("logged in to %s lun %d (HeaderDigest offered: %s%s)" % (
        target, lun, digest, ", CHAP user %s" % chap[0] if chap else ""))

    def status(task, what):
        if not task:
            err(what)
        st = ctypes.cast(task, ctypes.POINTER(ctypes.c_int))[0]
        return st

    task = lib.iscsi_testunitready_sync(ctx, lun)
    print("TEST UNIT READY status %d" % status(task, "testunitready"))
    lib.scsi_free_scsi_task(task)

    task = lib.iscsi_readcapacity16_sync(ctx, lun)
    if status(task, "readcapacity16") != 0:
        die("READ CAPACITY(16) failed")
    rc16 = lib.scsi_datain_unmarshall(task)
    last_lba = ctypes.cast(rc16, ctypes.POINTER(ctypes.c_uint64))[0]
    blksz = ctypes.cast(rc16 + 8, ctypes.POINTER(ctypes.c_uint32))[0]
    lib.scsi_free_scsi_task(task)
    print("READ CAPACITY(16): last LBA %d, block %d bytes" % (last_lba, blksz))

    with open(disk, "rb") as f:
        image = f.read()
    for kind, lba, blocks in reads:
        n = blocks * blksz
        buf = ctypes.create_string_buffer(n)
        iov = ScsiIovec(ctypes.cast(buf, ctypes.c_void_p), n)
        fn = lib.iscsi_read10_iov_sync if kind == "read10" else lib.iscsi_read16_iov_sync
        task = fn(ctx, lun, lba, n, blksz, 0, 0, 0, 0, 0, ctypes.byref(iov), 1)
        if status(task, kind) != 0:
            die("%s LBA %d failed" % (kind, lba))
        lib.scsi_free_scsi_task(task)
        if buf.raw != image[lba * blksz: lba * blksz + n]:
            die("%s LBA %d: data differs from the backing file" % (kind, lba))
        print("%s LBA %d x %d blocks (%d bytes): data matches" % (kind.upper(), lba, blocks, n))
    if lib.iscsi_logout_sync(ctx) != 0:
        err("logout")
    print("logged out")
    lib.iscsi_destroy_context(ctx)


# ---------------------------------------------------------- iscsi-case ---
def cmd_iscsi_case(args):
    portal, target, initiator, lun, digest, tmo, steps = args[:7]
    lun, tmo = int(lun), int(tmo)
    chap = args[7:9] if len(args) > 8 else None
    lib = load_libiscsi()
    ctx = lib.iscsi_create_context(initiator.encode())
    if not ctx:
        die("iscsi_create_context failed")

    def errtext():
        e = lib.iscsi_get_error(ctx)
        return e.decode(errors="replace") if e else "?"

    lib.iscsi_set_timeout(ctx, tmo)
    lib.iscsi_set_noautoreconnect(ctx, 1)
    lib.iscsi_set_alias(ctx, b"pdboot-client1")
    lib.iscsi_set_targetname(ctx, target.encode())
    lib.iscsi_set_session_type(ctx, 2)              # ISCSI_SESSION_NORMAL
    if lib.iscsi_set_header_digest(ctx, DIGESTS[digest]) != 0:
        die("set_header_digest: " + errtext())
    if chap and lib.iscsi_set_initiator_username_pwd(ctx, chap[0].encode(), chap[1].encode()) != 0:
        die("set_initiator_username_pwd: " + errtext())
    rc = 0
    for step in steps.split(","):
        f = step.split(":")
        t0 = time.monotonic()
        if f[0] in ("login", "login-fail"):
            ok = lib.iscsi_full_connect_sync(ctx, portal.encode(), lun) == 0
            print("login to %s lun %d: %s" % (target, lun, "ok" if ok else "refused: " + errtext()),
                  flush=True)
            if ok != (f[0] == "login"):
                rc = 1
            if not ok:
                break
        elif f[0] == "tur" or f[0] == "read10":
            if f[0] == "tur":
                task = lib.iscsi_testunitready_sync(ctx, lun)
            else:
                lba, n = int(f[1]), int(f[2]) * 512
                buf = ctypes.create_string_buffer(n)
                iov = ScsiIovec(ctypes.cast(buf, ctypes.c_void_p), n)
                task = lib.iscsi_read10_iov_sync(ctx, lun, lba, n, 512, 0, 0, 0, 0, 0,
                                                 ctypes.byref(iov), 1)
            if not task:
                print("%s: failed after %.1f s: %s" % (step, time.monotonic() - t0, errtext()),
                      flush=True)
                break
            st = ctypes.cast(task, ctypes.POINTER(ctypes.c_int))[0]
            lib.scsi_free_scsi_task(task)
            print("%s: status %d after %.1f s" % (step, st, time.monotonic() - t0), flush=True)
        elif f[0] == "wait":
            print("waiting", flush=True)
            end = t0 + float(f[2])
            while not os.path.exists(f[1]) and time.monotonic() < end:
                time.sleep(0.05)
        elif f[0] == "logout":
            ok = lib.iscsi_logout_sync(ctx) == 0
            print("logout: %s" % ("ok" if ok else "failed: " + errtext()), flush=True)
            if not ok:
                break
        else:
            die("unknown step " + step)
    lib.iscsi_disconnect(ctx)
    lib.iscsi_destroy_context(ctx)
    sys.exit(rc)


# ------------------------------------------------------- syslog-listen ---
def cmd_syslog_listen(args):
    addr, port, out, seconds, maxmsg = args[0], int(args[1]), args[2], float(args[3]), int(args[4])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    end = time.monotonic() + seconds
    print("ready", flush=True)
    n = 0
    with open(out, "w") as f:
        while n < maxmsg:
            left = end - time.monotonic()
            if left <= 0:
                break
            s.settimeout(left)
            try:
                data, peer = s.recvfrom(2048)
            except socket.timeout:
                break
            n += 1
            f.write("%s %r\n" % (peer[0], data))
            f.flush()


# ------------------------------------------------------------ http-get ---
def http_get(host, port, path, timeout=10):
    req = ("GET %s HTTP/1.1\r\nConnection: keep-alive\r\nHost: %s\r\n"
           "User-Agent: %s\r\n\r\n" % (path, host, IPXE_UA)).encode()
    with socket.create_connection((host, port), timeout=timeout) as s:
        s.sendall(req)
        data = b""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    line = head.split(b"\r\n", 1)[0].decode()
    parts = line.split(" ", 2)
    return int(parts[1]), parts[2] if len(parts) > 2 else "", body


def cmd_http_get(args):
    host, port, path = args[0], int(args[1]), args[2]
    code, reason, body = http_get(host, port, path)
    print("GET %s -> %d %s, %d bytes" % (path, code, reason, len(body)))
    if len(args) > 3 and code != int(args[3]):
        die("expected status %s" % args[3])


# -------------------------------------------------------- ipxe-session ---
def cmd_ipxe_session(args):
    server, sport, hport, hostname, mac, ip = args
    sport, hport = int(sport), int(hport)
    log = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    log.connect((server, sport))
    base = "http://%s" % server

    def ipxe(msg, sev=6):
        # iPXE src/net/udp/syslog.c: "<%d>%s%s%s%sipxe: %s" with facility 0
        # (kernel) and LOG_INFO by default, no hostname when none is set,
        # no trailing newline on UDP.
        line = "<%d>ipxe: %s" % (sev, msg)
        log.send(line.encode())
        print("syslog: " + line)
        time.sleep(0.05)

    now = datetime.datetime.now(datetime.timezone.utc)
    # RFC 3164: <PRI>Mmm dd hh:mm:ss HOST TAG: MSG  (local7.info = 190)
    rfc3164 = "<190>%s %2d %s %s pdboot-lab[4242]: boot attempt 1 for %s starting (iPXE chainload)" % (
        now.strftime("%b"), now.day, now.strftime("%H:%M:%S"), hostname, mac)
    log.send(rfc3164.encode())
    print("syslog: " + rfc3164)
    time.sleep(0.2)

    ipxe("net0: %s using virtio-net on 0000:00:03.0 (Ethernet) [open]" % mac)
    ipxe("net0: %s/255.255.255.0 gw %s" % (ip, server))
    ipxe("Next server: %s" % server)
    ipxe("Filename: %s/boot.ipxe" % base)

    results = []
    for path in ("/boot.ipxe", "/vmlinuz", "/initrd.img"):
        code, reason, body = http_get(server, hport, path)
        results.append((path, code, len(body)))
        print("http: GET %s -> %d %s (%d bytes)" % (path, code, reason, len(body)))
        if code == 200:
            ipxe("%s%s... ok" % (base, path))
        else:
            # A DEBUG=http build prints the status line in the middle of the
            # "uri..." console line; the syslog line console sends that line
            # when its newline arrives, then the error text on its own line.
            ipxe("%s%s...HTTP 0x7f0fa808 status %d %s" % (base, path, code, reason))
            ipxe(" No such file or directory (https://ipxe.org/2d0c618e)")
            time.sleep(0.3)
            ipxe("Could not boot image: No such file or directory (https://ipxe.org/2d0c618e)")
            ipxe("No more network devices")
            break
        time.sleep(0.3)

    time.sleep(0.3)
    now = datetime.datetime.now(datetime.timezone.utc)
    rfc5424 = ("<131>1 %s %s pdboot-lab 4242 BOOTFAIL "
               "[pdboot@32473 uri=\"%s/initrd.img\" status=\"404\"] "
               "boot failed: initrd missing" % (
                   now.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z", hostname, base))
    log.send(rfc5424.encode())
    print("syslog: " + rfc5424)
    want = [("/boot.ipxe", 200), ("/vmlinuz", 200), ("/initrd.img", 404)]
    if [(p, c) for p, c, _ in results] != want:
        die("unexpected HTTP results %r" % results)


# -------------------------------------------------------- ipxe-sanboot ---
def parse_rootpath(rp):
    """RFC 4173 iscsi:<server>:<protocol>:<port>:<LUN>:<targetname>"""
    if not rp.startswith("iscsi:"):
        die("not an iSCSI root path: " + rp)
    f = rp[6:].split(":", 4)
    if len(f) != 5:
        die("bad root path: " + rp)
    server, proto, port, lun, target = f
    if proto not in ("", "6"):
        die("root path protocol %s is not TCP" % proto)
    # RFC 4173: the LUN is hex; iPXE parses it the same way (scsi_parse_lun)
    return server, int(port or "3260"), int(lun or "0", 16), target


def cmd_ipxe_sanboot(args):
    (logserver, sport, rootpath, initiator, disk, mac, ip, mask, gw,
     nextserver, spec, hold) = args
    sport, hold = int(sport), float(hold)
    server, port, lun, target = parse_rootpath(rootpath)
    reads = [(int(a), int(b)) for a, b in (r.split(":") for r in spec.split(","))]
    log = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    log.connect((logserver, sport))

    def ipxe(msg):
        # the same form as ipxe-session: "<6>ipxe: MSG", no hostname, no newline
        line = "<6>ipxe: " + msg
        log.send(line.encode())
        print("syslog: " + line, flush=True)
        time.sleep(0.05)

    # iPXE's syslog console sends a line when its newline is printed; the
    # "Configuring" line ends after the DHCP settings (which name the log
    # server) have been applied, so it is the first line that goes out.
    ipxe("Configuring (net0 %s)...... ok" % mac)
    ipxe("net0: %s/%s gw %s" % (ip, mask, gw))          # route()
    if nextserver:                                       # fetch_next_server_and_filename()
        ipxe("Next server: %s" % nextserver)
    ipxe("Root path: %s" % rootpath)                     # fetch_root_path()

    lib = load_libiscsi()
    ctx = lib.iscsi_create_context(initiator.encode())
    if not ctx:
        die("iscsi_create_context failed")

    def err(what):
        die("%s: %s" % (what, lib.iscsi_get_error(ctx).decode(errors="replace")))

    def status(task, what):
        if not task:
            err(what)
        return ctypes.cast(task, ctypes.POINTER(ctypes.c_int))[0]

    lib.iscsi_set_timeout(ctx, 10)
    lib.iscsi_set_noautoreconnect(ctx, 1)
    # iPXE: ISID type "IANA enterprise number" with FEN Systems' number
    if lib.iscsi_set_isid_en(ctx, 10019, 0x5a79) != 0:
        err("set_isid_en")
    lib.iscsi_set_targetname(ctx, target.encode())
    lib.iscsi_set_session_type(ctx, 2)              # ISCSI_SESSION_NORMAL
    lib.iscsi_set_header_digest(ctx, DIGESTS["none"])
    if lib.iscsi_full_connect_sync(ctx, ("%s:%d" % (server, port)).encode(), lun) != 0:
        err("login")
    print("logged in to %s lun %d" % (target, lun), flush=True)

    task = lib.iscsi_testunitready_sync(ctx, lun)
    print("TEST UNIT READY status %d" % status(task, "testunitready"))
    lib.scsi_free_scsi_task(task)
    task = lib.iscsi_readcapacity10_sync(ctx, lun, 0, 0)
    if status(task, "readcapacity10") != 0:
        die("READ CAPACITY(10) failed")
    rc10 = lib.scsi_datain_unmarshall(task)
    last_lba, blksz = ctypes.cast(rc10, ctypes.POINTER(ctypes.c_uint32))[0:2]
    lib.scsi_free_scsi_task(task)
    print("READ CAPACITY(10): last LBA %d, block %d bytes" % (last_lba, blksz))
    ipxe("Registered SAN device 0x80")                   # san_hook() done
    # san_describe() (iBFT) in between; the pause also lets the delayed ACK
    # for the READ CAPACITY data go out before the next line, every run
    time.sleep(0.25)
    ipxe("Booting from SAN device 0x80")                 # san_boot(): MBR, loader

    with open(disk, "rb") as f:
        image = f.read()
    for lba, blocks in reads:
        n = blocks * blksz
        buf = ctypes.create_string_buffer(n)
        iov = ScsiIovec(ctypes.cast(buf, ctypes.c_void_p), n)
        task = lib.iscsi_read10_iov_sync(ctx, lun, lba, n, blksz, 0, 0, 0, 0, 0,
                                         ctypes.byref(iov), 1)
        if status(task, "read10") != 0:
            die("READ(10) LBA %d failed" % lba)
        lib.scsi_free_scsi_task(task)
        if buf.raw != image[lba * blksz: lba * blksz + n]:
            die("READ(10) LBA %d: data differs from the backing file" % lba)
        print("READ(10) LBA %d x %d blocks (%d bytes): data matches" % (lba, blocks, n))
    # The loaded OS takes over: no Logout, no FIN while we are held.
    print("handover", flush=True)
    end = time.monotonic() + hold
    while time.monotonic() < end:
        time.sleep(0.2)
    print("hold time over; closing", flush=True)
    lib.iscsi_disconnect(ctx)
    lib.iscsi_destroy_context(ctx)


def main():
    if len(sys.argv) < 2:
        die("usage: see the docstring")
    cmd, args = sys.argv[1], sys.argv[2:]
    table = {
        "opt43": cmd_opt43,
        "mkdisk": cmd_mkdisk,
        "iscsi-read": cmd_iscsi_read,
        "iscsi-case": cmd_iscsi_case,
        "syslog-listen": cmd_syslog_listen,
        "http-get": cmd_http_get,
        "ipxe-session": cmd_ipxe_session,
        "ipxe-sanboot": cmd_ipxe_sanboot,
    }
    if cmd not in table:
        die("unknown subcommand " + cmd)
    table[cmd](args)


if __name__ == "__main__":
    main()
