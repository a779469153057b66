"""The packet path on real wires.

Without root: a UDP wire on loopback, with this test as the far end (it
sends and reads whole Ethernet frames in datagrams), and two routers wired
to each other; --iface argument checking.

As root: network namespaces this test creates (and deletes, even on
failure): a router in its own namespace with its ports on veth pairs, Linux
hosts in theirs. A host pings the router; a host pings another host through
the router (forwarding, TTL, UDP with the sender's checksum offload); the
interface counters match the Linux end's; tshark decodes every frame the
router sent with no malformed or error-level expert info; carrier follows
the veth; scapy's bad frames are counted and dropped.
"""

import json
import os
import re
import select
import signal
import socket
import struct
import subprocess
import time

import pytest

import iosim

ROOT = os.geteuid() == 0
PY = "/usr/bin/python3"      # Debian's, with scapy
needs_root = pytest.mark.skipif(not ROOT, reason="network namespaces need root")
TIMEOUT = 20


# ---- a router kept running on a console pipe ---------------------------------

class Router:
    """iosim with its console on a pipe that stays open. cmd() sends one line
    and an empty line after it, and returns what the router printed between
    the echo of the line and the echo of the empty line."""

    def __init__(self, hostname, args=(), netns=None):
        cmd = [str(iosim.binary()), "--hostname", hostname, *args]
        if netns:
            cmd = ["ip", "netns", "exec", netns, *cmd]
        self.host = hostname
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  env=iosim.default_env())
        os.set_blocking(self.p.stdout.fileno(), False)
        self.buf = ""
        self.prompt_re = re.compile(r"^" + re.escape(hostname) +
                                    r"(\([a-z0-9-]+\))?[>#]$", re.M)

    def _fill(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{self.host}: no answer; output so far:\n"
                                 f"{self.buf[-3000:]}")
        r, _, _ = select.select([self.p.stdout], [], [], min(left, 1.0))
        if r:
            chunk = os.read(self.p.stdout.fileno(), 65536)
            if not chunk:
                raise AssertionError(f"{self.host} exited: {self.stderr()}")
            self.buf += chunk.decode("utf-8", "replace")

    def cmd(self, line, answers=(), timeout=TIMEOUT):
        start = len(self.buf)
        data = "".join(x + "\n" for x in (line, *answers, ""))
        self.p.stdin.write(data.encode())
        self.p.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            # the echo of the trailing empty line: a bare prompt line
            ms = list(self.prompt_re.finditer(self.buf, start))
            if len(ms) >= 1 and self.buf.find(line, start) >= 0:
                echo = self.buf.find(line, start)
                after = [m for m in ms if m.start() > echo]
                if after:
                    return self.buf[echo + len(line):after[-1].start()]
            self._fill(deadline)

    def config(self, *lines):
        self.cmd("configure terminal")
        for l in lines:
            self.cmd(l)
        self.cmd("end")

    def stderr(self):
        try:
            _, err = self.p.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            _, err = self.p.communicate()
        return err.decode("utf-8", "replace")

    def stop(self):
        """End the router (EOF on its console); returns stderr, checked
        for sanitizer reports."""
        if self.p.poll() is None:
            err = self.stderr()
        else:
            err = self.p.stderr.read().decode("utf-8", "replace")
        for m in iosim.SANITIZER_MARKERS:
            assert m not in err, err
        return err


def grab(text, pat):
    m = re.search(pat, text)
    assert m, f"{pat!r} not in:\n{text}"
    return int(m.group(1))


def counters(show):
    """The numbers of `show interfaces X` that the tests compare."""
    def num(pat):
        return grab(show, pat)
    return {
        "in_pkts": num(r"(\d+) packets input"),
        "in_bytes": num(r"packets input, (\d+) bytes"),
        "out_pkts": num(r"(\d+) packets output"),
        "out_bytes": num(r"packets output, (\d+) bytes"),
        "bcast": num(r"Received (\d+) broadcasts"),
        "runts": num(r"(\d+) runts"),
        "giants": num(r"(\d+) giants"),
        "in_errors": num(r"(\d+) input errors"),
    }


def ip_traffic(r):
    out = r.cmd("show ip traffic")
    def num(pat):
        return grab(out, pat)
    return {
        "format": num(r"(\d+) format errors"),
        "checksum": num(r"(\d+) checksum errors"),
        "options": num(r"(\d+) with options"),
        "echo_replies_sent": num(r"Sent: 0 redirects, \d+ unreachable, \d+ echo, (\d+) echo reply"),
    }


def mac_of(r, ifname):
    m = re.search(r"address is ([0-9a-f.]{14})", r.cmd(f"show interfaces {ifname}"))
    h = m.group(1).replace(".", "")
    return ":".join(h[i:i + 2] for i in range(0, 12, 2))


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ---- frames built by hand (no scapy needed on the UDP wire) -------------------

def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(":"))


def ipv4(src, dst, proto, payload, ttl=64, ihl_opts=b""):
    ihl = 5 + len(ihl_opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                    0x1234, 0, ttl, proto, 0, socket.inet_aton(src),
                    socket.inet_aton(dst)) + ihl_opts
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def icmp_echo(ident, seq, data=b"abcdefgh" * 4):
    m = struct.pack("!BBHHH", 8, 0, 0, ident, seq) + data
    return m[:2] + struct.pack("!H", csum(m)) + m[4:]


def ether(dst, src, etype, payload):
    return mac_bytes(dst) + mac_bytes(src) + struct.pack("!H", etype) + payload


def arp_request(src_mac, spa, tpa):
    return ether("ff:ff:ff:ff:ff:ff", src_mac, 0x0806,
                 struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1,
                             mac_bytes(src_mac), socket.inet_aton(spa),
                             b"\0" * 6, socket.inet_aton(tpa)))


class Wire:
    """The far end of a router's UDP port: whole frames in datagrams."""

    def __init__(self):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.s.bind(("127.0.0.1", 0))
        self.port = self.s.getsockname()[1]

    def connect(self, port):
        self.s.connect(("127.0.0.1", port))

    def send(self, frame):
        self.s.send(frame)

    def recv_until(self, pred, timeout=5):
        """Frames until PRED(frame) is true; returns that frame (or None)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r, _, _ = select.select([self.s], [], [], deadline - time.monotonic())
            if not r:
                break
            try:
                f = self.s.recv(65536)
            except ConnectionRefusedError:
                continue
            if pred(f):
                return f
        return None

    def close(self):
        self.s.close()


HOST_MAC = "02:00:00:00:00:42"


def is_arp_reply(f):
    return len(f) >= 42 and f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02" \
        and f[0:6] == mac_bytes(HOST_MAC)


def is_echo_reply(f):
    return len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 0


@pytest.fixture
def udp_router():
    made = []

    def start(config_lines=()):
        w = Wire()
        rport = free_udp_port()
        r = Router("R1", ["--iface", f"Fa0/0=udp:127.0.0.1:{rport}:127.0.0.1:{w.port}"])
        w.connect(rport)
        made.append((r, w))
        r.cmd("enable")
        r.cmd("terminal length 0")
        r.config("interface FastEthernet0/0", " ip address 10.50.0.1 255.255.255.0",
                 " no shutdown", *config_lines)
        return r, w

    yield start
    for r, w in made:
        w.close()
        r.stop()


def test_udp_wire_arp_ping_and_bad_frames(udp_router):
    r, w = udp_router()
    rmac = mac_of(r, "Fa0/0")
    # the gratuitous ARP for the new address came over the wire
    garp = w.recv_until(lambda f: f[12:14] == b"\x08\x06" and f[0:6] == b"\xff" * 6)
    assert garp is not None and garp[6:12] == mac_bytes(rmac)
    assert garp[28:32] == socket.inet_aton("10.50.0.1")

    w.send(arp_request(HOST_MAC, "10.50.0.2", "10.50.0.1"))
    rep = w.recv_until(is_arp_reply)
    assert rep is not None, "no ARP reply"
    assert rep[22:28] == mac_bytes(rmac) and len(rep) == 60

    for seq in range(3):
        w.send(ether(rmac, HOST_MAC, 0x0800,
                     ipv4("10.50.0.2", "10.50.0.1", 1, icmp_echo(7, seq))))
        rep = w.recv_until(is_echo_reply)
        assert rep is not None, "no echo reply"
        assert struct.unpack("!H", rep[40:42])[0] == seq
        assert csum(rep[14:34]) == 0 and csum(rep[34:]) == 0

    before = counters(r.cmd("show interfaces FastEthernet0/0"))
    t0 = ip_traffic(r)
    w.send(b"\x01" * 10)                                   # runt
    w.send(mac_bytes(rmac) + b"\0" * 1600)                 # giant
    good = ipv4("10.50.0.2", "10.50.0.1", 1, icmp_echo(7, 99))
    bad_sum = good[:10] + b"\0\0" + good[12:]
    w.send(ether(rmac, HOST_MAC, 0x0800, bad_sum))
    w.send(ether(rmac, HOST_MAC, 0x0800, b"\x65" + good[1:]))        # version 6
    w.send(ether(rmac, HOST_MAC, 0x0800, good[:-12]))                 # truncated
    w.send(ether(rmac, HOST_MAC, 0x0800,
                 ipv4("10.50.0.2", "10.50.0.1", 1, icmp_echo(7, 98),
                      ihl_opts=b"\x01\x01\x01\x00")))                 # options
    # still alive and answering
    w.send(ether(rmac, HOST_MAC, 0x0800,
                 ipv4("10.50.0.2", "10.50.0.1", 1, icmp_echo(7, 100))))
    rep = w.recv_until(lambda f: is_echo_reply(f) and f[40:42] == b"\x00\x64")
    assert rep is not None
    after = counters(r.cmd("show interfaces FastEthernet0/0"))
    t1 = ip_traffic(r)
    assert after["runts"] == before["runts"] + 1
    assert after["giants"] == before["giants"] + 1
    assert after["in_errors"] == before["in_errors"] + 2
    assert t1["checksum"] == t0["checksum"] + 1
    assert t1["format"] == t0["format"] + 2
    assert t1["options"] == t0["options"] + 1
    assert t1["echo_replies_sent"] == t0["echo_replies_sent"] + 1


def test_two_routers_on_a_udp_wire():
    pa, pb = free_udp_port(), free_udp_port()
    r1 = Router("R1", ["--iface", f"Gi0/0=udp:127.0.0.1:{pa}:127.0.0.1:{pb}"])
    r2 = Router("R2", ["--iface", f"Gi0/0=udp:127.0.0.1:{pb}:127.0.0.1:{pa}"])
    try:
        # both ports are open once each console answers
        for r in (r1, r2):
            r.cmd("enable")
            r.cmd("terminal length 0")
        for r, a in ((r1, "10.60.0.1"), (r2, "10.60.0.2")):
            r.config("interface GigabitEthernet0/0",
                     f" ip address {a} 255.255.255.0", " no shutdown")
        m1, m2 = mac_of(r1, "Gi0/0"), mac_of(r2, "Gi0/0")
        assert m1 != m2, "burned-in MACs must differ between routers"
        # each heard the other's gratuitous ARP; what one sent, the other got
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            c1 = counters(r1.cmd("show interfaces GigabitEthernet0/0"))
            c2 = counters(r2.cmd("show interfaces GigabitEthernet0/0"))
            if c1["out_pkts"] == c2["in_pkts"] and c2["out_pkts"] == c1["in_pkts"] \
                    and c1["out_pkts"] > 0 and c2["out_pkts"] > 0:
                break
            time.sleep(0.2)
        assert c1["out_pkts"] == c2["in_pkts"] > 0
        assert c2["out_pkts"] == c1["in_pkts"] > 0
        assert c1["out_bytes"] == c2["in_bytes"]
        assert c2["bcast"] >= 1
        if "% Invalid input" not in r1.cmd("ping 10.60.0.2"):
            out = r1.cmd("ping 10.60.0.2")
            assert "Success rate is 100 percent (5/5)" in out, out
    finally:
        r1.stop()
        r2.stop()


def test_same_name_same_mac_across_restarts():
    port = free_udp_port()
    macs = []
    for _ in range(2):
        r = Router("Stable", ["--iface", f"Fa0/0=udp:127.0.0.1:{port}:127.0.0.1:9"])
        r.cmd("enable")
        macs.append(mac_of(r, "Fa0/0"))
        r.stop()
    assert macs[0] == macs[1]


@pytest.mark.parametrize("arg,why", [
    ("Fa0/0", "expected IOSNAME=linux:DEV"),
    ("Fa0/0=tap:x", "expected linux:DEV or udp"),
    ("Fa0/0=udp:127.0.0.1:1:127.0.0.1", "expected udp:LADDR:LPORT:RADDR:RPORT"),
    ("Fa0/0=udp:127.0.0.1:70000:127.0.0.1:9", "LPORT and RPORT"),
    ("Fa0/0=udp:1.2.3:5000:127.0.0.1:9", "IPv4 addresses"),
    ("Bogus0=udp:127.0.0.1:5000:127.0.0.1:9", "not a physical interface name"),
    ("Loopback0=udp:127.0.0.1:5000:127.0.0.1:9", "not an Ethernet port"),
    ("Fa0/0=linux:nosuchdev0", "no Linux interface named nosuchdev0"),
])
def test_iface_argument_refused(arg, why):
    res = iosim.run(["enable"], args=["--iface", arg], timeout=20)
    assert res.returncode not in (0, None)
    assert f"--iface {arg}: " in res.stderr and why in res.stderr, res.stderr


def test_iface_udp_port_taken():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    try:
        arg = f"Fa0/0=udp:127.0.0.1:{port}:127.0.0.1:9"
        res = iosim.run(["enable"], args=["--iface", arg], timeout=20)
        assert res.returncode not in (0, None)
        assert f"--iface {arg}: cannot bind UDP 127.0.0.1:{port}" in res.stderr
    finally:
        s.close()


# ---- namespaces -------------------------------------------------------------------

def sh(*args, check=True, **kw):
    return subprocess.run(list(args), check=check, capture_output=True,
                          text=True, timeout=60, **kw)


class Lab:
    """Namespaces and veth pairs, all removed by close()."""

    def __init__(self):
        self.tag = f"{os.getpid() % 100000}"
        self.ns = []

    def netns(self, name):
        n = f"nt{name}{self.tag}"
        sh("ip", "netns", "add", n)
        self.ns.append(n)
        sh("ip", "-n", n, "link", "set", "lo", "up")
        return n

    def veth(self, a, ns_a, b, ns_b, mtu=None):
        a, b = f"{a}{self.tag}", f"{b}{self.tag}"
        sh("ip", "link", "add", a, "netns", ns_a, "type", "veth", "peer",
           "name", b, "netns", ns_b)
        for dev, ns in ((a, ns_a), (b, ns_b)):
            # no IPv6 chatter: the counters compare exactly
            sh("ip", "netns", "exec", ns, "sysctl", "-qw",
               f"net.ipv6.conf.{dev}.disable_ipv6=1")
            if mtu:
                sh("ip", "-n", ns, "link", "set", dev, "mtu", str(mtu))
            sh("ip", "-n", ns, "link", "set", dev, "up")
        return a, b

    def close(self):
        for n in self.ns:
            sh("ip", "netns", "del", n, check=False)


@pytest.fixture
def lab():
    if not ROOT:
        pytest.skip("network namespaces need root")
    l = Lab()
    routers = []
    l.routers = routers
    try:
        yield l
    finally:
        errs = []
        for r in routers:
            try:
                r.stop()
            except AssertionError as e:
                errs.append(str(e))
        l.close()
        assert not errs, errs


def link_stats(ns, dev):
    out = sh("ip", "-n", ns, "-s", "-j", "link", "show", dev).stdout
    st = json.loads(out)[0]["stats64"]
    return st["rx"], st["tx"]


def start_router(lab, ns, ports, config, hostname="R1"):
    r = Router(hostname, [a for p in ports for a in ("--iface", p)], netns=ns)
    lab.routers.append(r)
    r.cmd("enable")
    r.cmd("terminal length 0")
    r.config(*config)
    return r


def ping(ns, dst, *opts):
    return sh("ip", "netns", "exec", ns, "ping", "-n", "-W", "2", *opts, dst,
              check=False).stdout


def wait_link(r, ifname, state, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = r.cmd(f"show interfaces {ifname}")
        if out.lstrip().startswith(f"{ifname} is {state}"):
            return out
        time.sleep(0.2)
    raise AssertionError(f"{ifname} never {state}:\n{out}")


@needs_root
def test_host_pings_router_counters_and_tshark(lab, tmp_path):
    rns, hns = lab.netns("r"), lab.netns("h")
    rdev, hdev = lab.veth("rv", rns, "hv", hns)
    sh("ip", "-n", hns, "addr", "add", "10.77.0.2/24", "dev", hdev)
    cap = tmp_path / "host.pcap"
    ts = subprocess.Popen(["ip", "netns", "exec", hns, "tshark", "-n", "-q",
                           "-i", hdev, "-w", str(cap)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while not cap.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert cap.exists(), "tshark did not start"
        r = start_router(lab, rns, [f"Fa0/0=linux:{rdev}"],
                         ["interface FastEthernet0/0",
                          " ip address 10.77.0.1 255.255.255.0", " no shutdown"])
        wait_link(r, "FastEthernet0/0", "up")
        out = ping(hns, "10.77.0.1", "-c", "5", "-i", "0.2")
        assert " 5 received" in out, out
        out = ping(hns, "10.77.0.1", "-c", "2", "-i", "0.2", "-s", "3000")
        assert " 2 received" in out, out             # fragments both ways
        arp = r.cmd("show arp")
        assert re.search(r"Internet  10\.77\.0\.2 +\d+   [0-9a-f.]{14}  ARPA   "
                         r"FastEthernet0/0", arp), arp
        # what the host sent, the router received; and the other way round
        deadline = time.monotonic() + 10
        while True:
            c = counters(r.cmd("show interfaces FastEthernet0/0"))
            rx, tx = link_stats(hns, hdev)
            if (c["in_pkts"], c["in_bytes"], c["out_pkts"], c["out_bytes"]) == \
                    (tx["packets"], tx["bytes"], rx["packets"], rx["bytes"]) or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.3)
        assert (c["in_pkts"], c["in_bytes"]) == (tx["packets"], tx["bytes"])
        assert (c["out_pkts"], c["out_bytes"]) == (rx["packets"], rx["bytes"])
        assert c["out_pkts"] >= 7 + 1        # replies (fragments more) + GARP
        rmac = mac_of(r, "Fa0/0")
        # the capture catches up (dumpcap writes in its own time)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            n = len(sh("tshark", "-n", "-r", str(cap), "-Y", f"eth.src == {rmac}",
                       "-T", "fields", "-e", "frame.number", check=False).stdout.split())
            if n >= c["out_pkts"]:
                break
            time.sleep(0.3)
    finally:
        ts.send_signal(signal.SIGINT)
        try:
            ts.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            ts.kill()
            ts.communicate()
    mine = sh("tshark", "-n", "-r", str(cap), "-o", "ip.check_checksum:TRUE",
              "-Y", f"eth.src == {rmac}", "-T", "fields", "-e", "frame.number").stdout.split()
    assert len(mine) == c["out_pkts"], \
        sh("tshark", "-n", "-r", str(cap)).stdout
    bad = sh("tshark", "-n", "-r", str(cap), "-o", "ip.check_checksum:TRUE",
             "-Y", f"eth.src == {rmac} && (_ws.malformed || _ws.expert.severity >= 8388608)",
             "-V").stdout
    assert bad.strip() == "", bad


@needs_root
def test_forwarding_between_hosts(lab):
    rns, ans, bns = lab.netns("r"), lab.netns("a"), lab.netns("b")
    ra, ha = lab.veth("ra", rns, "ha", ans)
    rb, hb = lab.veth("rb", rns, "hb", bns)
    sh("ip", "-n", ans, "addr", "add", "10.81.0.2/24", "dev", ha)
    sh("ip", "-n", ans, "route", "add", "default", "via", "10.81.0.1")
    sh("ip", "-n", bns, "addr", "add", "10.82.0.2/24", "dev", hb)
    sh("ip", "-n", bns, "route", "add", "default", "via", "10.82.0.1")
    r = start_router(lab, rns, [f"Fa0/0=linux:{ra}", f"Fa0/1=linux:{rb}"],
                     ["interface FastEthernet0/0",
                      " ip address 10.81.0.1 255.255.255.0", " no shutdown",
                      "interface FastEthernet0/1",
                      " ip address 10.82.0.1 255.255.255.0", " no shutdown"])
    wait_link(r, "FastEthernet0/1", "up")
    out = ping(ans, "10.82.0.2", "-c", "3", "-i", "0.2")
    assert " 3 received" in out and "ttl=63" in out, out
    # UDP through the router: the sender leaves its checksum to the NIC
    # (veth offload); the router completes it, the receiver accepts it
    srv = subprocess.Popen(
        ["ip", "netns", "exec", bns, PY, "-c",
         "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);"
         "s.bind(('0.0.0.0',7777)); s.settimeout(10); print(s.recv(100).decode(), flush=True)"],
        stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(0.5)
        for _ in range(3):
            sh("ip", "netns", "exec", ans, PY, "-c",
               "import socket; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);"
               "s.sendto(b'through-the-router',('10.82.0.2',7777))")
        got, _ = srv.communicate(timeout=15)
    finally:
        if srv.poll() is None:
            srv.kill()
    assert got.strip() == "through-the-router"
    # TTL 1: time exceeded from the router
    out = ping(ans, "10.82.0.2", "-c", "1", "-t", "1")
    assert "Time to live exceeded" in out and "10.81.0.1" in out, out
    # no route: unreachable
    out = ping(ans, "192.0.2.1", "-c", "1")
    assert "Unreachable" in out and "10.81.0.1" in out, out


@needs_root
def test_host_behind_two_routers(lab):
    ans, r1ns, r2ns, bns = (lab.netns(n) for n in ("a", "r1", "r2", "b"))
    r1a, ha = lab.veth("xa", r1ns, "ha", ans)
    r1b, r2a = lab.veth("xb", r1ns, "ya", r2ns)
    r2b, hb = lab.veth("yb", r2ns, "hb", bns)
    sh("ip", "-n", ans, "addr", "add", "10.91.0.2/24", "dev", ha)
    sh("ip", "-n", ans, "route", "add", "default", "via", "10.91.0.1")
    sh("ip", "-n", bns, "addr", "add", "10.93.0.2/24", "dev", hb)
    sh("ip", "-n", bns, "route", "add", "default", "via", "10.93.0.1")
    start_router(lab, r1ns, [f"Fa0/0=linux:{r1a}", f"Fa0/1=linux:{r1b}"],
                 ["interface FastEthernet0/0", " ip address 10.91.0.1 255.255.255.0",
                  "interface FastEthernet0/1", " ip address 10.92.0.1 255.255.255.0",
                  "ip route 10.93.0.0 255.255.255.0 10.92.0.2"], hostname="R1")
    start_router(lab, r2ns, [f"Fa0/0=linux:{r2a}", f"Fa0/1=linux:{r2b}"],
                 ["interface FastEthernet0/0", " ip address 10.92.0.2 255.255.255.0",
                  "interface FastEthernet0/1", " ip address 10.93.0.1 255.255.255.0",
                  "ip route 10.91.0.0 255.255.255.0 10.92.0.1"], hostname="R2")
    out = ping(ans, "10.93.0.2", "-c", "3", "-i", "0.2")
    assert " 3 received" in out and "ttl=62" in out, out
    out = ping(ans, "10.93.0.2", "-c", "1", "-t", "2")
    assert "Time to live exceeded" in out and "10.92.0.2" in out, out


@needs_root
def test_carrier_follows_the_veth(lab):
    rns, hns = lab.netns("r"), lab.netns("h")
    rdev, hdev = lab.veth("rv", rns, "hv", hns)
    r = start_router(lab, rns, [f"Fa0/0=linux:{rdev}"],
                     ["interface FastEthernet0/0", " no shutdown"])
    wait_link(r, "FastEthernet0/0", "up")
    sh("ip", "-n", hns, "link", "set", hdev, "down")
    wait_link(r, "FastEthernet0/0", "down")
    sh("ip", "-n", hns, "link", "set", hdev, "up")
    wait_link(r, "FastEthernet0/0", "up")
    # reload keeps the port
    r.cmd("reload", answers=["no", ""])
    time.sleep(0.5)
    r.cmd("enable")
    wait_link(r, "FastEthernet0/0", "up")


@needs_root
def test_scapy_bad_frames_on_veth(lab):
    rns, hns = lab.netns("r"), lab.netns("h")
    rdev, hdev = lab.veth("rv", rns, "hv", hns, mtu=2000)
    sh("ip", "-n", hns, "addr", "add", "10.78.0.2/24", "dev", hdev)
    r = start_router(lab, rns, [f"Fa0/0=linux:{rdev}"],
                     ["interface FastEthernet0/0",
                      " ip address 10.78.0.1 255.255.255.0", " no shutdown"])
    wait_link(r, "FastEthernet0/0", "up")
    assert " 1 received" in ping(hns, "10.78.0.1", "-c", "1")
    rmac = mac_of(r, "Fa0/0")
    c0 = counters(r.cmd("show interfaces FastEthernet0/0"))
    t0 = ip_traffic(r)
    script = f"""
from scapy.all import Ether, IP, ICMP, Raw, sendp, raw
e = Ether(dst="{rmac}", type=0x0800)
good = IP(src="10.78.0.2", dst="10.78.0.1")/ICMP()/Raw(b"x"*32)
frames = [
    e/Raw(b"\\0"*1700),                                            # giant
    e/IP(src="10.78.0.2", dst="10.78.0.1", chksum=0x1234)/ICMP(),  # bad checksum
    e/Raw(b"\\x65" + raw(good)[1:]),                                # version 6
    e/Raw(raw(good)[:30]),                                          # truncated
    e/IP(src="10.78.0.2", dst="10.78.0.1", options=b"\\x01\\x01\\x01\\x00")/ICMP(),
]
sendp(frames, iface="{hdev}", verbose=False)
"""
    sh("ip", "netns", "exec", hns, PY, "-c", script)
    assert " 1 received" in ping(hns, "10.78.0.1", "-c", "1")
    c1 = counters(r.cmd("show interfaces FastEthernet0/0"))
    t1 = ip_traffic(r)
    assert c1["giants"] == c0["giants"] + 1
    assert t1["checksum"] == t0["checksum"] + 1
    assert t1["format"] == t0["format"] + 2
    assert t1["options"] == t0["options"] + 1


def forwarding_pair(lab):
    """Hosts a (10.85.0.2) and b (10.86.0.2) on either side of one router;
    ARP resolved both ways. Returns (router, a's ns and dev, b's ns and dev,
    the router's Fa0/0 MAC)."""
    rns, ans, bns = lab.netns("r"), lab.netns("a"), lab.netns("b")
    ra, ha = lab.veth("ra", rns, "ha", ans)
    rb, hb = lab.veth("rb", rns, "hb", bns)
    sh("ip", "-n", ans, "addr", "add", "10.85.0.2/24", "dev", ha)
    sh("ip", "-n", ans, "route", "add", "default", "via", "10.85.0.1")
    sh("ip", "-n", bns, "addr", "add", "10.86.0.2/24", "dev", hb)
    sh("ip", "-n", bns, "route", "add", "default", "via", "10.86.0.1")
    r = start_router(lab, rns, [f"Fa0/0=linux:{ra}", f"Fa0/1=linux:{rb}"],
                     ["interface FastEthernet0/0",
                      " ip address 10.85.0.1 255.255.255.0", " no shutdown",
                      "interface FastEthernet0/1",
                      " ip address 10.86.0.1 255.255.255.0", " no shutdown"])
    wait_link(r, "FastEthernet0/1", "up")
    out = ping(ans, "10.86.0.2", "-c", "2", "-i", "0.2")
    assert " 2 received" in out, out
    return r, (ans, ha), (bns, hb), mac_of(r, "Fa0/0")


def send_udp_burst(ns, dev, dst_mac, count, dport):
    """COUNT UDP frames 10.85.0.2 -> 10.86.0.2:DPORT in one sendp(), each
    carrying its sequence number."""
    script = f"""
import struct
from scapy.all import Ether, IP, UDP, Raw, sendp
base = Ether(dst="{dst_mac}")/IP(src="10.85.0.2", dst="10.86.0.2")/UDP(sport=5555, dport={dport})
sendp([base/Raw(struct.pack("!I", i)) for i in range({count})], iface="{dev}",
      verbose=False)
"""
    sh("ip", "netns", "exec", ns, PY, "-c", script)


def settle(r, ifname, key, want, timeout=10):
    """Poll `show interfaces IFNAME` until its KEY counter is WANT."""
    deadline = time.monotonic() + timeout
    while True:
        c = counters(r.cmd(f"show interfaces {ifname}"))
        if c[key] == want or time.monotonic() > deadline:
            return c
        time.sleep(0.2)


@needs_root
def test_burst_forwarded_in_order_counters_exact(lab):
    """Frames leave in batches: none lost, none reordered, and the counters
    on both sides still match the Linux ends' exactly."""
    n = 2000
    r, (ans, ha), (bns, hb), rmac = forwarding_pair(lab)
    rcv = subprocess.Popen(
        ["ip", "netns", "exec", bns, PY, "-c",
         "import socket, struct\n"
         "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
         "s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)\n"
         "s.bind(('10.86.0.2', 7778)); s.settimeout(5)\n"
         "print('ready', flush=True)\n"
         "seqs = []\n"
         f"while len(seqs) < {n}:\n"
         "    try: seqs.append(struct.unpack('!I', s.recv(64))[0])\n"
         "    except socket.timeout: break\n"
         "print(' '.join(map(str, seqs)), flush=True)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert rcv.stdout.readline().strip() == "ready"
        a0, b0 = link_stats(ans, ha), link_stats(bns, hb)
        c0 = counters(r.cmd("show interfaces FastEthernet0/0"))
        d0 = counters(r.cmd("show interfaces FastEthernet0/1"))
        send_udp_burst(ans, ha, rmac, n, 7778)
        out, _ = rcv.communicate(timeout=30)
    finally:
        if rcv.poll() is None:
            rcv.kill()
            rcv.communicate()
    seqs = [int(x) for x in out.split()]
    assert seqs == list(range(n)), f"{len(seqs)} received, first out of order " \
        f"at {next((i for i, s in enumerate(seqs) if s != i), None)}"
    a1, b1 = link_stats(ans, ha), link_stats(bns, hb)
    sent = a1[1]["packets"] - a0[1]["packets"]
    got = b1[0]["packets"] - b0[0]["packets"]
    assert sent >= n and got >= n
    c1 = settle(r, "FastEthernet0/0", "in_pkts", c0["in_pkts"] + sent)
    d1 = settle(r, "FastEthernet0/1", "out_pkts", d0["out_pkts"] + got)
    assert c1["in_pkts"] - c0["in_pkts"] == sent
    assert c1["in_bytes"] - c0["in_bytes"] == a1[1]["bytes"] - a0[1]["bytes"]
    assert d1["out_pkts"] - d0["out_pkts"] == got
    assert d1["out_bytes"] - d0["out_bytes"] == b1[0]["bytes"] - b0[0]["bytes"]
    assert c1["in_errors"] == c0["in_errors"]


@needs_root
def test_receive_ring_overrun_counted(lab):
    """A stopped router's receive ring fills; what the kernel could not
    put in it shows as overruns (input errors), and every frame sent is
    either an input packet or an overrun."""
    n = 1500                      # more than the ring's 1024 slots
    r, (ans, ha), _, rmac = forwarding_pair(lab)
    show = r.cmd("show interfaces FastEthernet0/0")
    c0, o0 = counters(show), grab(show, r"(\d+) overrun")
    a0 = link_stats(ans, ha)
    os.kill(r.p.pid, signal.SIGSTOP)
    try:
        send_udp_burst(ans, ha, rmac, n, 7779)
    finally:
        os.kill(r.p.pid, signal.SIGCONT)
    sent = link_stats(ans, ha)[1]["packets"] - a0[1]["packets"]
    assert sent >= n
    deadline = time.monotonic() + 10
    while True:
        show = r.cmd("show interfaces FastEthernet0/0")
        c, o = counters(show), grab(show, r"(\d+) overrun")
        if c["in_pkts"] - c0["in_pkts"] + o - o0 == sent or \
                time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert c["in_pkts"] - c0["in_pkts"] + o - o0 == sent, show
    assert o - o0 >= n - 1024, show
    assert c["in_errors"] - c0["in_errors"] == o - o0, show
