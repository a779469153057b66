#!/usr/bin/python3
"""The cost of `redundancy inter-device / security ipsec` on bulk sync
(printed by bench/run.sh after the crypto HA figures).

tests/lab/test_crypto_ha_pair.py's lab (stateful pair R1/R2 over UDP wires
and a hub on loopback, no privileges; iosim P the remote peer, one AH+ESP
bundle per remote host, all under one IKE SA) with N tunnels (default
1,000): R2 is killed before the pair forms, R1 alone brings the N tunnels
up (one ping each), then R2 is started and takes the bulk. Measured, once
without and once with seed 001's `security ipsec sso-secure` (trans2
ah-md5-hmac esp-aes over the IPC association's 10.0.0.1 <-> 10.0.0.2):

  cold -> hot   R2's STANDBY COLD to STANDBY HOT, as the ACTIVE logs R2's
                states (`debug redundancy`, `service timestamps debug
                datetime msec`: the last "peer state ... -> STANDBY COLD"
                before "-> STANDBY HOT")
  start -> hot  R2's process start to STANDBY HOT as show redundancy states
                reports it (polled every 0.2 s; includes R2's one reload and,
                with security, the IKE negotiation of the IPC SA)

and the ratio with / without of each.

usage: bench/sso_security.py IOSIM [N]
Asserts nothing; prints figures (or why one could not be taken).
"""

import datetime
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lab"))
import iosim  # noqa: E402
from labtool import Console, Lab, unprivileged, wait_for  # noqa: E402
from test_crypto_ha_pair import remote, topo  # noqa: E402
from test_sso import clean, restart, routers_of, states  # noqa: E402

exe = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
os.environ["IOSIM"] = str(Path(exe).resolve())
PEER_RE = re.compile(r"^\*?(\w{3} +\d+ \d\d:\d\d:\d\d\.\d{3}): RF: peer state .*?-> "
                     r"(STANDBY COLD|STANDBY HOT)\(\d+\)", re.M)


def stamp(s):
    return datetime.datetime.strptime(s.split(None, 2)[2], "%H:%M:%S.%f")


def count(con, what):
    out = clean(con.priv(f"{what} | count ^ +spi: 0x", timeout=120))
    m = re.search(r"= (\d+)", out)
    return int(m.group(1)) if m else -1


def one(security):
    tmp = tempfile.mkdtemp(prefix="iosim-bench-ssosec-")
    os.chmod(tmp, 0o755)
    lab = Lab(topo(tmp, N, security=security, loopbacks=False), user=unprivileged())
    con = {}
    try:
        p = lab.run("up", udp=True, timeout=300)
        if p.returncode != 0:
            return f"lab up failed: {p.stderr[-500:]}"
        rs = routers_of(lab)
        con = {n: Console(rs[n]["console"], timeout=30) for n in rs}
        os.kill(rs["R2"]["pid"], signal.SIGKILL)
        con["R2"].close()
        if not wait_for(lambda: states(con["R1"]) == ("ACTIVE", "DISABLED"), 60, step=0.5):
            return f"R1 not ACTIVE alone: {states(con['R1'])}"
        r1 = con["R1"]
        r1.priv("configure terminal", "service timestamps debug datetime msec", "end",
                "debug redundancy")
        # one ping per tunnel; the next typed once the last is done (ping
        # reads typeahead as its escape sequence)
        t0 = time.monotonic()
        for k in range(1, N + 1):
            done = r1.count("Success rate is")
            r1.send(f"ping {remote(k)} source FastEthernet0/1 repeat 1 timeout 0")
            if not wait_for(lambda: r1.count("Success rate is") > done, 15, step=0.002):
                return f"R1 did not answer ping {k}: {r1.text()[-800:]!r}"
        r1.prompt(60)
        if not wait_for(lambda: count(r1, "show crypto ipsec sa") >= 4 * N, 600, step=2):
            return f"R1 has {count(r1, 'show crypto ipsec sa')} of {4 * N} SPIs"
        up = time.monotonic() - t0
        mark = len(r1.text())
        t0 = time.monotonic()
        restart(lab, "R2")
        con["R2"] = Console(routers_of(lab)["R2"]["console"], timeout=30)
        if not wait_for(lambda: states(con["R2"]) == ("STANDBY HOT", "ACTIVE"), 900,
                        step=0.2):
            return f"R2 not STANDBY HOT: {states(con['R2'])}\n{con['R2'].text()[-1500:]}"
        start_hot = time.monotonic() - t0
        n_sby = count(con["R2"], "show crypto ipsec sa standby")
        sec = re.search(r"^  Security: (.*)$", clean(con["R2"].priv(
            "show redundancy inter-device")), re.M)
        cold = hot = None
        wait_for(lambda: "-> STANDBY HOT(" in r1.text()[mark:], 10, step=0.2)
        for m in PEER_RE.finditer(r1.text()[mark:]):
            if m.group(2) == "STANDBY COLD":
                cold = stamp(m.group(1))
            elif cold is not None:
                hot = stamp(m.group(1))
        cold_hot = (hot - cold).total_seconds() if hot and cold else None
        if cold_hot is not None and cold_hot < 0:
            cold_hot += 86400
        return dict(up=up, start_hot=start_hot, cold_hot=cold_hot, n_sby=n_sby,
                    sec=sec.group(1) if sec else "?")
    finally:
        for c in con.values():
            c.close()
        lab.run("down", udp=True)
        shutil.rmtree(lab.base, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)


def fmt(x):
    return "n/a" if x is None else f"{x:.3f} s"


print(f"sso security: bulk sync of {N} tunnels (AH+ESP bundles under one IKE SA), "
      f"{iosim.binary()}")
res = {}
for security in (False, True):
    what = "with security ipsec" if security else "without security"
    r = one(security)
    res[security] = r
    if isinstance(r, str):
        print(f"  {what}: not measured: {r}")
        continue
    print(f"  {what}: STANDBY COLD -> HOT {fmt(r['cold_hot'])}, start -> STANDBY HOT "
          f"{fmt(r['start_hot'])} ({r['n_sby']} SPIs on the standby; the {N} tunnels "
          f"up on R1 in {r['up']:.1f} s; Security: {r['sec']})")
a, b = res[False], res[True]
if isinstance(a, dict) and isinstance(b, dict):
    for key, label in (("cold_hot", "STANDBY COLD -> HOT"), ("start_hot", "start -> HOT")):
        if a[key] and b[key]:
            print(f"  ratio with / without, {label}: {b[key] / a[key]:.2f}")
