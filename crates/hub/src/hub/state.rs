//! The live state the hub core owns, and its command loop.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::Value;
use switchboard_protocol::visitor::VisitorChatState;
use switchboard_protocol::{
    AgentId, AgentRef, AgentStatus, ChatId, ChatState, CloseReason, DepartmentId, OfferId,
    OfferKind, QueueEntry,
};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;
use tokio_util::sync::CancellationToken;

use super::presence::Presence;
use super::timers::Timers;
use super::transfer::Transfer;
use super::{Command, ConnId};
use crate::clock::Clock;
use crate::config::Settings;
use crate::error::Result;
use crate::store::Store;
use crate::store::agents::Agent;
use crate::store::departments::Department;

/// The hub core's way to write to one connection: frames (bounded, never awaited, so
/// a slow client cannot stall the core) and a close request.
#[derive(Clone, Debug)]
pub struct Link {
    pub conn: ConnId,
    pub frames: mpsc::Sender<String>,
    pub close: mpsc::Sender<CloseReason>,
}

impl Link {
    /// Queue a frame. False when the connection is too slow (its buffer is full) or
    /// gone.
    pub fn send(&self, frame: String) -> bool {
        match self.frames.try_send(frame) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) | Err(TrySendError::Closed(_)) => false,
        }
    }

    pub fn close(&self, reason: CloseReason) {
        let _ = self.close.try_send(reason);
    }
}

/// An agent the core knows about: connected now, or holding open chats.
pub(super) struct LiveAgent {
    pub agent: Agent,
    pub department_ids: Vec<DepartmentId>,
    pub status: AgentStatus,
    pub link: Option<Link>,
    /// Bumped whenever the agent connects or drops, so a stale grace-period timer can
    /// tell it no longer applies.
    pub link_generation: u64,
    pub chats: BTreeSet<ChatId>,
    /// Ended chats whose wrap-up this agent still owes; they take a slot until done.
    pub wrapping: BTreeSet<ChatId>,
    pub offers: BTreeSet<OfferId>,
    pub last_offer_at: Option<DateTime<Utc>>,
}

impl LiveAgent {
    pub fn new(agent: Agent) -> Self {
        let department_ids = agent.departments.iter().map(|d| d.id).collect();
        LiveAgent {
            status: agent.status,
            agent,
            department_ids,
            link: None,
            link_generation: 0,
            chats: BTreeSet::new(),
            wrapping: BTreeSet::new(),
            offers: BTreeSet::new(),
            last_offer_at: None,
        }
    }

    pub fn routable(&self) -> bool {
        self.status == AgentStatus::Online && self.link.is_some()
    }

    /// The slots taken: held chats, chats in wrap-up and open offers.
    pub fn load(&self) -> u32 {
        u32::try_from(self.chats.len() + self.wrapping.len() + self.offers.len())
            .unwrap_or(u32::MAX)
    }
}

/// A chat that is not over yet.
pub(super) struct LiveChat {
    pub id: ChatId,
    pub department: DepartmentId,
    pub required_skill: Option<String>,
    pub visitor_name: String,
    pub question: String,
    pub state: ChatState,
    pub agent: Option<AgentId>,
    pub created_at: DateTime<Utc>,
    pub queued_at: DateTime<Utc>,
    pub offer: Option<OfferId>,
    /// Agents who declined or let an offer of this chat time out.
    pub refused: HashSet<AgentId>,
    pub visitor: Option<Link>,
    /// Bumped whenever the visitor leaves or comes back, so a stale "visitor gone"
    /// timer can tell it no longer applies.
    pub visitor_generation: u64,
    /// The visitor's oldest message no agent has answered yet.
    pub waiting_since: Option<DateTime<Utc>>,
    /// The agent's oldest message the visitor has not answered yet.
    pub silent_since: Option<DateTime<Utc>>,
    pub prompted: bool,
    /// What the visitor was last told about the chat's state.
    pub told_visitor: Option<VisitorChatState>,
}

pub(super) struct LiveOffer {
    pub id: OfferId,
    pub chat: ChatId,
    pub agent: AgentId,
    pub offered_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub kind: OfferKind,
    /// For transfers: the sender and their note.
    pub from: Option<AgentRef>,
    pub note: String,
}

pub(crate) struct Hub {
    pub store: Store,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub agents: HashMap<AgentId, LiveAgent>,
    pub departments: HashMap<DepartmentId, Department>,
    pub chats: HashMap<ChatId, LiveChat>,
    pub offers: HashMap<OfferId, LiveOffer>,
    pub timers: Timers,
    /// What each department's agents were last told about its queue.
    pub told_queues: HashMap<DepartmentId, Vec<QueueEntry>>,
    /// The email outbox's worker and the emails it is trying.
    pub outbox: super::outbox::Outbox,
    /// Transfers under way, by chat.
    pub transfers: HashMap<ChatId, Transfer>,
    /// What other agents were last told about each agent's availability.
    pub told_presence: HashMap<AgentId, Presence>,
    /// The connection changes are written on (see `change`).
    pub writer: super::change::WriterSlot,
    /// Messages stored in the open transaction, waiting for their commit.
    pub batch: Option<super::change::Batch>,
    /// The command being handled is a message that may join the batch.
    pub batching: bool,
    /// Set when a checkpoint beside the core has copied most of the WAL: the next
    /// commit finishes the copy so the log can start over (see
    /// `store::CHECKPOINT_AFTER_COMMIT`).
    pub wal_copied: Arc<std::sync::atomic::AtomicBool>,
}

impl Hub {
    pub fn new(store: Store, clock: Clock, settings: Arc<Settings>) -> Self {
        Hub {
            store,
            clock,
            settings,
            agents: HashMap::new(),
            departments: HashMap::new(),
            chats: HashMap::new(),
            offers: HashMap::new(),
            timers: Timers::default(),
            told_queues: HashMap::new(),
            outbox: Default::default(),
            transfers: HashMap::new(),
            told_presence: HashMap::new(),
            writer: Default::default(),
            batch: None,
            batching: false,
            wal_copied: Default::default(),
        }
    }

    pub async fn run(&mut self, mut rx: mpsc::Receiver<Command>, stop: CancellationToken) {
        // A command taken from the queue while gathering messages, handled next.
        let mut taken: Option<Command> = None;
        loop {
            let command = match taken.take() {
                Some(command) => command,
                None => {
                    let next = self.timers.next_deadline();
                    let clock = self.clock.clone();
                    let wake = async move {
                        match next {
                            Some(at) => clock.sleep_until(at).await,
                            None => std::future::pending().await,
                        }
                    };
                    tokio::select! {
                        biased;
                        _ = stop.cancelled() => break,
                        command = rx.recv() => match command {
                            Some(command) => command,
                            None => break,
                        },
                        _ = wake => {
                            self.flush_batch().await;
                            self.fire_due_timers().await;
                            self.tell_views();
                            self.tell_presence();
                            continue;
                        }
                    }
                }
            };
            // Messages queued one after another are committed together; anything else
            // first sees the batch stored and delivered. Timers may write through
            // pooled connections, which would wait for the batch's open transaction:
            // it is stored before they fire.
            let batchable = command.is_batchable();
            let timers_due = self
                .timers
                .next_deadline()
                .is_some_and(|at| at <= self.clock.now());
            if !batchable || timers_due {
                self.flush_batch().await;
            }
            // Timers due by now fire before the command, so a test that moved the
            // clock and then asks something sees their effects.
            let fired = self.fire_due_timers().await;
            // Messages and typing change no chat's state, queue or agent's load;
            // comparing every chat's view after each of them would cost more than
            // relaying it.
            let relay = command.is_relay();
            if batchable {
                // The messages queued right behind this one join it, so that one
                // round trip finds which of them are retries (see `look_ahead`).
                let mut run = vec![command];
                let room = super::change::MAX_BATCH
                    .saturating_sub(self.batch.as_ref().map_or(0, |b| b.len()));
                while run.len() < room.max(1) {
                    match rx.try_recv() {
                        Ok(next) if next.is_batchable() => run.push(next),
                        Ok(next) => {
                            taken = Some(next);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                self.look_ahead(run.iter().filter_map(Command::retry_key).collect())
                    .await;
                self.batching = true;
                for command in run {
                    self.handle(command).await;
                }
                self.batching = false;
                if taken.is_some()
                    || rx.is_empty()
                    || self.batch.as_ref().map_or(0, |b| b.len()) >= super::change::MAX_BATCH
                {
                    self.flush_batch().await;
                }
            } else {
                self.handle(command).await;
            }
            if relay && !fired {
                continue;
            }
            self.tell_views();
            self.tell_presence();
        }
        self.flush_batch().await;
        for agent in self.agents.values() {
            if let Some(link) = &agent.link {
                link.close(CloseReason::Shutdown);
            }
        }
        for chat in self.chats.values() {
            if let Some(link) = &chat.visitor {
                link.close(CloseReason::Shutdown);
            }
        }
        self.writer.close().await;
    }

    async fn handle(&mut self, command: Command) {
        match command {
            Command::AgentHello {
                agent,
                link,
                hello,
                reply,
            } => {
                let result = self.agent_hello(agent, link, hello).await;
                let _ = reply.send(result);
            }
            Command::Agent {
                agent,
                conn,
                request,
                reply,
            } => {
                let result = self.agent_request(agent, conn, request).await;
                log_failure(&result);
                self.answer(reply, result);
            }
            Command::AgentGone { agent, conn } => {
                let result = self.agent_gone(agent, conn).await;
                log_failure(&result);
            }
            Command::SessionEnded { agent } => {
                let result = self.session_ended(agent).await;
                log_failure(&result);
            }
            Command::VisitorHello {
                link,
                origin,
                token,
                reply,
            } => {
                let result = self.visitor_hello(link, origin, token).await;
                log_failure(&result);
                let _ = reply.send(result);
            }
            Command::VisitorStart {
                link,
                origin,
                start,
                reply,
            } => {
                let result = self.visitor_start(link, origin, start).await;
                log_failure(&result);
                let _ = reply.send(result);
            }
            Command::Visitor {
                chat,
                conn,
                call,
                reply,
            } => {
                let result = self.visitor_call(chat, conn, call).await;
                log_failure(&result);
                self.answer(reply, result);
            }
            Command::VisitorGone { chat, conn } => {
                let result = self.visitor_gone(chat, conn).await;
                log_failure(&result);
            }
            Command::Settle { reply } => {
                let _ = reply.send(());
            }
            Command::Missed(command) => self.missed_command(command).await,
        }
    }

    /// Answer a request; while a batch waits for its commit, the answer waits with
    /// it, so replies keep the order of the requests.
    fn answer(&mut self, reply: super::Reply<Value>, result: Result<Value>) {
        match (&mut self.batch, self.batching) {
            (Some(batch), true) => batch.hold_reply(reply, result),
            _ => {
                let _ = reply.send(result);
            }
        }
    }

    /// Store and deliver the batch of messages, if one is waiting.
    async fn flush_batch(&mut self) {
        if let Err(e) = self.flush().await {
            tracing::error!(error = %e, "storing a batch of messages failed");
        }
    }

    /// The department, as cached; loaded from the store when first needed.
    pub async fn department(&mut self, id: DepartmentId) -> Result<&Department> {
        if !self.departments.contains_key(&id) {
            self.reload_department(id).await?;
        }
        self.departments.get(&id).ok_or_else(|| {
            crate::error::Error::wire(
                switchboard_protocol::ErrorCode::NotFound,
                "no such department",
            )
        })
    }

    /// Re-read a department's settings, so admin changes apply to new chats.
    pub async fn reload_department(&mut self, id: DepartmentId) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        if let Some(d) = crate::store::departments::get(&mut conn, id).await? {
            self.departments.insert(id, d);
        }
        Ok(())
    }

    /// The agent as the core tracks it, loaded from the store when first needed.
    pub async fn live_agent(&mut self, id: AgentId) -> Result<&mut LiveAgent> {
        if !self.agents.contains_key(&id) {
            let mut conn = self.store.acquire().await?;
            let agent = crate::store::agents::get(&mut conn, id)
                .await?
                .ok_or_else(|| {
                    crate::error::Error::wire(
                        switchboard_protocol::ErrorCode::NotFound,
                        "no such agent",
                    )
                })?;
            self.agents.insert(id, LiveAgent::new(agent));
        }
        self.agents.get_mut(&id).ok_or(crate::error::Error::Stopped)
    }

    /// Close an agent connection that cannot keep up. Its durable pushes stay in the
    /// log; the client resumes from its seq when it reconnects. The connection task
    /// reports it gone, which does the rest.
    pub fn close_slow_agent(&self, id: AgentId) {
        if let Some(link) = self.agents.get(&id).and_then(|a| a.link.as_ref()) {
            tracing::warn!(agent = %id, "agent connection too slow; closing it");
            link.close(super::slow_consumer());
        }
    }
}

fn log_failure<T>(result: &Result<T>) {
    if let Err(e) = result
        && !e.is_peer_error()
    {
        tracing::error!(error = %e, "hub core request failed");
    }
}
