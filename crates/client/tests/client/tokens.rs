//! The session token over time: refreshed before it runs out, and after the hub
//! closes a connection whose token expired.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use switchboard_client::protocol::AgentStatus;
use switchboard_client::{Client, ConnectionState, ManualClock};

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
