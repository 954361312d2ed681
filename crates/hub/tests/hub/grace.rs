//! An agent who drops keeps its chats for the grace period; after it they are routed
//! to someone else, never left hanging.

use switchboard_protocol::agent::{self, AgentPush, ReleaseReason, ResumeOutcome};
use switchboard_protocol::visitor::{VisitorChatState, VisitorEventBody, VisitorPush};

use crate::support::*;

#[tokio::test]
async fn a_dropped_agents_chat_goes_to_another_agent_after_the_grace_period() {
    let hub = spawn_hub().await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy", &["Support"], &[], 3)
        .await;
    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    ada.hello(None).await;
    ada.set_status(switchboard_protocol::AgentStatus::Online)
        .await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let mut cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;
    hub.settle().await;
    ada.call(agent::Ping {}).await.expect("ping");
    let cursor = ada.last_seq.expect("a cursor");

    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;
    hub.advance(59).await;
    assert_eq!(
        cy.pending_offers(&hub).await,
        0,
        "within the grace period the chat stays Ada's"
    );

    hub.advance(1).await;
    let offer = cy.offer().await;
    assert_eq!(
        offer.chat.id, started.chat_id,
        "after 60 s the chat is routed to Cy"
    );
    visitor
        .wait_for("the agent leaving", |p| {
            matches!(p, VisitorPush::Event(e) if matches!(&e.event.body, VisitorEventBody::Notice { text } if text.contains("Ada Lovelace left")))
        })
        .await;
    cy.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Cy accepts");
    visitor
        .state(
            "connected to Cy",
            |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Cy"),
        )
        .await;

    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("reconnects");
    let welcome = ada.hello(Some(cursor)).await;
    assert_eq!(welcome.resume, ResumeOutcome::Resumed);
    ada.wait_for("the release", |p| {
        matches!(p, AgentPush::ChatReleased(r) if r.chat_id == started.chat_id && r.reason == ReleaseReason::Rerouted)
    })
    .await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert!(chats.chats.is_empty(), "the chat is no longer Ada's");
}

#[tokio::test]
async fn an_agent_back_within_the_grace_period_keeps_its_chats() {
    let hub = spawn_hub().await;
    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    ada.hello(None).await;
    ada.set_status(switchboard_protocol::AgentStatus::Online)
        .await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;

    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;
    hub.advance(59).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("reconnects");
    ada.hello(None).await;
    hub.advance(120).await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert_eq!(
        chats.chats.len(),
        1,
        "Ada came back in time and keeps the chat"
    );
    ada.say(started.chat_id, "Sorry, my connection dropped")
        .await;
    visitor.message("Sorry, my connection dropped").await;
    assert!(
        !visitor
            .notices(&hub)
            .await
            .iter()
            .any(|n| n.contains("left") || n.contains("someone else")),
        "the visitor never saw Ada leave"
    );
    assert!(
        !visitor
            .pushes
            .iter()
            .any(|p| matches!(&p.push, VisitorPush::State(s) if !matches!(s.state, VisitorChatState::Connected { .. }))),
        "the visitor stayed connected to Ada throughout"
    );
}

#[tokio::test]
async fn a_rerouted_chat_with_nobody_free_waits_at_the_front_of_the_queue() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        switchboard_hub::admin::DepartmentChanges {
            backup_mode: Some(switchboard_hub::routing::BackupMode::None),
            ..Default::default()
        },
    )
    .await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy", &["Support"], &[], 3)
        .await;
    hub.set_max_chats(ADA.0, 1).await;
    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    ada.hello(None).await;
    ada.set_status(switchboard_protocol::AgentStatus::Online)
        .await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    hub.advance(5).await;
    // Ada is full, so Walt queues behind her.
    let (mut later, _later_chat) = hub.visitor_chat("Walt", "Support").await;

    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;
    hub.advance(60).await;
    assert_eq!(
        visitor.notice("left").await,
        "Ada Lovelace left the chat",
        "the visitor is told the agent left"
    );
    visitor.notice("someone else").await;
    visitor
        .state("back in the queue", |s| {
            *s == VisitorChatState::Queued { position: 1 }
        })
        .await;
    later
        .state("behind the re-routed chat", |s| {
            *s == VisitorChatState::Queued { position: 2 }
        })
        .await;

    // Nobody is free for a while; the chat waits, and goes to the first who is.
    hub.advance(30).await;
    let mut cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;
    let offer = cy.offer().await;
    assert_eq!(
        offer.chat.id, started.chat_id,
        "the re-routed chat kept its place ahead of newer ones"
    );
    assert!(
        offer
            .events
            .iter()
            .any(|e| matches!(&e.body, switchboard_protocol::EventBody::Left { .. })),
        "the next agent sees what happened"
    );
    cy.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Cy accepts");
    visitor
        .state(
            "connected to Cy",
            |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Cy"),
        )
        .await;
}
