"""SSO traffic protection: `redundancy inter-device / security ipsec PROFILE`
(seed 001, "Protecting SSO Traffic" and the `security ipsec` command page).

The lab is test_crypto_ha.py's (HaLab: stateful pair R1/R2 with HSRP
100/300 ms, strongSwan (charon, kernel-libipsec) the peer of the VIP, pc
pinging remote) with the IPC association moved to a link of its own, as
in seed 001's ha-R1/ha-R2: FastEthernet1/0 10.0.0.1 / 10.0.0.2 on segment
`ipc`, a bridge (host `tap` 10.0.0.100 on it too) where dumpcap records
every IPv4 packet from just after `up`. With security, each router has
seed 001's `crypto ipsec transform-set trans2 ah-md5-hmac esp-aes`,
`crypto ipsec profile sso-secure / set transform-set trans2` and a
`crypto isakmp key` for the other's 10.0.0.x.

  test_clear_ipc_carries_keys   no `security ipsec`: the keys strongSwan
      logged (charon at level 4: SKEYID_d/a/e, encryption key Ka, the
      CHILD_SA's encryption and integrity keys, both directions), which
      the ACTIVE holds too, are in the raw bytes of the IPC link's capture
      once the standby holds its copies: the clear IPC link gives them away
      (and the check below can fail); show redundancy inter-device says
      Security: Not configured
  test_protected_ipc            `security ipsec sso-secure`: ACTIVE /
      STANDBY HOT; between 10.0.0.1 and 10.0.0.2 only AH (carrying ESP,
      both decoded by tshark, nothing malformed) and IKE (UDP 500/4500),
      no SCTP; none of those keys' bytes anywhere in the capture; the
      automatic crypto map IPC-head-0 in show crypto map; show redundancy
      inter-device says `IPC traffic protected`; clear SCTP from 10.0.0.2
      (spoofed from tap) dropped and counted (Clear-text IPC packets
      dropped); then SIGKILL of the ACTIVE: strongSwan's IKE SA and SPIs
      unchanged (test_crypto_ha's takeover checks)
  test_blocked_ipc              two labs at once: `security ipsec nosuch`
      on both (no such profile), and transform-set trans2 not matching
      (R1 ah-md5-hmac esp-aes, R2 esp-3des esp-sha-hmac): each router says
      `IPC traffic blocked: REASON` (profile [nosuch] not found, for the
      first);
      R2 never reaches STANDBY HOT (bounded wait, NEVER_HOT s: several
      times what the pair takes to get there); no SCTP in clear on the
      link

Every wait polls its condition under a deadline. Needs root, strongSwan
and tshark; skips otherwise.
"""

import os
import re
import shutil
import subprocess
import time

import pytest

import ikelab
from labtool import stop_routers_clean, wait_for
from test_crypto_ha import HaLab, standby_copies, takeover
from test_sso import clean, states, tmpdir_sso  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: namespaces, AF_PACKET"),
    pytest.mark.skipif(not ikelab.have_strongswan(),
                       reason="needs strongSwan (charon, swanctl)"),
    pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark"),
]

IPC = ("10.0.0.1", "10.0.0.2")
TAP = "10.0.0.100"
NEVER_HOT = 45          # s; the pair is ACTIVE / STANDBY HOT in about 10-15 s
# the keys charon 5.9.8 logs at level 4 in IKEv1 (src/libcharon/sa/ikev1/keymat_v1.c)
KEY_LABELS = ("SKEYID_d", "SKEYID_a", "SKEYID_e", "encryption key Ka",
              "encryption initiator key", "encryption responder key",
              "integrity initiator key", "integrity responder key")
SECURITY_RE = re.compile(r"^  Security: (.*)$", re.M)
DROPPED_RE = re.compile(r"^    Clear-text IPC packets dropped: (\d+)$", re.M)


def parts(profile=None, trans2=None):
    """topology()'s per-router lines: the IPC interface, and with PROFILE
    `security ipsec PROFILE`, seed 001's trans2 (TRANS2[name] instead when
    given) and profile sso-secure, pre-shared keys for 10.0.0.1 and .2."""
    def of(name):
        me = 1 if name == "R1" else 2
        out = {"ifs": f"interface FastEthernet1/0\n ip address 10.0.0.{me} "
                      "255.255.255.0\n!\n"}
        if profile:
            ts = (trans2 or {}).get(name, "ah-md5-hmac esp-aes")
            out["security"] = f" security ipsec {profile}\n"
            # both addresses' keys on both: the config digest compares them
            out["crypto"] = ("crypto isakmp key cisco123 address 10.0.0.1\n"
                             "crypto isakmp key cisco123 address 10.0.0.2\n"
                             f"crypto ipsec transform-set trans2 {ts}\n"
                             "crypto ipsec profile sso-secure\n set transform-set trans2\n")
        return out
    return of


class SecLab(HaLab):
    """HaLab with the IPC on its own link (`ipc`) and a capture of it."""

    def __init__(self, labs, tmp, profile=None, trans2=None, ike_level=1):
        super().__init__(labs, tmp, stateful=True, ike_level=ike_level,
                         parts=parts(profile, trans2), ipc="10.0.0",
                         r_ifs="  interface FastEthernet1/0 ipc\n",
                         hosts=f"host tap\n  address ipc {TAP}/24\n")
        self.cap = ikelab.Tshark(f"iosim-{self.lab.tag}", "ipc", tmp, filt="ip")

    def close(self):
        self.cap.stop()
        super().close()

    def security(self, router):
        """show redundancy inter-device's Security line (after `Security: `)
        and its clear-text drop count (None when not printed)."""
        out = clean(self.con[router].priv("show redundancy inter-device"))
        m, d = SECURITY_RE.search(out), DROPPED_RE.search(out)
        return (m.group(1) if m else None), (int(d.group(1)) if d else None)

    def ipc_packets(self):
        """(ip.src, ip.dst, ip.proto, frame.protocols, udp ports, malformed)
        of every packet captured so far between the pair's addresses."""
        rows = [l.split("\t") for l in self.cap.read(
            fields=("ip.src", "ip.dst", "ip.proto", "frame.protocols", "udp.port",
                    "_ws.malformed")).splitlines() if l]
        return [r for r in rows if {r[0], r[1]} == set(IPC)]


def swan_keys(charon):
    keys = {label: charon.logged_key(label) for label in KEY_LABELS}
    assert all(keys.values()), (keys, charon.logtext()[-3000:])
    return {label: bytes.fromhex(k) for label, k in keys.items()}


def no_clear_sctp(rows):
    sctp = [r for r in rows if r[2] == "132" or "sctp" in r[3].split(":")]
    assert not sctp, f"{len(sctp)} SCTP packets in clear, first {sctp[:3]}"


def test_clear_ipc_carries_keys(tmpdir_sso, labs):
    ha = SecLab(labs, tmpdir_sso, ike_level=4)
    try:
        ha.settled()
        before = ha.start_traffic()
        standby_copies(ha, before)
        keys = swan_keys(ha.charon)
        raw = ha.cap.raw()
        found = {label: key in raw for label, key in keys.items()}
        assert all(found.values()), found
        rows = ha.ipc_packets()
        assert any(r[2] == "132" for r in rows), rows[:20]
        for r in ("R1", "R2"):
            assert ha.security(r) == ("Not configured", None), ha.security(r)
        print(f"clear IPC: all {len(keys)} keys strongSwan logged found in "
              f"{len(raw)} captured bytes ({len(rows)} packets between the pair)")
        ha.ping.stop()
    finally:
        ha.close()
    stop_routers_clean(ha.lab)


def spoof_sctp(ha, count=3):
    """COUNT SCTP INIT packets from 10.0.0.2 (R2's address) to 10.0.0.1
    port 5000, in clear, sent by host tap (a raw socket: the kernel
    routes them on `ipc`, source address as given)."""
    script = f"""
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
init = struct.pack("!BBHIIHHI", 1, 0, 20, 0x1234, 65536, 10, 10, 1)
sctp = struct.pack("!HHII", 5000, 5000, 0, 0) + init
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(sctp), 0, 0, 64, 132, 0,
                 socket.inet_aton("{IPC[1]}"), socket.inet_aton("{IPC[0]}"))
for _ in range({count}):
    s.sendto(ip + sctp, ("{IPC[0]}", 0))
"""
    ikelab.sh("/usr/bin/python3", "-c", script, ns=f"iosim-{ha.lab.tag}-tap")


def test_protected_ipc(tmpdir_sso, labs):
    ha = SecLab(labs, tmpdir_sso, profile="sso-secure", ike_level=4)
    try:
        ha.settled()
        before = ha.start_traffic()
        standby_copies(ha, before)
        for r in ("R1", "R2"):
            sec, dropped = ha.security(r)
            assert sec == "IPSec profile sso-secure, IPC traffic protected", \
                (r, sec, ha.con[r].text()[-2000:])
            assert dropped is not None, r
            out = ha.con[r].priv("show crypto map")
            assert "IPC-head-0" in out, out
        # the link: AH (with ESP in it) and IKE between the pair, nothing else
        keys = swan_keys(ha.charon)
        raw = ha.cap.raw()
        leaked = [label for label, key in keys.items() if key in raw]
        assert not leaked, leaked
        rows = ha.ipc_packets()
        no_clear_sctp(rows)
        other = [r for r in rows if r[2] not in ("50", "51") and
                 not (r[2] == "17" and set(r[4].split(",")) & {"500", "4500"})]
        assert not other, other[:10]
        ah_esp = [r for r in rows if r[3].endswith("ip:ah:esp")]
        assert ah_esp, {r[3] for r in rows}
        assert not [r for r in rows if r[5]], [r for r in rows if r[5]][:5]
        print(f"protected IPC: {len(rows)} packets between the pair, {len(ah_esp)} "
              f"AH+ESP, protocols {sorted({r[3] for r in rows})}; none of "
              f"{len(keys)} keys in {len(raw)} captured bytes")
        # clear SCTP from the peer's address: dropped and counted
        n0 = ha.security("R1")[1]
        spoof_sctp(ha)
        assert wait_for(lambda: ha.security("R1")[1] >= n0 + 3, 10, step=0.5), \
            (n0, ha.security("R1"), ha.con["R1"].text()[-2000:])
        assert "%CRYPTO-4-RECVD_PKT_NOT_IPSEC" in ha.con["R1"].text(), \
            ha.con["R1"].text()[-2000:]
        assert states(ha.con["R2"]) == ("STANDBY HOT", "ACTIVE")
        takeover(ha, before, "kill")
    finally:
        ha.close()
    stop_routers_clean(ha.lab)


def test_blocked_ipc(tmpdir_sso, labs):
    cases = {"profile missing": dict(profile="nosuch"),
             "transform-set mismatch": dict(profile="sso-secure", trans2={
                 "R1": "ah-md5-hmac esp-aes", "R2": "esp-3des esp-sha-hmac"})}
    made = {}
    try:
        for what, kw in cases.items():
            d = os.path.join(tmpdir_sso, what.split()[0])
            os.makedirs(d)
            made[what] = SecLab(labs, d, **kw)
        t0 = time.monotonic()
        blocked = {}
        for what, ha in made.items():
            for r in ("R1", "R2"):
                got = wait_for(lambda: (ha.security(r)[0] or "").startswith(
                    "IPSec profile ") and "IPC traffic blocked: " in ha.security(r)[0]
                    and ha.security(r), 30, step=1)
                assert got, (what, r, ha.security(r), ha.con[r].text()[-2000:])
                sec, dropped = got
                assert dropped is not None, (what, r, sec)
                blocked[what, r] = sec
        for r in ("R1", "R2"):
            assert re.fullmatch(r"IPSec profile nosuch, IPC traffic blocked: profile "
                                r"(nosuch )?not found", blocked["profile missing", r]), blocked
            assert re.fullmatch(r"IPSec profile sso-secure, IPC traffic blocked: \S.*",
                                blocked["transform-set mismatch", r]), blocked

        def hot():
            return [w for w, ha in made.items()
                    if "STANDBY HOT" in states(ha.con["R2"]) + states(ha.con["R1"])]
        left = NEVER_HOT - (time.monotonic() - t0)
        assert not wait_for(hot, max(left, 5), step=1), \
            {w: ha.con["R2"].text()[-2000:] for w, ha in made.items()}
        for what, ha in made.items():
            no_clear_sctp(ha.ipc_packets())
            print(f"{what}: {blocked[what, 'R1']!r}; R2 {states(ha.con['R2'])} "
                  f"after {time.monotonic() - t0:.0f} s")
    finally:
        for ha in made.values():
            ha.close()
    for ha in made.values():
        stop_routers_clean(ha.lab)
