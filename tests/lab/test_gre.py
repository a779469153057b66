"""GRE tunnels between two iosim routers over a UDP wire on loopback, as
tshark sees them (the capture on lo decodes the wire's UDP payload as
Ethernet):

    R1 Lo0 10.1.1.1, Gi0/0 192.0.2.1 --- UDP wire --- Gi0/0 192.0.2.2, Lo0 10.2.2.2 R2
    Tunnel0 172.16.0.1/30 (R1) and ip unnumbered Loopback0 (R2), each from
    its wire address to the other's; each loopback routed into Tunnel0

  test_gre_clear          pings through the tunnel, both kinds of tunnel
                          address; show interfaces Tunnel0 counts them, the
                          routes go via Tunnel0; every frame on the wire is
                          eth:ip:gre:ip:icmp or ARP
  test_gre_over_ipsec     the same with `tunnel protection ipsec profile`
                          (ah-md5-hmac esp-aes: the AH+ESP bundle strongSwan
                          cannot do): the SAs' proxies are GRE host to host,
                          the wire carries ISAKMP and AH+ESP only, no GRE in
                          clear; with ah-sha-hmac alone tshark decodes the
                          GRE inside AH (ip:ah:ip:gre:ip:icmp)
Needs root for the capture on lo; skips otherwise."""

import os
import re

import pytest

import ikelab
from test_ike_iosim import free_ports

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: tshark on lo")

def protection(transforms):
    return ["crypto isakmp policy 1", " authentication pre-share",
            "crypto isakmp key gre-key address 192.0.2.0 255.255.255.0",
            f"crypto ipsec transform-set ts {transforms}",
            "crypto ipsec profile GP", " set transform-set ts"]


def router(n, wire, protect=None):
    """R1 or R2; PROTECT: the profile's transforms, or None (clear GRE)."""
    o = 3 - n
    addr = ["ip address 172.16.0.1 255.255.255.252", "ip unnumbered Loopback0"][n - 1]
    cfg = (protection(protect) if protect else []) + [
        "interface Loopback0", f" ip address 10.{n}.{n}.{n} 255.255.255.255",
        "interface GigabitEthernet0/0", f" ip address 192.0.2.{n} 255.255.255.0",
        " no shutdown",
        "interface Tunnel0", f" {addr}", f" tunnel source 192.0.2.{n}",
        f" tunnel destination 192.0.2.{o}",
    ] + ([" tunnel protection ipsec profile GP"] if protect else []) + [
        f"ip route 10.{o}.{o}.{o} 255.255.255.255 Tunnel0",
        "ip route 172.16.0.0 255.255.255.252 Tunnel0" if n == 2 else "",
    ]
    lp, rp = wire if n == 1 else wire[::-1]
    return ikelab.Router(f"R{n}", ["--iface", f"GigabitEthernet0/0=udp:127.0.0.1:"
                                   f"{lp}:127.0.0.1:{rp}"], [c for c in cfg if c])


def wire_pair(tmp_path, router):
    """A fixture's body: make(*ARGS, **KW) starts a capture on lo of a new UDP
    wire and ROUTER(1, wire, *ARGS) and ROUTER(2, ...) on it, returns
    ([R1, R2], capture, wire); all stopped after the test."""
    made = []

    def make(*args, **kw):
        wire = free_ports(2)
        cap = ikelab.Tshark(None, "lo", str(tmp_path), f"udp port {wire[0]}")
        rs = [router(1, wire, *args, **kw), router(2, wire, *args, **kw)]
        made.extend([cap, *rs])
        return rs, cap, wire
    try:
        yield make
    finally:
        for m in made:
            m.stop()


@pytest.fixture
def lab(tmp_path):
    yield from wire_pair(tmp_path, router)


def success(out):
    m = re.search(r"Success rate is (\d+) percent", out)
    assert m, out
    return int(m.group(1))


def protocols(cap, wire):
    out = cap.read("-d", f"udp.port=={wire[0]},eth", fields=["frame.protocols"])
    return set(out.split()) if isinstance(out, str) else set(out)


def test_gre_clear(lab):
    (r1, r2), cap, wire = lab()
    assert success(r1.cmd("ping 10.2.2.2 source Loopback0", timeout=30)) >= 80
    assert success(r2.cmd("ping 172.16.0.1", timeout=30)) == 100
    tun = r1.show("show interfaces Tunnel0")
    assert "Tunnel0 is up, line protocol is up" in tun, tun
    assert "Tunnel protocol/transport GRE/IP" in tun, tun
    out = int(re.search(r"(\d+) packets output", tun).group(1))
    inp = int(re.search(r"(\d+) packets input", tun).group(1))
    assert out >= 9 and inp >= 9, tun
    assert re.search(r"^S +10\.2\.2\.2 is directly connected, Tunnel0$",
                     r1.show("show ip route"), re.M)
    got = protocols(cap, wire)
    assert "eth:ethertype:ip:udp:eth:ethertype:ip:gre:ip:icmp:data" in got, got
    assert got <= {"eth:ethertype:ip:udp:eth:ethertype:ip:gre:ip:icmp:data",
                   "eth:ethertype:ip:udp:eth:ethertype:arp"}, got


# tshark's protocols of the protected GRE: AH+ESP hides it, AH alone (tunnel
# mode) authenticates it in clear, GRE inside AH's inner IP header
@pytest.mark.parametrize("transforms,wire_protos", [
    ("ah-md5-hmac esp-aes", ":ah:esp"),
    ("ah-sha-hmac", ":ah:ip:gre:ip:icmp:data"),
], ids=["ah-esp", "ah"])
def test_gre_over_ipsec(lab, transforms, wire_protos):
    (r1, r2), cap, wire = lab(transforms)
    # the first echo has no SA yet: it starts IKE
    assert ikelab.wait_for(lambda: success(r1.cmd("ping 10.2.2.2 source Loopback0",
                                                  timeout=30)) >= 80, 30)
    sa = r1.show("show crypto ipsec sa")
    assert "interface: Tunnel0\n    Crypto map tag: Tunnel0-head-0, local addr " \
           "192.0.2.1" in sa, sa
    assert "(192.0.2.1/255.255.255.255/47/0)" in sa and \
           "(192.0.2.2/255.255.255.255/47/0)" in sa, sa
    assert f"transform: {transforms.split()[0]}" in sa, sa
    tun = r1.show("show interfaces Tunnel0")
    assert '  Tunnel protection via IPSec (profile "GP")\n' in tun, tun
    got = protocols(cap, wire)
    assert f"eth:ethertype:ip:udp:eth:ethertype:ip{wire_protos}" in got, got
    # no GRE outside AH: never in clear
    assert not [p for p in got if ":ip:gre" in p and ":ah:" not in p], got
    assert all(p.endswith((wire_protos, ":isakmp", ":arp")) for p in got), got
