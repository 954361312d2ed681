//! The queue: positions while everyone is full, FIFO pickup as capacity frees.

use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::visitor::VisitorChatState;

use crate::support::*;

#[tokio::test]
async fn visitors_queue_with_positions_and_are_served_in_order_as_capacity_frees() {
    let hub = spawn_hub().await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;

    let (_v1, first) = hub.visitor_chat("One", "Support").await;
    let accepted = ada.accept_next().await;
    assert_eq!(accepted.chat.id, first.chat_id);

    let (mut v2, second) = hub.visitor_chat("Two", "Support").await;
    assert_eq!(
        second.state,
        VisitorChatState::Queued { position: 1 },
        "Ada is full"
    );
    let (mut v3, third) = hub.visitor_chat("Three", "Support").await;
    assert_eq!(third.state, VisitorChatState::Queued { position: 2 });

    let queue = ada
        .call(agent::QueueList {})
        .await
        .expect("Ada may see her department's queue");
    let order: Vec<_> = queue
        .entries
        .iter()
        .map(|e| (e.chat_id, e.position))
        .collect();
    assert_eq!(order, vec![(second.chat_id, 1), (third.chat_id, 2)]);
    let update = ada
        .wait_for(
            "a queue update",
            |p| matches!(p, AgentPush::QueueUpdated(q) if q.entries.len() == 2),
        )
        .await;
    assert!(update.seq.is_none(), "queue updates are ephemeral");

    // Ending and wrapping up (here: skipping the optional wrap-up) frees the slot.
    ada.end_and_skip_wrap_up(first.chat_id).await;
    let offer = ada.offer().await;
    assert_eq!(
        offer.chat.id, second.chat_id,
        "the oldest waiting chat is offered first"
    );
    v2.state("connecting", |s| *s == VisitorChatState::Connecting)
        .await;
    v3.state("moved up", |s| {
        *s == VisitorChatState::Queued { position: 1 }
    })
    .await;

    ada.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("accepted");
    ada.end_and_skip_wrap_up(second.chat_id).await;
    let offer = ada.offer().await;
    assert_eq!(offer.chat.id, third.chat_id, "then the next one");
    v3.state("connecting", |s| *s == VisitorChatState::Connecting)
        .await;
}

#[tokio::test]
async fn a_visitor_who_leaves_the_queue_frees_their_place() {
    let hub = spawn_hub().await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    let (_v1, first) = hub.visitor_chat("One", "Support").await;
    assert_eq!(ada.accept_next().await.chat.id, first.chat_id);
    let (mut v2, _second) = hub.visitor_chat("Two", "Support").await;
    let (mut v3, _third) = hub.visitor_chat("Three", "Support").await;

    v2.call(switchboard_protocol::visitor::ChatEnd {})
        .await
        .expect("the visitor may leave the queue");
    v2.state("ended", |s| matches!(s, VisitorChatState::Ended { .. }))
        .await;
    v3.state("first in line", |s| {
        *s == VisitorChatState::Queued { position: 1 }
    })
    .await;

    // A visitor who just disconnects has the grace period to come back.
    let before = hub.hub.open_connections();
    drop(v3);
    hub.wait_connections(before - 1).await;
    hub.advance(29).await;
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert_eq!(
        queue.entries.len(),
        1,
        "29 s after the drop the chat still waits"
    );
    hub.advance(1).await;
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert!(
        queue.entries.is_empty(),
        "after the grace period the abandoned chat is gone"
    );
}
