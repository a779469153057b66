#!/usr/bin/python3
"""SSO figures (printed by bench/run.sh after the HSRP figures).

  boot to STANDBY HOT  seed 004's R1/R2 (one interface each, UDP wire, no
                       privileges) with `standby delay reload 0`: from both
                       processes' start to the standby's %RF-5-RF_TERMINAL_STATE,
                       through its one RF-induced reload; with IOS's default
                       HSRP timers and with `standby 1 timers msec 100 msec 300`
  peer death           SIGKILL of the ACTIVE to the standby's RF seeing the peer
                       gone (debug redundancy: "peer state ... -> DISABLED"),
                       with seed 004's SCTP timers (IOS defaults: RTO 300..600 ms,
                       4 retransmissions) and seed 000's (300..10000 ms, 10):
                       the association's loss or seven missed keepalives of
                       4000 ms, whichever comes first
  idle pair CPU        both routers ACTIVE / STANDBY HOT, nothing happening:
                       CPU time over 10 s as a share of one core
  ipc                  build/bench/ipc_bench: messages per second of 200 B
                       between two routers through their own IPv4 stacks and
                       usrsctp, and the round trip of one message

usage: bench/sso_bench.py IOSIM [IPC_BENCH]
Asserts nothing; prints figures (or why one could not be taken).
"""

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from benchlib import free_udp_ports

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "lab"))
from labtool import single_interface_004  # noqa: E402

exe = sys.argv[1]
ipc_bench = sys.argv[2] if len(sys.argv) > 2 else "build/bench/ipc_bench"
TICK = os.sysconf("SC_CLK_TCK")
HOT = "%RF-5-RF_TERMINAL_STATE"
GONE = re.compile(r"RF: peer state \S+\(\d+\) -> DISABLED\(1\)")


def config(name, extra_if=(), sctp=()):
    """Seed 004's distribution router NAME with its wan interface only."""
    return single_interface_004(name, (" standby delay reload 0", *extra_if), sctp)


class Router:
    """One iosim on a pipe console (kept open), its output watched."""

    def __init__(self, name, cfg, wire):
        self.name, self.out = name, []
        self.cv = threading.Condition()
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([exe, "--config", cfg, "--iface",
                                   f"FastEthernet0/0=udp:{wire}"],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            with self.cv:
                self.out.append((time.monotonic(), line))
                self.cv.notify_all()

    def wait(self, pred, timeout):
        """The time of the first output line PRED accepts (None: not seen)."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                for t, l in self.out:
                    if pred(l):
                        return t
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cv.wait(left)

    def type(self, *lines):
        self.p.stdin.write("".join(l + "\n" for l in lines))
        self.p.stdin.flush()

    def cpu(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def stop(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=10)


def pair(tmp, extra_if=(), sctp=()):
    ports = free_udp_ports(2)
    rs = {}
    for i, name in enumerate(("R1", "R2")):
        cfg = Path(tmp) / f"{name}.cfg"
        cfg.write_text(config(name, extra_if, sctp))
        a, b = ports[i], ports[1 - i]
        rs[name] = Router(name, str(cfg), f"127.0.0.1:{a}:127.0.0.1:{b}")
    return rs


def hot(rs, timeout=180):
    """(seconds from start to the standby's STANDBY HOT, ACTIVE, STANDBY)."""
    got = {}
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for n, r in rs.items():
            t = r.wait(lambda l: "RF induced self-reload. my state = NEGOTIATION" in l, 0)
            if t is not None:
                got["standby"] = n
        if "standby" in got:
            s = rs[got["standby"]]
            t = s.wait(lambda l: HOT in l, max(0.1, deadline - time.monotonic()))
            if t is None:
                return None
            act = next(n for n in rs if n != got["standby"])
            return t - s.t0, rs[act], s
        time.sleep(0.2)
    return None


def boot_figures(tmp):
    for label, extra in (("IOS default HSRP timers (3/10 s)", ()),
                         ("HSRP timers msec 100 msec 300",
                          (" standby 1 timers msec 100 msec 300",))):
        rs = pair(tmp, extra)
        try:
            r = hot(rs)
            print(f"sso boot to STANDBY HOT: " + (f"{r[0]:.1f} s" if r else "not reached")
                  + f"  ({label}, standby delay reload 0, one RF reload)")
        finally:
            for x in rs.values():
                x.stop()


def death_figures(tmp):
    cases = (("seed 004 timers (RTO 300..600 ms, 4/4 retransmissions)", (), 3),
             ("seed 000 timers (RTO 300..10000 ms, 10/10 retransmissions)",
              ("retransmit-timeout 300 10000", "path-retransmit 10",
               "assoc-retransmit 10"), 1))
    for label, sctp, runs in cases:
        times = []
        for _ in range(runs):
            rs = pair(tmp, (" standby 1 timers msec 100 msec 300",), sctp)
            try:
                r = hot(rs)
                if not r:
                    break
                _, act, sby = r
                sby.type("enable", "debug redundancy")
                time.sleep(1)
                t0 = time.monotonic()
                act.p.kill()
                t = sby.wait(lambda l: GONE.search(l) is not None, 60)
                if t is not None:
                    times.append(t - t0)
            finally:
                for x in rs.values():
                    x.stop()
        if times:
            print(f"sso peer death to RF: {statistics.median(times):.2f} s "
                  f"(median of {len(times)}, {label})")
        else:
            print(f"sso peer death to RF: not measured ({label})")


def idle_figure(tmp):
    rs = pair(tmp)
    try:
        if not hot(rs):
            print("sso idle pair CPU: pair did not come up")
            return
        time.sleep(2)
        c0 = {n: r.cpu() for n, r in rs.items()}
        t0 = time.monotonic()
        time.sleep(10)
        dt = time.monotonic() - t0
        shares = [f"{n} {100 * (r.cpu() - c0[n]) / dt:.2f}%" for n, r in rs.items()]
        print(f"sso idle pair CPU: {', '.join(shares)} of one core over {dt:.0f} s "
              "(ACTIVE / STANDBY HOT, keepalives, SCTP heartbeats)")
    finally:
        for x in rs.values():
            x.stop()


def ipc_figure(tmp):
    if not os.access(ipc_bench, os.X_OK):
        print(f"sso ipc: {ipc_bench} not built")
        return
    ports = free_udp_ports(2)
    cfgs = []
    for i in (1, 2):
        c = Path(tmp) / f"b{i}.cfg"
        c.write_text("\n".join([
            f"hostname B{i}", "ipc zone default", " association 1", "  no shutdown",
            "  protocol sctp", "   local-port 5000", f"    local-ip 10.0.0.{i}",
            "   remote-port 5000", f"    remote-ip 10.0.0.{3 - i}",
            "interface GigabitEthernet0/0", f" ip address 10.0.0.{i} 255.255.255.0",
            ""]))
        cfgs.append(str(c))
    echo = subprocess.Popen([ipc_bench, "echo", cfgs[1],
                             f"GigabitEthernet0/0=udp:127.0.0.1:{ports[1]}:127.0.0.1:{ports[0]}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        p = subprocess.run([ipc_bench, "send", cfgs[0],
                            f"GigabitEthernet0/0=udp:127.0.0.1:{ports[0]}:127.0.0.1:{ports[1]}",
                            "100000", "200", "2000"], capture_output=True, text=True,
                           timeout=300)
        line = (p.stdout.strip() or p.stderr.strip() or "no output")
        print(f"sso {line}  (usrsctp AF_CONN alone: ~372k msg/s here, lab-facts)")
    finally:
        echo.kill()
        echo.wait()


with tempfile.TemporaryDirectory(prefix="iosim-sso-bench-") as tmp:
    boot_figures(tmp)
    death_figures(tmp)
    idle_figure(tmp)
    ipc_figure(tmp)
