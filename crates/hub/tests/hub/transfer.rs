//! Transfers: to an agent (accepted, declined, timed out), to a department (waiting
//! in its queue, or nobody taking it), what the visitor sees, the rules, the transfer
//! list and presence.

use switchboard_hub::admin::DepartmentChanges;
use switchboard_hub::routing::BackupMode;
use switchboard_protocol::agent::{self, AgentPush, ReleaseReason, TransferTo};
use switchboard_protocol::visitor::{VisitorChatState, VisitorPush};
use switchboard_protocol::{
    AgentStatus, ChatId, ErrorCode, EventBody, OfferEnd, OfferKind, TransferTarget, limits,
};

use crate::support::*;

/// Ada (Support) holds Vera's chat; Cy (Support) is online and idle.
struct Scene {
    hub: TestHub,
    ada: AgentPeer,
    cy: AgentPeer,
    cy_id: switchboard_protocol::AgentId,
    visitor: VisitorPeer,
    chat: ChatId,
}

async fn scene() -> Scene {
    let hub = spawn_hub().await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy Young", &["Support"], &[], 3)
        .await;
    let mut ada = hub.online_agent(ADA).await;
    let (visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let cy_id = hub.agent_id(&cy.0).await;
    let cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;
    Scene {
        hub,
        ada,
        cy,
        cy_id,
        visitor,
        chat: started.chat_id,
    }
}

fn to_agent(chat: ChatId, id: switchboard_protocol::AgentId, note: &str) -> agent::ChatTransfer {
    agent::ChatTransfer {
        client_id: new_client_id(),
        chat_id: chat,
        to: TransferTo::Agent { id },
        note: note.into(),
    }
}

async fn returned(ada: &mut AgentPeer, chat: ChatId) -> agent::TransferReturned {
    match ada
        .wait_for(
            "transfer.returned",
            |p| matches!(p, AgentPush::TransferReturned(r) if r.chat_id == chat),
        )
        .await
        .push
    {
        AgentPush::TransferReturned(r) => r,
        _ => unreachable!("wait_for returned a matching push"),
    }
}

#[tokio::test]
async fn an_accepted_agent_transfer_moves_the_chat_and_the_visitor_sees_the_new_agent() {
    let Scene {
        hub,
        mut ada,
        mut cy,
        cy_id,
        mut visitor,
        chat,
    } = scene().await;
    ada.say(chat, "Let me get my colleague for the refund")
        .await;

    let request = to_agent(chat, cy_id, "Wants a refund for order 1182");
    let started = ada.call(request.clone()).await.expect("Ada may transfer");
    assert_eq!(started.chat_id, chat);
    let offer_id = started
        .offer_id
        .expect("a transfer to an agent makes an offer");

    let offer = cy.offer().await;
    assert_eq!(offer.id, offer_id);
    assert_eq!(offer.kind, OfferKind::Transfer);
    assert_eq!(
        offer.from.as_ref().map(|a| a.name.as_str()),
        Some("Ada Lovelace"),
        "the offer names the sender"
    );
    assert_eq!(offer.note, "Wants a refund for order 1182");
    assert!(
        offer.events.iter().any(|e| matches!(&e.body, EventBody::Message { text, .. } if text == "Let me get my colleague for the refund")),
        "the receiver sees the conversation so far"
    );
    assert_eq!(
        visitor.notice("transferred").await,
        "You are being transferred to Cy Young.",
        "the visitor is told at once"
    );

    let again = ada
        .call(request)
        .await
        .expect("a retry is answered as the first time");
    assert_eq!(
        again.offer_id,
        Some(offer_id),
        "the retry starts no second transfer"
    );
    ada.say(chat, "Cy will be with you in a moment").await;
    visitor.message("Cy will be with you in a moment").await;

    let accepted = cy
        .call(agent::OfferAccept { offer_id })
        .await
        .expect("Cy accepts");
    assert_eq!(
        accepted.chat.agent.as_ref().map(|a| a.id),
        Some(cy_id),
        "the chat is Cy's"
    );
    cy.wait_for(
        "chat.assigned",
        |p| matches!(p, AgentPush::ChatAssigned(a) if a.chat.id == chat),
    )
    .await;
    assert_eq!(
        ada.released(chat).await,
        ReleaseReason::Transferred,
        "Ada is released once Cy accepts"
    );
    assert!(
        ada.call(agent::ChatList {})
            .await
            .expect("chat.list")
            .chats
            .is_empty(),
        "the chat is no longer Ada's"
    );

    visitor
        .state(
            "connected to Cy",
            |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Cy Young"),
        )
        .await;
    visitor.notice("Cy Young joined the chat").await;
    assert!(
        !visitor
            .notices(&hub)
            .await
            .iter()
            .any(|n| n.contains("left")),
        "a transfer is one notice and the new agent's name, not a goodbye"
    );

    cy.say(chat, "Hi Vera, I can refund that").await;
    visitor.message("Hi Vera, I can refund that").await;
    let err = ada
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: chat,
            text: "still here?".into(),
        })
        .await
        .expect_err("Ada no longer holds the chat");
    assert_eq!(err.code, ErrorCode::Forbidden);

    let transcript = cy
        .call(agent::TranscriptGet { chat_id: chat })
        .await
        .expect("transcript");
    assert!(transcript.events.iter().any(|e| matches!(&e.body,
        EventBody::TransferRequested { to: TransferTarget::Agent { id, .. }, note, .. }
            if *id == cy_id && note.contains("refund"))));
    assert!(
        transcript.events.iter().any(
            |e| matches!(&e.body, EventBody::Left { agent, .. } if agent.name == "Ada Lovelace")
        )
    );
    assert!(
        transcript
            .events
            .iter()
            .any(|e| matches!(&e.body, EventBody::Joined { agent } if agent.id == cy_id))
    );
}

#[tokio::test]
async fn a_declined_agent_transfer_comes_back_to_the_sender() {
    let Scene {
        hub,
        mut ada,
        mut cy,
        cy_id,
        mut visitor,
        chat,
    } = scene().await;
    ada.call(to_agent(chat, cy_id, "Can you take this?"))
        .await
        .expect("transfer starts");
    let offer = cy.offer().await;
    cy.call(agent::OfferDecline { offer_id: offer.id })
        .await
        .expect("Cy declines");

    let back = returned(&mut ada, chat).await;
    assert_eq!(back.reason, OfferEnd::Declined);
    assert_eq!(back.to.id, cy_id);
    ada.wait_for("the failure in the transcript", |p| {
        matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::TransferFailed { reason, .. } if reason == "declined"))
    })
    .await;
    assert_eq!(
        ada.call(agent::ChatList {})
            .await
            .expect("chat.list")
            .chats
            .len(),
        1,
        "the chat stays with Ada"
    );
    visitor
        .notice("You are being transferred to Cy Young.")
        .await;
    assert_eq!(
        visitor.notice("still with you").await,
        "The transfer did not go through; Ada Lovelace is still with you."
    );
    ada.say(chat, "I'll keep helping you myself").await;
    visitor.message("I'll keep helping you myself").await;
    assert!(
        !visitor.pushes.iter().any(|p| matches!(&p.push, VisitorPush::State(s) if !matches!(&s.state, VisitorChatState::Connected { agent_name } if agent_name == "Ada Lovelace"))),
        "the visitor stays connected to Ada throughout"
    );
    assert_eq!(
        cy.pending_offers(&hub).await,
        0,
        "nothing else is offered to Cy"
    );
}

#[tokio::test]
async fn an_unanswered_agent_transfer_times_out_back_to_the_sender() {
    let Scene {
        hub,
        mut ada,
        mut cy,
        cy_id,
        mut visitor,
        chat,
    } = scene().await;
    ada.call(to_agent(chat, cy_id, ""))
        .await
        .expect("transfer starts");
    let offer = cy.offer().await;
    assert_eq!(
        (offer.expires_at - offer.offered_at).num_seconds(),
        20,
        "the department's offer timeout applies"
    );
    hub.advance(19).await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert!(
        !ada.pushes
            .iter()
            .any(|p| matches!(p.push, AgentPush::TransferReturned(_))),
        "19 s in, the transfer is still open"
    );
    hub.advance(1).await;
    assert_eq!(returned(&mut ada, chat).await.reason, OfferEnd::Timeout);
    cy.wait_for(
        "the offer closing",
        |p| matches!(p, AgentPush::OfferClosed(c) if c.offer_id == offer.id && c.reason == OfferEnd::Timeout),
    )
    .await;
    visitor.notice("still with you").await;
    let err = cy
        .call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect_err("too late");
    assert_eq!(err.code, ErrorCode::InvalidState);

    // The chat is Ada's again, and a new transfer may start.
    ada.call(to_agent(chat, cy_id, "Second try"))
        .await
        .expect("another transfer may start once the first is over");
    let offer = cy.offer().await;
    cy.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Cy accepts this time");
    assert_eq!(ada.released(chat).await, ReleaseReason::Transferred);
}

#[tokio::test]
async fn transfers_follow_the_rules_with_typed_errors() {
    let hub = spawn_hub().await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy Young", &["Support"], &[], 1)
        .await;
    let cy_id = hub.agent_id(&cy.0).await;
    let ada_id = hub.agent_id(ADA.0).await;
    let ben_id = hub.agent_id(BEN.0).await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut visitor, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let chat = started.chat_id;
    let mut cy = hub.online_agent((cy.0.as_str(), cy.1.as_str())).await;

    let err = ada
        .call(to_agent(chat, ada_id, ""))
        .await
        .expect_err("not to oneself");
    assert_eq!(err.code, ErrorCode::BadRequest);
    let err = ada
        .call(to_agent(chat, ben_id, ""))
        .await
        .expect_err("Ben is not connected");
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(err.message.contains("not connected"), "{}", err.message);
    let err = ada
        .call(to_agent(chat, switchboard_protocol::AgentId(999), ""))
        .await
        .expect_err("no such agent");
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = ada
        .call(to_agent(
            chat,
            cy_id,
            &"n".repeat(limits::MAX_NOTE_CHARS + 1),
        ))
        .await
        .expect_err("the note is too long");
    assert_eq!(err.code, ErrorCode::TooLarge);

    // Cy (cap 1) is less busy than Ada, so Walt's chat goes to him and fills him up.
    let (_walt, walts) = hub.visitor_chat("Walt", "Support").await;
    let offer = cy.offer().await;
    assert_eq!(offer.chat.id, walts.chat_id);
    cy.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Cy takes Walt's chat and is full");
    let err = ada
        .call(to_agent(chat, cy_id, ""))
        .await
        .expect_err("Cy has no free slot");
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(err.message.contains("no free chat slot"), "{}", err.message);
    cy.set_status(AgentStatus::Away).await;
    let err = ada
        .call(to_agent(chat, cy_id, ""))
        .await
        .expect_err("Cy is away");
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(err.message.contains("away"), "{}", err.message);

    let err = cy
        .call(to_agent(chat, ada_id, ""))
        .await
        .expect_err("only the holder may transfer");
    assert_eq!(err.code, ErrorCode::Forbidden);

    let sales = agent::ChatTransfer {
        client_id: new_client_id(),
        chat_id: chat,
        to: TransferTo::Department {
            id: switchboard_protocol::DepartmentId(1),
        },
        note: String::new(),
    };
    ada.call(sales.clone())
        .await
        .expect("a department transfer starts");
    let err = ada
        .call(agent::ChatTransfer {
            client_id: new_client_id(),
            ..sales
        })
        .await
        .expect_err("one transfer at a time");
    assert_eq!(err.code, ErrorCode::InvalidState);

    // Ending the chat cancels the transfer; the visitor is not told it failed.
    ada.end(chat).await;
    ada.wait_for("the cancelled transfer", |p| {
        matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::TransferFailed { reason, .. } if reason == "cancelled"))
    })
    .await;
    visitor
        .state("ended", |s| matches!(s, VisitorChatState::Ended { .. }))
        .await;
    assert!(
        !visitor
            .notices(&hub)
            .await
            .iter()
            .any(|n| n.contains("did not go through")),
        "the chat ended; there is nothing to explain"
    );
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert!(
        queue.entries.is_empty(),
        "the cancelled transfer waits nowhere"
    );
}

#[tokio::test]
async fn a_department_transfer_waits_in_its_queue_until_someone_takes_it() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Sales",
        DepartmentChanges {
            backup_mode: Some(BackupMode::None),
            ..Default::default()
        },
    )
    .await;
    hub.set_max_chats(BEN.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    let mut ben = hub.online_agent(BEN).await;
    let (mut vera, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let chat = started.chat_id;
    let (_sam, sams) = hub.visitor_chat("Sam", "Sales").await;
    ben.accept_next().await;

    let targets = ada
        .call(agent::TransferTargets {})
        .await
        .expect("transfer.targets");
    let sales = targets
        .departments
        .iter()
        .find(|d| d.name == "Sales")
        .expect("Sales is a target");
    assert_eq!(
        (sales.agents_online, sales.free_slots, sales.queue_length),
        (1, 0, 0),
        "Ben is online but full"
    );
    let sales_id = sales.id;

    let started = ada
        .call(agent::ChatTransfer {
            client_id: new_client_id(),
            chat_id: chat,
            to: TransferTo::Department { id: sales_id },
            note: "Wants 20 more seats".into(),
        })
        .await
        .expect("Ada transfers to Sales");
    assert_eq!(started.offer_id, None, "a department transfer is routed");
    assert_eq!(
        vera.notice("transferred").await,
        "You are being transferred to Sales."
    );
    assert_eq!(
        ben.pending_offers(&hub).await,
        0,
        "Ben is full: the chat waits"
    );
    let queue = ben.call(agent::QueueList {}).await.expect("queue");
    assert_eq!(
        queue
            .entries
            .iter()
            .map(|e| (e.chat_id, e.position))
            .collect::<Vec<_>>(),
        vec![(chat, 1)],
        "the transferred chat waits in the Sales queue"
    );

    // Meanwhile Ada keeps the chat and may go on chatting.
    ada.say(chat, "Sales will be with you shortly").await;
    vera.message("Sales will be with you shortly").await;
    assert_eq!(
        ada.call(agent::ChatList {})
            .await
            .expect("chat.list")
            .chats
            .len(),
        1
    );
    hub.advance(120).await;

    ben.end_and_skip_wrap_up(sams.chat_id).await;
    let offer = ben.offer().await;
    assert_eq!(
        offer.chat.id, chat,
        "the freed slot goes to the waiting transfer"
    );
    assert_eq!(offer.kind, OfferKind::Transfer);
    assert_eq!(offer.note, "Wants 20 more seats");
    assert_eq!(
        offer.from.as_ref().map(|a| a.name.as_str()),
        Some("Ada Lovelace")
    );
    let accepted = ben
        .call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Ben accepts");
    assert_eq!(
        accepted.chat.department.name, "Sales",
        "the chat now belongs to Sales"
    );
    assert_eq!(ada.released(chat).await, ReleaseReason::Transferred);
    vera.state(
        "connected to Ben",
        |s| matches!(s, VisitorChatState::Connected { agent_name } if agent_name == "Ben Franklin"),
    )
    .await;
    vera.notice("Ben Franklin joined the chat").await;
    assert!(
        ben.call(agent::QueueList {})
            .await
            .expect("queue")
            .entries
            .is_empty(),
        "the queue is empty again"
    );
}

#[tokio::test]
async fn a_department_transfer_nobody_takes_stays_with_the_sender() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Sales",
        DepartmentChanges {
            backup_mode: Some(BackupMode::None),
            max_wait_secs: Some(90),
            ..Default::default()
        },
    )
    .await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut vera, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let chat = started.chat_id;
    let targets = ada.call(agent::TransferTargets {}).await.expect("targets");
    let sales = targets
        .departments
        .iter()
        .find(|d| d.name == "Sales")
        .expect("Sales");
    assert_eq!(sales.agents_online, 0, "nobody is in Sales");
    ada.call(agent::ChatTransfer {
        client_id: new_client_id(),
        chat_id: chat,
        to: TransferTo::Department { id: sales.id },
        note: String::new(),
    })
    .await
    .expect("a transfer to an empty department may still wait for someone");

    hub.advance(89).await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert!(
        !ada.pushes.iter().any(|p| matches!(&p.push, AgentPush::ChatEvent(e) if matches!(e.event.body, EventBody::TransferFailed { .. }))),
        "within Sales' maximum wait the transfer goes on"
    );
    hub.advance(1).await;
    ada.wait_for("the transfer running out of time", |p| {
        matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, EventBody::TransferFailed { reason, .. } if reason == "timeout"))
    })
    .await;
    vera.notice("still with you").await;
    assert_eq!(
        ada.call(agent::ChatList {})
            .await
            .expect("chat.list")
            .chats
            .len(),
        1,
        "the chat never leaves Ada without someone to take it"
    );
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert!(queue.entries.is_empty(), "nothing is left waiting");

    // Ben comes online later: nothing is offered, the transfer is over.
    let mut ben = hub.online_agent(BEN).await;
    assert_eq!(ben.pending_offers(&hub).await, 0);
}

#[tokio::test]
async fn the_transfer_list_and_presence_show_who_can_take_a_chat() {
    let hub = spawn_hub().await;
    let cy = hub
        .add_agent("cy@switchboard.demo", "Cy Young", &["Support"], &[], 2)
        .await;
    let cy_id = hub.agent_id(&cy.0).await;
    let mut ada = hub.online_agent(ADA).await;
    let mut ben = hub.online_agent(BEN).await;
    let mut cy = hub.agent((cy.0.as_str(), cy.1.as_str())).await;

    let targets = ada.call(agent::TransferTargets {}).await.expect("targets");
    assert!(
        targets.agents.iter().all(|a| a.name != "Ada Lovelace"),
        "the list leaves out the asking agent"
    );
    let listed = targets
        .agents
        .iter()
        .find(|a| a.id == cy_id)
        .expect("Cy is listed");
    assert_eq!(
        (
            listed.status,
            listed.connected,
            listed.active_chats,
            listed.max_chats
        ),
        (AgentStatus::Offline, true, 0, 2),
        "Cy is connected but not online yet"
    );
    let support = targets
        .departments
        .iter()
        .find(|d| d.name == "Support")
        .expect("Support");
    assert_eq!(
        (
            support.agents_online,
            support.free_slots,
            support.queue_length
        ),
        (1, 3, 0),
        "only Ada is online in Support"
    );

    cy.set_status(AgentStatus::Online).await;
    let presence = ada
        .wait_for(
            "Cy's presence",
            |p| matches!(p, AgentPush::Presence(pr) if pr.agent.id == cy_id && pr.agent.status == AgentStatus::Online),
        )
        .await;
    assert!(presence.seq.is_none(), "presence is ephemeral");

    ada.set_status(AgentStatus::Away).await;
    let (_v, _started) = hub.visitor_chat("Vera", "Support").await;
    cy.accept_next().await;
    ada.wait_for("Cy's load", |p| {
        matches!(p, AgentPush::Presence(pr) if pr.agent.id == cy_id && pr.agent.active_chats == 1)
    })
    .await;
    cy.wait_for("Ada going away", |p| {
        matches!(p, AgentPush::Presence(pr) if pr.agent.name == "Ada Lovelace" && pr.agent.status == AgentStatus::Away)
    })
    .await;
    hub.settle().await;
    ben.call(agent::Ping {}).await.expect("ping");
    assert!(
        !ben.pushes
            .iter()
            .any(|p| matches!(&p.push, AgentPush::Presence(pr) if pr.agent.id == cy_id)),
        "Ben shares no department with Cy, so he is not told"
    );

    ada.set_status(AgentStatus::Online).await;
    let support = ada
        .call(agent::TransferTargets {})
        .await
        .expect("targets")
        .departments
        .into_iter()
        .find(|d| d.name == "Support")
        .expect("Support");
    assert_eq!(
        (support.agents_online, support.free_slots),
        (2, 4),
        "Ada has 3 free slots, Cy 1"
    );
}

#[tokio::test]
async fn a_closed_department_takes_no_transfers() {
    // Saturday 7 June 2025, 11:00 in London: Sales works Monday to Friday.
    let start: chrono::DateTime<chrono::Utc> = "2025-06-07T10:00:00Z".parse().expect("a time");
    let dir = tempfile::tempdir().expect("a data dir");
    let hub = spawn_hub_in(dir, switchboard_hub::ManualClock::new(start), |_| {}).await;
    hub.set_department(
        "Sales",
        DepartmentChanges {
            opening_hours: Some("mon-fri 09:00-17:00".into()),
            time_zone: Some("Europe/London".into()),
            ..Default::default()
        },
    )
    .await;
    let mut ada = hub.online_agent(ADA).await;
    let _ben = hub.online_agent(BEN).await;
    let (_vera, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;

    let targets = ada.call(agent::TransferTargets {}).await.expect("targets");
    let sales = targets
        .departments
        .iter()
        .find(|d| d.name == "Sales")
        .expect("Sales");
    assert!(!sales.open, "Sales is closed on Saturdays");
    let err = ada
        .call(agent::ChatTransfer {
            client_id: new_client_id(),
            chat_id: started.chat_id,
            to: TransferTo::Department { id: sales.id },
            note: String::new(),
        })
        .await
        .expect_err("a closed department takes no transfers");
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(err.message.contains("closed"), "{}", err.message);
}
