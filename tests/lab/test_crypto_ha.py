"""Crypto HA: a stateful HSRP/SSO pair of iosim routers with strongSwan as
the remote peer of its virtual address, failed over under traffic.

  outside 172.16.1.0/24 (bridge)   R1 .1, R2 .2, HSRP 1 HA-out VIP .3,
                                   strongSwan (charon, kernel-libipsec) .10
  inside  192.168.1.0/24 (bridge)  R1 .1, R2 .2, HSRP 2 HA-in VIP .3 (the
                                   gateway of pc .10); the IPC association
                                   between R1 and R2 runs over it
  site    192.168.2.0/24 (veth)    strongSwan's namespace .1 forwards for
                                   remote .10

The pair is built by tools/lab (routers on veth ports, consoles kept open),
modelled on seed 001's ha-R1/ha-R2: HSRP timers 100/300 ms on both groups
so the lab is fast; on the outside group R1 priority 110 and `preempt delay
sync 30` (preemption waits until RF is STANDBY HOT: a router back from a
reload with no SAs must not take the VIP from the one that has them; seed
001 says `standby delay reload 120` for that, too slow here), `redundancy
inter-device / scheme standby HA-out`, `crypto map CM redundancy HA-out
[stateful]` on the outside interface, `crypto isakmp keepalive 10 3`.
pc pings remote at 100 per second (tools/lab's Pinger); its first packets
make R1 initiate IKE to strongSwan from the VIP.

  test_stateless_failover_renegotiates  without `stateful`: SIGKILL of the
      ACTIVE; traffic comes back only through a new negotiation (a new IKE
      SA unique id or new SPIs in swanctl --list-sas)
  test_stateful_strongswan_sigkill      with `stateful`: the STANDBY HOT
      router holds the same SPIs (show crypto ipsec sa standby, Status:
      STANDBY) and IKE SA (show crypto isakmp sa standby, STDBY); SIGKILL
      of the ACTIVE; traffic resumes with the same IKE SA and SPIs on
      strongSwan, no replay or integrity error in charon's log, and DPD
      does not declare the peer dead
  test_stateful_strongswan_shutdown     the same with the ACTIVE's outside
      interface shut instead: R1 reloads, comes back STANDBY HOT and takes
      the VIP back (preempt, after sync); strongSwan's IKE SA and SPIs
      are still those of the start
  test_lab_failover_branch_004          `tools/lab failover` on seed 004's
      lab (iosim R4 the peer, HSRP timers 100/300 ms), its crypto map
      stateless and stateful: SIGKILL, then shutdown of the new ACTIVE's
      wan interface; each prints the outage, the new ACTIVE and
      renegotiated: yes (stateless) or no (stateful), and the killed
      router runs again
  test_lab_failover_branch_004_strongswan  examples/branch-004-strongswan.lab
      (HSRP timers 100/300 ms): `up` starts charon in host branch4 (its
      `run` line), one `failover` with branch4 as PEER (swanctl
      --list-sas) prints renegotiated: no, and `down` stops charon

The outage (longest gap between successive replies) is printed, not
asserted. Needs root and strongSwan; skips otherwise.
"""

import os
import re
import signal
import time
from pathlib import Path

import pytest

import ikelab
from labtool import Console, fast_branch_004, lab_module, stop_routers_clean, up_ok, wait_for
from test_sso import states, tmpdir_sso, wait_states  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: namespaces, AF_PACKET"),
    pytest.mark.skipif(not ikelab.have_strongswan(),
                       reason="needs strongSwan (charon, swanctl)"),
]

VIP, VIP_IN, SWAN, REMOTE = "172.16.1.3", "192.168.1.3", "172.16.1.10", "192.168.2.10"
DPD = 2                    # strongSwan's DPD delay (s)
# charon's words for an ESP packet it refused, a bad IKE message, or a dead peer
SWAN_ERRORS = re.compile(r"verification failed|decryption failed|parsing ESP payload "
                         r"failed|INVALID_SPI|INVALID_HASH|invalid HASH|DPD check timed "
                         r"out|giving up after")

PAIR = """hostname {name}
!
redundancy inter-device
 scheme standby HA-out
{security}!
ipc zone default
 association 1
  no shutdown
  protocol sctp
   local-port 5000
    local-ip {ipc}.{me}
   remote-port 5000
    remote-ip {ipc}.{other}
!
crypto isakmp policy 10
 encr aes
 hash sha
 authentication pre-share
 group 2
crypto isakmp key cisco123 address {swan}
crypto isakmp keepalive 10 3
!
crypto ipsec transform-set TS esp-aes esp-sha-hmac
{crypto}!
crypto map CM 10 ipsec-isakmp
 set peer {swan}
 set transform-set TS
 match address VPN
!
interface FastEthernet0/0
 ip address 172.16.1.{me} 255.255.255.0
 standby 1 ip {vip}
 standby 1 timers msec 100 msec 300
{prio} standby 1 preempt delay sync 30
 standby 1 name HA-out
 crypto map CM redundancy HA-out{stateful}
!
interface FastEthernet0/1
 ip address 192.168.1.{me} 255.255.255.0
 standby 2 ip {vip_in}
 standby 2 timers msec 100 msec 300
 standby 2 name HA-in
!
{ifs}ip route 192.168.2.0 255.255.255.0 {swan}
!
ip access-list extended VPN
 permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255
!
line con 0
 exec-timeout 0 0
!
end
"""

TOPO = """router R1
  config R1.cfg
  interface FastEthernet0/0 outside
  interface FastEthernet0/1 inside
{r_ifs}router R2
  config R2.cfg
  interface FastEthernet0/0 outside
  interface FastEthernet0/1 inside
{r_ifs}host sw
  address outside {swan}/24
  address site 192.168.2.1/24
  route 192.168.1.0/24 {vip}
  forward
host pc
  address inside 192.168.1.10/24
  gateway {vip_in}
host remote
  address site {remote}/24
  gateway 192.168.2.1
{hosts}"""


def topology(tmp, stateful, parts=None, ipc="192.168.1", r_ifs="", hosts="", pair=PAIR):
    """The lab's files in TMP. PARTS(name) -> dict of lines for router NAME's
    `security`, `crypto` and `ifs` places in PAIR (each empty, or lines
    ending in a newline); IPC the association's /24 (its .1 and .2);
    R_IFS, HOSTS: more lines for each router and at the end of TOPO; PAIR:
    the routers' configuration, with PAIR's places."""
    for name, me, other in (("R1", 1, 2), ("R2", 2, 1)):
        more = {"security": "", "crypto": "", "ifs": "", **(parts(name) if parts else {})}
        (Path(tmp) / f"{name}.cfg").write_text(pair.format(
            name=name, me=me, other=other, swan=SWAN, vip=VIP, vip_in=VIP_IN, ipc=ipc,
            prio=" standby 1 priority 110\n" if name == "R1" else "",
            stateful=" stateful" if stateful else "", **more))
    (Path(tmp) / "cryptoha.lab").write_text(
        TOPO.format(swan=SWAN, vip=VIP, vip_in=VIP_IN, remote=REMOTE, r_ifs=r_ifs,
                    hosts=hosts))
    return Path(tmp) / "cryptoha.lab"


class HaLab:
    """The lab up, charon started in the sw namespace with a connection to
    the VIP, a console kept open on each router. TOPO: topology()'s
    keywords; IKE_LEVEL: charon's IKE/CHILD log level (4 logs the keys);
    CONN: the connection's settings over the site-to-VIP-LAN ones;
    PLUGINS: charon's plugin settings (ikelab.Charon)."""

    def __init__(self, labs, tmp, stateful, ike_level=1, conn=None, plugins="", **topo):
        self.lab = labs(topology(tmp, stateful, **topo))
        up_ok(self.lab)
        self.tool = lab_module()
        self.charon = ikelab.Charon(f"iosim-{self.lab.tag}-sw", tmp, ike_level=ike_level,
                                    plugins=plugins)
        self.charon.start()
        self.charon.load(**{"local": SWAN, "remote": VIP, "local_ts": "192.168.2.0/24",
                            "remote_ts": "192.168.1.0/24", "dpd": DPD,
                            "dpd_timeout": 4 * DPD, **(conn or {})})
        rs = self.lab.state()["routers"]
        self.con = {n: Console(rs[n]["console"]) for n in rs}
        self.ping = None

    def close(self):
        if self.ping and self.ping.p.poll() is None:
            self.ping.stop()
        self.charon.stop()
        for c in self.con.values():
            c.close()

    def why(self, router):
        """The ping's last lines, charon's log and ROUTER's console, ends of."""
        return "\n".join(self.ping.lines[-10:]) + "\n--- charon\n" + \
            self.charon.logtext()[-3000:] + f"\n--- {router}\n" + \
            self.con[router].text()[-3000:]

    def settled(self, timeout=120):
        """R1 ACTIVE, R2 STANDBY HOT (R2 reloads once on the way)."""
        t0 = time.monotonic()
        wait_states(self.con["R2"], "STANDBY HOT", "ACTIVE", timeout)
        wait_states(self.con["R1"], "ACTIVE", "STANDBY HOT", 10)
        print(f"\npair ACTIVE / STANDBY HOT {time.monotonic() - t0:.1f} s after up")

    def start_traffic(self, count=6000):
        """pc pings remote; the first packets bring the tunnel up. Returns
        strongSwan's SAs once 50 successive replies came."""
        self.ping = self.tool.Pinger(f"iosim-{self.lab.tag}-pc", REMOTE, count)
        ok = self.ping.wait(lambda: self.ping.steady_since(0), 30)
        assert ok, self.why("R1")
        sas = ikelab.parse_list_sas(self.charon.list_sas())
        assert sas["state"] == "ESTABLISHED" and sas["ike_ids"] and sas["spis"], sas
        return sas

    def fail(self, how):
        """SIGKILL R1, or shut its outside interface; the wall time after
        which replies prove a takeover."""
        if how == "kill":
            os.kill(self.lab.state()["routers"]["R1"]["pid"], signal.SIGKILL)
            self.con["R1"].close()
        else:
            self.con["R1"].priv("configure terminal", "interface FastEthernet0/0",
                                "shutdown", "end")
        return time.time()

    def resumed(self, t_fail, timeout=40):
        ok = self.ping.wait(lambda: self.ping.steady_since(t_fail), timeout)
        assert ok, self.why("R2")
        print(f"failover: outage {self.ping.longest_gap():.0f} ms (longest gap between "
              f"successive replies)")


def test_stateless_failover_renegotiates(tmpdir_sso, labs):
    ha = HaLab(labs, tmpdir_sso, stateful=False)
    try:
        ha.settled()
        before = ha.start_traffic()
        t_fail = ha.fail("kill")
        ha.resumed(t_fail)
        wait_states(ha.con["R2"], "ACTIVE", "DISABLED", 10)
        after = ikelab.parse_list_sas(ha.charon.list_sas())
        assert after["state"] == "ESTABLISHED", after
        # a new IKE SA, or new SPIs: the new ACTIVE had nothing to go on
        assert after["ike_ids"] - before["ike_ids"] or after["spis"] - before["spis"], \
            (before, after)
        out = ha.con["R2"].priv("show crypto isakmp sa")
        assert isakmp_row(out, "ACTIVE"), out
        sent, received = ha.ping.stop()
        print(f"stateless: {sent} sent, {sent - received} lost; strongSwan IKE SA "
              f"#{sorted(before['ike_ids'])} -> #{sorted(after['ike_ids'])}")
    finally:
        ha.close()
    stop_routers_clean(ha.lab)


def isakmp_row(out, status):
    """show crypto isakmp sa's row of the IKE SA between the VIP and
    strongSwan (either may be dst) in QM_IDLE with STATUS."""
    ends = (rf"{re.escape(SWAN)}\s+{re.escape(VIP)}", rf"{re.escape(VIP)}\s+{re.escape(SWAN)}")
    return any(re.search(rf"^{e}\s+QM_IDLE\s+\d+\s+\d+\s+{status}\s*$", out, re.M)
               for e in ends)


def ipsec_spis(out):
    """The SPIs show crypto ipsec sa [standby] lists, as ints (IOS prints
    them unpadded: 0x5E56AE7)."""
    return {int(x, 16) for x in re.findall(r"^\s+spi: (0x[0-9A-F]+)\(", out, re.M)}


def standby_copies(ha, before):
    """R2 (STANDBY HOT) holds copies of strongSwan's SPIs BEFORE and of its
    IKE SA; waits for them (bounded)."""
    sby = ha.con["R2"]

    def copies():
        out = sby.priv("show crypto ipsec sa standby")
        return out if ipsec_spis(out) >= before["spis"] and \
            "Status: STANDBY" in out else None
    out = wait_for(copies, 10, step=0.5)
    assert out, (before["spis"], ipsec_spis(sby.priv("show crypto ipsec sa standby")),
                 ha.charon.list_sas(), ha.con["R1"].priv("show crypto ipsec sa"))
    assert "Status: ACTIVE" not in out, out
    out = sby.priv("show crypto isakmp sa standby")
    assert isakmp_row(out, "STDBY"), out


def takeover(ha, before, how):
    """Fail R1 (SIGKILL, or shutdown of its outside interface) under the
    ping: R2 takes over strongSwan's IKE SA and SPIs BEFORE with no
    renegotiation, and keeps them through a few DPD periods."""
    sby = ha.con["R2"]
    mark = len(ha.charon.logtext())
    t_fail = ha.fail(how)
    ha.resumed(t_fail)
    if how == "kill":
        wait_states(sby, "ACTIVE", "DISABLED", 10)
    else:                                # R1 relinquished and reloads
        assert wait_for(lambda: states(sby)[0] == "ACTIVE", 10), states(sby)
    after = ikelab.parse_list_sas(ha.charon.list_sas())
    assert (after["ike_ids"], after["spis"]) == (before["ike_ids"], before["spis"]), \
        (before, after)
    # the new ACTIVE runs the SAs it was given
    out = sby.priv("show crypto ipsec sa")
    assert ipsec_spis(out) >= before["spis"] and "Status: ACTIVE" in out, out
    out = sby.priv("show crypto isakmp sa")
    assert isakmp_row(out, "ACTIVE"), out
    if how != "kill":
        # R1 reloaded; back STANDBY HOT it preempts: a second stateful
        # takeover, and R2 reloads in turn. Wait for the pair to be whole.
        def whole():
            return sorted(states(c) for c in ha.con.values()) == \
                [("ACTIVE", "STANDBY HOT"), ("STANDBY HOT", "ACTIVE")]
        assert wait_for(whole, 60, step=1), \
            {n: c.text()[-2000:] for n, c in ha.con.items()}
        print(f"after {time.time() - t_fail:.1f} s: R1 {states(ha.con['R1'])[0]}, "
              f"R2 {states(sby)[0]}")
    # a few DPD periods with traffic flowing: strongSwan keeps the peer
    t = time.time()
    ha.ping.wait(lambda: False, 3 * DPD)   # reading ping meanwhile
    assert ha.ping.steady_since(t), ha.ping.lines[-10:]
    last = ikelab.parse_list_sas(ha.charon.list_sas())
    assert last["state"] == "ESTABLISHED" and \
        (last["ike_ids"], last["spis"]) == (before["ike_ids"], before["spis"]), \
        (last, ha.charon.logtext()[mark:][-4000:])
    errs = SWAN_ERRORS.findall(ha.charon.logtext()[mark:])
    assert not errs, (errs, ha.charon.logtext()[mark:][-3000:])
    sent, received = ha.ping.stop()
    print(f"stateful ({how}): {sent} sent, {sent - received} lost, same IKE SA "
          f"#{sorted(before['ike_ids'])} and SPIs")


def stateful_failover(labs, tmp, how):
    ha = HaLab(labs, tmp, stateful=True)
    try:
        ha.settled()
        before = ha.start_traffic()
        standby_copies(ha, before)
        takeover(ha, before, how)
    finally:
        ha.close()
    stop_routers_clean(ha.lab)


def test_stateful_strongswan_sigkill(tmpdir_sso, labs):
    stateful_failover(labs, tmpdir_sso, "kill")


def test_stateful_strongswan_shutdown(tmpdir_sso, labs):
    stateful_failover(labs, tmpdir_sso, "shutdown")


@pytest.mark.parametrize("stateful", [False, True], ids=["stateless", "stateful"])
def test_lab_failover_branch_004(tmpdir_sso, labs, stateful):
    lab = labs(fast_branch_004(tmpdir_sso, stateful))
    up_ok(lab)
    outs = []
    for how in ("kill", "shutdown:FastEthernet0/0"):
        p = lab.run("failover", "corp", "10.5.0.10", "R4", "--count", "3000", how,
                    timeout=300)
        outs.append(p.stdout)
        assert p.returncode == 0, p.stdout + p.stderr + lab.logs()
        old = re.search(r"^pair: (R[12]) ACTIVE, (R[12]) STANDBY HOT$", p.stdout, re.M)
        assert old, p.stdout
        assert f"\nnew active: {old.group(2)}\n" in p.stdout, p.stdout
        assert f"\nrenegotiated: {'no' if stateful else 'yes'} (R4 IKE SAs " in p.stdout, \
            p.stdout
        m = re.search(r"^packets: (\d+) sent, (\d+) lost$", p.stdout, re.M)
        # a SIGKILL loses the hold time's packets, a renegotiation its own;
        # a shutdown resigns (HSRP Resign) and a stateful takeover may lose
        # none
        least = 0 if stateful and how != "kill" else 1
        assert m and least <= int(m.group(2)) < int(m.group(1)), p.stdout
        assert re.search(r"^outage: \d+ ms", p.stdout, re.M), p.stdout
        if how == "kill":
            m = re.search(rf"^restarted {old.group(1)} \(pid (\d+)\)", p.stdout, re.M)
            assert m, p.stdout
            assert lab.state()["routers"][old.group(1)]["pid"] == int(m.group(1))
            st = lab.run("status")
            assert st.returncode == 0, st.stdout + st.stderr
    print("\n" + "\n".join(l for o in outs for l in o.splitlines()
                            if l.startswith(("failure", "outage", "packets"))))
    stop_routers_clean(lab)


def test_lab_failover_branch_004_strongswan(tmpdir_sso, labs):
    lab = labs(fast_branch_004(tmpdir_sso, True, "branch-004-strongswan"))
    up_ok(lab)
    run = lab.state()["runs"]["branch4-run1"]
    charon_pid = os.path.join(lab.run_dir, "branch4", "charon.pid")
    assert wait_for(lambda: os.path.exists(os.path.join(lab.run_dir, "branch4",
                                                         "charon.vici")), 15), lab.logs()
    charon = int(Path(charon_pid).read_text())
    p = lab.run("failover", "corp", "10.5.0.10", "branch4", "--count", "3000", "kill",
                timeout=180)
    print("\n" + p.stdout)
    assert p.returncode == 0, p.stdout + p.stderr + lab.logs()
    old = re.search(r"^pair: (R[12]) ACTIVE, (R[12]) STANDBY HOT$", p.stdout, re.M)
    assert old and f"\nnew active: {old.group(2)}\n" in p.stdout, p.stdout
    m = re.search(r"^renegotiated: no \(branch4 IKE SAs (10\.255\.5\.4->10\.255\.5\.3#\d+) "
                  r"-> \1; SPIs (0x[0-9A-F]+ 0x[0-9A-F]+) -> \2\)$", p.stdout, re.M)
    assert m, p.stdout
    log = Path(lab.run_dir, "branch4-run1.log").read_text(errors="replace")
    assert not SWAN_ERRORS.search(log), log[-3000:]
    stop_routers_clean(lab)
    down = lab.run("down")
    assert down.returncode == 0, down.stdout + down.stderr
    tool = lab_module()
    assert not tool.alive(run["pid"]) and not tool.alive(charon), "charon outlived down"
