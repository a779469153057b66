#!/usr/bin/python3
"""Write a large, valid IOS configuration for the configuration benchmark.

usage: gen_config.py [-n LINES] [-o FILE]      (default 100000 lines, stdout)

The text is what `show running-config` would print for a big VPN gateway:
numbered extended ACLs, one named extended ACL per crypto map entry, a
transform set, an ISAKMP policy, a crypto map with thousands of entries, and
interfaces with two HSRP groups each (one carries the crypto map with
stateful redundancy). Every line is valid IOS; addresses never clash.
Exactly LINES lines are written (ACL entries fill up the remainder).
"""

import argparse
import sys


def ip(n):
    """32-bit number -> dotted quad"""
    return f"{(n >> 24) & 255}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def header():
    return ["version 12.4",
            "service timestamps debug datetime msec",
            "service timestamps log datetime msec",
            "no service password-encryption",
            "!",
            "hostname BENCH",
            "!",
            "crypto isakmp policy 10",
            " encr aes 256",
            " authentication pre-share",
            " group 5",
            "crypto isakmp key bench-psk address 0.0.0.0 0.0.0.0 no-xauth",
            "!",
            "crypto ipsec transform-set BENCH-TS esp-aes 256 esp-sha-hmac",
            "!"]


def crypto_entry(i):
    """Entry i: a named ACL (2 lines) and a crypto map entry (4 lines)."""
    src = (100 << 24) | (64 << 16) | (i << 8)         # 100.64.0.0/10: one /24 each
    return [f"ip access-list extended CM-{i}",
            f" permit ip {ip(src)} 0.0.0.255 192.168.{i & 255}.0 0.0.0.255",
            f"crypto map BENCH {i} ipsec-isakmp",
            f" set peer {ip((198 << 24) | (51 << 16) | i)}",
            " set transform-set BENCH-TS",
            f" match address CM-{i}"]


def interface(i):
    """Interface i with two HSRP groups; the first one holds the crypto map."""
    slot, port = divmod(i, 48)
    net = (10 << 24) | (i << 8)          # 10.x.y.0/24, one per interface
    out = [f"interface GigabitEthernet{slot}/{port}",
           f" description bench uplink {i}",
           f" ip address {ip(net | 1)} 255.255.255.0",
           f" standby 1 ip {ip(net | 254)}",
           " standby 1 timers 1 5",
           " standby 1 priority 110",
           " standby 1 preempt",
           f" standby 1 name HSRP-{i}-1",
           f" standby 2 ip {ip(net | 253)}",
           " standby 2 preempt",
           f" standby 2 name HSRP-{i}-2"]
    if i == 0:
        out.append(" crypto map BENCH redundancy HSRP-0-1 stateful")
    out.append("!")
    return out


def numbered_acl_entry(k):
    """k-th entry of the numbered ACLs 100..199 (any number of entries)."""
    acl = 100 + k % 100
    n = k // 100
    return (f"access-list {acl} permit ip host {ip((10 << 24) | (200 << 16) | (n + 1))} "
            f"host {ip((10 << 24) | (201 << 16) | (k + 1))}")


def generate(total):
    lines = header()
    trailer = ["!", "line con 0", " exec-timeout 0 0", "line vty 0 4", " login", "!", "end"]
    budget = total - len(lines) - len(trailer)
    if budget < 0:
        raise SystemExit(f"at least {len(lines) + len(trailer)} lines")
    # Split the budget: ~45% interfaces, ~35% crypto map entries, rest ACLs.
    n_if = min(budget * 45 // 100 // 13, 255 * 48)   # 10.x.y: x < 256 per 48-port slot
    n_cm = min(budget * 35 // 100 // 6, 16383)          # 100.64.0.0/10 has 16384 /24s
    body = []
    for i in range(1, n_cm + 1):
        body += crypto_entry(i)
    body.append("!")
    for i in range(n_if):
        body += interface(i)
    k = 0
    while len(body) < budget:
        body.append(numbered_acl_entry(k))
        k += 1
    lines += body[:budget] + trailer
    assert len(lines) == total
    return lines


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("-n", "--lines", type=int, default=100000)
    ap.add_argument("-o", "--output")
    a = ap.parse_args()
    text = "\n".join(generate(a.lines)) + "\n"
    if a.output:
        with open(a.output, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
