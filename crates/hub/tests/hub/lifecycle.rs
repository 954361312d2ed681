//! Retries that must not double anything, signing out, shutting down, and the plain
//! HTTP surface.

use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::http::{Health, paths};
use switchboard_protocol::visitor::{self, VisitorChatState, VisitorPush};
use switchboard_protocol::{
    AgentStatus, CloseReason, EventBody, PROTOCOL_VERSION, Survey, encode_request,
};

use crate::support::*;

#[tokio::test]
async fn retried_commands_with_the_same_client_id_take_effect_once() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    let offer = ada.offer().await;
    let first = ada
        .call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("accepted");
    let again = ada
        .call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("accepting again answers as the first time");
    assert_eq!(first.chat.id, again.chat.id);

    let id = new_client_id();
    let send = agent::MessageSend {
        client_id: id.clone(),
        chat_id: started.chat_id,
        text: "Once only".into(),
    };
    let a = ada.call(send.clone()).await.expect("stored");
    let b = ada.call(send).await.expect("the retry is answered");
    assert_eq!(
        a.event.id, b.event.id,
        "the retry gets the same stored event"
    );
    assert_eq!(a.event.body, b.event.body);

    let vid = new_client_id();
    let vsend = visitor::MessageSend {
        client_id: vid,
        text: "Me too, once".into(),
    };
    let c = visitor.call(vsend.clone()).await.expect("stored");
    let d = visitor.call(vsend).await.expect("the retry is answered");
    assert_eq!(c.event.id, d.event.id);

    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: started.chat_id,
        })
        .await
        .expect("transcript");
    let count = |needle: &str| {
        transcript
            .events
            .iter()
            .filter(|e| matches!(&e.body, EventBody::Message { text, .. } if text == needle))
            .count()
    };
    assert_eq!(count("Once only"), 1, "the agent's message is stored once");
    assert_eq!(
        count("Me too, once"),
        1,
        "the visitor's message is stored once"
    );
}

#[tokio::test]
async fn a_message_retried_after_its_chat_ended_gets_the_first_answer() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let send = agent::MessageSend {
        client_id: new_client_id(),
        chat_id: started.chat_id,
        text: "Bye for now".into(),
    };
    let first = ada.call(send.clone()).await.expect("stored");
    visitor
        .call(visitor::ChatEnd {})
        .await
        .expect("the visitor ends the chat");

    // The ack was lost on the way; the agent retries once the chat is over.
    let again = ada
        .call(send)
        .await
        .expect("a retry of a stored message is answered though the chat ended");
    assert_eq!(
        first.event.id, again.event.id,
        "the agent's retry gets the stored event"
    );

    let late = ada
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: started.chat_id,
            text: "One more thing".into(),
        })
        .await;
    assert!(late.is_err(), "a new message to an ended chat is refused");
}

#[tokio::test]
async fn messages_sent_back_to_back_are_answered_and_stored_in_the_order_sent() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;

    // Sent without waiting for any answer: the hub answers messages later, and a
    // request it answers at once (the ping) only after them. The third is sent
    // twice, as a client resending it at once would.
    let texts = ["one", "two", "three", "four", "five"];
    let mut sends = Vec::new();
    for (n, text) in texts.iter().enumerate() {
        let send = agent::MessageSend {
            client_id: new_client_id(),
            chat_id: started.chat_id,
            text: (*text).into(),
        };
        ada.send_text(encode_request(&format!("m{n}"), &send)).await;
        sends.push(send);
    }
    ada.send_text(encode_request("again", &sends[2])).await;
    ada.send_text(encode_request("ping", &agent::Ping {})).await;
    let sent = |reply: serde_json::Value| -> agent::MessageSent {
        serde_json::from_value(reply).expect("a message.send reply")
    };
    let mut ids = Vec::new();
    for n in 0..texts.len() {
        // `reply_to` fails on any other reply first: replies come in request order.
        let reply = ada.reply_to(&format!("m{n}")).await.expect("stored");
        ids.push(sent(reply).event.id);
    }
    let again = ada.reply_to("again").await.expect("the resend is answered");
    assert_eq!(
        sent(again).event.id,
        ids[2],
        "the resend gets the first one's event"
    );
    ada.reply_to("ping")
        .await
        .expect("the ping is answered after the messages");
    assert!(
        ids.windows(2).all(|w| w[0] < w[1]),
        "the messages are stored in the order sent: {ids:?}"
    );
    let mut seen = Vec::new();
    for text in texts {
        seen.push(visitor.message(text).await.id);
    }
    assert_eq!(seen, ids, "the visitor gets each message, as stored");

    // Events stored after the batch are numbered after it.
    let ended = ada.end(started.chat_id).await;
    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: ended.chat.id,
        })
        .await
        .expect("transcript");
    let all: Vec<_> = transcript.events.iter().map(|e| e.id).collect();
    assert!(
        all.windows(2).all(|w| w[0] < w[1]),
        "the transcript's ids grow: {all:?}"
    );
    let stored = transcript
        .events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::Message { text, .. } if text == "three"))
        .count();
    assert_eq!(stored, 1, "the message sent twice is stored once");
    assert!(
        all.last() > ids.last(),
        "the chat's end comes after the messages"
    );
}

#[tokio::test]
async fn a_retried_chat_start_returns_the_same_chat_with_a_fresh_token() {
    let hub = spawn_hub().await;
    let mut v = hub.visitor().await;
    let start = visitor::ChatStart {
        client_id: new_client_id(),
        survey: Survey {
            name: "Vera".into(),
            email: None,
            question: "Hello?".into(),
            department: "support".into(),
        },
        page_url: None,
        user_agent: None,
    };
    let first = v.call(start.clone()).await.expect("the chat starts");
    // The reply was "lost": the widget reconnects and sends the same command again.
    drop(v);
    let mut v = hub.visitor().await;
    let second = v.call(start).await.expect("the retry is answered");
    assert_eq!(first.chat_id, second.chat_id, "no second chat is created");
    assert_ne!(
        first.token, second.token,
        "a fresh token replaces the lost one"
    );

    let mut reloaded = VisitorPeer::connect(hub.hub.addr(), &hub.hub.origin())
        .await
        .expect("connects");
    let welcome = reloaded
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: Some(first.token),
        })
        .await
        .expect("hello");
    assert!(
        welcome.chat.is_none(),
        "the replaced token no longer opens the chat"
    );
    let welcome = reloaded
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: Some(second.token),
        })
        .await
        .expect("hello");
    let chat = welcome.chat.expect("the fresh token opens the chat");
    assert_eq!(chat.chat_id, first.chat_id);
    assert_eq!(
        chat.state,
        VisitorChatState::Missed { offline_form: true },
        "nobody is online, so the chat was missed at once and the form is offered"
    );
    assert!(
        welcome.departments.iter().all(|d| d.open && !d.available),
        "with nobody online no department is available"
    );
}

#[tokio::test]
async fn signing_out_closes_the_connection_and_sets_the_agent_offline() {
    let hub = spawn_hub().await;
    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    ada.hello(None).await;
    ada.set_status(AgentStatus::Online).await;
    let response = hub
        .http
        .post(hub.hub.http_url(paths::SIGN_OUT))
        .bearer_auth(&signed.token)
        .send()
        .await
        .expect("sign-out answers");
    assert!(response.status().is_success());
    let closed = ada.wait_closed().await;
    assert_eq!(closed.code, Some(CloseReason::SignedOut.close_code()));
    assert!(
        AgentPeer::connect(hub.hub.addr(), &signed.token)
            .await
            .is_err(),
        "the token is revoked"
    );

    let mut again = hub.agent(ADA).await;
    let snapshot = again.call(agent::SyncSnapshot {}).await.expect("snapshot");
    assert_eq!(
        snapshot.status,
        AgentStatus::Offline,
        "signed out means offline"
    );
}

#[tokio::test]
async fn shutting_down_tells_every_client_to_come_back_later() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, _started) = hub.visitor_chat("Vera", "Support").await;
    ada.offer().await;
    let TestHub { hub: running, .. } = hub;
    running.stop().await.expect("the hub stops cleanly");

    let closing = ada
        .wait_for("session.closing", |p| matches!(p, AgentPush::Closing(_)))
        .await;
    assert!(
        matches!(closing.push, AgentPush::Closing(c) if c.reason == CloseReason::Shutdown && c.reconnect)
    );
    assert_eq!(
        ada.wait_closed().await.code,
        Some(CloseReason::Shutdown.close_code())
    );
    let closing = visitor
        .wait_for("session.closing", |p| matches!(p, VisitorPush::Closing(_)))
        .await;
    assert!(matches!(closing.push, VisitorPush::Closing(c) if c.reason == CloseReason::Shutdown));
}

#[tokio::test]
async fn health_widget_and_demo_page_are_served() {
    let hub = spawn_hub().await;
    let health: Health = hub
        .http
        .get(hub.hub.http_url(paths::HEALTH))
        .send()
        .await
        .expect("healthz answers")
        .json()
        .await
        .expect("a Health body");
    assert_eq!(health.status, "ok");
    assert_eq!(health.protocol, PROTOCOL_VERSION);

    let widget = hub
        .http
        .get(hub.hub.http_url(paths::WIDGET_JS))
        .send()
        .await
        .expect("widget.js answers");
    let header = |name: &str| {
        widget
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(header("content-type").starts_with("application/javascript"));
    assert_eq!(
        header("access-control-allow-origin"),
        "*",
        "any website may load the widget"
    );
    assert_eq!(
        header("x-content-type-options"),
        "nosniff",
        "browsers must not guess another type for the widget"
    );

    let demo = hub
        .http
        .get(hub.hub.http_url(paths::DEMO))
        .send()
        .await
        .expect("the demo page answers");
    assert!(
        demo.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"))
    );
    let csp = demo
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-eval"),
        "the demo page runs only the hub's own scripts: {csp}"
    );
    let demo_info = hub.hub.demo().expect("the test hub seeds the demo");
    assert!(
        demo_info.origins.contains(&hub.hub.origin()),
        "the demo allows the hub's own origin"
    );
}
