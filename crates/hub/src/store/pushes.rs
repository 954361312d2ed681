//! Each agent's durable push stream: numbered pushes kept for resume, bounded by
//! count and age.
//!
//! The stream's head is its newest stored push; `agents.last_seq` only holds it for
//! agents whose pushes have all aged out. Writing the head on every commit cost each
//! batch a rewrite of the `agents` pages of every agent it pushed to.

use super::{Deferred, DeferredValue, SqliteConnection};
use crate::error::Result;
use switchboard_protocol::{AgentId, Seq};

/// The seq of the agent's newest push (0 before any).
pub async fn last_seq(conn: &mut SqliteConnection, agent: AgentId) -> Result<Seq> {
    let seq: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(last_seq, COALESCE((SELECT MAX(seq) FROM agent_pushes WHERE agent_id = ?1), 0)) \
         FROM agents WHERE id = ?1",
    )
    .bind(agent.0)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(Seq(seq.unwrap_or(0).max(0).unsigned_abs()))
}

/// Store `push` (its JSON frame) as `seq` of the agent's stream.
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

/// Drop every push stored before `before` (Unix ms). The heads of the streams that
/// lose pushes are kept in `agents.last_seq` first, so that a stream left empty goes
/// on from where it was rather than numbering its pushes again from 1.
pub async fn prune_older(conn: &mut SqliteConnection, before: i64) -> Result<()> {
    sqlx::query(
        "UPDATE agents SET last_seq = MAX(last_seq, \
           (SELECT MAX(seq) FROM agent_pushes WHERE agent_id = agents.id)) \
         WHERE id IN (SELECT agent_id FROM agent_pushes WHERE created_at < ?)",
    )
    .bind(before)
    .execute(&mut *conn)
    .await?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::store::agents::{self, NewAgent};
    use switchboard_protocol::Role;

    #[tokio::test]
    async fn a_stream_whose_pushes_all_aged_out_goes_on_from_its_head() {
        let dir = tempfile::tempdir().expect("a temp dir");
        let store = Store::open(&dir.path().join("hub.db"))
            .await
            .expect("a fresh store opens");
        let mut conn = store.acquire().await.expect("a connection");
        let new = NewAgent {
            email: "ada@example.com",
            name: "Ada",
            password_hash: "-",
            role: Role::Agent,
            max_chats: 3,
        };
        let ada = agents::insert(&mut conn, &new, 0)
            .await
            .expect("Ada is added");
        assert_eq!(last_seq(&mut conn, ada).await.expect("head"), Seq(0));
        for seq in 1..=3 {
            append(&mut conn, ada, Seq(seq), "{}", 1_000)
                .await
                .expect("stored");
        }
        assert_eq!(
            last_seq(&mut conn, ada).await.expect("head"),
            Seq(3),
            "the head is the newest stored push"
        );
        prune_older(&mut conn, 2_000).await.expect("pruned");
        assert_eq!(
            first_kept(&mut conn, ada).await.expect("oldest"),
            None,
            "every push was older than the bound"
        );
        assert_eq!(
            last_seq(&mut conn, ada).await.expect("head"),
            Seq(3),
            "an emptied stream keeps its head, so its next push is 4, not 1 again"
        );
    }
}
