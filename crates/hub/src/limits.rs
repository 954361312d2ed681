//! Rate limits: token buckets per connection and per address, on the hub's clock so
//! tests can drive them exactly.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

/// Allows bursts of up to `capacity`, refilled continuously at `per_sec`.
#[derive(Debug, Clone)]
pub struct TokenBucket {
    capacity: f64,
    per_sec: f64,
    tokens: f64,
    last: DateTime<Utc>,
}

impl TokenBucket {
    pub fn new(capacity: u32, per_sec: f64, now: DateTime<Utc>) -> Self {
        let capacity = f64::from(capacity.max(1));
        TokenBucket {
            capacity,
            per_sec: per_sec.max(0.0),
            tokens: capacity,
            last: now,
        }
    }

    /// `count` per minute, with a burst of the same size.
    pub fn per_minute(count: u32, now: DateTime<Utc>) -> Self {
        Self::new(count, f64::from(count) / 60.0, now)
    }

    /// `count` per hour, with a burst of the same size.
    pub fn per_hour(count: u32, now: DateTime<Utc>) -> Self {
        Self::new(count, f64::from(count) / 3600.0, now)
    }

    fn refill(&mut self, now: DateTime<Utc>) {
        let elapsed = (now - self.last).num_milliseconds().max(0) as f64 / 1000.0;
        self.tokens = (self.tokens + elapsed * self.per_sec).min(self.capacity);
        self.last = self.last.max(now);
    }

    /// Take one token if there is one.
    pub fn try_take(&mut self, now: DateTime<Utc>) -> bool {
        self.refill(now);
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }

    fn is_full(&mut self, now: DateTime<Utc>) -> bool {
        self.refill(now);
        self.tokens >= self.capacity
    }
}

/// One bucket per key (an IP address), shared by every connection.
#[derive(Debug)]
pub struct KeyedLimit<K> {
    buckets: Mutex<HashMap<K, TokenBucket>>,
    capacity: u32,
    per_sec: f64,
}

/// Above this many keys, full buckets (keys idle long enough) are forgotten.
const KEYS_BEFORE_PRUNE: usize = 10_000;

impl<K: Eq + Hash + Clone> KeyedLimit<K> {
    /// Each key may take `capacity` at once, refilled at `per_sec`.
    pub fn new(capacity: u32, per_sec: f64) -> Self {
        KeyedLimit {
            buckets: Mutex::new(HashMap::new()),
            capacity,
            per_sec,
        }
    }

    pub fn per_minute(count: u32) -> Self {
        Self::new(count, f64::from(count) / 60.0)
    }

    pub fn per_hour(count: u32) -> Self {
        Self::new(count, f64::from(count) / 3600.0)
    }

    pub fn try_take(&self, key: &K, now: DateTime<Utc>) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            return false;
        };
        if buckets.len() > KEYS_BEFORE_PRUNE {
            buckets.retain(|_, b| !b.is_full(now));
        }
        buckets
            .entry(key.clone())
            .or_insert_with(|| TokenBucket::new(self.capacity, self.per_sec, now))
            .try_take(now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    #[test]
    fn a_bucket_allows_its_burst_then_refills_at_its_rate() {
        let start = Utc::now();
        let mut b = TokenBucket::new(10, 2.0, start);
        assert_eq!(
            (0..15).filter(|_| b.try_take(start)).count(),
            10,
            "the burst is 10, the rest of a flood is refused"
        );
        assert!(
            !b.try_take(start + TimeDelta::milliseconds(400)),
            "0.8 tokens are not one"
        );
        assert!(
            b.try_take(start + TimeDelta::milliseconds(500)),
            "2 per second: one after 0.5 s"
        );
        let later = start + TimeDelta::seconds(3600);
        assert_eq!(
            (0..15).filter(|_| b.try_take(later)).count(),
            10,
            "refilling stops at the capacity"
        );
    }

    #[test]
    fn keys_have_separate_buckets() {
        let now = Utc::now();
        let limit: KeyedLimit<&str> = KeyedLimit::per_minute(2);
        assert!(limit.try_take(&"a", now));
        assert!(limit.try_take(&"a", now));
        assert!(!limit.try_take(&"a", now), "a used its two");
        assert!(limit.try_take(&"b", now), "b is not affected by a");
        assert!(
            limit.try_take(&"a", now + TimeDelta::seconds(30)),
            "one per 30 s comes back"
        );
    }
}
