"""tools/lab: topologies built, used and torn down.

As root (CI): each example topology comes up (namespaces, veths, bridges,
routers on veth ports, consoles on 127.0.0.1), hosts ping routers one and
several hops away, and `down` leaves nothing behind, also after a SIGKILLed
router, a failed `up` kept with --keep, and an `up` killed half-way.
Without root: the same examples over UDP wires on loopback (routers only),
run as an unprivileged user when the tests are root.

Every lab gets a fresh tag and run directory, so parallel runs do not collide;
a fixture runs `down` at the end whatever happened.
"""

import json
import os
import pwd
import random
import re
import shutil
import signal
import string
import subprocess
import tempfile
import time

import pytest

import iosim

LAB = iosim.REPO / "tools" / "lab"
EX = iosim.REPO / "examples"
ROOT = os.geteuid() == 0
need_root = pytest.mark.skipif(not ROOT, reason="needs root: network namespaces and veths")
TIMEOUT = 120

# Per example: routers and their interfaces (as the topology names them),
# hosts, and pings that must work: (host, address) across 1..3 routers,
# using interface addresses only (the HSRP virtual addresses need HSRP).
EXAMPLES = {
    "ha-000": {
        "routers": {"RouterA": ["GigabitEthernet0/0", "GigabitEthernet0/1"],
                    "RouterB": ["GigabitEthernet0/0", "GigabitEthernet0/1"],
                    "Peer": ["GigabitEthernet0/0", "GigabitEthernet0/1"]},
        "hosts": {"pc": ["inside"], "remote": ["remote"]},
        "bridges": {"inside": 3, "outside": 3},
        "pings": [("pc", "10.0.0.1"), ("pc", "10.0.0.2"), ("remote", "192.168.1.1"),
                  ("remote", "211.0.0.1"), ("remote", "211.0.0.2")],
        "router_pings": [("RouterA", "10.0.0.10"), ("Peer", "192.168.1.10")],
        "udp_hubs": ["outside"],
        "udp_pings": [("RouterA", "10.0.0.2"), ("RouterA", "211.0.0.4")],
    },
    "ha-001": {
        "routers": {"ha-R1": ["Ethernet0/0", "Ethernet1/0"],
                    "ha-R2": ["Ethernet0/0", "Ethernet1/0"],
                    "isp": ["Ethernet0/0", "Ethernet1/0"],
                    "peer": ["Ethernet0/0", "Ethernet1/0"]},
        "hosts": {"pc": ["inside"], "remote": ["site"]},
        "bridges": {"inside": 3, "outside": 3},
        "pings": [("pc", "10.0.0.1"), ("pc", "10.0.0.2"), ("remote", "172.16.0.254"),
                  ("remote", "209.165.201.5"), ("remote", "209.165.201.1"),
                  ("remote", "10.0.0.2")],
        "router_pings": [("ha-R1", "10.0.0.10"), ("peer", "172.16.0.1")],
        "udp_hubs": ["outside"],
        "udp_pings": [("ha-R1", "10.0.0.2"), ("ha-R1", "209.165.201.5"),
                      ("isp", "209.165.200.225")],
    },
    "branch-004": {
        "routers": {"R1": ["FastEthernet0/0", "FastEthernet0/1"],
                    "R2": ["FastEthernet0/0", "FastEthernet0/1"],
                    "R4": ["FastEthernet0/0", "FastEthernet0/1"]},
        "hosts": {"corp": ["corp"], "branch": ["branch"]},
        "bridges": {"corp": 3, "wan": 3},
        "pings": [("corp", "10.1.0.2"), ("corp", "10.1.0.3"), ("branch", "10.5.0.1"),
                  ("branch", "10.255.5.1"), ("branch", "10.1.0.3")],
        "router_pings": [("R4", "10.5.0.10"), ("R1", "10.1.0.10")],
        "udp_hubs": ["wan"],
        "udp_pings": [("R1", "10.1.0.3"), ("R1", "10.255.5.4")],
    },
}


def new_tag():
    return "t" + "".join(random.choices(string.ascii_lowercase + string.digits, k=7))


class Lab:
    """One lab: a tag, a run directory, tools/lab run with them."""

    def __init__(self, topo, tag=None, user=None):
        self.topo = str(topo)
        self.tag = tag or new_tag()
        self.user = user
        self.base = tempfile.mkdtemp(prefix="iosim-labtest-")
        if user:
            os.chmod(self.base, 0o777)
        self.run_dir = os.path.join(self.base, self.tag)

    def argv(self, *args, udp=False, iosim_bin=None):
        pre = []
        if self.user:
            pw = pwd.getpwnam(self.user)
            pre = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                   "--clear-groups", "--"]
        return [*pre, "/usr/bin/python3", str(LAB), "--tag", self.tag, "--run-dir",
                self.base, "--iosim", str(iosim_bin or iosim.binary()),
                *(["--udp"] if udp else []), *args]

    def run(self, *args, udp=False, iosim_bin=None, timeout=TIMEOUT, extra=()):
        cmd = self.argv(*args[:1], udp=udp, iosim_bin=iosim_bin)
        cmd = [*cmd[:-1], *extra, cmd[-1], self.topo, *args[1:]]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=iosim.default_env({"HOME": self.base}))

    def state(self):
        with open(os.path.join(self.run_dir, "state.json")) as f:
            return json.load(f)

    def cmd(self, router, *lines, udp=False, timeout=60):
        p = self.run("cmd", router, *lines, udp=udp, extra=["--timeout", "30"],
                     timeout=timeout)
        assert p.returncode == 0, f"cmd {router} {lines}: {p.stderr}"
        return p.stdout

    def logs(self):
        out = []
        if os.path.isdir(self.run_dir):
            for f in sorted(os.listdir(self.run_dir)):
                if f.endswith(".log"):
                    text = open(os.path.join(self.run_dir, f), errors="replace").read()
                    out.append(f"--- {f}\n{text[-3000:]}")
        return "\n".join(out)


def lab_leftovers(tag):
    """Namespaces, root-namespace links and processes this lab's names match."""
    ns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    nss = [l.split()[0] for l in ns.splitlines()
           if l.split() and (l.split()[0] == f"iosim-{tag}" or
                             l.split()[0].startswith(f"iosim-{tag}-"))]
    links = subprocess.run(["ip", "-o", "link", "show"], capture_output=True,
                           text=True).stdout
    devs = [m for m in re.findall(r"^\d+: ([^:@ ]+)", links, re.M)
            if m.startswith(f"io{tag}-")]
    procs = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                argv = open(f"/proc/{d}/cmdline", "rb").read().decode(errors="replace")
            except OSError:
                continue
            if f"iosim-labtest-" in argv and f"/{tag}/" in argv or \
                    f"=linux:io{tag}-" in argv:
                procs.append((int(d), argv.replace("\0", " ")[:200]))
    return nss, devs, procs


def assert_clean(lab):
    nss, devs, procs = lab_leftovers(lab.tag)
    assert (nss, devs, procs) == ([], [], []), \
        f"left behind: namespaces {nss}, links {devs}, processes {procs}"
    assert not os.path.exists(lab.run_dir), f"run dir {lab.run_dir} left behind"


@pytest.fixture
def labs():
    made = []

    def make(topo, **kw):
        lab = Lab(topo, **kw)
        made.append(lab)
        return lab

    yield make
    for lab in made:
        lab.run("down", udp=True)
        if ROOT:
            lab.run("down")
        shutil.rmtree(lab.base, ignore_errors=True)


def ping_ok(lab, host, addr):
    p = subprocess.run(["ip", "netns", "exec", f"iosim-{lab.tag}-{host}", "ping", "-c", "3",
                        "-i", "0.3", "-W", "2", addr], capture_output=True, text=True,
                       timeout=30)
    m = re.search(r"(\d+) received", p.stdout)
    return m is not None and int(m.group(1)) > 0, p.stdout + p.stderr


def ping_until(lab, host, addr, tries=10):
    """A fresh router ARPs for the way back: the first probes may be lost."""
    out = ""
    for _ in range(tries):
        ok, out = ping_ok(lab, host, addr)
        if ok:
            return True, out
    return False, out


def up_ok(lab, **kw):
    p = lab.run("up", **kw)
    assert p.returncode == 0, f"up failed ({p.returncode}):\n{p.stderr}\n{lab.logs()}"
    return p


def check_consoles(lab, spec, udp=False):
    """Every router answers on its console with its hostname, and every port
    the topology gave it is up (carrier from the veth or the UDP wire)."""
    for name, ifaces in spec["routers"].items():
        out = lab.cmd(name, "enable",
                      *[f"show interfaces {i} | include line protocol" for i in ifaces],
                      udp=udp)
        assert f"{name}>" in out and f"{name}#" in out, out
        for i in ifaces:
            assert re.search(rf"^{re.escape(i)} is up, line protocol is up", out, re.M), \
                f"{name} {i} not up:\n{out}"


# ---- topology file errors (no root needed) -------------------------------------

BAD = [
    ("switch x\n", "unknown keyword 'switch'"),
    ("router R1\n", "no `config FILE` line"),
    ("router R1\n  config nothere.cfg\n", "not found"),
    ("host h\n  gateway 10.0.0.1\n", "no `address SEGMENT"),
    ("host h\n  address s 10.0.0.2/24\n  gateway 10.1.0.1\n", "is on none of"),
    ("host h\n  address s 10.0.0.2\n", "prefix length"),
    ("host h\n  address a-very-long-segment-name 10.0.0.2/24\n", "at most 15"),
    ("host h\n  address s 10.0.0.2/24\nhost h\n  address s 10.0.0.3/24\n",
     "defined twice"),
    ("  address s 10.0.0.2/24\n", "outside a router or host"),
    ("lab Has-Caps\n", "expected `lab TAG`"),
]


@pytest.mark.parametrize("text,msg", BAD, ids=[m for _, m in BAD])
def test_topology_errors_name_file_and_line(tmp_path, text, msg):
    topo = tmp_path / "bad.lab"
    topo.write_text(text)
    lab = Lab(topo)
    p = lab.run("up", udp=True)
    assert p.returncode == 2, p.stderr
    assert msg in p.stderr and str(topo) + ":" in p.stderr, p.stderr
    assert not os.path.exists(lab.run_dir)
    shutil.rmtree(lab.base, ignore_errors=True)


def test_usage_errors():
    p = subprocess.run(["/usr/bin/python3", str(LAB), "sideways", "x.lab"],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "usage:" in p.stderr


# ---- veth labs (root) -----------------------------------------------------------

@need_root
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_up_ping_down(labs, name):
    spec = EXAMPLES[name]
    lab = labs(EX / f"{name}.lab")
    up_ok(lab)
    st = lab.state()
    assert set(st["routers"]) == set(spec["routers"])

    # Namespaces: one per host, one for the bridges; each host's interfaces
    # are named after their segments and carry the topology's addresses.
    nss, devs, procs = lab_leftovers(lab.tag)
    assert sorted(nss) == sorted([f"iosim-{lab.tag}"] +
                                 [f"iosim-{lab.tag}-{h}" for h in spec["hosts"]])
    for h, segs in spec["hosts"].items():
        out = subprocess.run(["ip", "-n", f"iosim-{lab.tag}-{h}", "-o", "link"],
                             capture_output=True, text=True).stdout
        for s in segs:
            assert re.search(rf"^\d+: {s}@", out, re.M), out
    # One veth end per router port in the root namespace, up, no address.
    nports = sum(len(v) for v in spec["routers"].values())
    assert len(devs) == nports, devs
    for d in devs:
        out = subprocess.run(["ip", "-o", "addr", "show", "dev", d], capture_output=True,
                             text=True).stdout
        assert " inet " not in out and " inet6 " not in out, out
    # Bridges with one port per member.
    for br, n in spec["bridges"].items():
        out = subprocess.run(["ip", "-n", f"iosim-{lab.tag}", "-o", "link", "show",
                              "master", br], capture_output=True, text=True).stdout
        assert len(out.strip().splitlines()) == n, out
    # Every router process runs from its pid file and is one of ours.
    for r, info in st["routers"].items():
        pid = int(open(os.path.join(lab.run_dir, f"{r}.pid")).read())
        assert pid == info["pid"] and any(p == pid for p, _ in procs)

    p = lab.run("status")
    assert p.returncode == 0, p.stdout + p.stderr
    check_consoles(lab, spec)

    for host, addr in spec["pings"]:
        ok, out = ping_until(lab, host, addr)
        assert ok, f"{host} -> {addr}:\n{out}\n{lab.logs()}"
    for router, addr in spec["router_pings"]:
        out = lab.cmd(router, f"ping {addr}")
        assert re.search(r"Success rate is [1-9]\d* percent", out), out

    p = lab.run("down")
    assert p.returncode == 0, p.stderr
    assert_clean(lab)
    p = lab.run("down")                       # idempotent
    assert p.returncode == 0, p.stderr
    p = lab.run("status")
    assert p.returncode == 1 and "down" in p.stdout


@need_root
def test_up_twice_is_refused(labs):
    lab = labs(EX / "branch-004.lab")
    up_ok(lab)
    p = lab.run("up")
    assert p.returncode == 2 and "already" in p.stderr, p.stderr
    assert lab.run("status").returncode == 0     # the running lab was not disturbed


@need_root
def test_down_after_sigkilled_router(labs):
    lab = labs(EX / "ha-000.lab")
    up_ok(lab)
    pid = lab.state()["routers"]["RouterA"]["pid"]
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    p = lab.run("status")
    assert p.returncode == 1 and "NOT RUNNING" in p.stdout, p.stdout
    p = lab.run("down")
    assert p.returncode == 0, p.stderr
    assert_clean(lab)


@need_root
def test_down_after_failed_up_kept(labs, tmp_path):
    # A "router" that dies at once: up fails after every namespace and veth
    # exists; --keep leaves them for a look, and down removes them.
    fake = tmp_path / "dies"
    fake.write_text("#!/bin/sh\necho 'no such router' >&2\nexit 1\n")
    fake.chmod(0o755)
    lab = labs(EX / "ha-001.lab")
    p = lab.run("up", iosim_bin=fake, extra=["--keep"])
    assert p.returncode == 2 and "exited at start" in p.stderr, p.stderr
    assert "no such router" in p.stderr
    nss, devs, _ = lab_leftovers(lab.tag)
    assert nss and devs
    p = lab.run("down")
    assert p.returncode == 0, p.stderr
    assert_clean(lab)


@need_root
def test_failed_up_tears_down_without_keep(labs, tmp_path):
    fake = tmp_path / "dies"
    fake.write_text("#!/bin/sh\nexit 3\n")
    fake.chmod(0o755)
    lab = labs(EX / "branch-004.lab")
    p = lab.run("up", iosim_bin=fake)
    assert p.returncode == 2 and "torn down" in p.stderr, p.stderr
    assert_clean(lab)


@need_root
def test_down_after_up_killed_half_way(labs):
    # Kill the tool itself once its first namespaces exist: whatever it had
    # built by then, down removes.
    lab = labs(EX / "ha-001.lab")
    cmd = lab.argv("up") + [lab.topo]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=iosim.default_env())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and p.poll() is None:
        if lab_leftovers(lab.tag)[1]:          # a root-namespace veth exists
            break
        time.sleep(0.01)
    p.kill()
    p.wait()
    assert any(lab_leftovers(lab.tag)[:2]), "nothing was built before the kill"
    d = lab.run("down")
    assert d.returncode == 0, d.stderr
    assert_clean(lab)


# ---- UDP labs (no root) ---------------------------------------------------------

def unprivileged():
    """Run UDP labs as nobody when we are root, to prove they need no root."""
    if not ROOT:
        return None
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return None
    return "nobody" if shutil.which("setpriv") else None


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_over_udp_without_root(labs, name):
    spec = EXAMPLES[name]
    lab = labs(EX / f"{name}.lab", user=unprivileged())
    p = up_ok(lab, udp=True)
    for h in spec["hosts"]:
        assert re.search(rf"host\(s\) (.*, )?{h}(, .*)? on segment .* skipped", p.stderr), \
            p.stderr
    st = lab.state()
    assert st["mode"] == "udp" and st["netns"] == [] and st["links"] == []
    assert sorted(st["hubs"]) == sorted(spec["udp_hubs"])
    for r, info in st["routers"].items():
        assert not any("linux:" in a for a in info["argv"])
        if lab.user:
            assert os.stat(f"/proc/{info['pid']}").st_uid == pwd.getpwnam(lab.user).pw_uid
    assert lab.run("status", udp=True).returncode == 0
    # Ports on a wire or a hub are up; a router alone on a segment (its
    # partners were hosts) keeps that interface unattached.
    attached = {r: [i for i in ifs
                    if any(a.startswith(f"{i}=udp:") for a in st["routers"][r]["argv"])]
                for r, ifs in spec["routers"].items()}
    assert sum(len(v) for v in attached.values()) >= 4
    check_consoles(lab, {"routers": attached}, udp=True)
    # Routers reach each other over a UDP wire and through a hub.
    for router, addr in spec["udp_pings"]:
        out = lab.cmd(router, f"ping {addr}", udp=True)
        assert re.search(r"Success rate is [1-9]\d* percent", out), out
    p = lab.run("down", udp=True)
    assert p.returncode == 0, p.stderr
    assert lab_leftovers(lab.tag)[2] == []
    assert not os.path.exists(lab.run_dir)
