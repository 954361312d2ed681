//! Each agent's durable push stream: numbered pushes kept for resume, bounded by
//! count and age.

use super::{Deferred, DeferredValue, SqliteConnection};
use crate::error::Result;
use switchboard_protocol::{AgentId, Seq};

pub async fn last_seq(conn: &mut SqliteConnection, agent: AgentId) -> Result<Seq> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM agents WHERE id = ?")
        .bind(agent.0)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(Seq(seq.unwrap_or(0).max(0).unsigned_abs()))
}

/// Store `push` (its JSON frame) as `seq` of the agent's stream and advance the head.
pub async fn append(
    conn: &mut SqliteConnection,
    agent: AgentId,
    seq: Seq,
    push: &str,
    now: i64,
) -> Result<()> {
    let seq = i64::try_from(seq.0).unwrap_or(i64::MAX);
    sqlx::query("INSERT INTO agent_pushes (agent_id, seq, push, created_at) VALUES (?, ?, ?, ?)")
        .bind(agent.0)
        .bind(seq)
        .bind(push)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    sqlx::query("UPDATE agents SET last_seq = ? WHERE id = ?")
        .bind(seq)
        .bind(agent.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The oldest seq still kept for the agent.
pub async fn first_kept(conn: &mut SqliteConnection, agent: AgentId) -> Result<Option<Seq>> {
    let seq: Option<i64> =
        sqlx::query_scalar("SELECT MIN(seq) FROM agent_pushes WHERE agent_id = ?")
            .bind(agent.0)
            .fetch_one(&mut *conn)
            .await?;
    Ok(seq.map(|s| Seq(s.max(0).unsigned_abs())))
}

/// The stored frames with `after < seq <= upto`, in order.
pub async fn range(
    conn: &mut SqliteConnection,
    agent: AgentId,
    after: Seq,
    upto: Seq,
) -> Result<Vec<(Seq, String)>> {
    let rows: Vec<(i64, String)> = sqlx::query_as(
        "SELECT seq, push FROM agent_pushes WHERE agent_id = ? AND seq > ? AND seq <= ? ORDER BY seq",
    )
    .bind(agent.0)
    .bind(i64::try_from(after.0).unwrap_or(i64::MAX))
    .bind(i64::try_from(upto.0).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(s, p)| (Seq(s.max(0).unsigned_abs()), p))
        .collect())
}

/// Keep only pushes with `seq > below` for the agent.
pub async fn prune_below(conn: &mut SqliteConnection, agent: AgentId, below: Seq) -> Result<()> {
    sqlx::query("DELETE FROM agent_pushes WHERE agent_id = ? AND seq <= ?")
        .bind(agent.0)
        .bind(i64::try_from(below.0).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Drop every push stored before `before` (Unix ms).
pub async fn prune_older(conn: &mut SqliteConnection, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM agent_pushes WHERE created_at < ?")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// [`append`], deferred to the commit: store `push` as `seq` of the agent's stream.
pub(crate) fn append_deferred(
    deferred: &mut Deferred,
    agent: AgentId,
    seq: Seq,
    push: String,
    now: i64,
) -> Result<()> {
    deferred.add(
        "INSERT INTO agent_pushes (agent_id, seq, push, created_at) VALUES (?, ?, ?, ?)",
        vec![
            DeferredValue::Int(agent.0),
            DeferredValue::Int(i64::try_from(seq.0).unwrap_or(i64::MAX)),
            DeferredValue::Text(push),
            DeferredValue::Int(now),
        ],
    )
}

/// Advance the head of the agent's stream to `seq`, deferred to the commit.
pub(crate) fn set_head_deferred(deferred: &mut Deferred, agent: AgentId, seq: Seq) -> Result<()> {
    deferred.add(
        "UPDATE agents SET last_seq = ? WHERE id = ?",
        vec![
            DeferredValue::Int(i64::try_from(seq.0).unwrap_or(i64::MAX)),
            DeferredValue::Int(agent.0),
        ],
    )
}

/// [`prune_below`], deferred to the commit.
pub(crate) fn prune_below_deferred(
    deferred: &mut Deferred,
    agent: AgentId,
    below: Seq,
) -> Result<()> {
    deferred.add(
        "DELETE FROM agent_pushes WHERE agent_id = ? AND seq <= ?",
        vec![
            DeferredValue::Int(agent.0),
            DeferredValue::Int(i64::try_from(below.0).unwrap_or(i64::MAX)),
        ],
    )
}
