//! Smoke runs of the benchmarks at a tiny scale against a real hub on loopback: they
//! check that a run completes and that its report is complete, never how fast
//! anything was (timings on a shared machine prove nothing).

mod load;
mod resync;
