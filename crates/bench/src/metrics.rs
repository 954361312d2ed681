//! What the scripted peers of a load run count and measure: connections held,
//! chats and messages, latency histograms (HDR, microseconds) and errors by code.
//! Shared by every peer task; counters are atomics and each histogram sits behind
//! its own lock (a record is a few nanoseconds, far below the message rate).

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::stamp;

/// Latencies above this are clamped (one minute, in microseconds).
const HIGHEST_US: u64 = 60_000_000;

fn histogram() -> Mutex<Histogram<u64>> {
    Mutex::new(new_histogram())
}

/// Everything a load run counts.
pub struct Metrics {
    pub connections_open: AtomicU64,
    pub connections_peak: AtomicU64,
    pub agents_online: AtomicU64,
    pub visitors_ready: AtomicU64,
    pub chats_started: AtomicU64,
    pub chats_connected: AtomicU64,
    pub chats_missed: AtomicU64,
    pub chats_ended: AtomicU64,
    pub offers: AtomicU64,
    pub wrap_ups: AtomicU64,
    pub sent_by_visitors: AtomicU64,
    pub sent_by_agents: AtomicU64,
    pub delivered_to_agents: AtomicU64,
    pub delivered_to_visitors: AtomicU64,
    /// First chat start and last chat connected (microseconds on [`stamp`]'s clock).
    pub first_start_us: AtomicU64,
    pub last_connected_us: AtomicU64,
    /// Last message delivered.
    pub last_delivery_us: AtomicU64,
    /// First `chat.end` sent (`u64::MAX` until one is).
    pub first_end_us: AtomicU64,
    /// Last delivery of a message sent before the first `chat.end`.
    pub last_delivery_all_open_us: AtomicU64,
    visitor_to_agent: Mutex<Histogram<u64>>,
    agent_to_visitor: Mutex<Histogram<u64>>,
    /// The same, for messages sent before any chat ended: while every chat of the run
    /// was open. Kept apart because the run's chats end together, within one message
    /// interval, and that burst of ends and wrap-ups is not the steady load the
    /// message rate describes.
    visitor_to_agent_all_open: Mutex<Histogram<u64>>,
    agent_to_visitor_all_open: Mutex<Histogram<u64>>,
    offer: Mutex<Histogram<u64>>,
    errors: Mutex<BTreeMap<String, u64>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            connections_open: AtomicU64::new(0),
            connections_peak: AtomicU64::new(0),
            agents_online: AtomicU64::new(0),
            visitors_ready: AtomicU64::new(0),
            chats_started: AtomicU64::new(0),
            chats_connected: AtomicU64::new(0),
            chats_missed: AtomicU64::new(0),
            chats_ended: AtomicU64::new(0),
            offers: AtomicU64::new(0),
            wrap_ups: AtomicU64::new(0),
            sent_by_visitors: AtomicU64::new(0),
            sent_by_agents: AtomicU64::new(0),
            delivered_to_agents: AtomicU64::new(0),
            delivered_to_visitors: AtomicU64::new(0),
            first_start_us: AtomicU64::new(u64::MAX),
            last_connected_us: AtomicU64::new(0),
            last_delivery_us: AtomicU64::new(0),
            first_end_us: AtomicU64::new(u64::MAX),
            last_delivery_all_open_us: AtomicU64::new(0),
            visitor_to_agent: histogram(),
            agent_to_visitor: histogram(),
            visitor_to_agent_all_open: histogram(),
            agent_to_visitor_all_open: histogram(),
            offer: histogram(),
            errors: Mutex::new(BTreeMap::new()),
        }
    }
}

/// Add one to a counter.
pub fn bump(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

/// Read a counter.
pub fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

fn record(h: &Mutex<Histogram<u64>>, us: u64) {
    let mut h = h.lock().unwrap_or_else(|p| p.into_inner());
    h.saturating_record(us.clamp(1, HIGHEST_US));
}

impl Metrics {
    /// A connection opened; keeps the peak.
    pub fn connected(&self) {
        let open = self.connections_open.fetch_add(1, Ordering::Relaxed) + 1;
        self.connections_peak.fetch_max(open, Ordering::Relaxed);
    }

    pub fn disconnected(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn chat_started(&self, at_us: u64) {
        bump(&self.chats_started);
        self.first_start_us.fetch_min(at_us, Ordering::Relaxed);
    }

    pub fn chat_connected(&self, at_us: u64) {
        bump(&self.chats_connected);
        self.last_connected_us.fetch_max(at_us, Ordering::Relaxed);
    }

    /// A visitor sent `chat.end` at `at_us`.
    pub fn chat_ending(&self, at_us: u64) {
        self.first_end_us.fetch_min(at_us, Ordering::Relaxed);
    }

    /// A visitor's message reached its agent, sent at `sent_us`.
    pub fn to_agent(&self, sent_us: u64) {
        bump(&self.delivered_to_agents);
        self.delivered(
            sent_us,
            &self.visitor_to_agent,
            &self.visitor_to_agent_all_open,
        );
    }

    /// An agent's message reached its visitor, sent at `sent_us`.
    pub fn to_visitor(&self, sent_us: u64) {
        bump(&self.delivered_to_visitors);
        self.delivered(
            sent_us,
            &self.agent_to_visitor,
            &self.agent_to_visitor_all_open,
        );
    }

    fn delivered(
        &self,
        sent_us: u64,
        all: &Mutex<Histogram<u64>>,
        all_open: &Mutex<Histogram<u64>>,
    ) {
        let now = stamp::now_us();
        self.last_delivery_us.fetch_max(now, Ordering::Relaxed);
        let latency = now.saturating_sub(sent_us);
        record(all, latency);
        if sent_us < self.first_end_us.load(Ordering::Relaxed) {
            self.last_delivery_all_open_us
                .fetch_max(now, Ordering::Relaxed);
            record(all_open, latency);
        }
    }

    /// An offer arrived for a chat whose `chat.start` was sent at `sent_us`.
    pub fn offer_arrived(&self, sent_us: u64) {
        bump(&self.offers);
        record(&self.offer, stamp::now_us().saturating_sub(sent_us));
    }

    /// Count an error under its code (`rate_limited`, `dial:http_429`, ...).
    pub fn error(&self, code: &str) {
        let mut errors = self.errors.lock().unwrap_or_else(|p| p.into_inner());
        match errors.get_mut(code) {
            Some(n) => *n += 1,
            None => {
                errors.insert(code.to_owned(), 1);
            }
        }
    }

    pub fn errors(&self) -> BTreeMap<String, u64> {
        self.errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn visitor_to_agent(&self) -> Percentiles {
        Percentiles::of(&self.visitor_to_agent)
    }

    pub fn agent_to_visitor(&self) -> Percentiles {
        Percentiles::of(&self.agent_to_visitor)
    }

    pub fn visitor_to_agent_all_open(&self) -> Percentiles {
        Percentiles::of(&self.visitor_to_agent_all_open)
    }

    pub fn agent_to_visitor_all_open(&self) -> Percentiles {
        Percentiles::of(&self.agent_to_visitor_all_open)
    }

    pub fn offer_latency(&self) -> Percentiles {
        Percentiles::of(&self.offer)
    }
}

/// A latency distribution in milliseconds.
#[derive(Debug, Clone, Copy, Serialize, Default)]
pub struct Percentiles {
    pub count: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    pub mean_ms: f64,
}

/// Microseconds as milliseconds, to the microsecond.
fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

impl Percentiles {
    fn of(h: &Mutex<Histogram<u64>>) -> Self {
        let h = h.lock().unwrap_or_else(|p| p.into_inner());
        Self::from_histogram(&h)
    }

    pub fn from_histogram(h: &Histogram<u64>) -> Self {
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            count: h.len(),
            p50_ms: ms(h.value_at_quantile(0.5)),
            p99_ms: ms(h.value_at_quantile(0.99)),
            p999_ms: ms(h.value_at_quantile(0.999)),
            max_ms: ms(h.max()),
            mean_ms: (h.mean()).round() / 1000.0,
        }
    }
}

/// A fresh histogram for microsecond latencies: 1 µs to a minute, three digits.
pub fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, HIGHEST_US, 3).expect("constant bounds are valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_messages_sent_before_the_first_end_count_as_all_open() {
        let m = Metrics::default();
        // The stamp clock starts at its first reading; stay clear of zero.
        let now = stamp::now_us() + 1_000_000;
        m.to_agent(now - 1_000);
        m.chat_ending(now);
        // A later end does not move the boundary.
        m.chat_ending(now + 5_000_000);
        m.to_agent(now - 2_000);
        // Until then every delivery was of a message sent while all chats were open.
        let open_end = m.last_delivery_all_open_us.load(Ordering::Relaxed);
        assert_eq!(open_end, m.last_delivery_us.load(Ordering::Relaxed));
        m.to_agent(now + 1);
        m.to_visitor(now + 2);
        assert_eq!(m.visitor_to_agent().count, 3);
        assert_eq!(m.visitor_to_agent_all_open().count, 2);
        assert_eq!(m.agent_to_visitor().count, 1);
        assert_eq!(m.agent_to_visitor_all_open().count, 0);
        // Deliveries of messages sent after the end do not stretch the all-open window.
        assert_eq!(
            m.last_delivery_all_open_us.load(Ordering::Relaxed),
            open_end
        );
    }
}
