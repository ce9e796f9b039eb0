#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-2-Clause
# build.sh - the two quick-start commands, for a fresh Debian 12 machine
# where you are root:
#   ./build.sh demo   install what is missing, build, analyse a bundled capture
#   ./build.sh test   install what is missing, build (plain and ASan/UBSan),
#                     run the whole test suite through ctest in both, then
#                     fuzz all harnesses for PD_FUZZ_SECONDS in all
#                     (default 150, at least 20 s per harness)
# Other verbs: setup (packages only), build (plain build only).
set -euo pipefail
cd "$(dirname "$0")"

JOBS=$(nproc 2>/dev/null || echo 2)
# Build and test dependencies (Debian package names).
PKGS=(build-essential cmake pkg-config libpcap-dev libnet1-dev libncurses-dev
      libcmocka-dev jq python3 clang libclang-rt-14-dev time
      libcap-ng-dev iproute2 ethtool nftables tcpdump
      iperf3 # iperf3: the live capture test (tests/live_test.sh)
      libmnl-dev tmux) # the monitor: rtnetlink; tmux drives its screen tests

setup() {
	local missing=()
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
			missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "build.sh: installing ${missing[*]}" >&2
		if [ "$(id -u)" -ne 0 ]; then
			echo "build.sh: need root to install packages (run as root or install: ${missing[*]})" >&2
			exit 2
		fi
		export DEBIAN_FRONTEND=noninteractive
		apt-get update -qq
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
}

build() { # build DIR [cmake args...]
	local dir=$1
	shift
	cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
	cmake --build "$dir" -j "$JOBS" >/dev/null
}

case "${1:-}" in
setup)
	setup
	;;
build)
	setup
	build build
	echo "build.sh: built build/pktdoctor"
	;;
demo)
	setup
	build build
	# the seed case: a server sends segments above the client's MSS 1460,
	# they are dropped, retransmitted with back-off; the client reconnects
	echo "\$ build/pktdoctor analyze --connections captures/oversize-blackhole.pcap"
	status=0
	build/pktdoctor analyze --connections captures/oversize-blackhole.pcap || status=$?
	# exit 1 means "findings at or above --fail-on": the demo capture has some
	[ "$status" -le 1 ] || exit "$status"
	;;
test)
	setup
	build build -DPD_WERROR=ON
	(cd build && ctest --output-on-failure -j "$JOBS")
	build build-asan -DPD_SANITIZE=ON -DPD_WERROR=ON
	(cd build-asan && ctest --output-on-failure -j "$JOBS")
	# time-boxed libFuzzer run of every harness (clang, ASan+UBSan)
	scripts/fuzz.sh "${PD_FUZZ_SECONDS:-150}"
	;;
*)
	echo "usage: $0 demo|test|setup|build" >&2
	exit 2
	;;
esac
