-- The hub's first schema. Times are Unix milliseconds (UTC) so that SQL can compare
-- them; JSON columns hold protocol values exactly as they travel.

CREATE TABLE agents (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE COLLATE NOCASE,
    name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL DEFAULT 'agent',
    max_chats INTEGER NOT NULL DEFAULT 3,
    disabled INTEGER NOT NULL DEFAULT 0,
    -- The status the agent chose last; a hub restart turns `online` into `away`.
    status TEXT NOT NULL DEFAULT 'offline',
    -- The newest seq of this agent's durable push stream (survives log pruning).
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    backup_mode TEXT NOT NULL DEFAULT 'least_busy',
    offer_timeout_secs INTEGER NOT NULL DEFAULT 20,
    wait_alert_secs INTEGER NOT NULL DEFAULT 30,
    reply_alert_secs INTEGER NOT NULL DEFAULT 60,
    inactivity_prompt_secs INTEGER NOT NULL DEFAULT 180,
    inactivity_close_secs INTEGER NOT NULL DEFAULT 300,
    prompt_text TEXT NOT NULL DEFAULT 'Are you still there?',
    closing_text TEXT NOT NULL DEFAULT 'We have not heard from you for a while, so we are closing this chat. Thank you for contacting us; start a new chat any time.',
    outcomes TEXT NOT NULL DEFAULT '[]',
    wrap_up_required INTEGER NOT NULL DEFAULT 0,
    wrap_up_timeout_secs INTEGER NOT NULL DEFAULT 120,
    max_wait_secs INTEGER NOT NULL DEFAULT 300,
    created_at INTEGER NOT NULL
);

-- Skills that also qualify an agent outside the department for its chats.
CREATE TABLE department_skills (
    department_id INTEGER NOT NULL REFERENCES departments(id),
    skill TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (department_id, skill)
) WITHOUT ROWID;

CREATE TABLE agent_departments (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    PRIMARY KEY (agent_id, department_id)
) WITHOUT ROWID;

CREATE TABLE agent_skills (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    skill TEXT NOT NULL COLLATE NOCASE,
    PRIMARY KEY (agent_id, skill)
) WITHOUT ROWID;

CREATE TABLE sites (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at INTEGER NOT NULL
);

-- Origins (scheme://host[:port]) whose pages may open visitor chats for a site.
CREATE TABLE site_origins (
    origin TEXT PRIMARY KEY COLLATE NOCASE,
    site_id INTEGER NOT NULL REFERENCES sites(id)
) WITHOUT ROWID;

-- Chats of `department_id` coming from `site_id` go to agents holding `skill`.
CREATE TABLE routing_rules (
    id INTEGER PRIMARY KEY,
    site_id INTEGER NOT NULL REFERENCES sites(id),
    department_id INTEGER NOT NULL REFERENCES departments(id),
    skill TEXT NOT NULL COLLATE NOCASE,
    UNIQUE (site_id, department_id)
);

-- Agent sessions. Only a SHA-256 of the bearer token is kept.
CREATE TABLE sessions (
    token_hash BLOB PRIMARY KEY,
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
) WITHOUT ROWID;

CREATE INDEX sessions_agent ON sessions(agent_id);

CREATE TABLE chats (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    department_id INTEGER NOT NULL REFERENCES departments(id),
    site_id INTEGER REFERENCES sites(id),
    site_host TEXT,
    required_skill TEXT,
    state TEXT NOT NULL,
    agent_id INTEGER REFERENCES agents(id),
    visitor_name TEXT NOT NULL,
    visitor_email TEXT COLLATE NOCASE,
    question TEXT NOT NULL,
    page_url TEXT,
    user_agent TEXT,
    remote_addr TEXT NOT NULL,
    -- SHA-256 of the visitor's per-chat token.
    visitor_token_hash BLOB NOT NULL UNIQUE,
    start_client_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    queued_at INTEGER NOT NULL,
    accepted_at INTEGER,
    ended_at INTEGER,
    ended_by TEXT,
    end_reason TEXT,
    -- Etiquette timers: the visitor's oldest unanswered message, and the agent's
    -- oldest message the visitor has not answered.
    visitor_waiting_since INTEGER,
    visitor_silent_since INTEGER,
    prompted INTEGER NOT NULL DEFAULT 0,
    last_event_id INTEGER
);

CREATE INDEX chats_open ON chats(state) WHERE state IN ('queued', 'offered', 'active');
CREATE INDEX chats_agent ON chats(agent_id, state);
CREATE INDEX chats_email ON chats(visitor_email);
CREATE INDEX chats_department ON chats(department_id, id);
CREATE INDEX chats_start ON chats(remote_addr, start_client_id);

-- Every agent who held a chat at some point, for transcript access.
CREATE TABLE chat_agents (
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    joined_at INTEGER NOT NULL,
    PRIMARY KEY (chat_id, agent_id)
) WITHOUT ROWID;

CREATE INDEX chat_agents_agent ON chat_agents(agent_id, chat_id);

-- The transcript. Ids grow across the hub and are never reused.
CREATE TABLE chat_events (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    at INTEGER NOT NULL,
    body TEXT NOT NULL
);

CREATE INDEX chat_events_chat ON chat_events(chat_id, id);

CREATE TABLE offers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    chat_id INTEGER NOT NULL REFERENCES chats(id),
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    kind TEXT NOT NULL,
    from_agent_id INTEGER REFERENCES agents(id),
    note TEXT NOT NULL DEFAULT '',
    offered_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    ended_at INTEGER,
    end_reason TEXT
);

CREATE INDEX offers_chat ON offers(chat_id);
CREATE INDEX offers_open ON offers(agent_id) WHERE ended_at IS NULL;

-- Each agent's durable push stream, bounded by count and age.
CREATE TABLE agent_pushes (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    seq INTEGER NOT NULL,
    push TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (agent_id, seq)
) WITHOUT ROWID;

CREATE INDEX agent_pushes_age ON agent_pushes(created_at);

-- The first reply to each state-changing request, so a retry gets the same answer.
-- `scope` is 'agent' (owner = agent id) or 'visitor' (owner = chat id).
CREATE TABLE replies (
    scope TEXT NOT NULL,
    owner INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (scope, owner, client_id)
) WITHOUT ROWID;
