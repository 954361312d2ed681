//! A chat from offer to the end, through the client's typed methods and console.

use switchboard_client::protocol::visitor::VisitorPush;
use switchboard_client::protocol::{AgentStatus, ChatState, WrapUp, WrapUpState};
use switchboard_client::{ConsoleChange, OutboxState};

use crate::support::*;

#[tokio::test]
async fn a_chat_from_offer_to_the_end() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let client = sign_in(config(&dir.path().join("client")), &hub.url(), ADA).await;
    assert_ne!(
        client.console().status,
        Some(AgentStatus::Online),
        "signing in never makes the agent routable by itself"
    );
    assert_eq!(
        client
            .set_status(AgentStatus::Online)
            .await
            .expect("status.set"),
        AgentStatus::Online
    );

    let mut visitor = hub.visitor().await;
    let started = visitor
        .start("Grace", "Support", "My order #1042 never arrived")
        .await;
    let offer = until(&client, "the offer reaches the console", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .cloned()
    })
    .await;
    assert_eq!(offer.chat.visitor.name, "Grace");
    assert_eq!(offer.chat.question, "My order #1042 never arrived");
    assert_eq!(offer.chat.department.name, "Support");

    let accepted = client
        .accept_offer(offer.id)
        .await
        .expect("the offer is accepted");
    assert_eq!(accepted.chat.id, started.chat_id);
    let console = client.console();
    assert!(
        console.offers.is_empty(),
        "an accepted offer leaves the offer list"
    );
    assert_eq!(
        console.chat(started.chat_id).map(|c| c.chat.state),
        Some(ChatState::Active),
        "the chat opens as a tab at once"
    );

    visitor.say("Hello? Anyone there?").await;
    until(&client, "the visitor's message shows", |c| {
        messages(c, started.chat_id)
            .contains(&"Hello? Anyone there?".to_string())
            .then_some(())
    })
    .await;

    visitor.typing("I ordered it on the 3rd").await;
    until(&client, "the live preview shows", |c| {
        c.chat(started.chat_id)
            .filter(|chat| chat.visitor_typing)
            .and_then(|chat| chat.visitor_preview.clone())
    })
    .await;

    let (before, mut changes) = client.subscribe();
    let sent = client
        .send_message(started.chat_id, "Hi Grace, let me look into it.")
        .await
        .expect("the message is queued");
    assert!(
        before.outbox.is_empty(),
        "nothing was pending before the message"
    );
    let first = changes.next().await.expect("a change follows at once");
    match &first.change {
        ConsoleChange::OutboxUpdated { item } => {
            assert_eq!(item.client_id, sent);
            assert_eq!(
                item.state,
                OutboxState::Pending,
                "the message is echoed as pending before it is sent"
            );
        }
        other => panic!("expected the pending echo first, got {other:?}"),
    }
    client
        .outbox_wait(&sent)
        .await
        .expect("the hub stores the message");
    let got = visitor.agent_messages(1).await;
    assert_eq!(got, vec!["Hi Grace, let me look into it.".to_string()]);
    until(
        &client,
        "the stored message replaces the pending one",
        |c| {
            (c.outbox.is_empty()
                && messages(c, started.chat_id)
                    .contains(&"Hi Grace, let me look into it.".to_string()))
            .then_some(())
        },
    )
    .await;

    let ended = client
        .end_chat(started.chat_id)
        .await
        .expect("end is queued");
    client
        .outbox_wait(&ended)
        .await
        .expect("the hub ends the chat");
    let owed = until(&client, "the chat stays, ended, owing a wrap-up", |c| {
        c.chat(started.chat_id)
            .filter(|chat| chat.chat.state == ChatState::Ended)
            .and_then(|chat| chat.chat.wrap_up.clone())
    })
    .await;
    assert!(
        matches!(owed, WrapUpState::Pending { .. }),
        "an ended chat owes its wrap-up: {owed:?}"
    );
    visitor.drain().await;
    assert!(
        visitor.pushes.iter().any(|p| matches!(
            p,
            VisitorPush::State(s) if matches!(s.state, switchboard_client::protocol::visitor::VisitorChatState::Ended { .. })
        )),
        "the visitor is told the chat ended: {:?}",
        visitor.pushes
    );

    let wrap_up = WrapUp {
        outcome: "Resolved".into(),
        notes: "Parcel re-sent with tracking.".into(),
        tags: vec!["shipping".into(), "lost-parcel".into()],
    };
    let done = client
        .wrap_up(started.chat_id, wrap_up.clone())
        .await
        .expect("wrap-up is queued");
    client
        .outbox_wait(&done)
        .await
        .expect("the hub stores the wrap-up");
    until(&client, "the wrapped-up chat leaves the tabs", |c| {
        c.chat(started.chat_id).is_none().then_some(())
    })
    .await;

    let history = client.history(None, 10).await.expect("history");
    let entry = history
        .iter()
        .find(|h| h.chat.id == started.chat_id)
        .expect("the chat is in the local history");
    assert_eq!(
        entry.wrap_up.as_ref(),
        Some(&wrap_up),
        "the wrap-up is kept with the cached transcript"
    );
    let transcript = client
        .transcript(started.chat_id)
        .await
        .expect("the transcript is readable");
    let texts: Vec<String> = transcript
        .events
        .iter()
        .filter_map(|e| match &e.body {
            switchboard_client::protocol::EventBody::Message { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert!(
        texts.ends_with(&[
            "Hello? Anyone there?".to_string(),
            "Hi Grace, let me look into it.".to_string()
        ]),
        "the transcript holds the conversation in order: {texts:?}"
    );
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn an_optional_wrap_up_is_skipped_with_an_empty_outcome() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let client = sign_in(config(&dir.path().join("client")), &hub.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("status.set");
    let mut visitor = hub.visitor().await;
    let started = visitor.start("Linus", "Support", "Just browsing").await;
    let offer = until(&client, "the offer reaches the console", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .cloned()
    })
    .await;
    client.accept_offer(offer.id).await.expect("accepted");
    let ended = client.end_chat(started.chat_id).await.expect("queued");
    client.outbox_wait(&ended).await.expect("the chat ends");
    let owed = until(&client, "the chat owes a wrap-up", |c| {
        c.chat(started.chat_id)
            .and_then(|chat| chat.chat.wrap_up.clone())
    })
    .await;
    assert!(
        matches!(
            owed,
            WrapUpState::Pending {
                required: false,
                ..
            }
        ),
        "the demo's Support department does not require a wrap-up: {owed:?}"
    );

    let skip = client
        .wrap_up(
            started.chat_id,
            WrapUp {
                outcome: String::new(),
                notes: String::new(),
                tags: Vec::new(),
            },
        )
        .await
        .expect("an empty outcome is queued for a wrap-up that is not required");
    client
        .outbox_wait(&skip)
        .await
        .expect("the hub accepts the skipped wrap-up");
    until(&client, "the skipped chat leaves the tabs", |c| {
        c.chat(started.chat_id).is_none().then_some(())
    })
    .await;
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_permanent_refusal_fails_the_command_visibly_and_is_not_retried() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let client = sign_in(config(&dir.path().join("client")), &hub.url(), ADA).await;
    let nowhere = switchboard_client::protocol::ChatId(987_654);
    let id = client
        .send_message(nowhere, "to a chat that is not mine")
        .await
        .expect("queued");
    let err = client
        .outbox_wait(&id)
        .await
        .expect_err("the hub refuses a message to a chat the agent does not hold");
    assert!(
        matches!(err.code(), "forbidden" | "not_found"),
        "a typed hub error comes back: {err}"
    );
    let item = until(&client, "the failed item stays visible", |c| {
        c.outbox.iter().find(|i| i.client_id == id).cloned()
    })
    .await;
    match &item.state {
        OutboxState::Failed { error } => assert_eq!(error.code, err.code()),
        other => panic!("expected a failed item, got {other:?}"),
    }
    assert_eq!(item.attempts, 1, "a permanent failure is tried once");

    // A later message still goes out: one failure does not block the queue.
    let later = client.send_message(nowhere, "again").await.expect("queued");
    assert!(client.outbox_wait(&later).await.is_err());
    client
        .outbox_discard(&id)
        .await
        .expect("a failed item can be discarded");
    until(&client, "the discarded item is gone", |c| {
        (!c.outbox.iter().any(|i| i.client_id == id)).then_some(())
    })
    .await;
    client.shutdown().await;
    hub.stop().await;
}
