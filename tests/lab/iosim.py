"""A small driver for iosim's stdio console, for the lab tests.

iosim with stdin a pipe processes each line as if typed: it prints the prompt,
the line exactly as read and a newline, then that line's output, and exits 0 at
EOF.  run() feeds lines that way and parse() cuts the transcript back into one
Record per line sent, by looking for "<prompt><line>\\n" in order (we know the
lines, so the echo is the anchor; the prompt is whatever IOS-like prompt stands
in front of it).

Bytes that are not UTF-8 survive the round trip: everything is decoded with
"surrogateescape", so a line sent as b"\\xff" is found again as "\\udcff".
Stdlib only.
"""

import os
import re
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ENC = "utf-8"
ERRS = "surrogateescape"

# An IOS prompt: hostname, optional "(mode)", then ">" or "#".
PROMPT_RE = r"[A-Za-z0-9._-]{1,63}(?:\([a-z0-9-]+\))?[>#]"

MSG_INVALID = "% Invalid input detected at '^' marker."
MSG_INCOMPLETE = "% Incomplete command."
MSG_AMBIGUOUS = '% Ambiguous command:  "'

# A syslog line, with or without a timestamp in front ("*Mar  1 00:00:01.123: ",
# "00:00:12: ", "Mar  1 00:00:01: ", a sequence number ...).
SYSLOG_RE = re.compile(r"^(?:[^%\n]*: ?)?%[A-Z0-9_]+-\d-[A-Z0-9_]+:")

SANITIZER_MARKERS = (
    "ERROR: AddressSanitizer",
    "ERROR: LeakSanitizer",
    "AddressSanitizer:DEADLYSIGNAL",
    "runtime error:",
    "SUMMARY: UndefinedBehaviorSanitizer",
    "SUMMARY: AddressSanitizer",
)


def binary():
    """The iosim under test: $IOSIM, else build/test/iosim (ASan/UBSan)."""
    env = os.environ.get("IOSIM")
    return Path(env) if env else REPO / "build" / "test" / "iosim"


# A copy of shared/configs kept in the repository, so a clone anywhere tests
# the seed configurations; the project's own shared/ wins when it is there.
VENDORED_SHARED = REPO / "tests" / "data" / "shared"


def shared_dir():
    """$IOSIM_SHARED, else the repository's parent's shared/ (the project's
    layout), else the copy in tests/data/shared."""
    env = os.environ.get("IOSIM_SHARED")
    if env:
        return Path(env)
    project = REPO.parent / "shared"
    return project if (project / "configs").is_dir() else VENDORED_SHARED


def _text(x):
    if isinstance(x, bytes):
        return x.decode(ENC, ERRS)
    return x


def _bytes(x):
    if isinstance(x, bytes):
        return x
    return x.encode(ENC, ERRS)


@dataclass
class Record:
    """One line sent: the prompt it was typed at, the line, what followed."""
    index: int
    line: str
    prompt: str = None      # None: the echo was not found in the transcript
    output: str = ""

    @property
    def echoed(self):
        return self.prompt is not None

    def errors(self):
        """The IOS error messages this line drew: 'invalid', 'incomplete',
        'ambiguous' (in that order, each at most once)."""
        out = []
        if MSG_INVALID in self.output:
            out.append("invalid")
        if MSG_INCOMPLETE in self.output:
            out.append("incomplete")
        if MSG_AMBIGUOUS in self.output:
            out.append("ambiguous")
        return out

    def caret_column(self):
        """Column of the '^' on the line above the invalid-input message, as
        counted from the start of the prompt line; None if there is none."""
        lines = self.output.split("\n")
        for i, l in enumerate(lines):
            if l == MSG_INVALID and i > 0 and re.fullmatch(r" *\^", lines[i - 1]):
                return len(lines[i - 1]) - 1
        return None

    def lines(self, drop_syslog=True):
        """Output lines (without the final empty string after the last \\n)."""
        ls = self.output.split("\n")
        if ls and ls[-1] == "":
            ls.pop()
        if drop_syslog:
            ls = [l for l in ls if not SYSLOG_RE.match(l)]
        return ls

    def __str__(self):
        p = self.prompt if self.echoed else "<no echo>"
        return f"[{self.index}] {p}{self.line!r}\n{self.output}"


@dataclass
class Result:
    sent: list
    stdout: str
    stderr: str
    returncode: int
    timed_out: bool = False
    records: list = field(default_factory=list)
    final_prompt: str = None   # a prompt printed at EOF, if any

    def record(self, line):
        """The first record whose line is LINE."""
        for r in self.records:
            if r.line == line:
                return r
        raise KeyError(line)

    def sanitizer_reports(self):
        return [m for m in SANITIZER_MARKERS if m in self.stderr]

    def problems(self):
        """Reasons this run was not clean: timeout, exit status, sanitizer."""
        out = []
        if self.timed_out:
            out.append("iosim did not exit at EOF (killed after timeout)")
        elif self.returncode != 0:
            out.append(f"exit status {self.returncode}")
        rep = self.sanitizer_reports()
        if rep:
            out.append("sanitizer report: " + ", ".join(rep))
        return out

    def describe(self, limit=4000):
        """stderr and the transcript tail, for assertion messages."""
        err = self.stderr[-limit:]
        out = self.stdout[-limit:]
        return (f"--- exit {self.returncode}{' (timeout)' if self.timed_out else ''}"
                f"\n--- stderr (tail)\n{err}\n--- stdout (tail)\n{out}")


def parse(stdout, lines):
    """Cut a transcript into one Record per line sent (see module doc)."""
    stdout = _text(stdout)
    records = []
    found = []          # (record, start of prompt, end of echo)
    pos = 0
    for i, raw in enumerate(lines):
        line = _text(raw)
        rec = Record(index=i, line=line)
        records.append(rec)
        esc = re.escape(line)
        # Prefer a prompt at the start of a line; fall back to a prompt glued
        # to earlier text (e.g. after "Password: " when nothing was echoed).
        m = re.compile(r"(?m)^(" + PROMPT_RE + r")" + esc + r"\r?\n").search(stdout, pos)
        if not m:
            m = re.compile(r"(" + PROMPT_RE + r")" + esc + r"\r?\n").search(stdout, pos)
        if not m:
            continue
        rec.prompt = m.group(1)
        found.append((rec, m.start(), m.end()))
        pos = m.end()
    final_prompt = None
    for k, (rec, _start, end) in enumerate(found):
        stop = found[k + 1][1] if k + 1 < len(found) else len(stdout)
        out = stdout[end:stop]
        if k + 1 == len(found):
            m = re.search(r"(?:^|\n)(" + PROMPT_RE + r") ?$", out)
            if m:
                final_prompt = m.group(1)
                out = out[:m.start() + (1 if out[m.start()] == "\n" else 0)]
        rec.output = out
    return records, final_prompt


# A syslog line that comes by itself a moment later: from global
# configuration, a track object that logs TRACK_DOWN_MSG a second after
# Loopback0 is shut; (line, the prompt after it), ending at (config-if).
TRACK_DOWN_SOON = [
    ("interface Loopback0", b"Router(config-if)#"),
    ("track 1 interface Loopback0 line-protocol", b"Router(config-track)#"),
    ("delay down 1", b"Router(config-track)#"),
    ("interface Loopback0", b"Router(config-if)#"),
    ("shutdown", b"Router(config-if)#"),
]
TRACK_DOWN_MSG = rb"%TRACKING-5-STATE: 1 interface Lo0 line-protocol Up->Down"


class ByteStream:
    """expect() and read_for() over bytes that arrive from a router (a telnet
    socket, a pseudo-terminal). A subclass keeps what arrived in self.data (a
    bytearray) and provides _recv(deadline): one read, False when nothing
    came before the deadline or the stream ended (then self.closed)."""

    closed = False

    def expect(self, pattern, timeout=10):
        """Read until PATTERN (bytes, or a compiled bytes regex) appears;
        return the data up to its end and consume it."""
        deadline = time.monotonic() + timeout
        while True:
            if isinstance(pattern, bytes):
                k = self.data.find(pattern)
                end = k + len(pattern) if k >= 0 else -1
            else:
                m = pattern.search(self.data)
                end = m.end() if m else -1
            if end >= 0:
                got = bytes(self.data[:end])
                del self.data[:end]
                return got
            if self.closed or not self._recv(deadline):
                raise AssertionError(
                    f"{pattern!r} not seen (closed={self.closed}); "
                    f"got {bytes(self.data)[-2000:]!r}")

    def read_for(self, secs):
        """Everything that arrives within SECS (consumed)."""
        deadline = time.monotonic() + secs
        while not self.closed and self._recv(deadline):
            pass
        got = bytes(self.data)
        self.data.clear()
        return got


def stop(proc, timeout=10):
    """SIGTERM PROC and wait for it, killing it after TIMEOUT seconds;
    returns its exit status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    return proc.returncode


def wait_for(pred, timeout, step=0.05):
    """Poll PRED until it returns something true or TIMEOUT seconds pass
    (bounded); returns PRED's last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = pred()
        if v or time.monotonic() >= deadline:
            return v
        time.sleep(step)


def interrupt(proc, grace=0.5, timeout=15):
    """SIGINT PROC after GRACE seconds (tshark then writes out what it has
    captured) and wait for it, killing it after TIMEOUT."""
    if proc and proc.poll() is None:
        time.sleep(grace)
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def default_env(extra=None):
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:halt_on_error=1:abort_on_error=0")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("LC_ALL", "C")
    if extra:
        env.update(extra)
    return env


def run(lines, args=(), timeout=60, exe=None, env=None, stdin_bytes=None):
    """Start iosim with ARGS, feed LINES (str or bytes) over a pipe, close
    stdin, collect everything. Never raises on iosim misbehaviour: a timeout
    or crash shows in the Result."""
    exe = Path(exe) if exe else binary()
    data = stdin_bytes if stdin_bytes is not None else \
        b"".join(_bytes(l) + b"\n" for l in lines)
    try:
        p = subprocess.run([str(exe), *map(str, args)], input=data,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=timeout, env=default_env(env))
        out, err, rc, to = p.stdout, p.stderr, p.returncode, False
    except subprocess.TimeoutExpired as e:
        out, err, rc, to = e.stdout or b"", e.stderr or b"", None, True
    res = Result(sent=[_text(l) for l in lines], stdout=_text(out),
                 stderr=_text(err), returncode=rc, timed_out=to)
    res.records, res.final_prompt = parse(res.stdout, lines)
    return res


def run_config(config_lines, after=(), args=(), **kw):
    """enable, configure terminal, CONFIG_LINES, end, then AFTER (exec)."""
    lines = ["enable", "configure terminal", *config_lines, "end", *after]
    return run(lines, args=args, **kw)


# ---- show running-config ----------------------------------------------------

@dataclass
class ShowRun:
    text: str          # "Building configuration..." through "end\n", syslog dropped
    byte_count: int    # the N of "Current configuration : N bytes" (None if absent)
    body: str          # from the first "!" line through "end\n"

    @property
    def body_lines(self):
        return self.body.split("\n")[:-1]


def showrun(output):
    """Find show running-config's output in OUTPUT; None if it is not there."""
    ls = [l.rstrip("\r") for l in output.split("\n") if not SYSLOG_RE.match(l)]
    try:
        start = ls.index("Building configuration...")
    except ValueError:
        return None
    count = None
    bang = end = None
    for i in range(start, len(ls)):
        m = re.match(r"Current configuration ?: ?(\d+) bytes", ls[i])
        if m and count is None:
            count = int(m.group(1))
        if bang is None and ls[i] == "!":
            bang = i
        if bang is not None and ls[i] == "end":
            end = i
            break
    if bang is None or end is None:
        return None
    return ShowRun(text="\n".join(ls[start:end + 1]) + "\n", byte_count=count,
                   body="\n".join(ls[bang:end + 1]) + "\n")


# ---- IOS canonical forms for comparing configuration lines ----------------------

IFTYPES = ["Ethernet", "FastEthernet", "GigabitEthernet", "TenGigabitEthernet",
           "Loopback", "Tunnel", "Vlan", "Serial", "Dialer", "Virtual-Template",
           "Port-channel", "BVI", "Null", "Async", "Virtual-Access"]


def canon_ifname(name):
    """'FastEthernet 0/0' / 'fa0/0' / 'loopback0' -> 'FastEthernet0/0' /
    'Loopback0'. Words after the number are kept. Unknown types unchanged."""
    m = re.match(r"\s*([A-Za-z][A-Za-z-]*)\s*(\d[\d/.:]*)(.*)$", name)
    if not m:
        return name.strip()
    typ, num, rest = m.groups()
    low = typ.lower()
    exact = [t for t in IFTYPES if t.lower() == low]
    pref = [t for t in IFTYPES if t.lower().startswith(low)]
    if exact:
        typ = exact[0]
    elif pref:
        typ = pref[0]       # IFTYPES is ordered the way IOS resolves "e", "f", "g"
    return typ + num + rest


def canon_line(text):
    """Whitespace-normalised, IOS-canonical form of one configuration line
    (indentation removed): 'Interface FastEthernet 0/0' ->
    'interface FastEthernet0/0', 'crypto dynamic X 1' -> 'crypto dynamic-map X 1'."""
    t = " ".join(text.split())
    m = re.match(r"(?i)interface\s+(.*)$", t)
    if m:
        return "interface " + " ".join(canon_ifname(m.group(1)).split())
    if t.startswith("crypto dynamic "):
        t = "crypto dynamic-map " + t[len("crypto dynamic "):]
    return t


def is_comment(text):
    return text.strip().startswith("!")


def indent(text):
    return len(text) - len(text.lstrip(" "))


def config_paths(lines):
    """For each configuration line, its path: the tuple of canonical lines of
    its parents (by indentation) and itself. Comment lines and blank lines get
    None. Yields (index, path)."""
    stack = []   # (indent, canon)
    out = []
    for i, l in enumerate(lines):
        if not l.strip() or is_comment(l):
            out.append((i, None))
            continue
        ind = indent(l)
        while stack and stack[-1][0] >= ind:
            stack.pop()
        path = tuple(c for _, c in stack) + (canon_line(l),)
        stack.append((ind, canon_line(l)))
        out.append((i, path))
    return out


def tmpdir(prefix="iosim-"):
    return tempfile.mkdtemp(prefix=prefix)


# ---- a router kept running, its pipe console driven line by line -------------

class Console:
    """An iosim process started with ARGV (the binary first; an `ip netns
    exec NS` prefix is fine) whose pipe console stays open: cmd() types a
    line and returns what it printed, up to a marker line typed after it."""

    def __init__(self, name, argv, env=None):
        self.name = name
        self.buf = ""
        self.lock = threading.Lock()
        self.mark = 0
        self.p = subprocess.Popen([str(a) for a in argv], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, bufsize=1, env=default_env(env))
        self.err = []
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=lambda: self.err.extend(self.p.stderr),
                         daemon=True).start()

    def _pump(self):
        for line in self.p.stdout:
            with self.lock:
                self.buf += line

    def text(self):
        with self.lock:
            return self.buf

    def cmd(self, line, timeout=10):
        """Run LINE; return its output (up to the next console line)."""
        self.mark += 1
        marker = f"! mark {self.mark}"
        start = len(self.text())
        self.p.stdin.write(f"{line}\n{marker}\n")
        self.p.stdin.flush()
        deadline = time.monotonic() + timeout
        while marker + "\n" not in self.text()[start:]:
            assert time.monotonic() < deadline, \
                f"{self.name}: no answer to {line!r}\n{self.text()[-2000:]}"
            time.sleep(0.02)
        out = self.text()[start:]
        out = out[out.index(line + "\n") + len(line) + 1:]
        return out[:out.index(marker)].rsplit("\n", 1)[0] + "\n"

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait(timeout=10)

    def finish(self, timeout=20):
        """End at EOF (killed if it will not); returns its stderr, where a
        sanitizer report would be."""
        if self.p.poll() is None:
            try:
                self.p.stdin.close()
            except OSError:
                pass
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=10)
        time.sleep(0.1)
        return "".join(self.err)
