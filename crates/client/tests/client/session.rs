//! The session over time: the token refreshed before it runs out and after the hub
//! closes a connection whose token expired; a session revoked elsewhere; the same
//! agent connecting from a second place.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use switchboard_client::protocol::AgentStatus;
use switchboard_client::session::HubHttp;
use switchboard_client::{Client, ConnectionState, HubUrl, ManualClock, OfflineReason};

use crate::support::*;

async fn until_expiry_after(
    client: &Client,
    after: chrono::DateTime<Utc>,
    what: &str,
) -> chrono::DateTime<Utc> {
    tokio::time::timeout(PATIENCE, async {
        loop {
            let now = client.session().expires_at;
            if now > after {
                return now;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"))
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire_and_when_the_hub_says_they_did() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |s| {
        s.token_ttl = Duration::from_secs(3600);
    })
    .await;
    let clock = ManualClock::new(Utc::now());
    let mut cfg = config(&dir.path().join("c"));
    cfg.clock = Arc::new(clock.clone());
    let client = sign_in(cfg, &hub.url(), ADA).await;
    let first = client.session().expires_at;

    // 50 of 60 minutes pass on both clocks: past the 80% mark, the next heartbeat
    // refreshes the token.
    hub.clock.advance(Duration::from_secs(50 * 60));
    clock.advance(Duration::from_secs(50 * 60));
    let second = until_expiry_after(&client, first, "the token is refreshed ahead of time").await;

    // The hub's clock passes the first token's expiry: it closes the connection that
    // token opened. The client refreshes and reconnects by itself.
    hub.clock.advance(Duration::from_secs(15 * 60));
    until_expiry_after(&client, second, "the expired connection leads to a refresh").await;
    until_state(
        &client,
        "the client is back online with the new token",
        |s| matches!(s, ConnectionState::Online),
    )
    .await;
    client
        .set_status(AgentStatus::Away)
        .await
        .expect("the new session works");
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_session_revoked_elsewhere_signs_the_client_out_for_good() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let http = HubHttp::new();
    let session = http
        .sign_in(&HubUrl::parse(&hub.url()).expect("url"), ADA.0, ADA.1)
        .await
        .expect("sign-in");
    let client = Client::start(config(&dir.path().join("c")), session.clone())
        .await
        .expect("starts");
    until_state(&client, "online", |s| matches!(s, ConnectionState::Online)).await;

    http.sign_out(&session).await.expect("revoked on the hub");
    until_state(&client, "the client learns it was signed out", |s| {
        matches!(s, ConnectionState::SignedOut { .. })
    })
    .await;
    let err = client
        .set_status(AgentStatus::Online)
        .await
        .expect_err("a signed-out client cannot act");
    assert_eq!(err.code(), "signed_out");
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn a_second_connection_of_the_same_agent_replaces_the_first() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let first = sign_in(config(&dir.path().join("one")), &hub.url(), ADA).await;
    let second = sign_in(config(&dir.path().join("two")), &hub.url(), ADA).await;
    until_state(&first, "the first client is told it was replaced", |s| {
        matches!(
            s,
            ConnectionState::Offline {
                reason: OfflineReason::Replaced
            }
        )
    })
    .await;
    assert!(
        matches!(second.connection().state(), ConnectionState::Online),
        "the newer connection stays"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        matches!(first.connection().state(), ConnectionState::Offline { .. }),
        "a replaced client does not fight back by reconnecting"
    );
    first.shutdown().await;
    second.shutdown().await;
    hub.stop().await;
}
