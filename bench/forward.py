#!/usr/bin/python3
"""Forwarding bench: prints figures, asserts nothing.

  bench/forward.py [IOSIM]          (bench/run.sh runs it; needs root)

Builds bench/forward.lab with tools/lab: namespaces src and sink, joined once
through one iosim router (release build) and once through a Linux namespace
with ip_forward on. For 64- and 1400-byte frames (RFC 2544 sizes, FCS
included), bench/pktgen sends a bounded burst of UDP frames from src as fast
as it can, once through each forwarder; the sink's receive counter
(/proc/PID/net/dev of a process in the sink namespace) gives the frames that
came through and when. Printed per size:

  iosim pps     frames counted at the sink / time from the first to the last
  Linux pps     the same through the Linux namespace
  ratio         iosim / Linux
  CPU/frame     the router's utime+stime (/proc/PID/stat) over the burst,
                divided by the frames it forwarded
  delivered     frames at the sink / frames sent (the rest were dropped on
                the way: the forwarder did not keep up)
  offered pps   frames sent / the sender's time: the sender, the veths and
                Linux's forwarding all run in the sender's softirq on one
                core, so when delivered is 100% the sender was the limit

Env: BENCH_FRAMES (frames per burst, default 300000).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAB = os.path.join(REPO, "tools", "lab")
TOPO = os.path.join(REPO, "bench", "forward.lab")
PKTGEN = os.path.join(REPO, "build", "bench", "pktgen")
FRAMES = int(os.environ.get("BENCH_FRAMES", "300000"))
SIZES = (64, 1400)
QUIET = 0.3           # the sink counter has settled when unchanged this long
LIMIT = 120.0         # seconds, at most, for one burst to drain


class Skip(Exception):
    pass


def sh(*args, check=True):
    p = subprocess.run(args, capture_output=True, text=True)
    if check and p.returncode:
        raise Skip(f"`{' '.join(args)}` failed: {(p.stderr or p.stdout).strip()[-400:]}")
    return p.stdout


class Lab:
    def __init__(self, exe, run_dir, topo=TOPO, tag="bench"):
        self.topo, self.tag = topo, tag
        self.lab = [sys.executable, LAB, "--tag", tag, "--run-dir", run_dir,
                    "--iosim", exe]
        self.run = os.path.join(run_dir, tag)
        self.holders = []

    def up(self):
        p = subprocess.run([*self.lab, "up", self.topo], capture_output=True, text=True)
        if p.returncode:
            raise Skip("tools/lab up failed: " + p.stderr.strip()[-1500:])
        with open(os.path.join(self.run, "state.json")) as f:
            self.state = json.load(f)

    def down(self):
        for h in self.holders:
            h.kill()
            h.wait()
        subprocess.run([*self.lab, "down", self.topo], capture_output=True)

    def ns(self, host):
        return f"iosim-{self.tag}-{host}"

    def netns(self, host, *args, check=True):
        return sh("ip", "netns", "exec", self.ns(host), *args, check=check)

    def holder(self, host):
        """A process inside HOST's namespace: /proc/PID/net/dev is its counters."""
        p = subprocess.Popen(["ip", "netns", "exec", self.ns(host), "sleep", "3600"])
        self.holders.append(p)
        return p.pid

    def mac(self, host, dev):
        out = sh("ip", "-n", self.ns(host), "link", "show", dev)
        return re.search(r"link/ether ([0-9a-f:]{17})", out).group(1)

    def neigh(self, host, addr):
        out = sh("ip", "-n", self.ns(host), "neigh", "show", addr)
        m = re.search(r"lladdr ([0-9a-f:]{17})", out)
        return m.group(1) if m else None


def rx_packets(pid, dev):
    with open(f"/proc/{pid}/net/dev") as f:
        for line in f:
            name, _, rest = line.partition(":")
            if name.strip() == dev:
                return int(rest.split()[1])
    raise Skip(f"{dev} not in /proc/{pid}/net/dev")


def cpu_ticks(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])      # utime, stime


def burst(lab, holder, sink_dev, dev, dst_mac, src_ip, dst_ip, size, router_pid):
    """Send FRAMES frames; return (sent, offered pps, forwarded, pps, cpu s)."""
    src_mac = lab.mac("src", dev)
    c0 = rx_packets(holder, sink_dev)
    cpu0 = cpu_ticks(router_pid) if router_pid else 0
    gen = subprocess.Popen(["ip", "netns", "exec", lab.ns("src"), PKTGEN, dev, dst_mac,
                            src_mac, src_ip, dst_ip, str(size), str(FRAMES)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first = last = None
    c = c0
    deadline = time.monotonic() + LIMIT
    while time.monotonic() < deadline:
        time.sleep(0.002)
        n = rx_packets(holder, sink_dev)
        t = time.monotonic()
        if n != c:
            if first is None:
                first = (t, c)             # counted from the sample before
            last, c = (t, n), n
        elif gen.poll() is not None and (last is None or t - last[0] > QUIET):
            break
    out, err = gen.communicate()
    cpu = (cpu_ticks(router_pid) - cpu0) / os.sysconf("SC_CLK_TCK") if router_pid else 0
    m = re.match(r"sent (\d+) ([\d.]+)", out)
    if gen.returncode or not m:
        raise Skip(f"pktgen failed: {err.strip() or out.strip()}")
    sent, secs = int(m.group(1)), float(m.group(2))
    got = c - c0
    pps = (last[1] - first[1]) / (last[0] - first[0]) if first and last[0] > first[0] \
        else 0.0
    return sent, sent / secs if secs > 0 else 0.0, got, pps, cpu


def ping(lab, host, addr, count=3):
    out = lab.netns(host, "ping", "-c", str(count), "-i", "0.2", "-W", "1", addr,
                    check=False)
    m = re.search(r"(\d+) received", out)
    return m is not None and int(m.group(1)) > 0


def measure(exe):
    if os.geteuid() != 0:
        raise Skip("needs root (namespaces and veths)")
    if not os.access(PKTGEN, os.X_OK):
        raise Skip(f"{PKTGEN} missing (make bench builds it)")
    run_dir = tempfile.mkdtemp(prefix="iosim-fwd-")
    lab = Lab(exe, run_dir)
    subprocess.run([*lab.lab, "down", TOPO], capture_output=True)   # an old run's
    try:
        lab.up()
        router_pid = lab.state["routers"]["fwd"]["pid"]
        holder = lab.holder("sink")
        # ARP both ways and prove each path forwards before counting anything.
        if not ping(lab, "src", "10.1.0.1"):
            raise Skip("the router does not answer ping from src (10.1.0.1)")
        if not ping(lab, "src", "10.2.0.2"):
            raise Skip("no ping through the router (10.1.0.2 -> 10.2.0.2)")
        if not ping(lab, "src", "10.4.0.2"):
            raise Skip("no ping through the Linux namespace (10.3.0.2 -> 10.4.0.2)")
        rmac, lmac = lab.neigh("src", "10.1.0.1"), lab.neigh("src", "10.3.0.1")
        if not rmac or not lmac:
            raise Skip("no ARP entry for a forwarder in src")
        rows = []
        for size in SIZES:
            r = burst(lab, holder, "r-sink", "src-r", rmac, "10.1.0.2", "10.2.0.2",
                      size, router_pid)
            lx = burst(lab, holder, "l-sink", "src-l", lmac, "10.3.0.2", "10.4.0.2",
                       size, None)
            rows.append((size, r, lx))
        return rows
    finally:
        lab.down()
        shutil.rmtree(run_dir, ignore_errors=True)


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(REPO, "build", "iosim"))
    try:
        rows = measure(exe)
    except Skip as e:
        print(f"forwarding: not measured: {e}")
        return 0
    print(f"forwarding: one router between two veths, {FRAMES} frames per burst "
          "from a raw-socket sender in a namespace, counted at the sink namespace")
    print(f"  {'frame':>6} {'iosim pps':>10} {'Linux pps':>10} {'ratio':>6} "
          f"{'iosim CPU/frame':>15} {'iosim delivered':>15} {'Linux delivered':>15}"
          f" {'offered pps (iosim/Linux run)':>30}")
    for size, (rs, roff, rgot, rpps, cpu), (ls, loff, lgot, lpps, _) in rows:
        ratio = f"{rpps / lpps:.3f}" if lpps else "-"
        per = f"{cpu / rgot * 1e6:.2f} us" if rgot else "-"
        print(f"  {size:>4} B {rpps:>10.0f} {lpps:>10.0f} {ratio:>6} {per:>15} "
              f"{100.0 * rgot / rs:>14.1f}% {100.0 * lgot / ls:>14.1f}% "
              f"{roff:>20.0f} / {loff:.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
