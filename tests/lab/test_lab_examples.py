"""The example topologies (examples/*.lab) working end to end.

As root: each comes up (namespaces, veths, bridges, routers on veth ports,
consoles on 127.0.0.1), hosts ping routers one to three hops away, routers
ping hosts, and `down` leaves nothing behind. Without root (or as nobody when
we are root): the same topologies over UDP wires and hubs on loopback,
routers pinging each other.
"""

import os
import pwd
import re
import subprocess
import time

import pytest

from labtool import (EX, assert_clean, check_consoles, lab_leftovers,
                     need_root, ping_until, stop_routers_clean, unprivileged, up_ok)

# Per example: routers and their interfaces (as the topology names them),
# hosts, bridges (segment: ports), pings that must work: (host, address)
# across 1..3 routers by interface addresses and static routes, and, for UDP
# routers pinging hosts (router_pings) and each other over UDP (udp_pings),
# and for UDP mode, wires to prove: (router, interface, router, interface) -- the first
# one's gratuitous ARP must reach the second.
EXAMPLES = {
    "ha-000": {
        "routers": {"RouterA": ["GigabitEthernet0/0", "GigabitEthernet0/1"],
                    "RouterB": ["GigabitEthernet0/0", "GigabitEthernet0/1"],
                    "Peer": ["GigabitEthernet0/0", "GigabitEthernet0/1"]},
        "hosts": {"pc": ["inside"], "remote": ["remote"]},
        "bridges": {"inside": 3, "outside": 3},
        "pings": [("pc", "10.0.0.1"), ("pc", "10.0.0.2"), ("remote", "192.168.1.1"),
                  ("remote", "211.0.0.1"), ("remote", "211.0.0.2")],
        "udp_hubs": ["outside"],
        "router_pings": [("RouterA", "10.0.0.10"), ("Peer", "192.168.1.10"),
                         ("RouterB", "192.168.1.10")],
        "udp_pings": [("RouterA", "10.0.0.2"), ("RouterA", "211.0.0.4")],
        "udp_wires": [("RouterA", "GigabitEthernet0/0", "RouterB", "GigabitEthernet0/0"),
                      ("RouterB", "GigabitEthernet0/1", "Peer", "GigabitEthernet0/0"),
                      ("Peer", "GigabitEthernet0/0", "RouterA", "GigabitEthernet0/1")],
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
                  ("remote", "209.165.201.2")],
        "udp_hubs": ["outside"],
        "router_pings": [("ha-R1", "10.0.0.10"), ("peer", "172.16.0.1"), ("isp", "172.16.0.1")],
        "udp_pings": [("ha-R1", "10.0.0.2"), ("ha-R1", "209.165.201.5"),
                      ("isp", "209.165.200.225")],
        "udp_wires": [("ha-R1", "Ethernet1/0", "ha-R2", "Ethernet1/0"),
                      ("ha-R1", "Ethernet0/0", "isp", "Ethernet0/0"),
                      ("peer", "Ethernet0/0", "isp", "Ethernet1/0")],
    },
    "branch-004": {
        "routers": {"R1": ["FastEthernet0/0", "FastEthernet0/1"],
                    "R2": ["FastEthernet0/0", "FastEthernet0/1"],
                    "R4": ["FastEthernet0/0", "FastEthernet0/1"]},
        "hosts": {"corp": ["corp"], "branch": ["branch"]},
        "bridges": {"corp": 3, "wan": 3},
        "pings": [("corp", "10.1.0.2"), ("corp", "10.1.0.3"), ("branch", "10.5.0.1"),
                  ("branch", "10.255.5.1"), ("branch", "10.255.5.2")],
        "udp_hubs": ["wan"],
        # through the HSRP virtual addresses (CORP-LAN 10.1.0.1, BRANCH-5-TUNNEL
        # 10.255.5.3): they answer once a router is Active, some 30 s after
        # start (the HA examples delay HSRP 120 s: standby delay reload 120)
        "vip_pings": [("corp", "10.1.0.1")],
        # LAN to LAN: through the IPsec tunnel between R4 and the pair
        # (ipsec-isakmp crypto maps: IKE makes its SAs)
        "tunnel_pings": [("branch", "10.1.0.10"), ("corp", "10.5.0.10")],
        "tunnel_end": "R4",
        "router_pings": [("R4", "10.5.0.10"), ("R1", "10.1.0.10"), ("R1", "10.5.0.10")],
        "udp_pings": [("R1", "10.1.0.3"), ("R1", "10.255.5.4")],
        "udp_wires": [("R2", "FastEthernet0/1", "R1", "FastEthernet0/1"),
                      ("R4", "FastEthernet0/0", "R1", "FastEthernet0/0"),
                      ("R1", "FastEthernet0/0", "R2", "FastEthernet0/0")],
    },
}


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

    for host, addr in spec.get("vip_pings", []):
        ok, out = ping_until(lab, host, addr, tries=40)
        assert ok, f"{host} -> {addr}:\n{out}\n{lab.logs()}"
    check_tunnel_pings(lab, spec)
    for router, addr in spec["router_pings"]:
        out = lab.cmd(router, f"ping {addr}")
        assert re.search(r"Success rate is [1-9]\d* percent", out), out
    stop_routers_clean(lab)
    p = lab.run("down")
    assert p.returncode == 0, p.stderr
    assert_clean(lab)
    p = lab.run("down")                       # idempotent
    assert p.returncode == 0, p.stderr
    p = lab.run("status")
    assert p.returncode == 1 and "down" in p.stdout



def check_tunnel_pings(lab, spec):
    """Traffic the crypto maps protect crosses once IKE has made the SAs.
    A router with no IKE engine (no `show crypto isakmp sa`) has none to
    make: the packets are dropped, as IOS drops protected traffic without
    an SA, and counted (#pkts no sa)."""
    if not spec.get("tunnel_pings"):
        return
    end = spec["tunnel_end"]
    ike = "% Invalid input" not in lab.cmd(end, "enable", "show crypto isakmp sa")
    for host, addr in spec["tunnel_pings"]:
        ok, out = ping_until(lab, host, addr, tries=40 if ike else 1)
        assert ok == ike, f"{host} -> {addr} (IKE: {ike}):\n{out}\n{lab.logs()}"
    if not ike:
        out = lab.cmd(end, "enable", "show crypto ipsec sa detail")
        m = re.search(r"#pkts no sa \(send\) (\d+)", out)
        assert m and int(m.group(1)) > 0, out


# ---- UDP labs (no root) ---------------------------------------------------------

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
    # Frames cross the UDP wires and hubs: an interface that comes up sends
    # a gratuitous ARP, which the router at the other end counts as input.
    for a, ia, b, ib in spec["udp_wires"]:
        before = packets_input(lab, b, ib)
        lab.cmd(a, "enable", "configure terminal", f"interface {ia}", "shutdown",
                "no shutdown", "end", udp=True)
        deadline = time.monotonic() + 10
        while packets_input(lab, b, ib) <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        assert packets_input(lab, b, ib) > before, f"{a} {ia} -> {b} {ib}: nothing arrived"
    for router, addr in spec["udp_pings"]:
        out = lab.cmd(router, f"ping {addr}", udp=True)
        assert re.search(r"Success rate is [1-9]\d* percent", out), out
    stop_routers_clean(lab)
    p = lab.run("down", udp=True)
    assert p.returncode == 0, p.stderr
    assert lab_leftovers(lab.tag)[2] == []
    assert not os.path.exists(lab.run_dir)


def packets_input(lab, router, ifname):
    out = lab.cmd(router, "enable", f"show interfaces {ifname} | include packets input",
                  udp=True)
    m = re.search(r"^\s*(\d+) packets input", out, re.M)
    assert m, out
    return int(m.group(1))
