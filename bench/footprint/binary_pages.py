#!/usr/bin/env python3
"""Which pages of a running program's own binary are mapped, and whose code is on them.

A binary's PSS is the pages of it mapped in the process: every page the program ran
code on, and around each the pages the kernel maps with it (fault-around, 64 KiB at a
time). This tells them apart by crate, to see where the app binary's PSS comes from.

    binary_pages.py dump PID OUT.json      # the pages of PID's executable mapped now
    binary_pages.py report OUT.json        # by section, and by crate (from `nm -C`)

Linux only; reading another process's /proc/PID/pagemap needs root (or the same user
with CAP_SYS_ADMIN for the page frame numbers, which this does not use).
"""
import collections
import json
import os
import re
import struct
import subprocess
import sys

PAGE = 4096


def dump(pid: int, out: str) -> None:
    exe = os.readlink(f"/proc/{pid}/exe")
    pages = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/pagemap", "rb") as pagemap:
        for line in maps:
            parts = line.split()
            if len(parts) < 6 or parts[5] != exe:
                continue
            start, end = (int(x, 16) for x in parts[0].split("-"))
            offset = int(parts[2], 16)
            count = (end - start) // PAGE
            pagemap.seek(start // PAGE * 8)
            entries = pagemap.read(count * 8)
            for i in range(count):
                (entry,) = struct.unpack_from("<Q", entries, i * 8)
                if entry >> 63 & 1:
                    pages.append(offset + i * PAGE)
    with open(out, "w") as f:
        json.dump({"exe": exe, "pages": pages}, f)
    print(f"{len(pages) * PAGE / 2**20:.1f} MB of {exe} mapped in {pid}")


def crate_of(symbol: str) -> str:
    name = symbol.lstrip("<&*( ")
    paths = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)::", name)
    if not paths:
        return "(C)"
    # Generic code from core/alloc/std counts for the first crate it was made for.
    i = 0
    while i < len(paths):
        if paths[i] in ("core", "alloc", "std"):
            i += 2  # the crate and its module: core::ptr::, alloc::vec::
        elif paths[i] in ("impl", "dyn"):
            i += 1
        else:
            return paths[i]
    return paths[0]


def report(path: str) -> None:
    with open(path) as f:
        data = json.load(f)
    exe, mapped = data["exe"], set(data["pages"])
    segments = []
    for line in subprocess.run(["readelf", "-lW", exe], capture_output=True, text=True).stdout.splitlines():
        p = line.split()
        if p and p[0] == "LOAD":
            segments.append((int(p[1], 16), int(p[2], 16), int(p[4], 16)))

    def offset_of(vaddr: int):
        for offset, start, size in segments:
            if start <= vaddr < start + size:
                return vaddr - start + offset
        return None

    print(f"{exe}: {len(mapped) * PAGE / 2**20:.1f} MB mapped\n\nsection               mapped / size (KB)")
    for line in subprocess.run(["readelf", "-SW", exe], capture_output=True, text=True).stdout.splitlines():
        m = re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", line)
        if m and int(m.group(3), 16) >= 64 * 1024:
            off, size = int(m.group(2), 16), int(m.group(3), 16)
            pages = set(range(off // PAGE * PAGE, off + size, PAGE))
            print(f"  {m.group(1):20} {len(pages & mapped) * 4:7} / {size // 1024:7}")

    mapped_bytes, code_bytes = collections.Counter(), collections.Counter()
    for line in subprocess.run(["nm", "-S", "-C", exe], capture_output=True, text=True).stdout.splitlines():
        m = re.match(r"([0-9a-f]+) ([0-9a-f]+) [tTwW] (.*)", line)
        if not m:
            continue
        start, size = offset_of(int(m.group(1), 16)), int(m.group(2), 16)
        if start is None:
            continue
        crate = crate_of(m.group(3))
        code_bytes[crate] += size
        for page in range(start // PAGE * PAGE, start + size, PAGE):
            if page in mapped:
                mapped_bytes[crate] += min(start + size, page + PAGE) - max(start, page)
    print("\ncode by crate         mapped / size (KB)")
    for crate, size in mapped_bytes.most_common(30):
        print(f"  {crate:20} {size // 1024:7} / {code_bytes[crate] // 1024:7}")
    unmapped = sorted(code_bytes, key=lambda c: -(code_bytes[c] - mapped_bytes[c]))[:8]
    print("\nmost code not mapped: " + ", ".join(f"{c} {(code_bytes[c] - mapped_bytes[c]) // 1024} KB" for c in unmapped))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "dump":
        dump(int(sys.argv[2]), sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "report":
        report(sys.argv[2])
    else:
        sys.exit(__doc__)
