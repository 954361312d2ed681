//! A tiny resync run: both catch-up paths, one short outage each.

use switchboard_bench::resync::{self, CatchUpPath, ResyncPlan};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_resync_run_measures_both_paths() -> anyhow::Result<()> {
    let plan = ResyncPlan {
        events: 40,
        chats: 3,
        ends: 1,
        misses: 2,
        rounds: 1,
        snapshot_log_keep: 5,
    };
    let report = resync::run(plan).await?;
    let paths: Vec<CatchUpPath> = report.paths.iter().map(|p| p.path).collect();
    assert_eq!(
        paths,
        [CatchUpPath::Resume, CatchUpPath::Snapshot],
        "both catch-up paths are measured"
    );
    for path in &report.paths {
        assert_eq!(path.rounds.len(), 1, "one outage per path was planned");
        let round = &path.rounds[0];
        assert!(
            round.events >= 40,
            "the outage brought the planned events: {round:?}"
        );
        let expected = match path.path {
            CatchUpPath::Resume => "resumed",
            CatchUpPath::Snapshot => "snapshot",
        };
        assert_eq!(
            round.catch_up, expected,
            "the client took the catch-up the path is built for"
        );
        assert!(
            round.online_ms > 0.0 && round.current_ms > 0.0,
            "both times of the round are measured: {round:?}"
        );
        assert_eq!(path.current.count, 1, "the round is in the percentiles");
    }
    assert!(
        report.table().contains("cache current after"),
        "the table reports the catch-up time"
    );
    Ok(())
}
