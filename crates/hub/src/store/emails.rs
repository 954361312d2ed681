//! The durable email outbox: each reply to a missed chat and how far its delivery has
//! got. A row is written in the same transaction as the reply's transcript event, so
//! an acknowledged reply is never lost; rows still `queued` or `retrying` are tried
//! again after a restart.

use sqlx::FromRow;
use switchboard_protocol::{
    AgentId, AgentRef, ChatId, EmailDelivery, EmailId, EmailReply, MissedChatId,
};

use super::{SqliteConnection, to_u32};
use crate::clock::from_millis;
use crate::email::compose::OutgoingEmail;
use crate::error::Result;

/// A new outbox email.
pub struct NewEmail<'a> {
    pub missed: MissedChatId,
    pub chat: ChatId,
    pub agent: AgentId,
    pub client_id: &'a str,
    pub to_name: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub body: &'a str,
    /// Unique per hub; the Message-ID is made from the row id and this.
    pub nonce: &'a str,
}

const COLUMNS: &str = "e.id, e.missed_id, e.chat_id, e.agent_id, a.name AS agent_name, e.to_name, \
    e.to_address, e.subject, e.text, e.body, e.message_id, e.state, e.attempts, e.next_attempt_at, \
    e.last_error, e.done_at, e.path, e.created_at";

#[derive(Debug, Clone, FromRow)]
pub struct EmailRow {
    pub id: i64,
    pub missed_id: i64,
    pub chat_id: i64,
    pub agent_id: i64,
    pub agent_name: String,
    pub to_name: String,
    pub to_address: String,
    pub subject: String,
    pub text: String,
    pub body: String,
    pub message_id: String,
    pub state: String,
    pub attempts: i64,
    pub next_attempt_at: Option<i64>,
    pub last_error: Option<String>,
    pub done_at: Option<i64>,
    pub path: Option<String>,
    pub created_at: i64,
}

impl EmailRow {
    pub fn email_id(&self) -> EmailId {
        EmailId(self.id)
    }

    pub fn missed(&self) -> MissedChatId {
        MissedChatId(self.missed_id)
    }

    /// Still to be tried (now or at `next_attempt_at`).
    pub fn pending(&self) -> bool {
        matches!(self.state.as_str(), "queued" | "retrying")
    }

    pub fn delivery(&self) -> EmailDelivery {
        let attempts = to_u32(self.attempts);
        let last_error = self.last_error.clone().unwrap_or_default();
        match self.state.as_str() {
            "retrying" => EmailDelivery::Retrying {
                attempts,
                next_attempt_at: from_millis(self.next_attempt_at.unwrap_or(self.created_at)),
                last_error,
            },
            "sent" => EmailDelivery::Sent {
                at: from_millis(self.done_at.unwrap_or(self.created_at)),
            },
            "written" => EmailDelivery::Written {
                at: from_millis(self.done_at.unwrap_or(self.created_at)),
                path: self.path.clone().unwrap_or_default(),
            },
            "failed" => EmailDelivery::Failed {
                attempts,
                last_error,
            },
            _ => EmailDelivery::Queued,
        }
    }

    pub fn reply(&self) -> EmailReply {
        EmailReply {
            id: self.email_id(),
            agent: AgentRef {
                id: AgentId(self.agent_id),
                name: self.agent_name.clone(),
            },
            to: self.to_address.clone(),
            subject: self.subject.clone(),
            text: self.text.clone(),
            created_at: from_millis(self.created_at),
            delivery: self.delivery(),
        }
    }

    pub fn outgoing(&self) -> OutgoingEmail {
        OutgoingEmail {
            to_name: self.to_name.clone(),
            to_address: self.to_address.clone(),
            subject: self.subject.clone(),
            body: self.body.clone(),
            message_id: self.message_id.clone(),
            created_at: from_millis(self.created_at),
        }
    }
}

/// Store a new email, `queued`. `message_id` makes its Message-ID from the row id.
pub async fn insert(
    conn: &mut SqliteConnection,
    new: &NewEmail<'_>,
    now: i64,
    message_id: impl FnOnce(i64) -> String,
) -> Result<EmailId> {
    // The Message-ID needs the row id; a unique placeholder holds its place until then.
    let placeholder = format!("pending.{}", new.nonce);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO emails (missed_id, chat_id, agent_id, client_id, to_name, to_address,
            subject, text, body, message_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.missed.0)
    .bind(new.chat.0)
    .bind(new.agent.0)
    .bind(new.client_id)
    .bind(new.to_name)
    .bind(new.to_address)
    .bind(new.subject)
    .bind(new.text)
    .bind(new.body)
    .bind(&placeholder)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query("UPDATE emails SET message_id = ? WHERE id = ?")
        .bind(message_id(id))
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(EmailId(id))
}

pub async fn get(conn: &mut SqliteConnection, id: EmailId) -> Result<Option<EmailRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM emails e JOIN agents a ON a.id = e.agent_id WHERE e.id = ?"
    )))
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?)
}

/// Every email still to be tried, oldest first.
pub async fn pending(conn: &mut SqliteConnection) -> Result<Vec<EmailRow>> {
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM emails e JOIN agents a ON a.id = e.agent_id
         WHERE e.state IN ('queued', 'retrying') ORDER BY e.id"
    )))
    .fetch_all(&mut *conn)
    .await?)
}

/// The replies to a missed chat, oldest first.
pub async fn for_missed(
    conn: &mut SqliteConnection,
    missed: MissedChatId,
) -> Result<Vec<EmailReply>> {
    let rows: Vec<EmailRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT {COLUMNS} FROM emails e JOIN agents a ON a.id = e.agent_id
         WHERE e.missed_id = ? ORDER BY e.id"
    )))
    .bind(missed.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows.iter().map(EmailRow::reply).collect())
}

/// What one attempt came to, as the outbox records it.
pub enum Recorded<'a> {
    Sent {
        at: i64,
    },
    Written {
        at: i64,
        path: &'a str,
    },
    Retrying {
        next_attempt_at: i64,
        error: &'a str,
    },
    Failed {
        error: &'a str,
    },
}

/// Record the outcome of attempt number `attempts`.
pub async fn record(
    conn: &mut SqliteConnection,
    id: EmailId,
    attempts: u32,
    outcome: Recorded<'_>,
) -> Result<()> {
    let (state, next, error, done_at, path) = match outcome {
        Recorded::Sent { at } => ("sent", None, None, Some(at), None),
        Recorded::Written { at, path } => ("written", None, None, Some(at), Some(path)),
        Recorded::Retrying {
            next_attempt_at,
            error,
        } => ("retrying", Some(next_attempt_at), Some(error), None, None),
        Recorded::Failed { error } => ("failed", None, Some(error), None, None),
    };
    sqlx::query(
        "UPDATE emails SET state = ?, attempts = ?, next_attempt_at = ?,
         last_error = COALESCE(?, last_error), done_at = ?, path = ? WHERE id = ?",
    )
    .bind(state)
    .bind(i64::from(attempts))
    .bind(next)
    .bind(error)
    .bind(done_at)
    .bind(path)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
