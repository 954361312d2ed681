//! Email replies to missed chats, against a real SMTP server on loopback (aiosmtpd):
//! what arrives, the transcript, retries while the server is down, a hub restart with
//! an email pending, the .eml fallback without a server, and the config file.

use std::process::Stdio;

use chrono::TimeDelta;
use switchboard_hub::Settings;
use switchboard_protocol::agent::{self, MissedUpdated};
use switchboard_protocol::{
    EmailDelivery, ErrorCode, EventBody, MissedChat, MissedChatId, MissedState, PROTOCOL_VERSION,
};
use tokio::io::{AsyncBufReadExt, BufReader};

use crate::mailbox::{SmtpSink, free_port, parse_eml, smtp_settings};
use crate::missed::{missed_new, missed_updated, start_missed, survey};
use crate::support::*;

const QUESTION: &str = "Is there an education discount?\nWe are a school with 30 teachers.";

fn with_smtp(port: u16, login: Option<(&'static str, &'static str)>) -> impl FnOnce(&mut Settings) {
    move |s: &mut Settings| {
        s.email.from = "Acme Support <support@acme.example>"
            .parse()
            .expect("a sender");
        s.email.reply_to = Some("help@acme.example".parse().expect("an address"));
        s.email.smtp = Some(smtp_settings(port, login));
    }
}

/// A missed chat from Olu with the education question, claimed by Ada.
async fn claimed_missed_chat(hub: &TestHub, ada: &mut AgentPeer) -> MissedChat {
    let (_v, _) = start_missed(
        hub,
        survey(
            "Olu Adeyemi",
            Some("olu@visitor.example"),
            QUESTION,
            "Support",
        ),
    )
    .await;
    let missed = missed_new(ada).await;
    ada.call(agent::MissedClaim {
        missed_id: missed.id,
    })
    .await
    .expect("Ada claims it")
    .missed
}

async fn reply(ada: &mut AgentPeer, id: MissedChatId, text: &str) -> MissedUpdated {
    ada.call(agent::MissedReply {
        client_id: new_client_id(),
        missed_id: id,
        text: text.into(),
    })
    .await
    .expect("the reply is stored")
}

/// The delivery of the missed chat's latest reply, if it has one.
fn delivery(m: &MissedChat) -> Option<&EmailDelivery> {
    m.replies.last().map(|r| &r.delivery)
}

#[tokio::test]
async fn a_reply_is_emailed_with_the_question_quoted_and_kept_in_the_transcript() {
    let sink = SmtpSink::start_with_login(free_port(), "hub", "mail-password").await;
    let hub = spawn_hub_with(with_smtp(sink.port, Some(("hub", "mail-password")))).await;
    let mut ada = hub.agent(ADA).await;
    let missed = claimed_missed_chat(&hub, &mut ada).await;

    let send = agent::MissedReply {
        client_id: new_client_id(),
        missed_id: missed.id,
        text: "Hello Olu, yes: schools get 40% off every plan.".into(),
    };
    let replied = ada.call(send.clone()).await.expect("stored");
    assert_eq!(replied.missed.state, MissedState::Replied);
    let sent_reply = replied.missed.replies[0].clone();
    assert_eq!(
        sent_reply.delivery,
        EmailDelivery::Queued,
        "acknowledged once stored"
    );
    assert_eq!(sent_reply.to, "olu@visitor.example");
    assert_eq!(sent_reply.subject, "Re: Is there an education discount?");
    assert_eq!(sent_reply.agent.name, "Ada Lovelace");

    let delivered = missed_updated(&mut ada, "the email sent", |m| {
        matches!(delivery(m), Some(EmailDelivery::Sent { .. }))
    })
    .await;
    assert_eq!(delivered.id, missed.id);

    let mail = sink.wait_for(1).await;
    let mail = &mail[0];
    assert_eq!(mail.rcpt_tos, vec!["olu@visitor.example".to_owned()]);
    assert_eq!(mail.to, "Olu Adeyemi <olu@visitor.example>");
    assert_eq!(mail.from, "Acme Support <support@acme.example>");
    assert_eq!(mail.mail_from.as_deref(), Some("support@acme.example"));
    assert_eq!(mail.reply_to.as_deref(), Some("help@acme.example"));
    assert_eq!(mail.subject, "Re: Is there an education discount?");
    assert_eq!(mail.content_type, "text/plain");
    let date = chrono::DateTime::parse_from_rfc2822(&mail.date).expect("a Date header");
    assert_eq!(
        date.timestamp(),
        sent_reply.created_at.timestamp(),
        "dated when the reply was written, on the hub clock"
    );
    assert_eq!(mail.login.as_deref(), Some("hub"), "the hub authenticated");
    assert!(
        mail.message_id
            .starts_with(&format!("<switchboard.{}.", sent_reply.id))
            && mail.message_id.ends_with("@acme.example>"),
        "a Message-ID fixed per outbox email: {}",
        mail.message_id
    );
    assert!(
        mail.body
            .starts_with("Hello Olu, yes: schools get 40% off every plan.\n"),
        "the reply comes first: {}",
        mail.body
    );
    assert!(
        mail.body.contains("\nAda Lovelace\nSupport"),
        "signed: {}",
        mail.body
    );
    assert!(
        mail.body.contains(
            "Olu Adeyemi wrote:\n> Is there an education discount?\n> We are a school with 30 teachers.\n"
        ),
        "the question is quoted: {}",
        mail.body
    );

    let transcript = ada
        .call(agent::TranscriptGet {
            chat_id: missed.chat_id,
        })
        .await
        .expect("transcript");
    let recorded = transcript
        .events
        .iter()
        .find_map(|e| match &e.body {
            EventBody::EmailReply {
                agent,
                to,
                subject,
                text,
                email_id,
            } => Some((e.at, agent, to, subject, text, *email_id)),
            _ => None,
        })
        .expect("the transcript holds the reply");
    assert_eq!(recorded.0, sent_reply.created_at, "with its time");
    assert_eq!(recorded.1.name, "Ada Lovelace", "and its author");
    assert_eq!(recorded.2, "olu@visitor.example");
    assert_eq!(recorded.3, "Re: Is there an education discount?");
    assert_eq!(
        recorded.4,
        "Hello Olu, yes: schools get 40% off every plan."
    );
    assert_eq!(recorded.5, sent_reply.id);

    // A retry of the same command (lost reply) is answered as before, no second email.
    let again = ada.call(send).await.expect("the retry is answered");
    assert_eq!(again.missed.replies.len(), 1);
    assert_eq!(again.missed.replies[0].id, sent_reply.id);
    let list = ada.call(agent::MissedList {}).await.expect("list");
    assert_eq!(list.missed[0].replies.len(), 1, "one reply, one email");
    assert_eq!(sink.messages().len(), 1);
}

#[tokio::test]
async fn an_email_that_meets_a_down_server_is_retried_and_delivered_exactly_once() {
    let port = free_port();
    let hub = spawn_hub_with(with_smtp(port, None)).await;
    let mut ada = hub.agent(ADA).await;
    let missed = claimed_missed_chat(&hub, &mut ada).await;
    let replied = reply(&mut ada, missed.id, "We will get back to you.").await;
    let written_at = replied.missed.replies[0].created_at;

    let retrying = missed_updated(&mut ada, "the first try failed", |m| {
        matches!(delivery(m), Some(EmailDelivery::Retrying { .. }))
    })
    .await;
    match delivery(&retrying) {
        Some(EmailDelivery::Retrying {
            attempts,
            next_attempt_at,
            last_error,
        }) => {
            assert_eq!(*attempts, 1);
            assert_eq!(
                *next_attempt_at,
                written_at + TimeDelta::seconds(30),
                "the first retry comes 30 s later on the hub clock"
            );
            assert!(!last_error.is_empty(), "the agent sees why");
        }
        other => panic!("expected retrying, got {other:?}"),
    }

    let sink = SmtpSink::start(port).await;
    hub.advance(29).await;
    assert!(sink.messages().is_empty(), "no try before the retry is due");
    hub.advance(1).await;
    let sent = missed_updated(&mut ada, "sent on the retry", |m| {
        matches!(delivery(m), Some(EmailDelivery::Sent { .. }))
    })
    .await;
    assert_eq!(sent.replies.len(), 1);
    assert_eq!(sink.wait_for(1).await.len(), 1);

    hub.advance(3600).await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert_eq!(sink.messages().len(), 1, "delivered exactly once");
}

#[tokio::test]
async fn an_email_pending_when_the_hub_stops_is_delivered_once_after_the_restart() {
    let port = free_port();
    let hub = spawn_hub_with(with_smtp(port, None)).await;
    let mut ada = hub.agent(ADA).await;
    let missed = claimed_missed_chat(&hub, &mut ada).await;
    reply(&mut ada, missed.id, "Answer across a restart.").await;
    missed_updated(&mut ada, "the first try failed", |m| {
        matches!(delivery(m), Some(EmailDelivery::Retrying { .. }))
    })
    .await;
    drop(ada);
    let (dir, clock) = hub.stop().await;

    let sink = SmtpSink::start(port).await;
    let hub = spawn_hub_in(dir, clock, with_smtp(port, None)).await;
    let mut ada = hub.agent(ADA).await;
    let list = ada.call(agent::MissedList {}).await.expect("list");
    assert!(
        matches!(
            delivery(&list.missed[0]),
            Some(EmailDelivery::Retrying { attempts: 1, .. })
        ),
        "the outbox survived the restart"
    );
    hub.advance(30).await;
    missed_updated(&mut ada, "sent after the restart", |m| {
        matches!(delivery(m), Some(EmailDelivery::Sent { .. }))
    })
    .await;
    let mail = sink.wait_for(1).await;
    assert!(mail[0].body.starts_with("Answer across a restart."));
    hub.advance(3600).await;
    ada.call(agent::Ping {}).await.expect("ping");
    assert_eq!(sink.messages().len(), 1, "delivered once");
}

#[tokio::test]
async fn an_email_that_keeps_failing_is_given_up_and_can_be_answered_again() {
    let port = free_port();
    let hub = spawn_hub_with(|s| {
        with_smtp(port, None)(s);
        s.email.max_attempts = 2;
    })
    .await;
    let mut ada = hub.agent(ADA).await;
    let missed = claimed_missed_chat(&hub, &mut ada).await;
    reply(&mut ada, missed.id, "First try.").await;
    missed_updated(&mut ada, "retrying", |m| {
        matches!(delivery(m), Some(EmailDelivery::Retrying { .. }))
    })
    .await;
    hub.advance(30).await;
    let failed = missed_updated(&mut ada, "given up", |m| {
        matches!(delivery(m), Some(EmailDelivery::Failed { .. }))
    })
    .await;
    assert!(matches!(
        delivery(&failed),
        Some(EmailDelivery::Failed { attempts: 2, .. })
    ));

    // The agent sees it failed, claims again and sends another reply once the server
    // is back.
    let sink = SmtpSink::start(port).await;
    let err = ada
        .call(agent::MissedReply {
            client_id: new_client_id(),
            missed_id: missed.id,
            text: "Without a claim.".into(),
        })
        .await
        .expect_err("a reply needs a claim");
    assert_eq!(err.code, ErrorCode::Forbidden);
    ada.call(agent::MissedClaim {
        missed_id: missed.id,
    })
    .await
    .expect("a replied missed chat can be claimed for a follow-up");
    reply(&mut ada, missed.id, "Second try.").await;
    missed_updated(&mut ada, "the follow-up sent", |m| {
        m.replies.len() == 2 && matches!(delivery(m), Some(EmailDelivery::Sent { .. }))
    })
    .await;
    let mail = sink.wait_for(1).await;
    assert!(mail[0].body.starts_with("Second try."));
}

#[tokio::test]
async fn without_smtp_each_email_is_written_as_an_eml_file_and_the_agent_told_where() {
    let hub = spawn_hub().await;
    let mut ada = hub.agent(ADA).await;
    let missed = claimed_missed_chat(&hub, &mut ada).await;
    reply(&mut ada, missed.id, "Written, not sent.").await;
    let written = missed_updated(&mut ada, "written", |m| {
        matches!(delivery(m), Some(EmailDelivery::Written { .. }))
    })
    .await;
    let Some(EmailDelivery::Written { path, at }) = delivery(&written).cloned() else {
        unreachable!("matched above")
    };
    assert_eq!(at, hub.clock.now());
    let path = std::path::PathBuf::from(path);
    let folder = hub
        .data_dir()
        .join("outbox-mail")
        .canonicalize()
        .expect("the outbox folder exists");
    assert_eq!(
        path.parent(),
        Some(folder.as_path()),
        "under DATA_DIR/outbox-mail"
    );
    let mail = parse_eml(&path).await;
    assert_eq!(mail.to, "Olu Adeyemi <olu@visitor.example>");
    assert_eq!(mail.from, "Switchboard <noreply@switchboard.invalid>");
    assert_eq!(mail.subject, "Re: Is there an education discount?");
    assert!(mail.body.starts_with("Written, not sent.\n"));
    assert!(mail.body.contains("> Is there an education discount?\n"));
}

#[tokio::test]
async fn the_binary_reads_its_smtp_server_and_password_from_the_config_file() {
    let sink = SmtpSink::start_with_login(free_port(), "hub-user", "from-the-env").await;
    let dir = tempfile::tempdir().expect("a data dir");
    let config = dir.path().join("hub.toml");
    std::fs::write(
        &config,
        format!(
            "[email]\nfrom = \"Acme Support <support@acme.example>\"\n\n\
             [smtp]\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\nusername = \"hub-user\"\n\
             password_env = \"HUB_TEST_SMTP_PASSWORD\"\n",
            sink.port
        ),
    )
    .expect("the config is written");
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_switchboard-hub"))
        .args(["serve", "--listen", "127.0.0.1:0", "--demo", "--data"])
        .arg(dir.path().join("data"))
        .arg("--config")
        .arg(&config)
        .env("HUB_TEST_SMTP_PASSWORD", "from-the-env")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .expect("the hub binary starts");
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let addr: std::net::SocketAddr = tokio::time::timeout(PATIENCE, async {
        while let Some(line) = lines.next_line().await.expect("stdout reads") {
            if let Some(url) = line.strip_prefix("switchboard-hub listening on http://") {
                return url.trim().parse().expect("an address");
            }
        }
        panic!("the hub exited before printing its address");
    })
    .await
    .expect("the hub starts in time");
    let mut route = String::new();
    while let Ok(Ok(Some(line))) = tokio::time::timeout(PATIENCE, lines.next_line()).await {
        if let Some(r) = line.trim().strip_prefix("email replies: ") {
            route = r.to_owned();
            break;
        }
    }
    assert!(
        route.starts_with(&format!("SMTP 127.0.0.1:{}", sink.port)),
        "the hub says where email goes: {route}"
    );
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });

    let http = reqwest::Client::new();
    let signed = sign_in(&http, addr, ADA).await;
    let mut ada = AgentPeer::connect(addr, &signed.token)
        .await
        .expect("Ada connects");
    ada.hello(None).await;
    let mut v = VisitorPeer::connect(addr, &format!("http://{addr}"))
        .await
        .expect("a visitor connects");
    v.call(switchboard_protocol::visitor::Hello {
        protocol: PROTOCOL_VERSION,
        token: None,
    })
    .await
    .expect("hello");
    v.call(switchboard_protocol::visitor::ChatStart {
        client_id: new_client_id(),
        survey: survey(
            "Olu Adeyemi",
            Some("olu@visitor.example"),
            QUESTION,
            "Support",
        ),
        page_url: None,
        user_agent: None,
    })
    .await
    .expect("the chat is answered (missed: nobody is online)");
    let missed = missed_new(&mut ada).await;
    ada.call(agent::MissedClaim {
        missed_id: missed.id,
    })
    .await
    .expect("claimed");
    reply(&mut ada, missed.id, "Sent by the real binary.").await;
    let mail = sink.wait_for(1).await;
    assert_eq!(mail[0].login.as_deref(), Some("hub-user"));
    assert_eq!(mail[0].from, "Acme Support <support@acme.example>");
    assert!(mail[0].body.starts_with("Sent by the real binary."));
    let _ = child.kill().await;
}
