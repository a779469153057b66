#!/usr/bin/python3
"""Stateful failover bench (bench/run.sh runs it; needs root): prints
figures, asserts nothing.

  bench/ha_failover.py [IOSIM]

Brings up examples/branch-004.lab with `standby N timers msec 100 msec 300`
on both groups of R1/R2 (labtool.fast_branch_004, as the lab test does),
crypto map stateful, R4 the remote IPsec peer. Then:

  failovers    FAILOVERS (default 20) rounds of `tools/lab failover ... corp
               10.5.0.10 R4 kill`: SIGKILL of whichever of R1/R2 is ACTIVE
               under a 100/s ping from host corp to host branch through the
               tunnel; tools/lab starts the killed router again, and the next
               round begins once it is STANDBY HOT (show redundancy states).
               Printed: median and worst outage (longest gap between
               successive replies) and packets lost, the rounds in which R4's
               IKE SAs or SPIs changed (renegotiated; 0 is the aim), and the
               time from the restarted process's start (/proc/PID/stat) to
               STANDBY HOT, through its one RF reload
  replay       with the tunnel up and the default `redundancy replay-interval`
               (inbound 1000, outbound 100000 packets), iperf3 TCP for
               REPLAY_SECS (default 10) from corp to branch (a ping flood when
               iperf3 is missing): the ACTIVE's replay updates sent per second
               and checkpoint bytes per second on the IPC link
               (show crypto ha counters), beside its ESP packets/s out and in
               (show crypto ipsec sa)

Rounds stop early when BUDGET_S (default 540) seconds have gone, so the
bench stays under about 12 minutes. The lab is always taken down.
"""

import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(REPO, "tests", "lab"))
import forward  # noqa: E402  (its Lab)
import ipsec  # noqa: E402  (its iperf)
from labtool import fast_branch_004, lab_module  # noqa: E402

ROUNDS = int(os.environ.get("FAILOVERS", "20"))
REPLAY_SECS = int(os.environ.get("REPLAY_SECS", "10"))
BUDGET = float(os.environ.get("BUDGET_S", "540"))
PAIR = ("R1", "R2")
HOT_TIMEOUT = 120.0        # a restarted router must be STANDBY HOT within this
ROUND_TIMEOUT = 300.0      # one `tools/lab failover`
TICK = os.sysconf("SC_CLK_TCK")
Skip = forward.Skip


def uptime():
    with open("/proc/uptime") as f:
        return float(f.read().split()[0])


def started(pid):
    """The process's start, in seconds since boot (as /proc/uptime counts)."""
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[19]) / TICK


class Bench:
    def __init__(self, exe, run_dir):
        self.topo = str(fast_branch_004(run_dir, stateful=True))
        self.lab = forward.Lab(exe, run_dir, topo=self.topo, tag="hafail")
        self.mod = lab_module()
        self.names = self.mod.Names("hafail", run_dir)

    def console(self, router, *lines):
        return self.mod.console_run(self.mod.router_info(self.names, router)["console"],
                                    ["enable", *lines], 20)

    def pair(self, timeout):
        try:
            return self.mod.find_pair(self.names, PAIR, timeout)
        except self.mod.LabError as e:
            raise Skip(str(e))

    def hot(self, router, pid):
        """Seconds from PID's start until ROUTER says STANDBY HOT (None: not
        within HOT_TIMEOUT)."""
        port = self.mod.router_info(self.names, router)["console"]
        deadline = time.monotonic() + HOT_TIMEOUT
        while time.monotonic() < deadline:
            if self.mod.rf_states(port, 10) == ("STANDBY HOT", "ACTIVE"):
                return uptime() - started(pid)
            time.sleep(0.1)
        return None

    def failover(self):
        """One round: a dict of what `tools/lab failover` printed."""
        try:
            p = subprocess.run([*self.lab.lab, "failover", self.topo, "corp", "10.5.0.10",
                                "R4", "--count", "3000", "kill"], capture_output=True,
                               text=True, timeout=ROUND_TIMEOUT)
        except subprocess.TimeoutExpired:
            return {"ok": False, "pair": None, "outage": None, "packets": None,
                    "reneg": None, "restarted": None,
                    "why": [f"tools/lab failover ran over {ROUND_TIMEOUT:.0f} s"]}
        out = p.stdout

        def grab(rx):
            m = re.search(rx, out, re.M)
            return m.groups() if m else None
        return {"ok": p.returncode == 0,
                "pair": grab(r"^pair: (\S+) ACTIVE, (\S+) STANDBY HOT$"),
                "outage": grab(r"^outage: (\d+) ms"),
                "packets": grab(r"^packets: (\d+) sent, (\d+) lost$"),
                "reneg": grab(r"^renegotiated: (yes|no) "),
                "restarted": grab(r"^restarted (\S+) \(pid (\d+)\)"),
                "why": (p.stderr.strip() or out.strip()).splitlines()[-1:]}

    def counters(self, router):
        """(replay updates sent, checkpoint messages sent, their bytes,
        ESP packets encapsulated, decapsulated) on ROUTER now."""
        out = self.console(router, "show crypto ha counters", "show crypto ipsec sa")
        upd = re.search(r"^\s+replay updates sent: (\d+)$", out, re.M)
        sent = re.search(r"^\s+sent: (\d+) \((\d+) bytes\)", out, re.M)
        if not upd or not sent:
            raise Skip(f"{router}: no counters in show crypto ha counters: {out[-300:]}")
        enc = sum(int(x) for x in re.findall(r"#pkts encaps: (\d+)", out))
        dec = sum(int(x) for x in re.findall(r"#pkts decaps: (\d+)", out))
        return int(upd.group(1)), int(sent.group(1)), int(sent.group(2)), enc, dec

    def replay(self):
        act, _ = self.pair(60)
        if not forward.ping(self.lab, "corp", "10.5.0.10"):
            raise Skip("no ping corp -> branch through the tunnel")
        c0 = self.counters(act)
        if shutil.which("iperf3"):
            how = f"iperf3 TCP {REPLAY_SECS} s"
            mbps = ipsec.iperf(self.lab, "10.1.0.10", "10.5.0.10", client="corp",
                               server="branch", secs=REPLAY_SECS)
        else:
            how, mbps = f"ping -f for {REPLAY_SECS} s", None
            self.lab.netns("corp", "ping", "-f", "-q", "-w", str(REPLAY_SECS), "10.5.0.10",
                           check=False)
        d = [b - a for a, b in zip(c0, self.counters(act))]
        return act, how, mbps, REPLAY_SECS, d      # the traffic's time: rates while it ran


def med_worst(xs, fmt):
    return f"median {fmt(statistics.median(xs))}, worst {fmt(max(xs))}" if xs else "none"


def report_rounds(rounds, hot, budget_hit):
    done = [r for r in rounds if r["ok"] and r["outage"] and r["packets"]]
    print(f"ha failover: {len(rounds)} SIGKILLs of the ACTIVE (seed 004 pair, HSRP msec "
          f"100/300, stateful crypto map; ping corp -> branch 100/s through the tunnel)"
          + (f", stopped after {BUDGET:.0f} s" if budget_hit else ""))
    print("  killed: " + " ".join(r["pair"][0] if r["pair"] else "?" for r in rounds))
    print("  outage: " + med_worst([int(r["outage"][0]) for r in done], lambda v: f"{v:.0f} ms")
          + " (longest gap between successive replies)")
    print("  packets lost: " + med_worst([int(r["packets"][1]) for r in done],
                                         lambda v: f"{v:.0f}")
          + " (of " + med_worst([int(r["packets"][0]) for r in done], lambda v: f"{v:.0f}")
          + " sent)")
    reneg = sum(1 for r in done if r["reneg"] == ("yes",))
    print(f"  renegotiated: {reneg} of {len(done)} rounds (R4's IKE SAs or SPIs changed)")
    print("  restarted router to STANDBY HOT: " + med_worst(hot, lambda v: f"{v:.2f} s")
          + f" ({len(hot)} rounds; process start to show redundancy states, "
          "through its RF reload)")
    for i, r in enumerate(rounds):
        if r not in done or not r["restarted"]:
            print(f"  round {i + 1}: failed: {' '.join(r['why'])}")


def measure(exe, run_dir):
    b = Bench(exe, run_dir)
    subprocess.run([*b.lab.lab, "down", b.topo], capture_output=True)   # an old run's
    t_start = time.monotonic()
    rounds, hot, budget_hit = [], [], False
    try:
        b.lab.up()
        b.pair(180)
        for _ in range(ROUNDS):
            if time.monotonic() - t_start > BUDGET:
                budget_hit = True
                break
            r = b.failover()
            rounds.append(r)
            if not r["restarted"]:
                break                    # the pair is not whole: no next round
            secs = b.hot(r["restarted"][0], int(r["restarted"][1]))
            if secs is None:
                r["why"] = [f"{r['restarted'][0]} not STANDBY HOT within "
                            f"{HOT_TIMEOUT:.0f} s"]
                break
            hot.append(secs)
        report_rounds(rounds, hot, budget_hit)
        act, how, mbps, secs, (upd, msgs, nbytes, enc, dec) = b.replay()
    finally:
        b.lab.down()
    print(f"ha replay updates: {how} corp -> branch through the tunnel, default "
          f"replay-interval (inbound 1000, outbound 100000), ACTIVE {act}")
    print(f"  tunnel: {enc / secs:.0f} ESP pkts/s out, {dec / secs:.0f} in"
          + (f", {mbps:.0f} Mb/s" if mbps is not None else ""))
    print(f"  replay updates sent: {upd / secs:.1f}/s; checkpoint messages "
          f"{msgs / secs:.1f}/s, {nbytes / secs:.0f} bytes/s on the IPC link"
          + (f" ({nbytes / msgs:.0f} bytes each)" if msgs else ""))


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(REPO, "build", "iosim"))
    if os.geteuid() != 0:
        print("ha failover: not measured: needs root (namespaces and veths)")
        return 0
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))   # still take the lab down
    run_dir = tempfile.mkdtemp(prefix="iosim-hafail-")
    try:
        measure(exe, run_dir)
    except Skip as e:
        print(f"ha failover: not measured: {e}")
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
