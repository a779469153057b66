"""Routing and ping between two routers over a UDP wire on loopback (no root).

Router B boots from a configuration file and stays up on an open console
pipe; router A is driven line by line over a pipe: its console waits for each
ping to finish before it reads the next line, so the whole exchange is one
run of A. A static route on A sends 2.2.2.0/24 (B's loopback) to B; B has
routes back. A route to 3.0.0.0/8 through B, which has none, draws ICMP
unreachables: ping shows U.
"""

import re
import select
import socket
import subprocess
import time

import pytest

import iosim

WAIT = 20   # seconds: bound on waiting for router B's console


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RouterB:
    def __init__(self, tmp, port_a, port_b):
        cfg = tmp / "b.cfg"
        cfg.write_text("hostname B\n"
                       "interface Loopback0\n"
                       " ip address 2.2.2.2 255.255.255.0\n"
                       "interface FastEthernet0/0\n"
                       " ip address 10.0.12.2 255.255.255.0\n"
                       " no shutdown\n"
                       "ip route 1.1.1.1 255.255.255.255 10.0.12.1\n"
                       "end\n")
        self.proc = subprocess.Popen(
            [str(iosim.binary()), "--hostname", "B", "--config", str(cfg),
             "--iface", f"FastEthernet0/0=udp:127.0.0.1:{port_b}:127.0.0.1:{port_a}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=iosim.default_env())
        self.out = b""

    def wait_for(self, pattern):
        """Read B's console until PATTERN shows (bounded)."""
        deadline = time.monotonic() + WAIT
        fd = self.proc.stdout.fileno()
        while not re.search(pattern, self.out):
            left = deadline - time.monotonic()
            if left <= 0 or self.proc.poll() is not None:
                return False
            r, _, _ = select.select([fd], [], [], left)
            if r:
                chunk = self.proc.stdout.read1(65536)
                if not chunk:
                    return False
                self.out += chunk
        return True

    def stop(self):
        """End of B's console input: it exits; returns its stderr."""
        try:
            _, err = self.proc.communicate(timeout=WAIT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            _, err = self.proc.communicate()
        return err.decode(errors="replace")


@pytest.fixture
def pair(tmp_path):
    pa, pb = free_udp_port(), free_udp_port()
    b = RouterB(tmp_path, pa, pb)
    yield pa, pb, b
    err = b.stop()
    assert "ERROR: AddressSanitizer" not in err, err
    assert "runtime error" not in err, err


def marks(out, dst):
    """The marks line(s) of the ping to DST and its success-rate line."""
    m = re.search(r"Sending \d+, \d+-byte ICMP Echos to " + re.escape(dst) +
                  r", timeout is \d+ seconds:\n(?:Packet sent[^\n]*\n)*"
                  r"([!.UQM&?\n]*)\n(Success rate is [^\n]*)", out)
    assert m, out
    return m.group(1).replace("\n", ""), m.group(2)


def test_static_route_and_ping_over_udp_wire(pair):
    pa, pb, b = pair
    b.proc.stdin.write(b"enable\nshow ip route\n")
    b.proc.stdin.flush()
    assert b.wait_for(rb"C       2\.2\.2\.0 is directly connected, Loopback0"), \
        b.out.decode(errors="replace")

    res = iosim.run_config(
        ["interface Loopback0", " ip address 1.1.1.1 255.255.255.255",
         "interface FastEthernet0/0", " ip address 10.0.12.1 255.255.255.0",
         " no shutdown",
         "ip route 2.2.2.0 255.255.255.0 10.0.12.2",
         "ip route 3.0.0.0 255.0.0.0 10.0.12.2"],
        after=["show ip route",
               "ping 10.0.12.2",
               "ping 2.2.2.2 repeat 20",
               "ping 2.2.2.2 source Loopback0 repeat 3 size 1400",
               "ping 3.3.3.3 repeat 3 timeout 1",
               "show ip route 2.2.2.2"],
        args=["--hostname", "A", "--iface",
              f"FastEthernet0/0=udp:127.0.0.1:{pa}:127.0.0.1:{pb}"],
        timeout=120)
    assert not res.timed_out and res.returncode == 0, res.describe()
    assert not res.sanitizer_reports(), res.describe()
    out = res.stdout

    assert ("     2.0.0.0/24 is subnetted, 1 subnets\n"
            "S       2.2.2.0 [1/0] via 10.0.12.2\n") in out
    assert ("     10.0.0.0/24 is subnetted, 1 subnets\n"
            "C       10.0.12.0 is directly connected, FastEthernet0/0\n") in out
    assert "S    3.0.0.0/8 [1/0] via 10.0.12.2\n" in out

    # the first echo may wait for ARP; the rest come back
    m, rate = marks(out, "10.0.12.2")
    assert re.fullmatch(r"\.?!{4,5}", m), m
    assert re.fullmatch(r"Success rate is (80|100) percent \([45]/5\), "
                        r"round-trip min/avg/max = \d+/\d+/\d+ ms", rate), rate

    # through the static route to B's loopback: all twenty
    m, rate = marks(out, "2.2.2.2")
    assert m == "!" * 20, m
    assert rate.startswith("Success rate is 100 percent (20/20), round-trip")

    # sourced from A's loopback: B answers through its route back
    assert ("Sending 3, 1400-byte ICMP Echos to 2.2.2.2, timeout is 2 seconds:\n"
            "Packet sent with a source address of 1.1.1.1 \n!!!\n") in out

    # B has no route to 3/8: its unreachables show as U
    m, rate = marks(out, "3.3.3.3")
    assert "U" in m and set(m) <= set("U."), m
    assert rate == "Success rate is 0 percent (0/3)"

    assert ("Routing entry for 2.2.2.0/24\n"
            "  Known via \"static\", distance 1, metric 0\n"
            "  Routing Descriptor Blocks:\n"
            "  * 10.0.12.2\n") in out

    # the console read nothing while a ping ran: each command's output sits
    # between its own echo and the next prompt
    recs = [r for r in res.records if r.line.startswith("ping 2.2.2.2 repeat 20")]
    assert recs and "Success rate is 100 percent (20/20)" in recs[0].output


def test_route_follows_the_wire(pair):
    """Shut the interface: the connected and static routes go, ping fails
    at once with no route; no shutdown brings them back."""
    pa, pb, b = pair
    b.proc.stdin.write(b"enable\nshow ip route\n")
    b.proc.stdin.flush()
    assert b.wait_for(rb"Gateway of last resort"), b.out.decode(errors="replace")
    res = iosim.run_config(
        ["interface FastEthernet0/0", " ip address 10.0.12.1 255.255.255.0",
         " no shutdown", "ip route 2.2.2.0 255.255.255.0 10.0.12.2"],
        after=["ping 2.2.2.2 repeat 2",
               "configure terminal", "interface FastEthernet0/0", "shutdown",
               "end", "show ip route", "ping 2.2.2.2 repeat 2 timeout 0",
               "configure terminal", "interface FastEthernet0/0",
               "no shutdown", "end", "ping 2.2.2.2 repeat 2"],
        args=["--iface", f"FastEthernet0/0=udp:127.0.0.1:{pa}:127.0.0.1:{pb}"],
        timeout=120)
    assert not res.timed_out and res.returncode == 0, res.describe()
    out = res.stdout
    pings = re.findall(r"Success rate is [^\n]*", out)
    assert len(pings) == 3, out
    assert pings[0].startswith("Success rate is 100 percent (2/2)") or \
        pings[0].startswith("Success rate is 50 percent (1/2)"), pings
    assert pings[1] == "Success rate is 0 percent (0/2)"
    assert pings[2].startswith("Success rate is 100 percent (2/2)"), pings
    shown = out.split("Router#show ip route\n", 1)[1].split("Router#", 1)[0]
    assert "Gateway of last resort is not set\n\n" in shown
    assert "2.2.2.0" not in shown and "10.0.12.0" not in shown, shown
