"""HSRP on the wire: real iosim routers on a shared LAN.

Topology (network namespaces made and deleted by the fixture):

    ns LAB: bridge br0 --+-- r1 (iosim R1 Fa0/0 = linux:r1)
                         +-- r2 (iosim R2 Fa0/0 = linux:r2)
                         +-- hb <-> h0 in ns HOST (a Linux host, 10.0.0.100/24)
    R1 Fa0/1 = linux:t1 (peer t1p): the interface R1's group tracks.

The routers run with a pipe console (each line processed as typed). tshark
records br0 for the whole test and must decode every HSRP packet without a
malformed or error-level expert item. scapy (Debian's python3-scapy, under
/usr/bin/python3) plays a foreign HSRP v1 speaker from the host.

Needs root (namespaces, AF_PACKET); skips with the reason otherwise.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import iosim  # noqa: E402

PY = "/usr/bin/python3"
VIP = "10.0.0.254"
STATE_RE = re.compile(r"%HSRP-5-STATECHANGE: (\S+) Grp (\d+) state (\w+) -> (\w+)")

pytestmark = pytest.mark.skipif(os.geteuid() != 0,
                                reason="needs root: network namespaces and AF_PACKET")


def sh(*args, check=True, ns=None, timeout=30):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + list(args)
    return subprocess.run(cmd, check=check, capture_output=True, text=True,
                          timeout=timeout)


wait_for = iosim.wait_for


class Router(iosim.Console):
    """One iosim in namespace NS with a pipe console kept open."""

    def __init__(self, ns, name, ifaces, config):
        args = [str(iosim.binary()), "--hostname", name]
        for ios, dev in ifaces:
            args += ["--iface", f"{ios}=linux:{dev}"]
        super().__init__(name, ["ip", "netns", "exec", ns, *args])
        self.cmd("enable")
        self.cmd("configure terminal")
        for line in config:
            self.cmd(line)
        self.cmd("end")

    def states(self):
        """Every (interface, group, old, new) state change logged so far."""
        return STATE_RE.findall(self.text())

    def state(self, group=1, iface="FastEthernet0/0"):
        st = "Init"
        for i, g, _, new in self.states():
            if i == iface and int(g) == group:
                st = new
        return st

    def stop(self):
        errs = self.finish(timeout=10)
        for m in iosim.SANITIZER_MARKERS:
            assert m not in errs, f"{self.name}: {errs[-3000:]}"


class Lan:
    def __init__(self):
        tag = f"{os.getpid() % 100000}"
        self.lab, self.host = f"hsrp-lab-{tag}", f"hsrp-host-{tag}"
        self.routers = []
        self.tshark = None
        self.tmp = tempfile.mkdtemp(prefix="iosim-hsrp-")
        self.pcap = os.path.join(self.tmp, "lan.pcap")

    def up(self):
        sh("ip", "netns", "add", self.lab)
        sh("ip", "netns", "add", self.host)
        L = self.lab
        sh("ip", "link", "set", "lo", "up", ns=L)
        sh("ip", "link", "add", "br0", "type", "bridge", ns=L)
        sh("ip", "link", "set", "br0", "up", ns=L)
        for dev in ("r1", "r2"):
            sh("ip", "link", "add", dev, "type", "veth", "peer", "name",
               dev + "b", ns=L)
            sh("ip", "link", "set", dev + "b", "master", "br0", ns=L)
            sh("ip", "link", "set", dev + "b", "up", ns=L)
            sh("ip", "link", "set", dev, "up", ns=L)
        # the host
        sh("ip", "link", "add", "hb", "type", "veth", "peer", "name", "h0",
           "netns", self.host, ns=L)
        sh("ip", "link", "set", "hb", "master", "br0", ns=L)
        sh("ip", "link", "set", "hb", "up", ns=L)
        sh("ip", "addr", "add", "10.0.0.100/24", "dev", "h0", ns=self.host)
        sh("ip", "link", "set", "h0", "up", ns=self.host)
        sh("ip", "link", "set", "lo", "up", ns=self.host)
        # R1's tracked interface: a veth whose far end we can take down
        sh("ip", "link", "add", "t1", "type", "veth", "peer", "name", "t1p",
           ns=L)
        sh("ip", "link", "set", "t1", "up", ns=L)
        sh("ip", "link", "set", "t1p", "up", ns=L)
        if shutil.which("tshark"):
            self.tshark = subprocess.Popen(
                ["ip", "netns", "exec", L, "tshark", "-q", "-i", "br0", "-w",
                 self.pcap, "-f", "udp port 1985 or arp"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            wait_for(lambda: os.path.exists(self.pcap), 15)

    def router(self, name, dev, config, extra_ifaces=()):
        r = Router(self.lab, name, [("FastEthernet0/0", dev), *extra_ifaces],
                   config)
        self.routers.append(r)
        return r

    def host_run(self, *args, **kw):
        return sh(*args, ns=self.host, **kw)

    def stop_capture(self):
        iosim.interrupt(self.tshark)

    def down(self):
        for r in self.routers:
            r.kill()
        self.stop_capture()
        for ns in (self.lab, self.host):
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


@pytest.fixture
def lan():
    ln = Lan()
    try:
        ln.up()
        yield ln
    finally:
        ln.down()


def config(addr, pri, version=1, timers=(1, 3), extra=()):
    hello, hold = timers
    t = (f"standby 1 timers {hello} {hold}" if isinstance(hello, int)
         else f"standby 1 timers msec {hello[:-2]} msec {hold[:-2]}")
    lines = ["interface FastEthernet0/0",
             f" ip address {addr} 255.255.255.0",
             " no shutdown",
             " standby delay minimum 0 reload 0"]
    if version == 2:
        lines.append(" standby version 2")
    lines += [f" standby 1 ip {VIP}", " " + t, f" standby 1 priority {pri}",
              " standby 1 preempt", " standby 1 name LAN-GW", *extra]
    return lines


def elect(r1, r2, limit):
    """Wait until one router is Active and the other Standby."""
    def done():
        s = {r1.state(), r2.state()}
        return s == {"Active", "Standby"}
    t0 = time.monotonic()
    ok = wait_for(done, limit)
    assert ok, (f"no election in {limit}s: R1 {r1.state()} R2 {r2.state()}\n"
                f"{r1.text()[-1500:]}\n{r2.text()[-1500:]}")
    return time.monotonic() - t0


def check_capture(lan, versions, vmac):
    """Every HSRP packet on the LAN decodes cleanly in tshark."""
    if not lan.tshark:
        pytest.skip("tshark is not installed (tools/deps.sh test installs it)")
    lan.stop_capture()
    # tshark names both versions "hsrp"
    out = subprocess.run(["tshark", "-r", lan.pcap, "-Y", "hsrp",
                          "-T", "fields", "-e", "ip.dst", "-e", "ip.ttl",
                          "-e", "_ws.malformed", "-e", "_ws.expert.severity"],
                         capture_output=True, text=True, timeout=60)
    rows = [l.split("\t") for l in out.stdout.splitlines() if l]
    assert rows, f"no HSRP packet captured: {out.stderr}"
    dsts = {r[0] for r in rows}
    want = {1: "224.0.0.2", 2: "224.0.0.102"}
    for v in versions:
        assert want[v] in dsts, (v, dsts)
    for r in rows:
        assert r[1] == "1", f"TTL is not 1: {r}"
        assert not r[2], f"malformed: {r}"
    # becoming Active announced the VIP with a gratuitous ARP from the vMAC
    garp = subprocess.run(["tshark", "-r", lan.pcap, "-Y",
                           f"arp.src.proto_ipv4 == {VIP} && "
                           f"arp.dst.proto_ipv4 == {VIP}",
                           "-T", "fields", "-e", "arp.src.hw_mac"],
                          capture_output=True, text=True, timeout=60)
    assert vmac in garp.stdout.split(), garp.stdout
    exp = subprocess.run(["tshark", "-r", lan.pcap, "-q", "-z", "expert,error"],
                         capture_output=True, text=True, timeout=60)
    assert "Errors (" not in exp.stdout, exp.stdout
    return len(rows)


# TextFSM templates in the manner of ntc-templates' cisco_ios_show_standby and
# cisco_ios_show_standby_brief (every line must match a rule, else Error), so
# that tools reading IOS's output read ours.
SHOW_STANDBY_TEMPLATE = r"""Value Required INTERFACE (\S+)
Value GROUP (\d+)
Value VERSION (\d)
Value STATE (\w+)
Value CHANGES (\d+)
Value VIP (\S*)
Value ACTIVE_VMAC (\S+)
Value LOCAL_VMAC (\S+)
Value HELLO (\d+)
Value HOLD (\d+)
Value PREEMPT (\w+)
Value ACTIVE (\S+?)
Value ACTIVE_PRI (\d+)
Value ACTIVE_MAC (\S+)
Value STANDBY (\S+?)
Value STANDBY_PRI (\d+)
Value PRIORITY (\d+)
Value List TRACKS (\S+)
Value NAME (\S+)

Start
  ^\S+ -> Continue.Record
  ^${INTERFACE} - Group ${GROUP}( \(version ${VERSION}\))?$$
  ^  State is ${STATE}
  ^    ${CHANGES} state changes?, last state change \S+$$
  ^  Virtual IP address is ?${VIP}$$
  ^    Secondary virtual IP address \S+$$
  ^  Active virtual MAC address is ${ACTIVE_VMAC}
  ^    Local virtual MAC address is ${LOCAL_VMAC} \((v1|v2) default|bia|confgd\)$$
  ^  Hello time ${HELLO} m?sec, hold time ${HOLD} m?sec$$
  ^    Next hello sent in \d+\.\d{3} secs$$
  ^  Authentication
  ^  Preemption ${PREEMPT}
  ^  Active router is ${ACTIVE}(, priority ${ACTIVE_PRI} \(expires in \d+\.\d{3} sec\))?$$
  ^    MAC address is ${ACTIVE_MAC}$$
  ^  Standby router is ${STANDBY}(, priority ${STANDBY_PRI} \(expires in \d+\.\d{3} sec\))?$$
  ^  Priority ${PRIORITY} \((default|configured) \d+\)$$
  ^    Track (interface|object) ${TRACKS} state (Up|Down) decrement \d+$$
  ^  Group name is "${NAME}" \((default|cfgd)\)$$
  ^\s*$$
  ^. -> Error
"""

BRIEF_TEMPLATE = r"""Value INTERFACE (\S+)
Value GROUP (\d+)
Value PRIORITY (\d+)
Value PREEMPT ([P ])
Value STATE (\w+)
Value ACTIVE (\S+)
Value STANDBY (\S+)
Value VIP (\S+)

Start
  ^\s+P indicates configured to preempt\.$$
  ^\s+\|$$
  ^Interface\s+Grp\s+Pri\s+P\s+State\s+Active\s+Standby\s+Virtual IP\s*$$ -> Groups
  ^. -> Error

Groups
  ^${INTERFACE}\s+${GROUP}\s+${PRIORITY}\s${PREEMPT}\s${STATE}\s+${ACTIVE}\s+${STANDBY}\s+${VIP}\s*$$ -> Record
  ^. -> Error
"""


def textfsm_parse(template, text):
    textfsm = pytest.importorskip("textfsm")
    import io
    fsm = textfsm.TextFSM(io.StringIO(template))
    return [dict(zip(fsm.header, row)) for row in fsm.ParseText(text)]


# ---------------------------------------------------------------------------

@pytest.mark.parametrize("version", [1, 2])
def test_election_arp_ping_failover(lan, version):
    timers = (1, 3) if version == 1 else ("300ms", "1000ms")
    hold = 3.0 if version == 1 else 1.0
    # v1 with the default text string, v2 with MD5
    auth = [] if version == 1 else [" standby 1 authentication md5 key-string K3y"]
    r1 = lan.router("R1", "r1", config("10.0.0.1", 110, version, timers,
                    extra=[*auth, " standby 1 track FastEthernet0/1 20",
                           "interface FastEthernet0/1",
                           " ip address 10.9.0.1 255.255.255.0",
                           " no shutdown"]),
                    extra_ifaces=[("FastEthernet0/1", "t1")])
    r2 = lan.router("R2", "r2", config("10.0.0.2", 100, version, timers, extra=auth))

    # both start together: Listen, Speak, Standby/Active take about two
    # hold times; allow a generous bound
    took = elect(r1, r2, 20 * hold)
    print(f"\nv{version}: election took {took:.2f} s (hold {hold} s)")
    assert r1.state() == "Active", "R1 has the higher priority and preempts"
    out = r2.cmd("show standby brief")
    assert re.search(r"Fa0/0\s+1\s+100 P Standby\s+10\.0\.0\.1\s+local\s+"
                     + re.escape(VIP), out), out
    rows = textfsm_parse(BRIEF_TEMPLATE, out)
    assert rows == [{"INTERFACE": "Fa0/0", "GROUP": "1", "PRIORITY": "100",
                     "PREEMPT": "P", "STATE": "Standby", "ACTIVE": "10.0.0.1",
                     "STANDBY": "local", "VIP": VIP}], rows
    vmac_ios = "0000.0c07.ac01" if version == 1 else "0000.0c9f.f001"
    for r, want in ((r1, {"STATE": "Active", "ACTIVE": "local",
                          "STANDBY": "10.0.0.2", "STANDBY_PRI": "100",
                          "PRIORITY": "110", "TRACKS": ["FastEthernet0/1"]}),
                    (r2, {"STATE": "Standby", "ACTIVE": "10.0.0.1",
                          "ACTIVE_PRI": "110", "ACTIVE_MAC": vmac_ios,
                          "STANDBY": "local", "PRIORITY": "100"})):
        rows = textfsm_parse(SHOW_STANDBY_TEMPLATE, r.cmd("show standby"))
        assert len(rows) == 1, rows
        got = rows[0]
        assert got["VIP"] == VIP and got["NAME"] == "LAN-GW", got
        assert got["ACTIVE_VMAC"] == vmac_ios == got["LOCAL_VMAC"], got
        assert got["VERSION"] == ("2" if version == 2 else ""), got
        for k, v in want.items():
            assert got[k] == v, (k, got)

    # the host resolves the VIP to the group's virtual MAC and pings it
    vmac = "00:00:0c:07:ac:01" if version == 1 else "00:00:0c:9f:f0:01"
    ping = lan.host_run("ping", "-c", "3", "-i", "0.2", "-W", "2", VIP, check=False)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    neigh = lan.host_run("ip", "neigh", "show", VIP).stdout
    assert vmac in neigh.lower(), neigh

    # the tracked interface goes down: R1 drops to 90, R2 preempts
    sh("ip", "link", "set", "t1p", "down", ns=lan.lab)
    assert wait_for(lambda: r2.state() == "Active", 10 * hold), r2.text()[-2000:]
    assert wait_for(lambda: r1.state() == "Standby", 10 * hold), r1.text()[-2000:]
    assert "Priority 90 (configured 110)" in r1.cmd("show standby")
    # it comes back: R1 preempts again
    sh("ip", "link", "set", "t1p", "up", ns=lan.lab)
    assert wait_for(lambda: r1.state() == "Active", 10 * hold), r1.text()[-2000:]
    assert wait_for(lambda: r2.state() == "Standby", 10 * hold), r2.text()[-2000:]

    # shutdown of the Active router's interface: it resigns first (tshark
    # sees the Resign below), so R2 takes over without waiting out the hold
    # time; back up, R1 preempts again
    before = len(r2.states())
    t0 = time.monotonic()
    for line in ("configure terminal", "interface FastEthernet0/0", " shutdown"):
        r1.cmd(line)
    assert wait_for(lambda: any(n == "Active" for *_, n in r2.states()[before:]),
                    4 * hold), r2.text()[-2000:]
    print(f"v{version}: shutdown of the Active -> peer Active in "
          f"{time.monotonic() - t0:.3f} s (hold {hold} s)")
    r1.cmd(" no shutdown")
    r1.cmd("end")
    assert wait_for(lambda: r1.state() == "Active", 10 * hold), r1.text()[-2000:]
    assert wait_for(lambda: r2.state() == "Standby", 10 * hold), r2.text()[-2000:]

    # SIGKILL of the Active router: the Standby takes over within the hold
    # time (plus a hello of slack), measured from the kill to its log line
    before = len(r2.states())
    t0 = time.monotonic()
    r1.kill()
    assert wait_for(lambda: any(n == "Active" for *_, n in r2.states()[before:]),
                    4 * hold), r2.text()[-2000:]
    took = time.monotonic() - t0
    print(f"v{version}: SIGKILL of the Active -> peer Active in {took:.3f} s "
          f"(hold {hold} s)")
    ping = lan.host_run("ping", "-c", "2", "-i", "0.2", "-W", "2", VIP, check=False)
    assert ping.returncode == 0, ping.stdout
    r2.stop()
    n = check_capture(lan, [version], vmac)
    print(f"v{version}: {n} HSRP packets decoded cleanly by tshark")
    proto = "hsrp" if version == 1 else "hsrp2"
    resign = subprocess.run(["tshark", "-r", lan.pcap, "-Y",
                             f"{proto}.opcode == 2 && ip.src == 10.0.0.1",
                             "-T", "fields", "-e", f"{proto}.state"],
                            capture_output=True, text=True, timeout=60)
    # two Resigns from the Active state (v1 16, v2 6): R2's coup's and the
    # shutdown's; a SIGKILL says nothing
    active = "16" if version == 1 else "6"
    assert resign.stdout.split() == [active, active], resign.stdout + resign.stderr


SCAPY_SPEAKER = r"""
import sys, time
from scapy.all import Ether, IP, UDP, sendp, conf
from scapy.layers.hsrp import HSRP
conf.verb = 0
auth, pri, count = sys.argv[1].encode(), int(sys.argv[2]), int(sys.argv[3])
ttl = int(sys.argv[4]) if len(sys.argv) > 4 else 1
src = sys.argv[5] if len(sys.argv) > 5 else "10.0.0.100"
pkt = (Ether(src="00:00:0c:07:ac:01", dst="01:00:5e:00:00:02") /
       IP(src=src, dst="224.0.0.2", ttl=ttl) /
       UDP(sport=1985, dport=1985) /
       HSRP(opcode=0, state=16, hellotime=1, holdtime=3, priority=pri,
            group=1, auth=auth.ljust(8, b"\0"), virtualIP="10.0.0.254"))
for _ in range(count):
    sendp(pkt, iface="h0")
    time.sleep(0.5)
"""


def test_scapy_speaker_auth(lan):
    r1 = lan.router("R1", "r1", config("10.0.0.1", 110,
                    extra=[" standby 1 authentication text s3cret"]))
    assert wait_for(lambda: r1.state() == "Active", 20), r1.text()[-2000:]
    script = os.path.join(lan.tmp, "speaker.py")
    Path(script).write_text(SCAPY_SPEAKER)

    # the wrong string: counted, logged, ignored
    lan.host_run(PY, script, "cisco", "250", "4", timeout=30)
    assert r1.state() == "Active"
    assert "%HSRP-4-BADAUTH: Bad authentication from 10.0.0.100, group 1, " \
           "remote state Active" in r1.text()
    internal = r1.cmd("show standby internal")
    m = re.search(r"authentication failed (\d+)", internal)
    assert m and int(m.group(1)) >= 4, internal

    # the right string and a higher priority: it takes over
    sp = subprocess.Popen(["ip", "netns", "exec", lan.host, PY, script,
                           "s3cret", "250", "12"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        # scapy alone can take seconds to start on a loaded machine; the
        # speaker sends for 12 s once it runs
        assert wait_for(lambda: r1.state() == "Speak"
                        or r1.state() == "Standby", 30), r1.text()[-2000:]
        out = r1.cmd("show standby")
        assert "Active router is 10.0.0.100, priority 250" in out, out
        assert "    MAC address is 0000.0c07.ac01" in out, out
    finally:
        sp.wait(timeout=30)
    # the speaker went quiet: R1 is Active again after the hold time (10 s)
    assert wait_for(lambda: r1.state() == "Active", 25), r1.text()[-2000:]
    r1.stop()


def hsrp_drops(router):
    """show standby internal's drop counters of Fa0/0, by reason."""
    out = router.cmd("show standby internal")
    m = re.search(r"^FastEthernet0/0\n.*?Dropped: (.*)$", out, re.M | re.S)
    assert m, out
    return {k: int(v) for k, v in re.findall(r"([a-zA-Z ]+?) (\d+)(?:, |$)",
                                              m.group(1))}


def test_scapy_off_link_speaker(lan):
    """The checks OpenBSD's CARP makes: a higher-priority hello (which R1
    preempts for) sent with TTL 64, or from a source off the subnet, is
    dropped and counted and R1 stays Active; the same hello with TTL 1
    from a neighbour on the subnet takes over."""
    r1 = lan.router("R1", "r1", config("10.0.0.1", 110))
    assert wait_for(lambda: r1.state() == "Active", 20), r1.text()[-2000:]
    script = os.path.join(lan.tmp, "speaker.py")
    Path(script).write_text(SCAPY_SPEAKER)
    lan.host_run(PY, script, "cisco", "250", "4", "64", timeout=30)
    lan.host_run(PY, script, "cisco", "250", "4", "1", "192.0.2.9", timeout=30)
    assert wait_for(lambda: hsrp_drops(r1)["bad TTL"] >= 4
                    and hsrp_drops(r1)["source not on subnet"] >= 4, 5), \
        r1.cmd("show standby internal")
    assert r1.state() == "Active", r1.text()[-2000:]
    brief = r1.cmd("show standby brief")
    assert re.search(r"^Fa0/0\s+1\s+110\s+P\s+Active\s+local\s", brief, re.M), brief
    assert "Active router is local" in r1.cmd("show standby")

    lan.host_run(PY, script, "cisco", "250", "4", timeout=30)
    assert wait_for(lambda: r1.state() in ("Speak", "Standby"), 5), \
        r1.text()[-2000:]
    assert "Active router is 10.0.0.100, priority 250" in r1.cmd("show standby")
    r1.stop()


def key_chain(secret, key=1):
    return ["key chain HSRP-KEYS", f" key {key}", f"  key-string {secret}",
            "  accept-lifetime 00:00:00 Jan 1 2000 infinite"]


def test_key_chain_auth(lan):
    """Two routers whose groups use the same key chain hear each other; a
    router with another key-string under the same key id is rejected and
    counted, and cannot take over."""
    md5 = [" standby 1 authentication md5 key-chain HSRP-KEYS"]
    r1 = lan.router("R1", "r1", key_chain("Ch41n-s3cret")
                    + config("10.0.0.1", 110, extra=md5))
    r2 = lan.router("R2", "r2", key_chain("Ch41n-s3cret")
                    + config("10.0.0.2", 100, extra=md5))
    elect(r1, r2, 20)
    assert r1.state() == "Active"
    out = r1.cmd("show standby")
    assert '  Authentication MD5, key-chain "HSRP-KEYS"' in out, out
    assert "Standby router is 10.0.0.2, priority 100" in out, out
    out = r1.cmd("show key chain")
    assert out.startswith('Key-chain HSRP-KEYS:\n    key 1 -- text "Ch41n-s3cret"\n'
                          "        accept lifetime (00:00:00 Jan 1 2000) - "
                          "(infinite) [valid now]\n"
                          "        send lifetime (always valid) - (always valid)"
                          " [valid now]\n"), out
    internal = r1.cmd("show standby internal")
    assert "authentication failed 0" in internal, internal
    r2.stop()

    # the same key id with another string, and a higher priority
    r3 = lan.router("R3", "r2", key_chain("wrong-s3cret")
                    + config("10.0.0.2", 200, extra=md5))

    def failures():
        m = re.search(r"authentication failed (\d+)",
                      r1.cmd("show standby internal"))
        return int(m.group(1)) if m else 0
    assert wait_for(lambda: failures() >= 3, 20), r1.text()[-2000:]
    assert r1.state() == "Active", r1.text()[-2000:]
    assert "%HSRP-4-BADAUTH: Bad authentication from 10.0.0.2, group 1" \
        in r1.text(), r1.text()[-2000:]
    # R3 does not accept R1's hellos either: it went Active on its own
    assert wait_for(lambda: r3.state() == "Active", 20), r3.text()[-2000:]
    r3.stop()
    r1.stop()
