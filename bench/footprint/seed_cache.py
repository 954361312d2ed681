#!/usr/bin/env python3
"""Fills a signed-in agent's client cache with ended chats full of messages, for the
desktop footprint run (bench/footprint/run.mjs).

The cache must exist (the app created it at sign-in, with its migrations and the FTS
triggers): rows go in through plain INSERTs, so the triggers index every message as the
app's own writes would. The chats get ids far above the hub's, so the hub's resync (which
never deletes chats) leaves them alone. Text is drawn from a fixed vocabulary with a
Zipf-like spread and a fixed seed: half the words are short function words (the, my, to;
in most messages, as in real chat), the rest content words of which the most common is in
about one message in six and the rarest in a few hundred, plus a few rare words in a
handful; every run writes the same cache.

Usage: seed_cache.py CACHE.sqlite3 [--messages 100000] [--per-chat 50]
"""

import argparse
import json
import random
import sqlite3
import sys
from datetime import datetime, timedelta, timezone

# Far above any id the bench hub hands out, so seeded rows never meet real ones.
FIRST_CHAT = 1_000_000
FIRST_EVENT = 100_000_000

WORDS = """
order refund delivery parcel courier address invoice payment card account password
login email shipping warehouse tracking number return exchange size colour color price
discount coupon code subscription plan upgrade downgrade cancel renewal billing receipt
tax company contract trial demo feature export import report dashboard integration api
key token webhook error message page browser phone mobile app update version install
setup settings profile team member invite permission admin role access denied locked
reset link expired arrived damaged missing broken wrong item product stock available
backorder preorder week monday tuesday wednesday thursday friday weekend morning evening
today tomorrow yesterday please thanks thank you hello hi sure great perfect sorry help
question problem issue ticket case status pending shipped delivered returned refunded
charged twice bank transfer paypal visa mastercard currency euro dollar pound country
germany france spain italy sweden norway poland canada australia japan brazil mexico
customs duty label printer scanner laptop monitor keyboard mouse cable charger battery
warranty repair replacement manual guide video chat call meeting schedule calendar
appointment booking reservation hotel flight train ticket seat upgrade luggage gift
wrapping message note card birthday wedding christmas holiday sale black friday cyber
newsletter unsubscribe spam privacy gdpr data delete download upload file attachment
photo picture screenshot document pdf spreadsheet csv limit quota storage space plan
storage backup restore sync offline online connection network slow fast timeout crash
freeze bug fix patch release notes roadmap request vote feedback review rating star
complaint manager supervisor escalate urgent priority asap immediately later soon wait
minute hour day month year deadline overdue reminder notification alert sound volume
""".split()

# Function words: about half of any real message.
SMALL = """
the a an to of and or in on at for with my your our is are was be it this that
i you we can will not have has do does did me us from by as but if so just
""".split()

RARE = """
zephyr quokka marmalade fjord saffron obsidian tamarind kerosene velvet juniper
anchovy bergamot cobalt dandelion eucalyptus flamingo gooseberry hazelnut ibis jasmine
""".split()

VISITORS = """
Mara Noah Lena Omar Priya Jonas Sofia Malik Ines Tariq Hana Felix Aiko Ruben Elif Kai
Nadia Pavel Leila Bruno Yara Theo Amara Lukas Zoe Emil Selin Diego Freya Ivo
""".split()


def sentence(rng, weights):
    words = [
        rng.choice(SMALL) if rng.random() < 0.5 else rng.choices(WORDS, weights=weights)[0]
        for _ in range(rng.randint(5, 22))
    ]
    if rng.random() < 0.02:
        words.insert(rng.randrange(len(words)), rng.choice(RARE))
    if rng.random() < 0.1:
        words.append(f"#{rng.randint(10000, 99999)}")
    text = " ".join(words)
    return text[0].upper() + text[1:] + rng.choice([".", "?", "!", "."])


def stamp(t):
    return t.isoformat().replace("+00:00", "Z")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("cache")
    ap.add_argument("--messages", type=int, default=100_000)
    ap.add_argument("--per-chat", type=int, default=50)
    args = ap.parse_args()

    db = sqlite3.connect(args.cache)
    # The agent and a department as the hub named them, from a chat the app cached.
    row = db.execute(
        "SELECT summary FROM chats WHERE json_extract(summary, '$.agent') IS NOT NULL LIMIT 1"
    ).fetchone()
    if row is None:
        sys.exit("the cache holds no chat with an agent: sign in and accept a chat first")
    template = json.loads(row[0])
    agent = template["agent"]
    department = template["department"]

    rng = random.Random(8)
    # Zipf with an offset: no single content word swamps the rest.
    weights = [1.0 / (rank + 10) for rank in range(len(WORDS))]
    rng.shuffle(weights)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)
    chats = (args.messages + args.per_chat - 1) // args.per_chat
    event_id = FIRST_EVENT
    written = 0
    with db:
        for n in range(chats):
            chat_id = FIRST_CHAT + n
            name = f"{rng.choice(VISITORS)} {chr(65 + n % 26)}."
            created = start + timedelta(minutes=90 * n)
            count = min(args.per_chat, args.messages - written)
            question = sentence(rng, weights)
            events = []
            t = created
            for i in range(count):
                t += timedelta(seconds=rng.randint(5, 90))
                event_id += 1
                if i % 2 == 0:
                    author = {"kind": "visitor", "name": name}
                    text = question if i == 0 else sentence(rng, weights)
                else:
                    author = {"kind": "agent", "id": agent["id"], "name": agent["name"]}
                    text = sentence(rng, weights)
                body = {
                    "id": event_id,
                    "chat_id": chat_id,
                    "at": stamp(t),
                    "type": "message",
                    "author": author,
                    "text": text,
                }
                events.append(
                    (event_id, chat_id, t.isoformat(), "message", author["name"], text,
                     json.dumps(body, separators=(",", ":")))
                )
            summary = {
                "id": chat_id,
                "department": department,
                "visitor": {"name": name},
                "question": question,
                "state": "ended",
                "agent": agent,
                "created_at": stamp(created),
                "accepted_at": stamp(created + timedelta(seconds=20)),
                "ended_at": stamp(t),
                "last_event_id": event_id,
            }
            db.execute(
                "INSERT INTO chats (id, department_id, department_name, visitor_name, question,"
                " state, agent_id, agent_name, created_at, ended_at, last_event_id, held, summary)"
                " VALUES (?, ?, ?, ?, ?, 'ended', ?, ?, ?, ?, ?, 0, ?)",
                (chat_id, department["id"], department["name"], name, question, agent["id"],
                 agent["name"], created.isoformat(), t.isoformat(), event_id,
                 json.dumps(summary, separators=(",", ":"))),
            )
            db.execute(
                "INSERT INTO visitors (chat_id, name) VALUES (?, ?)", (chat_id, name)
            )
            db.executemany(
                "INSERT INTO events (id, chat_id, at, kind, author, text, body)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                events,
            )
            written += count
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    total = db.execute("SELECT count(*) FROM events WHERE kind = 'message'").fetchone()[0]
    db.close()
    print(json.dumps({"chats": chats, "messages": written, "cached_messages": total}))


if __name__ == "__main__":
    main()
