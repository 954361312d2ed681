//! Dropped agent connections: resume replays exactly what was missed, or asks for a
//! snapshot when the log no longer reaches back; a new connection never makes an
//! agent routable by itself.

use switchboard_protocol::agent::{self, AgentPush, ResumeOutcome};
use switchboard_protocol::{AgentStatus, CloseReason, EventBody, Seq};

use crate::support::*;

/// Ada online with an accepted chat from Vera; every push so far read.
async fn chatting(hub: &TestHub) -> (AgentPeer, VisitorPeer, switchboard_protocol::ChatId) {
    let mut ada = hub.online_agent(ADA).await;
    let (visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    ada.say(started.chat_id, "Hello!").await;
    hub.settle().await;
    ada.call(agent::Ping {}).await.expect("ping");
    (ada, visitor, started.chat_id)
}

#[tokio::test]
async fn a_dropped_agent_resumes_with_exactly_the_pushes_it_missed() {
    let hub = spawn_hub().await;
    let signed = hub.sign_in(ADA).await;
    let (ada, mut visitor, chat) = chatting(&hub).await;
    let cursor = ada.last_seq.expect("Ada has seen durable pushes");
    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;

    let texts = ["are you there?", "my order 1234", "hello??"];
    for text in texts {
        visitor.say(text).await;
    }

    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("Ada reconnects");
    let welcome = ada.hello(Some(cursor)).await;
    assert_eq!(
        welcome.resume,
        ResumeOutcome::Resumed,
        "the log reaches back to the cursor"
    );
    assert_eq!(
        welcome.status,
        AgentStatus::Away,
        "a reconnect does not make Ada routable again"
    );
    assert_eq!(
        welcome.last_seq,
        Seq(cursor.0 + 3),
        "three pushes were missed"
    );

    hub.settle().await;
    ada.call(agent::Ping {}).await.expect("ping");
    let replayed: Vec<_> = ada.pushes.iter().filter(|p| p.seq.is_some()).collect();
    let seqs: Vec<u64> = replayed.iter().map(|p| p.seq.map_or(0, |s| s.0)).collect();
    assert_eq!(
        seqs,
        vec![cursor.0 + 1, cursor.0 + 2, cursor.0 + 3],
        "exactly the missed seqs, in order"
    );
    let got: Vec<String> = replayed
        .iter()
        .map(|p| match &p.push {
            AgentPush::ChatEvent(e) => match &e.event.body {
                EventBody::Message { text, .. } => text.clone(),
                other => panic!("only messages were missed, not {other:?}"),
            },
            other => panic!("only chat events were missed, not {other:?}"),
        })
        .collect();
    assert_eq!(got, texts, "the missed messages, in order");

    // Live pushes continue the same stream.
    visitor.say("still here").await;
    let live = ada
        .wait_for("the live message", |p| matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::Message { text, .. } if text == "still here")))
        .await;
    assert_eq!(
        live.seq,
        Some(Seq(cursor.0 + 4)),
        "the live push follows the replay without a gap"
    );

    // The chat stayed Ada's across the drop.
    ada.say(chat, "Back again, sorry").await;
    visitor.message("Back again, sorry").await;
}

#[tokio::test]
async fn when_the_log_no_longer_reaches_back_the_agent_takes_a_snapshot() {
    let hub = spawn_hub_with(|s| s.push_log_keep = 4).await;
    let signed = hub.sign_in(ADA).await;
    let (ada, mut visitor, chat) = chatting(&hub).await;
    let cursor = ada.last_seq.expect("Ada has seen durable pushes");
    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;
    let mut last_event = None;
    for i in 0..6 {
        last_event = Some(visitor.say(&format!("message {i}")).await.event.id);
    }

    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("Ada reconnects");
    let welcome = ada.hello(Some(cursor)).await;
    assert_eq!(
        welcome.resume,
        ResumeOutcome::SnapshotRequired,
        "six pushes were missed but only four are kept"
    );
    hub.settle().await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert!(
        ada.pushes.iter().all(|p| p.seq.is_none()),
        "nothing is replayed when a snapshot is required"
    );

    let snapshot = ada
        .call(agent::SyncSnapshot {})
        .await
        .expect("the snapshot");
    assert_eq!(
        snapshot.seq, welcome.last_seq,
        "the snapshot reflects the head of the stream"
    );
    assert_eq!(snapshot.status, AgentStatus::Away);
    assert_eq!(snapshot.chats.len(), 1, "Ada still holds the chat");
    assert_eq!(snapshot.chats[0].id, chat);
    assert_eq!(
        snapshot.chats[0].last_event_id, last_event,
        "the summary names the newest event"
    );
    assert_eq!(
        snapshot.departments.len(),
        1,
        "Ada's department settings come along"
    );

    let page = ada
        .call(agent::ChatEvents {
            chat_id: chat,
            after: None,
            limit: Some(3),
        })
        .await
        .expect("catch-up");
    assert_eq!(page.events.len(), 3);
    assert!(page.more, "more events follow the first page");
    let rest = ada
        .call(agent::ChatEvents {
            chat_id: chat,
            after: page.events.last().map(|e| e.id),
            limit: None,
        })
        .await
        .expect("catch-up");
    assert!(!rest.more);
    assert_eq!(
        rest.events.last().map(|e| e.id),
        last_event,
        "catch-up reaches the newest event"
    );

    // A client claiming a seq the hub never sent also starts over.
    let again = AgentPeer::connect(hub.hub.addr(), &signed.token).await;
    let mut again = again.expect("another connection");
    let w = again.hello(Some(Seq(welcome.last_seq.0 + 100))).await;
    assert_eq!(w.resume, ResumeOutcome::SnapshotRequired);
}

#[tokio::test]
async fn a_second_connection_replaces_the_first() {
    let hub = spawn_hub().await;
    let signed = hub.sign_in(ADA).await;
    let mut first = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    first.hello(None).await;
    first.set_status(AgentStatus::Online).await;
    let mut second = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    let welcome = second.hello(None).await;
    assert_eq!(
        welcome.status,
        AgentStatus::Away,
        "the new connection does not inherit `online`"
    );
    let closing = first
        .wait_for("session.closing", |p| matches!(p, AgentPush::Closing(_)))
        .await;
    match closing.push {
        AgentPush::Closing(c) => {
            assert_eq!(c.reason, CloseReason::Replaced);
            assert!(!c.reconnect, "a replaced connection must not reconnect");
        }
        _ => unreachable!(),
    }
    let closed = first.wait_closed().await;
    assert_eq!(closed.code, Some(CloseReason::Replaced.close_code()));
}
