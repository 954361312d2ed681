//! Who gets a chat: least busy first, decline and timeout pass it on (never back),
//! backup routing when the department has nobody.

use switchboard_hub::admin::DepartmentChanges;
use switchboard_hub::routing::BackupMode;
use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::visitor::VisitorChatState;
use switchboard_protocol::{AgentStatus, OfferEnd};

use crate::support::*;

#[tokio::test]
async fn the_least_busy_agent_is_offered_first_then_the_longest_idle() {
    let hub = spawn_hub().await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy", &["Support"], &[], 3)
        .await;
    let mut ada = hub.online_agent(ADA).await;
    let mut cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;

    // Both idle and never offered anything: the tie goes to the older account (Ada).
    let (_v1, first) = hub.visitor_chat("One", "Support").await;
    let accepted = ada.accept_next().await;
    assert_eq!(accepted.chat.id, first.chat_id);
    assert_eq!(cy.pending_offers(&hub).await, 0, "one offer at a time");

    hub.advance(1).await;
    let (_v2, second) = hub.visitor_chat("Two", "Support").await;
    let offer = cy.offer().await;
    assert_eq!(
        offer.chat.id, second.chat_id,
        "Cy has no chat, Ada has one: Cy is least busy"
    );
    cy.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Cy accepts");

    hub.advance(1).await;
    let (_v3, third) = hub.visitor_chat("Three", "Support").await;
    let offer = ada.offer().await;
    assert_eq!(
        offer.chat.id, third.chat_id,
        "both hold one chat; Ada was offered one longer ago, so she is the longest idle"
    );
    assert_eq!(cy.pending_offers(&hub).await, 0);
}

#[tokio::test]
async fn decline_and_timeout_pass_the_offer_on_and_never_back() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        DepartmentChanges {
            backup_mode: Some(BackupMode::None),
            ..Default::default()
        },
    )
    .await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy", &["Support"], &[], 3)
        .await;
    let mut ada = hub.online_agent(ADA).await;
    let mut cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;
    let mut ben = hub.online_agent(BEN).await;

    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    let offer = ada.offer().await;
    ada.call(agent::OfferDecline { offer_id: offer.id })
        .await
        .expect("Ada declines");
    let closed = ada
        .wait_for("offer.closed", |p| matches!(p, AgentPush::OfferClosed(_)))
        .await;
    assert!(
        matches!(closed.push, AgentPush::OfferClosed(c) if c.reason == OfferEnd::Declined),
        "Ada's offer is closed as declined"
    );

    let offer = cy.offer().await;
    assert_eq!(
        offer.chat.id, started.chat_id,
        "the declined chat moves on to Cy"
    );
    assert_eq!(
        (offer.expires_at - offer.offered_at).num_seconds(),
        20,
        "the default offer timeout is 20 s"
    );
    hub.advance(19).await;
    assert!(
        !cy.pushes
            .iter()
            .any(|p| matches!(p.push, AgentPush::OfferClosed(_))),
        "19 s in, Cy's offer is still open"
    );
    hub.advance(1).await;
    let closed = cy
        .wait_for("offer.closed", |p| matches!(p, AgentPush::OfferClosed(_)))
        .await;
    assert!(matches!(closed.push, AgentPush::OfferClosed(c) if c.reason == OfferEnd::Timeout));

    visitor
        .state("queued", |s| {
            matches!(s, VisitorChatState::Queued { position: 1 })
        })
        .await;
    assert_eq!(
        ada.pending_offers(&hub).await,
        0,
        "never back to Ada, who declined"
    );
    assert_eq!(
        cy.pending_offers(&hub).await,
        0,
        "never back to Cy, who let it time out"
    );
    assert_eq!(
        ben.pending_offers(&hub).await,
        0,
        "Ben is Sales and Support has no backup"
    );

    // Both stay routable for other chats.
    let (_other, other) = hub.visitor_chat("Otto", "Support").await;
    let offer = ada.offer().await;
    assert_eq!(
        offer.chat.id, other.chat_id,
        "Ada still gets chats she did not refuse"
    );

    // A newly available agent picks up the waiting chat.
    let dee = hub
        .add_agent("dee@switchboard.demo", "Dee", &["Support"], &[], 3)
        .await;
    let mut dee = hub.online_agent((dee.0.as_str(), dee.1.as_str())).await;
    let offer = dee.offer().await;
    assert_eq!(
        offer.chat.id, started.chat_id,
        "the waiting chat goes to the new agent"
    );
}

#[tokio::test]
async fn backup_routing_reaches_sales_when_support_has_nobody_online() {
    let hub = spawn_hub().await;
    let mut ben = hub.online_agent(BEN).await;
    // Ada is connected but away: not routable.
    let mut ada = hub.agent(ADA).await;
    ada.set_status(AgentStatus::Away).await;

    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    assert_eq!(started.state, VisitorChatState::Connecting);
    let offer = ben.offer().await;
    assert_eq!(
        offer.chat.id, started.chat_id,
        "least-busy backup hands the Support chat to Ben"
    );
    ben.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Ben accepts");
    visitor
        .state("connected to Ben", |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Ben Franklin"))
        .await;
    assert_eq!(
        ada.pending_offers(&hub).await,
        0,
        "an away agent gets no offers"
    );

    // With backup routing off, nobody can take the next Support chat: it is missed
    // at once and the visitor is offered the offline form.
    hub.set_department(
        "Support",
        DepartmentChanges {
            backup_mode: Some(BackupMode::None),
            ..Default::default()
        },
    )
    .await;
    let (_v, missed) = hub.visitor_chat("Wim", "Support").await;
    assert_eq!(
        missed.state,
        VisitorChatState::Missed { offline_form: true }
    );
    assert_eq!(
        ben.pending_offers(&hub).await,
        0,
        "no backup: Ben is not asked"
    );

    // With Ada online, Support chats reach her again.
    ada.set_status(AgentStatus::Online).await;
    let (_v, next) = hub.visitor_chat("Xena", "Support").await;
    let offer = ada.offer().await;
    assert_eq!(offer.chat.id, next.chat_id);
}

#[tokio::test]
async fn next_available_backup_picks_the_agent_idle_longest_whatever_the_load() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        DepartmentChanges {
            backup_mode: Some(BackupMode::NextAvailable),
            ..Default::default()
        },
    )
    .await;
    let ed = hub
        .add_agent("ed@switchboard.demo", "Ed", &["Sales"], &[], 3)
        .await;
    let mut ben = hub.online_agent(BEN).await;
    let mut ed = hub.online_agent((ed.0.as_str(), ed.1.as_str())).await;

    // Ben takes a Sales chat first (least busy among equals, older account).
    let (_s, sales) = hub.visitor_chat("Sam", "Sales").await;
    assert_eq!(ben.accept_next().await.chat.id, sales.chat_id);
    hub.advance(5).await;
    // Ed takes the next Sales chat: Ben is busier.
    let (_s2, sales2) = hub.visitor_chat("Sid", "Sales").await;
    assert_eq!(ed.accept_next().await.chat.id, sales2.chat_id);
    hub.advance(5).await;
    let (_s3, sales3) = hub.visitor_chat("Sol", "Sales").await;
    assert_eq!(
        ben.accept_next().await.chat.id,
        sales3.chat_id,
        "both hold one; Ben idle longer"
    );
    hub.advance(5).await;

    // Ben now holds two chats, Ed one; Ed was offered a chat longer ago than Ben.
    let (_v, support) = hub.visitor_chat("Vera", "Support").await;
    let offer = ed.offer().await;
    assert_eq!(
        offer.chat.id, support.chat_id,
        "next available: Ed has waited longest since an offer"
    );
    assert_eq!(ben.pending_offers(&hub).await, 0);
}
