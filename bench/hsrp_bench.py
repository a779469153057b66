#!/usr/bin/python3
"""HSRP figures (printed by bench/run.sh after the configuration figures).

  failover       two routers on a UDP wire (no privileges needed), group 1 with
                 `standby 1 timers msec 100 msec 300`: SIGKILL the Active router,
                 time until the peer logs `Standby -> Active`. The killed router
                 is started again and becomes the Standby; RUNS times, alternating.
                 Prints median and worst.
  500 groups     the same pair with 500 v2 groups at 100 ms hellos (300 ms hold),
                 once elected: CPU used by each router over a 10 s window, as a
                 share of one core.

usage: bench/hsrp_bench.py IOSIM [RUNS]
Asserts nothing; prints figures (or why one could not be taken).
"""

import os
import re
import statistics
import subprocess
import sys
import threading
import time

from benchlib import free_udp_ports

exe = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 50
TICK = os.sysconf("SC_CLK_TCK")
STATE = re.compile(r"%HSRP-5-STATECHANGE: \S+ Grp (\d+) state (\w+) -> (\w+)")


class Router:
    def __init__(self, name, wire, lines):
        self.name, self.lines = name, []
        self.cv = threading.Condition()
        self.p = subprocess.Popen([exe, "--hostname", name, "--iface",
                                   "GigabitEthernet0/0=udp:" + wire],
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True, bufsize=1)
        threading.Thread(target=self._pump, daemon=True).start()
        self.p.stdin.write("enable\nconfigure terminal\n" + "".join(
            l + "\n" for l in lines) + "end\n")
        self.p.stdin.flush()

    def _pump(self):
        for line in self.p.stdout:
            m = STATE.search(line)
            with self.cv:
                if m:
                    self.lines.append((time.monotonic(), int(m.group(1)),
                                       m.group(3)))
                self.cv.notify_all()

    def wait_state(self, state, since=0, timeout=30.0, groups=1):
        """Wait until GROUPS groups entered STATE after index SINCE;
        returns the time the last of them did (None on timeout)."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while True:
                seen = {}
                for t, g, s in self.lines[since:]:
                    if s == state:
                        seen.setdefault(g, t)
                    elif g in seen:
                        del seen[g]
                if len(seen) >= groups:
                    return max(seen.values())
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return None
                self.cv.wait(left)

    def wait_last(self, state, timeout):
        """Wait until the last state change logged is into STATE."""
        deadline = time.monotonic() + timeout
        with self.cv:
            while not (self.lines and self.lines[-1][2] == state):
                left = deadline - time.monotonic()
                if left <= 0 or self.p.poll() is not None:
                    return False
                self.cv.wait(left)
            return True

    def count(self):
        with self.cv:
            return len(self.lines)

    def cpu(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()

    def stop(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.close()
                self.p.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.p.kill()
                self.p.wait()


def config(addr, groups, version=1):
    lines = ["interface GigabitEthernet0/0",
             f" ip address {addr} 255.255.0.0", " no shutdown",
             " standby delay minimum 0 reload 0"]
    if version == 2:
        lines.append(" standby version 2")
    for g in groups:
        lines += [f" standby {g} ip 10.1.{g // 250}.{g % 250 + 1}",
                  f" standby {g} timers msec 100 msec 300"]
    return lines


def failover():
    pa, pb = free_udp_ports(2)
    wire = {"A": f"127.0.0.1:{pa}:127.0.0.1:{pb}",
            "B": f"127.0.0.1:{pb}:127.0.0.1:{pa}"}
    addr = {"A": "10.1.200.1", "B": "10.1.200.2"}
    r = {n: Router(n, wire[n], config(addr[n], [1])) for n in "AB"}
    times, notes = [], []
    try:
        # the first election: whoever is Active gets killed first
        ta = r["A"].wait_state("Active", timeout=30)
        tb = r["B"].wait_state("Active", timeout=0.5 if ta else 30)
        if not ta and not tb:
            return None, ["no router became Active"]
        active = "A" if ta else "B"
        for i in range(runs):
            peer = "B" if active == "A" else "A"
            if not r[peer].wait_last("Standby", timeout=10):
                notes.append(f"run {i}: {peer} never became Standby")
                break
            mark = r[peer].count()
            t0 = time.monotonic()
            r[active].kill()
            t1 = r[peer].wait_state("Active", since=mark, timeout=10)
            if t1 is None:
                notes.append(f"run {i}: {peer} did not take over")
                break
            times.append(t1 - t0)
            r[active] = Router(active, wire[active],
                               config(addr[active], [1]))
            active = peer
    finally:
        for x in r.values():
            x.kill()
    return times, notes


def cpu_500():
    pa, pb = free_udp_ports(2)
    groups = list(range(1, 501))
    a = Router("A", f"127.0.0.1:{pa}:127.0.0.1:{pb}",
               config("10.1.200.1", groups, 2))
    b = Router("B", f"127.0.0.1:{pb}:127.0.0.1:{pa}",
               config("10.1.200.2", groups, 2))
    try:
        # steady state: every group has an Active (on either router)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            act = {g for r in (a, b) for _, g, s in r.lines if s == "Active"}
            if len(act) >= 500:
                break
            time.sleep(0.2)
        else:
            return None
        time.sleep(1.0)
        c0, t0 = (a.cpu(), b.cpu()), time.monotonic()
        time.sleep(10.0)
        c1, t1 = (a.cpu(), b.cpu()), time.monotonic()
        return [(c1[i] - c0[i]) / (t1 - t0) * 100 for i in range(2)]
    finally:
        a.kill()
        b.kill()


times, notes = failover()
if times:
    print(f"hsrp failover (msec 100/300): median {statistics.median(times) * 1000:.0f} ms, "
          f"worst {max(times) * 1000:.0f} ms, best {min(times) * 1000:.0f} ms "
          f"over {len(times)} runs (SIGKILL of the Active to the peer's Standby -> Active)")
else:
    print("hsrp failover: not measured")
for n in notes or []:
    print("note: hsrp failover: " + n)
cpu = cpu_500()
if cpu:
    print(f"hsrp 500 v2 groups at 100 ms hellos: CPU {cpu[0]:.1f}% and {cpu[1]:.1f}% "
          f"of one core (the two routers, 10 s window)")
else:
    print("hsrp 500 groups: no steady state within 60 s")
