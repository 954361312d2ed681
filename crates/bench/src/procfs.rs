//! Memory and CPU of the hub and of the bench itself, read from `/proc` while a run
//! goes on; finding the hub's process by its listening port; and the machine's
//! description for the report.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;
use tokio::task::JoinHandle;

use crate::stamp;
use crate::stop::Stop;

/// Clock ticks per second in `/proc/PID/stat` (USER_HZ, 100 on Linux).
const TICKS_PER_SEC: f64 = 100.0;

/// One reading of a process.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct ProcessReading {
    /// User plus system CPU time so far, in clock ticks.
    pub cpu_ticks: u64,
    pub rss_kib: u64,
    /// The peak RSS so far (VmHWM).
    pub hwm_kib: u64,
    pub threads: u64,
}

/// Read `/proc/PID/stat` and `/proc/PID/status` (`self` for this process).
pub fn read_process(pid: &str) -> Option<ProcessReading> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces; the fields after it are space-separated.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    // Field 14 (utime) and 15 (stime) of the full line; `rest` starts at field 3.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib = |key: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    Some(ProcessReading {
        cpu_ticks: utime + stime,
        rss_kib: kib("VmRSS:"),
        hwm_kib: kib("VmHWM:"),
        threads: kib("Threads:"),
    })
}

/// Open file descriptors of a process (its sockets, mostly).
pub fn open_fds(pid: u32) -> Option<usize> {
    Some(std::fs::read_dir(format!("/proc/{pid}/fd")).ok()?.count())
}

/// The process listening on TCP `port` (IPv4 or IPv6), found through the socket's
/// inode in `/proc/net/tcp*` and the process's `/proc/PID/fd` links.
pub fn listener_pid(port: u16) -> Option<u32> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let Ok(text) = std::fs::read_to_string(table) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let cols: Vec<&str> = line.split_whitespace().collect();
            let (Some(local), Some(state), Some(inode)) = (cols.get(1), cols.get(3), cols.get(9))
            else {
                continue;
            };
            let listening = *state == "0A";
            let on_port = local
                .rsplit(':')
                .next()
                .and_then(|p| u16::from_str_radix(p, 16).ok())
                == Some(port);
            if listening && on_port {
                inodes.insert(format!("socket:[{inode}]"));
            }
        }
    }
    if inodes.is_empty() {
        return None;
    }
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        for fd in fds.flatten() {
            if let Ok(target) = std::fs::read_link(fd.path())
                && inodes.contains(target.to_string_lossy().as_ref())
            {
                return Some(pid);
            }
        }
    }
    None
}

/// One sample of both processes.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at_us: u64,
    pub hub: Option<ProcessReading>,
    pub hub_fds: Option<usize>,
    pub bench: Option<ProcessReading>,
}

/// Samples the hub (when its pid is known) and this process every `every`.
pub struct Sampler {
    samples: Arc<Mutex<Vec<Sample>>>,
    stop: Stop,
    task: JoinHandle<()>,
}

impl Sampler {
    pub fn start(hub_pid: Option<u32>, every: Duration) -> Self {
        let samples = Arc::new(Mutex::new(Vec::new()));
        let stop = Stop::default();
        let task = {
            let samples = samples.clone();
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut tick = tokio::time::interval(every);
                tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                loop {
                    tokio::select! {
                        _ = stop.wait() => break,
                        _ = tick.tick() => {}
                    }
                    let sample = take_sample(hub_pid);
                    samples
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(sample);
                }
                let sample = take_sample(hub_pid);
                samples
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(sample);
            })
        };
        Sampler {
            samples,
            stop,
            task,
        }
    }

    /// Stop sampling and hand over the samples.
    pub async fn finish(self) -> Vec<Sample> {
        self.stop.fire();
        let _ = self.task.await;
        std::mem::take(&mut *self.samples.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

fn take_sample(hub_pid: Option<u32>) -> Sample {
    Sample {
        at_us: stamp::now_us(),
        hub: hub_pid.and_then(|p| read_process(&p.to_string())),
        hub_fds: hub_pid.and_then(open_fds),
        bench: read_process("self"),
    }
}

/// CPU and memory of one process over a window of a run.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Usage {
    /// Average CPU over the window, in percent of one core (200 = both cores busy).
    pub cpu_avg_pct: f64,
    /// Highest CPU between two samples in the window.
    pub cpu_peak_pct: f64,
    pub rss_peak_mib: f64,
    pub rss_end_mib: f64,
    /// The kernel's own peak RSS (VmHWM) at the end of the window.
    pub hwm_mib: f64,
    pub threads: u64,
}

fn mib(kib: u64) -> f64 {
    (kib as f64 / 1024.0 * 10.0).round() / 10.0
}

fn pct(ticks: u64, us: u64) -> f64 {
    if us == 0 {
        return 0.0;
    }
    let secs = us as f64 / 1e6;
    (ticks as f64 / TICKS_PER_SEC / secs * 1000.0).round() / 10.0
}

/// Usage of the process `pick` selects over samples taken in `[from_us, to_us]`.
pub fn usage(
    samples: &[Sample],
    from_us: u64,
    to_us: u64,
    pick: impl Fn(&Sample) -> Option<ProcessReading>,
) -> Option<Usage> {
    let window: Vec<(u64, ProcessReading)> = samples
        .iter()
        .filter(|s| s.at_us >= from_us && s.at_us <= to_us)
        .filter_map(|s| pick(s).map(|r| (s.at_us, r)))
        .collect();
    let (first, last) = (window.first()?, window.last()?);
    let cpu_avg_pct = pct(
        last.1.cpu_ticks.saturating_sub(first.1.cpu_ticks),
        last.0.saturating_sub(first.0),
    );
    let cpu_peak_pct = window
        .windows(2)
        .map(|w| {
            pct(
                w[1].1.cpu_ticks.saturating_sub(w[0].1.cpu_ticks),
                w[1].0.saturating_sub(w[0].0),
            )
        })
        .fold(0.0, f64::max);
    Some(Usage {
        cpu_avg_pct,
        cpu_peak_pct,
        rss_peak_mib: mib(window.iter().map(|(_, r)| r.rss_kib).max().unwrap_or(0)),
        rss_end_mib: mib(last.1.rss_kib),
        hwm_mib: mib(last.1.hwm_kib),
        threads: last.1.threads,
    })
}

/// The machine a run happened on.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

pub fn machine() -> Machine {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
        .unwrap_or_else(|| "unknown".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: u64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map(|s| format!("Linux {}", s.trim()))
        .unwrap_or_else(|_| "unknown".into());
    Machine {
        cpu,
        cores,
        memory_gib: (mem_kib as f64 / 1024.0 / 1024.0 * 10.0).round() / 10.0,
        kernel,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_can_be_read() {
        let me = read_process("self").expect("/proc/self is readable on Linux");
        assert!(me.rss_kib > 0, "a running process has resident memory");
        assert!(me.threads >= 1, "and at least one thread");
    }

    #[test]
    fn usage_averages_cpu_over_the_window() {
        let reading = |ticks| ProcessReading {
            cpu_ticks: ticks,
            rss_kib: 2048,
            hwm_kib: 4096,
            threads: 3,
        };
        let samples = [
            Sample {
                at_us: 0,
                hub: Some(reading(0)),
                hub_fds: None,
                bench: None,
            },
            Sample {
                at_us: 2_000_000,
                hub: Some(reading(100)),
                hub_fds: None,
                bench: None,
            },
        ];
        let u = usage(&samples, 0, 2_000_000, |s| s.hub).expect("two samples make a window");
        assert_eq!(u.cpu_avg_pct, 50.0, "100 ticks in 2 s is half a core");
        assert_eq!(u.rss_peak_mib, 2.0);
        assert_eq!(u.hwm_mib, 4.0);
    }
}
