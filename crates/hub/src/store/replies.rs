//! The first reply to each state-changing request, under the sender's client id, so
//! that a retried request is answered exactly as the first one was.

use sqlx::Arguments;
use sqlx::sqlite::SqliteArguments;

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

/// For a run of messages about to be stored, in one round trip: which of `keys` already
/// have a stored reply (the message is a retry), as `(index in keys, reply)`, and, when
/// `with_head`, the newest chat event id the hub has given (`AUTOINCREMENT`'s counter,
/// or the largest id if that is larger).
pub async fn look_ahead(
    conn: &mut SqliteConnection,
    keys: &[(Scope, &str)],
    with_head: bool,
) -> Result<(Vec<(usize, String)>, Option<i64>)> {
    let mut parts = Vec::with_capacity(keys.len() + 1);
    if with_head {
        parts.push(
            "SELECT -1, CAST(MAX(\
             COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'chat_events'), 0), \
             COALESCE((SELECT MAX(id) FROM chat_events), 0)) AS TEXT)"
                .to_owned(),
        );
    }
    let mut args = SqliteArguments::default();
    for (n, (scope, client_id)) in keys.iter().enumerate() {
        // The index is ours, not input: it tells which message a row answers.
        parts.push(format!(
            "SELECT {n}, reply FROM replies WHERE scope = ? AND owner = ? AND client_id = ?"
        ));
        let (kind, owner) = scope.parts();
        args.add(kind).map_err(encode)?;
        args.add(owner).map_err(encode)?;
        args.add(client_id.to_string()).map_err(encode)?;
    }
    if parts.is_empty() {
        return Ok((Vec::new(), None));
    }
    let rows: Vec<(i64, String)> =
        sqlx::query_as_with(sqlx::AssertSqlSafe(parts.join(" UNION ALL ")), args)
            .fetch_all(&mut *conn)
            .await?;
    let mut head = None;
    let mut stored = Vec::new();
    for (n, text) in rows {
        match usize::try_from(n) {
            Ok(n) => stored.push((n, text)),
            Err(_) => head = text.parse().ok(),
        }
    }
    Ok((stored, head))
}

fn encode(e: sqlx::error::BoxDynError) -> crate::error::Error {
    crate::error::Error::Database(sqlx::Error::Encode(e))
}
