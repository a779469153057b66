#!/usr/bin/python3
"""IKE figures (printed by bench/run.sh).

Two release-build routers on a UDP wire (no privileges needed); the
initiator starts negotiations from traffic, as IOS does: this script is the
LAN behind it (a UDP wire of its own) and sends one packet per tunnel that
the crypto map protects and that has no SA yet:

  responder  R2: one interface with 10.0.0.1 and N /32 secondary addresses,
             key 0.0.0.0 0.0.0.0, a dynamic crypto map (any peer);
  initiator  R1: N crypto map entries, entry i with peer = R2's i-th
             address and an ACL of one host pair: N IKE SAs (Main Mode, one
             per peer address) each with one Quick Mode (one IPsec bundle);
             Gi0/1 192.168.200.1/16 the LAN the packets come from.

  1,000 tunnels     wall time from the first packet to the last tunnel up
                    (UP-ACTIVE on both), aes/sha/group 2, esp-aes esp-sha-hmac
  negotiations/s    Main+Quick Mode per second as responder: N / that time, and
                    N / the responder's CPU time (what one core could do)
  memory/tunnel     responder RSS growth per established tunnel, right after
                    and once the phase 1 state kept for retransmissions is gone

usage: bench/ike_bench.py IOSIM [N]
Asserts nothing; prints figures (or why one could not be taken).
"""

import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

exe = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
TICK = os.sysconf("SC_CLK_TCK")
LIMIT = 300
WINDOW = 100


def free_udp_ports(n):
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def peer_addr(i):
    return f"10.1.{i // 250}.{i % 250 + 1}"


def host(net, i):
    return f"{net}.{i // 250}.{i % 250 + 1}"


COMMON = [
    "crypto isakmp policy 10", " encr aes", " authentication pre-share", " group 2",
    "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0",
    "crypto ipsec transform-set TS esp-aes esp-sha-hmac",
]


def responder_cfg():
    c = ["hostname R2", *COMMON, "crypto dynamic-map DYN 10", " set transform-set TS",
         "crypto map CM 10 ipsec-isakmp dynamic DYN",
         "interface GigabitEthernet0/0", " ip address 10.0.0.1 255.255.255.0"]
    c += [f" ip address {peer_addr(i)} 255.255.255.255 secondary" for i in range(N)]
    c += [" no shutdown", " crypto map CM"]
    return c


def initiator_cfg():
    c = ["hostname R1", *COMMON]
    for i in range(N):
        c += [f"crypto map CM {i + 1} ipsec-isakmp", f" set peer {peer_addr(i)}",
              " set transform-set TS", f" match address V{i}"]
    c += ["interface GigabitEthernet0/0", " ip address 10.0.0.2 255.255.255.0",
          " no shutdown", " crypto map CM",
          "interface GigabitEthernet0/1", " ip address 192.168.200.1 255.255.0.0",
          " no shutdown",
          "ip route 10.1.0.0 255.255.0.0 10.0.0.1",
          "ip route 172.16.0.0 255.255.0.0 10.0.0.1"]
    for i in range(N):
        c += [f"ip access-list extended V{i}",
              f" permit ip host {host('192.168', i)} host {host('172.16', i)}"]
    return c


def csum(b):
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(dmac, src, dst):
    """An Ethernet frame with a UDP datagram from host SRC to host DST."""
    udp = struct.pack("!HHHH", 40000, 9, 8 + 4, 0) + b"load"
    ip = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64,
                               17, 0, socket.inet_aton(src), socket.inet_aton(dst)))
    ip[10:12] = struct.pack("!H", csum(bytes(ip)))
    return dmac + bytes.fromhex("020000000001") + b"\x08\x00" + bytes(ip) + udp


class Lan:
    """The initiator's Gi0/1 wire: what it sends arrives as frames from a
    host segment."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]

    def send(self, dmac, pkts, rport):
        for src, dst in pkts:
            self.s.sendto(frame(dmac, src, dst), ("127.0.0.1", rport))


class Router:
    def __init__(self, name, cfg, lport, rport, tmp, more=()):
        path = os.path.join(tmp, f"{name}.cfg")
        with open(path, "w") as f:
            f.write("\n".join(cfg) + "\nend\n")
        self.p = subprocess.Popen(
            [exe, "--config", path, "--iface",
             f"GigabitEthernet0/0=udp:127.0.0.1:{lport}:127.0.0.1:{rport}", *more],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.buf = bytearray()
        self.lock = threading.Lock()
        threading.Thread(target=self._pump, daemon=True).start()
        self.send("enable\nterminal length 0\n")

    def _pump(self):
        while True:
            chunk = self.p.stdout.read1(65536)
            if not chunk:
                return
            with self.lock:
                self.buf += chunk

    def send(self, text):
        self.p.stdin.write(text.encode())
        self.p.stdin.flush()

    def ask(self, cmd, timeout=30):
        """CMD's output, up to a marker line sent after it."""
        tag = f"! mark {time.monotonic_ns()}"
        with self.lock:
            start = len(self.buf)
        self.send(f"{cmd}\n{tag}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                k = self.buf.find(tag.encode() + b"\n", start)
                if k >= 0:
                    return self.buf[start:k].decode(errors="replace")
            time.sleep(0.02)
        return ""

    def mib(self, name):
        m = re.search(rf"^\s+{name}\s+(\d+)$",
                      self.ask("show crypto mib ike flowmib global"), re.M)
        return int(m.group(1)) if m else -1

    def count(self, regex):
        m = re.search(r"Number of lines which match regexp = (\d+)",
                      self.ask(f"show crypto session | count {regex}"))
        return int(m.group(1)) if m else -1

    def cpu(self):
        f = open(f"/proc/{self.p.pid}/stat").read().rsplit(")", 1)[1].split()
        return (int(f[11]) + int(f[12])) / TICK

    def rss_kb(self):
        for line in open(f"/proc/{self.p.pid}/status"):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        try:
            self.p.stdin.close()
        except OSError:
            pass
        try:
            self.p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def main():
    if not os.access(exe, os.X_OK):
        print(f"ike: {exe} not built (make build/iosim)")
        return 0
    tmp = tempfile.mkdtemp(prefix="iosim-ikebench-")
    p1, p2, p3 = free_udp_ports(3)
    lan = Lan()
    r2 = Router("R2", responder_cfg(), p2, p1, tmp)
    r1 = Router("R1", initiator_cfg(), p1, p2, tmp,
                ["--iface", f"GigabitEthernet0/1=udp:127.0.0.1:{p3}:127.0.0.1:{lan.port}"])
    try:
        # both booted (the answer comes after the configuration is read)
        r2.ask("show clock", 120)
        r1.ask("show clock", 120)
        # the next hop's MAC first: a router queues only a few packets
        # while it ARPs, and a burst would lose the rest to retransmission
        r1.ask("ping 10.0.0.1", 30)
        m = re.search(r"address is ([0-9a-f]{4})\.([0-9a-f]{4})\.([0-9a-f]{4})",
                      r1.ask("show interfaces GigabitEthernet0/1"))
        if not m:
            print("ike: no MAC address for the initiator's LAN interface")
            return 0
        dmac = bytes.fromhex("".join(m.groups()))
        rss0, cpu0, cpu1 = r2.rss_kb(), r2.cpu(), r1.cpu()
        t0 = time.perf_counter()
        # WINDOW negotiations in flight at most: a burst of 1,000 first
        # messages overflows the UDP wire's socket buffer, and what is
        # dropped waits for IKE's 10 s retransmission
        sent = 0
        while sent < N and time.perf_counter() - t0 < LIMIT:
            if sent - r2.mib("In P2 Exchanges") < WINDOW:
                n = min(WINDOW // 2, N - sent)
                lan.send(dmac, [(host("192.168", i), host("172.16", i))
                                for i in range(sent, sent + n)], p3)
                sent += n
            else:
                time.sleep(0.01)
        up = 0
        while time.perf_counter() - t0 < LIMIT:
            up = r2.count("UP-ACTIVE")
            if up >= N and r1.count("UP-ACTIVE") >= N:
                break
            time.sleep(0.05)
        wall = time.perf_counter() - t0
        cpu_r, cpu_i = r2.cpu() - cpu0, r1.cpu() - cpu1
        rss1 = r2.rss_kb()
        if up < N:
            print(f"ike: only {up} of {N} tunnels up after {LIMIT} s")
            return 0
        print(f"ike {N} tunnels: {wall:.2f} s to bring up (Main+Quick Mode, aes/sha/"
              f"group 2, esp-aes esp-sha-hmac; initiator iosim on a UDP wire, "
              f"started by one packet per tunnel from its LAN, "
              f"{WINDOW} in flight at most)")
        print(f"ike negotiations/s as responder: {N / wall:.0f} wall, "
              f"{N / cpu_r if cpu_r else 0:.0f} per responder CPU second "
              f"({cpu_r * 1000 / N:.2f} ms CPU each; initiator {cpu_i * 1000 / N:.2f} ms)")
        # the phase 1 state kept for retransmissions goes after 30 s
        time.sleep(32)
        rss2 = r2.rss_kb()
        print(f"ike memory per established tunnel (responder RSS growth): "
              f"{(rss1 - rss0) / N:.1f} KB right after, {(rss2 - rss0) / N:.1f} KB "
              f"30 s later (IKE SA + 2 IPsec SAs each; the phase 1 state freed "
              f"meanwhile stays with the allocator)")
    finally:
        r1.stop()
        r2.stop()
        subprocess.run(["rm", "-rf", tmp])
    return 0


sys.exit(main())
