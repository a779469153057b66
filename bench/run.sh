#!/bin/sh
# Configuration benchmark: prints figures, asserts nothing.
#
#   config lines/s         boot from a 100,000-line configuration (--config FILE)
#   pasted lines/s         the same lines piped in at the console (configure terminal)
#   show running-config    time to print that configuration back (from the echo of
#                          the command to its `end` line)
#   start to first prompt  fresh router on a pty, process start until the first '>'
#                          (on a pipe when no prompt comes unasked)
#   peak RSS               maximum resident set size (/usr/bin/time), loaded and fresh
#   rib                    routing table: loading 10k/100k static routes, resolving
#                          them, longest-prefix lookups per second (bench/rib_bench.c)
#   hsrp failover          bench/hsrp_bench.py: SIGKILL of the Active to the peer's
#                          Active state with msec 100/300 timers (median, worst of 50)
#   hsrp 500 groups        CPU share of two routers running 500 groups at 100 ms hellos
#   forwarding             bench/forward.py: frames/s through one router between two
#                          veths next to Linux's own forwarding, CPU time per frame
#                          (needs root and build/bench/pktgen)
#   sso                    bench/sso_bench.py: boot to STANDBY HOT, peer death to RF
#                          noticing (seed 004's and seed 000's SCTP timers), CPU of an
#                          idle pair, IPC messages/s and round trip between two routers
#                          (build/bench/ipc_bench)
#   ipsec                  bench/ipsec.py: iperf3 through an iosim<->iosim tunnel next to
#                          strongSwan<->strongSwan (kernel-libipsec) for aes128-sha1,
#                          3des-md5, aes128-gcm; packets/s at 64/1400 B through the iosim
#                          tunnel with the routers' CPU per packet; build/bench/ipsec_bench:
#                          the bare EVP cost per packet beside iosim's ESP, memory per tunnel
#   crypto ha              build/bench/crypto_ha_bench: a standby taking a bulk of
#                          1,000 and 10,000 tunnels (IKE SA + ESP bundle each) from
#                          checkpoint messages, µs per tunnel; IPC bytes per tunnel
#                          and per replay update; HSRP takeover µs per tunnel; peak
#                          RSS growth per tunnel
#   sso security           bench/sso_security.py: a standby's bulk sync of 1,000 tunnels
#                          (STANDBY COLD to HOT, and process start to HOT) without and
#                          with `security ipsec` (AH+ESP on the IPC link), and the ratio
#   ike                    bench/ike_bench.py: 1,000 tunnels (Main+Quick Mode) from
#                          one router to another's 1,000 addresses on a UDP wire:
#                          time to bring them up, negotiations/s as responder (wall
#                          and per CPU second), memory per established tunnel
#   ha failover            bench/ha_failover.py: 20 SIGKILLs of seed 004's ACTIVE in a
#                          row under a 100/s ping through the stateful tunnel (outage,
#                          packets lost, renegotiations, restarted router to STANDBY
#                          HOT), then replay updates/s and IPC bytes/s under iperf3
#                          (needs root)
#
# usage: bench/run.sh            (make bench builds build/iosim first)
# env:   IOSIM_BENCH=PATH (binary, default build/iosim), BENCH_LINES=N (default 100000),
#        HSRP_RUNS=N (failover runs, default 50), IKE_TUNNELS=N (default 1000),
#        FAILOVERS=N (stateful failover rounds, default 20),
#        SSO_SEC_TUNNELS=N (default 1000)
set -eu
cd "$(dirname "$0")/.."
exe=${IOSIM_BENCH:-build/iosim}
lines=${BENCH_LINES:-100000}
[ -x "$exe" ] || { echo "bench: $exe not found (run: make build/iosim)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/iosim-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
/usr/bin/python3 bench/gen_config.py -n "$lines" -o "$work/bench.cfg"

if [ -x build/bench/rib_bench ]; then
	build/bench/rib_bench
fi
if [ -x build/bench/crypto_ha_bench ]; then
	build/bench/crypto_ha_bench
fi

status=0
/usr/bin/python3 - "$exe" "$work/bench.cfg" "$lines" <<'EOF' || status=$?
import os, pty, re, select, statistics, subprocess, sys, threading, time

exe, cfg, nlines = sys.argv[1], sys.argv[2], int(sys.argv[3])
ERR = re.compile(rb"% Invalid input detected|% Incomplete command\.|% Ambiguous command:")
LIMIT = 600


def run(args, data, mark=None):
    """Run once; returns (wall s, stdout, stderr, exit status, peak RSS KB, mark s).
    Peak RSS comes from /usr/bin/time (%M): the rusage of a child forked by
    this Python process would count the parent's pages it started with.
    MARK = (begin, end) byte strings: also time from the first BEGIN to the
    first END after it in stdout (None when not seen)."""
    rssf = os.path.join(os.path.dirname(cfg), "rss")
    timer_cmd = ["/usr/bin/time", "-f", "%M", "-o", rssf] if os.access(
        "/usr/bin/time", os.X_OK) else []
    t0 = time.perf_counter()
    p = subprocess.Popen([*timer_cmd, exe, *args], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err, seen = [], [], {}

    def pump(src, dst, watch):
        buf = bytearray()
        while True:
            chunk = src.read1(65536)
            if not chunk:
                break
            buf += chunk
            if watch:
                now = time.perf_counter()
                if "begin" not in seen and mark[0] in buf:
                    seen["begin"], seen["at"] = now, buf.index(mark[0])
                if "begin" in seen and "end" not in seen and \
                        buf.find(mark[1], seen["at"]) >= 0:
                    seen["end"] = now
        dst.append(bytes(buf))

    def feed():
        try:
            p.stdin.write(data)
        except BrokenPipeError:
            pass
        finally:
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass

    th = [threading.Thread(target=feed),
          threading.Thread(target=pump, args=(p.stdout, out, mark is not None)),
          threading.Thread(target=pump, args=(p.stderr, err, False))]
    for t in th:
        t.start()
    timer = threading.Timer(LIMIT, p.kill)
    timer.start()
    p.wait()
    wall = time.perf_counter() - t0
    timer.cancel()
    for t in th:
        t.join()
    err_text = err[0]
    rss = None
    if timer_cmd:
        try:
            rss = int(open(rssf).read().split()[-1])
        except (OSError, ValueError, IndexError):
            pass
    marked = seen["end"] - seen["begin"] if "end" in seen else None
    return wall, out[0], err_text, p.returncode, rss, marked


def read_until_prompt(fd, t0, limit):
    got = b""
    while b">" not in got:
        left = limit - (time.perf_counter() - t0)
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        try:
            chunk = os.read(fd, 4096)
        except OSError:          # pty closed: the child is gone
            return None
        if not chunk:
            return None
        got += chunk
    return (time.perf_counter() - t0) * 1000


def stop(p):
    if p.poll() is None:
        p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def first_prompt_pty(limit=10.0):
    """A fresh router on a terminal (pty) prints its prompt unasked."""
    master, slave = pty.openpty()
    t0 = time.perf_counter()
    p = subprocess.Popen([exe], stdin=slave, stdout=slave, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    os.close(slave)
    ms = read_until_prompt(master, t0, limit)
    stop(p)
    os.close(master)
    return ms


def first_prompt_pipe(limit=10.0):
    """On a pipe the prompt comes with the first line: send an empty one at once."""
    t0 = time.perf_counter()
    p = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL)
    p.stdin.write(b"\n")
    p.stdin.flush()
    ms = read_until_prompt(p.stdout.fileno(), t0, limit)
    p.stdin.close()
    stop(p)
    return ms


def check(what, rc, out, err):
    if rc != 0:
        notes.append(f"{what}: exit status {rc}\n" + err[-2000:].decode(errors="replace"))
    n = len(ERR.findall(out)) + len(ERR.findall(err))
    if n:
        notes.append(f"{what}: {n} line(s) drew an IOS error (the configuration is "
                     "meant to be valid)")
    return n


notes = []
text = open(cfg, "rb").read()
standby = sum(1 for l in text.split(b"\n") if l.startswith(b" standby "))

# Boot from the file: stdin is empty, so the router exits right after booting.
boot, out, err, rc, rss, _ = run(["--config", cfg], b"")
errs = check("--config", rc, out, err)

# The same lines typed at the console (the file ends with its own `end`).
paste, pout, perr, prc, _, _ = run([], b"enable\nconfigure terminal\n" + text)
perrs = check("paste", prc, pout, perr)

# Boot, then print it back.
_, sout, serr, src, _, shown = run(["--config", cfg], b"enable\nshow running-config\n",
                                   mark=(b"#show running-config\n", b"\nend\n"))
check("show running-config", src, sout, serr)
back = sum(1 for l in sout.split(b"\n") if l.startswith(b" standby "))

_, _, _, frc, fresh_rss, _ = run([], b"")
prompts, how = [first_prompt_pty() for _ in range(5)], "pty"
if None in prompts:
    prompts, how = [first_prompt_pipe() for _ in range(5)], "pipe, first line sent at once"

print(f"iosim bench: {exe}, {nlines}-line configuration")
print(f"config lines/s: {nlines / boot:.0f}  ({boot:.3f} s to boot from --config)")
print(f"pasted lines/s: {nlines / paste:.0f}  ({paste:.3f} s piped into configure terminal)")
print("show running-config: " + (f"{shown * 1000:.0f} ms" if shown is not None else
      "not printed") + f"  ({back} of {standby} standby lines printed back)")
if None in prompts:
    print("start to first prompt: no '>' seen")
else:
    print(f"start to first prompt: {statistics.median(prompts):.1f} ms  "
          f"(median of 5, {how})")
print(f"peak RSS: {rss} KB with the configuration, {fresh_rss} KB fresh")
print(f"config errors: {errs} (--config), {perrs} (pasted)")
for n in notes:
    print("note: " + n)
sys.exit(0 if rc == 0 and prc == 0 else 1)
EOF
/usr/bin/python3 bench/hsrp_bench.py "$exe" "${HSRP_RUNS:-50}" || status=$?
/usr/bin/python3 bench/forward.py "$exe" || status=$?
/usr/bin/python3 bench/sso_bench.py "$exe" build/bench/ipc_bench || status=$?
/usr/bin/python3 bench/ipsec.py "$exe" || status=$?
/usr/bin/python3 bench/ha_failover.py "$exe" || status=$?
/usr/bin/python3 bench/sso_security.py "$exe" "${SSO_SEC_TUNNELS:-1000}" || status=$?
/usr/bin/python3 bench/ike_bench.py "${IKE_BENCH:-$exe}" \
	"${IKE_TUNNELS:-1000}" || status=$?
exit $status
