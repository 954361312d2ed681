//! Switchboard's benchmarks, as a library so the smoke test can drive them in-process.
//!
//! Map of the modules:
//! - [`setup`]: the bench workspace in a hub's data dir (departments, a site, agents),
//!   made through the hub's admin functions.
//! - [`load`]: the hub load run: scripted agents and visitors over the real protocol,
//!   in one of three scenarios (connections, throughput, offers).
//! - [`agent`] and [`visitor`]: the scripted peers of a load run.
//! - [`wire`]: dialing the hub from a chosen loopback address, and reading hub frames
//!   without building a JSON tree.
//! - [`stamp`]: send times carried inside message texts; [`stop`]: a stop signal.
//! - [`metrics`]: counters, latency histograms and errors shared by the peers.
//! - [`procfs`]: hub and bench memory and CPU from `/proc`, and the machine's
//!   description.
//! - [`resync`]: an agent's client core offline while events pile up, then
//!   reconnecting, through the cuttable [`relay`].
//! - [`report`]: results as JSON and as a short table.

pub mod agent;
pub mod load;
pub mod metrics;
pub mod procfs;
pub mod relay;
pub mod report;
pub mod resync;
pub mod setup;
pub mod stamp;
pub mod stop;
pub mod visitor;
pub mod wire;

/// Raise this process's open-file limit towards `wanted` (a load run holds one socket
/// per simulated peer). Returns the soft limit now in force.
pub fn raise_open_files(wanted: u64) -> u64 {
    match rlimit::increase_nofile_limit(wanted) {
        Ok(n) => n,
        Err(e) => {
            tracing::warn!("could not raise the open-file limit: {e}");
            rlimit::getrlimit(rlimit::Resource::NOFILE).map_or(0, |(soft, _)| soft)
        }
    }
}
