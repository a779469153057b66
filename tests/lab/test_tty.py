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
import subprocess
import tempfile
import time

import pytest

import iosim

TIMEOUT = 10
NOISE = re.compile(rb"\x1b\[\?2004[hl]")
TRACK_MSG = iosim.TRACK_DOWN_MSG


class Tty(iosim.ByteStream):
    """iosim on a pseudo-terminal: type into it, read its screen."""

    def __init__(self):
        self.master, slave = os.openpty()
        self.err = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            [str(iosim.binary())], stdin=slave, stdout=slave, stderr=self.err,
            env=iosim.default_env({"TERM": "vt100"}), start_new_session=True)
        os.close(slave)
        self.data = bytearray()

    def _recv(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        ready, _, _ = select.select([self.master], [], [], left)
        if not ready:
            return False
        try:
            chunk = os.read(self.master, 65536)
        except OSError:         # the process closed the terminal
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.data = bytearray(NOISE.sub(b"", self.data + chunk))
        return True

    def cmd(self, line, until):
        os.write(self.master, line.encode() + b"\r")
        return self.expect(until)

    def type(self, text):
        os.write(self.master, text.encode())

    def finish(self):
        """SIGTERM (a console's exit only logs out); the process must end
        cleanly."""
        rc = iosim.stop(self.proc, TIMEOUT)
        os.close(self.master)
        self.err.seek(0)
        err = self.err.read().decode(errors="replace")
        self.err.close()
        reports = [m for m in iosim.SANITIZER_MARKERS if m in err]
        assert rc == 0 and not reports, f"iosim exit {rc}\n{err[-4000:]}"


@pytest.fixture
def tty():
    t = Tty()
    yield t
    t.finish()


def track_goes_down_soon(t, synchronous):
    t.expect(b"Router>")
    t.cmd("enable", b"Router#")
    t.cmd("configure terminal", b"Router(config)#")
    if synchronous:
        t.cmd("line con 0", b"Router(config-line)#")
        t.cmd("logging synchronous", b"Router(config-line)#")
    for line, prompt in iosim.TRACK_DOWN_SOON:
        t.cmd(line, prompt)


def message_while_typing(t, synchronous):
    """Type the start of a line just before the track object logs; return
    what the screen shows from the message on."""
    track_goes_down_soon(t, synchronous)
    t.type("descr")
    t.expect(b"descr")
    return t.expect(re.compile(TRACK_MSG))


def typed_on(t):
    """The rest of the line, typed after the message: the command is still
    the whole of what was typed."""
    t.type("iption x\r")
    t.expect(b"Router(config-if)#")
    out = t.cmd("do show running-config interface Loopback0",
                b"Router(config-if)#")
    assert b" description x\r\n" in out


def test_logging_synchronous_reprints_prompt_and_input(tty):
    out = message_while_typing(tty, synchronous=True)
    out += tty.expect(b"\r\nRouter(config-if)#descr")
    assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG +
                        rb"\r\nRouter\(config-if\)#descr", out), out
    typed_on(tty)


def test_without_logging_synchronous_the_message_interleaves(tty):
    out = message_while_typing(tty, synchronous=False)
    assert re.fullmatch(rb"\r\n[^\r\n]*" + TRACK_MSG, out), out
    assert tty.read_for(0.5) == b""     # no prompt is printed again
    typed_on(tty)
