#!/usr/bin/env python3
"""Write the link order of the app's functions from callgrind profiles of the app.

    link_order.py BINARY PROFILE... > src-tauri/link-order.txt

BINARY is the release app the profiles were taken of; each PROFILE a callgrind output
of it run with `--dump-instr=yes --compress-strings=no --compress-pos=no` (the sign-in
screen, then a start with 10 open chats, as in the footprint run). The output names
every function of BINARY that ran, in the order the profiles first show them, by its
symbol (mangled) name, one per line: the release build links them first and together
(src-tauri/build.rs), so that the pages of the binary the app runs code on are few.

The profiles: the release app (built with the current list or without one) run as
`valgrind --tool=callgrind --dump-instr=yes --compress-strings=no --compress-pos=no
--callgrind-out-file=OUT target/release/switchboard` inside
scripts/lib/desktop-session.sh, once on a fresh data dir (SWITCHBOARD_DATA_DIR) left at
the sign-in screen, and once as the footprint run's second start (a copy of
bench/footprint/run.mjs whose second launch runs the app through a script doing the
above, and that waits minutes rather than seconds for the console: under callgrind it
shows in about 13 s). Callgrind writes OUT when the app exits.

Symbol names carry a hash of their crate's build, so the file goes out of date as the
code or its dependencies change; names the linker does not find are skipped. With the
file out of date the binary is laid out as without it, only larger in memory.
"""
import bisect
import re
import subprocess
import sys


def main() -> None:
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    binary, profiles = sys.argv[1], sys.argv[2:]
    symbols = []
    for line in subprocess.run(["nm", "-S", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        m = re.match(r"([0-9a-f]+) ([0-9a-f]+) [tTwW] (\S+)", line)
        if m:
            symbols.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
    symbols.sort()
    starts = [s[0] for s in symbols]
    order, seen, size = [], set(), 0
    for profile in profiles:
        obj = None
        with open(profile, errors="replace") as f:
            for line in f:
                if line.startswith("ob="):
                    obj = line[3:].strip()
                elif obj == binary and line.startswith("0x"):
                    address = int(line.split()[0], 16)
                    i = bisect.bisect_right(starts, address) - 1
                    if i >= 0 and symbols[i][0] <= address < symbols[i][0] + symbols[i][1]:
                        name = symbols[i][2]
                        if name not in seen:
                            seen.add(name)
                            order.append(name)
                            size += symbols[i][1]
    if not order:
        sys.exit(f"no code of {binary} in the profiles (is `ob=` the same path?)")
    sys.stdout.write("\n".join(order) + "\n")
    print(f"{len(order)} functions, {size / 2**20:.2f} MB of code", file=sys.stderr)


if __name__ == "__main__":
    main()
