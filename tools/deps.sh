#!/bin/sh
# Install the Debian packages iosim needs when they are missing.
# usage: deps.sh build|test
# As root: apt-get installs them. Otherwise: print the exact line and stop.
set -e
BUILD_PKGS="gcc make pkg-config libev-dev libreadline-dev libssl-dev libcrypt-dev libusrsctp-dev"
TEST_PKGS="$BUILD_PKGS clang libclang-rt-14-dev libcmocka-dev python3 python3-pytest python3-pytest-xdist telnet tshark python3-scapy iproute2 procps python3-textfsm iputils-ping ethtool iperf3 strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-extra-plugins libstrongswan-standard-plugins nftables"
case "${1:-build}" in
  build) want="$BUILD_PKGS" ;;
  test)  want="$TEST_PKGS" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
  echo "Installing missing Debian packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends $missing >/dev/null 2>&1 || {
    apt-get update >/dev/null 2>&1
    apt-get install -y --no-install-recommends $missing
  }
else
  echo "iosim needs these Debian packages:$missing"
  echo "Run as root:  apt-get install -y$missing"
  exit 1
fi
