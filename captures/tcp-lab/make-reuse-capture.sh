#!/usr/bin/env bash
# make-reuse-capture.sh - a client that reconnects from the same port:
# two TCP connections on one 5-tuple, from the Linux kernel, captured.
#
# Writes captures/tcp-reuse.pcap (or OUTDIR/tcp-reuse.pcap):
#   the client 10.78.9.1:40000 connects to 10.78.9.2:8080, sends 3000
#   bytes, reads 1000; the server closes first (so its side holds
#   TIME_WAIT, and Linux accepts a new SYN with a higher ISN there); 0.5 s
#   later the client binds the same port (SO_REUSEADDR) and does it again.
#   Nothing is lost: no retransmission or sequence gap may be reported.
#   tshark marks the second SYN "tcp.analysis.reused_ports".
#
# Network rules: traffic only between 10.78.9.1 and 10.78.9.2 inside the
# pdreuse-* namespaces made here; every process bounded by `timeout`;
# only our own PIDs are killed; namespaces deleted on exit (trap).
# Needs root, iproute2, tcpdump, /usr/bin/python3.
#
# Usage: sudo captures/tcp-lab/make-reuse-capture.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")"
OUT=${1:-..}
NS_C=pdreuse-c NS_S=pdreuse-s
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	ip netns del "$NS_C" 2>/dev/null || true
	ip netns del "$NS_S" 2>/dev/null || true
}
trap cleanup EXIT INT TERM
[ "$(id -u)" -eq 0 ] || { echo "make-reuse-capture.sh: needs root" >&2; exit 2; }

ip netns add "$NS_C"
ip netns add "$NS_S"
ip link add pdru-c netns "$NS_C" type veth peer name pdru-s netns "$NS_S"
ip -n "$NS_C" addr add 10.78.9.1/24 dev pdru-c
ip -n "$NS_S" addr add 10.78.9.2/24 dev pdru-s
for ns in "$NS_C" "$NS_S"; do
	ip -n "$ns" link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
done
ip -n "$NS_C" link set pdru-c up
ip -n "$NS_S" link set pdru-s up
# wire-sized frames with final checksums, as on a real link
ip netns exec "$NS_C" ethtool -K pdru-c tso off gso off tx off >/dev/null
ip netns exec "$NS_S" ethtool -K pdru-s tso off gso off tx off gro off >/dev/null

ip netns exec "$NS_S" timeout 20 tcpdump -i pdru-s -s 0 -U -w "$OUT/tcp-reuse.pcap" \
	tcp >/dev/null 2>&1 &
PIDS+=($!)
sleep 1
ip netns exec "$NS_S" timeout 15 /usr/bin/python3 - <<'PY' &
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.78.9.2", 8080))
s.listen(1)
for _ in range(2):
    c, _ = s.accept()
    got = 0
    while got < 3000:
        b = c.recv(4096)
        if not b:
            break
        got += len(b)
    c.sendall(b"r" * 1000)
    c.close()  # the server closes first: TIME_WAIT is on this side
PY
PIDS+=($!)
sleep 0.5
ip netns exec "$NS_C" timeout 10 /usr/bin/python3 - <<'PY'
import socket, time
for i in range(2):
    c = socket.socket()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    c.bind(("10.78.9.1", 40000))
    c.connect(("10.78.9.2", 8080))
    c.sendall(b"q" * 3000)
    while c.recv(4096):
        pass
    c.close()
    time.sleep(0.5)
PY
sleep 1
kill -INT "${PIDS[0]}" 2>/dev/null || true
wait "${PIDS[0]}" 2>/dev/null || true
echo "make-reuse-capture.sh: wrote $OUT/tcp-reuse.pcap" >&2
