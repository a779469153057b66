"""Stateful IPsec failover at scale, with seed 001's AH+ESP transform set
(`crypto ipsec transform-set trans1 ah-md5-hmac esp-3des`, which strongSwan
cannot do: the remote peer is an iosim router), over UDP wires and a hub on
loopback, no root (as nobody when we are root).

    P 209.165.201.4 (Loopback1..100: 172.16.0.1..100/32, the remote hosts)
      |
    --+------- outside 209.165.201.0/27, HSRP 1 HA-out VIP .3 (msec timers)
      |                    |
     R1 .1 (priority 110)  R2 .2       crypto map to-peer-outside
      |                    |           redundancy HA-out stateful
    --+------- inside 10.0.0.0/24 (the IPC association), HSRP 2 HA-in .3

One tunnel per remote host: the pair's ACL has a line `permit ip 10.0.0.0
0.0.0.255 host 172.16.0.N` for each N, so P and the pair hold 100 AH+ESP
bundles (400 IPsec SAs) under one IKE SA.

  - a standby that arrives late: R2 is killed before the pair forms, R1
    (alone, ACTIVE) brings up the 100 tunnels, then R2 is started: it
    reloads once and reaches STANDBY HOT with all of them;
  - `shutdown` of the ACTIVE's outside interface: R2 takes every tunnel
    over (P's SPIs unchanged, each tunnel passes traffic from R2), R1
    reloads (RF's rule) and comes back STANDBY HOT with a fresh bulk;
  - failback: R1's higher priority preempts once it is STANDBY HOT (and
    its `preempt delay minimum 30` has passed, time to look at R2), R1
    carries all 100 again, still on P's original SPIs; R2 reloads.
"""

import re
import time
from pathlib import Path

from labtool import Console, stop_routers_clean, unprivileged, wait_for
from test_sso import clean, restart, routers_of, states, wait_states

N = 100
SPI_RE = re.compile(r"^ +spi: 0x([0-9A-F]+)\(", re.M)

PAIR = """hostname {name}
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
crypto ipsec transform-set trans1 ah-md5-hmac esp-3des
crypto map to-peer-outside redundancy replay-interval inbound 1000 outbound 10000
crypto map to-peer-outside 10 ipsec-isakmp
 set peer 209.165.201.4
 set transform-set trans1
 match address peer-outside
interface FastEthernet0/0
 ip address {outside} 255.255.255.224
 standby 1 ip 209.165.201.3
 standby 1 timers msec 100 msec 300
 standby 1 priority {pri}
 standby 1 preempt delay minimum 30
 standby 1 name HA-out
 standby 1 track FastEthernet0/1
 crypto map to-peer-outside redundancy HA-out stateful
interface FastEthernet0/1
 ip address {inside} 255.255.255.0
 standby 2 ip 10.0.0.3
 standby 2 timers msec 100 msec 300
 standby 2 priority {pri}
 standby 2 preempt delay minimum 30
 standby 2 name HA-in
ip route 172.16.0.0 255.255.255.0 209.165.201.4
ip access-list extended peer-outside
{acl}line con 0
 exec-timeout 0 0
end
"""

PEER = """hostname P
crypto isakmp policy 1
 authentication pre-share
crypto isakmp key cisco123 address 209.165.201.3
crypto ipsec transform-set trans1 ah-md5-hmac esp-3des
crypto map CM 10 ipsec-isakmp
 set peer 209.165.201.3
 set transform-set trans1
 match address 101
interface FastEthernet0/0
 ip address 209.165.201.4 255.255.255.224
 crypto map CM
{loops}ip route 10.0.0.0 255.255.255.0 209.165.201.3
{acl}line con 0
 exec-timeout 0 0
end
"""


def topo(tmp):
    acl = "".join(f" permit ip 10.0.0.0 0.0.0.255 host 172.16.0.{n}\n"
                  for n in range(1, N + 1))
    for name, out, ins, other, pri in (("R1", "209.165.201.1", "10.0.0.1", "10.0.0.2", 110),
                                       ("R2", "209.165.201.2", "10.0.0.2", "10.0.0.1", 100)):
        (Path(tmp) / f"{name}.cfg").write_text(PAIR.format(
            name=name, outside=out, inside=ins, other=other, pri=pri, acl=acl))
    loops = "".join(f"interface Loopback{n}\n ip address 172.16.0.{n} 255.255.255.255\n"
                    for n in range(1, N + 1))
    pacl = "".join(f"access-list 101 permit ip host 172.16.0.{n} 10.0.0.0 0.0.0.255\n"
                   for n in range(1, N + 1))
    (Path(tmp) / "P.cfg").write_text(PEER.format(loops=loops, acl=pacl))
    (Path(tmp) / "pair.lab").write_text(
        "router R1\n  config R1.cfg\n  interface FastEthernet0/0 outside\n"
        "  interface FastEthernet0/1 inside\n"
        "router R2\n  config R2.cfg\n  interface FastEthernet0/0 outside\n"
        "  interface FastEthernet0/1 inside\n"
        "router P\n  config P.cfg\n  interface FastEthernet0/0 outside\n")
    return Path(tmp) / "pair.lab"


def spis(con, which=""):
    return set(SPI_RE.findall(clean(con.priv(f"show crypto ipsec sa {which}",
                                             timeout=60))))


def counter(con, label):
    out = clean(con.priv("show crypto ha counters"))
    m = re.search(label + r" (\d+)", out)
    assert m, out
    return int(m.group(1))


def reach_all(con, timeout=60, hosts=None):
    """Every remote host (or those of HOSTS) answers a ping from CON's
    inside address; the ones that did not."""
    missing = list(hosts or range(1, N + 1))
    deadline = time.monotonic() + timeout
    while missing and time.monotonic() < deadline:
        n = missing[0]
        out = con.priv(f"ping 172.16.0.{n} source FastEthernet0/1 repeat 2 timeout 1",
                       timeout=15)
        if re.search(r"Success rate is [1-9]", out):
            missing.pop(0)
    return missing


def test_late_standby_100_tunnels_shutdown_failback(labs, tmp_path):
    tmp_path.chmod(0o755)
    lab = labs(topo(tmp_path), user=unprivileged())
    p = lab.run("up", udp=True)
    assert p.returncode == 0, p.stderr + lab.logs()
    rs = routers_of(lab)
    con = {n: Console(rs[n]["console"], timeout=30) for n in rs}
    try:
        run(lab, con)
    finally:
        for c in con.values():
            c.close()
    stop_routers_clean(lab)


def run(lab, con):
    import os
    import signal
    # --- R2 is gone before the pair forms; R1 runs alone, ACTIVE
    os.kill(routers_of(lab)["R2"]["pid"], signal.SIGKILL)
    con["R2"].close()
    wait_states(con["R1"], "ACTIVE", "DISABLED", 60)

    # --- 100 tunnels: one packet each starts its Quick Mode
    for n in range(1, N + 1):
        con["R1"].priv(f"ping 172.16.0.{n} source FastEthernet0/1 repeat 1 timeout 0")
    assert wait_for(lambda: len(spis(con["R1"])) == 4 * N, 60, step=1), \
        len(spis(con["R1"]))
    assert reach_all(con["R1"]) == []
    peer_spis = spis(con["P"])
    assert len(peer_spis) == 4 * N
    assert spis(con["R1"]) == peer_spis

    # --- the late standby: one reload, then STANDBY HOT holding all 100
    restart(lab, "R2")
    con["R2"] = Console(routers_of(lab)["R2"]["console"], timeout=30)
    t0 = time.monotonic()
    wait_states(con["R2"], "STANDBY HOT", "ACTIVE", 150)
    print(f"\nlate standby: STANDBY HOT with {N} tunnels in "
          f"{time.monotonic() - t0:.1f} s")
    assert spis(con["R2"], "standby") == peer_spis
    out = clean(con["R2"].priv("show crypto isakmp sa standby"))
    assert len(re.findall(r"STDBY$", out, re.M)) == 1, out

    # --- shutdown of the ACTIVE's outside interface: R2 takes over
    con["R1"].priv("configure terminal", "interface FastEthernet0/0", "shutdown",
                   "end")
    t0 = time.monotonic()
    wait_states(con["R2"], "ACTIVE", "DISABLED", 30)
    print(f"shutdown: R2 ACTIVE after {time.monotonic() - t0:.2f} s")
    assert counter(con["R2"], "Takeovers:") == 1
    # a sample of the tunnels: R1 preempts back 30 s after its reload
    missing = reach_all(con["R2"], hosts=[1, *range(10, N + 1, 10), N - 1])
    assert missing == [], (missing, clean(con["R2"].priv(
        "show crypto ha counters", "show standby brief",
        f"show crypto ipsec sa peer 209.165.201.4 | include 172.16.0.{missing[0]}/|"
        "errors|Status")), con["R2"].text()[-3000:])
    assert spis(con["P"]) == peer_spis, "P renegotiated"
    assert spis(con["R2"], "active") == peer_spis
    assert states(con["R2"])[0] == "ACTIVE"        # all of that before failback

    # --- R1 reloads (it left ACTIVE), comes back STANDBY HOT with a fresh
    # bulk, and its priority preempts: failback, P still on its SAs
    t0 = time.monotonic()
    assert wait_for(lambda: states(con["R1"]) == ("ACTIVE", "STANDBY HOT") or
                    states(con["R1"]) == ("ACTIVE", "DISABLED"), 200, step=1), \
        con["R1"].text()[-3000:]
    print(f"failback: R1 ACTIVE again after {time.monotonic() - t0:.1f} s")
    assert reach_all(con["R1"]) == []
    assert spis(con["P"]) == peer_spis, "P renegotiated"
    assert spis(con["R1"], "active") == peer_spis
    out = clean(con["P"].priv("show crypto ipsec sa | include recv errors"))
    assert re.findall(r"#recv errors (\d+)", out) and \
        set(re.findall(r"#recv errors (\d+)", out)) == {"0"}, out
    # R2 relinquished ACTIVE and reloads; it comes back STANDBY HOT
    wait_states(con["R2"], "STANDBY HOT", "ACTIVE", 150)


# ---- 100 peers, one tunnel each, through one failover ----------------------------

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
    import os
    import signal
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
