"""SSO between two routers: the IPC association over real SCTP and the
redundancy facility, with real iosim pairs built by tools/lab.

  test_pair_004_udp   seed 004's R1/R2 (addresses filled in, one interface
                      each) over a UDP wire, no root (as nobody when we
                      are root): the pair comes up ACTIVE / STANDBY HOT
                      through the standby's one reload; show redundancy
                      states / inter-device line by line as the seeds
                      print them; the bare show redundancy read by
                      ntc-templates' cisco_ios_show_redundancy; scheme
                      typed at runtime; SIGKILL of the ACTIVE (the standby
                      takes over, Communications = Down; started again,
                      the killed router returns STANDBY HOT); shutdown of
                      the ACTIVE's scheme interface (seed 004's two log
                      lines, the reload, STANDBY HOT again).
  test_pair_000_veth  seed 000's dual-interface RouterA/RouterB over veths
                      and bridges (root): tshark on the inside segment
                      decodes the association (INIT, INIT ACK, COOKIE
                      ECHO, COOKIE ACK, DATA, SACK, HEARTBEAT) between the
                      local and remote addresses with valid CRC32c and
                      nothing malformed; SCTP dropped on the bridge while
                      HSRP passes: no role changes, Communications = Down
                      on both, and when the drop is lifted the association
                      and STANDBY HOT come back through the standby's
                      reload; a tracked interface shut on the ACTIVE makes
                      the standby preempt and the old ACTIVE reload.

Every wait polls its condition under a deadline; how long the failovers
took is printed, not asserted.
"""

import json
import os
import pwd
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

import iosim
from labtool import (EX, Console, need_root, single_interface_004,
                     stop_routers_clean, unprivileged, wait_for)

TEMPLATE = iosim.REPO / "tests" / "data" / "ntc-templates" / \
    "cisco_ios_show_redundancy.textfsm"
RELOAD_NEGO = ("%RF_INTERDEV-4-RELOAD: % RF induced self-reload. my state = "
               "NEGOTIATION peer state = ACTIVE")
RELOAD_ACTIVE = ("%RF_INTERDEV-4-RELOAD: % RF induced self-reload. my state = "
                 "ACTIVE peer state = STANDBY HOT")
STATES_RE = re.compile(r"^   my state = (\d+) +-(.+?)\s*$\n^ peer state = (\d+) +-(.+?)\s*$",
                       re.M)


def clean(out):
    """OUT without the syslog lines that came in the middle of it, ending
    in one newline."""
    lines = [l for l in out.splitlines() if not iosim.SYSLOG_RE.match(l)]
    return "\n".join(lines).rstrip("\n") + "\n"


def states(con):
    """(my state, peer state) names from show redundancy states."""
    m = STATES_RE.search(clean(con.priv("show redundancy states")))
    return (m.group(2), m.group(4)) if m else (None, None)


def wait_states(con, my, peer, timeout):
    got = wait_for(lambda: states(con) == (my, peer), timeout, step=1)
    assert got, f"{con.port}: not {my}/{peer} in {timeout}s: {states(con)}\n" \
                f"{con.text()[-3000:]}"


def routers_of(lab):
    return lab.state()["routers"]


def restart(lab, name):
    """Start router NAME again as tools/lab started it (same argv, run dir,
    console port, user), after it was killed."""
    st = lab.state()
    info = st["routers"][name]
    pre = []
    if lab.user:
        pw = pwd.getpwnam(lab.user)
        pre = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
               "--clear-groups", "--"]
    log = open(os.path.join(lab.run_dir, f"{name}.log"), "ab")
    p = subprocess.Popen([*pre, *info["argv"]], stdin=subprocess.DEVNULL,
                         stdout=log, stderr=subprocess.STDOUT,
                         start_new_session=True, cwd=lab.run_dir,
                         env=iosim.default_env())
    log.close()
    info["pid"] = p.pid
    path = os.path.join(lab.run_dir, "state.json")
    with open(path + ".new", "w") as f:
        json.dump(st, f)
    os.replace(path + ".new", path)
    return p


def textfsm_rows(text):
    textfsm = pytest.importorskip("textfsm")
    with open(TEMPLATE) as f:
        fsm = textfsm.TextFSM(f)
    return [dict(zip(fsm.header, r)) for r in fsm.ParseText(text)]


# ---- seed 004: R1/R2, one interface each --------------------------------------

def topo_004(tmp):
    for r in ("R1", "R2"):
        (Path(tmp) / f"{r}.cfg").write_text(single_interface_004(r))
    (Path(tmp) / "pair004.lab").write_text(
        "router R1\n  config R1.cfg\n  interface FastEthernet0/0 wan\n"
        "router R2\n  config R2.cfg\n  interface FastEthernet0/0 wan\n")
    return Path(tmp) / "pair004.lab"


STATES_004 = """   my state = {my:<2} -{myname}
 peer state = {peer:<2} -{peername}
       Mode = Duplex
    Unit ID = 0

Maintenance Mode = Disabled
   Manual Swact = Enabled
 Communications = Up

client count = {clients}
 client_notification_TMR = 30000 milliseconds
      keep_alive TMR = 4000 milliseconds
    keep_alive count = {ka}
keep_alive threshold = 7
       RF debug mask = 0x0
"""

INTERDEV_004 = """Redundancy inter-device state: RF_INTERDEV_STATE_{st}
  Scheme: Standby
  Groupname: BRANCH-5-TUNNEL Group State: {grp}
  Security: Not configured
"""


def check_states_layout(out, my, myname, peer, peername):
    """Seed 004's show redundancy states, line for line, with seed 001's
    keep_alive lines; the counts are live."""
    clients = re.search(r"^client count = (\d+)$", out, re.M)
    ka = re.search(r"^    keep_alive count = (\d)$", out, re.M)
    assert clients and ka, out
    want = STATES_004.format(my=my, myname=myname, peer=peer, peername=peername,
                             clients=clients.group(1), ka=ka.group(1))
    assert out.rstrip("\n") + "\n" == want, f"got:\n{out}\nwant:\n{want}"
    assert int(clients.group(1)) >= 2       # RF and the digest client


@pytest.fixture
def tmpdir_sso():
    """A directory for a test's topology and configurations. Ask for it
    before `labs`: fixtures end in reverse order, and labs' `down TOPOLOGY`
    must still find the topology file (else namespaces and routers stay)."""
    d = tempfile.mkdtemp(prefix="iosim-sso-")
    os.chmod(d, 0o755)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_pair_004_udp(tmpdir_sso, labs):
    lab = labs(topo_004(tmpdir_sso), user=unprivileged())
    p = lab.run("up", udp=True)
    assert p.returncode == 0, p.stderr + lab.logs()
    rs = routers_of(lab)
    con = {n: Console(rs[n]["console"]) for n in rs}
    try:
        run_004(lab, con)
    finally:
        for c in con.values():
            c.close()
    stop_routers_clean(lab)


def run_004(lab, con):
    # --- the pair comes up: one ACTIVE, the other STANDBY HOT after one
    # reload (seed 004: "the standby router will trigger a second reload")
    t0 = time.monotonic()

    def settled():
        s = {n: states(c) for n, c in con.items()}
        return s if sorted(s.values(), key=str) == [("ACTIVE", "STANDBY HOT"),
                                                    ("STANDBY HOT", "ACTIVE")] \
            else None
    got = wait_for(settled, 150, step=1)
    assert got, {n: c.text()[-2500:] for n, c in con.items()}
    print(f"\npair 004 up: ACTIVE / STANDBY HOT after {time.monotonic() - t0:.1f} s")
    act = next(n for n, s in got.items() if s[0] == "ACTIVE")
    sby = next(n for n in got if n != act)
    assert con[sby].count(RELOAD_NEGO) == 1, con[sby].text()[-3000:]
    assert con[act].count("RF induced self-reload") == 0, con[act].text()[-3000:]
    assert con[sby].count("%RF-5-RF_TERMINAL_STATE: Terminal state reached "
                          "for (SSO)") >= 1

    # --- the seeds' layouts, line for line
    check_states_layout(clean(con[act].priv("show redundancy states")),
                        13, "ACTIVE", 8, "STANDBY HOT")
    check_states_layout(clean(con[sby].priv("show redundancy states")),
                        8, "STANDBY HOT", 13, "ACTIVE")
    assert clean(con[act].priv("show redundancy inter-device")) == \
        INTERDEV_004.format(st="ACT", grp="Active")
    assert clean(con[sby].priv("show redundancy inter-device")) == \
        INTERDEV_004.format(st="STDBY", grp="Standby")

    # --- the bare show redundancy, as ntc-templates reads it
    rows = textfsm_rows(clean(con[act].priv("show redundancy")))
    assert len(rows) == 1, rows
    r = rows[0]
    assert (r["HARDWARE_MODE"], r["COMMUNICATION_STATUS"],
            r["ACTIVE_SOFTWARE_STATE"], r["STANDBY_SOFTWARE_STATE"]) == \
        ("Duplex", "Up", "ACTIVE", "STANDBY HOT"), r
    # (the one-line 12.4 "Image Version" leaves the template's release
    # fields empty, as it does for IOS 15's)
    assert (r["CONFIGURED_REDUNDANCY_MODE"], r["SWITCHOVERS"],
            r["STANDBY_FAILURES"], r["LAST_SWITCHOVER_REASON"],
            r["ACTIVE_BOOT_DIRECTORY"], r["ACTIVE_CONFIG_REGISTER"],
            r["STANDBY_CONFIG_REGISTER"], r["ACTIVE_SLOT"]) == \
        ("Stateful Switchover", "0", "0", "none", "flash", "0x2102", "0x2102",
         "0"), r

    # --- the association and the channel as the IPC status commands see them
    out = con[act].priv("show ip sctp association list")
    assert "Current state: ESTABLISHED" in out, out
    clients = con[sby].priv("show redundancy clients")
    assert "Config Digest RF\n        synchronized" in clients, clients
    assert "configurations match" in clients, clients
    ports = con[sby].priv("show ipc ports")
    assert re.search(r"^0 +0 +RF ", ports, re.M), ports

    # --- scheme standby typed at runtime on the standby: seed 004's notice,
    # stored and printed, pending until a reload
    out = con[sby].priv("configure terminal", "redundancy inter-device",
                        "scheme standby OTHER", "end")
    assert "% Standby scheme configuration cannot be processed now group OTHER\n" \
           " is not in active state\n" in out, out
    out = con[sby].priv("show running-config | section redundancy",
                        "show redundancy inter-device")
    assert " scheme standby OTHER" in out, out
    assert "  Pending Groupname: OTHER\n" in out, out
    assert "  Groupname: BRANCH-5-TUNNEL Group State: Standby\n" in out, out
    con[sby].priv("configure terminal", "redundancy inter-device",
                  "scheme standby BRANCH-5-TUNNEL", "end")

    # --- SIGKILL of the ACTIVE: the standby becomes ACTIVE through HSRP
    rs = routers_of(lab)
    before = len(con[sby].text())
    t0 = time.monotonic()
    os.kill(rs[act]["pid"], signal.SIGKILL)
    con[act].close()
    assert wait_for(lambda: "%HSRP-5-STATECHANGE: FastEthernet0/0 Grp 1 state "
                    "Standby -> Active" in con[sby].text()[before:], 30, 0.05), \
        con[sby].text()[-2000:]
    took = time.monotonic() - t0
    wait_states(con[sby], "ACTIVE", "DISABLED", 30)
    print(f"SIGKILL of the ACTIVE: HSRP Active on the standby after {took:.2f} s, "
          f"RF ACTIVE with the peer DISABLED after {time.monotonic() - t0:.2f} s")
    out = con[sby].priv("show redundancy states", "show redundancy")
    assert " Communications = Down      Reason: Failure\n" in out, out
    assert "       Mode = Simplex\n" in out, out
    assert "Switchovers system experienced = 1\n" in out, out
    assert "Peer (slot: unavailable) information is not available because it is " \
           "in 'DISABLED' state" in out, out

    # --- the killed router started again: one reload, then STANDBY HOT
    restart(lab, act)
    con[act] = Console(rs[act]["console"], timeout=30)
    t0 = time.monotonic()
    wait_states(con[act], "STANDBY HOT", "ACTIVE", 150)
    print(f"restarted router back to STANDBY HOT in {time.monotonic() - t0:.1f} s")
    # its one reload came before its console could be reached: a process
    # that just started says power-on, one rebuilt since says reload
    assert "System returned to ROM by reload\n" in \
        con[act].priv("show version"), con[act].text()[-3000:]
    assert con[act].count("RF induced self-reload") <= 1
    act, sby = sby, act

    # --- shutdown of the ACTIVE's scheme interface (seed 004's failover test)
    before = len(con[act].text())
    nego_before = con[act].count(RELOAD_NEGO)
    con[act].priv("configure terminal", "interface FastEthernet0/0", "shutdown",
                  "end")
    log = lambda: con[act].text()[before:]   # noqa: E731
    assert wait_for(lambda: RELOAD_ACTIVE in log(), 20), log()
    hsrp_line = "%HSRP-5-STATECHANGE: FastEthernet0/0 Grp 1 state Active -> Init"
    assert hsrp_line in log() and log().index(hsrp_line) < log().index(RELOAD_ACTIVE)
    t0 = time.monotonic()
    wait_states(con[sby], "ACTIVE", "STANDBY HOT", 150)
    wait_states(con[act], "STANDBY HOT", "ACTIVE", 10)
    print(f"interface shutdown: old ACTIVE reloaded and back to STANDBY HOT in "
          f"{time.monotonic() - t0:.1f} s")
    # no second reload after RF's own: the boot after it is a clean standby's
    assert con[act].count(RELOAD_NEGO) == nego_before
    out = con[act].priv("show interfaces FastEthernet0/0 | include line protocol")
    assert "FastEthernet0/0 is up" in out, out   # rebuilt from its boot config


# ---- seed 000: RouterA/RouterB, dual interface, over veth ------------------------

def topo_000(tmp):
    """Seed 000's pair with `standby delay reload 5` instead of 120 (the
    test honours the delay, shorter) and a Linux host on each segment, so
    both are bridges: tshark records the inside one, nftables filters it."""
    for r in ("RouterA", "RouterB"):
        text = (EX / "ha-000" / f"{r}.cfg").read_text()
        text = text.replace("standby delay reload 120", "standby delay reload 5")
        assert "standby delay reload 5" in text
        (Path(tmp) / f"{r}.cfg").write_text(text)
    (Path(tmp) / "pair000.lab").write_text(
        "router RouterA\n  config RouterA.cfg\n"
        "  interface GigabitEthernet0/0 inside\n"
        "  interface GigabitEthernet0/1 outside\n"
        "router RouterB\n  config RouterB.cfg\n"
        "  interface GigabitEthernet0/0 inside\n"
        "  interface GigabitEthernet0/1 outside\n"
        "host pc\n  address inside 10.0.0.10/8\n"
        "host out\n  address outside 211.0.0.10/8\n")
    return Path(tmp) / "pair000.lab"


def tshark_fields(pcap, *fields, filt="sctp"):
    out = subprocess.run(["tshark", "-r", pcap, "-o", "sctp.checksum:CRC-32C",
                          "-Y", filt, "-T", "fields",
                          *[x for f in fields for x in ("-e", f)]],
                         capture_output=True, text=True, timeout=120)
    return [l.split("\t") for l in out.stdout.splitlines() if l]


@need_root
def test_pair_000_veth(tmpdir_sso, labs):
    if not shutil.which("tshark") or not shutil.which("nft"):
        pytest.skip("tshark and nft are needed (tools/deps.sh test installs them)")
    lab = labs(topo_000(tmpdir_sso))
    p = lab.run("up")
    assert p.returncode == 0, p.stderr + lab.logs()
    ns = f"iosim-{lab.tag}"
    pcap = os.path.join(tmpdir_sso, "inside.pcap")
    cap = subprocess.Popen(["ip", "netns", "exec", ns, "tshark", "-q", "-i",
                            "inside", "-w", pcap, "-f", "ip proto 132 or udp port 1985"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    rs = routers_of(lab)
    con = {n: Console(rs[n]["console"]) for n in rs}
    try:
        run_000(lab, con, ns)
    finally:
        for c in con.values():
            c.close()
        subprocess.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"],
                       capture_output=True)
        cap.send_signal(signal.SIGINT)
        try:
            cap.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cap.kill()
            cap.wait()
    check_capture(pcap)
    stop_routers_clean(lab)


def run_000(lab, con, ns):
    def settled():
        s = {n: states(c) for n, c in con.items()}
        return s if sorted(s.values(), key=str) == [("ACTIVE", "STANDBY HOT"),
                                                    ("STANDBY HOT", "ACTIVE")] \
            else None
    t0 = time.monotonic()
    got = wait_for(settled, 150, step=1)
    assert got, {n: c.text()[-2500:] for n, c in con.items()}
    print(f"\npair 000 up: ACTIVE / STANDBY HOT after {time.monotonic() - t0:.1f} s "
          "(standby delay reload 5)")
    act = next(n for n, s in got.items() if s[0] == "ACTIVE")
    sby = next(n for n in got if n != act)
    out = con[sby].priv("show redundancy inter-device")
    assert "  Groupname: HAIN Group State: Standby\n" in out, out
    out = con[act].priv("show ip sctp association parameters 1")
    assert "Max assoc retrans: 10  Max path retrans: 10" in out, out
    assert "Min RTO: 300 ms  Max RTO: 10000 ms" in out, out

    # --- SCTP dropped on the inside bridge; HSRP hellos still pass
    hsrp = {n: c.priv("show standby brief") for n, c in con.items()}
    for cmd in (["add", "table", "bridge", "sso"],
                ["add", "chain", "bridge", "sso", "c",
                 "{ type filter hook forward priority 0; }"],
                ["add", "rule", "bridge", "sso", "c", "ip", "protocol", "sctp",
                 "counter", "drop"]):
        r = subprocess.run(["ip", "netns", "exec", ns, "nft", *cmd],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    t0 = time.monotonic()

    def both_down():
        return all(" Communications = Down" in c.priv("show redundancy states")
                   for c in con.values())
    assert wait_for(both_down, 60, step=2), {n: c.text()[-2000:] for n, c in con.items()}
    print(f"SCTP blocked: Communications = Down on both after "
          f"{time.monotonic() - t0:.1f} s (keep_alive 4000 ms x 7)")
    assert states(con[act])[0] == "ACTIVE"
    assert states(con[sby])[0] == "STANDBY HOT"
    for n, c in con.items():
        now = c.priv("show standby brief")
        assert [l.split()[4] for l in now.splitlines() if l.startswith("Gi")] == \
            [l.split()[4] for l in hsrp[n].splitlines() if l.startswith("Gi")], now
    # --- lifted: the association comes back; the standby missed updates
    # while cut off, and reloads to take a fresh bulk (as any standby that
    # finds the ACTIVE again without being clean does)
    before = len(con[sby].text())
    r = subprocess.run(["ip", "netns", "exec", ns, "nft", "flush", "ruleset"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    t0 = time.monotonic()
    assert wait_for(lambda: "%RF_INTERDEV-4-RELOAD: % RF induced self-reload. "
                    "my state = STANDBY HOT peer state = ACTIVE"
                    in con[sby].text()[before:], 120), con[sby].text()[-2000:]
    wait_states(con[sby], "STANDBY HOT", "ACTIVE", 120)
    wait_states(con[act], "ACTIVE", "STANDBY HOT", 10)
    print(f"block lifted: STANDBY HOT again after {time.monotonic() - t0:.1f} s")

    # --- the ACTIVE's tracked interface goes down: its inside group drops
    # to 90, the standby preempts (standby 1 preempt), the old ACTIVE
    # relinquishes and reloads
    before = len(con[act].text())
    con[act].priv("configure terminal", "interface GigabitEthernet0/1",
                  "shutdown", "end")
    assert wait_for(lambda: RELOAD_ACTIVE in con[act].text()[before:], 60), \
        con[act].text()[-2000:]
    wait_states(con[sby], "ACTIVE", "STANDBY HOT", 150)
    wait_states(con[act], "STANDBY HOT", "ACTIVE", 10)


def check_capture(pcap):
    rows = tshark_fields(pcap, "ip.src", "ip.dst", "sctp.chunk_type",
                         "sctp.checksum.status", "_ws.malformed")
    assert rows, "no SCTP packet captured"
    pairs = {(r[0], r[1]) for r in rows}
    assert pairs <= {("10.0.0.1", "10.0.0.2"), ("10.0.0.2", "10.0.0.1")}, pairs
    chunks = set()
    for r in rows:
        chunks.update(int(c) for c in r[2].split(",") if c)
        assert r[3] in ("1", "Good"), f"checksum not verified good: {r}"
        assert not r[4], f"malformed: {r}"
    # INIT, INIT ACK, SACK, HEARTBEAT, COOKIE ECHO, COOKIE ACK, DATA
    for c in (1, 2, 3, 4, 10, 11, 0):
        assert c in chunks, (c, sorted(chunks))
    exp = subprocess.run(["tshark", "-r", pcap, "-o", "sctp.checksum:CRC-32C", "-q",
                          "-z", "expert,error"], capture_output=True, text=True,
                         timeout=120)
    assert "Errors (" not in exp.stdout, exp.stdout
    print(f"tshark: {len(rows)} SCTP packets decoded, chunk types {sorted(chunks)}")
