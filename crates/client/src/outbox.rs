//! The durable outbox: commands that change state on the hub (messages, ending a
//! chat, wrap-ups, transfers, email replies) are stored with their client id before
//! anything is sent, shown at once as pending, and sent by one worker, in the order
//! given, one at a time, whenever the connection is online.
//!
//! The hub answers a repeated client id with the first result, so resending after a
//! lost reply, a drop or a crash delivers each command exactly once. Transient
//! failures (no connection, timeouts, `rate_limited`, `internal`) keep the item
//! queued; any other failure marks it failed, visible with its error, and it is never
//! retried unless the agent asks. Items left from an earlier run resume at start-up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_protocol::agent::{
    ChatEnd, ChatTransfer, MessageSend, MessageSent, MissedReply, TransferTo, WrapUpSubmit,
};
use switchboard_protocol::{Call, ChatId, ClientId, MissedChatId, WrapUp, limits};
use tokio::sync::{Notify, oneshot};

use crate::cache::{self, Cache};
use crate::clock::{Backoff, Clock};
use crate::connection::{ConnectionHandle, ConnectionState};
use crate::console::{ConsoleCell, ConsoleChange};
use crate::error::{Error, ErrorInfo, Result};

/// A command waiting for the hub.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OutboxCommand {
    Message {
        chat_id: ChatId,
        text: String,
    },
    ChatEnd {
        chat_id: ChatId,
    },
    WrapUp {
        chat_id: ChatId,
        wrap_up: WrapUp,
    },
    Transfer {
        chat_id: ChatId,
        to: TransferTo,
        #[serde(default)]
        note: String,
    },
    MissedReply {
        missed_id: MissedChatId,
        text: String,
    },
}

impl OutboxCommand {
    /// The chat this command belongs to, if any.
    pub fn chat_id(&self) -> Option<ChatId> {
        match self {
            OutboxCommand::Message { chat_id, .. }
            | OutboxCommand::ChatEnd { chat_id }
            | OutboxCommand::WrapUp { chat_id, .. }
            | OutboxCommand::Transfer { chat_id, .. } => Some(*chat_id),
            OutboxCommand::MissedReply { .. } => None,
        }
    }

    fn action(&self) -> &'static str {
        match self {
            OutboxCommand::Message { .. } => MessageSend::ACTION,
            OutboxCommand::ChatEnd { .. } => ChatEnd::ACTION,
            OutboxCommand::WrapUp { .. } => WrapUpSubmit::ACTION,
            OutboxCommand::Transfer { .. } => ChatTransfer::ACTION,
            OutboxCommand::MissedReply { .. } => MissedReply::ACTION,
        }
    }

    fn request(&self, client_id: &ClientId) -> Value {
        let client_id = client_id.clone();
        let v = match self.clone() {
            OutboxCommand::Message { chat_id, text } => serde_json::to_value(MessageSend {
                client_id,
                chat_id,
                text,
            }),
            OutboxCommand::ChatEnd { chat_id } => {
                serde_json::to_value(ChatEnd { client_id, chat_id })
            }
            OutboxCommand::WrapUp { chat_id, wrap_up } => serde_json::to_value(WrapUpSubmit {
                client_id,
                chat_id,
                wrap_up,
            }),
            OutboxCommand::Transfer { chat_id, to, note } => serde_json::to_value(ChatTransfer {
                client_id,
                chat_id,
                to,
                note,
            }),
            OutboxCommand::MissedReply { missed_id, text } => serde_json::to_value(MissedReply {
                client_id,
                missed_id,
                text,
            }),
        };
        v.unwrap_or(Value::Null)
    }

    /// Refuse at once what the hub would refuse after the round trip.
    pub(crate) fn validate(&self) -> Result<()> {
        fn text(what: &str, s: &str, max: usize) -> Result<()> {
            if s.trim().is_empty() {
                return Err(Error::Invalid(format!("{what} is empty")));
            }
            if limits::char_len(s) > max {
                return Err(Error::Invalid(format!(
                    "{what} is longer than {max} characters"
                )));
            }
            Ok(())
        }
        match self {
            OutboxCommand::Message { text: t, .. } => {
                text("the message", t, limits::MAX_MESSAGE_CHARS)
            }
            OutboxCommand::MissedReply { text: t, .. } => {
                text("the reply", t, limits::MAX_NOTE_CHARS)
            }
            OutboxCommand::Transfer { note, .. }
                if limits::char_len(note) > limits::MAX_NOTE_CHARS =>
            {
                Err(Error::Invalid("the transfer note is too long".into()))
            }
            // An empty outcome skips a wrap-up the department does not require; the
            // hub knows which are required and refuses the rest.
            OutboxCommand::WrapUp { wrap_up, .. } => {
                if limits::char_len(&wrap_up.notes) > limits::MAX_NOTE_CHARS {
                    return Err(Error::Invalid("the wrap-up notes are too long".into()));
                }
                if wrap_up.tags.len() > limits::MAX_TAGS
                    || wrap_up
                        .tags
                        .iter()
                        .any(|t| limits::char_len(t) > limits::MAX_TAG_CHARS)
                {
                    return Err(Error::Invalid(format!(
                        "at most {} tags of at most {} characters",
                        limits::MAX_TAGS,
                        limits::MAX_TAG_CHARS
                    )));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

/// Where an outbox item stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum OutboxState {
    /// Waiting for its turn or for the connection.
    Pending,
    /// On the wire now.
    Sending,
    /// Refused by the hub; kept until the agent retries or discards it.
    Failed { error: ErrorInfo },
}

/// A command in the outbox, as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OutboxItem {
    pub client_id: ClientId,
    /// Order of entry; items are sent in this order.
    #[ts(type = "number")]
    pub position: i64,
    pub command: OutboxCommand,
    pub state: OutboxState,
    /// Sends tried so far.
    pub attempts: u32,
    /// When the agent gave the command (this machine's clock).
    pub created_at: DateTime<Utc>,
}

type Row = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
);

const SELECT: &str = "SELECT position, client_id, command, state, error_code, error_message, attempts, created_at FROM outbox";

fn item(
    (position, client_id, command, state, code, message, attempts, created_at): Row,
) -> Option<OutboxItem> {
    let command = serde_json::from_str(&command).ok()?;
    let state = match state.as_str() {
        "failed" => OutboxState::Failed {
            error: ErrorInfo {
                code: code.unwrap_or_default(),
                message: message.unwrap_or_default(),
            },
        },
        _ => OutboxState::Pending,
    };
    Some(OutboxItem {
        client_id: ClientId::parse(client_id).ok()?,
        position,
        command,
        state,
        attempts: attempts.max(0) as u32,
        created_at: DateTime::parse_from_rfc3339(&created_at)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default(),
    })
}

/// Every item, in order.
pub(crate) async fn load_all(cache: &Cache) -> Result<Vec<OutboxItem>> {
    let rows: Vec<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY position")))
        .fetch_all(cache.reader())
        .await?;
    Ok(rows.into_iter().filter_map(item).collect())
}

async fn load(cache: &Cache, client_id: &ClientId) -> Result<Option<OutboxItem>> {
    let row: Option<Row> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE client_id = ?")))
            .bind(client_id.as_str())
            .fetch_optional(cache.reader())
            .await?;
    Ok(row.and_then(item))
}

async fn next_pending(cache: &Cache) -> Result<Option<OutboxItem>> {
    let row: Option<Row> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE state = 'pending' ORDER BY position LIMIT 1"
    )))
    .fetch_optional(cache.reader())
    .await?;
    Ok(row.and_then(item))
}

const DISCARDED: &str = "discarded";

type Waiters = HashMap<ClientId, Vec<oneshot::Sender<Result<(), ErrorInfo>>>>;

/// The outbox of one account, and its send worker.
pub struct Outbox {
    cache: Cache,
    console: Arc<ConsoleCell>,
    clock: Arc<dyn Clock>,
    wake: Notify,
    waiters: Mutex<Waiters>,
    sending: Mutex<Option<ClientId>>,
}

impl std::fmt::Debug for Outbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Outbox").finish_non_exhaustive()
    }
}

impl Outbox {
    pub(crate) fn new(cache: Cache, console: Arc<ConsoleCell>, clock: Arc<dyn Clock>) -> Arc<Self> {
        Arc::new(Self {
            cache,
            console,
            clock,
            wake: Notify::new(),
            waiters: Mutex::new(HashMap::new()),
            sending: Mutex::new(None),
        })
    }

    /// Store a command and queue it for sending. Returns once it is durable; the
    /// console shows it as pending from then on.
    pub async fn push(&self, command: OutboxCommand) -> Result<ClientId> {
        command.validate()?;
        let client_id =
            ClientId::parse(uuid::Uuid::new_v4().to_string()).map_err(Error::Invalid)?;
        let now = self.clock.now();
        let mut tx = self.cache.begin().await?;
        let (position,): (i64,) = sqlx::query_as(
            "INSERT INTO outbox (client_id, command, chat_id, created_at) VALUES (?, ?, ?, ?)
             RETURNING position",
        )
        .bind(client_id.as_str())
        .bind(serde_json::to_string(&command).map_err(|e| Error::Invalid(e.to_string()))?)
        .bind(command.chat_id().map(|c| c.0))
        .bind(now.to_rfc3339())
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        self.console.publish([ConsoleChange::OutboxUpdated {
            item: OutboxItem {
                client_id: client_id.clone(),
                position,
                command,
                state: OutboxState::Pending,
                attempts: 0,
                created_at: now,
            },
        }]);
        self.wake.notify_one();
        Ok(client_id)
    }

    /// Wait until the hub has acknowledged an item (`Ok`) or refused it (`Err` with
    /// the hub's error). An item no longer in the outbox counts as delivered.
    pub async fn wait(&self, client_id: &ClientId) -> Result<()> {
        let (tx, rx) = oneshot::channel();
        self.lock_waiters()
            .entry(client_id.clone())
            .or_default()
            .push(tx);
        // Registered first, checked second: an item finished in between is either
        // absent now or has already answered the waiter.
        match load(&self.cache, client_id).await? {
            None => return Ok(()),
            Some(OutboxItem {
                state: OutboxState::Failed { error },
                ..
            }) => return Err(failed(&error)),
            Some(_) => {}
        }
        match rx.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(error)) => Err(failed(&error)),
            Err(_) => Err(Error::Stopped),
        }
    }

    /// Put a failed item back in the queue, keeping its place and client id.
    pub async fn retry(&self, client_id: &ClientId) -> Result<()> {
        let mut tx = self.cache.begin().await?;
        let done = sqlx::query(
            "UPDATE outbox SET state = 'pending', error_code = NULL, error_message = NULL
              WHERE client_id = ? AND state = 'failed'",
        )
        .bind(client_id.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!(
                "no failed outbox item {client_id}"
            )));
        }
        if let Some(item) = load(&self.cache, client_id).await? {
            self.console
                .publish([ConsoleChange::OutboxUpdated { item }]);
        }
        self.wake.notify_one();
        Ok(())
    }

    /// Drop an item that is not on the wire right now (failed, or still waiting).
    pub async fn discard(&self, client_id: &ClientId) -> Result<()> {
        if self.lock_sending().as_ref() == Some(client_id) {
            return Err(Error::Invalid(
                "the command is being sent; it can be discarded only if it fails".into(),
            ));
        }
        let mut tx = self.cache.begin().await?;
        let done = sqlx::query("DELETE FROM outbox WHERE client_id = ?")
            .bind(client_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        if done.rows_affected() == 0 {
            return Err(Error::NotFound(format!("no outbox item {client_id}")));
        }
        self.console.publish([ConsoleChange::OutboxRemoved {
            client_id: client_id.clone(),
        }]);
        self.resolve(
            client_id,
            Err(ErrorInfo {
                code: DISCARDED.into(),
                message: Error::Discarded.to_string(),
            }),
        );
        Ok(())
    }

    fn lock_waiters(&self) -> std::sync::MutexGuard<'_, Waiters> {
        self.waiters.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn lock_sending(&self) -> std::sync::MutexGuard<'_, Option<ClientId>> {
        self.sending.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn resolve(&self, client_id: &ClientId, outcome: Result<(), ErrorInfo>) {
        if let Some(waiters) = self.lock_waiters().remove(client_id) {
            for w in waiters {
                let _ = w.send(outcome.clone());
            }
        }
    }

    /// The send worker: runs until the connection actor is gone.
    pub(crate) async fn run(self: Arc<Self>, conn: ConnectionHandle) {
        let mut state = conn.watch();
        let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(30));
        let mut hub_failures = 0u32;
        loop {
            if !matches!(*state.borrow_and_update(), ConnectionState::Online) {
                if state.changed().await.is_err() {
                    return;
                }
                continue;
            }
            let next = match next_pending(&self.cache).await {
                Ok(next) => next,
                Err(e) => {
                    tracing::warn!("outbox: cannot read the queue: {e}");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            };
            let Some(mut item) = next else {
                tokio::select! {
                    _ = self.wake.notified() => {}
                    changed = state.changed() => if changed.is_err() { return },
                }
                continue;
            };
            *self.lock_sending() = Some(item.client_id.clone());
            item.attempts += 1;
            item.state = OutboxState::Sending;
            self.console
                .publish([ConsoleChange::OutboxUpdated { item: item.clone() }]);
            let _ = self.count_attempt(&item.client_id).await;
            let result = conn
                .call_value(item.command.action(), item.command.request(&item.client_id))
                .await;
            *self.lock_sending() = None;
            match result {
                Ok(reply) => {
                    hub_failures = 0;
                    match self.complete(&item, reply).await {
                        Ok(changes) => {
                            self.console.publish(changes);
                            self.resolve(&item.client_id, Ok(()));
                        }
                        Err(e) => {
                            // The hub has the command; only our copy failed to update.
                            // Leaving the row makes the next try fetch the same reply.
                            tracing::warn!("outbox: storing the acknowledgement failed: {e}");
                            tokio::time::sleep(Duration::from_secs(1)).await;
                        }
                    }
                }
                Err(e) if e.is_transient() => {
                    item.state = OutboxState::Pending;
                    self.console
                        .publish([ConsoleChange::OutboxUpdated { item }]);
                    if matches!(e, Error::Hub(_)) {
                        hub_failures += 1;
                        tokio::time::sleep(backoff.delay(hub_failures)).await;
                    } else if matches!(e, Error::Timeout(_)) {
                        tokio::time::sleep(Duration::from_millis(500)).await;
                    }
                    // Offline or dropped: the loop waits for the next online state.
                }
                Err(e) => {
                    hub_failures = 0;
                    let error = e.info();
                    if let Err(store) = self.fail(&item.client_id, &error).await {
                        tracing::warn!("outbox: cannot mark an item failed: {store}");
                    }
                    item.state = OutboxState::Failed {
                        error: error.clone(),
                    };
                    self.console
                        .publish([ConsoleChange::OutboxUpdated { item: item.clone() }]);
                    self.resolve(&item.client_id, Err(error));
                }
            }
        }
    }

    async fn count_attempt(&self, client_id: &ClientId) -> Result<()> {
        let mut tx = self.cache.begin().await?;
        sqlx::query("UPDATE outbox SET attempts = attempts + 1 WHERE client_id = ?")
            .bind(client_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn fail(&self, client_id: &ClientId, error: &ErrorInfo) -> Result<()> {
        let mut tx = self.cache.begin().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'failed', error_code = ?, error_message = ?
              WHERE client_id = ?",
        )
        .bind(&error.code)
        .bind(&error.message)
        .bind(client_id.as_str())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drop an acknowledged item, storing what its reply adds, in one transaction.
    ///
    /// Only a sent message's event is taken from the reply (events never change, so
    /// storing one twice is harmless). Chats and missed chats change over time: the
    /// hub pushes this agent its own changes too, and the push stream alone writes
    /// them, so a late reply can never overwrite a newer state.
    async fn complete(&self, item: &OutboxItem, reply: Value) -> Result<Vec<ConsoleChange>> {
        let mut tx = self.cache.begin().await?;
        let mut changes = Vec::new();
        if let OutboxCommand::Message { chat_id, .. } = &item.command
            && let Some(sent) = decode::<MessageSent>(reply)
        {
            let fresh = cache::insert_events(&mut tx, &[sent.event]).await?;
            if !fresh.is_empty() {
                changes.push(ConsoleChange::ChatEvents {
                    chat_id: *chat_id,
                    events: fresh,
                });
            }
        }
        sqlx::query("DELETE FROM outbox WHERE client_id = ?")
            .bind(item.client_id.as_str())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        changes.push(ConsoleChange::OutboxRemoved {
            client_id: item.client_id.clone(),
        });
        Ok(changes)
    }
}

fn decode<T: serde::de::DeserializeOwned>(reply: Value) -> Option<T> {
    match serde_json::from_value(reply) {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!("outbox: the hub's acknowledgement has an unexpected shape: {e}");
            None
        }
    }
}

fn failed(error: &ErrorInfo) -> Error {
    if error.code == DISCARDED {
        return Error::Discarded;
    }
    Error::Hub(to_wire(error))
}

fn to_wire(error: &ErrorInfo) -> switchboard_protocol::WireError {
    let code = serde_json::from_value(Value::String(error.code.clone()))
        .unwrap_or(switchboard_protocol::ErrorCode::Unknown);
    switchboard_protocol::WireError::new(code, error.message.clone())
}
