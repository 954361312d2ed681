-- Missed chats, their claims, opening hours and the durable email outbox.

-- A department's weekly opening hours in its IANA time zone. No row: always open.
CREATE TABLE department_hours (
    department_id INTEGER PRIMARY KEY REFERENCES departments(id),
    -- Canonical text, e.g. 'mon-fri 09:00-17:30, sat 10:00-14:00'.
    schedule TEXT NOT NULL,
    time_zone TEXT NOT NULL
);

-- The missed-chats list. The visitor's details and transcript stay in `chats` and
-- `chat_events`; this row is the list entry, its state and its claim.
CREATE TABLE missed_chats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL UNIQUE REFERENCES chats(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    reason TEXT NOT NULL,
    -- open, claimed, replied, closed
    state TEXT NOT NULL DEFAULT 'open',
    -- Who holds the claim (state claimed), or who held it last.
    claimed_by INTEGER REFERENCES agents(id),
    claim_expires_at INTEGER,
    -- The visitor's `offline.send` that created or completed this entry, so a retry
    -- finds it again.
    offline_addr TEXT,
    offline_client_id TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX missed_chats_department ON missed_chats(department_id, state, updated_at);
CREATE INDEX missed_chats_claims ON missed_chats(state) WHERE state = 'claimed';
CREATE INDEX missed_chats_offline ON missed_chats(offline_addr, offline_client_id);

-- The email outbox: every reply to a missed chat, until the SMTP server accepted it
-- (sent), it was written as an .eml file (written), or it was given up (failed).
CREATE TABLE emails (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    missed_id INTEGER NOT NULL REFERENCES missed_chats(id),
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    client_id TEXT NOT NULL,
    to_name TEXT NOT NULL,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- The agent's reply as typed, and the whole plain-text body as sent (reply,
    -- signature, quoted question).
    text TEXT NOT NULL,
    body TEXT NOT NULL,
    -- Fixed when the row is made, so every try sends the same Message-ID and a
    -- duplicate after a crash is recognisable.
    message_id TEXT NOT NULL UNIQUE,
    -- queued, retrying, sent, written, failed
    state TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER,
    last_error TEXT,
    -- When the server accepted it, or the .eml file was written (and where).
    done_at INTEGER,
    path TEXT,
    created_at INTEGER NOT NULL,
    UNIQUE (agent_id, client_id)
);

CREATE INDEX emails_missed ON emails(missed_id, id);
CREATE INDEX emails_pending ON emails(state) WHERE state IN ('queued', 'retrying');
