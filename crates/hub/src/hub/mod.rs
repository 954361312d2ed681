//! The hub core: one task that owns the live state (who is connected and routable,
//! open chats, offers, queues, timers) and is the only writer of routing decisions,
//! so two agents can never be given the same chat. Connection tasks talk to it
//! through a cloneable [`HubHandle`].
//!
//! Every change is written to the store in one transaction together with the durable
//! pushes it causes, and only then delivered; replies go back after the commit, so an
//! acknowledged message is a stored message.

mod agent;
mod change;
mod dispatch;
mod lifecycle;
mod missed;
mod outbox;
mod presence;
mod recovery;
mod state;
mod timers;
mod transfer;
mod views;
mod visitor;
mod wrapup;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde_json::Value;
use switchboard_protocol::agent::AgentRequest;
use switchboard_protocol::visitor::{ChatStart, ChatStarted, Welcome as VisitorWelcome};
use switchboard_protocol::{AgentId, ChatId, CloseReason};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::Settings;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::sites::SiteId;

pub use state::Link;

/// Identifies one WebSocket connection for the hub's lifetime.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConnId(u64);

impl ConnId {
    pub fn next() -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        ConnId(NEXT.fetch_add(1, Ordering::Relaxed))
    }
}

/// What `hello` gives an agent connection: the reply, then the pushes it missed
/// (already encoded with their seq), to be written before any live push.
pub struct AgentSession {
    pub welcome: switchboard_protocol::agent::Welcome,
    pub replay: Vec<String>,
}

/// What `hello` gives a visitor connection.
pub struct VisitorSession {
    pub welcome: VisitorWelcome,
    /// The chat this connection now speaks for, when its token was valid and the chat
    /// is still open.
    pub chat: Option<ChatId>,
}

/// Where a visitor connection comes from.
#[derive(Debug, Clone)]
pub struct VisitorOrigin {
    pub site: SiteId,
    /// The origin's host (and port), recorded with the chat.
    pub host: String,
    pub remote_addr: String,
}

/// A visitor request, for the chat the connection speaks for.
#[derive(Debug)]
pub enum VisitorCall {
    Message(switchboard_protocol::visitor::MessageSend),
    Typing(switchboard_protocol::visitor::TypingSet),
    End,
}

type Reply<T> = oneshot::Sender<Result<T>>;

pub(crate) enum Command {
    AgentHello {
        agent: AgentId,
        link: Link,
        hello: switchboard_protocol::agent::Hello,
        reply: Reply<AgentSession>,
    },
    Agent {
        agent: AgentId,
        conn: ConnId,
        request: AgentRequest,
        reply: Reply<Value>,
    },
    AgentGone {
        agent: AgentId,
        conn: ConnId,
    },
    SessionEnded {
        agent: AgentId,
    },
    VisitorHello {
        link: Link,
        origin: VisitorOrigin,
        token: Option<String>,
        reply: Reply<VisitorSession>,
    },
    VisitorStart {
        link: Link,
        origin: VisitorOrigin,
        start: ChatStart,
        reply: Reply<ChatStarted>,
    },
    Visitor {
        chat: ChatId,
        conn: ConnId,
        call: VisitorCall,
        reply: Reply<Value>,
    },
    VisitorGone {
        chat: ChatId,
        conn: ConnId,
    },
    Settle {
        reply: oneshot::Sender<()>,
    },
    /// Offline messages and email delivery reports.
    Missed(missed::MissedCommand),
}

impl Command {
    /// Messages: they may be committed together with the messages queued behind them
    /// (see `change`).
    fn is_batchable(&self) -> bool {
        match self {
            Command::Agent { request, .. } => matches!(request, AgentRequest::MessageSend(_)),
            Command::Visitor { call, .. } => matches!(call, VisitorCall::Message(_)),
            _ => false,
        }
    }

    /// A message's sender and client id, under which a retry finds its first reply.
    fn retry_key(&self) -> Option<(crate::store::replies::Scope, String)> {
        use crate::store::replies::Scope;
        match self {
            Command::Agent {
                agent,
                request: AgentRequest::MessageSend(m),
                ..
            } => Some((Scope::Agent(agent.0), m.client_id.as_str().to_owned())),
            Command::Visitor {
                chat,
                call: VisitorCall::Message(m),
                ..
            } => Some((Scope::Visitor(chat.0), m.client_id.as_str().to_owned())),
            _ => None,
        }
    }

    /// Messages and typing: they change no chat's state, no queue and no agent's
    /// load, so what visitors and agents were last shown still holds after them.
    fn is_relay(&self) -> bool {
        match self {
            Command::Agent { request, .. } => matches!(
                request,
                AgentRequest::MessageSend(_) | AgentRequest::TypingSet(_)
            ),
            Command::Visitor { call, .. } => {
                matches!(call, VisitorCall::Message(_) | VisitorCall::Typing(_))
            }
            _ => false,
        }
    }
}

/// A cloneable way to reach the hub core.
#[derive(Clone, Debug)]
pub struct HubHandle {
    tx: mpsc::Sender<Command>,
}

impl HubHandle {
    async fn call<T: Send + 'static>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Result<T> {
        self.queue(make).await.await
    }

    /// Hand a command to the core and return at once with what resolves to its
    /// answer. Commands handed over one after another are handled in that order.
    async fn queue<T>(
        &self,
        make: impl FnOnce(Reply<T>) -> Command,
    ) -> impl std::future::Future<Output = Result<T>> + Send + 'static
    where
        T: Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let queued = self.tx.send(make(reply)).await.is_ok();
        async move {
            if !queued {
                return Err(Error::Stopped);
            }
            answer.await.map_err(|_| Error::Stopped)?
        }
    }

    pub async fn agent_hello(
        &self,
        agent: AgentId,
        link: Link,
        hello: switchboard_protocol::agent::Hello,
    ) -> Result<AgentSession> {
        self.call(|reply| Command::AgentHello {
            agent,
            link,
            hello,
            reply,
        })
        .await
    }

    pub async fn agent_request(
        &self,
        agent: AgentId,
        conn: ConnId,
        request: AgentRequest,
    ) -> Result<Value> {
        self.call(|reply| Command::Agent {
            agent,
            conn,
            request,
            reply,
        })
        .await
    }

    /// [`HubHandle::agent_request`], returning once the core has the request, with
    /// what resolves to its answer.
    pub async fn agent_request_queued(
        &self,
        agent: AgentId,
        conn: ConnId,
        request: AgentRequest,
    ) -> impl std::future::Future<Output = Result<Value>> + Send + 'static {
        self.queue(move |reply| Command::Agent {
            agent,
            conn,
            request,
            reply,
        })
        .await
    }

    pub async fn agent_gone(&self, agent: AgentId, conn: ConnId) {
        let _ = self.tx.send(Command::AgentGone { agent, conn }).await;
    }

    /// The agent signed out: its connection closes and it goes offline.
    pub async fn session_ended(&self, agent: AgentId) {
        let _ = self.tx.send(Command::SessionEnded { agent }).await;
    }

    pub async fn visitor_hello(
        &self,
        link: Link,
        origin: VisitorOrigin,
        token: Option<String>,
    ) -> Result<VisitorSession> {
        self.call(|reply| Command::VisitorHello {
            link,
            origin,
            token,
            reply,
        })
        .await
    }

    pub async fn visitor_start(
        &self,
        link: Link,
        origin: VisitorOrigin,
        start: ChatStart,
    ) -> Result<ChatStarted> {
        self.call(|reply| Command::VisitorStart {
            link,
            origin,
            start,
            reply,
        })
        .await
    }

    pub async fn visitor_call(
        &self,
        chat: ChatId,
        conn: ConnId,
        call: VisitorCall,
    ) -> Result<Value> {
        self.call(|reply| Command::Visitor {
            chat,
            conn,
            call,
            reply,
        })
        .await
    }

    /// [`HubHandle::visitor_call`], returning once the core has the call, with what
    /// resolves to its answer.
    pub async fn visitor_call_queued(
        &self,
        chat: ChatId,
        conn: ConnId,
        call: VisitorCall,
    ) -> impl std::future::Future<Output = Result<Value>> + Send + 'static {
        self.queue(move |reply| Command::Visitor {
            chat,
            conn,
            call,
            reply,
        })
        .await
    }

    pub async fn visitor_gone(&self, chat: ChatId, conn: ConnId) {
        let _ = self.tx.send(Command::VisitorGone { chat, conn }).await;
    }

    /// A visitor leaves a message through the offline form (`offline.send`).
    pub async fn visitor_offline(
        &self,
        origin: VisitorOrigin,
        session_chat: Option<ChatId>,
        user_agent: Option<String>,
        send: switchboard_protocol::visitor::OfflineSend,
    ) -> Result<switchboard_protocol::visitor::OfflineSent> {
        self.call(|reply| {
            Command::Missed(missed::MissedCommand::Offline {
                origin,
                session_chat,
                user_agent,
                send: Box::new(send),
                reply,
            })
        })
        .await
    }

    /// The email worker reports one delivery attempt.
    pub(crate) async fn email_attempted(
        &self,
        email: switchboard_protocol::EmailId,
        attempt: crate::email::delivery::Attempt,
    ) {
        let _ = self
            .tx
            .send(Command::Missed(missed::MissedCommand::Attempted {
                email,
                attempt,
            }))
            .await;
    }

    /// Wait until the core has handled everything sent before, including every timer
    /// due at the clock's current time. Tests use it after advancing a manual clock.
    pub async fn settle(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Command::Settle { reply: tx }).await.is_ok() {
            let _ = rx.await;
        }
    }
}

/// Start the hub core: recover live state from the store, then serve commands until
/// `stop` is cancelled.
pub(crate) async fn start(
    store: Store,
    clock: Clock,
    settings: Arc<Settings>,
    stop: CancellationToken,
) -> Result<(HubHandle, JoinHandle<()>)> {
    let (tx, rx) = mpsc::channel(1024);
    let mut hub = state::Hub::new(store.clone(), clock, settings.clone());
    let worker = outbox::start_worker(settings, HubHandle { tx: tx.clone() }, stop.clone())?;
    hub.outbox.connect(worker);
    hub.recover().await?;
    start_checkpoints(store, hub.wal_copied.clone(), stop.clone());
    let task = tokio::spawn(async move { hub.run(rx, stop).await });
    Ok((HubHandle { tx }, task))
}

/// How often the WAL is checkpointed beside the core, whose own commits never do
/// (see `Store::connect_writer`).
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(500);

/// A checkpoint pass beside the core is repeated while the one before it saw more
/// than this many frames written meanwhile (about 4 ms of writes at 5,000 msg/s).
/// The core's own checkpoint copies what is left, while every message waits: at
/// 5,000 msg/s one pass leaves about 2,000 frames, 15 to 20 ms of copying.
const SMALL_TAIL_FRAMES: i64 = 256;

/// At most this many passes per tick; under a write rate that outruns copying, the
/// core's own checkpoint takes the rest.
const MAX_PASSES: usize = 4;

fn start_checkpoints(store: Store, copied: Arc<AtomicBool>, stop: CancellationToken) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tick.tick() => {}
            }
            match checkpoint_passes(&store).await {
                // The core's next commit copies the rest and lets the log start over.
                Ok(true) => copied.store(true, Ordering::Relaxed),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed"),
            }
        }
    });
}

/// Checkpoint until little was written during the last pass, then sync both files;
/// whether the log held anything.
async fn checkpoint_passes(store: &Store) -> Result<bool> {
    let mut frames = store.checkpoint().await?;
    if frames == 0 {
        return Ok(false);
    }
    for _ in 1..MAX_PASSES {
        let next = store.checkpoint().await?;
        // Fewer frames than before: the log started over meanwhile.
        let written = next - frames;
        frames = next;
        if written < SMALL_TAIL_FRAMES {
            break;
        }
    }
    store.sync().await?;
    Ok(true)
}

/// Closing reasons the hub core itself decides.
pub(crate) fn slow_consumer() -> CloseReason {
    CloseReason::Other
}
