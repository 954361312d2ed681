//! Etiquette timers on the manual clock: waiting alerts, "are you still there?" after
//! 3 minutes of visitor silence, and a polite close after 5.

use switchboard_hub::admin::DepartmentChanges;
use switchboard_protocol::agent::{self, AgentPush, ReleaseReason};
use switchboard_protocol::visitor::{self, VisitorChatState, VisitorEventBody, VisitorPush};
use switchboard_protocol::{AlertKind, Author, ChatState, EndReason, EndedBy, EventBody, Party};

use crate::support::*;

fn alerts(agent: &AgentPeer, kind: AlertKind) -> Vec<u64> {
    agent
        .pushes
        .iter()
        .filter_map(|p| match &p.push {
            AgentPush::Alert(a) if a.kind == kind => Some(a.waited_secs),
            _ => None,
        })
        .collect()
}

async fn flush(agent: &mut AgentPeer, hub: &TestHub) {
    hub.settle().await;
    agent.call(agent::Ping {}).await.expect("ping answers");
}

async fn flush_visitor(visitor: &mut VisitorPeer, hub: &TestHub) {
    hub.settle().await;
    visitor.call(visitor::Ping {}).await.expect("ping answers");
}

#[tokio::test]
async fn agents_are_alerted_when_a_visitor_waits_to_be_connected_or_for_a_reply() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        DepartmentChanges {
            offer_timeout_secs: Some(120),
            ..Default::default()
        },
    )
    .await;
    let mut ada = hub.online_agent(ADA).await;
    let (_visitor, started) = hub.visitor_chat("Vera", "Support").await;
    let offer = ada.offer().await;

    hub.advance(29).await;
    flush(&mut ada, &hub).await;
    assert!(
        alerts(&ada, AlertKind::WaitingForAgent).is_empty(),
        "29 s is within the wait limit"
    );
    hub.advance(1).await;
    flush(&mut ada, &hub).await;
    assert_eq!(
        alerts(&ada, AlertKind::WaitingForAgent),
        vec![30],
        "30 s waiting to be connected"
    );

    // Accepted 40 s after the question: the reply clock runs from the question.
    hub.advance(10).await;
    ada.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("accepted");
    hub.advance(19).await;
    flush(&mut ada, &hub).await;
    assert!(
        alerts(&ada, AlertKind::WaitingForReply).is_empty(),
        "59 s since the question"
    );
    hub.advance(1).await;
    flush(&mut ada, &hub).await;
    assert_eq!(
        alerts(&ada, AlertKind::WaitingForReply),
        vec![60],
        "60 s without a reply"
    );

    // A reply stops the clock.
    ada.say(started.chat_id, "Sorry for the wait!").await;
    hub.advance(120).await;
    flush(&mut ada, &hub).await;
    assert_eq!(
        alerts(&ada, AlertKind::WaitingForReply).len(),
        1,
        "answered: no new alert"
    );
}

#[tokio::test]
async fn a_silent_visitor_is_asked_after_3_minutes_and_the_chat_closes_after_5() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    ada.say(started.chat_id, "Hi Vera, what can I do?").await;
    visitor.message("Hi Vera, what can I do?").await;

    hub.advance(179).await;
    flush_visitor(&mut visitor, &hub).await;
    assert!(
        !visitor.pushes.iter().any(|p| matches!(&p.push, VisitorPush::Event(e) if matches!(e.event.body, VisitorEventBody::Message { system: true, .. }))),
        "no prompt before 3 minutes of silence"
    );
    hub.advance(1).await;
    let prompt = visitor.message("Are you still there?").await;
    match prompt.body {
        VisitorEventBody::Message {
            from, name, system, ..
        } => {
            assert_eq!(from, Party::Agent);
            assert!(system, "the prompt is marked as the hub's own");
            assert_eq!(name, "Support", "the prompt comes in the team's name");
        }
        other => panic!("the prompt is a message, not {other:?}"),
    }
    ada.wait_for("the prompt in Ada's stream", |p| {
        matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::Message { author: Author::System, .. }))
    })
    .await;

    hub.advance(119).await;
    flush_visitor(&mut visitor, &hub).await;
    assert!(
        !visitor.pushes.iter().any(|p| matches!(&p.push, VisitorPush::State(s) if matches!(s.state, VisitorChatState::Ended { .. }))),
        "4:59 of silence: still open"
    );
    hub.advance(1).await;
    let closing = visitor
        .wait_for("the closing message", |p| {
            matches!(p, VisitorPush::Event(e) if matches!(&e.event.body, VisitorEventBody::Message { system: true, text, .. } if text.contains("closing this chat")))
        })
        .await;
    assert!(matches!(closing.push, VisitorPush::Event(_)));
    visitor
        .state("ended by the hub", |s| {
            *s == VisitorChatState::Ended {
                by: EndedBy::System,
            }
        })
        .await;
    ada.wait_for("the end in Ada's stream", |p| {
        matches!(p, AgentPush::ChatEvent(e) if matches!(e.event.body, EventBody::Ended { by: EndedBy::System, reason: EndReason::Inactivity }))
    })
    .await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert!(
        matches!(chats.chats.as_slice(), [c] if c.id == started.chat_id && c.state == ChatState::Ended),
        "the closed chat stays Ada's for its wrap-up"
    );
    ada.wrap_up(started.chat_id, "Resolved")
        .await
        .expect("Ada wraps it up");
    ada.wait_for("the chat leaves Ada", |p| {
        matches!(p, AgentPush::ChatReleased(r) if r.chat_id == started.chat_id && r.reason == ReleaseReason::WrappedUp)
    })
    .await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert!(
        chats.chats.is_empty(),
        "the wrapped-up chat no longer counts as Ada's"
    );
}

#[tokio::test]
async fn a_visitor_who_answers_the_prompt_keeps_the_chat() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    ada.say(started.chat_id, "Anything else?").await;
    hub.advance(180).await;
    visitor.message("Are you still there?").await;
    visitor.say("Yes, sorry, one more thing").await;
    hub.advance(300).await;
    flush_visitor(&mut visitor, &hub).await;
    assert!(
        !visitor.pushes.iter().any(|p| matches!(&p.push, VisitorPush::State(s) if matches!(s.state, VisitorChatState::Ended { .. }))),
        "the visitor spoke, and waiting for the agent never closes a chat"
    );
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert_eq!(chats.chats.len(), 1, "the chat is still open");
}
