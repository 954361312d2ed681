//! Handing chats over and answering faster: transfers to another agent (accepted and
//! declined) and canned responses with their variables, also offline.

use switchboard_client::protocol::agent::TransferTo;
use switchboard_client::protocol::visitor::{VisitorChatState, VisitorEventBody, VisitorPush};
use switchboard_client::protocol::{AgentStatus, CannedScope, ChatId, OfferEnd, OfferKind};
use switchboard_client::{Client, ConnectionState, ConsoleChange};

use crate::proxy::{FaultProxy, Mode};
use crate::support::*;

/// A visitor's chat in Support, accepted by `client`.
async fn accepted_chat(client: &Client, hub: &TestHub, name: &str) -> (Visitor, ChatId) {
    let mut visitor = hub.visitor().await;
    let started = visitor.start(name, "Support", "I want 20 more seats").await;
    let offer = until(client, "the offer arrives", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .cloned()
    })
    .await;
    client.accept_offer(offer.id).await.expect("accepted");
    visitor.say("Can you help?").await;
    (visitor, started.chat_id)
}

#[tokio::test]
async fn a_chat_is_transferred_to_another_agent_who_accepts() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let ada = sign_in(config(&dir.path().join("ada")), &hub.url(), ADA).await;
    let ben = sign_in(config(&dir.path().join("ben")), &hub.url(), BEN).await;
    ada.set_status(AgentStatus::Online).await.expect("online");
    ben.set_status(AgentStatus::Online).await.expect("online");
    let (mut visitor, chat) = accepted_chat(&ada, &hub, "Olu").await;
    let ben_id = ben.session().agent.id;

    let targets = ada.transfer_targets().await.expect("targets");
    let listed = targets
        .agents
        .iter()
        .find(|a| a.id == ben_id)
        .expect("Ben is a transfer target");
    assert!(
        listed.connected && listed.status == AgentStatus::Online,
        "Ben shows as available: {listed:?}"
    );
    assert!(targets.departments.iter().any(|d| d.name == "Sales"));

    let sent = ada
        .transfer(
            chat,
            TransferTo::Agent { id: ben_id },
            "Wants 20 seats; VAT is sorted.",
        )
        .await
        .expect("queued");
    ada.outbox_wait(&sent)
        .await
        .expect("the hub starts the transfer");
    let offer = until(&ben, "Ben is offered the transfer", |c| {
        c.offers.iter().find(|o| o.chat.id == chat).cloned()
    })
    .await;
    assert_eq!(offer.kind, OfferKind::Transfer);
    assert_eq!(offer.note, "Wants 20 seats; VAT is sorted.");
    assert_eq!(
        offer.from.as_ref().map(|a| a.name.as_str()),
        Some("Ada Lovelace")
    );
    assert!(
        offer.events.iter().any(|e| matches!(
            &e.body,
            switchboard_client::protocol::EventBody::Message { text, .. } if text == "Can you help?"
        )),
        "the receiver sees the transcript so far"
    );

    ben.accept_offer(offer.id).await.expect("Ben accepts");
    until(&ada, "the chat leaves Ada", |c| {
        c.chat(chat).is_none().then_some(())
    })
    .await;
    until(&ben, "the chat opens for Ben", |c| c.chat(chat).map(|_| ())).await;
    visitor.drain().await;
    assert!(
        visitor.pushes.iter().any(|p| matches!(
            p,
            VisitorPush::State(s) if s.state == VisitorChatState::Connected { agent_name: "Ben Franklin".into() }
        )),
        "the visitor sees the new agent's name: {:?}",
        visitor.pushes
    );
    assert!(
        visitor.pushes.iter().any(|p| matches!(
            p,
            VisitorPush::Event(e) if matches!(&e.event.body, VisitorEventBody::Notice { .. })
        )),
        "the visitor is told about the transfer"
    );
    let reply = ben
        .send_message(chat, "Hi Olu, Ben from Sales.")
        .await
        .expect("queued");
    ben.outbox_wait(&reply).await.expect("sent");
    assert_eq!(
        visitor.agent_messages(1).await,
        vec!["Hi Olu, Ben from Sales."]
    );
    ada.shutdown().await;
    ben.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_declined_transfer_comes_back_to_the_sender() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let ada = sign_in(config(&dir.path().join("ada")), &hub.url(), ADA).await;
    let ben = sign_in(config(&dir.path().join("ben")), &hub.url(), BEN).await;
    ada.set_status(AgentStatus::Online).await.expect("online");
    ben.set_status(AgentStatus::Online).await.expect("online");
    let (_visitor, chat) = accepted_chat(&ada, &hub, "Pat").await;
    let ben_id = ben.session().agent.id;

    let (_, mut ada_changes) = ada.subscribe();
    let sent = ada
        .transfer(chat, TransferTo::Agent { id: ben_id }, "")
        .await
        .expect("queued");
    ada.outbox_wait(&sent).await.expect("started");
    let offer = until(&ben, "Ben is offered it", |c| c.offers.first().cloned()).await;
    ben.decline_offer(offer.id).await.expect("Ben declines");
    assert!(
        ben.console().offers.is_empty(),
        "a declined offer leaves at once"
    );
    let reason = next_change(&mut ada_changes, "the transfer to come back", |c| match c {
        ConsoleChange::TransferReturned {
            chat_id, reason, ..
        } if *chat_id == chat => Some(*reason),
        _ => None,
    })
    .await;
    assert_eq!(reason, OfferEnd::Declined);
    assert!(
        ada.console().chat(chat).is_some(),
        "the chat stays with Ada"
    );
    ada.shutdown().await;
    ben.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn canned_responses_fill_their_variables_and_are_there_offline() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let ada = sign_in(config(&dir.path().join("ada")), &proxy.url(), ADA).await;
    ada.set_status(AgentStatus::Online).await.expect("online");
    let (_visitor, chat) = accepted_chat(&ada, &hub, "Grace").await;

    let saved = ada
        .canned_save(
            None,
            CannedScope::Personal,
            None,
            "thanks",
            "Thanks {visitor_name}, this is {agent_name} from {department}.",
        )
        .await
        .expect("a personal canned response is saved");
    let list = ada.canned_list().await.expect("list");
    assert!(
        list.iter()
            .any(|c| c.id == saved.id && c.shortcut == "thanks")
    );
    assert_eq!(
        ada.canned_fill(&saved, chat).expect("the chat is open"),
        "Thanks Grace, this is Ada Lovelace from Support.",
        "variables are filled for the chat it goes to"
    );
    let err = ada
        .canned_save(
            None,
            CannedScope::Department,
            None,
            "team",
            "Hello from the team",
        )
        .await
        .expect_err("only admins manage department responses");
    assert!(matches!(err.code(), "forbidden" | "bad_request"), "{err}");

    proxy.set_mode(Mode::Refuse);
    proxy.drop_all();
    until_state(&ada, "offline", |s| !matches!(s, ConnectionState::Online)).await;
    let offline = ada
        .canned_list()
        .await
        .expect("the cached list is used offline");
    assert!(
        offline.iter().any(|c| c.id == saved.id),
        "canned responses are at hand without the hub"
    );
    assert_eq!(
        ada.canned_fill_id(saved.id, chat)
            .await
            .expect("the cached response fills by id"),
        "Thanks Grace, this is Ada Lovelace from Support.",
        "the app fills a response by its id, offline too"
    );

    proxy.set_mode(Mode::Pass);
    ada.reconnect_now();
    until_state(&ada, "online", |s| matches!(s, ConnectionState::Online)).await;
    ada.canned_delete(saved.id).await.expect("deleted");
    assert!(
        !ada.canned_list()
            .await
            .expect("list")
            .iter()
            .any(|c| c.id == saved.id),
        "a deleted response is gone"
    );
    ada.shutdown().await;
    hub.stop().await;
}
