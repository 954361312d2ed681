#!/usr/bin/env python3
"""The web process's memory for a page, in WebKitGTK's MiniBrowser: for quick
experiments on what in the console costs memory (a cut-down build, a CSS rule off)
without rebuilding the app. Not the footprint run: the app's own web process differs
(Tauri's scripts, its custom scheme), so compare pages with each other only.

    scripts/lib/desktop-session.sh python3 bench/footprint/page_memory.py URL...

Each URL opens in a fresh MiniBrowser (1100 x 720, as the app's window), and after
WAIT seconds (default 8) the web process's PSS is sampled three times a second apart;
the median is printed, with the anonymous part and the mappings that grew most
against the first URL. Serve the pages over http (python3 -m http.server): module
scripts do not load from file:// URLs. A built console needs a stand-in for Tauri's
IPC to get past its first screen (window.isTauri and window.__TAURI_INTERNALS__.invoke),
or its browser mode (the fake backend, `?signed-in`).
"""
import os
import signal
import subprocess
import sys
import time

MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def web_process(pid: int) -> int | None:
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().startswith("WebKitWebProces"):
                    return p
        except OSError:
            pass
    return None


def sample(pid: int) -> tuple[float, float, dict[str, float]]:
    pss = anon = 0.0
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            key, value = line.split()[:2]
            if key == "Pss:":
                pss = int(value) / 1024
            elif key == "Pss_Anon:":
                anon = int(value) / 1024
    by_mapping: dict[str, float] = {}
    name = None
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            parts = line.split()
            if "-" in parts[0] and not parts[0].endswith(":"):
                name = os.path.basename(parts[5]) if len(parts) > 5 else "[anon]"
            elif parts[0] == "Pss:" and name is not None:
                by_mapping[name] = by_mapping.get(name, 0) + int(parts[1]) / 1024
    return pss, anon, by_mapping


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    wait = float(os.environ.get("WAIT", "8"))
    env = dict(os.environ, WEBKIT_DISABLE_SANDBOX_THIS_IS_DANGEROUS="1")
    first = None
    for url in sys.argv[1:]:
        browser = subprocess.Popen(
            [MINIBROWSER, "--geometry=1100x720", url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            time.sleep(wait)
            pid = web_process(browser.pid)
            if pid is None:
                print(f"  no web process for {url}")
                continue
            samples = []
            for i in range(3):
                if i:
                    time.sleep(1)
                samples.append(sample(pid))
            pss, anon, maps = sorted(samples, key=lambda s: s[0])[1]
            grew = ""
            if first is None:
                first = maps
            else:
                deltas = sorted(((maps.get(k, 0) - first.get(k, 0), k) for k in set(maps) | set(first)), reverse=True)
                grew = "; " + ", ".join(f"{k} {d:+.1f}" for d, k in deltas[:4] if abs(d) >= 0.3)
            print(f"{pss:7.1f} MB (anon {anon:5.1f}){grew}  {url}", flush=True)
        finally:
            browser.send_signal(signal.SIGTERM)
            try:
                browser.wait(5)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
        time.sleep(1)


if __name__ == "__main__":
    main()
