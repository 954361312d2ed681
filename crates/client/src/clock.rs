//! Time as the client sees it: a wall clock passed in (so tests can fix it) and the
//! reconnect backoff schedule. Waiting itself uses tokio's timers, which tests pause.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::{Rng, SeedableRng, rngs::StdRng};

/// The wall clock, used for timestamps shown to people (the next reconnect attempt,
/// an outbox item's creation time, when to refresh a token).
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;
}

/// The system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to, for tests.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        Self(Arc::new(Mutex::new(start)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().unwrap_or_else(|p| p.into_inner());
        *now += chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Exponential backoff with "equal jitter": attempt n waits between half and all of
/// `min(cap, base * 2^(n-1))`. The random half spreads a crowd of clients that lost
/// the hub at the same moment; the fixed half keeps each one from hammering it.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    cap: Duration,
    rng: StdRng,
}

impl Backoff {
    pub fn new(base: Duration, cap: Duration) -> Self {
        Self::with_rng(base, cap, StdRng::from_entropy())
    }

    /// A backoff with a fixed seed, so a test sees the same schedule every run.
    pub fn seeded(base: Duration, cap: Duration, seed: u64) -> Self {
        Self::with_rng(base, cap, StdRng::seed_from_u64(seed))
    }

    fn with_rng(base: Duration, cap: Duration, rng: StdRng) -> Self {
        Self {
            base: base.max(Duration::from_millis(1)),
            cap: cap.max(base),
            rng,
        }
    }

    /// The ceiling for attempt `attempt` (1-based), before jitter.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(30);
        self.base
            .checked_mul(1u32 << shift)
            .unwrap_or(self.cap)
            .min(self.cap)
    }

    /// How long to wait before attempt `attempt` (1-based).
    pub fn delay(&mut self, attempt: u32) -> Duration {
        let ceiling = self.ceiling(attempt);
        let half = ceiling / 2;
        let spread = (ceiling - half).as_millis() as u64;
        half + Duration::from_millis(self.rng.gen_range(0..=spread))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_within_half() {
        let mut b = Backoff::seeded(Duration::from_millis(500), Duration::from_secs(30), 7);
        let mut previous_ceiling = Duration::ZERO;
        for attempt in 1..=12 {
            let ceiling = b.ceiling(attempt);
            assert!(ceiling >= previous_ceiling, "the ceiling never shrinks");
            assert!(ceiling <= Duration::from_secs(30), "the cap holds");
            let d = b.delay(attempt);
            assert!(
                d >= ceiling / 2 && d <= ceiling,
                "attempt {attempt}: {d:?} must lie in [{:?}, {ceiling:?}]",
                ceiling / 2
            );
            previous_ceiling = ceiling;
        }
        assert_eq!(b.ceiling(1), Duration::from_millis(500));
        assert_eq!(b.ceiling(2), Duration::from_secs(1));
        assert_eq!(
            b.ceiling(40),
            Duration::from_secs(30),
            "huge attempts stay capped"
        );
    }

    #[test]
    fn two_clients_do_not_retry_in_lockstep() {
        let mut a = Backoff::seeded(Duration::from_secs(1), Duration::from_secs(60), 1);
        let mut b = Backoff::seeded(Duration::from_secs(1), Duration::from_secs(60), 2);
        let same = (1..=8).filter(|&n| a.delay(n) == b.delay(n)).count();
        assert!(same < 8, "jitter must spread clients that dropped together");
    }

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = DateTime::<Utc>::from_timestamp(1_700_000_000, 0).expect("valid time");
        let clock = ManualClock::new(start);
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_secs(90));
        assert_eq!((clock.now() - start).num_seconds(), 90);
    }
}
