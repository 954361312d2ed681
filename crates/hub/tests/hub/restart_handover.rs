//! A hub stopped and started again on the same data keeps wrap-ups owed (with their
//! slots and deadlines) and transfers under way: one to a department waits again, one
//! to an agent (whose offer a restart withdraws) comes back to the sender.

use std::path::Path;

use switchboard_hub::{Clock, ManualClock, RunningHub, Settings};
use switchboard_protocol::agent::{self, AgentPush, ReleaseReason, TransferTo};
use switchboard_protocol::{AgentStatus, ChatState, EventBody, OfferKind, WrapUpState};

use crate::support::*;

async fn start(data: &Path, clock: &ManualClock) -> RunningHub {
    let mut settings = Settings::new("127.0.0.1:0".parse().expect("an address"), data);
    settings.demo = true;
    switchboard_hub::spawn(settings, Clock::from(clock.clone()))
        .await
        .expect("the hub starts")
}

async fn online(hub: &RunningHub, who: (&str, &str)) -> AgentPeer {
    let signed = sign_in(&reqwest::Client::new(), hub.addr(), who).await;
    let mut agent = AgentPeer::connect(hub.addr(), &signed.token)
        .await
        .expect("the agent connects");
    agent.hello(None).await;
    agent.set_status(AgentStatus::Online).await;
    agent
}

async fn visitor_chat(hub: &RunningHub, name: &str) -> (VisitorPeer, switchboard_protocol::ChatId) {
    let mut v = VisitorPeer::connect(hub.addr(), &hub.origin())
        .await
        .expect("the visitor connects");
    v.call(switchboard_protocol::visitor::Hello {
        protocol: switchboard_protocol::PROTOCOL_VERSION,
        token: None,
    })
    .await
    .expect("hello");
    let started = v.start(name, "Support").await;
    (v, started.chat_id)
}

#[tokio::test]
async fn a_restart_keeps_wrap_ups_and_transfers_under_way() {
    let dir = tempfile::tempdir().expect("a data dir");
    let clock = ManualClock::starting_now();
    let hub = start(dir.path(), &clock).await;
    let store = switchboard_hub::store::Store::open(&dir.path().join("hub.db"))
        .await
        .expect("the store opens");
    // Sales has nobody and no backup, so a transfer there waits.
    switchboard_hub::admin::department_set(
        &store,
        "Sales",
        &switchboard_hub::admin::DepartmentChanges {
            backup_mode: Some(switchboard_hub::routing::BackupMode::None),
            ..Default::default()
        },
    )
    .await
    .expect("Sales changes");
    let cy = ("cy@switchboard.demo", "Cy Young-password");
    switchboard_hub::admin::agent_add(
        &store,
        &Clock::system(),
        &switchboard_hub::admin::NewAgentRequest {
            email: cy.0.into(),
            name: "Cy Young".into(),
            password: cy.1.into(),
            departments: Vec::new(),
            skills: Vec::new(),
            max_chats: 3,
            role: switchboard_protocol::Role::Agent,
        },
    )
    .await
    .expect("Cy is added, in no department");

    let mut ada = online(&hub, ADA).await;
    let (_vera, vera) = visitor_chat(&hub, "Vera").await;
    ada.accept_next().await;
    let (_walt, walt) = visitor_chat(&hub, "Walt").await;
    ada.accept_next().await;
    let (_xena, xena) = visitor_chat(&hub, "Xena").await;
    ada.accept_next().await;
    let mut cy_peer = online(&hub, cy).await;
    let cy_id = ada
        .call(agent::TransferTargets {})
        .await
        .expect("targets")
        .agents
        .into_iter()
        .find(|a| a.name == "Cy Young")
        .expect("Cy")
        .id;

    ada.end(walt).await;
    let sales = switchboard_protocol::DepartmentId(1);
    ada.call(agent::ChatTransfer {
        client_id: new_client_id(),
        chat_id: vera,
        to: TransferTo::Department { id: sales },
        note: "For Sales".into(),
    })
    .await
    .expect("a transfer to Sales, where nobody is online");
    ada.call(agent::ChatTransfer {
        client_id: new_client_id(),
        chat_id: xena,
        to: TransferTo::Agent { id: cy_id },
        note: String::new(),
    })
    .await
    .expect("a transfer to Cy");
    cy_peer.offer().await;
    hub.stop().await.expect("the hub stops");

    clock.advance(std::time::Duration::from_secs(30));
    let hub = start(dir.path(), &clock).await;
    let mut ada = online(&hub, ADA).await;
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    let mut held: Vec<_> = chats.chats.iter().map(|c| (c.id, c.state)).collect();
    held.sort_by_key(|(id, _)| *id);
    assert_eq!(
        held,
        vec![
            (vera, ChatState::Active),
            (walt, ChatState::Ended),
            (xena, ChatState::Active)
        ],
        "Ada still holds her chats and the one in wrap-up"
    );
    let transcript = ada
        .call(agent::TranscriptGet { chat_id: xena })
        .await
        .expect("transcript");
    assert!(
        transcript.events.iter().any(
            |e| matches!(&e.body, EventBody::TransferFailed { reason, .. } if reason == "cancelled")
        ),
        "the transfer to Cy, whose offer the restart withdrew, came back"
    );
    let targets = ada.call(agent::TransferTargets {}).await.expect("targets");
    let queued = targets
        .departments
        .iter()
        .find(|d| d.id == sales)
        .expect("Sales")
        .queue_length;
    assert_eq!(queued, 1, "the transfer to Sales waits in its queue again");

    let mut ben = online(&hub, BEN).await;
    let offer = ben.offer().await;
    assert_eq!(
        (offer.chat.id, offer.kind, offer.note.as_str()),
        (vera, OfferKind::Transfer, "For Sales")
    );
    ben.call(agent::OfferAccept { offer_id: offer.id })
        .await
        .expect("Ben takes it");
    assert_eq!(ada.released(vera).await, ReleaseReason::Transferred);

    // Walt's wrap-up keeps its deadline: 120 s from the end, 30 of them passed.
    clock.advance(std::time::Duration::from_secs(89));
    hub.settle().await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert!(
        !ada.pushes
            .iter()
            .any(|p| matches!(&p.push, AgentPush::ChatReleased(r) if r.chat_id == walt)),
        "the wrap-up is still owed"
    );
    clock.advance(std::time::Duration::from_secs(1));
    hub.settle().await;
    ada.wait_for("the wrap-up expiring", |p| {
        matches!(p, AgentPush::ChatUpdated(u) if u.chat.id == walt && u.chat.wrap_up == Some(WrapUpState::Expired))
    })
    .await;
    assert_eq!(ada.released(walt).await, ReleaseReason::WrappedUp);
    hub.stop().await.expect("the hub stops");
}
