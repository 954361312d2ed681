-- The agent client's local cache: a replica of what the hub told this agent, plus
-- the outbox of commands not yet acknowledged. Forward-only; never edit once shipped.

-- Small values: the agent, its status, departments, the chosen status.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);

-- The last durable push applied, advanced in the same transaction as the change.
CREATE TABLE sync_cursor (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_seq INTEGER NOT NULL
);
INSERT INTO sync_cursor (id, last_seq) VALUES (1, 0);

CREATE TABLE chats (
    id              INTEGER PRIMARY KEY NOT NULL,
    department_id   INTEGER NOT NULL,
    department_name TEXT NOT NULL,
    visitor_name    TEXT NOT NULL,
    question        TEXT NOT NULL,
    state           TEXT NOT NULL,
    agent_id        INTEGER,
    agent_name      TEXT,
    created_at      TEXT NOT NULL,
    ended_at        TEXT,
    last_event_id   INTEGER,
    -- 1 while this agent holds the chat (an open tab: active or owing a wrap-up).
    held            INTEGER NOT NULL DEFAULT 0,
    -- The hub's summary as JSON, so fields added later survive a round trip.
    summary         TEXT NOT NULL
);
CREATE INDEX chats_newest_first ON chats (id DESC);
CREATE INDEX chats_held ON chats (held) WHERE held = 1;

CREATE TABLE visitors (
    chat_id        INTEGER PRIMARY KEY NOT NULL REFERENCES chats (id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    email          TEXT,
    page_url       TEXT,
    user_agent     TEXT,
    site           TEXT,
    previous_chats INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX visitors_by_email ON visitors (email) WHERE email IS NOT NULL;

CREATE TABLE events (
    id        INTEGER PRIMARY KEY NOT NULL,
    chat_id   INTEGER NOT NULL,
    at        TEXT NOT NULL,
    kind      TEXT NOT NULL,
    author    TEXT,
    -- Searchable text: messages and email replies.
    text      TEXT,
    client_id TEXT,
    body      TEXT NOT NULL
);
CREATE INDEX events_by_chat ON events (chat_id, id);

-- Full-text index over message text, kept in step with `events` by triggers.
CREATE VIRTUAL TABLE events_fts USING fts5 (
    text,
    author,
    content = 'events',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER events_fts_insert AFTER INSERT ON events WHEN new.text IS NOT NULL BEGIN
    INSERT INTO events_fts (rowid, text, author) VALUES (new.id, new.text, coalesce(new.author, ''));
END;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events WHEN old.text IS NOT NULL BEGIN
    INSERT INTO events_fts (events_fts, rowid, text, author)
    VALUES ('delete', old.id, old.text, coalesce(old.author, ''));
END;
CREATE TRIGGER events_fts_update_old AFTER UPDATE ON events WHEN old.text IS NOT NULL BEGIN
    INSERT INTO events_fts (events_fts, rowid, text, author)
    VALUES ('delete', old.id, old.text, coalesce(old.author, ''));
END;
CREATE TRIGGER events_fts_update_new AFTER UPDATE ON events WHEN new.text IS NOT NULL BEGIN
    INSERT INTO events_fts (rowid, text, author) VALUES (new.id, new.text, coalesce(new.author, ''));
END;

CREATE TABLE wrap_ups (
    chat_id INTEGER PRIMARY KEY NOT NULL,
    outcome TEXT NOT NULL,
    notes   TEXT NOT NULL,
    tags    TEXT NOT NULL,
    at      TEXT NOT NULL
);

-- Offers open to this agent: durable pushes, so a resumed session never sees them again.
CREATE TABLE offers (
    id         INTEGER PRIMARY KEY NOT NULL,
    chat_id    INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    body       TEXT NOT NULL
);

CREATE TABLE missed_chats (
    id         INTEGER PRIMARY KEY NOT NULL,
    chat_id    INTEGER NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    body       TEXT NOT NULL
);

CREATE TABLE canned_responses (
    id   INTEGER PRIMARY KEY NOT NULL,
    body TEXT NOT NULL
);

-- Commands given by the agent, waiting for the hub's acknowledgement. `position`
-- keeps the order they were given in; `client_id` makes a resend exactly-once.
CREATE TABLE outbox (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id     TEXT NOT NULL UNIQUE,
    command       TEXT NOT NULL,
    chat_id       INTEGER,
    state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'failed')),
    error_code    TEXT,
    error_message TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL
);
