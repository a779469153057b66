#!/usr/bin/python3
"""IPsec data-path bench: prints figures, asserts nothing.

  bench/ipsec.py [IOSIM]          (bench/run.sh runs it; needs root)

Builds bench/ipsec.lab with tools/lab: namespaces src and sink, joined once
through two iosim routers (release build) with a manually keyed tunnel
between them, and once through two Linux namespaces where strongSwan
(charon with kernel-libipsec, its userspace ESP) keeps the same tunnel with
IKEv2. Printed:

  throughput   iperf3 (TCP, 5 s) from src to sink through each pair, for
               aes128-sha1, 3des-md5 and aes128-gcm, and the ratio
               iosim / strongSwan (strongSwan's ESP is in UDP 4500 here:
               kernel-libipsec always floats; iosim's is plain ESP)
  packets/s    bench/pktgen's UDP frames of 64 and 1400 bytes (FCS
               included) through the iosim tunnel (aes128-sha1), counted
               at the sink; the CPU time of the encrypting and of the
               decrypting router per packet
  bare EVP     build/bench/ipsec_bench: the cost of the cipher and the HMAC
               alone for one packet, beside the router's own ESP
               encapsulation in process, and the memory per tunnel

Env: BENCH_FRAMES (frames per burst, default 300000), IPERF_SECS (default 5).
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import forward  # noqa: E402  (its Lab, burst and counters)

REPO = os.path.dirname(HERE)
TOPO = os.path.join(HERE, "ipsec.lab")
EVP_BENCH = os.path.join(REPO, "build", "bench", "ipsec_bench")
SECS = int(os.environ.get("IPERF_SECS", "5"))
CHARON = "/usr/lib/ipsec/charon"

# name, iosim transform set, strongSwan esp proposal, key bytes (cipher, auth)
TRANSFORMS = [
    ("aes128-sha1", "esp-aes esp-sha-hmac", "aes128-sha1", 16, 20),
    ("3des-md5", "esp-3des esp-md5-hmac", "3des-md5", 24, 16),
    ("aes128-gcm", "esp-gcm", "aes128gcm16", 20, 0),
]

Skip = forward.Skip
sh = forward.sh


def key(n, seed):
    return bytes((seed + 7 * i) & 0xff for i in range(n)).hex()


def iosim_config(lab, t, i):
    """Manual keys for transform T on both routers (SPIs new each time)."""
    name, words, _, ck, ak = t
    for r in (1, 2):
        out_spi, in_spi = 0x1000 + 4 * i + r, 0x1000 + 4 * i + 3 - r
        def sk(direction, spi, seed):
            s = f" set session-key {direction} esp {spi} cipher {key(ck, seed)}"
            return s + (f" authenticator {key(ak, seed + 1)}" if ak else "")
        lines = ["enable", "configure terminal",
                 f"crypto ipsec transform-set b{name} {words}",
                 "crypto map bench 10 ipsec-manual",
                 f" set peer 10.10.0.{3 - r}",
                 f" set transform-set b{name}",
                 " match address 101",
                 sk("outbound", out_spi, out_spi & 0xff),
                 sk("inbound", in_spi, in_spi & 0xff),
                 "interface FastEthernet0/0", " crypto map bench", "end"]
        p = subprocess.run([*lab.lab, "cmd", TOPO, f"r{r}", *lines],
                           capture_output=True, text=True)
        if p.returncode or "% Invalid" in p.stdout:
            raise Skip(f"configuring r{r} failed: {p.stdout[-800:]}{p.stderr[-400:]}")


class Charons:
    """strongSwan in gw1 and gw2, each with its own /run and configuration."""

    def __init__(self, lab, base):
        if not os.access(CHARON, os.X_OK) or not shutil.which("swanctl"):
            raise Skip("strongSwan (charon, swanctl) not installed")
        self.lab, self.base, self.procs = lab, base, []
        for g in (1, 2):
            d = self.dir(g)
            os.makedirs(os.path.join(d, "run"))
            with open(os.path.join(d, "strongswan.conf"), "w") as f:
                f.write("charon {\n  load_modular = yes\n  plugins {\n"
                        "    include /etc/strongswan.d/charon/*.conf\n"
                        "    kernel-libipsec {\n      load = yes\n    }\n  }\n}\n")
            self.procs.append(subprocess.Popen(
                ["ip", "netns", "exec", lab.ns(f"gw{g}"), "env",
                 f"STRONGSWAN_CONF={d}/strongswan.conf", "unshare", "-m",
                 "--propagation", "private", "sh", "-c",
                 f"mount --bind {d}/run /run && exec {CHARON}"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for g in (1, 2):
            self.wait(lambda: os.path.exists(self.vici(g)), "charon's vici socket")

    def dir(self, g):
        return os.path.join(self.base, f"gw{g}")

    def vici(self, g):
        return os.path.join(self.dir(g), "run", "charon.vici")

    @staticmethod
    def wait(pred, what, timeout=20):
        deadline = time.monotonic() + timeout
        while not pred():
            if time.monotonic() > deadline:
                raise Skip(f"strongSwan: no {what}")
            time.sleep(0.1)

    def swanctl(self, g, *args):
        return subprocess.run(["swanctl", *args, "--uri", f"unix://{self.vici(g)}"],
                              capture_output=True, text=True, timeout=30)

    def tunnel(self, esp):
        """Load the connection with ESP proposal ESP and bring it up."""
        for g in (1, 2):
            me, peer = f"10.30.0.{g}", f"10.30.0.{3 - g}"
            lts, rts = (("10.3.0.0/24", "10.4.0.0/24") if g == 1
                        else ("10.4.0.0/24", "10.3.0.0/24"))
            conf = os.path.join(self.dir(g), "swanctl.conf")
            with open(conf, "w") as f:
                f.write(f"""connections {{
  bench {{
    version = 2
    local_addrs = {me}
    remote_addrs = {peer}
    proposals = aes128-sha1-modp1024
    local {{
      auth = psk
      id = {me}
    }}
    remote {{
      auth = psk
      id = {peer}
    }}
    children {{
      net {{
        local_ts = {lts}
        remote_ts = {rts}
        esp_proposals = {esp}
        rekey_time = 0
      }}
    }}
  }}
}}
secrets {{
  ike-1 {{
    id-1 = {me}
    id-2 = {peer}
    secret = "iosim-bench"
  }}
}}
""")
            self.swanctl(g, "--terminate", "--ike", "bench")
            p = self.swanctl(g, "--load-all", "--clear", "--file", conf)
            if p.returncode:
                raise Skip(f"swanctl --load-all: {p.stderr.strip()[-300:]}")
        p = self.swanctl(1, "--initiate", "--child", "net")
        if p.returncode or "established" not in p.stdout:
            raise Skip(f"strongSwan tunnel with {esp} not up: {p.stdout[-400:]}")

    def stop(self):
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def iperf(lab, src, dst, client="src", server="sink", secs=SECS):
    """Mbit/s received by the sink (host SERVER), TCP from SRC (on host
    CLIENT) to DST for SECS seconds."""
    srv = subprocess.Popen(["ip", "netns", "exec", lab.ns(server), "iperf3", "-s",
                            "-1", "-B", dst], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        for _ in range(50):
            p = lab.netns(client, "iperf3", "-c", dst, "-B", src, "-t", str(secs),
                          "-J", check=False)
            if '"error"' not in p:
                break
            time.sleep(0.1)          # the server is not listening yet
        try:
            return json.loads(p)["end"]["sum_received"]["bits_per_second"] / 1e6
        except (ValueError, KeyError):
            raise Skip(f"iperf3 {src} -> {dst} failed: {p[-300:]}")
    finally:
        srv.kill()
        srv.wait()


def measure(exe):
    if os.geteuid() != 0:
        raise Skip("needs root (namespaces and veths)")
    if not shutil.which("iperf3"):
        raise Skip("iperf3 not installed")
    run_dir = tempfile.mkdtemp(prefix="iosim-ipsecb-")
    lab = forward.Lab(exe, run_dir, topo=TOPO, tag="ipsecb")
    subprocess.run([*lab.lab, "down", TOPO], capture_output=True)   # an old run's
    charons = None
    try:
        lab.up()
        charons = Charons(lab, run_dir)
        rows = []
        for i, t in enumerate(TRANSFORMS):
            iosim_config(lab, t, i)
            if not forward.ping(lab, "src", "10.2.0.2"):
                raise Skip(f"no ping through the iosim tunnel ({t[0]})")
            mine = iperf(lab, "10.1.0.2", "10.2.0.2")
            charons.tunnel(t[2])
            if not forward.ping(lab, "src", "10.4.0.2"):
                raise Skip(f"no ping through the strongSwan tunnel ({t[0]})")
            theirs = iperf(lab, "10.3.0.2", "10.4.0.2")
            rows.append((t[0], mine, theirs))
        iosim_config(lab, TRANSFORMS[0], len(TRANSFORMS))
        forward.ping(lab, "src", "10.2.0.2")
        r1 = lab.state["routers"]["r1"]["pid"]
        r2 = lab.state["routers"]["r2"]["pid"]
        holder = lab.holder("sink")
        rmac = lab.neigh("src", "10.1.0.1")
        pps = []
        for size in forward.SIZES:
            c2 = forward.cpu_ticks(r2)
            sent, off, got, rate, cpu1 = forward.burst(
                lab, holder, "r2-sink", "src-r1", rmac, "10.1.0.2", "10.2.0.2",
                size, r1)
            cpu2 = (forward.cpu_ticks(r2) - c2) / os.sysconf("SC_CLK_TCK")
            pps.append((size, sent, off, got, rate, cpu1, cpu2))
        return rows, pps
    finally:
        if charons:
            charons.stop()
        lab.down()
        shutil.rmtree(run_dir, ignore_errors=True)


def main():
    exe = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                          os.path.join(REPO, "build", "iosim"))
    status = 0
    try:
        rows, pps = measure(exe)
        print(f"ipsec throughput: iperf3 TCP {SECS} s, src -> sink through a tunnel "
              "between two gateways on veths")
        print(f"  {'transform':<12} {'iosim':>12} {'strongSwan':>12} {'ratio':>6}")
        for name, mine, theirs in rows:
            ratio = f"{mine / theirs:.2f}" if theirs else "-"
            print(f"  {name:<12} {mine:>7.0f} Mb/s {theirs:>7.0f} Mb/s {ratio:>6}")
        print(f"ipsec packets/s through the iosim tunnel (aes128-sha1), "
              f"{forward.FRAMES} frames per burst")
        print(f"  {'frame':>6} {'pps':>9} {'delivered':>9} {'CPU/pkt encrypting':>19} "
              f"{'CPU/pkt decrypting':>19} {'offered pps':>12}")
        for size, sent, off, got, rate, cpu1, cpu2 in pps:
            e = f"{cpu1 / got * 1e6:.2f} us" if got else "-"
            d = f"{cpu2 / got * 1e6:.2f} us" if got else "-"
            print(f"  {size:>4} B {rate:>9.0f} {100.0 * got / sent:>8.1f}% {e:>19} "
                  f"{d:>19} {off:>12.0f}")
    except Skip as e:
        print(f"ipsec throughput and packets/s: not measured: {e}")
    if os.access(EVP_BENCH, os.X_OK):
        status = subprocess.run([EVP_BENCH]).returncode
    else:
        print(f"ipsec bare EVP: not measured: {EVP_BENCH} missing (make bench builds it)")
    return status


if __name__ == "__main__":
    sys.exit(main())
