//! The hub load run: scripted agents and visitors drive a running hub over the real
//! protocol while the hub's memory and CPU are sampled.
//!
//! Order of a run: agents sign in, connect and go online; idle visitors connect;
//! chatting visitors start their chats at the planned chat rate; in a run that talks
//! together, the messages start once every chat is connected (the go); then the
//! chats end, and everyone disconnects. The scenarios are presets of the same plan:
//! - `connections`: 10,000 idle visitors and 500 agents held at once.
//! - `throughput`: 2,000 chats talking together at 5,000 messages per second in all.
//! - `offers`: a steady rate of chat starts, each chat short, for offer latency.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::{Context, bail};
use chrono::Utc;
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::agent::{self, AgentSpec};
use crate::metrics::{Metrics, get};
use crate::procfs::{self, Sampler};
use crate::report::{self, LoadReport};
use crate::setup;
use crate::stamp;
use crate::stop::Stop;
use crate::visitor::{self, VisitorPlan, VisitorSpec};
use crate::wire::{self, AGENT_BLOCK, VISITOR_BLOCK};

/// Which preset a run starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    Connections,
    Throughput,
    Offers,
    /// Only what the command line says.
    Custom,
}

/// Everything a load run needs to know.
#[derive(Debug, Clone, Serialize)]
pub struct LoadPlan {
    pub scenario: Scenario,
    /// The hub, `http://127.0.0.1:PORT`.
    pub url: String,
    /// The Origin header visitors send (an origin the hub's site allows).
    pub origin: String,
    pub agents: usize,
    /// Visitors that only connect and stay.
    pub idle_visitors: usize,
    /// Visitors that each start one chat.
    pub visitors: usize,
    /// Messages per chat, both directions together: the visitor sends half (rounded
    /// up) and the agent answers each.
    pub messages: u32,
    /// Messages per second in all, when every chat talks at once; sets each visitor's
    /// interval (2 × visitors / rate) unless `message_interval_ms` does.
    pub rate: f64,
    pub message_interval_ms: Option<u64>,
    /// Chat starts per second.
    pub chat_rate: f64,
    /// Start talking only once every chat is connected.
    pub together: bool,
    /// How long the connections are held once all are up (idle visitors and agents).
    pub hold_secs: u64,
    /// The hub's process, for memory and CPU (found by its port when not given).
    pub hub_pid: Option<u32>,
    /// Dials (TCP + WebSocket handshake + hello) in flight at once.
    pub dial_concurrency: usize,
    /// Sign-ins in flight at once (each is an argon2 check on the hub).
    pub sign_in_concurrency: usize,
}

impl LoadPlan {
    /// The preset of a scenario, against `url`.
    pub fn preset(scenario: Scenario, url: &str) -> Self {
        let base = LoadPlan {
            scenario,
            url: url.to_owned(),
            origin: setup::ORIGIN.to_owned(),
            agents: 0,
            idle_visitors: 0,
            visitors: 0,
            messages: 0,
            rate: 0.0,
            message_interval_ms: None,
            chat_rate: 100.0,
            together: false,
            hold_secs: 0,
            hub_pid: None,
            dial_concurrency: 128,
            sign_in_concurrency: 4,
        };
        match scenario {
            Scenario::Connections => LoadPlan {
                agents: 500,
                idle_visitors: 10_000,
                hold_secs: 40,
                ..base
            },
            Scenario::Throughput => LoadPlan {
                agents: 500,
                visitors: 2_000,
                messages: 100,
                rate: 5_000.0,
                chat_rate: 200.0,
                together: true,
                ..base
            },
            Scenario::Offers => LoadPlan {
                agents: 500,
                visitors: 1_500,
                messages: 2,
                message_interval_ms: Some(1000),
                chat_rate: 50.0,
                ..base
            },
            Scenario::Custom => base,
        }
    }

    /// Each chatting visitor's interval between its messages.
    pub fn interval(&self) -> Duration {
        match self.message_interval_ms {
            Some(ms) => Duration::from_millis(ms.max(1)),
            None if self.rate > 0.0 => {
                Duration::from_secs_f64((2.0 * self.visitors as f64 / self.rate).max(0.001))
            }
            None => Duration::from_secs(1),
        }
    }

    /// Messages each visitor sends.
    pub fn visitor_messages(&self) -> u32 {
        self.messages.div_ceil(2)
    }
}

/// Where the hub is, in every form the peers need.
pub struct Target {
    pub http: String,
    pub agent_ws: String,
    pub visitor_ws: String,
    pub addr: SocketAddr,
    pub origin: HeaderValue,
    pub origin_text: String,
}

impl Target {
    pub fn new(url: &str, origin: &str) -> anyhow::Result<Target> {
        let http = url.trim_end_matches('/').to_owned();
        let rest = http
            .strip_prefix("http://")
            .with_context(|| format!("`{url}`: the bench speaks plain http to a loopback hub"))?;
        let addr: SocketAddr = rest
            .parse()
            .with_context(|| format!("`{url}`: expected http://IP:PORT"))?;
        if !addr.ip().is_loopback() {
            bail!("`{url}`: the bench drives hubs on loopback only");
        }
        Ok(Target {
            agent_ws: format!("ws://{rest}{}", switchboard_protocol::http::paths::AGENT_WS),
            visitor_ws: format!(
                "ws://{rest}{}",
                switchboard_protocol::http::paths::VISITOR_WS
            ),
            http,
            addr,
            origin: HeaderValue::from_str(origin).context("the origin is not a header value")?,
            origin_text: origin.to_owned(),
        })
    }
}

/// What the peers of one run share.
pub struct Run {
    pub target: Target,
    pub metrics: Metrics,
    /// Everyone disconnects.
    pub stop: Stop,
    /// Chats start talking (runs that talk together).
    pub go: Stop,
    pub together: bool,
    /// Makes this run's client ids differ from any earlier run's.
    pub nonce: String,
    pub sign_ins: Semaphore,
    pub dials: Semaphore,
    agents_settled: AtomicU64,
    idle_settled: AtomicU64,
    chats_settled: AtomicU64,
}

impl Run {
    /// An agent is online, or failed to get there.
    pub fn settle_agent(&self) {
        self.agents_settled.fetch_add(1, Ordering::Relaxed);
    }

    /// A visitor is ready (idle) or its chat connected, missed or failed.
    pub fn settle_visitor(&self, plan: VisitorPlan) {
        match plan {
            VisitorPlan::Idle => self.idle_settled.fetch_add(1, Ordering::Relaxed),
            VisitorPlan::Chat { .. } => self.chats_settled.fetch_add(1, Ordering::Relaxed),
        };
    }
}

/// Wait until `counter` reaches `target` or `limit` passes; false on the timeout.
async fn wait_for(counter: &AtomicU64, target: usize, limit: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + limit;
    while (counter.load(Ordering::Relaxed) as usize) < target {
        if tokio::time::Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    true
}

/// Phases of a run, on [`stamp`]'s clock.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Phases {
    pub agents_online_secs: f64,
    pub idle_connected_secs: f64,
    pub chats_connected_secs: f64,
    pub talking_secs: f64,
    pub total_secs: f64,
}

fn secs_between(from: u64, to: u64) -> f64 {
    (to.saturating_sub(from) as f64 / 1e4).round() / 100.0
}

/// Drive the hub as `plan` says and report.
pub async fn run(plan: LoadPlan) -> anyhow::Result<LoadReport> {
    let target = Target::new(&plan.url, &plan.origin)?;
    let hub_pid = plan
        .hub_pid
        .or_else(|| procfs::listener_pid(target.addr.port()));
    if hub_pid.is_none() {
        tracing::warn!("hub process not found; its memory and CPU are not reported");
    }
    let peers = plan.agents + plan.idle_visitors + plan.visitors;
    let open_files = crate::raise_open_files(peers as u64 + 1024);
    if (open_files as usize) < peers + 64 {
        tracing::warn!(
            open_files,
            peers,
            "the open-file limit is below the peers planned"
        );
    }
    let started_at = Utc::now();
    let run = Arc::new(Run {
        target,
        metrics: Metrics::default(),
        stop: Stop::default(),
        go: Stop::default(),
        together: plan.together,
        nonce: format!("{:x}", started_at.timestamp_millis()),
        sign_ins: Semaphore::new(plan.sign_in_concurrency.max(1)),
        dials: Semaphore::new(plan.dial_concurrency.max(1)),
        agents_settled: AtomicU64::new(0),
        idle_settled: AtomicU64::new(0),
        chats_settled: AtomicU64::new(0),
    });
    let sampler = Sampler::start(hub_pid, Duration::from_millis(250));
    let t0 = stamp::now_us();
    let mut phases = Phases::default();
    let mut peers_set = JoinSet::new();

    for index in 0..plan.agents {
        let spec = AgentSpec {
            index,
            email: setup::agent_email(index),
            password: setup::PASSWORD.into(),
            source: wire::loopback(AGENT_BLOCK, index),
        };
        peers_set.spawn(agent::run(spec, run.clone()));
    }
    if !wait_for(&run.agents_settled, plan.agents, Duration::from_secs(600)).await {
        tracing::warn!("not every agent got online in time");
    }
    let agents_up = stamp::now_us();
    phases.agents_online_secs = secs_between(t0, agents_up);
    tracing::info!(online = get(&run.metrics.agents_online), "agents online");

    for index in 0..plan.idle_visitors {
        let spec = VisitorSpec {
            index,
            source: wire::loopback(VISITOR_BLOCK, index),
            plan: VisitorPlan::Idle,
        };
        peers_set.spawn(visitor::run(spec, run.clone()));
    }
    if !wait_for(
        &run.idle_settled,
        plan.idle_visitors,
        Duration::from_secs(600),
    )
    .await
    {
        tracing::warn!("not every idle visitor got connected in time");
    }
    let idle_up = stamp::now_us();
    phases.idle_connected_secs = secs_between(agents_up, idle_up);
    tracing::info!(
        connections = get(&run.metrics.connections_open),
        "connections up"
    );

    let hold_from = stamp::now_us();
    if plan.hold_secs > 0 {
        tokio::time::sleep(Duration::from_secs(plan.hold_secs)).await;
    }
    let hold_to = stamp::now_us();

    let mut chats = JoinSet::new();
    let chats_from = stamp::now_us() + 100_000;
    let interval = plan.interval();
    let messages = plan.visitor_messages();
    for index in 0..plan.visitors {
        let offset = index as f64 / plan.chat_rate.max(0.001);
        // Spread the first messages over one interval (golden-ratio steps), so the
        // chats do not all speak in the same instant.
        let phase = interval.mul_f64((index as f64 * 0.618_033_988_75).fract());
        let spec = VisitorSpec {
            index: plan.idle_visitors + index,
            source: wire::loopback(VISITOR_BLOCK, plan.idle_visitors + index),
            plan: VisitorPlan::Chat {
                start_at_us: chats_from + (offset * 1e6) as u64,
                messages,
                interval,
                phase,
            },
        };
        chats.spawn(visitor::run(spec, run.clone()));
    }
    let mut talk_from = chats_from;
    if plan.visitors > 0 {
        let expected = Duration::from_secs_f64(plan.visitors as f64 / plan.chat_rate.max(0.001));
        if !wait_for(
            &run.chats_settled,
            plan.visitors,
            expected + Duration::from_secs(120),
        )
        .await
        {
            tracing::warn!("not every chat got connected in time");
        }
        phases.chats_connected_secs = secs_between(chats_from, stamp::now_us());
        tracing::info!(
            connected = get(&run.metrics.chats_connected),
            missed = get(&run.metrics.chats_missed),
            "chats placed"
        );
        talk_from = stamp::now_us();
        run.go.fire();
    }
    let talk_limit = interval.mul_f64(f64::from(messages)) + Duration::from_secs(120);
    let finished = tokio::time::timeout(talk_limit, async {
        while chats.join_next().await.is_some() {}
    })
    .await;
    if finished.is_err() {
        tracing::warn!("some chats did not finish in time");
    }
    let talk_to = stamp::now_us();
    phases.talking_secs = secs_between(talk_from, talk_to);

    run.stop.fire();
    let closing = tokio::time::timeout(Duration::from_secs(60), async {
        while peers_set.join_next().await.is_some() {}
    })
    .await;
    if closing.is_err() {
        tracing::warn!("some peers did not close in time");
        peers_set.abort_all();
        chats.abort_all();
    }
    let end = stamp::now_us();
    phases.total_secs = secs_between(t0, end);
    let samples = sampler.finish().await;

    // The window the hub's CPU is reported over: the hold for a connections run, the
    // talking for the others.
    let (window_from, window_to, window) = if plan.visitors == 0 {
        (hold_from, hold_to, "hold")
    } else if plan.together {
        (talk_from, talk_to, "talking")
    } else {
        (chats_from, talk_to, "chats")
    };
    Ok(report::load_report(report::LoadInputs {
        plan: &plan,
        started_at,
        hub_pid,
        metrics: &run.metrics,
        samples: &samples,
        phases,
        window,
        window_from,
        window_to,
        idle_up,
        run_from: t0,
        run_to: end,
        message_window_from: if plan.together { talk_from } else { chats_from },
    }))
}
