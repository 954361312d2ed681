#!/usr/bin/env python3
"""Times the client cache's search query against an alternative ordering, outside the
app, over the queries of a footprint run (docs/performance.md, "Desktop footprint").

Builds a cache from crates/client/migrations, fills it with seed_cache.py, and runs each
query of the run's results file both ways, as the cache sends it (every word quoted and
prefix-matched):
  cache   the query of Cache::search (ORDER BY e.id DESC): SQLite collects every match,
          with its snippet, and sorts them before the LIMIT applies
  rowid   the same, ORDER BY events_fts.rowid DESC: FTS5 hands rows out newest first
          and stops at the LIMIT
Both return the same rows (e.id is the FTS rowid). Python's sqlite3 is not the app's
bundled SQLite: compare the two columns with each other, not with the in-app figures.

Usage: search_query.py RESULTS.json [--messages 100000]
"""

import argparse
import json
import pathlib
import re
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
MIGRATIONS = HERE.parent.parent / "crates" / "client" / "migrations"

SELECT = """SELECT e.id, e.chat_id, e.body,
        snippet(events_fts, -1, char(57344), char(57345), '…', 16),
        c.summary
   FROM events_fts
   JOIN events e ON e.id = events_fts.rowid
   LEFT JOIN chats c ON c.id = e.chat_id
  WHERE events_fts MATCH ?
  ORDER BY {order} DESC
  LIMIT 50"""
ORDERS = {"cache": "e.id", "rowid": "events_fts.rowid"}


def fts_query(text):
    """As crates/client/src/cache.rs builds it: words quoted, prefix-matched, all required."""
    words = [w for w in re.split(r"[^\w]|_", text) if w][:16]
    return " ".join(f'"{w}"*' for w in words) or None


def pct(sorted_ms, p):
    return sorted_ms[min(len(sorted_ms) - 1, -(-p * len(sorted_ms) // 100) - 1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results")
    ap.add_argument("--messages", type=int, default=100_000)
    args = ap.parse_args()
    queries = [q["query"] for q in json.loads(pathlib.Path(args.results).read_text())["search"]["all"]]

    with tempfile.TemporaryDirectory() as tmp:
        path = pathlib.Path(tmp) / "cache.sqlite3"
        db = sqlite3.connect(path)
        for migration in sorted(MIGRATIONS.glob("*.sql")):
            db.executescript(migration.read_text())
        summary = {
            "id": 1,
            "department": {"id": 1, "name": "Support"},
            "visitor": {"name": "Visitor A"},
            "question": "Hello",
            "state": "active",
            "agent": {"id": 1, "name": "Ada"},
            "created_at": "2026-11-21T09:00:00Z",
        }
        db.execute(
            "INSERT INTO chats (id, department_id, department_name, visitor_name, question,"
            " state, created_at, held, summary) VALUES (1, 1, 'Support', 'Visitor A', 'Hello',"
            " 'active', '2026-11-21T09:00:00+00:00', 1, ?)",
            (json.dumps(summary),),
        )
        db.commit()
        db.close()
        subprocess.run(
            [sys.executable, str(HERE / "seed_cache.py"), str(path), "--messages", str(args.messages)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        db = sqlite3.connect(path)
        timings = {name: [] for name in ORDERS}
        for q in queries:
            matcher = fts_query(q)
            if matcher is None:
                continue
            rows = {}
            for name, order in ORDERS.items():
                t0 = time.perf_counter()
                rows[name] = db.execute(SELECT.format(order=order), (matcher,)).fetchall()
                timings[name].append((time.perf_counter() - t0) * 1000)
            if rows["cache"] != rows["rowid"]:
                sys.exit(f"the two orderings disagree on {q!r}")
        plans = {
            name: [r[3] for r in db.execute("EXPLAIN QUERY PLAN " + SELECT.format(order=order), ('"x"*',))]
            for name, order in ORDERS.items()
        }
    out = {"sqlite": sqlite3.sqlite_version, "queries": len(timings["cache"]), "plans": plans}
    for name, ms in timings.items():
        ms.sort()
        out[name] = {"p50_ms": round(pct(ms, 50), 2), "p95_ms": round(pct(ms, 95), 2), "max_ms": round(ms[-1], 2)}
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
