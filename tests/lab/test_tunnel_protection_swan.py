"""Stateful tunnel protection with strongSwan as the remote GRE peer: the
HSRP/SSO pair of test_crypto_ha.py (HaLab, veth, root) with interface
Tunnel1 from the outside VIP to strongSwan, `tunnel protection ipsec
profile GRE-SWAN` and the profile's `redundancy HA-out stateful`, in place
of the crypto map. The LANs route to each other through the tunnel:

  pc 192.168.1.10 -> VIP_IN -> R1/R2 Tunnel1 (10.255.0.1/30) == GRE over
  ESP (NAT-T, libipsec) == sw gre1 (10.255.0.2/30) -> remote 192.168.2.10

This machine's kernel has no GRE, so sw's GRE end is gre_endpoint.py: a
TUN device and a raw IPPROTO_GRE socket. strongSwan's CHILD_SA is
SWAN[gre] <-> VIP[gre] in tunnel mode (libipsec does no transport mode);
its remote TS is the IKE peer itself, which libipsec allows only with
ikelab.PEER_TS_PLUGINS (its own IKE and ESP packets marked past its TUN).

  test_gre_swan_stateless_renegotiates  the profile without `redundancy`:
      after SIGKILL of R1 the pings come back only through a new
      negotiation (a new IKE SA or new SPIs on strongSwan): the stateful
      test's check can fail
  test_gre_swan_stateful_sigkill  pc's pings to remote bring the tunnel up
      (R1 initiates from the VIP, proxies GRE host to host); R2 STANDBY HOT
      holds the same IKE SA and SPIs; SIGKILL of R1 under the pings; R2
      carries them on with strongSwan's IKE SA and SPIs unchanged, no
      integrity or replay error in charon's log. tshark, with the keys
      charon logged, decrypts every ESP packet between the VIP and
      strongSwan, before and after the kill, to GRE around the pings
      (udpencap:esp:ip:gre:ip:icmp) with a good ICV, and sees no GRE in clear: after
      the kill R2 sends with the very keys R1 negotiated.
"""

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import ikelab
from labtool import stop_routers_clean
from test_crypto_ha import PAIR, SWAN, VIP, HaLab, standby_copies, takeover
from test_sso import clean, tmpdir_sso  # noqa: F401 (a fixture)

pytestmark = [
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root: namespaces, AF_PACKET"),
    pytest.mark.skipif(not ikelab.have_strongswan(),
                       reason="needs strongSwan (charon, swanctl)"),
    pytest.mark.skipif(not shutil.which("tshark"), reason="needs tshark"),
]


def gre_pair():
    """test_crypto_ha's PAIR with Tunnel1 from the VIP to strongSwan in place
    of the crypto map, the site's route through the tunnel; its place
    {prof_redundancy}: the profile's redundancy line, or nothing."""
    swaps = (("crypto map CM 10 ipsec-isakmp\n set peer {swan}\n set transform-set TS\n"
              " match address VPN\n!\n",
              "crypto ipsec profile GRE-SWAN\n set transform-set TS\n{prof_redundancy}!\n"
              "interface Tunnel1\n ip address 10.255.0.1 255.255.255.252\n"
              " tunnel source {vip}\n tunnel destination {swan}\n"
              " tunnel protection ipsec profile GRE-SWAN\n!\n"),
             (" crypto map CM redundancy HA-out{stateful}\n", ""),
             ("ip route 192.168.2.0 255.255.255.0 {swan}\n",
              "ip route 192.168.2.0 255.255.255.0 Tunnel1\n"),
             ("ip access-list extended VPN\n permit ip 192.168.1.0 0.0.0.255 "
              "192.168.2.0 0.0.0.255\n!\n", ""))
    text = PAIR
    for old, new in swaps:
        assert old in text, old
        text = text.replace(old, new)
    return text


GRE_CONN = dict(local_ts=f"{SWAN}/32[gre]", remote_ts=f"{VIP}/32[gre]")
GRE_IN_ESP = re.compile(r":ip:udp:udpencap:esp:ip:gre:ip:icmp(:data)?$")
# tshark's names of the pair's esp-aes esp-sha-hmac (strongSwan aes128-sha1)
ESP_ALGS = ("AES-CBC [RFC3602]", "HMAC-SHA-1-96 [RFC2404]")


class GreEnd:
    """gre_endpoint.py in namespace NS, up and routing NETS into its TUN."""

    def __init__(self, ns, nets):
        self.p = subprocess.Popen(
            ["ip", "netns", "exec", ns, sys.executable,
             str(Path(__file__).with_name("gre_endpoint.py")), "--dev", "gre1",
             "--local", SWAN, "--remote", VIP, "--addr", "10.255.0.2/30",
             "--lifetime", "300"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        assert line.strip() == "ready", line + self.p.stderr.read()
        for net in nets:
            ikelab.sh("ip", "route", "replace", net, "dev", "gre1", ns=ns)

    def stop(self):
        """Its counters: {"tx": N, "rx": M, "drop": K}."""
        if self.p.poll() is None:
            self.p.terminate()
        out, err = self.p.communicate(timeout=10)
        m = re.search(r"^gre tx (\d+) rx (\d+) drop (\d+)$", out, re.M)
        assert m, out + err
        return dict(zip(("tx", "rx", "drop"), map(int, m.groups())))


def esp_rows(cap, sas, key, mac):
    """Every packet between the VIP and strongSwan that tshark captured, as
    (time, esp.spi, frame.protocols, esp.icv_good), ESP decrypted with
    strongSwan's keys KEY/MAC ("initiator" / "responder": the pair
    initiated, so its packets are under the initiator's keys)."""
    opts = ["-E", "occurrence=f",            # the outer header's ip.src, ip.dst
            "-o", "esp.enable_encryption_decode:TRUE",
            "-o", "esp.enable_authentication_check:TRUE"]
    for spi, who in ((sas["spi_in"], "initiator"), (sas["spi_out"], "responder")):
        opts += ["-o", f'uat:esp_sa:"IPv4","*","*","0x{spi:08x}","{ESP_ALGS[0]}",'
                       f'"0x{key[who]}","{ESP_ALGS[1]}","0x{mac[who]}"']
    rows = [r.split("\t") for r in cap.read(
        *opts, fields=("frame.time_epoch", "ip.src", "ip.dst", "esp.spi",
                       "frame.protocols", "esp.icv_good")).splitlines() if r]
    return [(float(r[0]), r[3], r[4], r[5]) for r in rows if {r[1], r[2]} == {SWAN, VIP}]


def gre_lab(labs, tmp, stateful, ike_level=1):
    """HaLab with GRE_PAIR's routers, the profile stateful or not, and
    strongSwan's GRE child."""
    red = " redundancy HA-out stateful\n" if stateful else ""
    return HaLab(labs, tmp, stateful=stateful, ike_level=ike_level, conn=GRE_CONN,
                 plugins=ikelab.PEER_TS_PLUGINS, pair=gre_pair(),
                 parts=lambda name: {"prof_redundancy": red})


def test_gre_swan_stateless_renegotiates(tmpdir_sso, labs):
    ha = gre_lab(labs, tmpdir_sso, stateful=False)
    gre = GreEnd(f"iosim-{ha.lab.tag}-sw", ["192.168.1.0/24"])
    try:
        ha.settled()
        before = ha.start_traffic()
        ha.resumed(ha.fail("kill"))
        after = ikelab.parse_list_sas(ha.charon.list_sas())
        assert after["state"] == "ESTABLISHED", after
        # the new ACTIVE had nothing to go on: a new IKE SA or new SPIs
        assert after["ike_ids"] - before["ike_ids"] or after["spis"] - before["spis"], \
            (before, after)
        sent, received = ha.ping.stop()
        print(f"stateless: {sent} sent, {sent - received} lost; strongSwan IKE SA "
              f"#{sorted(before['ike_ids'])} -> #{sorted(after['ike_ids'])}")
    finally:
        gre.stop()
        ha.close()
    stop_routers_clean(ha.lab)


def test_gre_swan_stateful_sigkill(tmpdir_sso, labs):
    ha = gre_lab(labs, tmpdir_sso, stateful=True, ike_level=4)
    sw = f"iosim-{ha.lab.tag}-sw"
    gre = GreEnd(sw, ["192.168.1.0/24"])
    cap = ikelab.Tshark(f"iosim-{ha.lab.tag}", "outside", tmpdir_sso,
                        filt="ip host " + SWAN)
    try:
        ha.settled()
        before = ha.start_traffic()
        key = {w: ha.charon.logged_key(f"encryption {w} key")
               for w in ("initiator", "responder")}
        mac = {w: ha.charon.logged_key(f"integrity {w} key")
               for w in ("initiator", "responder")}
        assert None not in key.values() and None not in mac.values(), \
            ha.charon.logtext()[-3000:]
        # the SAs are the profile instance's, GRE host to host
        sa = clean(ha.con["R1"].priv("show crypto ipsec sa"))
        assert "interface: Tunnel1\n    Crypto map tag: Tunnel1-head-0, local addr " \
               f"{VIP}\n" in sa, sa
        assert f"local  ident (addr/mask/prot/port): ({VIP}/255.255.255.255/47/0)" in sa, sa
        assert f"remote ident (addr/mask/prot/port): ({SWAN}/255.255.255.255/47/0)" in sa, sa
        standby_copies(ha, before)
        t_fail = time.time()
        takeover(ha, before, "kill")
        tun = clean(ha.con["R2"].priv("show interfaces Tunnel1"))
        assert "Tunnel1 is up, line protocol is up" in tun, tun
        assert '  Tunnel protection via IPSec (profile "GRE-SWAN")\n' in tun, tun
        m = re.search(r"(\d+) packets input", tun)
        assert m and int(m.group(1)) > 0, tun
        rows = esp_rows(cap, before, key, mac)
    finally:
        counts = gre.stop()
        cap.stop()
        ha.close()
    print(f"gre_endpoint: {counts}")
    esp = [r for r in rows if r[1]]
    assert not [r for r in rows if "gre" in r[2] and not r[1]], "GRE in clear"
    bad = [r for r in esp if not GRE_IN_ESP.search(r[2]) or r[3] not in ("1", "True")]
    assert not bad, (len(bad), bad[:5])
    after = [r for r in esp if r[0] > t_fail + 1]
    assert {int(r[1], 16) for r in after} == before["spis"], \
        (before["spis"], t_fail, len(rows), rows[:3], rows[-3:])
    assert counts["rx"] > 0 and counts["tx"] > 0 and counts["drop"] == 0, counts
    print(f"tshark: {len(esp)} ESP packets decrypted to GRE ({len(after)} after the kill)")
    stop_routers_clean(ha.lab)
