"""Helpers for the tools/lab tests: a Lab runs tools/lab with its own tag
and run directory (so parallel labs never collide), and the checks that
nothing of a lab is left behind. Stdlib + pytest."""

import importlib.machinery
import importlib.util
import json
import os
import pwd
import random
import re
import shutil
import signal
import socket
import string
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest

import iosim

LAB = iosim.REPO / "tools" / "lab"
EX = iosim.REPO / "examples"
ROOT = os.geteuid() == 0
need_root = pytest.mark.skipif(not ROOT, reason="needs root: network namespaces and veths")
TIMEOUT = 120

def new_tag():
    return "t" + "".join(random.choices(string.ascii_lowercase + string.digits, k=7))


class Lab:
    """One lab: a tag, a run directory, tools/lab run with them."""

    def __init__(self, topo, tag=None, user=None):
        self.topo = str(topo)
        self.tag = tag or new_tag()
        self.user = user
        self.base = tempfile.mkdtemp(prefix="iosim-labtest-")
        self.lab = LAB
        self.iosim = None
        if user:
            os.chmod(self.base, 0o777)
            self._stage()
        self.run_dir = os.path.join(self.base, self.tag)

    def _stage(self):
        """An unprivileged user may not reach the checkout (a clone in a
        0700 mktemp directory): give it its own world-readable copy of the
        lab tool, the topology's directory and the router binary."""
        stage = os.path.join(self.base, "stage")
        os.makedirs(os.path.join(stage, "tools"))
        self.lab = os.path.join(stage, "tools", "lab")
        shutil.copy2(LAB, self.lab)
        topo_dir = os.path.dirname(os.path.abspath(self.topo))
        staged_dir = os.path.join(stage, "topo")
        shutil.copytree(topo_dir, staged_dir)
        self.topo = os.path.join(staged_dir, os.path.basename(self.topo))
        self.iosim = os.path.join(stage, "iosim")
        shutil.copy2(iosim.binary(), self.iosim)
        for d, _, files in os.walk(stage):
            os.chmod(d, 0o755)
            for name in files:
                p = os.path.join(d, name)
                os.chmod(p, 0o755 if os.access(p, os.X_OK) else 0o644)

    def argv(self, *args, udp=False, iosim_bin=None):
        pre = []
        if self.user:
            pw = pwd.getpwnam(self.user)
            pre = ["setpriv", f"--reuid={pw.pw_uid}", f"--regid={pw.pw_gid}",
                   "--clear-groups", "--"]
        return [*pre, "/usr/bin/python3", str(self.lab), "--tag", self.tag, "--run-dir",
                self.base, "--iosim", str(iosim_bin or self.iosim or iosim.binary()),
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


def lab_module():
    """tools/lab itself as a module: its Pinger (a 100/s ping read as it
    runs, the longest gap between replies), console_run, ..."""
    loader = importlib.machinery.SourceFileLoader("iosim_tools_lab", str(LAB))
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(mod)
    return mod


# one bounded poll for every lab test (iosim.py's)
wait_for = iosim.wait_for


def fast_branch_004(tmp, stateful, example="branch-004"):
    """examples/EXAMPLE.lab and its directory (branch-004, or
    branch-004-strongswan) copied to TMP with HSRP timers 100/300 ms on both
    groups of each distribution router (and the crypto map's `stateful`
    taken out unless STATEFUL)."""
    shutil.copytree(EX / example, Path(tmp) / example)
    for cfg in sorted((Path(tmp) / example).glob("*.cfg")):
        text = re.sub(r"^ standby (\d) ip (\S+)$",
                      r" standby \1 ip \2\n standby \1 timers msec 100 msec 300",
                      cfg.read_text(), flags=re.M)
        assert text.count("timers msec") == (2 if " standby " in text else 0), text
        if not stateful:
            text = text.replace(" redundancy BRANCH-5-TUNNEL stateful",
                                " redundancy BRANCH-5-TUNNEL")
            assert "stateful" not in text, text
        cfg.write_text(text)
    topo = Path(tmp) / f"{example}.lab"
    topo.write_text((EX / f"{example}.lab").read_text())
    return topo


def single_interface_004(name, extra_if=(), extra_local=()):
    """Seed 004's distribution router NAME (examples/branch-004) with its wan
    interface only: the corporate LAN interface and its group left out.
    EXTRA_IF lines go under the wan interface, EXTRA_LOCAL under local-ip."""
    out, skip = [], False
    for line in (EX / "branch-004" / f"{name}.cfg").read_text().splitlines():
        if line.startswith("interface FastEthernet0/1"):
            skip = True
            continue
        if skip and (line.startswith(" ") or line == ""):
            continue
        skip = False
        out.append(line)
        if line.startswith("interface FastEthernet0/0"):
            out += list(extra_if)
        if line.startswith("    local-ip"):
            out += [f"    {l}" for l in extra_local]
    return "\n".join(out) + "\n"


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
            if "iosim-labtest-" in argv and f"/{tag}/" in argv or \
                    f"=linux:io{tag}-" in argv:
                procs.append((int(d), argv.replace("\0", " ")[:200]))
    return nss, devs, procs


def assert_clean(lab):
    nss, devs, procs = lab_leftovers(lab.tag)
    assert (nss, devs, procs) == ([], [], []), \
        f"left behind: namespaces {nss}, links {devs}, processes {procs}"
    assert not os.path.exists(lab.run_dir), f"run dir {lab.run_dir} left behind"


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


def unprivileged():
    """Run UDP labs as nobody when we are root, to prove they need no root."""
    if not ROOT:
        return None
    try:
        pwd.getpwnam("nobody")
    except KeyError:
        return None
    return "nobody" if shutil.which("setpriv") else None


def stop_routers_clean(lab):
    """SIGTERM every router of LAB and wait: each must exit with no sanitizer
    report in its log (the test build runs under ASan/UBSan)."""
    routers = lab.state()["routers"]
    for info in routers.values():
        try:
            os.kill(info["pid"], signal.SIGTERM)
        except ProcessLookupError:           # a router the test killed
            pass
    deadline = time.monotonic() + 20
    for name, info in routers.items():
        while os.path.exists(f"/proc/{info['pid']}/cmdline") and \
                open(f"/proc/{info['pid']}/stat").read().rsplit(")", 1)[1].split()[0] != "Z" \
                and time.monotonic() < deadline:
            time.sleep(0.05)
        log = open(os.path.join(lab.run_dir, f"{name}.log"), errors="replace").read()
        reports = [m for m in iosim.SANITIZER_MARKERS if m in log]
        assert not reports, f"{name}: {reports}\n{log[-4000:]}"


# ---- a console kept open for a whole test ------------------------------------------

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
PROMPT_AT = re.compile(r"(?:^|\n)([A-Za-z0-9._-]{1,63}(?:\([a-z0-9-]+\))?[>#]) ?")
# what may follow the prompt: syslog lines the router printed after it
AFTER_PROMPT = re.compile(r"(?:\n[^\n%]*%[A-Z0-9_]+-\d-[A-Z0-9_]+:[^\n]*)*\s*")


def prompt_end(text):
    """The prompt TEXT ends in (perhaps followed by syslog lines the router
    printed after it), else None."""
    last = None
    for m in PROMPT_AT.finditer(text):
        last = m
    if last is None or not AFTER_PROMPT.fullmatch(text, last.end()):
        return None
    return last


class Console:
    """One telnet session to a router's console (tools/lab's consoles serve
    one session at a time), kept open so that syslog lines arriving between
    commands are kept too: everything received is in self.text(). A reload
    keeps the session (the router returns it to user EXEC); cmd() enables
    again when it finds the prompt at '>'. A thread reads the socket."""

    def __init__(self, port, timeout=10):
        self.port = port
        self.lock = threading.Lock()
        self.buf = ""
        self.sock = None
        self.connect(timeout)

    def connect(self, timeout=10):
        """Connect and get a prompt; a console still busy with the session
        before (tools/lab's check that it listens, say) says so and closes:
        try again until TIMEOUT."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.create_connection(("127.0.0.1", self.port), 1)
                self.sock.settimeout(None)   # the reader blocks
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            self.closed = False
            self._pending = b""
            threading.Thread(target=self._reader, daemon=True).start()
            self.sock.sendall(b"\r\n")
            start = time.monotonic()
            while not self.closed and time.monotonic() - start < 1:
                if prompt_end(self.text()):
                    break
                time.sleep(0.05)
            if not self.closed:
                break
            self.sock.close()
            if time.monotonic() > deadline:
                raise AssertionError(f"console {self.port}: {self.text()[-300:]!r}")
            time.sleep(0.2)
        self.wait_prompt(timeout)

    def _answer(self, verb, opt):
        ok = opt in (1, 3)       # echo, suppress-go-ahead
        if verb == WILL:
            self.sock.sendall(bytes([IAC, DO if ok else DONT, opt]))
        elif verb == DO:
            self.sock.sendall(bytes([IAC, WILL if opt == 3 else WONT, opt]))

    def _feed(self, data):
        data = self._pending + data
        self._pending = b""
        out = bytearray()
        i = 0
        while i < len(data):
            b = data[i]
            if b != IAC:
                out.append(b)
                i += 1
                continue
            if i + 2 >= len(data):
                self._pending = data[i:]
                break
            v = data[i + 1]
            if v == IAC:
                out.append(IAC)
                i += 2
            elif v in (WILL, WONT, DO, DONT):
                self._answer(v, data[i + 2])
                i += 3
            elif v == SB:
                end = data.find(bytes([IAC, SE]), i)
                if end < 0:
                    self._pending = data[i:]
                    break
                i = end + 2
            else:
                i += 2
        text = out.decode(errors="replace").replace("\r", "")
        with self.lock:
            self.buf += text

    def _reader(self):
        sock = self.sock
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return
            self._feed(data)

    def text(self):
        with self.lock:
            return self.buf

    def wait_prompt(self, timeout=10, since=0):
        """Wait until the text after SINCE ends in a prompt; the prompt."""
        deadline = time.monotonic() + timeout
        while True:
            t = self.text()[since:]
            m = prompt_end(t)
            if m:
                time.sleep(0.15)           # nothing more follows?
                if self.text()[since:] == t:
                    return m.group(1)
                continue
            if time.monotonic() > deadline or self.closed:
                raise AssertionError(f"console {self.port}: no prompt; got "
                                     f"{self.text()[-1500:]!r}")
            time.sleep(0.05)

    def send(self, line):
        self.sock.sendall(line.encode() + b"\r\n")

    def cmd(self, line, timeout=20):
        """Type LINE at the prompt; its output (the echo and the prompt
        after it removed)."""
        start = len(self.text())
        self.send(line)
        prompt = self.wait_prompt(timeout, start)
        out = self.text()[start:]
        k = out.find(line)
        out = out[k + len(line):] if k >= 0 else out
        end = prompt_end(out)
        out = (out[:end.start()] + out[end.end():]).lstrip("\n")
        return out if not out or out.endswith("\n") else out + "\n"

    def prompt(self, timeout=20):
        """A fresh prompt (Return typed): where the session is now."""
        start = len(self.text())
        self.send("")
        return self.wait_prompt(timeout, start)

    def priv(self, *lines, timeout=20):
        """LINES at privileged EXEC (enabling first when the session is at
        user EXEC, as after a reload); their outputs joined."""
        if self.prompt(timeout).endswith(">"):
            self.cmd("enable")
            self.cmd("terminal length 0")
        return "".join(self.cmd(l, timeout) for l in lines)

    def count(self, s):
        return self.text().count(s)

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass
