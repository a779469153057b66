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

import os
import re
import signal
import time
from pathlib import Path

from labtool import Console, stop_routers_clean, unprivileged, wait_for
from test_sso import clean, restart, routers_of, states, wait_states

N = 100
SPI_RE = re.compile(r"^ +spi: 0x([0-9A-F]+)\(", re.M)

PAIR = """hostname {name}
redundancy inter-device
 scheme standby HA-out
{security}ipc zone default
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
{profile}crypto map to-peer-outside redundancy replay-interval inbound 1000 outbound 10000
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
ip route 172.16.0.0 255.255.0.0 209.165.201.4
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


def remote(n):
    """Remote host N's address (1 -> 172.16.0.1, ..., 254, 255 -> 172.16.1.1)."""
    return f"172.16.{(n - 1) // 254}.{(n - 1) % 254 + 1}"


def topo(tmp, n_tunnels=N, security=False, loopbacks=True):
    """The pair and P for N_TUNNELS remote hosts (P's loopbacks, which
    answer the pings, left out unless LOOPBACKS); SECURITY: seed 001's
    `security ipsec sso-secure` (trans2, profile sso-secure) on the pair."""
    acl = "".join(f" permit ip 10.0.0.0 0.0.0.255 host {remote(n)}\n"
                  for n in range(1, n_tunnels + 1))
    sec = " security ipsec sso-secure\n" if security else ""
    prof = ("crypto ipsec transform-set trans2 ah-md5-hmac esp-aes\n"
            "crypto ipsec profile sso-secure\n set transform-set trans2\n") if security else ""
    for name, out, ins, other, pri in (("R1", "209.165.201.1", "10.0.0.1", "10.0.0.2", 110),
                                       ("R2", "209.165.201.2", "10.0.0.2", "10.0.0.1", 100)):
        (Path(tmp) / f"{name}.cfg").write_text(PAIR.format(
            name=name, outside=out, inside=ins, other=other, pri=pri, acl=acl,
            security=sec, profile=prof))
    loops = "".join(f"interface Loopback{n}\n ip address {remote(n)} 255.255.255.255\n"
                    for n in range(1, n_tunnels + 1)) if loopbacks else ""
    pacl = "".join(f"access-list 101 permit ip host {remote(n)} 10.0.0.0 0.0.0.255\n"
                   for n in range(1, n_tunnels + 1))
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

