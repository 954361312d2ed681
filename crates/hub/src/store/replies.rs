//! The first reply to each state-changing request, under the sender's client id, so
//! that a retried request is answered exactly as the first one was.

use super::{Deferred, DeferredValue, SqliteConnection};
use crate::error::Result;

/// Whose client ids these are: an agent's, or a visitor's within one chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    Agent(i64),
    Visitor(i64),
}

impl Scope {
    pub(crate) fn parts(self) -> (&'static str, i64) {
        match self {
            Scope::Agent(id) => ("agent", id),
            Scope::Visitor(chat) => ("visitor", chat),
        }
    }
}

pub async fn get(
    conn: &mut SqliteConnection,
    scope: Scope,
    client_id: &str,
) -> Result<Option<String>> {
    let (kind, owner) = scope.parts();
    Ok(sqlx::query_scalar(
        "SELECT reply FROM replies WHERE scope = ? AND owner = ? AND client_id = ?",
    )
    .bind(kind)
    .bind(owner)
    .bind(client_id)
    .fetch_optional(&mut *conn)
    .await?)
}

pub async fn put(
    conn: &mut SqliteConnection,
    scope: Scope,
    client_id: &str,
    reply: &str,
    now: i64,
) -> Result<()> {
    let (kind, owner) = scope.parts();
    sqlx::query(
        "INSERT INTO replies (scope, owner, client_id, reply, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(kind)
    .bind(owner)
    .bind(client_id)
    .bind(reply)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Forget replies stored before `before` (Unix ms).
pub async fn prune(conn: &mut SqliteConnection, before: i64) -> Result<()> {
    sqlx::query("DELETE FROM replies WHERE created_at < ?")
        .bind(before)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// [`put`], deferred to the commit.
pub(crate) fn put_deferred(
    deferred: &mut Deferred,
    scope: Scope,
    client_id: &str,
    reply: String,
    now: i64,
) -> Result<()> {
    let (kind, owner) = scope.parts();
    deferred.add(
        "INSERT INTO replies (scope, owner, client_id, reply, created_at) VALUES (?, ?, ?, ?, ?)",
        vec![
            DeferredValue::Str(kind),
            DeferredValue::Int(owner),
            DeferredValue::Text(client_id.to_owned()),
            DeferredValue::Text(reply),
            DeferredValue::Int(now),
        ],
    )
}
