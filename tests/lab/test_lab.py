"""tools/lab itself: topology errors, `up` refusing a lab that is up, and
`down` cleaning up whatever state the lab is in (a SIGKILLed router, a failed
`up` kept with --keep, a failed `up` without it, an `up` killed half way).
The example topologies working end to end: test_lab_examples.py.
"""

import os
import shutil
import signal
import subprocess
import time

import pytest

import iosim
from labtool import (EX, LAB, Lab, assert_clean, lab_leftovers,
                     need_root, ping_until, up_ok)

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


# ---- down, whatever the state (root) --------------------------------------------

# Two routers that need no ports (so these tests do not depend on the data
# plane), hosts on a bridge and on a host-to-host veth.
MECH = """
router R1
  config {cfg}
router R2
  config {cfg}
host a
  address lan 10.9.0.1/24
host b
  address lan 10.9.0.2/24
host c
  address lan 10.9.0.3/24
  address p2p 10.8.0.1/30
host d
  address p2p 10.8.0.2/30
"""


def mech_topology(tmp_path):
    cfg = tmp_path / "r.cfg"
    cfg.write_text("line con 0\n exec-timeout 0 0\nend\n")
    topo = tmp_path / "mech.lab"
    topo.write_text(MECH.format(cfg=cfg))
    return topo


@need_root
def test_mechanics_up_status_down(labs, tmp_path):
    lab = labs(mech_topology(tmp_path))
    up_ok(lab)
    nss, devs, procs = lab_leftovers(lab.tag)
    assert sorted(nss) == sorted(f"iosim-{lab.tag}" + x for x in ["", "-a", "-b", "-c", "-d"])
    assert len(procs) == 2 and devs == []
    out = subprocess.run(["ip", "-n", f"iosim-{lab.tag}", "-o", "link", "show", "master",
                          "lan"], capture_output=True, text=True).stdout
    assert len(out.strip().splitlines()) == 3, out
    ok, out = ping_until(lab, "a", "10.9.0.3")           # across the bridge
    assert ok, out
    ok, out = ping_until(lab, "d", "10.8.0.1")           # host to host veth
    assert ok, out
    for r in ("R1", "R2"):
        out = lab.cmd(r, "show version | include uptime")
        assert f"{r}>show version" in out and f"{r} uptime is" in out, out
    p = lab.run("status")
    assert p.returncode == 0 and p.stdout.count("listening") == 2, p.stdout
    p = lab.run("down")
    assert p.returncode == 0, p.stderr
    assert_clean(lab)
    assert lab.run("down").returncode == 0               # idempotent
    p = lab.run("status")
    assert p.returncode == 1 and "down" in p.stdout


@need_root
def test_up_twice_is_refused(labs, tmp_path):
    lab = labs(mech_topology(tmp_path))
    up_ok(lab)
    p = lab.run("up")
    assert p.returncode == 2 and "already" in p.stderr, p.stderr
    assert lab.run("status").returncode == 0     # the running lab was not disturbed


@need_root
def test_down_after_sigkilled_router(labs, tmp_path):
    lab = labs(mech_topology(tmp_path))
    up_ok(lab)
    pid = lab.state()["routers"]["R1"]["pid"]
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


