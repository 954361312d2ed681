//! A real hub process killed with SIGKILL and started again on the same data dir keeps
//! every message it acknowledged, its sessions and its open chats.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;

use switchboard_protocol::agent::{self, ResumeOutcome};
use switchboard_protocol::visitor::{self, VisitorChatState, VisitorEventBody};
use switchboard_protocol::{AgentStatus, EventBody, PROTOCOL_VERSION};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::*;

/// Start the real binary on a free port and read the address it prints.
async fn start_hub(data: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_switchboard-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(data)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the hub binary starts");
    let stdout = child.stdout.take().expect("stdout is piped");
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(PATIENCE, async {
        while let Some(line) = lines.next_line().await.expect("stdout reads") {
            if let Some(url) = line.strip_prefix("switchboard-hub listening on http://") {
                return url
                    .trim()
                    .parse::<SocketAddr>()
                    .expect("the printed address parses");
            }
        }
        panic!("the hub exited before printing its address");
    })
    .await
    .expect("the hub prints its address in time");
    // Keep draining stdout so the hub never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    (child, addr)
}

#[tokio::test]
async fn a_hub_killed_and_restarted_still_has_every_acknowledged_message() {
    let dir = tempfile::tempdir().expect("a data dir");
    let http = reqwest::Client::new();
    let (mut first, addr) = start_hub(dir.path()).await;
    let origin = format!("http://{addr}");

    let signed = sign_in(&http, addr, ADA).await;
    let mut ada = AgentPeer::connect(addr, &signed.token)
        .await
        .expect("Ada connects");
    ada.hello(None).await;
    ada.set_status(AgentStatus::Online).await;
    let mut visitor = VisitorPeer::connect(addr, &origin)
        .await
        .expect("the visitor connects");
    visitor
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: None,
        })
        .await
        .expect("hello");
    let started = visitor.start("Vera", "Support").await;
    ada.accept_next().await;

    let mut acknowledged = Vec::new();
    for i in 0..5 {
        let text = format!("visitor says {i}");
        visitor.say(&text).await;
        acknowledged.push(text);
        let text = format!("Ada answers {i}");
        ada.say(started.chat_id, &text).await;
        acknowledged.push(text);
    }
    ada.call(agent::Ping {}).await.expect("ping");
    let cursor = ada.last_seq.expect("Ada has a cursor");

    first.kill().await.expect("SIGKILL the hub");
    drop(ada);
    drop(visitor);

    let (_second, addr) = start_hub(dir.path()).await;
    let origin = format!("http://{addr}");

    // The session survived, and so did the push log.
    let mut ada = AgentPeer::connect(addr, &signed.token)
        .await
        .expect("the token issued before the crash still works");
    let welcome = ada.hello(Some(cursor)).await;
    assert_eq!(
        welcome.resume,
        ResumeOutcome::Resumed,
        "the push log survived the crash"
    );
    assert_eq!(
        welcome.status,
        AgentStatus::Away,
        "nobody is routable after a restart"
    );

    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: started.chat_id,
        })
        .await
        .expect("the transcript survived");
    let stored: Vec<String> = transcript
        .events
        .iter()
        .filter_map(|e| match &e.body {
            EventBody::Message { text, .. } if !text.contains("question") => Some(text.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(stored, acknowledged, "every acknowledged message, in order");
    let chats = ada.call(agent::ChatList {}).await.expect("chat.list");
    assert_eq!(
        chats.chats.len(),
        1,
        "the chat is still Ada's after the restart"
    );

    let mut visitor = VisitorPeer::connect(addr, &origin)
        .await
        .expect("the visitor reconnects");
    let welcome = visitor
        .call(visitor::Hello {
            protocol: PROTOCOL_VERSION,
            token: Some(started.token.clone()),
        })
        .await
        .expect("hello with the token");
    let chat = welcome.chat.expect("the token still names the chat");
    assert!(matches!(chat.state, VisitorChatState::Connected { .. }));
    let seen: Vec<String> = chat
        .events
        .iter()
        .filter_map(|e| match &e.body {
            VisitorEventBody::Message { text, .. } if !text.contains("question") => {
                Some(text.clone())
            }
            _ => None,
        })
        .collect();
    assert_eq!(seen, acknowledged, "the visitor sees the same transcript");

    // And the conversation goes on.
    ada.say(started.chat_id, "We are back").await;
    visitor.message("We are back").await;
}
