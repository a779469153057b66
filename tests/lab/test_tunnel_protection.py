"""Stateful failover of a GRE-over-IPsec tunnel (tunnel protection):
examples/branch-004-tunnel.lab, seed 004's pair R1/R2 and branch router R4
with `interface Tunnel1` protected by `tunnel protection ipsec profile`
instead of crypto maps; the pair's profile has `redundancy BRANCH-5-TUNNEL
stateful` and its tunnel source is the group's virtual IP 10.255.5.3. Over
UDP wires on loopback, no root.

The same checks as test_crypto_ha_udp.py's (it runs them): R4's traffic
through Tunnel1 brings up the SAs (proxies GRE host to host) on the ACTIVE,
the STANDBY HOT router holds the same IKE SA and SPIs, SIGKILL of the
ACTIVE twice, R4's SPIs and IKE cookies unchanged (no renegotiation). Then
the tunnel itself: R4's SAs are the profile instance's (Tunnel1-head-0,
proxies GRE between R4 and the VIP), traffic is counted on Tunnel1, and the
LAN route goes through it.
"""

import re

from labtool import EX
from test_crypto_ha_udp import failover_over_udp
from test_sso import clean

TOPO = EX / "branch-004-tunnel.lab"


def tunnel_checks(lab, con):
    r4 = con["R4"]
    sa = clean(r4.priv("show crypto ipsec sa"))
    assert "interface: Tunnel1\n    Crypto map tag: Tunnel1-head-0, local addr " \
           "10.255.5.4\n" in sa, sa
    assert "local  ident (addr/mask/prot/port): (10.255.5.4/255.255.255.255/47/0)" in sa, sa
    assert "remote ident (addr/mask/prot/port): (10.255.5.3/255.255.255.255/47/0)" in sa, sa
    m = re.search(r"#pkts encaps: (\d+)", sa)
    assert m and int(m.group(1)) > 0, sa
    tun = clean(r4.priv("show interfaces Tunnel1"))
    assert "Tunnel1 is up, line protocol is up" in tun, tun
    m = re.search(r"(\d+) packets input", tun)
    assert m and int(m.group(1)) > 0, tun
    route = clean(r4.priv("show ip route"))
    assert re.search(r"^S +10\.1\.0\.0 is directly connected, Tunnel1$", route, re.M), route
    cmap = clean(r4.priv("show crypto map"))
    assert "Map is a PROFILE INSTANCE." in cmap, cmap
    assert "access-list  permit gre host 10.255.5.4 host 10.255.5.3" in cmap, cmap


def test_tunnel_protection_failover_udp(labs):
    failover_over_udp(labs, TOPO, tunnel_checks)
