"""Stateful IPsec failover with an iosim remote peer: examples/branch-004.lab
(seed 004: the pair R1/R2 with `crypto map BRANCH-5-MAP redundancy
BRANCH-5-TUNNEL stateful`, the branch router R4 peering with the VIP
10.255.5.3) over UDP wires and a hub on loopback, no root (as nobody when
we are root).

  - R4's traffic brings the tunnel up on the ACTIVE; the STANDBY HOT router
    holds the same IKE SA (STDBY) and the same SPIs (Status: STANDBY, HA
    last key lifetime sent), and both show the same stamp in show crypto ha;
  - SIGKILL of the ACTIVE: HSRP makes the standby Active, it takes every SA
    over, R4's traffic passes again through the same SPIs and the same IKE
    SA (the ike_cookies of R4's SAs unchanged): no renegotiation;
  - the killed router, started again, reloads once and comes back STANDBY
    HOT with a fresh bulk (the same SPIs again), and a second failover (the
    new ACTIVE killed) keeps the tunnel once more.

Every wait polls under a deadline; the failover times are printed.
"""

import os
import re
import signal
import time

import iosim
from labtool import EX, Console, stop_routers_clean, unprivileged, wait_for
from test_sso import clean, restart, routers_of, states, wait_states

TOPO = EX / "branch-004.lab"
CORP = {"R1": "10.1.0.2", "R2": "10.1.0.3"}
SPI_RE = re.compile(r"spi: 0x([0-9A-F]+)\(")


def spis(out):
    return sorted(set(SPI_RE.findall(out)))


def cookies(out):
    return sorted(set(re.findall(r"ike_cookies: ([0-9A-F ]+)\n", out)))


def ping(r4, dst, n=20):
    # timeout 1 s a packet: a lost one costs the console no more than that
    out = r4.priv(f"ping {dst} source FastEthernet0/1 repeat {n} timeout 1",
                  timeout=n + 10)
    m = re.search(r"Success rate is (\d+) percent \((\d+)/(\d+)\)", out)
    assert m, out
    return int(m.group(2))


def settled(con):
    s = {n: states(con[n]) for n in ("R1", "R2")}
    return s if sorted(s.values(), key=str) == [("ACTIVE", "STANDBY HOT"),
                                                ("STANDBY HOT", "ACTIVE")] else None


def check_standby_copies(con, act, sby):
    """The standby holds what the active negotiated, in STANDBY state."""
    a = clean(con[act].priv("show crypto ipsec sa active"))
    want = spis(a)
    assert len(want) == 2, a
    got = wait_for(lambda: spis(clean(con[sby].priv("show crypto ipsec sa standby")))
                   == want, 20)
    s = clean(con[sby].priv("show crypto ipsec sa standby"))
    assert got, f"active:\n{a}\nstandby:\n{s}"
    assert "Status: STANDBY" in s and "Status: ACTIVE" not in s, s
    assert "HA last key lifetime sent(k): (" in s, s
    ike = clean(con[sby].priv("show crypto isakmp sa standby"))
    assert re.search(r"^10\.255\.5\.3 +10\.255\.5\.4 +QM_IDLE +\d+ +0 STDBY$", ike,
                     re.M), ike
    ha = [clean(con[n].priv("show crypto ha")) for n in (act, sby)]
    assert ha[0] == ha[1] and "IKE VIP: 10.255.5.3\nstamp: " in ha[0], ha
    return want


def kill_and_take_over(lab, con, act, sby):
    rs = routers_of(lab)
    before = len(con[sby].text())
    t0 = time.monotonic()
    os.kill(rs[act]["pid"], signal.SIGKILL)
    con[act].close()
    assert wait_for(lambda: "Grp 1 state Standby -> Active" in
                    con[sby].text()[before:], 40, 0.05), con[sby].text()[-2000:]
    print(f"SIGKILL of {act}: {sby} Active after {time.monotonic() - t0:.2f} s")
    out = clean(con[sby].priv("show crypto ha counters"))
    assert re.search(r"^Takeovers: [1-9]", out, re.M), out


def test_failover_branch_004_udp(labs):
    failover_over_udp(labs, TOPO)


def failover_over_udp(labs, topo, extra=None):
    """TOPO up over UDP as nobody, run() on it, then EXTRA(lab, con)."""
    lab = labs(topo, user=unprivileged())
    p = lab.run("up", udp=True)
    assert p.returncode == 0, p.stderr + lab.logs()
    rs = routers_of(lab)
    con = {n: Console(rs[n]["console"]) for n in rs}
    try:
        run(lab, con)
        if extra:
            extra(lab, con)
    finally:
        for c in con.values():
            c.close()
    stop_routers_clean(lab)


def run(lab, con):
    got = wait_for(lambda: settled(con), 150, step=1)
    assert got, {n: con[n].text()[-2000:] for n in ("R1", "R2")}
    act = next(n for n, s in got.items() if s[0] == "ACTIVE")
    sby = next(n for n in got if n != act)
    r4 = con["R4"]

    # --- the tunnel, negotiated by the ACTIVE, copied to the standby
    assert ping(r4, CORP[act]) >= 15
    want = check_standby_copies(con, act, sby)
    r4_sa = clean(r4.priv("show crypto ipsec sa"))
    assert spis(r4_sa) == want, r4_sa
    r4_cookies = cookies(r4_sa)
    assert len(r4_cookies) == 1, r4_sa

    for round_ in (1, 2):
        # --- SIGKILL of the ACTIVE: the standby carries the tunnel on
        kill_and_take_over(lab, con, act, sby)
        assert wait_for(lambda: ping(r4, CORP[sby], 5) >= 3, 30, step=0.5)
        assert ping(r4, CORP[sby]) >= 18
        after = clean(r4.priv("show crypto ipsec sa"))
        assert spis(after) == want, f"R4 renegotiated:\n{after}"
        assert cookies(after) == r4_cookies, after
        assert "#recv errors 0" in after, after
        new = clean(con[sby].priv("show crypto ipsec sa active"))
        assert spis(new) == want, new
        print(f"failover {round_}: R4's tunnel kept its SPIs {want}")
        if round_ == 2:
            restart(lab, act)       # so that every router stops cleanly
            break
        # --- the killed router comes back STANDBY HOT with a fresh bulk
        restart(lab, act)
        con[act] = Console(routers_of(lab)[act]["console"], timeout=30)
        t0 = time.monotonic()
        wait_states(con[act], "STANDBY HOT", "ACTIVE", 150)
        print(f"{act} back to STANDBY HOT in {time.monotonic() - t0:.1f} s")
        act, sby = sby, act
        assert check_standby_copies(con, act, sby) == want
