#!/bin/sh
# Host branch4's charon, started by tools/lab `up` (topology line
# `run sh branch-004-strongswan/charon.sh`) in the host's network namespace,
# from the topology's directory, with LAB_RUN_DIR = the host's own directory
# in the lab's run directory. charon's pid file and VICI socket paths are
# fixed under /run, so it gets a private mount namespace with /run bound on
# LAB_RUN_DIR (lab-facts.md: several charons at once); swanctl loads this
# directory's swanctl.conf once the VICI socket is there. `down` stops the
# process group (SIGTERM: charon deletes its SAs and TUN device).
# tools/lab failover reads `swanctl --list-sas --uri unix://$LAB_RUN_DIR/charon.vici`.
set -eu
: "${LAB_RUN_DIR:?set by tools/lab}"
here=$(cd "$(dirname "$0")" && pwd)
export STRONGSWAN_CONF="$here/strongswan.conf"
exec unshare -m --propagation private sh -eu -c '
    mount --bind "$LAB_RUN_DIR" /run
    /usr/lib/ipsec/charon &
    charon=$!
    trap "kill -TERM $charon; wait $charon; exit 0" TERM INT
    n=0
    until [ -S /run/charon.vici ]; do
        kill -0 $charon || { echo "charon.sh: charon exited" >&2; exit 1; }
        n=$((n + 1))
        [ $n -le 150 ] || { echo "charon.sh: no VICI socket after 15 s" >&2; exit 1; }
        sleep 0.1
    done
    # (swanctl also looks for credential directories beside the file: none here)
    out=$(swanctl --load-all --file "$1/swanctl.conf" --uri unix:///run/charon.vici 2>&1) ||
        { printf "%s\n" "$out" >&2; exit 1; }
    printf "%s\n" "$out" | grep -v "^opening directory .* failed: No such file" >&2 || true
    wait $charon
' charon.sh "$here"
