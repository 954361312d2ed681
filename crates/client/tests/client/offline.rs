//! Working without the hub: history and search from the cache after the hub is gone,
//! and a client restarted over the same cache file with commands still pending.

use switchboard_client::protocol::{AgentStatus, ChatId, EventBody};
use switchboard_client::session::HubHttp;
use switchboard_client::{Client, ConnectionState, HubUrl, OutboxState, Session};

use crate::proxy::{FaultProxy, Mode};
use crate::support::*;

/// One chat from start to end, with the visitor saying `line`.
async fn finished_chat(client: &Client, hub: &TestHub, name: &str, line: &str) -> ChatId {
    let mut visitor = hub.visitor().await;
    let started = visitor.start(name, "Support", "A question").await;
    let offer = until(client, "the offer arrives", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .cloned()
    })
    .await;
    client.accept_offer(offer.id).await.expect("accepted");
    visitor.say(line).await;
    until(client, "the line arrives", |c| {
        messages(c, started.chat_id)
            .contains(&line.to_string())
            .then_some(())
    })
    .await;
    let reply = client
        .send_message(started.chat_id, &format!("Thanks {name}"))
        .await
        .expect("queued");
    client.outbox_wait(&reply).await.expect("sent");
    let end = client.end_chat(started.chat_id).await.expect("queued");
    client.outbox_wait(&end).await.expect("ended");
    visitor.close().await;
    started.chat_id
}

#[tokio::test]
async fn offline_search_finds_the_right_transcripts_after_the_hub_is_gone() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let client = sign_in(config(&dir.path().join("c")), &hub.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("online");
    let zeppelin = finished_chat(&client, &hub, "Hugo", "My zeppelin arrived with a dent").await;
    let aubergine = finished_chat(&client, &hub, "Iris", "The aubergine dye ran in the wash").await;

    hub.stop().await;
    until_state(&client, "the client knows the hub is gone", |s| {
        !matches!(s, ConnectionState::Online)
    })
    .await;

    let hits = client
        .search("zeppelin", 20)
        .await
        .expect("search works offline");
    assert_eq!(hits.len(), 1, "one message mentions it: {hits:?}");
    assert_eq!(
        hits[0].chat_id, zeppelin,
        "the hit points at the right transcript"
    );
    assert_eq!(
        hits[0].chat.as_ref().map(|c| c.visitor.name.as_str()),
        Some("Hugo"),
        "a hit carries its chat for the result list"
    );
    let hits = client
        .search("auberg", 20)
        .await
        .expect("prefix search works");
    assert_eq!(
        hits.iter().map(|h| h.chat_id).collect::<Vec<_>>(),
        vec![aubergine]
    );
    assert!(
        client.search("thanks", 20).await.expect("search").len() >= 2,
        "the agent's own words are searchable too"
    );
    assert!(
        client
            .search("nothing-like-this", 20)
            .await
            .expect("search")
            .is_empty()
    );

    let history = client
        .history(None, 10)
        .await
        .expect("history works offline");
    let ids: Vec<ChatId> = history.iter().map(|h| h.chat.id).collect();
    assert_eq!(ids, vec![aubergine, zeppelin], "newest first");
    let transcript = client
        .transcript(zeppelin)
        .await
        .expect("transcript offline");
    assert!(
        transcript.events.iter().any(|e| matches!(
            &e.body,
            EventBody::Message { text, .. } if text == "My zeppelin arrived with a dent"
        )),
        "the whole transcript is cached"
    );
    client.shutdown().await;
}

#[tokio::test]
async fn a_restarted_client_reopens_its_cache_and_sends_what_was_pending() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let proxy = FaultProxy::start(hub.addr()).await;
    let data = dir.path().join("client");
    let client = sign_in(config(&data), &proxy.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("online");
    let mut visitor = hub.visitor().await;
    let started = visitor.start("Joan", "Support", "Refund please").await;
    let offer = until(&client, "the offer arrives", |c| c.offers.first().cloned()).await;
    client.accept_offer(offer.id).await.expect("accepted");
    visitor.say("I paid twice for order 77").await;
    until(&client, "the message arrives", |c| {
        messages(c, started.chat_id)
            .contains(&"I paid twice for order 77".to_string())
            .then_some(())
    })
    .await;

    proxy.set_mode(Mode::Refuse);
    proxy.drop_all();
    let pending = [
        "I see two charges",
        "Refunding one now",
        "Done, sorry about that",
    ];
    for text in pending {
        client
            .send_message(started.chat_id, text)
            .await
            .expect("queued");
    }
    // The process ends: everything in memory is gone.
    client.shutdown().await;
    drop(client);

    // A new process signs in (the hub is still unreachable through the proxy, so the
    // session comes straight from the hub) and opens the same cache file.
    let signed = HubHttp::new()
        .sign_in(&HubUrl::parse(&hub.url()).expect("url"), ADA.0, ADA.1)
        .await
        .expect("sign-in");
    let session = Session {
        hub: HubUrl::parse(&proxy.url()).expect("url"),
        ..signed
    };
    let client = Client::start(config(&data), session)
        .await
        .expect("restarts");
    let console = client.console();
    assert!(
        !matches!(console.connection, ConnectionState::Online),
        "the hub is still unreachable"
    );
    assert_eq!(
        messages(&console, started.chat_id),
        vec![
            "Refund please".to_string(),
            "I paid twice for order 77".to_string()
        ],
        "the open chat and its transcript (question, then message) come back from the cache"
    );
    let queued: Vec<String> = console
        .outbox
        .iter()
        .map(|i| match &i.command {
            switchboard_client::OutboxCommand::Message { text, .. } => text.clone(),
            other => panic!("only messages were queued, found {other:?}"),
        })
        .collect();
    assert_eq!(
        queued, pending,
        "pending messages survive the restart, in order"
    );
    assert!(
        console
            .outbox
            .iter()
            .all(|i| i.state == OutboxState::Pending)
    );
    assert_eq!(
        client.search("charges", 5).await.expect("search").len(),
        0,
        "a message not yet stored by the hub is not in the transcript index"
    );
    assert_eq!(client.search("order 77", 5).await.expect("search").len(), 1);

    proxy.set_mode(Mode::Pass);
    client.reconnect_now();
    let got = visitor.agent_messages(3).await;
    assert_eq!(got, pending, "the visitor gets them once, in order");
    until(&client, "the outbox is empty", |c| {
        c.outbox.is_empty().then_some(())
    })
    .await;
    client.shutdown().await;
    hub.stop().await;
}
