//! Results as JSON (for files under `bench-results/`) and as a short table for the
//! terminal.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::load::{LoadPlan, Phases};
use crate::metrics::{Metrics, Percentiles, get};
use crate::procfs::{self, Machine, Sample, Usage};

/// The result of a hub load run.
#[derive(Debug, Clone, Serialize)]
pub struct LoadReport {
    pub bench: &'static str,
    pub started_at: DateTime<Utc>,
    pub machine: Machine,
    pub plan: LoadPlan,
    pub phases: Phases,
    pub connections: Connections,
    pub chats: Chats,
    pub messages: Messages,
    pub latency: Latency,
    pub hub_pid: Option<u32>,
    /// Which part of the run `hub` and `bench_process` cover.
    pub window: &'static str,
    pub hub: Option<Usage>,
    /// The hub over the whole run (peak memory, average CPU).
    pub hub_whole_run: Option<Usage>,
    pub bench_process: Option<Usage>,
    pub errors: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Connections {
    /// Most WebSocket connections the bench held open at once.
    pub peak_held: u64,
    pub agents_online: u64,
    pub idle_visitors_ready: u64,
    /// Most file descriptors the hub had open (its sockets, plus a few files).
    pub hub_fds_peak: Option<usize>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Chats {
    pub started: u64,
    pub connected: u64,
    pub missed: u64,
    pub ended: u64,
    pub offers: u64,
    pub wrap_ups: u64,
    /// Chats connected per second, from the first `chat.start` to the last chat
    /// connected.
    pub routed_per_sec: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Messages {
    pub sent_by_visitors: u64,
    pub sent_by_agents: u64,
    pub delivered_to_agents: u64,
    pub delivered_to_visitors: u64,
    /// From the first message's planned time to the last delivery.
    pub window_secs: f64,
    /// Deliveries (both directions) per second over that window.
    pub relayed_per_sec: f64,
    /// The messages sent before the first `chat.end` (the steady load, as for the
    /// `*_all_open` latencies): from the first message's planned time to the last of
    /// their deliveries, and their deliveries per second over it. A hub that falls
    /// behind delivers them later, which stretches the window.
    pub window_all_open_secs: f64,
    pub relayed_all_open_per_sec: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Latency {
    pub visitor_to_agent: Percentiles,
    pub agent_to_visitor: Percentiles,
    /// Only the messages sent before the first `chat.end`, while every chat of the
    /// run was open (the run's chats end together, in one burst of ends and wrap-ups).
    pub visitor_to_agent_all_open: Percentiles,
    pub agent_to_visitor_all_open: Percentiles,
    /// `chat.start` sent to `offer.new` received.
    pub offer: Percentiles,
}

/// What [`load_report`] is built from.
pub struct LoadInputs<'a> {
    pub plan: &'a LoadPlan,
    pub started_at: DateTime<Utc>,
    pub hub_pid: Option<u32>,
    pub metrics: &'a Metrics,
    pub samples: &'a [Sample],
    pub phases: Phases,
    pub window: &'static str,
    pub window_from: u64,
    pub window_to: u64,
    pub idle_up: u64,
    pub run_from: u64,
    pub run_to: u64,
    pub message_window_from: u64,
}

fn per_sec(count: u64, from_us: u64, to_us: u64) -> f64 {
    if to_us <= from_us {
        return 0.0;
    }
    let rate = count as f64 / ((to_us - from_us) as f64 / 1e6);
    (rate * 10.0).round() / 10.0
}

/// Seconds between two stamps, to the hundredth.
fn secs(from_us: u64, to_us: u64) -> f64 {
    (to_us.saturating_sub(from_us) as f64 / 1e4).round() / 100.0
}

pub fn load_report(i: LoadInputs<'_>) -> LoadReport {
    let m = i.metrics;
    let first_start = get(&m.first_start_us);
    let last_connected = get(&m.last_connected_us);
    let connected = get(&m.chats_connected);
    let last_delivery = get(&m.last_delivery_us);
    let delivered = get(&m.delivered_to_agents) + get(&m.delivered_to_visitors);
    let message_window_to = last_delivery.max(i.message_window_from);
    let all_open_to = get(&m.last_delivery_all_open_us).max(i.message_window_from);
    let latency = Latency {
        visitor_to_agent: m.visitor_to_agent(),
        agent_to_visitor: m.agent_to_visitor(),
        visitor_to_agent_all_open: m.visitor_to_agent_all_open(),
        agent_to_visitor_all_open: m.agent_to_visitor_all_open(),
        offer: m.offer_latency(),
    };
    let delivered_all_open =
        latency.visitor_to_agent_all_open.count + latency.agent_to_visitor_all_open.count;
    LoadReport {
        bench: "hub",
        started_at: i.started_at,
        machine: procfs::machine(),
        plan: i.plan.clone(),
        phases: i.phases,
        connections: Connections {
            peak_held: get(&m.connections_peak),
            agents_online: get(&m.agents_online),
            idle_visitors_ready: get(&m.visitors_ready),
            hub_fds_peak: i.samples.iter().filter_map(|s| s.hub_fds).max(),
        },
        chats: Chats {
            started: get(&m.chats_started),
            connected,
            missed: get(&m.chats_missed),
            ended: get(&m.chats_ended),
            offers: get(&m.offers),
            wrap_ups: get(&m.wrap_ups),
            routed_per_sec: if connected > 0 && first_start != u64::MAX {
                per_sec(connected, first_start, last_connected)
            } else {
                0.0
            },
        },
        messages: Messages {
            sent_by_visitors: get(&m.sent_by_visitors),
            sent_by_agents: get(&m.sent_by_agents),
            delivered_to_agents: get(&m.delivered_to_agents),
            delivered_to_visitors: get(&m.delivered_to_visitors),
            window_secs: secs(i.message_window_from, message_window_to),
            relayed_per_sec: per_sec(delivered, i.message_window_from, message_window_to),
            window_all_open_secs: secs(i.message_window_from, all_open_to),
            relayed_all_open_per_sec: per_sec(
                delivered_all_open,
                i.message_window_from,
                all_open_to,
            ),
        },
        latency,
        hub_pid: i.hub_pid,
        window: i.window,
        hub: procfs::usage(i.samples, i.window_from, i.window_to, |s| s.hub),
        hub_whole_run: procfs::usage(i.samples, i.run_from, i.run_to, |s| s.hub),
        bench_process: procfs::usage(i.samples, i.window_from, i.window_to, |s| s.bench),
        errors: m.errors(),
    }
}

fn latency_row(out: &mut String, name: &str, p: &Percentiles) {
    if p.count == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "  {name:<20} p50 {:>8.2} ms   p99 {:>8.2} ms   p99.9 {:>8.2} ms   max {:>8.2} ms   (n={})",
        p.p50_ms, p.p99_ms, p.p999_ms, p.max_ms, p.count
    );
}

fn usage_row(out: &mut String, name: &str, u: &Option<Usage>) {
    if let Some(u) = u {
        let _ = writeln!(
            out,
            "  {name:<20} cpu avg {:>6.1} %  peak {:>6.1} %   rss peak {:>8.1} MiB   hwm {:>8.1} MiB",
            u.cpu_avg_pct, u.cpu_peak_pct, u.rss_peak_mib, u.hwm_mib
        );
    }
}

impl LoadReport {
    /// A short table for the terminal.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "hub load, scenario {:?}: {} agents, {} idle visitors, {} chats",
            self.plan.scenario, self.plan.agents, self.plan.idle_visitors, self.plan.visitors
        );
        let c = &self.connections;
        let _ = writeln!(
            out,
            "  connections held     peak {} (agents online {}, idle visitors {}, hub fds peak {})",
            c.peak_held,
            c.agents_online,
            c.idle_visitors_ready,
            c.hub_fds_peak.map_or("?".into(), |n| n.to_string())
        );
        let ch = &self.chats;
        if ch.started > 0 {
            let _ = writeln!(
                out,
                "  chats                started {} connected {} missed {} ended {}   routed {:.1}/s",
                ch.started, ch.connected, ch.missed, ch.ended, ch.routed_per_sec
            );
            let m = &self.messages;
            let _ = writeln!(
                out,
                "  messages             relayed {:.1}/s over {:.1} s (to agents {}, to visitors {})",
                m.relayed_per_sec, m.window_secs, m.delivered_to_agents, m.delivered_to_visitors
            );
        }
        latency_row(&mut out, "visitor -> agent", &self.latency.visitor_to_agent);
        latency_row(&mut out, "agent -> visitor", &self.latency.agent_to_visitor);
        let l = &self.latency;
        if l.visitor_to_agent_all_open.count < l.visitor_to_agent.count {
            let _ = writeln!(
                out,
                "  (messages sent before the first chat ended: relayed {:.1}/s over {:.1} s)",
                self.messages.relayed_all_open_per_sec, self.messages.window_all_open_secs
            );
            latency_row(&mut out, "visitor -> agent", &l.visitor_to_agent_all_open);
            latency_row(&mut out, "agent -> visitor", &l.agent_to_visitor_all_open);
        }
        latency_row(&mut out, "offer", &self.latency.offer);
        let _ = writeln!(out, "  (cpu over the {} window)", self.window);
        usage_row(&mut out, "hub", &self.hub);
        usage_row(&mut out, "hub, whole run", &self.hub_whole_run);
        usage_row(&mut out, "bench", &self.bench_process);
        if self.errors.is_empty() {
            let _ = writeln!(out, "  errors               none");
        } else {
            let _ = writeln!(out, "  errors");
            for (code, n) in &self.errors {
                let _ = writeln!(out, "    {code:<40} {n}");
            }
        }
        out
    }
}

/// Write `value` as pretty JSON to `path`, or to `bench-results/NAME-TIMESTAMP.json`
/// when no path is given. Returns the path written.
pub fn write_json<T: Serialize>(
    value: &T,
    path: Option<&Path>,
    name: &str,
) -> anyhow::Result<PathBuf> {
    let path = match path {
        Some(p) => p.to_path_buf(),
        None => PathBuf::from("bench-results").join(format!(
            "{name}-{}.json",
            Utc::now().format("%Y%m%dT%H%M%SZ")
        )),
    };
    if let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&path, serde_json::to_string_pretty(value)? + "\n")?;
    Ok(path)
}
