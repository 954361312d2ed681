#!/usr/bin/env python3
"""What a hub's WAL holds, by table: frames and distinct pages of each table or index.

Usage: bench/hub_wal_pages.py DB WAL

DB and WAL are copies of a hub's `hub.db` and `hub.db-wal`, taken while it runs (copy
the WAL first). Only the frames of the log's current generation count (those whose
salts match the WAL header's). Pages are named with SQLite's `dbstat` table on DB
opened read-only; a page not in DB yet (the file grew since) shows as "?new".
"""
import collections
import sqlite3
import struct
import sys


def frames(wal_path):
    data = open(wal_path, 'rb').read()
    _magic, _version, page_size, _seq, salt1, salt2 = struct.unpack('>IIIIII', data[:24])
    out, off = [], 32
    while off + 24 + page_size <= len(data):
        page, commit, s1, s2 = struct.unpack('>IIII', data[off:off + 16])
        if (s1, s2) != (salt1, salt2):
            break
        out.append((page, commit))
        off += 24 + page_size
    return page_size, out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db, wal = sys.argv[1], sys.argv[2]
    page_size, log = frames(wal)
    con = sqlite3.connect(f'file:{db}?mode=ro', uri=True)
    owner = dict((pageno, name) for name, pageno in con.execute('SELECT name, pageno FROM dbstat'))
    by_frame = collections.Counter(owner.get(p, '?new') for p, _ in log)
    pages = set(p for p, _ in log)
    by_page = collections.Counter(owner.get(p, '?new') for p in pages)
    commits = sum(1 for _, c in log if c)
    print(f'page size {page_size}, frames {len(log)}, commits {commits}, distinct pages {len(pages)}')
    print(f'{"frames":>8} {"pages":>7}  table or index')
    for name, n in by_frame.most_common():
        print(f'{n:8d} {by_page[name]:7d}  {name}')


if __name__ == '__main__':
    main()
