"""NAT traversal through a real NAT: two iosim routers with a Linux
namespace between them that masquerades (nftables), so NAT-D finds a NAT
for real (strongSwan here only pretends), IKE floats to UDP 4500 from
message 5, the IPsec SAs are negotiated UDP-encapsulated, and the router
behind the NAT keeps the mapping open with NAT keepalives.

    ns A  R1 Gi0/0 = linux:a0 192.168.100.2/24 (default via .1)
    ns N  n0 192.168.100.1/24 | n1 203.0.113.1/24, masquerade out of n1
    ns B  Peer Gi0/0 = linux:b0 203.0.113.2/24 (a dynamic crypto map: the
          NAT's address is nobody it knows)

tshark on n1 must decode every packet cleanly, the keepalives among them.
Needs root, nft and tshark; skips otherwise."""

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import iosim  # noqa: E402
import ikelab  # noqa: E402
from ikelab import sh, wait_for  # noqa: E402

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: namespaces, AF_PACKET"),
    pytest.mark.skipif(not shutil.which("nft"), reason="needs nft (nftables)"),
    pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark"),
]

COMMON = [
    "crypto isakmp policy 10", " encr aes", " authentication pre-share", " group 2",
    "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0",
    "crypto ipsec transform-set TS esp-aes esp-sha-hmac",
]
R1 = COMMON + [
    "crypto isakmp nat keepalive 5",
    "access-list 101 permit ip host 10.1.1.1 host 10.2.2.2",
    "crypto map CM 10 ipsec-isakmp", " set peer 203.0.113.2",
    " set transform-set TS", " match address 101",
    "interface GigabitEthernet0/0", " ip address 192.168.100.2 255.255.255.0",
    " no shutdown", " crypto map CM",
    "interface Loopback0", " ip address 10.1.1.1 255.255.255.255",
    "ip route 0.0.0.0 0.0.0.0 192.168.100.1",
]
PEER = COMMON + [
    "crypto dynamic-map DYN 10", " set transform-set TS",
    "crypto map CM 10 ipsec-isakmp dynamic DYN",
    "interface GigabitEthernet0/0", " ip address 203.0.113.2 255.255.255.0",
    " no shutdown", " crypto map CM",
    "interface Loopback0", " ip address 10.2.2.2 255.255.255.255",
    "ip route 10.1.1.1 255.255.255.255 203.0.113.1",
]


@pytest.fixture(scope="module")
def natlab():
    tag = ikelab.new_tag()
    net = ikelab.Netns(tag)
    tmp = tempfile.mkdtemp(prefix="iosim-ikenat-")
    routers, cap = [], None
    try:
        a, n, b = net.ns("a"), net.ns("n"), net.ns("b")
        net.veth(a, "a0", n, "n0", None, "192.168.100.1/24")
        net.veth(b, "b0", n, "n1", None, "203.0.113.1/24")
        sh("sysctl", "-q", "-w", "net.ipv4.ip_forward=1", ns=n)
        sh("nft", "add", "table", "ip", "nat", ns=n)
        sh("nft", "add chain ip nat post { type nat hook postrouting priority 100 ; }",
           ns=n)
        sh("nft", "add", "rule", "ip", "nat", "post", "oifname", "n1", "masquerade",
           ns=n)
        cap = ikelab.Tshark(n, "n1", tmp)
        r1 = ikelab.Router("R1", ["--iface", "GigabitEthernet0/0=linux:a0"], R1,
                           ns=a)
        routers.append(r1)
        peer = ikelab.Router("Peer", ["--iface", "GigabitEthernet0/0=linux:b0"], PEER,
                             ns=b)
        routers.append(peer)
        for r in routers:
            r.cmd("debug crypto isakmp")
        yield r1, peer, cap
    finally:
        errs = [r.stop() for r in routers]
        if cap:
            cap.stop()
        net.close()
        if not os.environ.get("IKE_KEEP_TMP"):
            shutil.rmtree(tmp, ignore_errors=True)
    for e in errs:
        assert not ikelab.sanitizer_clean(e), e[-4000:]


def test_nat_detected_and_floated(natlab):
    r1, peer, cap = natlab
    # R1's own traffic from its protected address has no SA: IKE starts
    out = r1.cmd("ping 10.2.2.2 source Loopback0 repeat 1 timeout 1")
    up = lambda r: "Session status: UP-ACTIVE" in r.show("show crypto session")
    assert wait_for(lambda: up(r1) and up(peer), 20), \
        out + r1.text()[-3000:] + peer.text()[-3000:]
    # ESP in UDP crosses the NAT both ways
    out = r1.cmd("ping 10.2.2.2 source Loopback0 repeat 3 timeout 2")
    assert "Success rate is 100 percent (3/3)" in out, out
    assert "NAT found, the node inside NAT" in r1.text()
    assert "NAT found, the peer is inside NAT" in peer.text()
    # both moved to 4500; the peer sees the NAT's address
    s1 = r1.show("show crypto session")
    assert "IKE SA: local 192.168.100.2/4500 remote 203.0.113.2/4500 Active" in s1
    s2 = peer.show("show crypto session")
    m = re.search(r"IKE SA: local 203\.0\.113\.2/4500 remote 203\.0\.113\.1/(\d+) Active",
                  s2)
    assert m, s2
    assert "origin: dynamic crypto map" in s2
    # the IPsec SAs are UDP-encapsulated (RFC 3947's mode)
    assert "encaps is 3 (Tunnel)" in peer.text()
    for r in (r1, peer):
        d = r.show("show crypto isakmp sa detail")
        assert re.search(r"ACTIVE aes\s+sha\s+psk\s+2\s+\S+ N\s*$", d, re.M), d


def test_keepalives_from_behind_the_nat(natlab):
    r1, peer, cap = natlab
    # keepalive every 5 s from R1 (it is the one behind the NAT), none
    # from the peer
    time.sleep(11)
    ka = cap.read(filt="udp.length == 9 && udp.port == 4500",
                  fields=["ip.src", "udp.srcport", "udp.dstport"])
    lines = [l for l in ka.split("\n") if l]
    assert len(lines) >= 2, ka
    assert all(l.startswith("203.0.113.1\t") and l.endswith("\t4500") for l in lines)
    assert "NAT-keepalive" in cap.read("-V", filt="udp.length == 9")


def test_capture_decodes_cleanly(natlab):
    r1, peer, cap = natlab
    bad = cap.read(filt="_ws.malformed || _ws.expert.severity >= \"error\"")
    assert bad.strip() == "", bad[:3000]
    assert "udpencap" in cap.read(fields=["frame.protocols"])
