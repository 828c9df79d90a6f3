#!/usr/bin/env python3
"""Seeds for fuzz_pcap_decode: one file per record of every classic pcap in
SRC (pcapng and unreadable files skipped), in the target's input layout:
link-type selector byte, wire-minus-caplen byte, frame bytes.
SPDX-License-Identifier: MIT"""
import os
import struct
import sys

LINKS = [1, 113, 276, 101, 12, 14, 0, 108, 228, 229, 239, 138]  # target's table


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        return
    magic = data[:4]
    end = {b"\xd4\xc3\xb2\xa1": "<", b"\x4d\x3c\xb2\xa1": "<",
           b"\xa1\xb2\xc3\xd4": ">", b"\xa1\xb2\x3c\x4d": ">"}.get(magic)
    if not end:
        return
    link = struct.unpack(end + "I", data[20:24])[0] & 0xFFFF
    off = 24
    while off + 16 <= len(data):
        incl, orig = struct.unpack(end + "II", data[off + 8:off + 16])
        frame = data[off + 16:off + 16 + min(incl, 65536)]
        off += 16 + incl
        yield link, frame, orig


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src)):
        for link, frame, orig in records(os.path.join(src, name)):
            sel = LINKS.index(link) if link in LINKS else len(LINKS) - 1
            extra = max(0, min(254, orig - len(frame)))
            with open(os.path.join(dst, "%s-%d" % (name, n)), "wb") as f:
                f.write(bytes([sel, extra]) + frame)
            n += 1
    print("%d seeds in %s" % (n, dst))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
