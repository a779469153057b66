"""Stateful IPsec failover with 100 remote peers: 100 iosim routers on the
outside hub, one tunnel each to the pair's VIP (a dynamic map with
`reverse-route remote-peer`), through one SIGKILL of the ACTIVE. Over UDP
wires on loopback, no root (as nobody when we are root)."""

import os
import re
import signal
import time
from pathlib import Path

from labtool import Console, stop_routers_clean, unprivileged, wait_for
from test_crypto_ha_pair import spis
from test_sso import clean, routers_of, states, wait_states
PEERS = 100

PAIR_DYN = """hostname {name}
redundancy inter-device
 scheme standby HA-out
ipc zone default
 association 1
  no shutdown
  protocol sctp
   local-port 5000
    local-ip {inside}
   remote-port 5000
    remote-ip {other}
crypto isakmp policy 1
 authentication pre-share
crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0
crypto ipsec transform-set TS esp-aes esp-sha-hmac
crypto dynamic-map DYN 10
 set transform-set TS
 reverse-route remote-peer
crypto map CM 10 ipsec-isakmp dynamic DYN
interface FastEthernet0/0
 ip address {outside} 255.255.0.0
 standby 1 ip 10.200.0.3
 standby 1 priority {pri}
 standby 1 preempt delay minimum 60
 standby 1 name HA-out
 crypto map CM redundancy HA-out stateful
interface FastEthernet0/1
 ip address {inside} 255.255.255.0
 standby 2 ip 10.0.0.3
 standby 2 priority {pri}
 standby 2 preempt delay minimum 60
 standby 2 name HA-in
line con 0
 exec-timeout 0 0
end
"""

PEER_K = """hostname P{k}
crypto isakmp policy 1
 authentication pre-share
crypto isakmp key cisco123 address 10.200.0.3
crypto ipsec transform-set TS esp-aes esp-sha-hmac
crypto map CM 10 ipsec-isakmp
 set peer 10.200.0.3
 set transform-set TS
 match address 101
interface FastEthernet0/0
 ip address 10.200.1.{k} 255.255.0.0
 crypto map CM
interface Loopback0
 ip address 172.17.{k}.1 255.255.255.255
ip route 10.0.0.0 255.255.255.0 10.200.0.3
access-list 101 permit ip host 172.17.{k}.1 10.0.0.0 0.0.0.255
line con 0
 exec-timeout 0 0
end
"""


def topo_peers(tmp):
    lab = []
    for name, out, ins, other, pri in (("R1", "10.200.0.1", "10.0.0.1", "10.0.0.2", 110),
                                       ("R2", "10.200.0.2", "10.0.0.2", "10.0.0.1", 100)):
        (Path(tmp) / f"{name}.cfg").write_text(PAIR_DYN.format(
            name=name, outside=out, inside=ins, other=other, pri=pri))
        lab.append(f"router {name}\n  config {name}.cfg\n"
                   "  interface FastEthernet0/0 outside\n"
                   "  interface FastEthernet0/1 inside\n")
    for k in range(1, PEERS + 1):
        (Path(tmp) / f"P{k}.cfg").write_text(PEER_K.format(k=k))
        lab.append(f"router P{k}\n  config P{k}.cfg\n  interface FastEthernet0/0 outside\n")
    (Path(tmp) / "peers.lab").write_text("".join(lab))
    return Path(tmp) / "peers.lab"


def peer_ping(con, n=2):
    out = con.priv(f"ping 10.0.0.3 source Loopback0 repeat {n} timeout 1",
                   timeout=n + 15)
    m = re.search(r"Success rate is \d+ percent \((\d+)/", out)
    return int(m.group(1)) if m else 0


def test_100_peers_one_failover(labs, tmp_path):
    """100 iosim peers on the outside hub, one tunnel each to the pair's VIP
    (a dynamic map with `reverse-route remote-peer`): the standby holds all
    100 IKE SAs and 200 IPsec SAs; after SIGKILL of the ACTIVE every peer's
    tunnel passes traffic again on its own SPIs, and the RRI routes to the
    100 peers' networks are on the new ACTIVE."""
    tmp_path.chmod(0o755)
    lab = labs(topo_peers(tmp_path), user=unprivileged())
    p = lab.run("up", udp=True, timeout=600)
    assert p.returncode == 0, p.stderr + lab.logs()
    rs = routers_of(lab)
    con = {}
    try:
        for n in rs:
            try:
                con[n] = Console(rs[n]["console"], timeout=60)
            except OSError as e:
                log = Path(lab.run_dir) / f"{n}.log"
                raise AssertionError(f"{n}: {e}: {log.read_text()[-3000:]}")
        run_peers(lab, con)
    finally:
        for c in con.values():
            c.close()
    stop_routers_clean(lab)


def run_peers(lab, con):
    peers = [f"P{k}" for k in range(1, PEERS + 1)]
    got = wait_for(lambda: states(con["R1"]) == ("ACTIVE", "STANDBY HOT") and
                   states(con["R2"]) == ("STANDBY HOT", "ACTIVE"), 240, step=1)
    assert got, (states(con["R1"]), states(con["R2"]))
    # --- one tunnel per peer: a first packet starts each negotiation
    for p in peers:
        con[p].priv("ping 10.0.0.3 source Loopback0 repeat 1 timeout 0")
    def up():
        out = clean(con["R1"].priv("show crypto isakmp sa", timeout=60))
        return len(re.findall(r"QM_IDLE +\d+ +0 ACTIVE$", out, re.M)) == PEERS
    assert wait_for(up, 120, step=2)
    before = {}
    for p in peers:
        assert wait_for(lambda: peer_ping(con[p]) == 2, 20, step=0.5), p
        before[p] = spis(con[p])
        assert len(before[p]) == 2, (p, before[p])
    # --- the standby holds them all
    def copies():
        return len(spis(con["R2"], "standby")) == 2 * PEERS
    assert wait_for(copies, 60, step=2)
    out = clean(con["R2"].priv("show crypto isakmp sa standby", timeout=60))
    assert len(re.findall(r"STDBY$", out, re.M)) == PEERS, out
    # --- SIGKILL of the ACTIVE
    t0 = time.monotonic()
    os.kill(routers_of(lab)["R1"]["pid"], signal.SIGKILL)
    con["R1"].close()
    wait_states(con["R2"], "ACTIVE", "DISABLED", 60)
    print(f"\n100 peers: R2 ACTIVE {time.monotonic() - t0:.1f} s after the SIGKILL")
    failed = [p for p in peers
              if not wait_for(lambda: peer_ping(con[p]) >= 1, 20, step=0.5)]
    assert failed == [], failed
    changed = [p for p in peers if spis(con[p]) != before[p]]
    assert changed == [], changed
    routes = clean(con["R2"].priv("show ip route static", timeout=60))
    for k in range(1, PEERS + 1):
        assert re.search(rf"^S +172\.17\.{k}\.1 \[1/0\] via 10\.200\.1\.{k}$", routes,
                         re.M), (k, routes)
    print(f"100 peers: every tunnel passes traffic again on its own SPIs, "
          f"{time.monotonic() - t0:.1f} s after the SIGKILL")
