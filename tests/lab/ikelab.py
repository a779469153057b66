"""Helpers for the IKE lab tests: an iosim with a pipe console kept open,
network namespaces joined by veths, a strongSwan charon of its own in a
namespace (kernel-libipsec, swanctl over its own VICI socket), and tshark.

Every name (namespace, veth, temp dir) carries a tag unique to the test,
and everything made is removed by close(), also after a failure.
Stdlib only."""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import time

import iosim

CHARON = "/usr/lib/ipsec/charon"


def have_strongswan():
    return os.path.exists(CHARON) and shutil.which("swanctl") is not None


def sh(*args, ns=None, check=True, timeout=30, **kw):
    cmd = (["ip", "netns", "exec", ns] if ns else []) + [str(a) for a in args]
    return subprocess.run(cmd, check=check, capture_output=True, text=True,
                          timeout=timeout, **kw)


wait_for = iosim.wait_for


def new_tag():
    return f"{os.getpid() % 10000}{int(time.monotonic() * 1000) % 1000:03d}"


class Router(iosim.Console):
    """One iosim (ARGV after the binary) with a pipe console kept open;
    NS: run it inside that namespace."""

    def __init__(self, name, args, config=(), ns=None, exe=None):
        argv = [str(exe or iosim.binary()), "--hostname", name, *map(str, args)]
        if ns:
            argv = ["ip", "netns", "exec", ns, *argv]
        super().__init__(name, argv)
        self.cmd("enable")
        self.cmd("terminal length 0")
        if config:
            self.configure(config)

    def cmd(self, line, timeout=15):
        return super().cmd(line, timeout)

    def configure(self, lines):
        self.cmd("configure terminal")
        errs = []
        for line in lines:
            out = self.cmd(line)
            if "% " in out and "NOTE" not in out:
                errs.append((line, out))
        self.cmd("end")
        assert not errs, f"{self.name}: configuration errors {errs}"

    def show(self, line):
        """A show command's output, syslog and debug lines dropped."""
        return "\n".join(l for l in self.cmd(line).split("\n")
                         if not iosim.SYSLOG_RE.match(l)
                         and not re.match(r"^\d\d:\d\d:\d\d: ", l))

    def wait_log(self, pattern, timeout, since=0):
        rx = re.compile(pattern)
        return wait_for(lambda: rx.search(self.text(), since), timeout)

    def stop(self):
        """End at EOF; returns stderr (the sanitizer's word is in it)."""
        return self.finish()


def sanitizer_clean(stderr):
    return [m for m in iosim.SANITIZER_MARKERS if m in stderr]


class Netns:
    """Namespaces and veth pairs, all removed by close()."""

    def __init__(self, tag):
        self.tag = tag
        self.names = []

    def ns(self, short):
        name = f"ike{self.tag}-{short}"
        sh("ip", "netns", "add", name)
        self.names.append(name)
        sh("ip", "link", "set", "lo", "up", ns=name)
        return name

    def veth(self, ns_a, dev_a, ns_b, dev_b, addr_a=None, addr_b=None):
        tmp_a, tmp_b = f"v{self.tag}a", f"v{self.tag}b"
        sh("ip", "link", "add", tmp_a, "type", "veth", "peer", "name", tmp_b)
        sh("ip", "link", "set", tmp_a, "netns", ns_a, "name", dev_a)
        sh("ip", "link", "set", tmp_b, "netns", ns_b, "name", dev_b)
        for ns, dev, addr in ((ns_a, dev_a, addr_a), (ns_b, dev_b, addr_b)):
            # the iosim end has no address, and must not answer for one
            sh("ip", "link", "set", dev, "up", ns=ns)
            sh("ethtool", "-K", dev, "tx", "off", ns=ns, check=False)
            if addr:
                sh("ip", "addr", "add", addr, "dev", dev, ns=ns)

    def close(self):
        for name in reversed(self.names):
            sh("ip", "netns", "pids", name, check=False)
            pids = sh("ip", "netns", "pids", name, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
            sh("ip", "netns", "delete", name, check=False)
        self.names = []


# A CHILD_SA whose remote TS is the IKE peer itself (GRE to the peer, in
# SWAN[gre] <-> PEER[gre]): libipsec routes the peer's address into its TUN,
# so charon marks its own IKE and ESP-in-UDP packets and its routing rule
# skips the marked ones; they keep the peer's ordinary route.
PEER_TS_PLUGINS = """\
        kernel-libipsec {
            allow_peer_ts = yes
        }
        kernel-netlink {
            fwmark = !0x42
        }
        socket-default {
            fwmark = 0x42
        }
"""

STRONGSWAN_CONF = """\
charon {{
    load_modular = no
    load = random nonce openssl hmac sha1 sha2 md5 kernel-libipsec kernel-netlink socket-default vici
    port = 500
    port_nat_t = 4500
    retransmit_timeout = 2.0
    retransmit_tries = 3
    keep_alive = {keep_alive}s
    install_routes = yes
    plugins {{
{plugins}    }}
    filelog {{
        log {{
            path = {dir}/charon.log
            time_format = %T
            flush_line = yes
            default = 1
            ike = {ike_level}
            chd = {ike_level}
            knl = 1
            cfg = 1
        }}
    }}
}}
swanctl {{
    load = random nonce openssl
}}
"""

SWANCTL_CONN = """\
    {name} {{
        version = 1
        local_addrs = {local}
        remote_addrs = {remote}
        proposals = {ike}
        reauth_time = 86400s
        over_time = 0s
        rekey_time = 0s
        dpd_delay = {dpd}s
        dpd_timeout = {dpd_timeout}s
        local {{
            auth = psk
            id = {local}
        }}
        remote {{
            auth = psk
            id = {remote}
        }}
        children {{
            {child} {{
                local_ts = {local_ts}
                remote_ts = {remote_ts}
                esp_proposals = {esp}
                rekey_time = {child_rekey}s
                life_time = {child_life}s
                rand_time = 0s
                start_action = {start}
                dpd_action = clear
            }}
        }}
    }}
"""

SWANCTL_SECRET = """\
    ike-{name} {{
        id-1 = {local}
        id-2 = {remote}
        secret = {psk}
    }}
"""

CONN_DEFAULTS = dict(name="ios", child="net", ike="aes128-sha1-modp1024",
                     esp="aes128-sha1", dpd=0, dpd_timeout=30, child_rekey=0,
                     child_life=3600,
                     start="none", psk="cisco123", local_ts="192.168.2.0/24",
                     remote_ts="192.168.1.0/24", local="10.0.0.2",
                     remote="10.0.0.1")


class Charon:
    """A charon of its own in namespace NS: its own config, /run (pid file
    and VICI socket) and log, as lab-facts.md describes. Log level 4 for
    IKE and CHILD_SAs writes the keys it derives (phase 1 Ka, each CHILD_SA's
    encryption and integrity keys): tshark decrypts with them what iosim
    sent. PLUGINS: lines of its `plugins` section (PEER_TS_PLUGINS)."""

    def __init__(self, ns, tmp, keep_alive=20, ike_level=4, plugins=""):
        self.ns = ns
        self.dir = tempfile.mkdtemp(prefix="iosim-swan-", dir=tmp)
        os.makedirs(f"{self.dir}/run")
        with open(f"{self.dir}/strongswan.conf", "w") as f:
            f.write(STRONGSWAN_CONF.format(dir=self.dir, keep_alive=keep_alive,
                                           ike_level=ike_level, plugins=plugins))
        self.env = dict(os.environ, STRONGSWAN_CONF=f"{self.dir}/strongswan.conf")
        self.p = None

    def start(self):
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", self.ns, "unshare", "-m",
             "--propagation", "private", "sh", "-c",
             f"mount --bind {self.dir}/run /run && exec {CHARON}"],
            env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ok = wait_for(lambda: os.path.exists(f"{self.dir}/run/charon.vici"), 15)
        assert ok, f"charon did not start: {self.logtext()[-2000:]}"

    def swanctl(self, *args, timeout=30, check=False):
        return subprocess.run(["swanctl", *args, "--uri",
                               f"unix://{self.dir}/run/charon.vici"],
                              capture_output=True, text=True, env=self.env,
                              timeout=timeout, check=check)

    def load(self, *more, **kw):
        """Connection "ios" (child "net") made of KW over CONN_DEFAULTS, and
        each dict of MORE as a further connection (its own name)."""
        conns = [dict(CONN_DEFAULTS, **kw)] + [dict(CONN_DEFAULTS, **m) for m in more]
        text = "connections {\n" + "".join(SWANCTL_CONN.format(**c) for c in conns)
        text += "}\nsecrets {\n" + "".join(SWANCTL_SECRET.format(**c) for c in conns)
        text += "}\n"
        with open(f"{self.dir}/swanctl.conf", "w") as f:
            f.write(text)
        r = self.swanctl("--load-all", "--clear", "--file",
                         f"{self.dir}/swanctl.conf")
        assert r.returncode == 0, r.stdout + r.stderr

    def initiate(self, timeout=20):
        return self.swanctl("--initiate", "--child", "net", "--timeout",
                            str(timeout), timeout=timeout + 10)

    def list_sas(self):
        return self.swanctl("--list-sas").stdout

    def logtext(self):
        try:
            with open(f"{self.dir}/charon.log", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def logged_key(self, label, since=0):
        """The last key charon logged (at log level 4) as LABEL after
        offset SINCE of its log, as lowercase hex: "encryption key Ka"
        (phase 1), "encryption initiator key", "integrity responder key"
        (a CHILD_SA's, initiator: the traffic the Quick Mode initiator
        sends). None when it logged none."""
        log = self.logtext()[since:]
        found = list(re.finditer(rf"{label} => (\d+) bytes @ \S+\n((?:[^\n]*\]\s+\d+: [^\n]*\n)+)",
                                 log))
        if not found:
            return None
        n, lines = int(found[-1].group(1)), found[-1].group(2)
        hexs = re.findall(r"\]\s+\d+: ((?:[0-9A-F]{2} )+)", lines)
        return "".join(h.replace(" ", "") for h in hexs)[:2 * n].lower()

    def kill(self):
        if self.p and self.p.poll() is None:
            self.p.kill()
            self.p.wait(timeout=10)

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(timeout=10)


def parse_list_sas(text):
    """swanctl --list-sas: the IKE SA's cookies and state, and the child's
    SPIs (inbound, outbound) as ints; every IKE SA's unique id (the N of
    "#N", a renegotiation makes a new one) in "ike_ids" and the SPIs of
    every INSTALLED child (not those REKEYED, on their way out) in "spis"."""
    out = {"ike_ids": set(int(x) for x in re.findall(r"^\S+: #(\d+), ", text, re.M)),
           "spis": set()}
    child = None
    for line in text.splitlines():
        m = re.match(r"\s+\S+: #\d+, reqid \d+, (\w+),", line)
        if m:
            child = m.group(1)
        m = re.match(r"\s+(?:in|out)\s+([0-9a-f]{8})", line)
        if m and child == "INSTALLED":
            out["spis"].add(int(m.group(1), 16))
    m = re.search(r"(ESTABLISHED|CONNECTING|DELETING|REKEYING)[^\n]*", text)
    out["state"] = m.group(1) if m else None
    m = re.search(r"([0-9a-f]{16})_i\*?\s+([0-9a-f]{16})_r", text)
    if m:
        out["icookie"], out["rcookie"] = m.group(1), m.group(2)
    m = re.search(r"INSTALLED[^\n]*\n[^\n]*\n\s+in\s+([0-9a-f]{8})[^\n]*\n\s+out\s+([0-9a-f]{8})",
                  text)
    if m:
        out["spi_in"], out["spi_out"] = int(m.group(1), 16), int(m.group(2), 16)
    return out


class Tshark:
    """A capture on DEV in NS (None: this namespace). dumpcap writes its file in blocks, so read()
    closes the current file and goes on in a new one: it reads every
    packet captured so far."""

    def __init__(self, ns, dev, tmp, filt="udp port 500 or udp port 4500 or esp or ah"):
        self.ns, self.dev, self.tmp, self.filt = ns, dev, tmp, filt
        self.files = []
        self.p = None
        self._start()

    def _start(self):
        self.pcap = os.path.join(self.tmp, f"{self.ns}-{self.dev}-{len(self.files)}.pcap")
        inns = ["ip", "netns", "exec", self.ns] if self.ns else []
        self.p = subprocess.Popen([*inns, "tshark", "-q",
                                   "-i", self.dev, "-w", self.pcap, "-f", self.filt],
                                  stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True)
        # dumpcap says "Capturing on" once the interface is open (a line
        # or two of warnings may come first; EOF means it died)
        seen = []
        for _ in range(10):
            line = self.p.stderr.readline()
            seen.append(line)
            if not line or "Capturing on" in line:
                break
        assert "Capturing on" in seen[-1], f"tshark did not start: {seen}"
        self.files.append(self.pcap)

    def stop(self):
        iosim.interrupt(self.p, grace=0.3)

    def raw(self):
        """Every byte of the capture files so far (the capture goes on in a
        new file if it was running)."""
        running = self.p.poll() is None
        self.stop()
        data = b"".join(open(f, "rb").read() for f in self.files)
        if running:
            self._start()
        return data

    def read(self, *opts, fields=None, filt=None):
        running = self.p.poll() is None
        self.stop()
        out = []
        for f in self.files:
            args = ["tshark", "-r", f, *opts]
            if filt:
                args += ["-Y", filt]
            if fields:
                args += ["-T", "fields"]
                for x in fields:
                    args += ["-e", x]
            out.append(subprocess.run(args, capture_output=True, text=True,
                                      timeout=120).stdout)
        if running:
            self._start()
        return "".join(out)
