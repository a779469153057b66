"""The telnet console (--console tcp:ADDR:PORT), over a raw socket.

Each test starts its own iosim on a free port, talks to it with a small
telnet client (it answers option negotiation the way a real client does and
keeps every command it received), and stops the router with SIGTERM at the
end: the router must exit 0 with no sanitizer report.

Stdlib only; every read has a deadline.
"""

import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

import iosim

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, SGA, TTYPE, NAWS, LINEMODE = 1, 3, 24, 31, 34

REFUSE = "refuse"       # Client(answer=REFUSE): telnetlib's negotiation
IN_USE = b"% Console is in use by another session\r\n"
BANNER = b"Enter configuration commands, one per line.  End with CNTL/Z."
INVALID = b"% Invalid input detected at '^' marker."
TIMEOUT = 10


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Router:
    """An iosim whose console is a telnet server."""

    def __init__(self, args=(), config=None):
        self.tmp = tempfile.mkdtemp(prefix="iosim-telnet-")
        self.port = free_port()
        argv = [str(iosim.binary()), "--console", f"tcp:127.0.0.1:{self.port}",
                "--nvram", self.tmp, *args]
        if config is not None:
            path = os.path.join(self.tmp, "boot.cfg")
            with open(path, "w") as f:
                f.write(config)
            argv += ["--config", path]
        self.out = open(os.path.join(self.tmp, "stdout"), "w+b")
        self.err = open(os.path.join(self.tmp, "stderr"), "w+b")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.out, stderr=self.err,
                                     env=iosim.default_env())

    def stderr(self):
        self.err.flush()
        self.err.seek(0)
        return self.err.read().decode(errors="replace")

    def connect(self, answer=True):
        """A new client; retried until the router listens (it binds its
        console port before it reads its configuration)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                return Client(self.port, answer)
            except ConnectionRefusedError:
                if self.proc.poll() is not None:
                    raise AssertionError(f"iosim exited {self.proc.returncode}"
                                         f": {self.stderr()}")
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self):
        """SIGTERM; returns (exit status, stderr). Kills after a timeout."""
        return iosim.stop(self.proc, TIMEOUT), self.stderr()


@pytest.fixture
def router(request):
    """router() starts one; each is stopped at the end of the test and must
    have exited cleanly."""
    made = []

    def start(args=(), config=None):
        r = Router(args, config)
        made.append(r)
        return r

    yield start
    results = []
    for r in made:
        rc, err = r.stop()
        r.out.close()
        r.err.close()
        shutil.rmtree(r.tmp, ignore_errors=True)
        results.append((rc, err))
    for rc, err in results:
        reports = [m for m in iosim.SANITIZER_MARKERS if m in err]
        assert rc == 0 and not reports, f"iosim exit {rc}\n{err[-4000:]}"


class Client(iosim.ByteStream):
    """A raw-socket telnet client. Data bytes go to self.data (IAC IAC
    undone); commands received are kept in self.cmds as (verb, option).

    ANSWER: True negotiates as a character-mode client does; REFUSE refuses
    every option and answers every command, as Python's telnetlib does
    (DO/DONT -> WONT, WILL/WONT -> DONT); False answers nothing."""

    def __init__(self, port, answer=True):
        self.sock = socket.create_connection(("127.0.0.1", port), TIMEOUT)
        self.data = bytearray()
        self.cmds = []
        self.answer = answer
        self.closed = False
        self._pending = bytearray()     # an IAC sequence cut by recv()
        self._on = set()                # options agreed, as (side, opt)

    # -- negotiation, as a character-mode client does it
    def _negotiate(self, verb, opt):
        if not self.answer:
            return
        if self.answer is REFUSE:
            self.send_raw(bytes([IAC, WONT if verb in (DO, DONT) else DONT,
                                 opt]))
            return
        if verb == WILL:      # the server will do OPT
            if opt in (ECHO, SGA):
                if ("him", opt) not in self._on:
                    self._on.add(("him", opt))
                    self.send_raw(bytes([IAC, DO, opt]))
            else:
                self.send_raw(bytes([IAC, DONT, opt]))
        elif verb == DO:      # the server asks us to do OPT
            if opt == SGA:
                if ("us", opt) not in self._on:
                    self._on.add(("us", opt))
                    self.send_raw(bytes([IAC, WILL, opt]))
            else:
                self.send_raw(bytes([IAC, WONT, opt]))

    def _feed(self, chunk):
        buf = self._pending + chunk
        self._pending = bytearray()
        i = 0
        while i < len(buf):
            b = buf[i]
            if b != IAC:
                self.data.append(b)
                i += 1
                continue
            if i + 1 >= len(buf):
                self._pending = buf[i:]
                return
            v = buf[i + 1]
            if v == IAC:
                self.data.append(IAC)
                i += 2
            elif v in (WILL, WONT, DO, DONT):
                if i + 2 >= len(buf):
                    self._pending = buf[i:]
                    return
                self.cmds.append((v, buf[i + 2]))
                self._negotiate(v, buf[i + 2])
                i += 3
            elif v == SB:
                end = buf.find(bytes([IAC, SE]), i)
                if end < 0:
                    self._pending = buf[i:]
                    return
                i = end + 2
            else:
                self.cmds.append((v, None))
                i += 2

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self.sock.settimeout(left)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            return False
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self._feed(chunk)
        return True

    def expect_closed(self, timeout=TIMEOUT):
        deadline = time.monotonic() + timeout
        while not self.closed:
            if not self._recv(deadline) and not self.closed:
                raise AssertionError(f"connection still open; got "
                                     f"{bytes(self.data)[-2000:]!r}")
        got = bytes(self.data)
        self.data.clear()
        return got

    def send_raw(self, data):
        self.sock.sendall(data)

    def send(self, text):
        """Typed text: str or bytes; a 255 byte is sent as IAC IAC."""
        if isinstance(text, str):
            text = text.encode()
        self.send_raw(text.replace(b"\xff", b"\xff\xff"))

    def cmd(self, line, until):
        """Type LINE and Enter (CR LF); read through UNTIL."""
        self.send(line + "\r\n")
        return self.expect(until)

    def close(self):
        self.sock.close()


def session(r):
    c = r.connect()
    c.expect(b"\r\nRouter>")
    return c


def enable_conf(c):
    c.cmd("enable", b"Router#")
    c.cmd("configure terminal", b"Router(config)#")


# ---- negotiation ------------------------------------------------------------------

def test_negotiation_on_connect(router):
    r = router()
    c = r.connect()
    c.expect(b"Router>")
    assert c.cmds[:4] == [(WILL, ECHO), (WILL, SGA), (DO, SGA),
                          (DONT, LINEMODE)]
    # what the server wanted is agreed; it must not ask again
    time.sleep(0.2)
    n = len(c.cmds)
    # options it does not support are refused, each exactly once
    c.send_raw(bytes([IAC, WILL, NAWS, IAC, DO, TTYPE, IAC, WILL, TTYPE]))
    # agreeing again to what is agreed draws nothing (no negotiation loop)
    c.send_raw(bytes([IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, SGA]))
    c.send("\r\n")
    c.expect(b"Router>")
    c.read_for(0.3)
    assert c.cmds[n:] == [(DONT, NAWS), (WONT, TTYPE), (DONT, TTYPE)]


def test_echo_refused_midway_the_server_still_echoes(router):
    """IOS echoes what is typed whatever the client said to WILL ECHO."""
    r = router()
    c = session(r)
    c.send("show")
    assert c.expect(b"show") == b"show"
    c.send_raw(bytes([IAC, DONT, ECHO]))
    c.read_for(0.3)
    assert c.cmds[-1] == (WONT, ECHO)
    c.send(" version")
    assert c.expect(b" version") == b" version"
    c.send("\r\n")
    out = c.expect(b"Router>")
    assert out.startswith(b"\r\nCisco IOS Software, ")


def test_client_refusing_every_option_reads_each_command_back(router):
    """A client that refuses every option, as Python's telnetlib (and the
    automation built on it) does, and sends whole lines: each line comes
    back after its prompt, then the command's output whole, so the client
    can cut the echo off without cutting the output."""
    r = router(config=LOGIN_CFG)
    c = r.connect(answer=REFUSE)
    c.expect(b"Password: ")
    c.send("cisco\r\n")
    out = c.expect(b"Router>")
    assert out == b"\r\nRouter>"          # the password is never echoed
    # the refusals settle it: nothing more is negotiated
    assert c.cmds == [(WILL, ECHO), (WILL, SGA), (DO, SGA), (DONT, LINEMODE)]
    c.send("show clock\r\n")
    out = c.expect(b"Router>")
    assert re.fullmatch(rb"show clock\r\n\*\d\d:\d\d:\d\d\.\d{3} UTC "
                        rb"\w{3} \w{3} [1-9]\d? \d{4}\r\nRouter>", out), out
    c.send("enable\n")                     # LF alone ends a line too
    assert c.expect(b"Router#") == b"enable\r\nRouter#"
    c.send("terminal length 0\r\nshow version\r\n")   # two lines at once
    assert c.expect(b"Router#") == b"terminal length 0\r\nRouter#"
    out = c.expect(b"Router#")
    assert out.startswith(b"show version\r\nCisco IOS Software, iosim ")
    assert b"Configuration register is" in out
    c.send("show running-config | include ^hostname\r\n")
    out = c.expect(b"Router#")
    assert out == (b"show running-config | include ^hostname\r\n"
                   b"hostname Router\r\nRouter#")
    assert c.cmds == [(WILL, ECHO), (WILL, SGA), (DO, SGA), (DONT, LINEMODE)]


def test_subnegotiation_and_iac_in_data_are_skipped(router):
    r = router()
    c = session(r)
    # a subnegotiation (even one we never asked for) is skipped whole
    c.send_raw(bytes([IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]))
    c.send_raw(b"enable" + bytes([IAC, 241]) + b"\r\x00")   # NOP, CR NUL
    c.expect(b"enable\r\nRouter#")
    # LF alone ends a line too; CR LF is one line, not two
    c.send_raw(b"disable\n")
    c.expect(b"disable\r\nRouter>")
    c.send_raw(b"enable\r\n")
    c.expect(b"Router#")
    assert b"Router#" not in c.read_for(0.3)
    # a 255 data byte (IAC IAC) is a character, echoed doubled
    c.send(b"x\xff")
    got = c.expect(b"x\xff")
    assert got.endswith(b"x\xff")
    c.send("\x15")          # Ctrl-U
    c.cmd("show version", b"Cisco IOS Software")


# ---- the EXEC over telnet ------------------------------------------------------------

def test_exec_config_help_caret_ctrl_z_exit(router):
    r = router()
    c = session(r)
    c.cmd("enable", b"enable\r\nRouter#")
    out = c.cmd("show version", b"Router#")
    assert b"Cisco IOS Software" in out
    assert b"\r\n" in out and b"\n" not in out.replace(b"\r\n", b"")
    out = c.cmd("configure terminal", b"Router(config)#")
    assert BANNER + b"\r\n" in out
    # `?` prints help for what is typed, then the prompt and the text again
    c.send("interface ?")
    out = c.expect(b"Router(config)#interface ")
    assert out.startswith(b"interface ?\r\n")
    assert re.search(rb"\r\n  FastEthernet +\S", out)
    # invalid input: the caret sits under the bad word, prompt included
    c.send("\x15")
    out = c.cmd("hostnme R9", INVALID)
    caret = out.split(b"\r\n")[-2]
    assert caret == b" " * len(b"Router(config)#") + b"^"
    c.expect(b"Router(config)#")
    c.cmd("interface FastEthernet0/0", b"Router(config-if)#")
    c.send("\x1a")
    out = c.expect(b"Router#")
    assert out.startswith(b"^Z\r\n")
    assert b"%SYS-5-CONFIG_I: Configured from console by console" in out
    c.send("exit\r\n")
    c.expect_closed()
    c.close()


def test_ctrl_z_runs_the_typed_line(router):
    r = router()
    c = session(r)
    enable_conf(c)
    c.send("hostname R5\x1a")
    out = c.expect(b"R5#")
    assert out.startswith(b"hostname R5^Z\r\n")


def test_ctrl_c_abandons_the_line(router):
    r = router()
    c = session(r)
    c.send("show version\x03")
    out = c.expect(b"Router>")
    assert out == b"show version^C\r\nRouter>"
    enable_conf(c)
    c.send("hostname R7\x03")
    out = c.expect(b"Router#")
    assert out.startswith(b"hostname R7^C\r\n")
    out = c.cmd("show running-config | include hostname", b"Router#")
    assert b"hostname Router" in out and b"R7" not in out


def test_line_editing_keys(router):
    r = router()
    c = session(r)
    c.send("enablx\x7fe\r\n")               # backspace
    c.expect(b"Router#")
    c.send("show foo\x17version\r\n")      # Ctrl-W kills "foo"
    c.expect(b"Cisco IOS Software")
    c.expect(b"Router#")
    c.send("junk\x15show version\r\n")     # Ctrl-U kills the line
    c.expect(b"Cisco IOS Software")
    c.expect(b"Router#")
    c.send("\x1b[A\r\n")                    # up arrow: the last command
    c.expect(b"Cisco IOS Software")
    c.expect(b"Router#")
    c.send("how version\x01s\r\n")         # Ctrl-A, then insert at the start
    c.expect(b"Cisco IOS Software")


def test_tab_completes_a_unique_keyword(router):
    r = router()
    c = session(r)
    c.send("sh\t")
    assert c.expect(b"show ") == b"show "
    c.send("\x15SH\t")               # the keyword's own spelling
    c.expect(b"show ")
    c.send("ver\r\n")
    c.expect(b"Cisco IOS Software")
    c.expect(b"Router>")
    # more than one keyword fits: IOS shows the line again below
    c.cmd("enable", b"Router#")
    c.send("co\t")
    c.expect(b"co\r\nRouter#co")


def test_long_line_rings_the_bell(router):
    r = router()
    c = session(r)
    c.send("a" * 5000)
    got = c.read_for(1.0)
    assert b"\a" in got
    c.send("\x15")
    c.cmd("show version", b"Cisco IOS Software")


def test_100kb_line_is_cut_and_the_router_goes_on(router):
    """A 100 KB line: what passes the editor's 4096 characters rings the
    bell, the rest runs as a line (an IOS error), and the console goes on."""
    r = router()
    c = session(r)
    c.send("show " + "x" * 100000 + "\r\n")
    out = c.expect(INVALID, timeout=20)
    assert out.count(b"\a") >= 100000 - 4096 - 5
    assert b"show " + b"x" * (4096 - 5) + b"\a" in out
    c.expect(b"Router>")
    c.cmd("show version", b"Cisco IOS Software")
    fresh_session_after(r, c)


def fresh_session_after(r, c):
    """Close C; the next client gets the whole opening negotiation and a
    working EXEC: nothing of the old connection stays behind."""
    c.close()
    deadline = time.monotonic() + TIMEOUT
    while True:
        d = r.connect()
        if d.expect(b"\r\n") != IN_USE:
            break
        d.close()                   # the old one is still being closed
        assert time.monotonic() < deadline, "the console was never freed"
        time.sleep(0.05)
    d.expect(b"Router>")
    assert d.cmds[:4] == [(WILL, ECHO), (WILL, SGA), (DO, SGA), (DONT, LINEMODE)]
    d.cmd("enable", b"enable\r\nRouter#")
    d.close()


def test_option_storm_is_answered_once_each_and_harmless(router):
    """Thousands of DO/DONT/WILL/WONT, for the options we know and others:
    each draws at most one answer, and the session goes on."""
    r = router()
    c = r.connect(answer=False)
    c.expect(b"Router>")
    rng = random.Random(1143)
    opts = (ECHO, SGA, LINEMODE, TTYPE, NAWS)
    storm = bytearray()
    n = 20000
    for _ in range(n):
        opt = rng.choice(opts) if rng.random() < 0.5 else rng.randrange(256)
        storm += bytes([IAC, rng.choice((DO, DONT, WILL, WONT)), opt])
    before = len(c.cmds)
    c.send_raw(bytes(storm))
    c.send("\r\n")
    c.expect(b"Router>")
    c.read_for(0.5)
    assert 0 < len(c.cmds) - before <= n
    c.cmd("show version", b"Cisco IOS Software")
    fresh_session_after(r, c)


def test_subnegotiation_without_end_is_bounded(router):
    """IAC SB and then 100 KB that never ends in IAC SE: the server stops
    waiting for SE after a bounded length, and the console goes on."""
    r = router()
    c = session(r)
    rng = random.Random(1091)
    # no editing keys: past the bound this is typed text, and each key
    # that moved the cursor back would echo the whole rest of the line
    junk = bytes(rng.choice(b"abcdefgh \x00\xfe") for _ in range(100000))
    c.send_raw(bytes([IAC, SB, TTYPE]) + junk)
    c.read_for(0.5)
    c.send("\x15")                  # Ctrl-U: whatever became typed text
    c.cmd("show version", b"Cisco IOS Software")
    fresh_session_after(r, c)


def test_more_pager_then_disconnect_and_reconnect(router):
    r = router()
    c = session(r)
    c.cmd("enable", b"Router#")
    c.send("show running-config\r\n")
    c.expect(b" --More-- ")
    assert b"More" not in c.read_for(0.3)
    c.send("q")                     # any other key quits
    out = c.expect(b"Router#")
    assert b"end\r\n" not in out
    c.send("show running-config\r\n")
    c.expect(b" --More-- ")
    c.send(" ")                     # space: the next page
    c.expect(b"\r\nend\r\n" + b"Router#")
    # drop the connection in the middle of a page
    c.send("show running-config\r\n")
    c.expect(b" --More-- ")
    c.close()
    time.sleep(0.3)
    c2 = session(r)       # a fresh session, at user EXEC again
    c2.cmd("show version", b"Cisco IOS Software")
    c2.send("conf")       # and one dropped in the middle of a line
    c2.expect(b"conf")
    c2.close()
    time.sleep(0.3)
    session(r).cmd("enable", b"Router#")


def track_goes_down_soon(c):
    """From privileged EXEC to a syslog line a second later (see iosim)."""
    c.cmd("configure terminal", b"Router(config)#")
    for line, prompt in iosim.TRACK_DOWN_SOON:
        c.cmd(line, prompt)


TRACK_MSG = iosim.TRACK_DOWN_MSG


def test_logging_synchronous_reprints_prompt_and_input(router):
    r = router()
    c = session(r)
    c.cmd("enable", b"Router#")
    c.cmd("configure terminal", b"Router(config)#")
    c.cmd("line con 0", b"Router(config-line)#")
    c.cmd("logging synchronous", b"Router(config-line)#")
    c.cmd("end", b"Router#")
    track_goes_down_soon(c)
    c.send("descr")
    c.expect(b"descr")
    # the message on a line of its own, then the prompt and the text again
    out = c.expect(re.compile(TRACK_MSG + rb"\r\nRouter\(config-if\)#descr"),
                   timeout=5)
    assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG +
                        rb"\r\nRouter\(config-if\)#descr", out), out
    c.send("iption x\r\n")
    out = c.expect(b"Router(config-if)#")
    assert out == b"iption x\r\nRouter(config-if)#"
    out = c.cmd("do show running-config interface Loopback0", b"Router(config-if)#")
    assert b" description x\r\n" in out


def test_without_logging_synchronous_the_message_interleaves(router):
    """IOS writes the message where the cursor is, from a new line, and
    leaves the cursor at its end: what is typed next goes on after it, and
    the line being edited is still the whole of what was typed."""
    r = router()
    c = session(r)
    c.cmd("enable", b"Router#")
    track_goes_down_soon(c)
    c.send("descr")
    c.expect(b"descr")
    out = c.expect(re.compile(TRACK_MSG), timeout=5)
    assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG, out), out
    assert c.read_for(0.5) == b""           # no prompt is printed again
    c.send("iption x\r\n")
    out = c.expect(b"Router(config-if)#")
    assert out == b"iption x\r\nRouter(config-if)#"
    assert INVALID not in out
    out = c.cmd("do show running-config interface Loopback0", b"Router(config-if)#")
    assert b" description x\r\n" in out


# ---- one session at a time --------------------------------------------------------------

def test_second_connection_is_refused(router):
    r = router()
    a = session(r)
    b = r.connect()
    assert b.expect_closed() == IN_USE
    b.close()
    a.cmd("enable", b"Router#")
    a.send("exit\r\n")
    a.expect_closed()
    a.close()
    time.sleep(0.2)
    c = session(r)        # the console is free again
    c.cmd("enable", b"Router#")


def test_bind_failure_exits_1(router):
    r = router()
    session(r).close()      # it listens
    p = subprocess.run([str(iosim.binary()), "--console",
                        f"tcp:127.0.0.1:{r.port}"], stdin=subprocess.DEVNULL,
                       capture_output=True, timeout=TIMEOUT,
                       env=iosim.default_env())
    assert p.returncode == 1
    assert b"Address already in use" in p.stderr


# ---- login per line con 0 ------------------------------------------------------------------

LOGIN_CFG = "line con 0\n password cisco\n login\n"


def test_login_with_line_password(router):
    r = router(config=LOGIN_CFG)
    c = r.connect()
    out = c.expect(b"Password: ")
    assert out.endswith(b"\r\nUser Access Verification\r\n\r\nPassword: ")
    c.send("wrong\r\n")
    out = c.expect(b"Password: ")
    assert b"wrong" not in out              # never echoed
    c.send("cisco\r\n")
    out = c.expect(b"Router>")
    assert b"cisco" not in out


def test_three_bad_passwords_disconnect(router):
    r = router(config=LOGIN_CFG)
    c = r.connect()
    for _ in range(3):
        c.expect(b"Password: ")
        c.send("nope\r\n")
    out = c.expect_closed()
    assert b"% Bad passwords" in out
    c.close()
    time.sleep(0.2)
    c = r.connect()                          # the next one may try again
    c.expect(b"Password: ")
    c.send("cisco\r\n")
    c.expect(b"Router>")


def test_login_local(router):
    cfg = ("username admin privilege 15 password 0 secret1\n"
           "line con 0\n login local\n")
    r = router(config=cfg)
    c = r.connect()
    c.expect(b"User Access Verification\r\n\r\nUsername: ")
    c.send("admin\r\n")
    c.expect(b"admin\r\nPassword: ")
    c.send("bad\r\n")
    c.expect(b"% Login invalid\r\n\r\nUsername: ")
    c.send("admin\r\n")
    c.expect(b"Password: ")
    c.send("secret1\r\n")
    c.expect(b"Router#")                     # privilege 15: privileged EXEC


def test_exec_timeout_ends_the_session(router):
    r = router(config="line con 0\n exec-timeout 0 1\n")
    c = session(r)
    c.cmd("show version", b"Router>")
    start = time.monotonic()
    c.expect_closed(timeout=5)
    assert time.monotonic() - start > 0.8
    c.close()
    session(r).close()      # the console takes the next connection


def test_exec_timeout_0_0_never_ends_the_session(router):
    """exec-timeout 0 0 turns the timeout off, from the next key on."""
    r = router(config="line con 0\n exec-timeout 0 1\n")
    c = session(r)
    c.send("enable\r\nconfigure terminal\r\nline con 0\r\n"
           "exec-timeout 0 0\r\nend\r\n")
    c.expect(b"end\r\n")
    c.expect(b"Router#")
    c.read_for(2.5)                 # well past the second it had
    assert not c.closed
    c.cmd("show running-config | include exec-timeout",
          b" exec-timeout 0 0\r\nRouter#")


def test_login_without_a_password_leaves_the_console_open(router):
    """`login` on a line with no password checks nothing until one is set,
    and IOS says so when it is configured."""
    r = router(config="line con 0\n login\n")
    c = session(r)                  # no User Access Verification
    c.cmd("enable", b"Router#")
    c.cmd("configure terminal", b"Router(config)#")
    c.cmd("line con 0", b"Router(config-line)#")
    out = c.cmd("login", b"Router(config-line)#")
    assert out == (b"login\r\n% Login disabled on line 0, until 'password' "
                   b"is set\r\nRouter(config-line)#")
    c.cmd("password cisco", b"Router(config-line)#")
    assert c.cmd("login", b"Router(config-line)#") == b"login\r\nRouter(config-line)#"
    c.cmd("end", b"Router#")
    c.send("exit\r\n")
    c.expect_closed()
    c.close()
    c = r.connect()                 # now the password is asked for
    c.expect(b"User Access Verification\r\n\r\nPassword: ")
    c.send("cisco\r\n")
    c.expect(b"Router>")


def test_login_prompt_times_out(router):
    """A client that never answers the login prompt does not keep the one
    console: IOS's login response timeout (30 s, shorter with a shorter
    exec-timeout) ends it with IOS's words."""
    r = router(config="line con 0\n exec-timeout 0 1\n password cisco\n login\n")
    c = r.connect()
    c.expect(b"Password: ")
    out = c.expect_closed(timeout=5)
    assert out == b"\r\n% Password:  timeout expired!\r\n"
    c.close()
    session_after_login(r)


def session_after_login(r):
    c = r.connect()
    c.expect(b"Password: ")
    c.send("cisco\r\n")
    c.expect(b"Router>")
    return c


def test_enable_password_not_echoed(router):
    r = router(config="enable secret s3cret\n")
    c = session(r)
    c.send("enable\r\n")
    c.expect(b"Password: ")
    c.send("s3cret\r\n")
    out = c.expect(b"Router#")
    assert b"s3cret" not in out


def test_peer_that_does_not_read_is_dropped(router):
    r = router()
    c = r.connect()
    c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    c.expect(b"Router>")
    c.cmd("enable", b"Router#")
    c.cmd("terminal length 0", b"Router#")
    # ask for far more output than the router queues (1 MB) and read none
    try:
        for _ in range(40):
            c.send("show running-config\r\n" * 500)
    except OSError:
        pass            # dropped already
    deadline = time.monotonic() + 30
    while True:
        d = r.connect()
        got = d.read_for(0.5)
        if got != IN_USE:
            break
        d.close()
        assert time.monotonic() < deadline, "the silent peer was never dropped"
    assert b"Router>" in got
    c.close()


def test_random_bytes_do_not_hurt(router):
    """Noise with telnet commands, escape sequences and control keys in it:
    the router neither crashes nor blocks, and serves the next session."""
    r = router()
    rng = random.Random(854)
    pieces = [bytes([IAC]), bytes([IAC, SB]), bytes([IAC, SE]),
              bytes([IAC, WILL]), bytes([IAC, DO]), b"\x1b[", b"\x1bO",
              b"\r", b"\n", b"\x00", b"?", b"\t", b"\x03", b"\x1a",
              b"\x7f", b"\x17", b"\x15", b" "]
    c = session(r)
    try:
        for _ in range(200):
            chunk = bytearray()
            for _ in range(200):
                if rng.random() < 0.3:
                    chunk += rng.choice(pieces)
                else:
                    chunk.append(rng.randrange(256))
            c.send_raw(bytes(chunk))
            c.read_for(0.01)
    except OSError:
        pass
    fresh_session_after(r, c)
