//! `switchboard-bench`: Switchboard's benchmarks.
//!
//! - `setup`: the bench workspace in a hub's data dir (run before `serve`).
//! - `hub`: drive a running hub with scripted agents and visitors; report.
//! - `resync`: an agent's client core offline while events pile up, then
//!   reconnecting; report the time until its cache is current.
//!
//! Results go to a JSON file (`--out`, default `bench-results/NAME-TIME.json`) and a
//! short table on stdout. `docs/performance.md` has the method and the numbers;
//! `scripts/bench.sh` reruns everything.

use std::io::IsTerminal;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use switchboard_bench::load::{self, LoadPlan, Scenario};
use switchboard_bench::report;
use switchboard_bench::resync::{self, ResyncPlan};
use switchboard_bench::setup::{self, Workspace};

#[derive(Parser)]
#[command(name = "switchboard-bench", version, about = "Switchboard benchmarks")]
struct Cli {
    /// Worker threads of the bench's runtime (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Create the bench workspace (departments, a site, agents) in a hub's data dir.
    /// Run it while the hub is stopped.
    Setup {
        #[arg(long, value_name = "DIR")]
        data: PathBuf,
        /// Agents `agent-0@bench.switchboard.test` ... (password in the bench).
        #[arg(long, default_value_t = 500)]
        agents: usize,
        /// Departments `Bench 1` ...; agents are spread over them round robin.
        #[arg(long, default_value_t = 10)]
        departments: usize,
        /// Each agent's concurrent-chat cap.
        #[arg(long, default_value_t = 10)]
        max_chats: u32,
    },
    /// Drive a running hub with scripted agents and visitors.
    Hub(HubArgs),
    /// Measure how fast an agent's client core catches up after an outage.
    Resync {
        /// Durable events while the agent is away, per outage.
        #[arg(long, default_value_t = 1000)]
        events: u32,
        /// Chats the agent holds.
        #[arg(long, default_value_t = 20)]
        chats: u32,
        /// Outages per path (resume, snapshot).
        #[arg(long, default_value_t = 5)]
        rounds: u32,
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

#[derive(Args)]
struct HubArgs {
    /// The hub, e.g. http://127.0.0.1:8080 (loopback only).
    #[arg(long)]
    url: String,
    /// The preset to start from; the options below override it.
    #[arg(long, value_enum, default_value = "custom")]
    scenario: Scenario,
    /// Simulated agents (must exist: see `setup`).
    #[arg(long)]
    agents: Option<usize>,
    /// Visitors that each start one chat.
    #[arg(long)]
    visitors: Option<usize>,
    /// Visitors that only connect (`hello`) and stay, pinging.
    #[arg(long)]
    idle_visitors: Option<usize>,
    /// Messages per chat, both directions (the agent answers each visitor message).
    #[arg(long)]
    messages: Option<u32>,
    /// Messages per second in all when every chat talks at once, e.g. `5000/s`.
    #[arg(long, value_parser = per_second)]
    rate: Option<f64>,
    /// Each visitor's interval between messages (overrides --rate).
    #[arg(long, value_name = "MS")]
    message_interval_ms: Option<u64>,
    /// Chat starts per second, e.g. `50/s`.
    #[arg(long, value_parser = per_second)]
    chat_rate: Option<f64>,
    /// Wait until every chat is connected before anyone talks.
    #[arg(long)]
    together: Option<bool>,
    /// Seconds to hold the connections once all are up.
    #[arg(long)]
    hold: Option<u64>,
    /// The hub's process id (found by its port when not given).
    #[arg(long)]
    hub_pid: Option<u32>,
    /// The Origin visitors send.
    #[arg(long, default_value = setup::ORIGIN)]
    origin: String,
    /// Dials in flight at once.
    #[arg(long)]
    dial_concurrency: Option<usize>,
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

fn per_second(s: &str) -> Result<f64, String> {
    let n = s.trim().trim_end_matches("/s");
    n.parse::<f64>()
        .ok()
        .filter(|v| *v > 0.0)
        .ok_or_else(|| format!("`{s}` is not a rate like 5000/s"))
}

fn plan(a: &HubArgs) -> LoadPlan {
    let mut p = LoadPlan::preset(a.scenario, &a.url);
    p.origin = a.origin.clone();
    if let Some(v) = a.agents {
        p.agents = v;
    }
    if let Some(v) = a.visitors {
        p.visitors = v;
    }
    if let Some(v) = a.idle_visitors {
        p.idle_visitors = v;
    }
    if let Some(v) = a.messages {
        p.messages = v;
    }
    if let Some(v) = a.rate {
        p.rate = v;
        p.message_interval_ms = None;
    }
    if a.message_interval_ms.is_some() {
        p.message_interval_ms = a.message_interval_ms;
    }
    if let Some(v) = a.chat_rate {
        p.chat_rate = v;
    }
    if let Some(v) = a.together {
        p.together = v;
    }
    if let Some(v) = a.hold {
        p.hold_secs = v;
    }
    if let Some(v) = a.dial_concurrency {
        p.dial_concurrency = v;
    }
    p.hub_pid = a.hub_pid;
    p
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,switchboard_hub=warn,switchboard_client=warn".into()),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = cli.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime.enable_all().build()?;
    runtime.block_on(async move {
        match cli.command {
            Command::Setup {
                data,
                agents,
                departments,
                max_chats,
            } => {
                let created = setup::create(
                    &data,
                    &Workspace {
                        agents,
                        departments,
                        max_chats,
                    },
                )
                .await?;
                println!(
                    "bench workspace in {}: {} departments and {} agents added, {} agents kept; visitors use origin {}",
                    data.display(),
                    created.departments,
                    created.agents,
                    created.agents_existing,
                    setup::ORIGIN
                );
            }
            Command::Hub(args) => {
                let plan = plan(&args);
                let report = load::run(plan).await?;
                let name = format!("hub-{:?}", report.plan.scenario).to_lowercase();
                let path = report::write_json(&report, args.out.as_deref(), &name)
                    .context("writing the results")?;
                print!("{}", report.table());
                println!("  results: {}", path.display());
            }
            Command::Resync {
                events,
                chats,
                rounds,
                out,
            } => {
                let plan = ResyncPlan {
                    events,
                    chats,
                    rounds,
                    ..ResyncPlan::default()
                };
                let report = resync::run(plan).await?;
                let path = report::write_json(&report, out.as_deref(), "resync")
                    .context("writing the results")?;
                print!("{}", report.table());
                println!("  results: {}", path.display());
            }
        }
        anyhow::Ok(())
    })
}
