//! Missed chats: listed live, claimed, answered by email through the outbox, closed,
//! and kept in the cache for offline search.

use switchboard_client::protocol::{EmailDelivery, EventBody, MissedReason, MissedState};

use crate::support::*;

#[tokio::test]
async fn a_missed_chat_is_claimed_answered_by_email_and_closed() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    // The agent is signed in but not online: nobody can take the chat.
    let client = sign_in(config(&dir.path().join("c")), &hub.url(), ADA).await;
    let mut visitor = hub.visitor().await;
    let started = visitor
        .start("Kim", "Support", "Can I return shoes after 20 days?")
        .await;

    let missed = until(&client, "the missed chat is listed live", |c| {
        c.missed
            .iter()
            .find(|m| m.chat_id == started.chat_id)
            .cloned()
    })
    .await;
    assert_eq!(missed.reason, MissedReason::NoAgents);
    assert_eq!(missed.state, MissedState::Open);
    assert!(missed.answerable, "the visitor left an email address");
    assert_eq!(missed.question, "Can I return shoes after 20 days?");

    let claimed = client.missed_claim(missed.id).await.expect("claimed");
    assert_eq!(claimed.state, MissedState::Claimed);
    assert_eq!(
        claimed.claimed_by.as_ref().map(|a| a.name.as_str()),
        Some("Ada Lovelace")
    );

    let reply = client
        .missed_reply(missed.id, "Yes: returns are free within 30 days.")
        .await
        .expect("queued");
    client
        .outbox_wait(&reply)
        .await
        .expect("the hub takes the reply");
    let answered = until(
        &client,
        "the email is delivered (written as .eml here)",
        |c| {
            c.missed
                .iter()
                .find(|m| m.id == missed.id)
                .filter(|m| {
                    m.replies.iter().any(|r| {
                        matches!(
                            r.delivery,
                            EmailDelivery::Written { .. } | EmailDelivery::Sent { .. }
                        )
                    })
                })
                .cloned()
        },
    )
    .await;
    assert_eq!(answered.state, MissedState::Replied);
    assert_eq!(answered.replies.len(), 1, "one reply, sent once");
    assert_eq!(answered.replies[0].to, "kim@visitor.example");

    let transcript = client
        .transcript(started.chat_id)
        .await
        .expect("transcript");
    assert!(
        transcript.events.iter().any(|e| matches!(
            &e.body,
            EventBody::EmailReply { text, .. } if text == "Yes: returns are free within 30 days."
        )),
        "the reply is recorded in the transcript"
    );
    let hits = client.search("returns free", 10).await.expect("search");
    assert!(
        hits.iter().any(|h| h.chat_id == started.chat_id),
        "the email reply is searchable offline: {hits:?}"
    );

    let closed = client.missed_close(missed.id).await.expect("closed");
    assert_eq!(closed.state, MissedState::Closed);
    until(&client, "the list shows it closed", |c| {
        c.missed
            .iter()
            .find(|m| m.id == missed.id)
            .filter(|m| m.state == MissedState::Closed)
            .map(|_| ())
    })
    .await;
    client.shutdown().await;
    hub.stop().await;
}
