"""The stdio console on a terminal (GNU readline), through a pseudo-terminal.

Each test starts iosim with a pty as its stdin and stdout, types into the
master side and reads the screen back. readline's bracketed-paste switches
(ESC [ ? 2004 h/l) are dropped before matching. At the end the router is
stopped with SIGTERM; it must exit 0 with no sanitizer report.

Stdlib only; every read has a deadline.
"""

import os
import re
import select
import signal
import subprocess
import tempfile
import time

import iosim

TIMEOUT = 10
NOISE = re.compile(rb"\x1b\[\?2004[hl]")
TRACK_MSG = rb"%TRACKING-5-STATE: 1 interface Lo0 line-protocol Up->Down"


class Tty:
    def __init__(self):
        self.master, slave = os.openpty()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(iosim.binary())], stdin=slave, stdout=slave, stderr=self.err,
            env=iosim.default_env({"TERM": "vt100"}), start_new_session=True)
        os.close(slave)
        self.data = b""

    def _read(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.master], [], [], left)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:         # the process closed the terminal
            return False
        if not chunk:
            return False
        self.data = NOISE.sub(b"", self.data + chunk)
        return True

    def expect(self, pattern, timeout=TIMEOUT):
        """Read until PATTERN (bytes or compiled regex); return the screen
        up to its end and consume it."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pattern, bytes):
                k = self.data.find(pattern)
                end = k + len(pattern) if k >= 0 else -1
            else:
                m = pattern.search(self.data)
                end = m.end() if m else -1
            if end >= 0:
                got, self.data = self.data[:end], self.data[end:]
                return got
            if not self._read(deadline):
                raise AssertionError(f"{pattern!r} not seen; got "
                                     f"{self.data[-2000:]!r}")

    def read_for(self, secs):
        deadline = time.monotonic() + secs
        while self._read(deadline):
            pass
        got, self.data = self.data, b""
        return got

    def cmd(self, line, until):
        os.write(self.master, line.encode() + b"\r")
        return self.expect(until)

    def type(self, text):
        os.write(self.master, text.encode())

    def finish(self):
        """SIGTERM (a console's exit only logs out); the process must end
        cleanly."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(TIMEOUT)
        os.close(self.master)
        self.err.seek(0)
        err = self.err.read().decode(errors="replace")
        self.err.close()
        reports = [m for m in iosim.SANITIZER_MARKERS if m in err]
        assert self.proc.returncode == 0 and not reports, \
            f"iosim exit {self.proc.returncode}\n{err[-4000:]}"


def track_goes_down_soon(t, synchronous):
    t.expect(b"Router>")
    t.cmd("enable", b"Router#")
    t.cmd("configure terminal", b"Router(config)#")
    if synchronous:
        t.cmd("line con 0", b"Router(config-line)#")
        t.cmd("logging synchronous", b"Router(config-line)#")
    t.cmd("interface Loopback0", b"Router(config-if)#")
    t.cmd("track 1 interface Loopback0 line-protocol", b"Router(config-track)#")
    t.cmd("delay down 1", b"Router(config-track)#")
    t.cmd("interface Loopback0", b"Router(config-if)#")
    t.cmd("shutdown", b"Router(config-if)#")


def typed_on(t):
    """The rest of the line, typed after the message: the command is still
    the whole of what was typed."""
    t.type("iption x\r")
    t.expect(b"Router(config-if)#")
    out = t.cmd("do show running-config interface Loopback0",
                b"Router(config-if)#")
    assert b" description x\r\n" in out


def test_logging_synchronous_reprints_prompt_and_input():
    t = Tty()
    try:
        track_goes_down_soon(t, synchronous=True)
        t.type("descr")
        t.expect(b"descr")
        out = t.expect(re.compile(TRACK_MSG + rb"\r\nRouter\(config-if\)#descr"))
        assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG +
                            rb"\r\nRouter\(config-if\)#descr", out), out
        typed_on(t)
    finally:
        t.finish()


def test_without_logging_synchronous_the_message_interleaves():
    t = Tty()
    try:
        track_goes_down_soon(t, synchronous=False)
        t.type("descr")
        t.expect(b"descr")
        out = t.expect(re.compile(TRACK_MSG))
        assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG, out), out
        assert t.read_for(0.5) == b""       # no prompt is printed again
        typed_on(t)
    finally:
        t.finish()
