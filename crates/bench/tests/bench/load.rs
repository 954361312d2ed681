//! A tiny hub load run: a few agents, idle visitors and chatting visitors.

use switchboard_bench::load::{self, LoadPlan, Scenario};
use switchboard_bench::{report, setup};
use switchboard_hub::{Clock, Settings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_load_run_reports_every_figure() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    setup::create(
        dir.path(),
        &setup::Workspace {
            agents: 2,
            departments: 1,
            max_chats: 5,
        },
    )
    .await?;
    let settings = Settings::new(([127, 0, 0, 1], 0).into(), dir.path());
    let hub = switchboard_hub::spawn(settings, Clock::system()).await?;

    let mut plan = LoadPlan::preset(Scenario::Custom, &format!("http://{}", hub.addr()));
    plan.agents = 2;
    plan.idle_visitors = 2;
    plan.visitors = 3;
    plan.messages = 4;
    plan.message_interval_ms = Some(50);
    plan.chat_rate = 50.0;
    plan.together = true;
    // The hub runs in this process.
    plan.hub_pid = Some(std::process::id());
    let report = load::run(plan).await?;
    hub.stop().await?;

    assert!(
        report.errors.is_empty(),
        "a run well inside the hub's limits has no errors: {:?}",
        report.errors
    );
    assert_eq!(
        report.connections.agents_online, 2,
        "both agents got online"
    );
    assert_eq!(
        report.connections.idle_visitors_ready, 2,
        "both idle visitors connected"
    );
    assert!(
        report.connections.peak_held >= 7,
        "agents, idle visitors and chatting visitors were held at once"
    );
    assert_eq!(
        report.chats.started, 3,
        "every chatting visitor started a chat"
    );
    assert_eq!(report.chats.connected, 3, "every chat reached an agent");
    assert_eq!(report.chats.ended, 3, "every chat was ended by its visitor");
    assert!(
        report.chats.offers >= 3,
        "each chat was offered to an agent"
    );
    assert_eq!(
        report.messages.delivered_to_agents, report.messages.sent_by_visitors,
        "every visitor message reached its agent"
    );
    assert_eq!(
        report.messages.delivered_to_visitors, report.messages.sent_by_agents,
        "every agent answer reached its visitor"
    );
    assert_eq!(
        report.messages.sent_by_visitors, 6,
        "each of three visitors sent half of four messages"
    );
    for (name, p) in [
        ("visitor to agent", &report.latency.visitor_to_agent),
        ("agent to visitor", &report.latency.agent_to_visitor),
        ("offer", &report.latency.offer),
    ] {
        assert!(p.count > 0, "{name} latency has samples");
        assert!(
            p.p50_ms <= p.p99_ms && p.p99_ms <= p.p999_ms && p.p999_ms <= p.max_ms,
            "{name} percentiles are ordered: {p:?}"
        );
    }
    let hub_usage = report
        .hub_whole_run
        .expect("the hub process was sampled over the run");
    assert!(hub_usage.rss_peak_mib > 0.0, "the hub's memory was read");
    assert!(report.machine.cores >= 1, "the machine is described");

    let json = report::write_json(&report, Some(&dir.path().join("hub.json")), "hub")?;
    let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(json)?)?;
    for key in [
        "connections",
        "chats",
        "messages",
        "latency",
        "hub_whole_run",
        "errors",
        "machine",
    ] {
        assert!(value.get(key).is_some(), "the JSON report has `{key}`");
    }
    let table = report.table();
    for row in [
        "connections held",
        "visitor -> agent",
        "agent -> visitor",
        "offer",
        "errors",
    ] {
        assert!(table.contains(row), "the table has a `{row}` row:\n{table}");
    }
    Ok(())
}
