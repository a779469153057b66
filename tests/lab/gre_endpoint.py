#!/usr/bin/env python3
"""A userspace GRE endpoint (RFC 2784, IPv4 over IPv4) for a namespace whose
kernel has no GRE module: a TUN device carries the inner packets, a raw
IPPROTO_GRE socket the outer ones.

  gre_endpoint.py --dev gre1 --local A --remote B --addr 10.255.0.2/30
                  [--mtu 1376] [--lifetime 600]

An inner packet routed into DEV goes to REMOTE as GRE from LOCAL (the kernel
writes the outer IP header, so the host's routing and policy decide where
it goes: into strongSwan's libipsec TUN when a CHILD_SA covers GRE to
REMOTE). A GRE packet from REMOTE with no C/K/S bits, version 0 and
protocol 0x0800 around an IPv4 packet is written to DEV; anything else is
counted and dropped. It prints "ready" once DEV is up, exits by itself
after LIFETIME seconds, and on SIGTERM prints its counters:
"gre tx N rx M drop K"."""

import argparse
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

TUNSETIFF = 0x400454CA
IFF_TUN, IFF_NO_PI = 0x0001, 0x1000
GRE_IPV4 = 0x0800
IPPROTO_GRE = 47


def open_tun(name):
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def decap(pkt, remote):
    """The inner IPv4 packet of outer packet PKT (IP header included, as a raw
    socket hands it), or None when it is not plain GRE from REMOTE."""
    if len(pkt) < 20 or pkt[0] >> 4 != 4:
        return None
    ihl = (pkt[0] & 0x0F) * 4
    if ihl < 20 or len(pkt) < ihl + 4 + 20 or pkt[9] != IPPROTO_GRE:
        return None
    if socket.inet_ntoa(pkt[12:16]) != remote:
        return None
    flags, proto = struct.unpack("!HH", pkt[ihl:ihl + 4])
    if flags != 0 or proto != GRE_IPV4:      # C, K, S, reserved and version all 0
        return None
    inner = pkt[ihl + 4:]
    if inner[0] >> 4 != 4 or struct.unpack("!H", inner[2:4])[0] > len(inner):
        return None
    return inner[:struct.unpack("!H", inner[2:4])[0]]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dev", required=True)
    ap.add_argument("--local", required=True)
    ap.add_argument("--remote", required=True)
    ap.add_argument("--addr", required=True)
    ap.add_argument("--mtu", type=int, default=1376)
    ap.add_argument("--lifetime", type=float, default=600)
    a = ap.parse_args()

    tun = open_tun(a.dev)
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, IPPROTO_GRE)
    raw.bind((a.local, 0))
    for cmd in (["addr", "add", a.addr, "dev", a.dev],
                ["link", "set", a.dev, "mtu", str(a.mtu), "up"]):
        subprocess.run(["ip", *cmd], check=True)
    count = {"tx": 0, "rx": 0, "drop": 0}
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    print("ready", flush=True)
    deadline = time.monotonic() + a.lifetime
    header = struct.pack("!HH", 0, GRE_IPV4)
    while not stop and time.monotonic() < deadline:
        try:
            ready, _, _ = select.select([tun, raw], [], [], 0.5)
        except InterruptedError:
            continue
        if tun in ready:
            inner = os.read(tun, 65535)
            try:
                raw.sendto(header + inner, (a.remote, 0))
                count["tx"] += 1
            except OSError:
                count["drop"] += 1
        if raw in ready:
            inner = decap(raw.recv(65535), a.remote)
            if inner is None:
                count["drop"] += 1
            else:
                os.write(tun, inner)
                count["rx"] += 1
    print(f"gre tx {count['tx']} rx {count['rx']} drop {count['drop']}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
