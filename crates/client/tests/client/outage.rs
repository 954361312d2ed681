//! Losing the hub and getting it back: a cut-off with messages typed meanwhile, the
//! resume and snapshot paths, a hub restart on the same data dir, and a link that is
//! slow, stalls, or has a frame cut in half.

use std::time::Duration;

use switchboard_client::protocol::{AgentStatus, ChatId};
use switchboard_client::{CatchUp, Client, Clock, ConnectionState, OutboxState};

use crate::proxy::{Direction, FaultProxy, Mode};
use crate::support::*;

/// Sign in through the proxy, go online, and accept one chat from a new visitor.
async fn agent_with_chat(
    hub: &TestHub,
    proxy: &FaultProxy,
    data: &std::path::Path,
) -> (Client, Visitor, ChatId, String) {
    let client = sign_in(config(data), &proxy.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("the agent goes online");
    let mut visitor = hub.visitor().await;
    let started = visitor
        .start("Grace", "Support", "Where is my parcel?")
        .await;
    let offer = until(&client, "the offer arrives", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .cloned()
    })
    .await;
    client.accept_offer(offer.id).await.expect("accepted");
    (client, visitor, started.chat_id, started.token)
}

/// Take the hub away from the client: refuse new links and kill the live one.
async fn cut_off(client: &Client, proxy: &FaultProxy) {
    proxy.set_mode(Mode::Refuse);
    proxy.drop_all();
    until_state(client, "the client notices the cut-off", |s| {
        matches!(s, ConnectionState::Reconnecting { .. })
    })
    .await;
}

async fn restore(client: &Client, proxy: &FaultProxy) {
    proxy.set_mode(Mode::Pass);
    client.reconnect_now();
    until_state(client, "the client is back online", |s| {
        matches!(s, ConnectionState::Online)
    })
    .await;
}

#[tokio::test]
async fn a_hundred_messages_typed_during_a_cut_off_arrive_once_and_in_order() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let (client, mut visitor, chat, _) = agent_with_chat(&hub, &proxy, &dir.path().join("c")).await;

    cut_off(&client, &proxy).await;
    let expected: Vec<String> = (0..100).map(|i| format!("message {i:03}")).collect();
    for text in &expected {
        client
            .send_message(chat, text)
            .await
            .expect("queued offline");
    }
    let console = client.console();
    assert_eq!(console.outbox.len(), 100, "every message shows as pending");
    assert!(
        console
            .outbox
            .iter()
            .all(|i| i.state == OutboxState::Pending),
        "nothing can be sent while cut off"
    );

    restore(&client, &proxy).await;
    // Drop the link again in the middle of the flush, cutting a request frame in
    // half: the message on the wire must be resent, and still arrive only once.
    let mut got = visitor.agent_messages(30).await;
    proxy.cut_next(Direction::Up);
    until(&client, "the outbox drains after the second drop", |c| {
        c.outbox.is_empty().then_some(())
    })
    .await;
    assert_eq!(
        proxy.cuts_done(),
        1,
        "a frame was cut on its way to the hub"
    );
    got.extend(visitor.agent_messages(100 - got.len()).await);
    assert_eq!(
        got, expected,
        "the visitor sees each message once, in order"
    );

    let transcript = client.transcript(chat).await.expect("transcript");
    let stored: Vec<String> = transcript
        .events
        .iter()
        .filter_map(|e| match &e.body {
            switchboard_client::protocol::EventBody::Message {
                author: switchboard_client::protocol::Author::Agent { .. },
                text,
                ..
            } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        stored, expected,
        "the hub stored each message once, in order"
    );
    let console = client.console();
    assert_eq!(
        messages(&console, chat)
            .iter()
            .filter(|t| t.starts_with("message "))
            .count(),
        100,
        "the console shows each message once"
    );
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn after_a_drop_the_hub_replays_what_was_missed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let (client, mut visitor, chat, _) = agent_with_chat(&hub, &proxy, &dir.path().join("c")).await;

    cut_off(&client, &proxy).await;
    for i in 0..10 {
        visitor.say(&format!("while you were away {i}")).await;
    }
    restore(&client, &proxy).await;
    until(&client, "the missed messages are replayed", |c| {
        let m = messages(c, chat);
        m.iter().any(|t| t == "while you were away 9").then_some(m)
    })
    .await;
    let m = messages(&client.console(), chat);
    let away: Vec<&String> = m.iter().filter(|t| t.starts_with("while")).collect();
    assert_eq!(away.len(), 10, "each missed message once: {m:?}");
    assert!(
        matches!(
            client.connection().last_catch_up(),
            Some(CatchUp::Resumed { .. })
        ),
        "a short gap is resumed from the push log, got {:?}",
        client.connection().last_catch_up()
    );
    assert_eq!(
        client.console().status,
        Some(AgentStatus::Online),
        "after a short drop the client restores the chosen online status"
    );
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn when_the_log_does_not_reach_back_a_snapshot_and_catch_up_fill_the_gap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |s| s.push_log_keep = 3).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let mut cfg_dir = dir.path().join("c");
    cfg_dir.push("agent");
    let mut cfg = config(&cfg_dir);
    // A drop longer than the grace: the agent decides about going online again.
    cfg.timing.online_grace = Duration::ZERO;
    let client = sign_in(cfg, &proxy.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("online");
    let mut visitor = hub.visitor().await;
    let started = visitor.start("Linus", "Support", "Kernel panic").await;
    let offer = until(&client, "the offer arrives", |c| c.offers.first().cloned()).await;
    client.accept_offer(offer.id).await.expect("accepted");
    let chat = started.chat_id;

    cut_off(&client, &proxy).await;
    for i in 0..10 {
        visitor.say(&format!("line {i}")).await;
    }
    restore(&client, &proxy).await;
    let m = until(&client, "the catch-up brings every message", |c| {
        let m = messages(c, chat);
        m.iter().any(|t| t == "line 9").then_some(m)
    })
    .await;
    let lines: Vec<String> = m.into_iter().filter(|t| t.starts_with("line ")).collect();
    let expected: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
    assert_eq!(lines, expected, "each message once, in order");
    assert!(
        matches!(
            client.connection().last_catch_up(),
            Some(CatchUp::Snapshot { .. })
        ),
        "a log that was trimmed forces the snapshot path, got {:?}",
        client.connection().last_catch_up()
    );
    assert_eq!(
        client.console().status,
        Some(AgentStatus::Away),
        "after a drop longer than the grace the client does not make the agent routable"
    );
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn the_hub_restarted_mid_conversation_loses_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub_dir = dir.path().join("hub");
    let hub = start_hub(&hub_dir, |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let (client, mut visitor, chat, token) =
        agent_with_chat(&hub, &proxy, &dir.path().join("c")).await;
    visitor.say("before the restart").await;
    until(&client, "the first message arrives", |c| {
        messages(c, chat)
            .contains(&"before the restart".to_string())
            .then_some(())
    })
    .await;

    hub.stop().await;
    until_state(&client, "the client notices the hub is gone", |s| {
        matches!(s, ConnectionState::Reconnecting { .. })
    })
    .await;
    visitor.close().await;
    let typed: Vec<String> = (0..5)
        .map(|i| format!("typed while the hub was down {i}"))
        .collect();
    for t in &typed {
        client.send_message(chat, t).await.expect("queued");
    }

    let hub = start_hub(&hub_dir, |_| {}).await;
    proxy.set_upstream(hub.addr());
    client.reconnect_now();
    until(&client, "the outbox drains into the restarted hub", |c| {
        (matches!(c.connection, ConnectionState::Online) && c.outbox.is_empty()).then_some(())
    })
    .await;
    assert!(
        matches!(
            client.connection().last_catch_up(),
            Some(CatchUp::Resumed { .. })
        ),
        "the push log survives a restart, so the client resumes: {:?}",
        client.connection().last_catch_up()
    );

    let (mut visitor, welcome) = Visitor::reattach(hub.addr(), &hub.hub.origin(), &token).await;
    let chat_view = welcome
        .chat
        .expect("the visitor's chat survives the restart");
    let seen: Vec<String> = chat_view
        .events
        .iter()
        .filter_map(|e| match &e.body {
            switchboard_client::protocol::visitor::VisitorEventBody::Message {
                from: switchboard_client::protocol::Party::Agent,
                text,
                ..
            } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen, typed,
        "the visitor sees what was typed, once, in order"
    );
    visitor.say("after the restart").await;
    until(&client, "the conversation goes on", |c| {
        messages(c, chat)
            .contains(&"after the restart".to_string())
            .then_some(())
    })
    .await;
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_slow_link_a_stalled_link_and_a_cut_frame_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let (client, mut visitor, chat, _) = agent_with_chat(&hub, &proxy, &dir.path().join("c")).await;

    // Slow: every chunk held back.
    proxy.set_mode(Mode::Delay(Duration::from_millis(150)));
    for i in 0..3 {
        client
            .send_message(chat, &format!("slow {i}"))
            .await
            .expect("queued");
        visitor.say(&format!("slow reply {i}")).await;
    }
    until(&client, "everything arrives over the slow link", |c| {
        (c.outbox.is_empty() && messages(c, chat).contains(&"slow reply 2".to_string()))
            .then_some(())
    })
    .await;
    let got = visitor.agent_messages(3).await;
    assert_eq!(got, vec!["slow 0", "slow 1", "slow 2"]);

    // Stalled: nothing moves and nothing closes; the heartbeat notices.
    proxy.set_mode(Mode::Stall);
    until_state(&client, "a silent link is declared dead", |s| {
        matches!(s, ConnectionState::Reconnecting { .. })
    })
    .await;
    proxy.drop_all();
    restore(&client, &proxy).await;

    // Cut: the push carrying the next message is cut in half on its way down.
    proxy.cut_next(Direction::Down);
    visitor.say("after the cut").await;
    until(
        &client,
        "the message cut in half arrives after the reconnect",
        |c| {
            messages(c, chat)
                .contains(&"after the cut".to_string())
                .then_some(())
        },
    )
    .await;
    assert_eq!(
        proxy.cuts_done(),
        1,
        "a frame was cut on its way to the client"
    );
    let all = messages(&client.console(), chat);
    assert_eq!(
        all.iter().filter(|t| *t == "after the cut").count(),
        1,
        "exactly once: {all:?}"
    );
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn while_the_hub_is_away_retries_back_off_with_a_cap_and_say_when() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let clock = switchboard_client::ManualClock::new(chrono::Utc::now());
    let mut cfg = config(&dir.path().join("c"));
    cfg.clock = std::sync::Arc::new(clock.clone());
    let timing = cfg.timing.clone();
    let client = sign_in(cfg, &proxy.url(), ADA).await;

    let (_, mut changes) = client.subscribe();
    proxy.set_mode(Mode::Refuse);
    proxy.drop_all();
    let mut seen = Vec::new();
    while seen.len() < 6 {
        let update = tokio::time::timeout(PATIENCE, changes.next())
            .await
            .expect("retries keep coming")
            .expect("the client runs");
        if let switchboard_client::ConsoleChange::Connection {
            state:
                ConnectionState::Reconnecting {
                    attempt,
                    next_attempt_at,
                    ..
                },
        } = &update.change
        {
            // The client's clock stands still, so the announced time is the delay.
            let delay = (*next_attempt_at - clock.now())
                .to_std()
                .expect("the next attempt is ahead");
            seen.push((*attempt, delay));
        }
    }
    for (i, (attempt, delay)) in seen.iter().enumerate() {
        assert_eq!(*attempt as usize, i + 1, "attempts are counted one by one");
        let ceiling = (timing.backoff_base * 2u32.pow(attempt - 1)).min(timing.backoff_cap);
        assert!(
            *delay >= ceiling / 2 && *delay <= ceiling,
            "attempt {attempt} waits {delay:?}, within [{:?}, {ceiling:?}]",
            ceiling / 2
        );
    }
    assert!(
        seen.last().is_some_and(|(_, d)| *d <= timing.backoff_cap),
        "the cap holds however long the hub is away"
    );
    restore(&client, &proxy).await;
    client.shutdown().await;
    hub.stop().await;
}
