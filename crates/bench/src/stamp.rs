//! Send times carried inside message texts. Sender and receiver are tasks of the same
//! process, so one monotonic clock serves both ends: the receiving peer subtracts the
//! stamp from its own reading and gets the one-way latency through the hub.

use std::sync::OnceLock;
use std::time::Instant;

fn epoch() -> Instant {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    *EPOCH.get_or_init(Instant::now)
}

/// Microseconds since the process's first reading.
pub fn now_us() -> u64 {
    u64::try_from(epoch().elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// The instant a `now_us` reading stands for.
pub fn instant_of(us: u64) -> Instant {
    epoch() + std::time::Duration::from_micros(us)
}

/// A text stamped with who sent it (`v`isitor, `a`gent, `q`uestion), the send time
/// and the run it belongs to, e.g. `v 1234567 19a3f switchboard bench`. The run tag
/// keeps chats left over on the hub from an earlier run out of this run's numbers.
pub fn stamped(kind: char, sent_us: u64, run: &str) -> String {
    format!("{kind} {sent_us} {run} switchboard bench")
}

/// The kind, send time and run tag of a stamped text.
pub fn read(text: &str) -> Option<(char, u64, &str)> {
    let mut parts = text.splitn(4, ' ');
    let kind = parts.next()?.chars().next()?;
    let sent = parts.next()?.parse().ok()?;
    let run = parts.next()?;
    Some((kind, sent, run))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamp_reads_back() {
        let text = stamped('v', 42, "r7");
        assert_eq!(
            read(&text),
            Some(('v', 42, "r7")),
            "kind, time and run survive"
        );
        assert_eq!(read("hello there"), None, "an unstamped text has no time");
    }
}
