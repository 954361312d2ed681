//! The basic path: a visitor's chat reaches an agent and both talk.

use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::visitor::{self, VisitorChatState, VisitorEventBody};
use switchboard_protocol::{Author, ChatState, EventBody, Party};

use crate::support::*;

#[tokio::test]
async fn a_support_visitor_reaches_the_idle_support_agent_and_they_chat() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let mut ben = hub.online_agent(BEN).await;

    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    assert_eq!(
        started.state,
        VisitorChatState::Connecting,
        "Ada is free, so the chat is being offered"
    );

    let offer = ada.offer().await;
    assert_eq!(offer.chat.id, started.chat_id);
    assert_eq!(offer.chat.department.name, "Support");
    assert_eq!(offer.chat.visitor.name, "Vera");
    assert_eq!(
        offer.chat.visitor.page_url.as_deref(),
        Some("https://shop.example/pricing")
    );
    assert!(
        matches!(&offer.events[0].body, EventBody::Message { author: Author::Visitor { .. }, text, .. } if text.contains("question")),
        "the offer carries the survey question"
    );
    assert_eq!(
        ben.pending_offers(&hub).await,
        0,
        "Ben is in Sales and must not be offered a Support chat"
    );

    let accepted = ada
        .call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Ada accepts");
    assert_eq!(accepted.chat.state, ChatState::Active);
    visitor
        .state("connected", |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Ada Lovelace"))
        .await;

    ada.say(started.chat_id, "Hello Vera, how can I help?")
        .await;
    let seen = visitor.message("Hello Vera, how can I help?").await;
    assert!(matches!(
        seen.body,
        VisitorEventBody::Message {
            from: Party::Agent,
            ..
        }
    ));

    visitor
        .call(visitor::TypingSet {
            typing: true,
            preview: Some("My invoi".into()),
        })
        .await
        .expect("typing is accepted");
    let typing = ada
        .wait_for("the visitor's typing", |p| {
            matches!(p, AgentPush::Typing(_))
        })
        .await;
    match typing.push {
        AgentPush::Typing(t) => {
            assert_eq!(
                t.preview.as_deref(),
                Some("My invoi"),
                "agents see a live preview"
            );
            assert!(typing.seq.is_none(), "typing is ephemeral");
        }
        _ => unreachable!(),
    }

    let sent = visitor.say("My invoice is wrong").await;
    let event = ada
        .wait_for("the visitor's message", |p| matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::Message { text, .. } if text == "My invoice is wrong")))
        .await;
    assert!(event.seq.is_some(), "chat events are durable pushes");
    assert!(sent.event.id > seen.id, "event ids grow");

    ada.call(agent::ChatEnd {
        client_id: new_client_id(),
        chat_id: started.chat_id,
    })
    .await
    .expect("Ada ends the chat");
    visitor
        .state("ended", |s| matches!(s, VisitorChatState::Ended { .. }))
        .await;
    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: started.chat_id,
        })
        .await
        .expect("Ada may read the transcript");
    assert_eq!(transcript.chat.state, ChatState::Ended);
    assert!(
        transcript.events.len() >= 5,
        "question, joined, two messages and the end are stored"
    );
}
