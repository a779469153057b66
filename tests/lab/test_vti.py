"""IPsec virtual tunnel interfaces (`tunnel mode ipsec ipv4` with `tunnel
protection ipsec profile`, IOS's static VTI) between two iosim routers over
a UDP wire on loopback, as tshark sees them (the capture on lo decodes the
wire's UDP payload as Ethernet):

    R1 Lo0 10.1.1.1, Gi0/0 192.0.2.1 --- UDP wire --- Gi0/0 192.0.2.2, Lo0 10.2.2.2 R2
    Tunnel0 172.16.0.1/30 and .2/30, each from its wire address to the
    other's; each loopback routed into Tunnel0

  test_vti_comes_up_by_itself  no traffic: the routers bring the tunnel up
      themselves (IKE from the tunnel source), its line protocol goes up
      with the SAs (one pair: the two ends' Quick Modes do not cross), the
      SAs' proxies are any to any; the loopbacks ping each other through
      it, counted on Tunnel0; the wire carries ISAKMP and ESP only (no GRE,
      nothing in clear)
  test_vti_follows_its_sas     clear crypto sa on R2: R1's line protocol
      goes down with the SAs and comes back up as the routers renegotiate
      by themselves
  test_vti_without_protection  no tunnel protection: the line protocol
      stays down and nothing is sent
Needs root for the capture on lo; skips otherwise."""

import os
import re

import pytest

import ikelab
from test_gre import protocols, success, wire_pair

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: tshark on lo")

PROTECTION = ["crypto isakmp policy 1", " authentication pre-share",
              "crypto isakmp key vti-key address 192.0.2.0 255.255.255.0",
              "crypto ipsec transform-set ts esp-aes esp-sha-hmac",
              "crypto ipsec profile VP", " set transform-set ts"]
LINE_RE = re.compile(r"%LINEPROTO-5-UPDOWN: Line protocol on Interface Tunnel0, "
                     r"changed state to (up|down)")


def router(n, wire, protect=True):
    o = 3 - n
    cfg = (PROTECTION if protect else []) + [
        "interface Loopback0", f" ip address 10.{n}.{n}.{n} 255.255.255.255",
        "interface GigabitEthernet0/0", f" ip address 192.0.2.{n} 255.255.255.0",
        " no shutdown",
        "interface Tunnel0", f" ip address 172.16.0.{n} 255.255.255.252",
        f" tunnel source 192.0.2.{n}", " tunnel mode ipsec ipv4",
        f" tunnel destination 192.0.2.{o}",
    ] + ([" tunnel protection ipsec profile VP"] if protect else []) + [
        f"ip route 10.{o}.{o}.{o} 255.255.255.255 Tunnel0"]
    lp, rp = wire if n == 1 else wire[::-1]
    return ikelab.Router(f"R{n}", ["--iface", f"GigabitEthernet0/0=udp:127.0.0.1:"
                                   f"{lp}:127.0.0.1:{rp}"], cfg)


@pytest.fixture
def lab(tmp_path):
    yield from wire_pair(tmp_path, router)


def line_states(r):
    return LINE_RE.findall(r.text())


def tunnel_up(r):
    return "Tunnel0 is up, line protocol is up" in r.show("show interfaces Tunnel0")


def spis(r):
    return re.findall(r"^\s+spi: (0x[0-9A-F]+)\(", r.show("show crypto ipsec sa"), re.M)


def test_vti_comes_up_by_itself(lab):
    (r1, r2), cap, wire = lab()
    for r in (r1, r2):
        assert ikelab.wait_for(lambda: tunnel_up(r), 20), r.text()[-3000:]
        assert line_states(r)[-1] == "up", line_states(r)
    # one inbound and one outbound SA on each: the Quick Modes did not cross
    assert ikelab.wait_for(lambda: len(spis(r1)) == 2 and
                           sorted(spis(r1)) == sorted(spis(r2)), 5), \
        (spis(r1), spis(r2))
    sa = r1.show("show crypto ipsec sa")
    assert "interface: Tunnel0\n    Crypto map tag: Tunnel0-head-0, local addr " \
           "192.0.2.1" in sa, sa
    assert "local  ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)" in sa, sa
    assert "remote ident (addr/mask/prot/port): (0.0.0.0/0.0.0.0/0/0)" in sa, sa
    assert "in use settings ={Tunnel, }" in sa, sa
    cmap = r1.show("show crypto map")
    assert "access-list  permit ip any any" in cmap, cmap
    assert success(r1.cmd("ping 10.2.2.2 source Loopback0", timeout=30)) == 100
    assert success(r2.cmd("ping 172.16.0.1", timeout=30)) == 100
    tun = r1.show("show interfaces Tunnel0")
    assert "Tunnel protocol/transport IPSEC/IP" in tun, tun
    assert '  Tunnel protection via IPSec (profile "VP")\n' in tun, tun
    assert int(re.search(r"(\d+) packets output", tun).group(1)) >= 10, tun
    assert int(re.search(r"(\d+) packets input", tun).group(1)) >= 10, tun
    assert re.search(r"^S +10\.2\.2\.2 is directly connected, Tunnel0$",
                     r1.show("show ip route"), re.M)
    run = r1.show("show running-config interface Tunnel0")
    assert " tunnel source 192.0.2.1\n tunnel mode ipsec ipv4\n tunnel destination " \
           "192.0.2.2\n tunnel protection ipsec profile VP\n" in run, run
    got = protocols(cap, wire)
    assert "eth:ethertype:ip:udp:eth:ethertype:ip:esp" in got, got
    assert all(p.endswith((":ip:esp", ":isakmp", ":arp")) for p in got), got


def test_vti_follows_its_sas(lab):
    (r1, r2), cap, wire = lab()
    assert ikelab.wait_for(lambda: tunnel_up(r1) and tunnel_up(r2), 20), \
        r1.text()[-3000:]
    before = spis(r1)
    mark = len(line_states(r1))
    r2.cmd("clear crypto sa")
    # R1 hears the Delete: down with its SAs, then up with new ones
    assert ikelab.wait_for(lambda: line_states(r1)[mark:][:2] == ["down", "up"], 20), \
        (line_states(r1), r1.text()[-3000:])
    assert ikelab.wait_for(lambda: len(spis(r1)) == 2 and
                           not set(spis(r1)) & set(before), 10), (before, spis(r1))
    assert success(r1.cmd("ping 10.2.2.2 source Loopback0", timeout=30)) == 100


def test_vti_without_protection(lab):
    (r1, r2), cap, wire = lab(protect=False)
    assert not ikelab.wait_for(lambda: tunnel_up(r1), 3)
    tun = r1.show("show interfaces Tunnel0")
    assert "Tunnel0 is up, line protocol is down" in tun, tun
    assert "Tunnel protection" not in tun, tun
    r1.cmd("ping 172.16.0.2 repeat 2 timeout 1", timeout=30)
    got = protocols(cap, wire)
    assert not [p for p in got if ":arp" not in p], got
