//! One change of hub state: a store transaction plus the pushes it causes. Durable
//! agent pushes are numbered and written in the same transaction; nothing is
//! delivered until the transaction has committed.
//!
//! Changes run on the core's own connection, the [`Writer`], which waits between
//! changes inside an opened (deferred, so lock-free) transaction: a change's writes go
//! straight into it, and its commit is one round trip to SQLite holding the writes
//! nothing reads back before the commit (the push log, stored replies, a message's
//! chat row), then `COMMIT`, then the `BEGIN` of the next change. Every round trip
//! to SQLite hands work to sqlx's connection thread and back, which under load costs
//! more than the SQL itself; this way a message takes three instead of ten. The
//! newest seq of each agent's stream is kept here too, so numbering a push needs no
//! read. A change that is dropped without committing leaves its writes to be rolled
//! back before the next change begins.
//!
//! Messages are committed in batches: while the core works through a run of queued
//! messages (`Hub::batching`), each one's change stays in the open transaction and
//! its deliveries and its sender's reply wait in the [`Batch`]; one commit then
//! stores them all, and only after it are the pushes delivered and the messages
//! acknowledged. A message still counts as sent only once stored. Each commit
//! appends every page it touched to the WAL, so one commit for many messages saves
//! most of that writing, and a round trip each.

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde_json::Value;
use switchboard_protocol::agent::AgentPush;
use switchboard_protocol::visitor::VisitorPush;
use switchboard_protocol::{AgentId, ErrorCode, Seq, encode_push};

use super::Reply;
use super::state::{Hub, Link};
use crate::clock::to_millis;
use crate::error::{Error, Result};
use crate::store::replies::{self, Scope};
use crate::store::{Deferred, SqliteConnection, Store, pushes};

/// A commit followed, in the same round trip, by the rest of a checkpoint that ran
/// beside the core and copied most of the WAL (only what was committed during it is
/// left), then the next `BEGIN`: the next write transaction then finds the log fully
/// copied and starts it over from its beginning. Without it, under a steady stream
/// of commits the log is never fully copied at the moment a write begins, so it
/// never restarts: it grew by 90 MB a second under load, and every frame appended
/// landed on a newly allocated block of the file, which the filesystem zeroes first.
const COMMIT_CHECKPOINT_BEGIN: &str = "COMMIT;\nPRAGMA wal_checkpoint(PASSIVE);\nBEGIN";

/// After storing push `seq` of a log that keeps `keep`: the seq at and below which
/// pushes leave it now, if any. They leave in steps of an eighth of what the log
/// keeps, at most 64 (one at a time for a log of under 16), and ahead of need, so the
/// log never holds more than `keep` and always at least `keep - step + 1` once it has
/// had that many.
fn prune_bound(seq: u64, keep: u64) -> Option<Seq> {
    let step = prune_step(keep);
    let below = (seq + step - 1).saturating_sub(keep);
    (seq.is_multiple_of(step) && below > 0).then_some(Seq(below))
}

fn prune_step(keep: u64) -> u64 {
    (keep / 8).clamp(1, 64)
}

/// Most messages committed together; bounds how long the first one waits for its ack.
pub(super) const MAX_BATCH: usize = 32;

/// Changes stored in the open transaction but not yet committed, with what waits for
/// their commit.
#[derive(Default)]
pub(super) struct Batch {
    deferred: Deferred,
    seqs: HashMap<AgentId, Seq>,
    agent_frames: Vec<(AgentId, String)>,
    visitor_frames: Vec<(Link, String)>,
    replies: Vec<(Reply<Value>, Result<Value>)>,
    /// The acknowledgements stored in this batch, by sender and client id, so that a
    /// retry arriving before the commit gets the same answer and is not stored twice.
    acks: HashMap<(Scope, String), String>,
    /// Client ids of messages about to be handled whose retry check is done: with the
    /// stored reply when the message is a retry (see [`Hub::look_ahead`]).
    looked_up: HashMap<(Scope, String), Option<String>>,
    /// The id the next message's event gets, once known: events of the batch are
    /// numbered here and stored with the commit, not in a round trip each.
    next_event: Option<i64>,
    changes: usize,
}

impl Batch {
    pub fn len(&self) -> usize {
        self.changes
    }

    pub fn ack(&self, scope: Scope, client_id: &str) -> Option<&String> {
        self.acks.get(&(scope, client_id.to_owned()))
    }

    pub fn remember_ack(&mut self, scope: Scope, client_id: &str, json: String) {
        self.acks.insert((scope, client_id.to_owned()), json);
    }

    /// What the look-ahead found for this client id: `Some(Some(reply))` for a
    /// retry, `Some(None)` for a new message, `None` when it was not looked up.
    pub fn looked_up(&self, scope: Scope, client_id: &str) -> Option<Option<&String>> {
        self.looked_up
            .get(&(scope, client_id.to_owned()))
            .map(Option::as_ref)
    }

    /// An id for the next event, when the batch numbers its events.
    pub fn number_event(&mut self) -> Option<i64> {
        let id = self.next_event?;
        self.next_event = Some(id + 1);
        Some(id)
    }

    /// Hold a reply until the batch is stored.
    pub fn hold_reply(&mut self, reply: Reply<Value>, result: Result<Value>) {
        self.replies.push((reply, result));
    }

    /// The batch's writes are gone: every sender whose request had succeeded is told
    /// it failed (it retries under the same client id), nothing is delivered.
    fn fail(self) {
        for (reply, result) in self.replies {
            let result = match result {
                Ok(_) => Err(Error::wire(
                    ErrorCode::Internal,
                    "the message could not be stored; send it again",
                )),
                failed => failed,
            };
            let _ = reply.send(result);
        }
    }
}

/// The core's connection for changes, with what it knows of the agents' streams.
pub(super) struct Writer {
    conn: SqliteConnection,
    /// A `BEGIN` has been issued and not yet ended.
    in_transaction: bool,
    /// A change was dropped halfway: its writes must be rolled back first.
    rollback: bool,
    /// The newest committed seq of each agent's stream seen so far.
    heads: HashMap<AgentId, Seq>,
}

/// Where the writer waits between changes. A change takes it and gives it back when
/// it commits or is dropped.
#[derive(Clone, Default)]
pub(super) struct WriterSlot(Arc<Mutex<Option<Writer>>>);

impl WriterSlot {
    fn take(&self) -> Option<Writer> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    /// Whether a dropped change left the writer's transaction to be rolled back.
    fn needs_rollback(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .is_some_and(|w| w.rollback)
    }

    fn is_occupied(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).is_some()
    }

    fn put(&self, writer: Writer) {
        let mut slot = self.0.lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_mut() {
            None => *slot = Some(writer),
            // A change that ran beside another one (on a connection of its own) gives
            // back a second writer; one is enough, knowing the newest of both.
            Some(kept) => {
                for (agent, seq) in writer.heads {
                    let head = kept.heads.entry(agent).or_insert(seq);
                    *head = (*head).max(seq);
                }
            }
        }
    }

    /// Take a writer ready for a change: rolled back if a change left it dirty, inside
    /// an opened transaction.
    async fn ready(&self, store: &Store) -> Result<Writer> {
        let mut writer = match self.take() {
            Some(w) => w,
            None => Writer {
                conn: store.connect_writer().await?,
                in_transaction: false,
                rollback: false,
                heads: HashMap::new(),
            },
        };
        if writer.rollback {
            // The failed statement may have ended the transaction already; either way
            // none of the dropped change's writes survive.
            let _ = sqlx::query("ROLLBACK").execute(&mut writer.conn).await;
            writer.rollback = false;
            writer.in_transaction = false;
        }
        if !writer.in_transaction {
            sqlx::query("BEGIN").execute(&mut writer.conn).await?;
            writer.in_transaction = true;
        }
        Ok(writer)
    }

    /// End the open transaction (it holds nothing) and close the connection.
    pub(super) async fn close(&self) {
        if let Some(mut writer) = self.take() {
            if writer.in_transaction {
                let _ = sqlx::query("ROLLBACK").execute(&mut writer.conn).await;
            }
            let _ = sqlx::Connection::close(writer.conn).await;
        }
    }
}

pub(super) struct Change {
    writer: Option<Writer>,
    slot: WriterSlot,
    pub now: DateTime<Utc>,
    keep: u64,
    seqs: HashMap<AgentId, Seq>,
    deferred: Deferred,
    agent_frames: Vec<(AgentId, String)>,
    visitor_frames: Vec<(Link, String)>,
}

impl Drop for Change {
    fn drop(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            writer.rollback = true;
            self.slot.put(writer);
        }
    }
}

impl Change {
    fn writer(&mut self) -> &mut Writer {
        self.writer
            .as_mut()
            .expect("a change holds the writer until it commits or is dropped")
    }

    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.writer().conn
    }

    /// Writes that nothing reads before the commit, sent with it.
    pub fn deferred(&mut self) -> &mut Deferred {
        &mut self.deferred
    }

    /// Add a durable push to the agent's stream (next seq, stored with the change).
    pub async fn push(&mut self, agent: AgentId, push: AgentPush) -> Result<Seq> {
        debug_assert!(push.is_durable(), "only durable pushes go through the log");
        let last = match self.seqs.get(&agent) {
            Some(s) => *s,
            None => match self.writer().heads.get(&agent) {
                Some(s) => *s,
                None => pushes::last_seq(self.conn(), agent).await?,
            },
        };
        let seq = Seq(last.0 + 1);
        let frame = encode_push(&push, Some(seq));
        pushes::append_deferred(
            &mut self.deferred,
            agent,
            seq,
            frame.clone(),
            to_millis(self.now),
        )?;
        // Pruned in steps, and ahead of need so the log never holds more than `keep`:
        // deleting the oldest push on every push cost each message a second place in
        // the agent's log, its start besides its end.
        if let Some(below) = prune_bound(seq.0, self.keep) {
            pushes::prune_below_deferred(&mut self.deferred, agent, below)?;
        }
        self.seqs.insert(agent, seq);
        self.agent_frames.push((agent, frame));
        Ok(seq)
    }

    /// Give the writer back after a change that wrote nothing, so the transaction
    /// it waits in (and the batch in it) is kept.
    pub fn unchanged(mut self) {
        if let Some(writer) = self.writer.take() {
            self.slot.put(writer);
        }
    }

    /// Tell the visitor behind `link` (if connected) once the change is stored.
    pub fn tell_visitor(&mut self, link: Option<&Link>, push: &VisitorPush) {
        if let Some(link) = link {
            self.visitor_frames
                .push((link.clone(), encode_push(push, None)));
        }
    }
}

impl Hub {
    /// Before a run of queued messages is handled: find in one round trip which are
    /// retries, and (when the batch starts) the newest event id, so that the batch
    /// numbers its events itself and each message costs no round trip of its own.
    /// Only messages are handled while a batch is open (anything else stores the
    /// batch first), so no other event can take one of these ids before the commit.
    /// On failure nothing is known ahead, and each message checks and inserts alone.
    pub(super) async fn look_ahead(&mut self, keys: Vec<(Scope, String)>) {
        if let Err(e) = self.try_look_ahead(keys).await {
            tracing::warn!(error = %e, "looking ahead at queued messages failed");
        }
    }

    async fn try_look_ahead(&mut self, keys: Vec<(Scope, String)>) -> Result<()> {
        if self.writer.needs_rollback()
            && let Some(batch) = self.batch.take()
        {
            batch.fail();
        }
        let with_head = self.batch.as_ref().is_none_or(|b| b.next_event.is_none());
        let mut writer = self.writer.ready(&self.store).await?;
        let borrowed: Vec<(Scope, &str)> = keys.iter().map(|(s, c)| (*s, c.as_str())).collect();
        let found = replies::look_ahead(&mut writer.conn, &borrowed, with_head).await;
        self.writer.put(writer);
        let (stored, head) = found?;
        let batch = self.batch.get_or_insert_with(Batch::default);
        let mut stored: HashMap<usize, String> = stored.into_iter().collect();
        for (n, key) in keys.into_iter().enumerate() {
            batch.looked_up.insert(key, stored.remove(&n));
        }
        if let Some(head) = head {
            batch.next_event = Some(head + 1);
        }
        Ok(())
    }

    pub(super) async fn begin(&mut self) -> Result<Change> {
        if self.writer.needs_rollback()
            && let Some(batch) = self.batch.take()
        {
            // A change of the batch failed halfway; rolling it back takes the whole
            // open transaction, the batch's stored messages with it.
            batch.fail();
        }
        let writer = self.writer.ready(&self.store).await?;
        let seqs = self
            .batch
            .as_ref()
            .map(|b| b.seqs.clone())
            .unwrap_or_default();
        Ok(Change {
            writer: Some(writer),
            slot: self.writer.clone(),
            now: self.clock.now(),
            keep: self.settings.push_log_keep.max(1),
            seqs,
            deferred: Deferred::default(),
            agent_frames: Vec::new(),
            visitor_frames: Vec::new(),
        })
    }

    /// Commit the change, then deliver its pushes to whoever is connected. While the
    /// core is batching messages, the change joins the batch instead and is stored
    /// with it (see [`Hub::flush`]).
    pub(super) async fn commit(&mut self, mut change: Change) -> Result<()> {
        if self.writer.is_occupied() {
            // This change ran beside another one, on a connection of its own: it
            // commits there, alone.
            return self.commit_alone(change).await;
        }
        let batch = self.batch.get_or_insert_with(Batch::default);
        batch.deferred.append(std::mem::take(&mut change.deferred));
        batch.seqs.extend(std::mem::take(&mut change.seqs));
        batch.agent_frames.append(&mut change.agent_frames);
        batch.visitor_frames.append(&mut change.visitor_frames);
        batch.changes += 1;
        if let Some(writer) = change.writer.take() {
            self.writer.put(writer);
        }
        if self.batching {
            return Ok(());
        }
        self.flush().await
    }

    /// Store the batch in one commit, then deliver its pushes and send the replies
    /// it held. On failure the batch's senders are told so, and nothing is delivered.
    pub(super) async fn flush(&mut self) -> Result<()> {
        let Some(mut batch) = self.batch.take() else {
            return Ok(());
        };
        let Some(mut writer) = self.writer.take() else {
            batch.fail();
            return Err(Error::wire(
                ErrorCode::Internal,
                "no connection to store on",
            ));
        };
        if writer.rollback {
            self.writer.put(writer);
            batch.fail();
            return Err(Error::wire(
                ErrorCode::Internal,
                "a change failed; its batch was rolled back",
            ));
        }
        let deferred = std::mem::take(&mut batch.deferred);
        // Commit, and open the next change's transaction in the same round trip;
        // finish the checkpoint run beside the core, if one has run since the last.
        let tail = if self.wal_copied.swap(false, Ordering::Relaxed) {
            COMMIT_CHECKPOINT_BEGIN
        } else {
            "COMMIT;\nBEGIN"
        };
        let stored = deferred.run(&mut writer.conn, tail).await;
        match &stored {
            Ok(()) => writer.heads.extend(batch.seqs.drain()),
            Err(_) => writer.rollback = true,
        }
        self.writer.put(writer);
        if let Err(e) = stored {
            batch.fail();
            return Err(e);
        }
        self.deliver(
            std::mem::take(&mut batch.agent_frames),
            std::mem::take(&mut batch.visitor_frames),
        );
        for (reply, result) in batch.replies {
            let _ = reply.send(result);
        }
        Ok(())
    }

    /// Commit a change on its own connection, outside any batch.
    async fn commit_alone(&mut self, mut change: Change) -> Result<()> {
        let deferred = std::mem::take(&mut change.deferred);
        deferred.run(change.conn(), "COMMIT;\nBEGIN").await?;
        let seqs = std::mem::take(&mut change.seqs);
        let agent_frames = std::mem::take(&mut change.agent_frames);
        let visitor_frames = std::mem::take(&mut change.visitor_frames);
        if let Some(mut writer) = change.writer.take() {
            writer.heads.extend(seqs);
            self.writer.put(writer);
        }
        self.deliver(agent_frames, visitor_frames);
        Ok(())
    }

    fn deliver(&self, agent_frames: Vec<(AgentId, String)>, visitor_frames: Vec<(Link, String)>) {
        for (agent, frame) in agent_frames {
            let Some(link) = self.agents.get(&agent).and_then(|a| a.link.as_ref()) else {
                continue;
            };
            if !link.send(frame) {
                self.close_slow_agent(agent);
            }
        }
        for (link, frame) in visitor_frames {
            if !link.send(frame) {
                link.close(super::slow_consumer());
            }
        }
    }

    /// Send an ephemeral push (typing, alerts, queue, presence) if the agent is
    /// connected; dropped when its buffer is full.
    pub(super) fn tell_agent(&self, agent: AgentId, push: &AgentPush) {
        if let Some(link) = self.agents.get(&agent).and_then(|a| a.link.as_ref()) {
            let _ = link.send(encode_push(push, None));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{prune_bound, prune_step};

    /// The log as the pushes and prunes leave it, checked after every push.
    fn check(keep: u64) {
        let step = prune_step(keep);
        let mut oldest = 1;
        for seq in 1..=keep * 4 {
            if let Some(below) = prune_bound(seq, keep) {
                assert!(below.0 >= oldest - 1, "a prune never goes backwards");
                oldest = below.0 + 1;
            }
            let held = seq - oldest + 1;
            assert!(
                held <= keep,
                "keep {keep}: {held} pushes held after push {seq}"
            );
            if seq >= keep {
                assert!(
                    held > keep - step,
                    "keep {keep}: only {held} pushes held after push {seq}"
                );
            }
        }
    }

    #[test]
    fn the_log_holds_at_most_keep_and_prunes_in_steps() {
        for keep in [1, 2, 4, 15, 16, 100, 511, 512, 5000] {
            check(keep);
        }
        assert_eq!(
            prune_bound(5055, 5000),
            None,
            "between steps nothing leaves"
        );
        assert_eq!(
            prune_bound(5056, 5000).map(|s| s.0),
            Some(119),
            "a step leaves 64 at once, ahead of need"
        );
        assert_eq!(
            prune_bound(7, 4).map(|s| s.0),
            Some(3),
            "a small log prunes one at a time"
        );
    }
}
