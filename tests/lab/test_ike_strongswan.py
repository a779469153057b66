"""IKEv1 between iosim and strongSwan (charon, swanctl, kernel-libipsec),
in network namespaces over veth.

    ns R   iosim R1: Fa0/0 = linux:r0 10.0.0.1/24, Fa0/1 = linux:r1 192.168.1.1/24
    ns SW  charon on sw0 10.0.0.2/24, protected network 192.168.2.0/24 on lo
    ns H   a host 192.168.1.100/24 behind R1

strongSwan with kernel-libipsec always floats to NAT-T (lab-facts.md), so
every SA here runs over UDP 4500 after Main Mode message 4. tshark records
sw0 for the whole module: every ISAKMP and NAT-T packet must decode with no
malformed or error-level item, and with the keys charon logs it decrypts
the ISAKMP messages (uat:ikev1_decryption_table).

R1 initiates when the host's traffic meets the crypto map with no SA (the
data path asks IKE). charon logs the keys it derives (log level 4): with
them tshark decrypts the ISAKMP messages and the ESP both ways to the
hosts' ICMP. R1 is build/test/iosim-testcmds, iosim plus the test-only
commands that make SAs older so that rekey and expiry happen now.

Needs root (namespaces, AF_PACKET) and strongSwan; skips otherwise.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import iosim  # noqa: E402
import ikelab  # noqa: E402
from ikelab import sh, wait_for  # noqa: E402

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: namespaces, AF_PACKET"),
    pytest.mark.skipif(not ikelab.have_strongswan(),
                       reason="needs strongSwan (charon, swanctl)"),
    pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark"),
]

TESTCMDS = iosim.REPO / "build" / "test" / "iosim-testcmds"

BASE = [
    "interface FastEthernet0/0", " ip address 10.0.0.1 255.255.255.0", " no shutdown",
    "interface FastEthernet0/1", " ip address 192.168.1.1 255.255.255.0", " no shutdown",
    "crypto isakmp policy 10", " authentication pre-share", " group 2",
    "crypto isakmp key cisco123 address 10.0.0.2",
    "crypto isakmp key cisco123 address 0.0.0.0 0.0.0.0",
    "crypto ipsec transform-set TS esp-aes esp-sha-hmac",
    "ip access-list extended VPN",
    " permit ip 192.168.1.0 0.0.0.255 192.168.2.0 0.0.0.255",
    "crypto map CM 10 ipsec-isakmp", " set peer 10.0.0.2", " set transform-set TS",
    " match address VPN",
    "interface FastEthernet0/0", " crypto map CM",
    "ip route 192.168.2.0 255.255.255.0 10.0.0.2",
]

SUITES = {
    # swanctl proposals -> iosim policy and transform set, the isakmp sa
    # detail's names, and tshark's names of the ESP cipher and integrity
    "3des-md5": ("3des-md5-modp1024", "3des-md5",
                 ["crypto isakmp policy 10", " encr 3des", " hash md5"],
                 "esp-3des esp-md5-hmac", ("3des", "md5"),
                 ("TripleDES-CBC [RFC2451]", "HMAC-MD5-96 [RFC2403]")),
    "aes128-sha1": ("aes128-sha1-modp1024", "aes128-sha1",
                    ["crypto isakmp policy 10", " encr aes", " hash sha"],
                    "esp-aes esp-sha-hmac", ("aes", "sha"),
                    ("AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]")),
}


class Lab:
    def __init__(self):
        self.tag = ikelab.new_tag()
        self.net = ikelab.Netns(self.tag)
        self.tmp = tempfile.mkdtemp(prefix="iosim-ike-")
        self.r = self.cap = self.charon = None

    def up(self):
        net = self.net
        self.ns_r, self.ns_sw, self.ns_h = net.ns("r"), net.ns("sw"), net.ns("h")
        net.veth(self.ns_r, "r0", self.ns_sw, "sw0", None, "10.0.0.2/24")
        sh("ip", "addr", "add", "10.0.0.3/24", "dev", "sw0", ns=self.ns_sw)
        net.veth(self.ns_r, "r1", self.ns_h, "h0", None, "192.168.1.100/24")
        sh("ip", "addr", "add", "192.168.2.1/24", "dev", "lo", ns=self.ns_sw)
        sh("ip", "route", "add", "192.168.1.0/24", "via", "10.0.0.1", ns=self.ns_sw)
        sh("ip", "route", "add", "default", "via", "192.168.1.1", ns=self.ns_h)
        self.cap = ikelab.Tshark(self.ns_sw, "sw0", self.tmp)
        self.r = ikelab.Router("R1", ["--iface", "FastEthernet0/0=linux:r0",
                                      "--iface", "FastEthernet0/1=linux:r1"],
                               BASE, ns=self.ns_r, exe=TESTCMDS)
        self.charon = ikelab.Charon(self.ns_sw, self.tmp, keep_alive=2)
        self.charon.start()

    def close(self):
        errs = ""
        if self.charon:
            self.charon.stop()
        if self.r:
            errs = self.r.stop()
        if self.cap:
            self.cap.stop()
        self.net.close()
        return errs

    # ---- helpers ------------------------------------------------------------
    def suite(self, name):
        ike, esp, pol, ts, _, _ = SUITES[name]
        self.r.configure(pol + [f"crypto ipsec transform-set TS {ts}"])
        self.charon.load(ike=ike, esp=esp)

    def idle(self):
        """No SA left on either side."""
        self.charon.swanctl("--terminate", "--ike", "ios", "--timeout", "5",
                            timeout=20)
        self.r.cmd("clear crypto session")
        ok = wait_for(lambda: "QM_IDLE" not in self.r.show("show crypto isakmp sa")
                      and "Session status: UP" not in self.r.show("show crypto session")
                      or None, 10)
        ok = ok and wait_for(lambda: "ESTABLISHED" not in self.charon.list_sas()
                             or None, 10)
        assert ok, self.r.show("show crypto session") + self.charon.list_sas()

    def flowmib(self):
        out = self.r.show("show crypto mib ike flowmib global")
        return {m.group(1).strip(): int(m.group(2))
                for m in re.finditer(r"^\s+(\D+?)\s+(\d+)$", out, re.M)}

    def row(self):
        m = re.search(r"^(\S+)\s+(\S+)\s+(QM_IDLE|MM_\w+)\s+(\d+)\s+0\s+(ACTIVE.*)$",
                      self.r.show("show crypto isakmp sa"), re.M)
        return m.groups() if m else None

    def spis_from_debug(self, since):
        """The SPIs iosim's debug says it created (inbound, outbound)."""
        text = self.r.text()[since:]
        inb = re.findall(r"inbound SA from .*\n.*\n.*has spi 0x([0-9A-F]+)", text)
        outb = re.findall(r"outbound SA from .*\n.*\n.*has spi 0x([0-9A-F]+)", text)
        return ([int(x, 16) for x in inb], [int(x, 16) for x in outb])


@pytest.fixture(scope="module")
def lab():
    if not TESTCMDS.exists():
        pytest.fail(f"{TESTCMDS} missing: make build/test/iosim-testcmds", pytrace=False)
    lab = Lab()
    try:
        lab.up()
        lab.r.cmd("debug crypto isakmp")
        yield lab
    finally:
        errs = lab.close()
        if not os.environ.get("IKE_KEEP_TMP"):
            shutil.rmtree(lab.tmp, ignore_errors=True)
    assert not ikelab.sanitizer_clean(errs), errs[-4000:]


def peer_block(session, peer):
    """One session of show crypto session detail, lifetimes left out."""
    blocks = session.split("\nInterface: ")
    b = [x for x in blocks if f"Peer: {peer}/" in x]
    assert len(b) == 1, session
    return re.sub(r"lifetime:\S+|life \(KB/Sec\) \S+", "", b[0]).strip()


@pytest.mark.parametrize("suite", list(SUITES))
def test_strongswan_initiates(lab, suite):
    lab.idle()
    lab.suite(suite)
    mark, cmark = len(lab.r.text()), len(lab.charon.logtext())
    res = lab.charon.initiate()
    assert res.returncode == 0, res.stdout[-3000:] + lab.r.text()[-3000:]
    sas = ikelab.parse_list_sas(lab.charon.list_sas())
    assert sas["state"] == "ESTABLISHED"
    # iosim is the responder: dst is itself
    dst, src, state, conn, status = lab.row()
    assert (dst, src, state, status) == ("10.0.0.1", "10.0.0.2", "QM_IDLE", "ACTIVE")
    detail = lab.r.show("show crypto isakmp sa detail")
    encr, hsh = SUITES[suite][4]
    m = re.search(rf"^{conn}\s+10\.0\.0\.1\s+10\.0\.0\.2\s+ACTIVE (\S+)\s+(\S+)\s+psk\s+2\s+"
                  r"(\d\d:\d\d:\d\d) N", detail, re.M)
    assert m and m.groups()[:2] == (encr, hsh), detail
    # the SPIs: iosim's inbound is strongSwan's outbound and the reverse
    inb, outb = lab.spis_from_debug(mark)
    assert inb[-1] == sas["spi_out"] and outb[-1] == sas["spi_in"], (inb, outb, sas)
    # the cookies iosim put on the wire are strongSwan's
    cookies = lab.cap.read(filt="ip.src==10.0.0.1 && isakmp",
                           fields=["isakmp.ispi", "isakmp.rspi"])
    assert f"{sas['icookie']}\t{sas['rcookie']}" in cookies
    sess = lab.r.show("show crypto session")
    assert "Session status: UP-ACTIVE" in sess
    assert "IKE SA: local 10.0.0.1/4500 remote 10.0.0.2/4500 Active" in sess
    assert ("IPSEC FLOW: permit ip 192.168.1.0/255.255.255.0 "
            "192.168.2.0/255.255.255.0") in sess
    out = lab.r.show("show crypto ipsec sa")
    cky = sas["icookie"] + sas["rcookie"]
    want = " ".join(cky[i:i + 8] for i in range(0, 32, 8)).upper()
    assert f"ike_cookies: {want}" in out, out
    # IOS prints SPIs without leading zeros: "spi: 0x289BD9F(42581407)"
    assert f"spi: 0x{sas['spi_in']:X}({sas['spi_in']})" in out, out
    assert f"spi: 0x{sas['spi_out']:X}({sas['spi_out']})" in out, out
    # the hosts' pings cross, and the ESP is what strongSwan's keys say
    assert " 0% packet loss" in ping_h(lab)
    check_esp_decrypts(lab, suite, sas, cmark, we_initiated=False)


def check_esp_decrypts(lab, suite, sas, since, we_initiated):
    """tshark decrypts the ESP of this CHILD_SA both ways, with the keys
    strongSwan derived, to the host's echo requests and the replies, and
    finds every ICV good: iosim encrypted and authenticated what it sent
    as strongSwan expects. The Quick Mode initiator's traffic uses the
    "initiator" keys."""
    enc, auth = SUITES[suite][5]
    key = {w: lab.charon.logged_key(f"encryption {w} key", since)
           for w in ("initiator", "responder")}
    mac = {w: lab.charon.logged_key(f"integrity {w} key", since)
           for w in ("initiator", "responder")}
    assert None not in key.values() and None not in mac.values(), \
        lab.charon.logtext()[since:][-3000:]
    # strongSwan's inbound SA carries what iosim sends
    to_swan = "initiator" if we_initiated else "responder"
    to_ios = "responder" if we_initiated else "initiator"
    opts = ["-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for spi, w in ((sas["spi_in"], to_swan), (sas["spi_out"], to_ios)):
        opts += ["-o", f'uat:esp_sa:"IPv4","*","*","0x{spi:08x}","{enc}",'
                       f'"0x{key[w]}","{auth}","0x{mac[w]}"']
    time.sleep(0.5)
    rows = lab.cap.read(*opts, fields=["esp.spi", "icmp.type", "esp.icv_good"],
                        filt=f"esp.spi == 0x{sas['spi_in']:08x} || "
                             f"esp.spi == 0x{sas['spi_out']:08x}").split("\n")
    rows = [r.split("\t") for r in rows if r]
    sent = [r for r in rows if int(r[0], 16) == sas["spi_in"]]
    back = [r for r in rows if int(r[0], 16) == sas["spi_out"]]
    assert sent and back, rows
    assert all(r[1] == "8" and r[2] in ("1", "True") for r in sent), rows
    assert all(r[1] == "0" and r[2] in ("1", "True") for r in back), rows


def ping_h(lab, count=3, interval=0.3):
    return sh("ping", "-c", count, "-i", interval, "-W", "2", "192.168.2.1",
              ns=lab.ns_h, check=False, timeout=count * 3 + 10).stdout


def test_iosim_initiates_on_traffic(lab):
    """The host's ping matches the crypto map and has no SA: the data path
    drops it and asks IKE, which initiates (IOS drops the first packets)."""
    lab.idle()
    lab.suite("aes128-sha1")
    before = lab.flowmib()
    mark, cmark = len(lab.r.text()), len(lab.charon.logtext())
    sh("ping", "-c", "1", "-W", "1", "192.168.2.1", ns=lab.ns_h, check=False)
    ok = wait_for(lambda: "INSTALLED" in lab.charon.list_sas(), 15)
    assert ok, lab.r.text()[mark:][-4000:] + lab.charon.logtext()[-3000:]
    dst, src, state, _, _ = lab.row()
    assert (dst, src, state) == ("10.0.0.2", "10.0.0.1", "QM_IDLE")
    sas = ikelab.parse_list_sas(lab.charon.list_sas())
    inb, outb = lab.spis_from_debug(mark)
    assert inb[-1] == sas["spi_out"] and outb[-1] == sas["spi_in"]
    assert lab.flowmib()["Initiator Tunnels"] == before["Initiator Tunnels"] + 1
    # the first echo went as "no sa"; now they cross, and while the SA is
    # up, traffic starts nothing new
    assert re.search(r"[1-3] received", ping_h(lab)), lab.r.text()[mark:][-3000:]
    assert lab.charon.list_sas().count("INSTALLED") == 1
    assert lab.flowmib()["Initiator Tunnels"] == before["Initiator Tunnels"] + 1
    out = lab.r.show("show crypto ipsec sa detail")
    m = re.search(r"#pkts no sa \(send\) (\d+)", out)
    assert m and int(m.group(1)) >= 1, out
    check_esp_decrypts(lab, "aes128-sha1", sas, cmark, we_initiated=True)
    # the ISAKMP messages of this SA (iosim encrypted half of them)
    # decrypt with the phase 1 key strongSwan derived
    ka = lab.charon.logged_key("encryption key Ka", cmark)
    assert ka, lab.charon.logtext()[cmark:][-3000:]
    uat = f'uat:ikev1_decryption_table:{sas["icookie"]},{ka}'
    dec = lab.cap.read("-o", uat, "-V", filt=f"isakmp.ispi == {sas['icookie']}")
    assert "Identification" in dec and "Nonce" in dec, dec[-3000:]
    assert "Hash DATA" in dec
    # decrypted, every message still decodes cleanly (padding included)
    bad = lab.cap.read("-o", uat, filt=f"isakmp.ispi == {sas['icookie']} && "
                       "(_ws.malformed || _ws.expert.severity >= \"error\")")
    assert bad.strip() == "", bad[:3000]


def test_dpd_detects_dead_strongswan(lab):
    lab.idle()
    lab.suite("aes128-sha1")
    # periodic: on-demand asks only when traffic goes out unanswered, and
    # without the data path there is none
    lab.r.configure(["crypto isakmp keepalive 10 2 periodic"])
    try:
        res = lab.charon.initiate()
        assert res.returncode == 0, res.stdout[-2000:]
        detail = lab.r.show("show crypto isakmp sa detail")
        assert re.search(r"ACTIVE aes\s+sha\s+psk\s+2\s+\S+ DN", detail), detail
        mark = len(lab.r.text())
        lab.charon.kill()
        # 10 s quiet, then R-U-THERE every 2 s: dead after six unanswered
        gone = wait_for(lambda: "QM_IDLE" not in lab.r.show("show crypto isakmp sa")
                        or None, 40, step=0.5)
        assert gone, lab.r.text()[mark:][-3000:]
        text = lab.r.text()[mark:]
        assert "DPD/R_U_THERE sequence" in text
        assert "DPD retries exhausted" in text
        assert "IPSEC FLOW: permit ip 192.168.1.0/255.255.255.0" in \
            lab.r.show("show crypto session")          # the map's flow, DOWN
        assert "Session status: DOWN" in lab.r.show("show crypto session")
        sent = lab.cap.read(filt="ip.src==10.0.0.1 && isakmp.exchangetype == 5")
        assert sent.strip(), "no Informational from iosim on the wire"
    finally:
        lab.r.configure(["no crypto isakmp keepalive"])
        lab.charon.stop()
        lab.charon.start()


def test_wrong_preshared_key(lab):
    lab.idle()
    lab.suite("3des-md5")
    res = lab.charon.initiate()
    assert res.returncode == 0
    up = lab.row()
    session = lab.r.show("show crypto session detail")
    before = lab.flowmib()
    mark = len(lab.r.text())
    # another address of the peer's (iosim's 0.0.0.0 key covers it) with
    # another key: its message 5 cannot decrypt
    lab.charon.load({"name": "bad", "child": "badnet", "local": "10.0.0.3",
                     "psk": "not-the-key", "ike": SUITES["3des-md5"][0],
                     "esp": "3des-md5"},
                    ike=SUITES["3des-md5"][0], esp="3des-md5")
    lab.charon.swanctl("--initiate", "--child", "badnet", "--timeout", "3",
                       timeout=15)
    line = lab.r.wait_log(r"%CRYPTO-4-IKMP_BAD_MESSAGE: IKE message from 10\.0\.0\.3 "
                          r"failed its sanity check or is malformed|"
                          r"%CRYPTO-6-IKMP_AUTH_FAIL: Authentication method 1 failed "
                          r"with host 10\.0\.0\.3", 15, mark)
    assert line, lab.r.text()[mark:][-3000:]
    after = lab.flowmib()
    assert after["Decrypt Fails"] + after["Auth Fails"] > \
        before["Decrypt Fails"] + before["Auth Fails"]
    # nothing else changed: the good SA is there, its IPsec SAs too
    assert lab.row() == up
    rows = lab.r.show("show crypto isakmp sa")
    assert rows.count("QM_IDLE") == 1
    now = lab.r.show("show crypto session detail")
    assert peer_block(now, "10.0.0.2") == peer_block(session, "10.0.0.2")
    assert "QM_IDLE" not in [l for l in rows.split("\n") if "10.0.0.3" in l][0]


def test_proposal_mismatch(lab):
    lab.idle()
    lab.suite("3des-md5")
    before = lab.flowmib()
    mark = len(lab.r.text())
    lab.charon.load(ike="aes256-sha256-modp2048", esp="3des-md5")
    res = lab.charon.initiate(timeout=8)
    assert res.returncode != 0
    assert lab.r.wait_log(r"%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Main mode "
                          r"failed with peer at 10\.0\.0\.2", 10, mark)
    assert "atts are not acceptable" in lab.r.text()[mark:]
    assert lab.flowmib()["Responder Fails"] == before["Responder Fails"] + 1
    assert wait_for(lambda: "received NO_PROPOSAL_CHOSEN error notify" in
                    lab.charon.logtext(), 5)
    assert "QM_IDLE" not in lab.r.show("show crypto isakmp sa")
    # phase 2: a transform the map does not have
    mark = len(lab.r.text())
    lab.charon.load(ike=SUITES["3des-md5"][0], esp="aes256-sha256")
    res = lab.charon.initiate(timeout=8)
    assert res.returncode != 0
    assert lab.r.wait_log(r"%CRYPTO-6-IKMP_MODE_FAILURE: Processing of Quick mode "
                          r"failed with peer at 10\.0\.0\.2", 10, mark)
    assert "IPSEC FLOW" in lab.r.show("show crypto session")   # the map's, no SA
    assert "Active SAs: 0" in lab.r.show("show crypto session")


def test_ping_through_tunnel(lab):
    lab.idle()
    lab.suite("aes128-sha1")
    ok = False
    for _ in range(5):
        p = sh("ping", "-c", "3", "-i", "0.3", "-W", "2", "192.168.2.1",
               ns=lab.ns_h, check=False)
        if " 0% packet loss" in p.stdout or re.search(r"[1-3] received", p.stdout):
            ok = True
            break
    assert ok, p.stdout
    assert "INSTALLED" in lab.charon.list_sas()


def test_dpd_on_demand_with_traffic(lab):
    """On-demand DPD (IOS's default) asks only while traffic goes out
    unanswered: the host keeps pinging a strongSwan that is gone."""
    lab.idle()
    lab.suite("aes128-sha1")
    lab.r.configure(["crypto isakmp keepalive 10 2"])
    try:
        assert lab.charon.initiate().returncode == 0
        mark = len(lab.r.text())
        lab.charon.kill()
        ping = subprocess.Popen(["ip", "netns", "exec", lab.ns_h, "ping", "-c", "150",
                                 "-i", "0.2", "-W", "1", "192.168.2.1"],
                                stdout=subprocess.DEVNULL)
        try:
            gone = wait_for(lambda: "QM_IDLE" not in lab.r.show("show crypto isakmp sa")
                            or None, 40, step=0.5)
        finally:
            ping.kill()
            ping.wait()
        assert gone and "DPD retries exhausted" in lab.r.text()[mark:]
    finally:
        lab.r.configure(["no crypto isakmp keepalive"])
        lab.charon.stop()
        lab.charon.start()


def children(lab):
    """The states of strongSwan's CHILD_SAs, oldest first."""
    return re.findall(r"^\s+net: #\d+, reqid \d+, (\w+),", lab.charon.list_sas(), re.M)


def test_rekey_under_traffic(lab):
    """iosim rekeys (its SAs five minutes from their end) while the host
    pings through the tunnel every 200 ms, then the old bundle expires and
    goes with a Delete: not one echo lost."""
    lab.idle()
    lab.suite("aes128-sha1")
    res = lab.charon.initiate()
    assert res.returncode == 0
    old = ikelab.parse_list_sas(lab.charon.list_sas())
    ping = subprocess.Popen(["ip", "netns", "exec", lab.ns_h, "ping", "-c", "50",
                             "-i", "0.2", "-W", "2", "192.168.2.1"],
                            stdout=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        mark = len(lab.r.text())
        lab.r.cmd("test crypto ipsec age 3300")
        # strongSwan takes iosim's new Quick Mode as a rekey: the old
        # child goes REKEYED (still carrying inbound traffic), the new one
        # INSTALLED
        assert wait_for(lambda: children(lab) == ["REKEYED", "INSTALLED"], 10), \
            lab.r.text()[mark:][-3000:] + lab.charon.list_sas()
        time.sleep(2)
        # the old bundle's hard lifetime: iosim deletes it and says so
        lab.r.cmd(f"test crypto ipsec age 400 spi {old['spi_out']:X}")
        assert wait_for(lambda: children(lab) == ["INSTALLED"], 10), \
            lab.r.text()[mark:][-3000:] + lab.charon.list_sas()
        out, _ = ping.communicate(timeout=30)
    finally:
        if ping.poll() is None:
            ping.kill()
    assert " 0% packet loss" in out, out
    new = ikelab.parse_list_sas(lab.charon.list_sas())
    assert new["spi_in"] != old["spi_in"] and new["spi_out"] != old["spi_out"]


def test_zz_capture_decodes_cleanly(lab):
    lab.idle()
    lab.cap.stop()
    bad = lab.cap.read(filt="_ws.malformed || _ws.expert.severity >= \"error\"")
    assert bad.strip() == "", bad[:3000]
    every = lab.cap.read(fields=["frame.protocols"])
    assert "isakmp" in every and "udpencap" in every
