//! The hub's notion of time, injected so that timers (offers, etiquette, expiry) can
//! be driven by tests without waiting: [`Clock::system`] in production, a
//! [`ManualClock`] that a test advances by hand.
//!
//! Only business time comes from here. Transport timing (heartbeat idle timeouts,
//! write timeouts) stays on tokio's clock, so advancing the manual clock by minutes
//! does not drop every test connection.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::watch;

/// A source of "now" and a way to sleep until a point in time.
#[derive(Clone, Debug)]
pub struct Clock(Source);

#[derive(Clone, Debug)]
enum Source {
    System,
    Manual(ManualClock),
}

/// A clock that moves only when told to. Cloning shares the same time.
#[derive(Clone, Debug)]
pub struct ManualClock {
    now: Arc<watch::Sender<DateTime<Utc>>>,
}

impl Clock {
    pub fn system() -> Self {
        Clock(Source::System)
    }

    /// Now, truncated to milliseconds: the resolution the store keeps, so a time read
    /// back from the database compares equal to the one written.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            Source::System => truncate_millis(Utc::now()),
            Source::Manual(m) => m.now(),
        }
    }

    /// Completes once [`Clock::now`] has reached `deadline`.
    pub async fn sleep_until(&self, deadline: DateTime<Utc>) {
        match &self.0 {
            Source::System => loop {
                let left = deadline - Utc::now();
                if left <= TimeDelta::zero() {
                    return;
                }
                let left = left.to_std().unwrap_or(Duration::from_millis(1));
                // Sleep in slices so a wall-clock jump cannot stall a timer for long.
                tokio::time::sleep(left.min(Duration::from_secs(60))).await;
            },
            Source::Manual(m) => m.reached(deadline).await,
        }
    }

    /// The manual clock behind this one, if it is one.
    pub fn manual(&self) -> Option<&ManualClock> {
        match &self.0 {
            Source::Manual(m) => Some(m),
            Source::System => None,
        }
    }
}

impl From<ManualClock> for Clock {
    fn from(m: ManualClock) -> Self {
        Clock(Source::Manual(m))
    }
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        let (tx, _) = watch::channel(truncate_millis(start));
        ManualClock { now: Arc::new(tx) }
    }

    /// A manual clock starting at the current wall-clock time.
    pub fn starting_now() -> Self {
        Self::new(Utc::now())
    }

    pub fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    /// Move time forward, waking every sleeper whose deadline has come.
    pub fn advance(&self, by: Duration) {
        let by = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        self.now.send_modify(|now| *now += by);
    }

    async fn reached(&self, deadline: DateTime<Utc>) {
        let mut rx = self.now.subscribe();
        loop {
            if *rx.borrow_and_update() >= deadline {
                return;
            }
            if rx.changed().await.is_err() {
                // The clock is gone; time will never come.
                std::future::pending::<()>().await;
            }
        }
    }
}

fn truncate_millis(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(t.timestamp_millis()).unwrap_or(t)
}

/// Unix milliseconds, as the store keeps times.
pub fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// A stored time back as a timestamp.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A number of seconds as a time span.
pub fn secs(s: u32) -> TimeDelta {
    TimeDelta::seconds(i64::from(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn manual_sleep_wakes_only_when_advanced_past_the_deadline() {
        let manual = ManualClock::starting_now();
        let clock = Clock::from(manual.clone());
        let deadline = clock.now() + TimeDelta::seconds(10);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move { clock.sleep_until(deadline).await }
        });
        manual.advance(Duration::from_secs(9));
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "9 s of a 10 s sleep have passed");
        manual.advance(Duration::from_secs(1));
        tokio::time::timeout(Duration::from_secs(5), sleeper)
            .await
            .expect("the sleeper wakes once the deadline is reached")
            .expect("the sleeper does not panic");
    }
}
