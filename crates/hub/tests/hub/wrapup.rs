//! Wrap-up: a chat that ends stays with its agent, taking a slot, until the wrap-up
//! is given (required or optional), skipped (optional only) or timed out.

use switchboard_hub::admin::DepartmentChanges;
use switchboard_protocol::agent::{self, AgentPush, ReleaseReason};
use switchboard_protocol::visitor::VisitorChatState;
use switchboard_protocol::{ChatState, ErrorCode, EventBody, WrapUp, WrapUpState};

use crate::support::*;

#[tokio::test]
async fn a_required_wrap_up_holds_the_slot_until_it_is_given() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        DepartmentChanges {
            wrap_up_required: Some(true),
            ..Default::default()
        },
    )
    .await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    // Connected, not online: Ben takes no Support chats by backup routing.
    let mut ben = hub.agent(BEN).await;
    let (mut vera, first) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let (mut walt, second) = hub.visitor_chat("Walt", "Support").await;
    assert!(
        matches!(
            second.state,
            VisitorChatState::Queued { .. } | VisitorChatState::Connecting
        ),
        "Ada is full"
    );

    let snapshot = ada.call(agent::SyncSnapshot {}).await.expect("snapshot");
    let support = snapshot
        .departments
        .iter()
        .find(|d| d.name == "Support")
        .expect("Support in the snapshot");
    assert_eq!(
        support.outcomes,
        vec!["Resolved", "Follow-up needed", "Sale", "Not a customer"],
        "departments come with the usual outcomes"
    );
    assert!(support.wrap_up_required);
    assert_eq!(
        support.wrap_up_timeout_secs, 120,
        "the default is 2 minutes"
    );

    let ended = ada.end(first.chat_id).await;
    assert_eq!(ended.chat.state, ChatState::Ended);
    let Some(WrapUpState::Pending { required, deadline }) = ended.chat.wrap_up.clone() else {
        panic!("an ended chat owes a wrap-up: {:?}", ended.chat.wrap_up);
    };
    assert!(required);
    assert_eq!(
        (deadline - ended.chat.ended_at.expect("ended_at")).num_seconds(),
        120
    );
    vera.state("ended", |s| matches!(s, VisitorChatState::Ended { .. }))
        .await;
    ada.wait_for("chat.updated in wrap-up", |p| {
        matches!(p, AgentPush::ChatUpdated(u) if u.chat.id == first.chat_id && matches!(u.chat.wrap_up, Some(WrapUpState::Pending { .. })))
    })
    .await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert_eq!(
        chats
            .chats
            .iter()
            .map(|c| (c.id, c.state))
            .collect::<Vec<_>>(),
        vec![(first.chat_id, ChatState::Ended)],
        "the chat in wrap-up is still Ada's"
    );
    assert_eq!(
        ada.pending_offers(&hub).await,
        0,
        "a full agent in wrap-up gets no offer"
    );

    let err = ada
        .wrap_up(first.chat_id, "")
        .await
        .expect_err("a required wrap-up cannot be skipped");
    assert_eq!(err.code, ErrorCode::BadRequest);
    let err = ada
        .wrap_up(first.chat_id, "Maybe")
        .await
        .expect_err("not one of the department's outcomes");
    assert_eq!(err.code, ErrorCode::BadRequest);
    assert!(err.message.contains("Resolved"), "{}", err.message);
    let err = ben
        .wrap_up(first.chat_id, "Resolved")
        .await
        .expect_err("Ben never held the chat");
    assert_eq!(err.code, ErrorCode::Forbidden);

    let submit = agent::WrapUpSubmit {
        client_id: new_client_id(),
        chat_id: first.chat_id,
        wrap_up: WrapUp {
            outcome: "resolved".into(),
            notes: "Corrected the VAT number".into(),
            tags: vec!["invoice".into(), " vat ".into()],
        },
    };
    let done = ada.call(submit.clone()).await.expect("wrapped up");
    let Some(WrapUpState::Done { wrap_up, .. }) = &done.chat.wrap_up else {
        panic!("the wrap-up is done: {:?}", done.chat.wrap_up);
    };
    assert_eq!(
        wrap_up.outcome, "Resolved",
        "stored in the department's spelling"
    );
    assert_eq!(wrap_up.tags, vec!["invoice".to_owned(), "vat".to_owned()]);
    assert_eq!(ada.released(first.chat_id).await, ReleaseReason::WrappedUp);
    let again = ada.call(submit).await.expect("a retry is answered");
    assert_eq!(again, done, "the retry gets the first answer");

    let offer = ada.offer().await;
    assert_eq!(
        offer.chat.id, second.chat_id,
        "with the wrap-up done Ada has room again"
    );
    walt.state("connecting", |s| *s == VisitorChatState::Connecting)
        .await;

    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: first.chat_id,
        })
        .await
        .expect("transcript");
    let wrap_ups: Vec<_> = transcript
        .events
        .iter()
        .filter(|e| matches!(&e.body, EventBody::WrapUp { wrap_up, .. } if wrap_up.outcome == "Resolved"))
        .collect();
    assert_eq!(wrap_ups.len(), 1, "the wrap-up is in the transcript once");
    assert!(
        matches!(transcript.chat.wrap_up, Some(WrapUpState::Done { .. })),
        "and on the chat"
    );
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert!(
        chats.chats.is_empty(),
        "a wrapped-up chat is no longer held"
    );
}

#[tokio::test]
async fn an_optional_wrap_up_may_be_skipped_to_free_the_slot() {
    let hub = spawn_hub().await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    let (_vera, first) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let (_walt, second) = hub.visitor_chat("Walt", "Support").await;

    let ended = ada.end(first.chat_id).await;
    assert!(
        matches!(
            ended.chat.wrap_up,
            Some(WrapUpState::Pending {
                required: false,
                ..
            })
        ),
        "Support does not require a wrap-up, but one is still owed: {:?}",
        ended.chat.wrap_up
    );
    assert_eq!(
        ada.pending_offers(&hub).await,
        0,
        "an optional wrap-up still takes the slot"
    );
    let skipped = ada.wrap_up(first.chat_id, "").await.expect("skipped");
    assert!(
        matches!(&skipped.chat.wrap_up, Some(WrapUpState::Done { wrap_up, .. }) if wrap_up.outcome.is_empty()),
        "a skipped wrap-up is done without an outcome"
    );
    assert_eq!(ada.released(first.chat_id).await, ReleaseReason::WrappedUp);
    assert_eq!(ada.offer().await.chat.id, second.chat_id);
}

#[tokio::test]
async fn an_unfinished_wrap_up_times_out_and_frees_the_slot() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        DepartmentChanges {
            wrap_up_required: Some(true),
            wrap_up_timeout_secs: Some(45),
            ..Default::default()
        },
    )
    .await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut vera, first) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let (_walt, second) = hub.visitor_chat("Walt", "Support").await;

    // The visitor ends it: Ada owes the wrap-up all the same.
    vera.call(switchboard_protocol::visitor::ChatEnd {})
        .await
        .expect("the visitor ends the chat");
    ada.wait_for("chat.updated in wrap-up", |p| {
        matches!(p, AgentPush::ChatUpdated(u) if u.chat.id == first.chat_id && matches!(u.chat.wrap_up, Some(WrapUpState::Pending { required: true, .. })))
    })
    .await;
    hub.advance(44).await;
    assert_eq!(
        ada.pending_offers(&hub).await,
        0,
        "44 s in, the wrap-up still holds the slot"
    );
    hub.advance(1).await;
    ada.wait_for("the wrap-up expiring", |p| {
        matches!(p, AgentPush::ChatUpdated(u) if u.chat.id == first.chat_id && u.chat.wrap_up == Some(WrapUpState::Expired))
    })
    .await;
    assert_eq!(ada.released(first.chat_id).await, ReleaseReason::WrappedUp);
    assert_eq!(
        ada.offer().await.chat.id,
        second.chat_id,
        "after the timeout Ada has room again"
    );

    // A late wrap-up is still recorded with the transcript.
    let late = ada
        .wrap_up(first.chat_id, "Not a customer")
        .await
        .expect("a late wrap-up is accepted");
    assert!(matches!(
        &late.chat.wrap_up,
        Some(WrapUpState::Done { wrap_up, .. }) if wrap_up.outcome == "Not a customer"
    ));
    let err = ada
        .wrap_up(second.chat_id, "Resolved")
        .await
        .expect_err("a chat not yet accepted or ended has no wrap-up");
    assert!(
        matches!(err.code, ErrorCode::Forbidden | ErrorCode::InvalidState),
        "{err:?}"
    );
}
