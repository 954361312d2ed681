//! The connection actor: owns the agent WebSocket to the hub, keeps it alive, and
//! brings the cache up to date after every (re)connect. A cloneable
//! [`ConnectionHandle`] sends requests through it; its one [`ConnectionState`] is
//! published on a watch channel.
//!
//! Reconnect policy:
//! - Heartbeat: a `ping` every `heartbeat_secs` of the hub's `welcome`; a link that
//!   brings no frame for `idle_timeout_secs` is dead and is dropped.
//! - Backoff: exponential with equal jitter and a cap (see [`crate::clock::Backoff`]).
//! - A `session.closing` reason decides what follows: `token_expired` refreshes the
//!   token and reconnects at once; `signed_out` and `disabled` end the session;
//!   `replaced` goes offline until asked to reconnect; the rest reconnect with backoff.
//! - Catching up: `hello` carries the last applied seq; the hub replays what follows,
//!   or the client takes a snapshot and then fetches, per held chat, the events after
//!   the newest one it has.
//! - Routability: a reconnect never makes the agent routable by itself. The hub
//!   answers `away` after a drop. If the agent had chosen `online` and the link was
//!   down for no longer than [`Timing::online_grace`] (the hub's grace period for
//!   held chats), the client sets `online` again with an explicit `status.set`;
//!   after a longer outage, or at start-up, the agent decides.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{SinkExt, StreamExt};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_protocol::agent::{
    AgentPush, ChatEvents, EventPage, Hello, Ping, QueueList, ResumeOutcome, Snapshot, StatusSet,
    SyncSnapshot, Welcome,
};
use switchboard_protocol::envelope::decode_reply;
use switchboard_protocol::http::paths;
use switchboard_protocol::{
    AgentStatus, Call, ChatId, CloseReason, DecodeError, ErrorCode, PROTOCOL_VERSION, Seq,
    ServerFrame, WireError, decode_server_frame, encode_request,
};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::cache::{self, Cache, keys};
use crate::clock::{Backoff, Clock};
use crate::console::{ConsoleCell, ConsoleChange};
use crate::error::{Error, Result};
use crate::session::SessionCell;
use crate::sync;

/// Where the link to the hub stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ConnectionState {
    /// Dialling the hub and catching up.
    Connecting,
    /// Connected and caught up; requests and the outbox go through.
    Online,
    /// The link was lost; the next try is at `next_attempt_at` (this machine's clock).
    Reconnecting {
        attempt: u32,
        next_attempt_at: DateTime<Utc>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        last_error: Option<String>,
    },
    /// Not connected and not trying, until asked to reconnect.
    Offline { reason: OfflineReason },
    /// The session is over; sign in again.
    SignedOut { reason: String },
}

/// Why the client stopped trying to connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum OfflineReason {
    /// The client was stopped.
    Stopped,
    /// The same agent connected from somewhere else.
    Replaced,
    /// The hub speaks another protocol version; an update is needed.
    UnsupportedVersion,
}

/// How the last (re)connect caught up with the hub.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CatchUp {
    /// The hub replayed the pushes after `after`.
    Resumed { after: Seq },
    /// A snapshot at `seq`, then per-chat event catch-up.
    Snapshot { seq: Seq },
}

/// Timers and limits of the connection.
#[derive(Debug, Clone)]
pub struct Timing {
    /// How long a request waits for its reply.
    pub request_timeout: Duration,
    /// How long dialling and the WebSocket handshake may take.
    pub connect_timeout: Duration,
    /// The first reconnect delay, doubled per attempt up to `backoff_cap`.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// A fixed jitter seed for tests; `None` draws one.
    pub backoff_seed: Option<u64>,
    /// Restore a chosen `online` status after a drop no longer than this.
    pub online_grace: Duration,
    /// Used until the hub's `welcome` says otherwise.
    pub heartbeat: Duration,
    pub idle_timeout: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            backoff_seed: None,
            online_grace: Duration::from_secs(60),
            heartbeat: Duration::from_secs(switchboard_protocol::limits::HEARTBEAT_SECS),
            idle_timeout: Duration::from_secs(switchboard_protocol::limits::IDLE_TIMEOUT_SECS),
        }
    }
}

enum Command {
    Call {
        action: &'static str,
        data: Value,
        reply: oneshot::Sender<Result<Value>>,
    },
    Reconnect,
    Stop(oneshot::Sender<()>),
}

/// Sends requests through the connection actor. Cheap to clone.
#[derive(Debug, Clone)]
pub struct ConnectionHandle {
    tx: mpsc::Sender<Command>,
    state: watch::Receiver<ConnectionState>,
    request_timeout: Duration,
    catch_up: Arc<std::sync::Mutex<Option<CatchUp>>>,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Call { action, .. } => write!(f, "Call({action})"),
            Command::Reconnect => f.write_str("Reconnect"),
            Command::Stop(_) => f.write_str("Stop"),
        }
    }
}

impl ConnectionHandle {
    /// The state now.
    pub fn state(&self) -> ConnectionState {
        self.state.borrow().clone()
    }

    /// The state now and every change after it.
    pub fn watch(&self) -> watch::Receiver<ConnectionState> {
        self.state.clone()
    }

    /// Send a typed request and wait for its reply. Fails at once with
    /// [`Error::Offline`] when there is no live connection.
    pub async fn call<C: Call>(&self, request: &C) -> Result<C::Reply> {
        let data = serde_json::to_value(request).map_err(|e| Error::Invalid(e.to_string()))?;
        let reply = self.call_value(C::ACTION, data).await?;
        decode_reply::<C>(reply).map_err(|e| Error::Protocol(e.message))
    }

    pub(crate) async fn call_value(&self, action: &'static str, data: Value) -> Result<Value> {
        match &*self.state.borrow() {
            ConnectionState::Online => {}
            ConnectionState::SignedOut { reason } => return Err(Error::SignedOut(reason.clone())),
            _ => return Err(Error::Offline),
        }
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Command::Call {
                action,
                data,
                reply,
            })
            .await
            .map_err(|_| Error::Stopped)?;
        match tokio::time::timeout(self.request_timeout, rx).await {
            Err(_) => Err(Error::Timeout(self.request_timeout)),
            Ok(Err(_)) => Err(Error::Disconnected),
            Ok(Ok(result)) => result,
        }
    }

    /// How the last successful connect caught up (resume or snapshot).
    pub fn last_catch_up(&self) -> Option<CatchUp> {
        *self.catch_up.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Skip the backoff wait and try now (also leaves `offline: replaced`).
    pub fn reconnect_now(&self) {
        let _ = self.tx.try_send(Command::Reconnect);
    }

    /// Close the connection and stop the actor.
    pub async fn stop(&self) {
        let (done, rx) = oneshot::channel();
        if self.tx.send(Command::Stop(done)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

/// What the actor needs from the rest of the client.
pub(crate) struct Context {
    pub cache: Cache,
    pub console: Arc<ConsoleCell>,
    pub session: Arc<SessionCell>,
    pub clock: Arc<dyn Clock>,
    pub client_name: String,
    pub timing: Timing,
}

/// Start the actor. It connects at once.
pub(crate) fn spawn(ctx: Context) -> (ConnectionHandle, tokio::task::JoinHandle<()>) {
    let (tx, cmd_rx) = mpsc::channel(256);
    let (state_tx, state) = watch::channel(ConnectionState::Connecting);
    let catch_up = Arc::new(std::sync::Mutex::new(None));
    let handle = ConnectionHandle {
        tx,
        state,
        request_timeout: ctx.timing.request_timeout,
        catch_up: catch_up.clone(),
    };
    let backoff = match ctx.timing.backoff_seed {
        Some(seed) => Backoff::seeded(ctx.timing.backoff_base, ctx.timing.backoff_cap, seed),
        None => Backoff::new(ctx.timing.backoff_base, ctx.timing.backoff_cap),
    };
    let actor = Actor {
        ctx,
        cmd_rx,
        state_tx,
        backoff,
        cursor: Seq(0),
        closing: None,
        dropped_at: None,
        stop_ack: None,
        catch_up,
    };
    let task = tokio::spawn(actor.run());
    (handle, task)
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Why a connection ended, and so what to do next.
#[derive(Debug)]
enum Exit {
    /// The link failed: reconnect with backoff.
    Retry(String),
    /// The token expired: refresh it, then reconnect at once.
    RefreshToken,
    /// The session is over.
    SignedOut(String),
    /// Stop trying until asked.
    Offline(OfflineReason),
    /// The client is shutting down.
    Stop,
}

/// A frame from the hub, read.
enum Incoming {
    Reply {
        re: String,
        result: std::result::Result<Value, WireError>,
    },
    /// `push` is `None` for a push this client does not know; a durable one still
    /// advances the cursor.
    Push {
        seq: Option<Seq>,
        push: Option<Box<AgentPush>>,
    },
    Nothing,
    Closed(Exit),
}

struct Link {
    ws: Socket,
    next_id: u64,
    last_rx: Instant,
    heartbeat: Duration,
    idle: Duration,
}

impl Link {
    fn id(&mut self) -> String {
        self.next_id += 1;
        self.next_id.to_string()
    }

    async fn send(&mut self, text: String) -> std::result::Result<(), Exit> {
        self.ws
            .send(Message::text(text))
            .await
            .map_err(|e| Exit::Retry(format!("send failed: {e}")))
    }
}

struct Actor {
    ctx: Context,
    cmd_rx: mpsc::Receiver<Command>,
    state_tx: watch::Sender<ConnectionState>,
    backoff: Backoff,
    /// The last durable push applied (mirrors the cache's cursor).
    cursor: Seq,
    /// The reason of a `session.closing` push, until the close itself.
    closing: Option<CloseReason>,
    /// When the last live link was lost, for the status-restore rule.
    dropped_at: Option<Instant>,
    stop_ack: Option<oneshot::Sender<()>>,
    catch_up: Arc<std::sync::Mutex<Option<CatchUp>>>,
}

impl Actor {
    fn set_state(&self, state: ConnectionState) {
        self.state_tx.send_replace(state.clone());
        self.ctx
            .console
            .publish([ConsoleChange::Connection { state }]);
    }

    async fn run(mut self) {
        let mut attempt = 0u32;
        let mut refreshed_in_a_row = 0u32;
        loop {
            self.set_state(ConnectionState::Connecting);
            self.closing = None;
            let exit = match self.connect().await {
                Ok(mut link) => match self.handshake(&mut link).await {
                    Ok(()) => {
                        attempt = 0;
                        refreshed_in_a_row = 0;
                        self.set_state(ConnectionState::Online);
                        let exit = self.serve(&mut link).await;
                        if !matches!(exit, Exit::Stop) {
                            self.dropped_at.get_or_insert_with(Instant::now);
                        }
                        exit
                    }
                    Err(exit) => exit,
                },
                Err(exit) => exit,
            };
            tracing::debug!(?exit, "connection ended");
            match exit {
                Exit::Stop => break,
                Exit::SignedOut(reason) => {
                    if let Err(e) = self.ctx.session.forget().await {
                        tracing::warn!("could not remove the stored session: {e}");
                    }
                    self.set_state(ConnectionState::SignedOut { reason });
                    self.idle_until_stopped().await;
                    break;
                }
                Exit::Offline(reason) => {
                    self.set_state(ConnectionState::Offline { reason });
                    if !self.wait(None).await {
                        break;
                    }
                }
                Exit::RefreshToken => {
                    refreshed_in_a_row += 1;
                    if refreshed_in_a_row > 2 {
                        self.signed_out("the hub keeps refusing the refreshed token")
                            .await;
                        break;
                    }
                    match self.ctx.session.refresh().await {
                        Ok(()) => continue,
                        Err(Error::SignedOut(reason)) => {
                            self.signed_out(&reason).await;
                            break;
                        }
                        Err(e) => {
                            attempt += 1;
                            if !self.back_off(attempt, e.to_string()).await {
                                break;
                            }
                        }
                    }
                }
                Exit::Retry(why) => {
                    attempt += 1;
                    if !self.back_off(attempt, why).await {
                        break;
                    }
                }
            }
        }
        self.set_state(ConnectionState::Offline {
            reason: OfflineReason::Stopped,
        });
        if let Some(ack) = self.stop_ack.take() {
            let _ = ack.send(());
        }
    }

    async fn signed_out(&mut self, reason: &str) {
        if let Err(e) = self.ctx.session.forget().await {
            tracing::warn!("could not remove the stored session: {e}");
        }
        self.set_state(ConnectionState::SignedOut {
            reason: reason.to_owned(),
        });
        self.idle_until_stopped().await;
    }

    /// Wait out the backoff for `attempt`; false when the client stops meanwhile.
    async fn back_off(&mut self, attempt: u32, why: String) -> bool {
        let delay = self.backoff.delay(attempt);
        let next = self.ctx.clock.now()
            + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        tracing::info!(attempt, ?delay, "hub connection lost: {why}");
        self.set_state(ConnectionState::Reconnecting {
            attempt,
            next_attempt_at: next,
            last_error: Some(why),
        });
        self.wait(Some(delay)).await
    }

    /// Wait for `delay` (or forever), answering requests with `offline`. True to
    /// reconnect (time is up, or asked to), false to stop.
    async fn wait(&mut self, delay: Option<Duration>) -> bool {
        let deadline = delay.map(|d| Instant::now() + d);
        loop {
            let sleep = async {
                match deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = sleep => return true,
                cmd = self.cmd_rx.recv() => match cmd {
                    None => return false,
                    Some(Command::Call { reply, .. }) => {
                        let _ = reply.send(Err(Error::Offline));
                    }
                    Some(Command::Reconnect) => return true,
                    Some(Command::Stop(ack)) => {
                        self.stop_ack = Some(ack);
                        return false;
                    }
                },
            }
        }
    }

    /// After the session ended: refuse requests until stopped.
    async fn idle_until_stopped(&mut self) {
        while let Some(cmd) = self.cmd_rx.recv().await {
            match cmd {
                Command::Call { reply, .. } => {
                    let _ = reply.send(Err(Error::SignedOut("signed out".into())));
                }
                Command::Reconnect => {}
                Command::Stop(ack) => {
                    self.stop_ack = Some(ack);
                    return;
                }
            }
        }
    }

    async fn connect(&mut self) -> std::result::Result<Link, Exit> {
        let session = self.ctx.session.current();
        let url = session.hub.ws(paths::AGENT_WS);
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Exit::Offline(bad_url(e)))?;
        let bearer = HeaderValue::from_str(&format!("Bearer {}", session.token.expose()))
            .map_err(|_| Exit::SignedOut("the stored token is malformed".into()))?;
        request
            .headers_mut()
            .insert(tungstenite::http::header::AUTHORIZATION, bearer);
        let config = WebSocketConfig::default()
            .max_message_size(Some(64 << 20))
            .max_frame_size(Some(16 << 20));
        let dial = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
        let (ws, _) = match tokio::time::timeout(self.ctx.timing.connect_timeout, dial).await {
            Err(_) => return Err(Exit::Retry("connecting timed out".into())),
            Ok(Err(tungstenite::Error::Http(resp))) => {
                return Err(match resp.status().as_u16() {
                    401 => Exit::RefreshToken,
                    403 => Exit::SignedOut("the hub refused this account".into()),
                    status => Exit::Retry(format!("the hub answered HTTP {status}")),
                });
            }
            Ok(Err(e)) => return Err(Exit::Retry(e.to_string())),
            Ok(Ok(pair)) => pair,
        };
        Ok(Link {
            ws,
            next_id: 0,
            last_rx: Instant::now(),
            heartbeat: self.ctx.timing.heartbeat,
            idle: self.ctx.timing.idle_timeout,
        })
    }

    /// `hello`, then catch up: a resume replays after the reply; otherwise take a
    /// snapshot and fetch each held chat's missing events.
    async fn handshake(&mut self, link: &mut Link) -> std::result::Result<(), Exit> {
        let cache = self.ctx.cache.clone();
        self.cursor = cache.last_seq().await.map_err(cache_exit)?;
        let mut buffered = Vec::new();
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: self.ctx.client_name.clone(),
            resume_after: (self.cursor.0 > 0).then_some(self.cursor),
        };
        let welcome: Welcome = match self.request(link, &hello, &mut buffered).await? {
            Ok(w) => w,
            Err(e) => return Err(hello_refused(e)),
        };
        // The stricter of the hub's timings and ours.
        link.heartbeat = Duration::from_secs(welcome.heartbeat_secs.clamp(1, 3600))
            .min(self.ctx.timing.heartbeat);
        link.idle = Duration::from_secs(welcome.idle_timeout_secs.clamp(2, 7200))
            .min(self.ctx.timing.idle_timeout);
        let mut tx = cache.begin().await.map_err(cache_exit)?;
        cache::put_meta(&mut tx, keys::AGENT, &welcome.agent)
            .await
            .map_err(cache_exit)?;
        cache::put_meta(&mut tx, keys::STATUS, &welcome.status)
            .await
            .map_err(cache_exit)?;
        tx.commit().await.map_err(|e| cache_exit(e.into()))?;
        self.ctx.console.publish([
            ConsoleChange::Agent {
                agent: welcome.agent.clone(),
            },
            ConsoleChange::Status {
                status: welcome.status,
                reason: None,
            },
        ]);

        // A hub whose stream is behind our cursor lost its log (a new data dir): our
        // cursor means nothing there, so start over from a snapshot.
        let resumed = welcome.resume == ResumeOutcome::Resumed && welcome.last_seq >= self.cursor;
        let resumed_after = resumed.then_some(self.cursor);
        if !resumed {
            let snapshot: Snapshot =
                match self.request(link, &SyncSnapshot {}, &mut buffered).await? {
                    Ok(s) => s,
                    Err(e) => return Err(Exit::Retry(format!("snapshot refused: {e}"))),
                };
            sync::apply_snapshot(&cache, &snapshot)
                .await
                .map_err(cache_exit)?;
            self.cursor = snapshot.seq;
            *self.catch_up.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(CatchUp::Snapshot { seq: snapshot.seq });
            let mut console =
                sync::load_console(&cache, ConnectionState::Connecting, &self.ctx.clock)
                    .await
                    .map_err(cache_exit)?;
            console.agent = Some(welcome.agent.clone());
            console.queue = snapshot.queue.clone();
            self.ctx.console.publish([ConsoleChange::Reset {
                console: Box::new(console),
            }]);
            for chat in &snapshot.chats {
                let held = self
                    .ctx
                    .cache
                    .last_event_id(chat.id)
                    .await
                    .map_err(cache_exit)?;
                if chat.last_event_id.is_none() || held < chat.last_event_id {
                    self.catch_up(link, chat.id, &mut buffered).await?;
                }
            }
        } else {
            // Ephemeral state is never replayed: nobody is typing any more, alerts are
            // forgotten, and the queue is read afresh.
            let queue = match self.request(link, &QueueList {}, &mut buffered).await? {
                Ok(q) => Some(q.entries),
                Err(e) => {
                    tracing::info!("queue.list refused: {e}");
                    None
                }
            };
            let mut console = self.ctx.console.snapshot();
            for chat in &mut console.chats {
                chat.visitor_typing = false;
                chat.visitor_preview = None;
            }
            console.alerts.clear();
            if let Some(queue) = queue {
                console.queue = queue;
            }
            self.ctx.console.publish([ConsoleChange::Reset {
                console: Box::new(console),
            }]);
        }
        for (seq, push) in std::mem::take(&mut buffered) {
            self.on_push(seq, push).await?;
        }
        self.restore_status(link, &welcome, &mut buffered).await?;
        for (seq, push) in buffered {
            self.on_push(seq, push).await?;
        }
        if let Some(after) = resumed_after {
            *self.catch_up.lock().unwrap_or_else(|p| p.into_inner()) =
                Some(CatchUp::Resumed { after });
        }
        Ok(())
    }

    /// Fetch a chat's events after the newest cached one, page by page.
    async fn catch_up(
        &mut self,
        link: &mut Link,
        chat_id: ChatId,
        buffered: &mut Vec<(Option<Seq>, Option<Box<AgentPush>>)>,
    ) -> std::result::Result<(), Exit> {
        loop {
            let after = self
                .ctx
                .cache
                .last_event_id(chat_id)
                .await
                .map_err(cache_exit)?;
            let request = ChatEvents {
                chat_id,
                after,
                limit: None,
            };
            let page: EventPage = match self.request(link, &request, buffered).await? {
                Ok(p) => p,
                Err(e) => {
                    // One unreadable chat must not keep the agent offline.
                    tracing::warn!(%chat_id, "catch-up refused: {e}");
                    return Ok(());
                }
            };
            let changes = sync::apply_events(&self.ctx.cache, chat_id, &page.events)
                .await
                .map_err(cache_exit)?;
            self.ctx.console.publish(changes);
            if !page.more || page.events.is_empty() {
                return Ok(());
            }
        }
    }

    async fn restore_status(
        &mut self,
        link: &mut Link,
        welcome: &Welcome,
        buffered: &mut Vec<(Option<Seq>, Option<Box<AgentPush>>)>,
    ) -> std::result::Result<(), Exit> {
        let dropped_at = self.dropped_at.take();
        if welcome.status == AgentStatus::Online {
            return Ok(());
        }
        let chosen = self.ctx.cache.chosen_status().await.map_err(cache_exit)?;
        let brief_drop = dropped_at.is_some_and(|t| t.elapsed() <= self.ctx.timing.online_grace);
        if chosen != Some(AgentStatus::Online) || !brief_drop {
            return Ok(());
        }
        let request = StatusSet {
            status: AgentStatus::Online,
        };
        match self.request(link, &request, buffered).await? {
            Ok(reply) => {
                let mut tx = self.ctx.cache.begin().await.map_err(cache_exit)?;
                cache::put_meta(&mut tx, keys::STATUS, &reply.status)
                    .await
                    .map_err(cache_exit)?;
                tx.commit().await.map_err(|e| cache_exit(e.into()))?;
                self.ctx.console.publish([ConsoleChange::Status {
                    status: reply.status,
                    reason: Some("restored after a short disconnection".into()),
                }]);
            }
            Err(e) => tracing::info!("could not restore the online status: {e}"),
        }
        Ok(())
    }

    /// Send one request during the handshake and read until its reply, keeping the
    /// pushes that arrive meanwhile for afterwards.
    async fn request<C: Call>(
        &mut self,
        link: &mut Link,
        request: &C,
        buffered: &mut Vec<(Option<Seq>, Option<Box<AgentPush>>)>,
    ) -> std::result::Result<std::result::Result<C::Reply, WireError>, Exit> {
        let id = link.id();
        link.send(encode_request(&id, request)).await?;
        let deadline = Instant::now() + self.ctx.timing.request_timeout;
        loop {
            let frame = match tokio::time::timeout_at(deadline, link.ws.next()).await {
                Err(_) => return Err(Exit::Retry(format!("no answer to `{}`", C::ACTION))),
                Ok(None) => return Err(self.ended("the hub closed the connection")),
                Ok(Some(Err(e))) => return Err(self.ended(&e.to_string())),
                Ok(Some(Ok(frame))) => frame,
            };
            link.last_rx = Instant::now();
            match self.read(frame) {
                Incoming::Reply { re, result } if re == id => {
                    return Ok(match result {
                        Ok(v) => decode_reply::<C>(v),
                        Err(e) => Err(e),
                    });
                }
                Incoming::Reply { .. } | Incoming::Nothing => {}
                Incoming::Push { seq, push } => {
                    if let Some(AgentPush::Closing(c)) = push.as_deref() {
                        self.closing = Some(c.reason);
                    } else {
                        buffered.push((seq, push));
                    }
                }
                Incoming::Closed(exit) => return Err(exit),
            }
        }
    }

    /// The connected loop: frames in, requests out, heartbeats, token refresh.
    async fn serve(&mut self, link: &mut Link) -> Exit {
        let mut pending: HashMap<String, oneshot::Sender<Result<Value>>> = HashMap::new();
        let mut ping = tokio::time::interval_at(Instant::now() + link.heartbeat, link.heartbeat);
        ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let exit = loop {
            let idle_deadline = link.last_rx + link.idle;
            tokio::select! {
                frame = link.ws.next() => {
                    let frame = match frame {
                        None => break self.ended("the hub closed the connection"),
                        Some(Err(e)) => break self.ended(&e.to_string()),
                        Some(Ok(frame)) => frame,
                    };
                    link.last_rx = Instant::now();
                    match self.read(frame) {
                        Incoming::Reply { re, result } => {
                            if let Some(tx) = pending.remove(&re) {
                                let _ = tx.send(result.map_err(Error::Hub));
                            }
                        }
                        Incoming::Push { seq, push } => {
                            if let Err(exit) = self.on_push(seq, push).await {
                                break exit;
                            }
                        }
                        Incoming::Nothing => {}
                        Incoming::Closed(exit) => break exit,
                    }
                }
                _ = tokio::time::sleep_until(idle_deadline) => {
                    break Exit::Retry(format!("nothing from the hub for {:?}", link.idle));
                }
                _ = ping.tick() => {
                    pending.retain(|_, tx| !tx.is_closed());
                    let id = link.id();
                    if let Err(exit) = link.send(encode_request(&id, &Ping {})).await {
                        break exit;
                    }
                    if let Err(exit) = self.refresh_if_due().await {
                        break exit;
                    }
                }
                cmd = self.cmd_rx.recv() => match cmd {
                    None => break Exit::Stop,
                    Some(Command::Call { action, data, reply }) => {
                        let id = link.id();
                        let frame = serde_json::json!({ "id": id, "action": action, "data": data });
                        if let Err(exit) = link.send(frame.to_string()).await {
                            let _ = reply.send(Err(Error::Disconnected));
                            break exit;
                        }
                        pending.insert(id, reply);
                    }
                    Some(Command::Reconnect) => {}
                    Some(Command::Stop(ack)) => {
                        let _ = link.ws.close(None).await;
                        self.stop_ack = Some(ack);
                        break Exit::Stop;
                    }
                },
            }
        };
        for (_, tx) in pending.drain() {
            let _ = tx.send(Err(Error::Disconnected));
        }
        exit
    }

    /// Refresh the token once 80% of its life (as seen when it was issued) has
    /// passed. Checked against the wall clock on every heartbeat rather than with one
    /// long timer, because monotonic timers stand still while a laptop sleeps.
    async fn refresh_if_due(&mut self) -> std::result::Result<(), Exit> {
        let now = self.ctx.clock.now();
        if now < self.ctx.session.refresh_at() {
            return Ok(());
        }
        match self.ctx.session.refresh().await {
            Ok(()) => Ok(()),
            Err(Error::SignedOut(reason)) => Err(Exit::SignedOut(reason)),
            Err(e) => {
                tracing::warn!("token refresh failed, retrying: {e}");
                self.ctx
                    .session
                    .postpone_refresh(now + chrono::Duration::seconds(30));
                Ok(())
            }
        }
    }

    /// The link ended without a close frame: the closing reason (if one came) decides.
    fn ended(&mut self, why: &str) -> Exit {
        match self.closing.take() {
            Some(reason) => exit_for(reason),
            None => Exit::Retry(why.to_owned()),
        }
    }

    fn read(&mut self, frame: Message) -> Incoming {
        let text = match frame {
            Message::Text(t) => t,
            Message::Close(close) => {
                let exit = match (self.closing.take(), close) {
                    (Some(reason), _) => exit_for(reason),
                    (None, Some(c)) => exit_for_code(u16::from(c.code), c.reason.as_str()),
                    (None, None) => Exit::Retry("the hub closed the connection".into()),
                };
                return Incoming::Closed(exit);
            }
            _ => return Incoming::Nothing,
        };
        match decode_server_frame::<AgentPush>(text.as_str(), AgentPush::PUSHES) {
            Ok(ServerFrame::Reply { re, result }) => Incoming::Reply { re, result },
            Ok(ServerFrame::Push { seq, push }) => Incoming::Push {
                seq,
                push: Some(Box::new(push)),
            },
            Ok(ServerFrame::UnknownPush { name, seq }) => {
                tracing::debug!("skipping unknown push `{name}`");
                Incoming::Push { seq, push: None }
            }
            Err(DecodeError::PushData { name, seq, reason }) => {
                // A known push we cannot read is skipped like an unknown one; its seq
                // must still advance the cursor, or the stream would stall on it.
                tracing::warn!("skipping unreadable push `{name}`: {reason}");
                Incoming::Push { seq, push: None }
            }
            Err(DecodeError::Envelope(e)) => {
                tracing::warn!("skipping a frame that is not an envelope: {e}");
                Incoming::Nothing
            }
        }
    }

    /// Apply a push in stream order. A seq at or below the cursor was applied before
    /// (a replay) and is skipped; a seq beyond the next means pushes were lost on the
    /// way, so the link is dropped and the resume fetches them.
    async fn on_push(
        &mut self,
        seq: Option<Seq>,
        push: Option<Box<AgentPush>>,
    ) -> std::result::Result<(), Exit> {
        if let Some(AgentPush::Closing(c)) = push.as_deref() {
            self.closing = Some(c.reason);
            return Ok(());
        }
        let Some(seq) = seq else {
            if let Some(push) = &push {
                self.ctx.console.publish(sync::ephemeral(push));
            }
            return Ok(());
        };
        if seq <= self.cursor {
            return Ok(());
        }
        if seq.0 > self.cursor.0 + 1 {
            return Err(Exit::Retry(format!(
                "pushes {} to {} are missing",
                self.cursor.0 + 1,
                seq.0 - 1
            )));
        }
        let changes = sync::apply_durable(&self.ctx.cache, seq, push.as_deref())
            .await
            .map_err(cache_exit)?;
        self.cursor = seq;
        self.ctx.console.publish(changes);
        Ok(())
    }
}

fn exit_for(reason: CloseReason) -> Exit {
    match reason {
        CloseReason::TokenExpired => Exit::RefreshToken,
        CloseReason::SignedOut => Exit::SignedOut("signed out on the hub".into()),
        CloseReason::Disabled => Exit::SignedOut("the account was disabled".into()),
        CloseReason::Replaced => Exit::Offline(OfflineReason::Replaced),
        other => Exit::Retry(format!("the hub closed the connection ({other:?})")),
    }
}

fn exit_for_code(code: u16, reason: &str) -> Exit {
    let known = [
        CloseReason::TokenExpired,
        CloseReason::SignedOut,
        CloseReason::Disabled,
        CloseReason::Replaced,
    ];
    match known.into_iter().find(|r| r.close_code() == code) {
        Some(r) => exit_for(r),
        None => Exit::Retry(format!("the hub closed the connection ({code} {reason})")),
    }
}

fn hello_refused(e: WireError) -> Exit {
    match e.code {
        ErrorCode::Unauthorized | ErrorCode::TokenExpired => Exit::RefreshToken,
        ErrorCode::UnsupportedVersion => Exit::Offline(OfflineReason::UnsupportedVersion),
        ErrorCode::Forbidden => Exit::SignedOut(e.message),
        _ => Exit::Retry(format!("hello refused: {e}")),
    }
}

fn bad_url(e: tungstenite::Error) -> OfflineReason {
    tracing::error!("the hub URL cannot be used for a WebSocket: {e}");
    OfflineReason::Stopped
}

/// The cache failed: drop the link; the resume after reconnecting replays from the
/// last push that was stored.
fn cache_exit(e: Error) -> Exit {
    tracing::error!("cache write failed: {e}");
    Exit::Retry(format!("local cache: {e}"))
}
