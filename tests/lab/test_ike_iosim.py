"""IKEv1 between two iosim routers over a UDP wire on loopback (no root):
the seeds' own policies and transform sets (seed 000: policy 1 with only
"authentication pre-share", so DES/SHA/group 1, and trans1 = ah-md5-hmac
esp-3des, the AH+ESP bundle strongSwan cannot do), PFS, lifetimes with
RESPONDER-LIFETIME, Delete when SAs are cleared or expire, rekey of both
phases, INITIAL-CONTACT after a peer restarts, DPD answered.

    R1 Gi0/1 211.0.0.1 --- UDP wire --- Gi0/0 211.0.0.4 Peer
    (map mymap, ACL 100 10.0.0.0/8 <-> 192.168.1.0/24, and its mirror)
    R1 Gi0/0 10.0.0.1/8 and Peer Gi0/1 192.168.1.1/24 on UDP wires to
    nobody: the protected LANs, up, with no host on them

Negotiations start from traffic: a router pings the other's protected
network from its own protected address (the crypto map's ACL matches the
router's own packets too, as on IOS). Both are build/test/iosim-testcmds,
iosim plus test-only commands that make SAs older ("test crypto ... age")
so lifetimes run out now."""

import re
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import iosim  # noqa: E402
import ikelab  # noqa: E402
from ikelab import wait_for  # noqa: E402

TESTCMDS = iosim.REPO / "build" / "test" / "iosim-testcmds"

# seed 000's RouterA, without the HA parts (its crypto map's local address
# would be the HSRP virtual address), and the peer built from it
R1_CFG = [
    "crypto isakmp policy 1", " authentication pre-share",
    "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth",
    "crypto ipsec transform-set trans1 ah-md5-hmac esp-3des",
    "crypto map mymap 1 ipsec-isakmp", " set peer 211.0.0.4",
    " set transform-set trans1", " match address 100",
    "interface GigabitEthernet0/0", " ip address 10.0.0.1 255.0.0.0", " no shutdown",
    "interface GigabitEthernet0/1", " ip address 211.0.0.1 255.0.0.0",
    " no shutdown", " crypto map mymap",
    "access-list 100 permit ip 10.0.0.0 0.255.255.255 192.168.1.0 0.0.0.255",
    "ip route 192.168.1.0 255.255.255.0 211.0.0.4",
]
PEER_CFG = [
    "crypto isakmp policy 1", " authentication pre-share",
    "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0 no-xauth",
    "crypto ipsec transform-set trans1 ah-md5-hmac esp-3des",
    "crypto map mymap 1 ipsec-isakmp", " set peer 211.0.0.1",
    " set transform-set trans1", " match address 100",
    "interface GigabitEthernet0/0", " ip address 211.0.0.4 255.0.0.0",
    " no shutdown", " crypto map mymap",
    "interface GigabitEthernet0/1", " ip address 192.168.1.1 255.255.255.0",
    " no shutdown",
    "access-list 100 permit ip 192.168.1.0 0.0.0.255 10.0.0.0 0.255.255.255",
    "ip route 10.0.0.0 255.0.0.0 211.0.0.1",
]


def free_ports(n):
    socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


class Pair:
    def __init__(self):
        self.p1, self.p2, self.lan1, self.lan2, self.nobody = free_ports(5)
        self.r1 = self.start("R1", "GigabitEthernet0/1", self.p1, self.p2, R1_CFG,
                             ("GigabitEthernet0/0", self.lan1))
        self.peer = self.start_peer()

    def start_peer(self):
        return self.start("Peer", "GigabitEthernet0/0", self.p2, self.p1, PEER_CFG,
                          ("GigabitEthernet0/1", self.lan2))

    def start(self, name, ifn, lp, rp, cfg, lan):
        wire = "udp:127.0.0.1:{}:127.0.0.1:{}"
        r = ikelab.Router(name, ["--iface", f"{ifn}={wire.format(lp, rp)}",
                                 "--iface", f"{lan[0]}={wire.format(lan[1], self.nobody)}"],
                          cfg, exe=TESTCMDS)
        r.cmd("debug crypto isakmp")
        return r

    def restart_peer(self):
        self.peer.kill()
        self.peer = self.start_peer()

    def traffic(self, who=None):
        """WHO (R1 by default) pings the other's loopback from its own: the
        first echo has no SA, is dropped and starts IKE. The output."""
        who = who or self.r1
        dst, src = ("192.168.1.1", "GigabitEthernet0/0") if who is self.r1 \
            else ("10.0.0.1", "GigabitEthernet0/1")
        return who.cmd(f"ping {dst} source {src} repeat 2 timeout 1")

    def up(self, who=None):
        who = who or self.r1
        out = self.traffic(who)
        ok = wait_for(lambda: all(sessions_up(r) for r in (self.r1, self.peer)), 10)
        assert ok, out + self.r1.text()[-3000:] + self.peer.text()[-3000:]
        # and the tunnel carries the routers' own traffic both ways
        out = self.traffic(who)
        assert "Success rate is 100 percent (2/2)" in out, out

    def down(self):
        for r in (self.r1, self.peer):
            r.cmd("clear crypto session")
        ok = wait_for(lambda: not any(sessions_up(r) or isakmp_rows(r)
                                      for r in (self.r1, self.peer)), 10)
        assert ok

    def close(self):
        errs = [r.stop() for r in (self.r1, self.peer)]
        return errs


def sessions_up(r):
    return "Session status: UP-ACTIVE" in r.show("show crypto session")


def isakmp_rows(r):
    return re.findall(r"^(\S+)\s+(\S+)\s+(QM_IDLE|MM_\w+)\s+(\d+)\s+0\s+(ACTIVE.*)$",
                      r.show("show crypto isakmp sa"), re.M)


def active_sas(r):
    return sum(int(n) for n in re.findall(r"Active SAs: (\d+)",
                                          r.show("show crypto session")))


def created_spis(r, since=0):
    text = r.text()[since:]
    inb = re.findall(r"inbound SA from .*\n.*\n.*has spi 0x([0-9A-F]+)", text)
    outb = re.findall(r"outbound SA from .*\n.*\n.*has spi 0x([0-9A-F]+)", text)
    return inb, outb


@pytest.fixture(scope="module")
def pair():
    if not TESTCMDS.exists():
        pytest.fail(f"{TESTCMDS} missing: make build/test/iosim-testcmds", pytrace=False)
    p = Pair()
    try:
        yield p
    finally:
        errs = p.close()
    for e in errs:
        assert not ikelab.sanitizer_clean(e), e[-4000:]


def test_seed_bundle_ah_esp(pair):
    pair.down()
    m1, m2 = len(pair.r1.text()), len(pair.peer.text())
    pair.up()
    (dst, src, state, conn, status), = isakmp_rows(pair.r1)
    assert (dst, src, state, status) == ("211.0.0.4", "211.0.0.1", "QM_IDLE", "ACTIVE")
    (dst, src, state, _, _), = isakmp_rows(pair.peer)
    assert (dst, src, state) == ("211.0.0.4", "211.0.0.1", "QM_IDLE")
    # the policy is the default suite's algorithms: DES, SHA, group 1
    d = pair.r1.show("show crypto isakmp sa detail")
    assert re.search(rf"^{conn}\s+211\.0\.0\.1\s+211\.0\.0\.4\s+ACTIVE des\s+sha\s+"
                     r"psk\s+1\s+\d\d:\d\d:\d\d", d, re.M), d
    # AH and ESP, each way: four SAs, one flow
    assert active_sas(pair.r1) == 4 and active_sas(pair.peer) == 4
    s = pair.r1.show("show crypto session")
    assert "IPSEC FLOW: permit ip 10.0.0.0/255.0.0.0 192.168.1.0/255.255.255.0" in s
    # what one made inbound the other made outbound
    i1, o1 = created_spis(pair.r1, m1)
    i2, o2 = created_spis(pair.peer, m2)
    assert len(i1) == len(o1) == 2
    assert sorted(i1) == sorted(o2) and sorted(o1) == sorted(i2)
    assert "transform 1, AH_MD5" in pair.peer.text()[m2:]
    assert "transform 1, ESP_3DES" in pair.peer.text()[m2:]
    # no NAT between them: IKE stays on UDP 500
    assert "IKE SA: local 211.0.0.1/500 remote 211.0.0.4/500 Active" in s
    # the crypto engine's connections: the IKE SA (hash first, seed 003's
    # order) and one per direction of the AH+ESP bundle, with the pings
    eng = pair.r1.show("show crypto engine connections active")
    assert re.search(rf"^\s*{conn} Gi0/1\s+IKE\s+SHA\+DES\s+0\s+0 211\.0\.0\.1$",
                     eng, re.M), eng
    rows = re.findall(r"^\s*(\d+) Gi0/1\s+IPsec\s+3DES\+MD5\s+(\d+)\s+(\d+) 211\.0\.0\.1$",
                      eng, re.M)
    assert len(rows) == 2, eng
    assert sorted(int(e) > 0 for _, e, d in rows) == [False, True], eng
    assert all((int(e) > 0) != (int(d) > 0) for _, e, d in rows), eng
    # both debugs under one header
    pair.r1.cmd("debug crypto ipsec")
    dbg = pair.r1.show("show debugging")
    pair.r1.cmd("no debug crypto ipsec")
    assert dbg.count("Cryptographic Subsystem:") == 1, dbg
    assert re.search(r"Cryptographic Subsystem:\n  Crypto ISAKMP debugging is on\n"
                     r"  Crypto IPSEC debugging is on", dbg), dbg


def test_pfs_and_responder_lifetime(pair):
    pair.down()
    pair.r1.configure(["crypto map mymap 1", " set pfs group5",
                       " set security-association lifetime seconds 1800"])
    pair.peer.configure(["crypto map mymap 1", " set pfs group5",
                         " set security-association lifetime seconds 900"])
    try:
        m2 = len(pair.peer.text())
        pair.up()
        assert "ISAKMP:      group is 5" in pair.peer.text()[m2:]
        assert "sending RESPONDER_LIFETIME notify" in pair.peer.text()[m2:]
        # both use the shorter lifetime
        for r in (pair.r1, pair.peer):
            det = r.show("show crypto session detail")
            lives = [int(x) for x in re.findall(r"life \(KB/Sec\) \d+/(\d+)", det)]
            assert lives and all(880 <= x <= 900 for x in lives), det
        # a group the responder does not take is no proposal
        pair.down()
        pair.peer.configure(["crypto map mymap 1", " set pfs group2"])
        m2 = len(pair.peer.text())
        pair.traffic()
        assert pair.peer.wait_log(r"%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick "
                                  r"mode failed with peer at 211\.0\.0\.1", 10, m2)
        assert active_sas(pair.r1) == 0 and active_sas(pair.peer) == 0
    finally:
        for r in (pair.r1, pair.peer):
            r.configure(["crypto map mymap 1", " no set pfs",
                         " no set security-association lifetime seconds"])


def test_clear_sends_delete(pair):
    pair.down()
    pair.up()
    m2 = len(pair.peer.text())
    pair.r1.cmd("clear crypto sa")  # part A's; harmless when absent
    pair.r1.cmd("clear crypto session")
    # the peer hears the Delete payloads and drops its copies
    ok = wait_for(lambda: not sessions_up(pair.peer) and not isakmp_rows(pair.peer), 10)
    assert ok, pair.peer.text()[m2:][-3000:]
    text = pair.peer.text()[m2:]
    assert "processing DELETE payload. protocol 1" in text
    assert re.search(r"processing DELETE payload\. protocol [23]", text)
    # clear crypto isakmp N: only the IKE SA goes, the IPsec SAs stay
    pair.up()
    (_, _, _, conn, _), = isakmp_rows(pair.r1)
    out = pair.r1.cmd(f"clear crypto isakmp {conn}")
    assert out.strip() == "" or "%" not in out
    assert not isakmp_rows(pair.r1)
    assert "Session status: UP-NO-IKE" in pair.r1.show("show crypto session")
    assert wait_for(lambda: not isakmp_rows(pair.peer), 5)
    assert active_sas(pair.peer) == 4


def test_rekey_ipsec_and_isakmp(pair):
    pair.down()
    pair.up()
    m1, m2 = len(pair.r1.text()), len(pair.peer.text())
    old_in, _ = created_spis(pair.r1)
    # an hour minus five minutes later: inside the soft margin, a new
    # bundle is negotiated beside the old one
    pair.r1.cmd("test crypto ipsec age 3300")
    ok = wait_for(lambda: active_sas(pair.r1) == 8 and active_sas(pair.peer) == 8, 10)
    assert ok, pair.r1.text()[m1:][-3000:]
    new_in, _ = created_spis(pair.r1, m1)
    assert len(new_in) == 2 and not set(new_in) & set(old_in)
    assert "rekey of SA" in pair.r1.text()[m1:]
    # the old bundle's hard lifetime: it goes, with a Delete to the peer
    pair.r1.cmd(f"test crypto ipsec age 400 spi {old_in[-1]}")
    ok = wait_for(lambda: active_sas(pair.r1) == 4 and active_sas(pair.peer) == 4, 10)
    assert ok, pair.peer.text()[m2:][-3000:]
    # phase 1 near its end, with IPsec SAs depending on it: renegotiated
    m1 = len(pair.r1.text())
    pair.r1.cmd("test crypto isakmp age 80000")
    ok = wait_for(lambda: len([r for r in isakmp_rows(pair.r1) if r[2] == "QM_IDLE"]) == 2,
                  10)
    assert ok, pair.r1.text()[m1:][-3000:]
    assert "renegotiating with 211.0.0.4" in pair.r1.text()[m1:]
    # and the old one expires, the peer told
    pair.r1.cmd("test crypto isakmp age 7000")
    ok = wait_for(lambda: len(isakmp_rows(pair.r1)) == 1 and
                  len(isakmp_rows(pair.peer)) == 1, 10)
    assert ok, (isakmp_rows(pair.r1), isakmp_rows(pair.peer))
    assert active_sas(pair.r1) == 4


def test_initial_contact_after_peer_restart(pair):
    pair.down()
    pair.up()
    (_, _, _, old_conn, _), = isakmp_rows(pair.r1)
    pair.restart_peer()
    m1 = len(pair.r1.text())
    # the restarted peer knows nothing: it negotiates anew, and says so
    pair.up(pair.peer)
    assert "received initial contact, deleting SA" in pair.r1.text()[m1:]
    rows = isakmp_rows(pair.r1)
    assert len(rows) == 1 and rows[0][3] != old_conn, rows
    assert active_sas(pair.r1) == 4        # the old bundle went


def test_dpd_answered(pair):
    pair.down()
    pair.r1.configure(["crypto isakmp keepalive 10 2 periodic"])
    try:
        pair.up()
        m1 = len(pair.r1.text())
        assert pair.r1.wait_log(r"DPD/R_U_THERE_ACK from 211\.0\.0\.4", 20, m1), \
            pair.r1.text()[m1:][-2000:]
        assert "received DPD/R_U_THERE from 211.0.0.1" in pair.peer.text()
        assert len(isakmp_rows(pair.r1)) == 1
        d = pair.r1.show("show crypto isakmp sa detail")
        assert re.search(r"ACTIVE des\s+sha\s+psk\s+1\s+\S+ D$", d, re.M), d
    finally:
        pair.r1.configure(["no crypto isakmp keepalive"])
