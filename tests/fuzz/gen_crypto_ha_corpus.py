#!/usr/bin/env python3
"""Seed corpus for fuzz_crypto_ha: records (selector, 2-byte length, attributes)
as the harness reads them — a whole IKE ADD_SA, an ESP bundle, a replay
update and a delete for it, then the group going Active (takeover).
Writes tests/fuzz/corpus/fuzz_crypto_ha/*."""
import os
import struct
import sys

def att(t, v):
    return struct.pack(">HH", t, len(v)) + v

def ip(s):
    return bytes(int(x) for x in s.split("."))

VIP, PEER = ip("10.0.0.3"), ip("10.0.0.4")
ICKY, RCKY = bytes(range(1, 9)), bytes(range(9, 17))

def ike_add():
    a = att(2, ICKY) + att(3, RCKY) + att(4, PEER) + att(5, VIP)
    a += att(6, struct.pack(">H", 500)) + att(10, struct.pack(">H", 500))
    a += att(8, b"\0") + att(13, struct.pack(">I", 7))
    a += att(14, b"\1") + att(16, b"\0") + att(17, b"\2")
    a += att(18, struct.pack(">H", 2)) + att(20, struct.pack(">I", 86400))
    a += att(21, struct.pack(">I", 1000))
    for t in (22, 23, 24):
        a += att(t, b"\x42" * 20)
    a += att(25, b"\x33" * 24) + att(26, b"\x17" * 8)
    return a

def sa(inbound, spi):
    a = att(20, bytes([50, inbound]) + struct.pack(">I", spi))
    a += att(21, bytes([5])) + att(22, bytes([9])) + att(23, struct.pack(">H", 128))
    a += att(24, b"\x11" * 16) + att(25, b"\x22" * 20)
    a += att(26, struct.pack(">Q", 10)) + att(27, struct.pack(">H", 64))
    a += att(28, struct.pack(">Q", 0))
    return a

def proxy(a, m):
    return ip(a) + ip(m) + b"\0\0\0"

def bundle():
    a = att(1, VIP) + att(2, PEER) + att(3, b"\0\0") + att(4, b"\0\0")
    a += att(5, proxy("10.1.0.0", "255.255.255.0"))
    a += att(6, proxy("10.5.0.0", "255.255.255.0"))
    a += att(7, b"\1") + att(8, b"CM") + att(9, struct.pack(">I", 10))
    a += att(10, ICKY + RCKY) + att(12, struct.pack(">I", 3600))
    a += att(13, struct.pack(">Q", 4608000)) + att(14, struct.pack(">I", 1000))
    return a + sa(1, 0x1000) + sa(0, 0x2000)

def update(spi, inbound, seqno):
    a = att(20, bytes([50, inbound]) + struct.pack(">I", spi))
    return a + att(1, VIP) + att(2, PEER) + att(26, struct.pack(">Q", seqno)) + \
        att(28, struct.pack(">Q", 4096))

def rec(sel, body):
    return bytes([sel]) + struct.pack(">H", len(body)) + body

# selector: bit 0 = IPsec, (sel >> 1) % 5 = message type, sel % 9 == 8: group
IKE_ADD = 2 << 1
BUNDLE = (1 << 1) | 1
UPDATE = (2 << 1) | 1
DELETE = (3 << 1) | 1
ACTIVE = 0x80 | 8 + 9 * 14       # % 9 == 8 with bit 7 set

def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus",
                       "fuzz_crypto_ha")
    os.makedirs(out, exist_ok=True)
    ike = ike_add()
    b = bundle()
    seeds = {
        "ike_add": rec(IKE_ADD, ike),
        "bundle_update_takeover": rec(BUNDLE, b) +
            rec(UPDATE, update(0x2000, 0, 5000)) + rec(ACTIVE % 256, b""),
        "delete": rec(DELETE, update(0x1000, 1, 1)),
    }
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)

if __name__ == "__main__":
    sys.exit(main())
