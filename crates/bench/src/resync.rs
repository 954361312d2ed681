//! The resync run: an agent's real client core (connection actor, SQLite cache) loses
//! its link while durable events pile up in its stream, then reconnects; the time
//! from the reconnect until its cache is current is measured.
//!
//! The hub runs in-process on loopback with a system clock; the client reaches it
//! through a [`Relay`] that the run cuts and restores. The events while the agent is
//! away are those a real outage brings: visitor messages in its chats (one
//! `chat.event` each), chats the visitors end (`chat.event` plus `chat.updated`), and
//! chats nobody could take (`missed.new`). Two paths are measured, each on its own
//! hub: **resume** (the hub replays the missed pushes) and **snapshot** (the hub's
//! push log is trimmed below the client's cursor, so the client takes a snapshot and
//! fetches each held chat's missing events).
//!
//! "Current" means: the cache's cursor has reached the hub's head of the agent's
//! stream, every chat the agent holds has the hub's newest event in the cache, and
//! every chat missed meanwhile is in the cached missed list.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{DateTime, Utc};
use serde::Serialize;
use switchboard_client::{CatchUp, Client, ClientConfig, ConnectionState, CredentialStore};
use switchboard_hub::store::{Store, chats, pushes};
use switchboard_hub::{Clock, RunningHub, Settings};
use switchboard_protocol::visitor::{
    ChatEnd, ChatStart, ChatStarted, Hello, MessageSend, VisitorChatState,
};
use switchboard_protocol::{
    AgentId, AgentStatus, ChatId, ClientId, EventId, PROTOCOL_VERSION, Seq, Survey,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};

use crate::metrics::{Percentiles, new_histogram};
use crate::procfs::{self, Machine};
use crate::relay::Relay;
use crate::setup;
use crate::wire::{self, Peer, VISITOR_BLOCK};

/// How a run is shaped.
#[derive(Debug, Clone, Serialize)]
pub struct ResyncPlan {
    /// Durable pushes to the agent while it is away, per round.
    pub events: u32,
    /// Chats the agent holds when the link goes.
    pub chats: u32,
    /// Chats the visitors end while the agent is away, per round.
    pub ends: u32,
    /// Chats missed while the agent is away, per round.
    pub misses: u32,
    /// Outages measured per path.
    pub rounds: u32,
    /// The snapshot path's push log length (below the events of a round).
    pub snapshot_log_keep: u64,
}

impl Default for ResyncPlan {
    fn default() -> Self {
        ResyncPlan {
            events: 1000,
            chats: 20,
            ends: 5,
            misses: 10,
            rounds: 5,
            snapshot_log_keep: 100,
        }
    }
}

/// Which catch-up a path is meant to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CatchUpPath {
    Resume,
    Snapshot,
}

/// One outage.
#[derive(Debug, Clone, Serialize)]
pub struct Round {
    /// Durable pushes that happened while the agent was away.
    pub events: u64,
    /// What the client did: `resumed` or `snapshot`.
    pub catch_up: String,
    /// From the reconnect until the connection was online (handshake done).
    pub online_ms: f64,
    /// From the reconnect until the cache was current.
    pub current_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    pub path: CatchUpPath,
    pub rounds: Vec<Round>,
    pub current: Percentiles,
}

#[derive(Debug, Clone, Serialize)]
pub struct ResyncReport {
    pub bench: &'static str,
    pub started_at: DateTime<Utc>,
    pub machine: Machine,
    pub plan: ResyncPlan,
    pub paths: Vec<PathReport>,
}

impl ResyncReport {
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "resync: {} events per outage, {} held chats, {} rounds per path",
            self.plan.events, self.plan.chats, self.plan.rounds
        );
        for p in &self.paths {
            let _ = writeln!(
                out,
                "  {:<10} cache current after: p50 {:>7.1} ms   max {:>7.1} ms   ({})",
                format!("{:?}", p.path).to_lowercase(),
                p.current.p50_ms,
                p.current.max_ms,
                p.rounds
                    .iter()
                    .map(|r| format!(
                        "{} ev {} {:.0}/{:.0} ms",
                        r.events, r.catch_up, r.online_ms, r.current_ms
                    ))
                    .collect::<Vec<_>>()
                    .join("; ")
            );
        }
        let _ = writeln!(out, "  (per round: events, catch-up, online / current)");
        out
    }
}

/// Run both paths.
pub async fn run(plan: ResyncPlan) -> anyhow::Result<ResyncReport> {
    let started_at = Utc::now();
    let mut paths = Vec::new();
    for path in [CatchUpPath::Resume, CatchUpPath::Snapshot] {
        paths.push(run_path(&plan, path).await?);
    }
    Ok(ResyncReport {
        bench: "resync",
        started_at,
        machine: procfs::machine(),
        plan,
        paths,
    })
}

/// A visitor of the resync run, holding a chat.
struct ChatVisitor {
    peer: Peer,
    chat: ChatId,
    said: u64,
}

/// Everything one path's run holds.
struct Bench {
    hub: RunningHub,
    store: Store,
    relay: Relay,
    client: Client,
    agent: AgentId,
    department: String,
    visitors: Vec<ChatVisitor>,
    /// Visitors started so far (each dials from its own address).
    started: usize,
    missed: HashSet<ChatId>,
    _dir: tempfile::TempDir,
}

async fn run_path(plan: &ResyncPlan, path: CatchUpPath) -> anyhow::Result<PathReport> {
    let dir = tempfile::tempdir()?;
    let hub_dir = dir.path().join("hub");
    setup::create(
        &hub_dir,
        &setup::Workspace {
            agents: 1,
            departments: 1,
            max_chats: 50,
        },
    )
    .await?;
    let mut settings = Settings::new(([127, 0, 0, 1], 0).into(), &hub_dir);
    // The outage must stay shorter than the grace period, or the hub re-routes the
    // agent's chats; and the visitors may talk faster than the widget's default
    // allowance, so a round takes seconds rather than minutes.
    settings.agent_grace = Duration::from_secs(3600);
    settings.limits.visitor_messages_per_sec = 10_000;
    settings.limits.visitor_message_burst = 10_000;
    settings.push_log_keep = match path {
        CatchUpPath::Resume => u64::from(plan.events) * 4 + 1000,
        CatchUpPath::Snapshot => plan.snapshot_log_keep.max(1),
    };
    let hub = switchboard_hub::spawn(settings.clone(), Clock::system()).await?;
    let store = Store::open(&settings.database_path()).await?;
    let relay = Relay::start(hub.addr()).await?;

    let mut config = ClientConfig::new(dir.path().join("client"));
    config.credentials = CredentialStore::Memory;
    config.client_name = "switchboard-bench-resync".into();
    let (client, _) = Client::sign_in(
        config,
        &format!("http://{}", relay.addr()),
        &setup::agent_email(0),
        setup::PASSWORD,
        false,
    )
    .await
    .context("signing the agent in")?;
    wait_online(&client, Duration::from_secs(30)).await?;
    client.set_status(AgentStatus::Online).await?;
    let agent = client.session().agent.id;
    let department = client
        .session()
        .agent
        .departments
        .first()
        .map(|d| d.name.clone())
        .context("the bench agent has a department")?;

    let mut bench = Bench {
        hub,
        store,
        relay,
        client,
        agent,
        department,
        visitors: Vec::new(),
        started: 0,
        missed: HashSet::new(),
        _dir: dir,
    };
    let mut rounds = Vec::new();
    let mut histogram = new_histogram();
    for _ in 0..plan.rounds.max(1) {
        let round = bench.round(plan).await?;
        histogram.saturating_record((round.current_ms * 1000.0) as u64);
        rounds.push(round);
    }
    bench.client.shutdown().await;
    for v in bench.visitors.drain(..) {
        v.peer.close().await;
    }
    bench.store.close().await;
    drop(bench.relay);
    bench.hub.stop().await?;
    Ok(PathReport {
        path,
        rounds,
        current: Percentiles::from_histogram(&histogram),
    })
}

async fn wait_online(client: &Client, limit: Duration) -> anyhow::Result<()> {
    let mut state = client.connection_state();
    tokio::time::timeout(
        limit,
        state.wait_for(|s| matches!(s, ConnectionState::Online)),
    )
    .await
    .context("the client did not get online")?
    .context("the client stopped")?;
    Ok(())
}

impl Bench {
    async fn visitor(&mut self) -> anyhow::Result<Peer> {
        let source = wire::loopback(VISITOR_BLOCK, self.started);
        self.started += 1;
        let ws = wire::dial(
            &self
                .hub
                .ws_url(switchboard_protocol::http::paths::VISITOR_WS),
            self.hub.addr(),
            source,
            &[(header::ORIGIN, HeaderValue::from_static(setup::ORIGIN))],
        )
        .await
        .map_err(|e| anyhow::anyhow!("visitor dial: {e}"))?;
        let mut peer = Peer::new(ws);
        peer.call(&Hello {
            protocol: PROTOCOL_VERSION,
            token: None,
        })
        .await?;
        Ok(peer)
    }

    async fn start_chat(&mut self, peer: &mut Peer) -> anyhow::Result<ChatStarted> {
        let n = self.started;
        peer.call(&ChatStart {
            client_id: ClientId::parse(format!("resync-{n}")).map_err(anyhow::Error::msg)?,
            survey: Survey {
                name: format!("Visitor {n}"),
                email: Some(format!("visitor-{n}@bench.switchboard.test")),
                question: "Where is my order?".into(),
                department: self.department.clone(),
            },
            page_url: Some(format!("{}/orders", setup::ORIGIN)),
            user_agent: None,
        })
        .await
    }

    /// Open chats until the agent holds `plan.chats`, accepting each offer through
    /// the client.
    async fn top_up(&mut self, plan: &ResyncPlan) -> anyhow::Result<()> {
        while self.visitors.len() < plan.chats as usize {
            let mut peer = self.visitor().await?;
            let started = self.start_chat(&mut peer).await?;
            let chat = started.chat_id;
            let deadline = Instant::now() + Duration::from_secs(20);
            let offer = loop {
                let offer = self
                    .client
                    .console()
                    .offers
                    .iter()
                    .find(|o| o.chat.id == chat)
                    .map(|o| o.id);
                if let Some(offer) = offer {
                    break offer;
                }
                if Instant::now() > deadline {
                    bail!("no offer reached the client for chat {chat}");
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            };
            self.client.accept_offer(offer).await?;
            self.visitors.push(ChatVisitor {
                peer,
                chat,
                said: 0,
            });
        }
        Ok(())
    }

    async fn head(&self) -> anyhow::Result<Seq> {
        let mut conn = self.store.acquire().await?;
        Ok(pushes::last_seq(&mut conn, self.agent).await?)
    }

    /// Whether the client's cache holds everything the hub has for this agent.
    async fn current(&self, head: Seq, held: &[(ChatId, Option<EventId>)]) -> anyhow::Result<bool> {
        let cache = self.client.cache();
        if cache.last_seq().await? < head {
            return Ok(false);
        }
        for (chat, last) in held {
            if cache.last_event_id(*chat).await? < *last {
                return Ok(false);
            }
        }
        let cached: HashSet<ChatId> = cache.missed().await?.iter().map(|m| m.chat_id).collect();
        Ok(self.missed.is_subset(&cached))
    }

    /// The chats the agent holds on the hub, with their newest event.
    async fn held(&self) -> anyhow::Result<Vec<(ChatId, Option<EventId>)>> {
        let mut conn = self.store.acquire().await?;
        let mut held = Vec::new();
        for chat in chats::held(&mut conn, self.agent).await? {
            held.push((chat.id, chat.last_event_id));
        }
        Ok(held)
    }

    async fn wait_current(&self, limit: Duration) -> anyhow::Result<()> {
        let head = self.head().await?;
        let held = self.held().await?;
        let deadline = Instant::now() + limit;
        while !self.current(head, &held).await? {
            if Instant::now() > deadline {
                bail!("the client's cache did not catch up");
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    async fn round(&mut self, plan: &ResyncPlan) -> anyhow::Result<Round> {
        self.top_up(plan).await?;
        self.wait_current(Duration::from_secs(30)).await?;
        let before = self.head().await?;

        self.relay.cut();
        let mut state = self.client.connection_state();
        tokio::time::timeout(
            Duration::from_secs(30),
            state.wait_for(|s| !matches!(s, ConnectionState::Online)),
        )
        .await
        .context("the client did not notice the cut")??;

        // While it is away: messages first (one push each), then ended chats (two
        // each), then missed chats (one each).
        let ends = plan.ends.min(plan.chats) as usize;
        let misses = plan.misses as usize;
        let messages = (plan.events as usize).saturating_sub(2 * ends + misses);
        for i in 0..messages {
            let n = self.visitors.len();
            let v = &mut self.visitors[i % n];
            v.said += 1;
            let client_id =
                ClientId::parse(format!("m{}-{}", v.chat, v.said)).map_err(anyhow::Error::msg)?;
            v.peer
                .call(&MessageSend {
                    client_id,
                    text: format!("Message {} while the agent is away", v.said),
                })
                .await?;
        }
        for _ in 0..ends {
            if let Some(v) = self.visitors.pop() {
                let mut peer = v.peer;
                peer.call(&ChatEnd {}).await?;
                peer.close().await;
            }
        }
        for _ in 0..misses {
            let mut peer = self.visitor().await?;
            let started = self.start_chat(&mut peer).await?;
            if !matches!(started.state, VisitorChatState::Missed { .. }) {
                bail!("a chat started while the agent was away was not missed");
            }
            self.missed.insert(started.chat_id);
            peer.close().await;
        }
        let head = self.head().await?;
        let held = self.held().await?;

        self.relay.restore();
        let t0 = Instant::now();
        self.client.reconnect_now();
        let mut online_ms = None;
        let deadline = t0 + Duration::from_secs(120);
        loop {
            if online_ms.is_none()
                && matches!(self.client.connection().state(), ConnectionState::Online)
            {
                online_ms = Some(t0.elapsed().as_secs_f64() * 1000.0);
            }
            if self.current(head, &held).await? {
                break;
            }
            if Instant::now() > deadline {
                bail!("the client's cache did not catch up after the reconnect");
            }
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let current_ms = t0.elapsed().as_secs_f64() * 1000.0;
        // The client records how it caught up only when its handshake is over, which
        // may be after the cache is current (replayed pushes are stored as they come).
        let mut state = self.client.connection_state();
        tokio::time::timeout(
            Duration::from_secs(30),
            state.wait_for(|s| matches!(s, ConnectionState::Online)),
        )
        .await
        .context("the client did not get online after the reconnect")??;
        let online_ms = online_ms.unwrap_or_else(|| t0.elapsed().as_secs_f64() * 1000.0);
        let catch_up = match self.client.connection().last_catch_up() {
            Some(CatchUp::Resumed { .. }) => "resumed",
            Some(CatchUp::Snapshot { .. }) => "snapshot",
            None => "unknown",
        };
        // The client puts the agent back online itself after a short outage; wait
        // for it so the next round's offers reach it.
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.client.console().status != Some(AgentStatus::Online) {
            if Instant::now() > deadline {
                self.client.set_status(AgentStatus::Online).await?;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        Ok(Round {
            events: head.0.saturating_sub(before.0),
            catch_up: catch_up.into(),
            online_ms: (online_ms * 1000.0).round() / 1000.0,
            current_ms: (current_ms * 1000.0).round() / 1000.0,
        })
    }
}
