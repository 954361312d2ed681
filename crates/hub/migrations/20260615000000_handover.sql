-- Wrap-ups, transfers and canned responses.

-- A chat's wrap-up: NULL when none is owed (never held by an agent), else 'pending'
-- (owed by `agent_id` until `wrap_up_deadline`), 'done' or 'expired'. `wrap_up` is
-- the latest WrapUp as protocol JSON; every one given is also in the transcript.
ALTER TABLE chats ADD COLUMN wrap_up_state TEXT;
ALTER TABLE chats ADD COLUMN wrap_up_required INTEGER NOT NULL DEFAULT 0;
ALTER TABLE chats ADD COLUMN wrap_up_deadline INTEGER;
ALTER TABLE chats ADD COLUMN wrap_up TEXT;
ALTER TABLE chats ADD COLUMN wrap_up_at INTEGER;

CREATE INDEX chats_wrap_up_pending ON chats(wrap_up_state) WHERE wrap_up_state = 'pending';

-- A transfer under way (JSON: sender, target, note, start), NULL when there is none.
-- Kept so that a restart can finish or undo it.
ALTER TABLE chats ADD COLUMN transfer TEXT;

CREATE INDEX chats_transfer ON chats(id) WHERE transfer IS NOT NULL;

-- Departments without outcome codes get the usual ones (admins change them with
-- `department set --outcomes`).
UPDATE departments
SET outcomes = '["Resolved","Follow-up needed","Sale","Not a customer"]'
WHERE outcomes = '[]';

-- Prepared answers: personal ones belong to one agent, department ones are shared
-- by the department's agents and managed by admins. A shortcut is unique within its
-- owner or department.
CREATE TABLE canned_responses (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    scope TEXT NOT NULL,
    owner_id INTEGER REFERENCES agents(id),
    department_id INTEGER REFERENCES departments(id),
    shortcut TEXT NOT NULL COLLATE NOCASE,
    text TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    CHECK ((scope = 'personal' AND owner_id IS NOT NULL AND department_id IS NULL)
        OR (scope = 'department' AND department_id IS NOT NULL AND owner_id IS NULL))
);

CREATE UNIQUE INDEX canned_personal_shortcut ON canned_responses(owner_id, shortcut)
    WHERE scope = 'personal';
CREATE UNIQUE INDEX canned_department_shortcut ON canned_responses(department_id, shortcut)
    WHERE scope = 'department';
