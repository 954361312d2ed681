-- The push log and the stored replies become tables in the order rows are written,
-- each with a small index for its lookups, instead of tables ordered by their keys.
-- Every message adds a row to both, under keys spread over the whole key space (a
-- random client id; one agent among hundreds): ordered by key, each row of a few
-- hundred bytes landed on a page of its own, and every few rows split one, so a
-- message rewrote two to three pages of each. Written in order, the rows of a whole
-- batch share a page or two, and what lands on a page of its own is an index entry
-- a tenth of the size.

CREATE TABLE agent_pushes_new (
    agent_id INTEGER NOT NULL REFERENCES agents(id),
    seq INTEGER NOT NULL,
    push TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (agent_id, seq)
);
INSERT INTO agent_pushes_new (agent_id, seq, push, created_at)
    SELECT agent_id, seq, push, created_at FROM agent_pushes ORDER BY created_at, agent_id, seq;
DROP TABLE agent_pushes;
ALTER TABLE agent_pushes_new RENAME TO agent_pushes;
CREATE INDEX agent_pushes_age ON agent_pushes(created_at);

CREATE TABLE replies_new (
    scope TEXT NOT NULL,
    owner INTEGER NOT NULL,
    client_id TEXT NOT NULL,
    reply TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (scope, owner, client_id)
);
INSERT INTO replies_new (scope, owner, client_id, reply, created_at)
    SELECT scope, owner, client_id, reply, created_at FROM replies ORDER BY created_at;
DROP TABLE replies;
ALTER TABLE replies_new RENAME TO replies;
