//! Missed chats: each way a chat is missed (the visitor left, the queue took too long,
//! nobody was available, the department was closed: see `hours`), the offline form,
//! the list every agent of the department sees, and claims.

use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::visitor::{self, VisitorChatState};
use switchboard_protocol::{
    AgentStatus, Author, ChatState, ErrorCode, EventBody, MissedChat, MissedReason, MissedState,
    OfferEnd, PROTOCOL_VERSION, Survey,
};

use crate::support::*;

/// The next `missed.new` push to this agent.
pub async fn missed_new(agent: &mut AgentPeer) -> MissedChat {
    let pushed = agent
        .wait_for("a new missed chat", |p| {
            matches!(p, AgentPush::MissedNew(_))
        })
        .await;
    assert!(pushed.seq.is_some(), "missed.new is a durable push");
    match pushed.push {
        AgentPush::MissedNew(m) => m.missed,
        _ => unreachable!("wait_for returned a matching push"),
    }
}

/// The next `missed.updated` push to this agent matching `want`.
pub async fn missed_updated(
    agent: &mut AgentPeer,
    what: &str,
    want: impl Fn(&MissedChat) -> bool,
) -> MissedChat {
    let pushed = agent
        .wait_for(
            what,
            |p| matches!(p, AgentPush::MissedUpdated(m) if want(&m.missed)),
        )
        .await;
    assert!(pushed.seq.is_some(), "missed.updated is a durable push");
    match pushed.push {
        AgentPush::MissedUpdated(m) => m.missed,
        _ => unreachable!("wait_for returned a matching push"),
    }
}

/// A survey with this question and (optional) email address.
pub fn survey(name: &str, email: Option<&str>, question: &str, department: &str) -> Survey {
    Survey {
        name: name.into(),
        email: email.map(str::to_owned),
        question: question.into(),
        department: department.into(),
    }
}

/// Start a chat while nobody can take it: it is missed at once.
pub async fn start_missed(hub: &TestHub, survey: Survey) -> (VisitorPeer, visitor::ChatStarted) {
    let mut v = hub.visitor().await;
    let started = v
        .call(visitor::ChatStart {
            client_id: new_client_id(),
            survey,
            page_url: Some("https://shop.example/pricing".into()),
            user_agent: Some("hub-tests/1".into()),
        })
        .await
        .expect("the chat request is answered");
    assert_eq!(
        started.state,
        VisitorChatState::Missed { offline_form: true },
        "nobody can take the chat, so the visitor is offered the offline form"
    );
    (v, started)
}

fn visitor_texts(missed: &MissedChat) -> Vec<String> {
    missed
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message {
                author: Author::Visitor { .. },
                text,
                ..
            } => Some(text.clone()),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_visitor_who_leaves_before_anyone_accepts_becomes_a_missed_chat_with_all_they_gave() {
    let hub = spawn_hub().await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut vera, started) = hub.visitor_chat("Vera", "Support").await;
    let offer = ada.offer().await;
    assert_eq!(offer.chat.id, started.chat_id);
    vera.say("Are you there? It is about invoice 4411.").await;

    vera.call(visitor::ChatEnd {})
        .await
        .expect("the visitor may close the chat");
    vera.state("ended by the visitor", |s| {
        matches!(s, VisitorChatState::Ended { .. })
    })
    .await;
    let closed = ada
        .wait_for("the offer withdrawn", |p| {
            matches!(p, AgentPush::OfferClosed(_))
        })
        .await;
    assert!(
        matches!(closed.push, AgentPush::OfferClosed(c) if c.reason == OfferEnd::VisitorLeft),
        "the offer ends because the visitor left"
    );

    let missed = missed_new(&mut ada).await;
    assert_eq!(missed.chat_id, started.chat_id);
    assert_eq!(missed.reason, MissedReason::VisitorLeft);
    assert_eq!(missed.state, MissedState::Open);
    assert_eq!(missed.department.name, "Support");
    assert!(missed.answerable, "the survey gave an email address");
    assert_eq!(missed.visitor.name, "Vera");
    assert_eq!(
        missed.visitor.email.as_deref(),
        Some("vera@visitor.example")
    );
    assert_eq!(
        missed.visitor.page_url.as_deref(),
        Some("https://shop.example/pricing")
    );
    assert_eq!(missed.visitor.user_agent.as_deref(), Some("hub-tests/1"));
    assert!(missed.visitor.site.is_some(), "the site is recorded");
    assert_eq!(missed.question, "Vera has a question for Support");
    assert_eq!(
        visitor_texts(&missed),
        vec![
            "Vera has a question for Support".to_owned(),
            "Are you there? It is about invoice 4411.".to_owned()
        ],
        "the survey question and what the visitor typed while waiting"
    );
    assert_eq!(missed.created_at, hub.clock.now(), "times are the hub's");

    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: started.chat_id,
        })
        .await
        .expect("the department's agents may read the missed chat");
    assert_eq!(transcript.chat.state, ChatState::Missed);

    // A visitor whose page just goes away has the grace period to come back first.
    let (wim, second) = hub.visitor_chat("Wim", "Support").await;
    ada.offer().await;
    let before = hub.hub.open_connections();
    drop(wim);
    hub.wait_connections(before - 1).await;
    hub.advance(30).await;
    let missed = missed_new(&mut ada).await;
    assert_eq!(missed.chat_id, second.chat_id);
    assert_eq!(missed.reason, MissedReason::VisitorLeft);
}

#[tokio::test]
async fn a_chat_queued_past_the_maximum_wait_is_missed_and_the_visitor_may_leave_a_message() {
    let hub = spawn_hub().await;
    hub.set_max_chats(ADA.0, 1).await;
    let mut ada = hub.online_agent(ADA).await;
    let (_v1, first) = hub.visitor_chat("One", "Support").await;
    assert_eq!(ada.accept_next().await.chat.id, first.chat_id);

    let (mut two, second) = hub.visitor_chat("Two", "Support").await;
    assert_eq!(
        second.state,
        VisitorChatState::Queued { position: 1 },
        "Ada is full"
    );
    two.say("Still waiting...").await;
    hub.advance(299).await;
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert_eq!(queue.entries.len(), 1, "299 s is within the 300 s maximum");

    hub.advance(1).await;
    two.state("missed with the offline form", |s| {
        *s == VisitorChatState::Missed { offline_form: true }
    })
    .await;
    let missed = missed_new(&mut ada).await;
    assert_eq!(missed.chat_id, second.chat_id);
    assert_eq!(missed.reason, MissedReason::QueueTimeout);
    assert_eq!(
        visitor_texts(&missed),
        vec![
            "Two has a question for Support".to_owned(),
            "Still waiting...".to_owned()
        ]
    );
    let queue = ada.call(agent::QueueList {}).await.expect("queue");
    assert!(queue.entries.is_empty(), "the missed chat left the queue");

    // The widget offers the form; the message joins the same missed chat.
    let send = visitor::OfflineSend {
        client_id: new_client_id(),
        name: "Two".into(),
        email: "two.better@visitor.example".into(),
        message: "Please call me back about the order.".into(),
        department: "Support".into(),
        page_url: None,
    };
    let sent = two.call(send.clone()).await.expect("the message is kept");
    assert_eq!(sent.missed_id, missed.id, "attached to the missed chat");
    let updated = missed_updated(&mut ada, "the offline message", |m| m.id == missed.id).await;
    assert_eq!(
        visitor_texts(&updated).last().map(String::as_str),
        Some("Please call me back about the order.")
    );
    assert_eq!(
        updated.visitor.email.as_deref(),
        Some("two.better@visitor.example"),
        "the form's address is the one to answer"
    );
    let again = two.call(send).await.expect("a retry is answered");
    assert_eq!(again.missed_id, missed.id, "a retry changes nothing");
    let list = ada.call(agent::MissedList {}).await.expect("missed.list");
    let entry = list
        .missed
        .iter()
        .find(|m| m.id == missed.id)
        .expect("listed");
    assert_eq!(
        visitor_texts(entry).len(),
        3,
        "the retried message is stored once"
    );

    // After a reload the widget sees the chat missed, its message left.
    let mut reloaded = VisitorPeer::connect(hub.hub.addr(), &hub.hub.origin())
        .await
        .expect("connects");
    let welcome = reloaded
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: Some(second.token),
        })
        .await
        .expect("hello");
    let chat = welcome.chat.expect("the token still names the chat");
    assert_eq!(
        chat.state,
        VisitorChatState::Missed {
            offline_form: false
        }
    );
}

#[tokio::test]
async fn with_nobody_available_and_no_backup_a_chat_is_missed_at_once() {
    let hub = spawn_hub().await;
    hub.set_department(
        "Support",
        switchboard_hub::admin::DepartmentChanges {
            backup_mode: Some(switchboard_hub::routing::BackupMode::None),
            ..Default::default()
        },
    )
    .await;
    let mut ben = hub.online_agent(BEN).await;
    // Ada is signed in but away: she sees the missed list, takes no chats.
    let mut ada = hub.agent(ADA).await;
    ada.set_status(AgentStatus::Away).await;

    let mut v = VisitorPeer::connect(hub.hub.addr(), &hub.hub.origin())
        .await
        .expect("connects");
    let welcome = v
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: None,
        })
        .await
        .expect("hello");
    let support = welcome
        .departments
        .iter()
        .find(|d| d.name == "Support")
        .expect("Support is listed");
    assert!(
        support.open && !support.available,
        "open, but nobody can take a chat: the widget shows the form up front"
    );
    let sales = welcome
        .departments
        .iter()
        .find(|d| d.name == "Sales")
        .expect("Sales is listed");
    assert!(sales.available, "Ben is online for Sales");

    let (_v, started) = start_missed(
        &hub,
        survey("Vera", Some("vera@visitor.example"), "Help!", "Support"),
    )
    .await;
    let missed = missed_new(&mut ada).await;
    assert_eq!(missed.chat_id, started.chat_id);
    assert_eq!(missed.reason, MissedReason::NoAgents);
    assert_eq!(
        ben.pending_offers(&hub).await,
        0,
        "backup routing is off, so Ben in Sales is not asked"
    );
    assert!(
        ben.pushes
            .iter()
            .all(|p| !matches!(p.push, AgentPush::MissedNew(_))),
        "Sales agents do not see Support's missed chats"
    );

    // A visitor may also leave a message without trying to chat.
    let sent = v
        .call(visitor::OfflineSend {
            client_id: new_client_id(),
            name: "Olu".into(),
            email: "olu@visitor.example".into(),
            message: "Do you ship to Norway?".into(),
            department: "Support".into(),
            page_url: Some("https://shop.example/shipping".into()),
        })
        .await
        .expect("the offline message is kept");
    let offline = missed_new(&mut ada).await;
    assert_eq!(offline.id, sent.missed_id);
    assert_eq!(offline.reason, MissedReason::OfflineMessage);
    assert_eq!(offline.question, "Do you ship to Norway?");
    assert_eq!(
        offline.visitor.page_url.as_deref(),
        Some("https://shop.example/shipping")
    );
    assert!(offline.answerable);

    let err = v
        .call(visitor::OfflineSend {
            client_id: new_client_id(),
            name: "Olu".into(),
            email: "not an address".into(),
            message: "Hello".into(),
            department: "Support".into(),
            page_url: None,
        })
        .await
        .expect_err("an offline message needs an address to answer");
    assert_eq!(err.code, ErrorCode::BadRequest);
}

#[tokio::test]
async fn concurrent_claims_let_exactly_one_agent_win() {
    let hub = spawn_hub().await;
    let cleo = hub
        .add_agent("cleo@acme.example", "Cleo", &["Support"], &[], 3)
        .await;
    let dan = hub
        .add_agent("dan@acme.example", "Dan", &["Support"], &[], 3)
        .await;
    let mut ada = hub.agent(ADA).await;
    let mut cleo = hub.agent((&cleo.0, &cleo.1)).await;
    let mut dan = hub.agent((&dan.0, &dan.1)).await;
    let (_v, _started) = start_missed(
        &hub,
        survey("Vera", Some("vera@visitor.example"), "Help!", "Support"),
    )
    .await;
    let id = missed_new(&mut ada).await.id;
    assert_eq!(missed_new(&mut cleo).await.id, id, "Cleo sees it too");
    assert_eq!(missed_new(&mut dan).await.id, id, "and Dan");

    let claim = agent::MissedClaim { missed_id: id };
    let (a, c, d) = tokio::join!(
        ada.call(claim.clone()),
        cleo.call(claim.clone()),
        dan.call(claim.clone())
    );
    let results = [a, c, d];
    let winners: Vec<_> = results.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one claim wins: {results:?}");
    let winner = winners[0].missed.claimed_by.clone().expect("a holder");
    for r in &results {
        if let Err(e) = r {
            assert_eq!(
                e.code,
                ErrorCode::Conflict,
                "the others are told it is taken"
            );
            assert!(
                e.message.contains(&winner.name),
                "and by whom: {}",
                e.message
            );
        }
    }
    let state = winners[0].missed.state;
    assert_eq!(state, MissedState::Claimed);
    let expires = winners[0]
        .missed
        .claim_expires_at
        .expect("a claim has an expiry");
    assert_eq!(expires, hub.clock.now() + chrono::TimeDelta::minutes(15));

    let mut peers = [("Ada Lovelace", ada), ("Cleo", cleo), ("Dan", dan)];
    let (holder, others) = {
        let i = peers
            .iter()
            .position(|(name, _)| *name == winner.name)
            .expect("the winner is one of them");
        peers.swap(0, i);
        let (h, o) = peers.split_at_mut(1);
        (&mut h[0].1, o)
    };
    let loser = &mut others[0].1;
    let err = loser
        .call(agent::MissedRelease { missed_id: id })
        .await
        .expect_err("only the holder releases");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = loser
        .call(agent::MissedReply {
            client_id: new_client_id(),
            missed_id: id,
            text: "Me too".into(),
        })
        .await
        .expect_err("only the holder replies");
    assert_eq!(err.code, ErrorCode::Conflict);
    let err = loser
        .call(agent::MissedClose { missed_id: id })
        .await
        .expect_err("nor may another agent close it under the holder");
    assert_eq!(err.code, ErrorCode::Conflict);

    // Claiming again extends the claim.
    hub.advance(60).await;
    let renewed = holder
        .call(agent::MissedClaim { missed_id: id })
        .await
        .expect("the holder may claim again");
    assert_eq!(
        renewed.missed.claim_expires_at,
        Some(hub.clock.now() + chrono::TimeDelta::minutes(15))
    );
    // The first expiry passes without effect; the renewed one lapses the claim.
    hub.advance(14 * 60).await;
    let list = holder.call(agent::MissedList {}).await.expect("list");
    assert_eq!(list.missed[0].state, MissedState::Claimed, "still held");
    hub.advance(60).await;
    let lapsed = missed_updated(loser, "the claim lapsed", |m| {
        m.id == id && m.state == MissedState::Open
    })
    .await;
    assert!(lapsed.claimed_by.is_none());
    assert!(lapsed.claim_expires_at.is_none());

    // Now the other agent may take it, and give it back.
    loser
        .call(agent::MissedClaim { missed_id: id })
        .await
        .expect("an open missed chat can be claimed");
    let released = loser
        .call(agent::MissedRelease { missed_id: id })
        .await
        .expect("released");
    assert_eq!(released.missed.state, MissedState::Open);
    let err = loser
        .call(agent::MissedRelease { missed_id: id })
        .await
        .expect_err("nothing to release");
    assert_eq!(err.code, ErrorCode::InvalidState);

    let closed = holder
        .call(agent::MissedClose { missed_id: id })
        .await
        .expect("any agent of the department closes an unclaimed missed chat");
    assert_eq!(closed.missed.state, MissedState::Closed);
    let err = holder
        .call(agent::MissedClaim { missed_id: id })
        .await
        .expect_err("a closed missed chat cannot be claimed");
    assert_eq!(err.code, ErrorCode::InvalidState);

    let mut ben = hub.agent(BEN).await;
    let err = ben
        .call(agent::MissedClaim { missed_id: id })
        .await
        .expect_err("Ben is not in Support");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let list = ben.call(agent::MissedList {}).await.expect("list");
    assert!(
        list.missed.is_empty(),
        "Ben's departments have no missed chats"
    );
}

#[tokio::test]
async fn a_missed_chat_without_an_email_address_is_listed_but_not_answerable() {
    let hub = spawn_hub().await;
    let mut ada = hub.agent(ADA).await;
    let (mut v, _started) =
        start_missed(&hub, survey("Anon", None, "Is anyone there?", "Support")).await;
    let missed = missed_new(&mut ada).await;
    assert!(!missed.answerable, "no email address: not answerable");
    let list = ada.call(agent::MissedList {}).await.expect("list");
    assert_eq!(list.missed.len(), 1, "still listed");
    assert!(!list.missed[0].answerable);

    ada.call(agent::MissedClaim {
        missed_id: missed.id,
    })
    .await
    .expect("claimed");
    let err = ada
        .call(agent::MissedReply {
            client_id: new_client_id(),
            missed_id: missed.id,
            text: "Hello!".into(),
        })
        .await
        .expect_err("nowhere to send it");
    assert_eq!(err.code, ErrorCode::InvalidState);
    assert!(
        err.message.contains("no email address"),
        "the agent is told why: {}",
        err.message
    );

    // The visitor leaves an address through the form: now it can be answered.
    v.call(visitor::OfflineSend {
        client_id: new_client_id(),
        name: "Anon".into(),
        email: "anon@visitor.example".into(),
        message: "Here is my address.".into(),
        department: "Support".into(),
        page_url: None,
    })
    .await
    .expect("kept");
    let updated = missed_updated(&mut ada, "an address arrived", |m| m.answerable).await;
    assert_eq!(updated.id, missed.id);
}

#[tokio::test]
async fn the_snapshot_and_a_resume_carry_the_missed_list() {
    let hub =
        spawn_hub_with(|s| s.token_ttl = std::time::Duration::from_secs(30 * 24 * 3600)).await;
    let mut ada = hub.agent(ADA).await;
    let (_v, started) = start_missed(
        &hub,
        survey("Old", Some("old@visitor.example"), "Q1", "Support"),
    )
    .await;
    let old = missed_new(&mut ada).await;
    assert_eq!(old.chat_id, started.chat_id);
    ada.call(agent::MissedClose { missed_id: old.id })
        .await
        .expect("closed");
    hub.advance(8 * 24 * 3600).await;
    let (_v2, _) = start_missed(
        &hub,
        survey("New", Some("new@visitor.example"), "Q2", "Support"),
    )
    .await;
    let new = missed_new(&mut ada).await;
    let cursor = ada.last_seq.expect("a cursor");
    drop(ada);

    let snapshot = {
        let mut ada = hub.agent(ADA).await;
        ada.call(agent::SyncSnapshot {}).await.expect("snapshot")
    };
    let ids: Vec<_> = snapshot.missed.iter().map(|m| m.id).collect();
    assert_eq!(
        ids,
        vec![new.id],
        "open ones, and closed ones of the last 7 days only"
    );

    // A third missed chat while Ada is away: a resume replays it.
    let (_v3, _) = start_missed(&hub, survey("Third", None, "Q3", "Support")).await;
    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("connects");
    ada.last_seq = Some(cursor);
    let welcome = ada.hello(Some(cursor)).await;
    assert_eq!(welcome.resume, agent::ResumeOutcome::Resumed);
    let replayed = missed_new(&mut ada).await;
    assert_eq!(replayed.question, "Q3");
}

#[tokio::test]
async fn a_chat_back_in_the_queue_after_its_agent_dropped_is_not_missed() {
    let hub = spawn_hub().await;
    let cleo = hub
        .add_agent("cleo@acme.example", "Cleo", &["Support"], &[], 3)
        .await;
    // Cleo is signed in but away: she sees Support's queue and missed list.
    let mut cleo = hub.agent((&cleo.0, &cleo.1)).await;
    let mut ada = hub.online_agent(ADA).await;
    let (_vera, started) = hub.visitor_chat("Vera", "Support").await;
    assert_eq!(ada.accept_next().await.chat.id, started.chat_id);

    let before = hub.hub.open_connections();
    drop(ada);
    hub.wait_connections(before - 1).await;
    hub.advance(60).await;
    let queue = cleo.call(agent::QueueList {}).await.expect("queue");
    assert_eq!(queue.entries.len(), 1, "re-routed after the grace period");

    hub.advance(300).await;
    let queue = cleo.call(agent::QueueList {}).await.expect("queue");
    assert_eq!(
        queue.entries.len(),
        1,
        "Ada accepted it once, so the maximum wait does not make it missed"
    );
    assert!(
        cleo.pushes
            .iter()
            .all(|p| !matches!(p.push, AgentPush::MissedNew(_))),
        "nothing reached the missed list"
    );
}
