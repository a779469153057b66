"""The IPsec data path between two iosim routers, keyed by hand.

As root: hosts A (192.168.1.10) and B (192.168.2.10) in namespaces, each
behind its router (R1, R2, iosim in namespaces of their own), the routers
joined by a veth "wan" (10.0.0.1 - 10.0.0.2). Each router's crypto map is
an ipsec-manual entry; the keys are made up here. One topology serves every
check:

- every transform of crypto.h's list (ESP with DES, 3DES, AES 128/192/256,
  GCM, null; HMAC-MD5/SHA-1/SHA-256; AH alone; the AH+ESP bundle of seed
  000's trans1) in tunnel mode, and ESP in transport mode between the
  routers themselves: A pings B through the tunnel (B sees TTL 62), the
  flow counters count it;
- tshark, given the keys, decrypts every ESP packet on the wan to the
  hosts' ICMP with good ICVs, and finds nothing malformed; every AH ICV is
  recomputed here (hmac) from the captured packets;
- a replayed ESP packet, one with a bad ICV, one with an unknown SPI and
  clear traffic that should have come protected each give IOS's syslog and
  counter and change nothing else;
- DF: a DF packet too big for the tunnel gets "fragmentation needed" with
  IOS's plaintext MTU (1438 for esp-aes esp-sha-hmac); with crypto ipsec
  df-bit clear it goes through, fragmented outside;
- reverse-route puts the remote proxy in the routing table while the map
  is applied.
"""

import hashlib
import hmac
import os
import re
import secrets
import signal
import struct
import subprocess
import time

import pytest

from test_net import Lab, Router, icmp_echo, ipv4, mac_of, sh, wait_link

ROOT = os.geteuid() == 0
PY = "/usr/bin/python3"

pytestmark = pytest.mark.skipif(not ROOT, reason="network namespaces need root")

# name, transform-set words, cipher key bytes, auth key bytes, and the
# Wireshark names of the ESP cipher and integrity (None: no ESP)
TRANSFORMS = [
    ("aes128-sha", "esp-aes esp-sha-hmac", 16, 20,
     "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]"),
    ("3des-md5", "esp-3des esp-md5-hmac", 24, 16,
     "TripleDES-CBC [RFC2451]", "HMAC-MD5-96 [RFC2403]"),
    ("des-sha", "esp-des esp-sha-hmac", 8, 20,
     "DES-CBC [RFC2405]", "HMAC-SHA-1-96 [RFC2404]"),
    ("aes192-md5", "esp-aes 192 esp-md5-hmac", 24, 16,
     "AES-CBC [RFC3602]", "HMAC-MD5-96 [RFC2403]"),
    ("aes256-sha256", "esp-aes 256 esp-sha256-hmac", 32, 32,
     "AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]"),
    ("gcm128", "esp-gcm", 20, 0,
     "AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
    ("gcm256", "esp-gcm 256", 36, 0,
     "AES-GCM with 16 octet ICV [RFC4106]", "NULL"),
    ("null-sha", "esp-null esp-sha-hmac", 0, 20, "NULL",
     "HMAC-SHA-1-96 [RFC2404]"),
    ("ah-sha", "ah-sha-hmac", 0, 0, None, None),
    ("ah-md5+3des", "ah-md5-hmac esp-3des", 24, 0,
     "TripleDES-CBC [RFC2451]", "NULL"),
]
AH_KEY = {"ah-sha": ("sha1", 20), "ah-md5+3des": ("md5", 16)}

LOCAL = {1: "10.0.0.1", 2: "10.0.0.2"}


def hx(b):
    return b.hex()


class Variant:
    """One transform set with its made-up keys and SPIs, both directions."""

    def __init__(self, i, name, words, ck, ak, wenc, wauth, transport=False):
        self.name, self.words, self.transport = name, words, transport
        self.wenc, self.wauth = wenc, wauth
        self.esp = wenc is not None
        self.ah = name in AH_KEY
        # keys of the SAs from router 1 to 2 and from 2 to 1
        self.keys = {}
        for d in ((1, 2), (2, 1)):
            self.keys[d] = {
                "spi": 0x1000 + 16 * i + (0 if d == (1, 2) else 1),
                "ah_spi": 0x2000 + 16 * i + (0 if d == (1, 2) else 1),
                "cipher": secrets.token_bytes(ck),
                "auth": secrets.token_bytes(ak),
                "ahkey": secrets.token_bytes(AH_KEY[name][1]) if self.ah else b"",
            }

    def esp_lines(self, k, direction):
        s = f" set session-key {direction} esp {k['spi']}"
        if k["cipher"]:
            s += f" cipher {hx(k['cipher'])}"
        if k["auth"]:
            s += f" authenticator {hx(k['auth'])}"
        return [s]

    def config(self, me, acl):
        other = 3 - me
        out, inn = self.keys[(me, other)], self.keys[(other, me)]
        lines = [f"crypto ipsec transform-set v{self.name} {self.words}"]
        if self.transport:
            lines.append(" mode transport")
        lines += ["crypto map mm 10 ipsec-manual",
                  f" set peer {LOCAL[other]}",
                  " no set session-key inbound esp",
                  " no set session-key outbound esp",
                  " no set session-key inbound ah",
                  " no set session-key outbound ah",
                  f" set transform-set v{self.name}",
                  f" match address {acl}"]
        if self.esp:
            lines += self.esp_lines(out, "outbound") + self.esp_lines(inn, "inbound")
        if self.ah:
            lines += [f" set session-key outbound ah {out['ah_spi']} {hx(out['ahkey'])}",
                      f" set session-key inbound ah {inn['ah_spi']} {hx(inn['ahkey'])}"]
        return lines

    def uat(self):
        """tshark's esp_sa entries for both directions."""
        out = []
        if not self.esp:
            return out
        for (a, b), k in self.keys.items():
            out.append(f'"IPv4","{LOCAL[a]}","{LOCAL[b]}","0x{k["spi"]:08x}",'
                       f'"{self.wenc}","0x{hx(k["cipher"]) or "00"}",'
                       f'"{self.wauth}","0x{hx(k["auth"]) or "00"}"')
        return out


class Capture:
    """tshark writing what crosses the wan (libpcap format, read back by
    hand)."""

    def __init__(self, ns, dev, path):
        self.path = path
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, "tshark", "-n", "-q",
                                   "-i", dev, "-F", "pcap", "-w", str(path)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert path.exists(), "tshark did not start"

    def settle(self, enough, timeout=15):
        """dumpcap writes in its own time: wait until ENOUGH(frames) and
        the file stops growing."""
        deadline = time.monotonic() + timeout
        last = -1
        while time.monotonic() < deadline:
            frames = pcap_frames(self.path)
            if enough(frames) and len(frames) == last:
                return
            last = len(frames)
            time.sleep(0.3)

    def stop(self):
        if self.p.poll() is not None:
            return
        self.p.send_signal(signal.SIGINT)
        try:
            self.p.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.communicate()


def pcap_frames(path):
    data = path.read_bytes()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic == 0xa1b2c3d4 else ">"
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        if off + 16 + incl > len(data):
            break                  # still being written
        out.append(data[off + 16:off + 16 + incl])
        off += 16 + incl
    return out


# ---- frames in and out of a namespace -------------------------------------------------

SNIFF = r"""
import socket, sys, select, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
src = bytes.fromhex(sys.argv[2]); proto = int(sys.argv[3]); n = int(sys.argv[4])
deadline = time.monotonic() + float(sys.argv[5])
got = 0
print("ready", flush=True)
while got < n and time.monotonic() < deadline:
    r, _, _ = select.select([s], [], [], max(0, deadline - time.monotonic()))
    if not r:
        break
    f, addr = s.recvfrom(65536)
    if addr[2] == socket.PACKET_OUTGOING:
        continue
    if f[6:12] == src and f[12:14] == b"\x08\x00" and f[23] == proto:
        print(f.hex(), flush=True)
        got += 1
"""

SEND = r"""
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
s.bind((sys.argv[1], 0))
for h in sys.argv[2:]:
    s.send(bytes.fromhex(h))
"""


class Sniffer:
    """Frames of one IP protocol from one MAC, seen on DEV in NS."""

    def __init__(self, ns, dev, src_mac, proto, n, timeout=15):
        self.p = subprocess.Popen(["ip", "netns", "exec", ns, PY, "-c", SNIFF, dev,
                                   src_mac.replace(":", ""), str(proto), str(n),
                                   str(timeout)], stdout=subprocess.PIPE, text=True)
        assert self.p.stdout.readline().strip() == "ready"

    def frames(self):
        out, _ = self.p.communicate(timeout=30)
        return [bytes.fromhex(l) for l in out.split()]


def inject(ns, dev, *frames):
    sh("ip", "netns", "exec", ns, PY, "-c", SEND, dev, *[f.hex() for f in frames])


# ---- the topology ----------------------------------------------------------------------

def grab(text, pat):
    m = re.search(pat, text)
    assert m, f"{pat!r} not in:\n{text}"
    return int(m.group(1))


def wait_for(fn, what, timeout=15):
    deadline = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


class Topo:
    def __init__(self, lab, tmp):
        self.lab = lab
        self.ns = {k: lab.netns(k) for k in ("ipa", "ipr1", "ipr2", "ipb")}
        self.w1, self.w2 = lab.veth("ipw1", self.ns["ipr1"], "ipw2", self.ns["ipr2"])
        self.l1, self.ha = lab.veth("ipl1", self.ns["ipr1"], "ipha", self.ns["ipa"])
        self.l2, self.hb = lab.veth("ipl2", self.ns["ipr2"], "iphb", self.ns["ipb"])
        for ns, dev, addr, gw in ((self.ns["ipa"], self.ha, "192.168.1.10/24", "192.168.1.1"),
                                  (self.ns["ipb"], self.hb, "192.168.2.10/24", "192.168.2.1")):
            sh("ip", "-n", ns, "addr", "add", addr, "dev", dev)
            sh("ip", "-n", ns, "route", "add", "default", "via", gw)
            # real checksums and frames no larger than the MTU
            sh("ip", "netns", "exec", ns, "ethtool", "-K", dev, "tx", "off",
               "tso", "off", "gso", "off", check=False)
        self.capfile = tmp / "wan.pcap"
        self.cap = Capture(self.ns["ipr1"], self.w1, self.capfile)
        self.r = {}
        for n, wan, lan, lanip, remote in ((1, self.w1, self.l1, "192.168.1.1", "192.168.2.0"),
                                           (2, self.w2, self.l2, "192.168.2.1", "192.168.1.0")):
            r = Router(f"R{n}", ["--iface", f"Fa0/0=linux:{wan}", "--iface",
                                 f"Fa0/1=linux:{lan}"], netns=self.ns[f"ipr{n}"])
            lab.routers.append(r)
            r.cmd("enable")
            r.cmd("terminal length 0")
            mine = "192.168.1.0" if n == 1 else "192.168.2.0"
            r.config("logging buffered 200000 debugging",
                     "interface FastEthernet0/0",
                     f" ip address {LOCAL[n]} 255.255.255.0", " no shutdown",
                     "interface FastEthernet0/1",
                     f" ip address {lanip} 255.255.255.0", " no shutdown",
                     f"ip route {remote} 255.255.255.0 {LOCAL[3 - n]}",
                     f"access-list 101 permit ip {mine} 0.0.0.255 {remote} 0.0.0.255",
                     f"access-list 102 permit ip host {LOCAL[n]} host {LOCAL[3 - n]}")
            self.r[n] = r
        for n in (1, 2):
            wait_link(self.r[n], "FastEthernet0/0", "up")
            wait_link(self.r[n], "FastEthernet0/1", "up")
        self.mac = {n: mac_of(self.r[n], "Fa0/0") for n in (1, 2)}

    def apply(self, v, acl=101):
        for n in (1, 2):
            self.r[n].config(*v.config(n, acl), "interface FastEthernet0/0",
                             " crypto map mm")
        # both have installed the new SAs
        for n in (1, 2):
            spi = v.keys[(n, 3 - n)]["spi" if v.esp else "ah_spi"]
            wait_for(lambda: f"current outbound spi: 0x{spi:X}(" in
                     self.r[n].cmd("show crypto ipsec sa"), f"{v.name} SAs on R{n}")

    def ping_hosts(self, count=3, *opts):
        return sh("ip", "netns", "exec", self.ns["ipa"], "ping", "-n", "-c", str(count),
                  "-i", "0.2", "-W", "2", *opts, "192.168.2.10", check=False).stdout

    def logged(self, n, pattern, timeout=10):
        return wait_for(lambda: re.search(pattern, self.r[n].cmd("show logging")),
                        f"{pattern} in R{n}'s log", timeout)


@pytest.fixture(scope="module")
def topo(tmp_path_factory):
    lab = Lab()
    lab.routers = []
    t = None
    try:
        t = Topo(lab, tmp_path_factory.mktemp("ipsec"))
        yield t
    finally:
        if t:
            t.cap.stop()
        errs = []
        for r in lab.routers:
            try:
                r.stop()
            except AssertionError as e:
                errs.append(str(e))
        lab.close()
        assert not errs, errs


# ---- the checks --------------------------------------------------------------------------

VARIANTS = [Variant(i, *t) for i, t in enumerate(TRANSFORMS)]
TRANSPORT = Variant(len(TRANSFORMS), "transport", "esp-aes esp-sha-hmac", 16, 20,
                    "AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]", transport=True)


def check_transform(topo, v):
    before = grab(topo.r[2].cmd("show crypto ipsec sa"), r"#pkts decaps: (\d+)")
    out = topo.ping_hosts(3)
    assert " 3 received" in out and "ttl=62" in out, f"{v.name}:\n{out}"
    sa = topo.r[2].cmd("show crypto ipsec sa")
    assert grab(sa, r"#pkts decaps: (\d+)") >= before + 3, sa
    assert "#send errors 0, #recv errors 0" in sa, sa
    if v.ah:
        assert re.search(r"inbound ah sas:\n      spi: 0x", sa), sa
    if v.name == "ah-md5+3des":
        # seed 000's trans1: ESP inside AH, one connection each way
        assert "transform: esp-3des ," in sa and "transform: ah-md5-hmac ," in sa
        eng = topo.r[2].cmd("show crypto engine connections active")
        assert re.search(r"IPsec 3DES\+MD5 +\d+ +\d+ 10\.0\.0\.2", eng), eng


def check_transport(topo):
    topo.apply(TRANSPORT, acl=102)
    out = topo.r[1].cmd("ping 10.0.0.2 source 10.0.0.1 repeat 5")
    assert "Success rate is 100 percent (5/5)" in out, out
    sa = topo.r[1].cmd("show crypto ipsec sa")
    assert "in use settings ={Transport, }" in sa, sa
    assert "(10.0.0.1/255.255.255.255/0/0)" in sa, sa


def check_capture(topo):
    """tshark decrypts every ESP packet to the ICMP it carried, checks its
    ICV, and finds nothing malformed; AH ICVs are checked here."""
    spi = TRANSPORT.keys[(2, 1)]["spi"]
    topo.cap.settle(lambda fr: any(f[34:38] == struct.pack("!I", spi) for f in fr))
    topo.cap.stop()
    frames = pcap_frames(topo.capfile)
    args = ["tshark", "-n", "-r", str(topo.capfile),
            "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for v in VARIANTS + [TRANSPORT]:
        for u in v.uat():
            args += ["-o", f"uat:esp_sa:{u}"]
    rows = sh(*args, "-Y", "esp", "-T", "fields", "-E", "separator=|",
              "-e", "esp.spi", "-e", "icmp.type", "-e", "esp.icv_good",
              "-e", "esp.icv_bad").stdout.splitlines()
    esp_pings = 3 * 2 * sum(v.esp for v in VARIANTS) + 5 * 2
    assert len(rows) >= esp_pings, f"{len(rows)} ESP frames"
    hmac_spis = {v.keys[d]["spi"] for v in VARIANTS + [TRANSPORT]
                 if v.wauth not in (None, "NULL") for d in v.keys}
    for row in rows:
        spi, icmp, good, bad = row.split("|")
        assert icmp.split(",")[0] in ("8", "0"), f"not decrypted: {row}"
        assert bad in ("", "0", "False"), f"bad ICV: {row}"
        # an HMAC transform's ICV is checked, and good (GCM's tag is the
        # decryption's own check)
        if int(spi, 16) in hmac_spis:
            assert good in ("1", "True"), f"ICV not checked good: {row}"
    bad = sh(*args, "-Y", "_ws.malformed || _ws.expert.severity >= 8388608",
             "-V").stdout
    assert bad.strip() == "", bad[:4000]
    verify_ah(frames)


def test_transforms_tunnel_and_transport_as_tshark_sees_them(topo):
    for v in VARIANTS:
        topo.apply(v)
        check_transform(topo, v)
    check_transport(topo)
    check_capture(topo)


def verify_ah(frames):
    """Every AH packet's ICV, computed again from the wire (RFC 4302)."""
    seen = 0
    for f in frames:
        if len(f) < 34 or f[12:14] != b"\x08\x00" or f[23] != 51:
            continue
        ip = f[14:]
        tot = struct.unpack("!H", ip[2:4])[0]
        ip = ip[:tot]
        ah = ip[20:]
        alen = (ah[1] + 2) * 4
        spi = struct.unpack("!I", ah[4:8])[0]
        src = ".".join(str(b) for b in ip[12:16])
        d = (1, 2) if src == LOCAL[1] else (2, 1)
        v = next((v for v in VARIANTS if v.ah and v.keys[d]["ah_spi"] == spi), None)
        assert v, f"AH SPI {spi:#x} unknown"
        alg, _ = AH_KEY[v.name]
        hdr = bytearray(ip[:20])
        hdr[1] = 0
        hdr[6:8] = b"\0\0"
        hdr[8] = 0
        hdr[10:12] = b"\0\0"
        zeroed = ah[:12] + b"\0" * (alen - 12)
        mac = hmac.new(v.keys[d]["ahkey"], bytes(hdr) + zeroed + ah[alen:],
                       getattr(hashlib, alg)).digest()[:12]
        assert mac == ah[12:24], f"AH ICV of {v.name} does not verify"
        seen += 1
    assert seen >= 2 * 3 * 2, f"only {seen} AH packets"


def detail(r):
    out = r.cmd("show crypto ipsec sa detail")
    return {k: grab(out, p) for k, p in (
        ("decaps", r"#pkts decaps: (\d+)"),
        ("replay", r"##pkts replay failed \(rcv\): (\d+)"),
        ("verify", r"#pkts verify failed: (\d+)"),
        ("invalid_sa", r"#pkts invalid sa \(rcv\) (\d+)"))}


def forwarded(r):
    return grab(r.cmd("show ip traffic"), r"(\d+) forwarded")


def test_replay_bad_icv_unknown_spi_and_clear_traffic(topo):
    topo.apply(VARIANTS[0])
    r2 = topo.r[2]
    sn = Sniffer(topo.ns["ipr2"], topo.w2, topo.mac[1], 50, 1)
    assert " 1 received" in topo.ping_hosts(1)
    esp = sn.frames()[0]
    d0 = detail(r2)

    # the same packet again: a replay, dropped, counted, said once
    inject(topo.ns["ipr1"], topo.w1, esp)
    m = topo.logged(2, r"%CRYPTO-4-PKT_REPLAY_ERR: decrypt: replay check failed "
                       r"connection id=(\d+), sequence number=(\d+)")
    seq = struct.unpack("!I", esp[38:42])[0]
    assert int(m.group(2)) == seq
    d1 = wait_for(lambda: (lambda d: d if d["replay"] == d0["replay"] + 1 else None)(
        detail(r2)), "the replay counter")
    assert d1["decaps"] == d0["decaps"] and d1["verify"] == d0["verify"]

    # a sequence number never seen, under the old ICV: the ICV fails
    bad = bytearray(esp)
    bad[38:42] = struct.pack("!I", seq + 1000)
    inject(topo.ns["ipr1"], topo.w1, bytes(bad))
    topo.logged(2, r"%CRYPTO-4-RECVD_PKT_MAC_ERR: decrypt: mac verification "
                   r"failed for connection id=\d+")
    d2 = wait_for(lambda: (lambda d: d if d["verify"] == d0["verify"] + 1 else None)(
        detail(r2)), "the verify-failed counter")
    assert d2["decaps"] == d0["decaps"] and d2["replay"] == d1["replay"]
    # ... and moved no window: the next real packets pass
    assert " 3 received" in topo.ping_hosts(3)

    # an SPI no SA has
    unknown = bytearray(esp)
    unknown[34:38] = struct.pack("!I", 0xDEADBEEF)
    inject(topo.ns["ipr1"], topo.w1, bytes(unknown))
    topo.logged(2, r"%CRYPTO-4-RECVD_PKT_INV_SPI: decaps: rec'd IPSEC packet has "
                   r"invalid spi for destaddr=10\.0\.0\.2, prot=50, "
                   r"spi=0xDEADBEEF\(3735928559\), srcaddr=10\.0\.0\.1")
    assert detail(r2)["invalid_sa"] == d0["invalid_sa"] + 1

    # clear traffic the map protects, straight onto the wan: dropped
    fwd = forwarded(r2)
    clear = (bytes.fromhex(topo.mac[2].replace(":", "")) +
             bytes.fromhex(topo.mac[1].replace(":", "")) + b"\x08\x00" +
             ipv4("192.168.1.10", "192.168.2.10", 1, icmp_echo(9, 1)))
    inject(topo.ns["ipr1"], topo.w1, clear)
    topo.logged(2, r"%CRYPTO-4-RECVD_PKT_NOT_IPSEC: Rec'd packet not an IPSEC "
                   r"packet\. \(ip\) vrf/dest_addr= /192\.168\.2\.10, "
                   r"src_addr= 192\.168\.1\.10, prot= 1")
    assert forwarded(r2) == fwd
    assert " 2 received" in topo.ping_hosts(2)


def test_df_bit_and_plaintext_mtu(topo):
    topo.apply(VARIANTS[0])
    a = topo.ns["ipa"]
    sh("ip", "-n", a, "route", "flush", "cache", check=False)
    out = topo.ping_hosts(1, "-M", "do", "-s", "1472")
    assert re.search(r"mtu ?= ?1438", out), out       # IOS's plaintext mtu
    out = topo.ping_hosts(2, "-M", "do", "-s", "1410")
    assert " 2 received" in out, out
    for n in (1, 2):
        topo.r[n].config("crypto ipsec df-bit clear")
    try:
        sh("ip", "-n", a, "route", "flush", "cache", check=False)
        out = topo.ping_hosts(2, "-M", "do", "-s", "1472")
        assert " 2 received" in out, out                # fragmented outside
    finally:
        for n in (1, 2):
            topo.r[n].config("no crypto ipsec df-bit")
        sh("ip", "-n", a, "route", "flush", "cache", check=False)


def test_reverse_route_while_the_map_is_applied(topo):
    topo.apply(VARIANTS[0])
    r1 = topo.r[1]
    r1.config("crypto map mm 10 ipsec-manual", " reverse-route",
              "no ip route 192.168.2.0 255.255.255.0 10.0.0.2")
    try:
        rri = re.compile(r"S +192\.168\.2\.0/24 is directly connected, "
                         r"FastEthernet0/0")
        wait_for(lambda: rri.search(r1.cmd("show ip route")), "the RRI route")
        assert " 3 received" in topo.ping_hosts(3)
        r1.config("interface FastEthernet0/0", " no crypto map mm")
        wait_for(lambda: not rri.search(r1.cmd("show ip route")),
                 "the RRI route to go")
    finally:
        r1.config("ip route 192.168.2.0 255.255.255.0 10.0.0.2",
                  "crypto map mm 10 ipsec-manual", " no reverse-route",
                  "interface FastEthernet0/0", " crypto map mm")


def test_no_sa_acquire_clear_and_debug(topo):
    topo.apply(VARIANTS[0])
    r1 = topo.r[1]
    r1.config("interface Loopback1", " ip address 10.9.9.1 255.255.255.255",
              "ip route 10.8.8.8 255.255.255.255 10.0.0.2",
              "access-list 103 permit ip host 10.9.9.1 host 10.8.8.8",
              "crypto map mm 20 ipsec-isakmp", " set peer 10.0.0.2",
              f" set transform-set v{VARIANTS[0].name}", " match address 103")
    r1.cmd("debug crypto ipsec")
    try:
        out = r1.cmd("ping 10.8.8.8 source Loopback1 repeat 3 timeout 0")
        assert "Success rate is 0 percent" in out, out
        sa = r1.cmd("show crypto ipsec sa map mm detail")
        blk = sa[sa.index("(10.9.9.1/255.255.255.255/0/0)"):]
        assert grab(blk, r"#pkts no sa \(send\) (\d+)") >= 3, sa
        assert "current outbound spi: 0x0(0)" in blk, blk
        # IKE was asked once (a second between asks), in IOS's words
        topo.logged(1, r"IPSEC\(sa_request\): ,\n  \(key eng\. msg\.\) OUTBOUND "
                       r"local= 10\.0\.0\.1, remote= 10\.0\.0\.2,")
        # clear crypto sa: the manual SAs go and come back, new
        old = r1.cmd("show crypto engine connections active")
        r1.cmd("clear crypto sa")
        topo.logged(1, r"IPSEC\(delete_sa\): deleting SA,")
        topo.logged(1, r"IPSEC\(create_sa\): sa created,")
        new = wait_for(lambda: (lambda o: o if o != old and "IPsec" in o else None)(
            r1.cmd("show crypto engine connections active")), "new connections")
        assert re.search(r"IPsec AES\+SHA", new), new
        assert " 2 received" in topo.ping_hosts(2)
        r1.cmd("clear crypto sa counters")
        assert "#pkts encaps: 0," in r1.cmd("show crypto ipsec sa peer 10.0.0.2")
        addr = r1.cmd("show crypto ipsec sa address")
        assert re.search(r"dest address: 10\.0\.0\.2\n   protocol: ESP\n      spi: ", addr), addr
    finally:
        r1.cmd("no debug crypto ipsec")
        r1.config("no crypto map mm 20", "no access-list 103",
                  "no interface Loopback1")
