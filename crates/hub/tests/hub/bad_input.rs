//! Bad input gets a typed error or a limit, never a crash, and never disturbs the
//! other connections: a second chat keeps flowing throughout.

use switchboard_protocol::agent::{self, AgentPush};
use switchboard_protocol::http::paths;
use switchboard_protocol::visitor::{self, VisitorPush};
use switchboard_protocol::{
    ChatId, ClientId, CloseReason, ErrorCode, PROTOCOL_VERSION, WireError, limits,
};
use tokio_tungstenite::tungstenite;

use crate::support::*;

/// Ben chatting with a Sales visitor: the conversation that must keep working.
struct Bystander {
    ben: AgentPeer,
    visitor: VisitorPeer,
    chat: ChatId,
    n: u32,
}

impl Bystander {
    async fn new(hub: &TestHub) -> Self {
        let mut ben = hub.online_agent(BEN).await;
        let (visitor, started) = hub.visitor_chat("Sally", "Sales").await;
        ben.accept_next().await;
        Bystander {
            ben,
            visitor,
            chat: started.chat_id,
            n: 0,
        }
    }

    /// One message each way still arrives.
    async fn still_flows(&mut self) {
        self.n += 1;
        let text = format!("still flowing {}", self.n);
        self.ben.say(self.chat, &text).await;
        self.visitor.message(&text).await;
        let back = format!("and back {}", self.n);
        self.visitor.say(&back).await;
        self.ben
            .wait_for("the bystander's message", |p| {
                matches!(p, AgentPush::ChatEvent(e) if matches!(&e.event.body, switchboard_protocol::EventBody::Message { text, .. } if *text == back))
            })
            .await;
    }
}

fn code(result: Result<serde_json::Value, WireError>) -> ErrorCode {
    result.expect_err("the hub answers with an error").code
}

#[tokio::test]
async fn malformed_oversized_unknown_and_misplaced_frames_get_typed_errors() {
    let hub = spawn_hub().await;
    let mut bystander = Bystander::new(&hub).await;
    let mut ada = hub.online_agent(ADA).await;

    assert_eq!(
        code(ada.raw("{not json".into(), "").await),
        ErrorCode::BadRequest
    );
    assert_eq!(
        code(ada.raw("[1, 2, 3]".into(), "").await),
        ErrorCode::BadRequest
    );
    let huge = format!(
        r#"{{"id":"7","action":"ping","data":{{"pad":"{}"}}}}"#,
        "x".repeat(limits::MAX_AGENT_FRAME_BYTES)
    );
    assert_eq!(
        code(ada.raw(huge, "").await),
        ErrorCode::TooLarge,
        "over 64 KiB is not parsed"
    );
    assert_eq!(
        code(
            ada.raw(r#"{"id":"8","action":"chat.dance"}"#.into(), "8")
                .await
        ),
        ErrorCode::UnknownAction
    );
    assert_eq!(
        code(
            ada.raw(
                r#"{"id":"9","action":"message.send","data":{"chat_id":1}}"#.into(),
                "9"
            )
            .await
        ),
        ErrorCode::BadRequest,
        "data that does not fit the action"
    );
    assert_eq!(
        code(ada.raw(
            r#"{"id":"10","action":"message.send","data":{"client_id":"no spaces!","chat_id":1,"text":"x"}}"#.into(),
            "10"
        ).await),
        ErrorCode::BadRequest,
        "an invalid client id"
    );
    assert_eq!(
        code(
            ada.raw(
                r#"{"id":"11","action":"canned.delete","data":{"id":9999}}"#.into(),
                "11"
            )
            .await
        ),
        ErrorCode::NotFound,
        "a well-formed request for something that is not there"
    );
    bystander.still_flows().await;

    // Messages over the text limit.
    let (_v, started) = hub.visitor_chat("Vera", "Support").await;
    ada.accept_next().await;
    let long = "y".repeat(limits::MAX_MESSAGE_CHARS + 1);
    let err = ada
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: started.chat_id,
            text: long,
        })
        .await
        .expect_err("too long");
    assert_eq!(err.code, ErrorCode::TooLarge);
    ada.call(agent::Ping {})
        .await
        .expect("Ada's connection is still fine");
    bystander.still_flows().await;
}

#[tokio::test]
async fn actions_on_chats_the_agent_does_not_hold_are_refused() {
    let hub = spawn_hub().await;
    let mut bystander = Bystander::new(&hub).await;
    let mut ada = hub.online_agent(ADA).await;
    let (_v, started) = hub.visitor_chat("Vera", "Support").await;
    let ada_chat = started.chat_id;
    ada.accept_next().await;

    let ben = &mut bystander.ben;
    let err = ben
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: ada_chat,
            text: "hi".into(),
        })
        .await
        .expect_err("Ben does not hold Ada's chat");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ben
        .call(agent::ChatEnd {
            client_id: new_client_id(),
            chat_id: ada_chat,
        })
        .await
        .expect_err("nor may he end it");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ben
        .call(agent::TypingSet {
            chat_id: ada_chat,
            typing: true,
        })
        .await
        .expect_err("nor type in it");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ben
        .call(agent::TranscriptGet { chat_id: ada_chat })
        .await
        .expect_err("a Support chat he took no part in");
    assert_eq!(err.code, ErrorCode::Forbidden);
    let err = ben
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: ChatId(9999),
            text: "hi".into(),
        })
        .await
        .expect_err("no such chat");
    assert_eq!(err.code, ErrorCode::NotFound);
    let err = ben
        .call(agent::OfferAccept {
            offer_id: switchboard_protocol::OfferId(9999),
        })
        .await
        .expect_err("no such offer");
    assert_eq!(err.code, ErrorCode::NotFound);
    bystander.still_flows().await;

    ada.call(agent::ChatEnd {
        client_id: new_client_id(),
        chat_id: ada_chat,
    })
    .await
    .expect("Ada ends her chat");
    let err = ada
        .call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: ada_chat,
            text: "late".into(),
        })
        .await
        .expect_err("the chat has ended");
    assert_eq!(err.code, ErrorCode::InvalidState);
    bystander.still_flows().await;
}

#[tokio::test]
async fn wrong_and_expired_tokens_are_refused_and_an_expiring_session_is_closed() {
    let hub = spawn_hub().await;

    let refused = AgentPeer::connect(hub.hub.addr(), "not-a-token")
        .await
        .err()
        .expect("a wrong token is refused");
    assert_http_error(refused, 401, ErrorCode::Unauthorized);

    let signed = hub.sign_in(ADA).await;
    let mut ada = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .expect("a fresh token works");
    let err = ada
        .call(agent::Ping {})
        .await
        .expect_err("hello comes first");
    assert_eq!(err.code, ErrorCode::HelloRequired);
    let err = ada
        .call(agent::Hello {
            protocol: PROTOCOL_VERSION + 1,
            client: String::new(),
            resume_after: None,
        })
        .await
        .expect_err("a future protocol version");
    assert_eq!(err.code, ErrorCode::UnsupportedVersion);
    ada.hello(None).await;

    // The bystander signs in eleven hours later, so its session outlives Ada's.
    hub.advance(11 * 3600).await;
    let mut bystander = Bystander::new(&hub).await;
    bystander.still_flows().await;

    // Twelve hours after sign-in Ada's token has expired.
    hub.advance(3600).await;
    let closing = ada
        .wait_for("session.closing", |p| matches!(p, AgentPush::Closing(_)))
        .await;
    assert!(
        matches!(closing.push, AgentPush::Closing(c) if c.reason == CloseReason::TokenExpired && !c.reconnect)
    );
    assert_eq!(
        ada.wait_closed().await.code,
        Some(CloseReason::TokenExpired.close_code())
    );
    let refused = AgentPeer::connect(hub.hub.addr(), &signed.token)
        .await
        .err()
        .expect("an expired token is refused");
    assert_http_error(refused, 401, ErrorCode::TokenExpired);
    let response = hub
        .http
        .post(hub.hub.http_url(paths::REFRESH))
        .bearer_auth(&signed.token)
        .send()
        .await
        .expect("refresh answers");
    assert_eq!(response.status(), 401);
    let body: WireError = response.json().await.expect("an error body");
    assert_eq!(
        body.code,
        ErrorCode::TokenExpired,
        "an expired token cannot be refreshed"
    );

    // Wrong passwords are refused the same way.
    let response = hub
        .http
        .post(hub.hub.http_url(paths::SIGN_IN))
        .json(&serde_json::json!({"email": ADA.0, "password": "wrong password"}))
        .send()
        .await
        .expect("sign-in answers");
    assert_eq!(response.status(), 401);
    bystander.still_flows().await;
}

fn assert_http_error(error: tungstenite::Error, status: u16, want: ErrorCode) {
    match error {
        tungstenite::Error::Http(response) => {
            assert_eq!(response.status().as_u16(), status);
            let body: WireError =
                serde_json::from_slice(response.body().as_deref().unwrap_or_default())
                    .expect("the refusal carries an error body");
            assert_eq!(body.code, want);
        }
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

#[tokio::test]
async fn a_flooding_visitor_is_limited_then_cut_off_while_other_chats_flow() {
    let hub = spawn_hub().await;
    let mut bystander = Bystander::new(&hub).await;
    let mut ada = hub.online_agent(ADA).await;
    let (mut flooder, _started) = hub.visitor_chat("Flo", "Support").await;
    ada.accept_next().await;

    // The clock stands still, so nothing refills: the burst of 10 passes, then no more.
    let mut accepted = 0;
    let mut limited = 0;
    for i in 0..15 {
        match flooder
            .call(visitor::MessageSend {
                client_id: new_client_id(),
                text: format!("spam {i}"),
            })
            .await
        {
            Ok(_) => accepted += 1,
            Err(e) => {
                assert_eq!(e.code, ErrorCode::RateLimited);
                limited += 1;
            }
        }
    }
    assert_eq!((accepted, limited), (limits::VISITOR_MESSAGE_BURST, 5));
    bystander.still_flows().await;

    // Keeping it up earns a close with reason `protocol`.
    for i in 0..limits::BAD_FRAMES_PER_MIN {
        flooder
            .send_text(switchboard_protocol::encode_request(
                &format!("f{i}"),
                &visitor::MessageSend {
                    client_id: new_client_id(),
                    text: "spam".into(),
                },
            ))
            .await;
    }
    let closed = flooder.wait_closed().await;
    assert_eq!(closed.code, Some(CloseReason::Protocol.close_code()));
    assert!(
        flooder.pushes.iter().any(
            |p| matches!(&p.push, VisitorPush::Closing(c) if c.reason == CloseReason::Protocol)
        ),
        "the visitor is told why"
    );
    bystander.still_flows().await;

    // A visitor from an origin that is not allowed never gets in.
    let refused = VisitorPeer::connect(hub.hub.addr(), "https://evil.example")
        .await
        .err()
        .expect("an unknown origin is refused");
    assert_http_error(refused, 403, ErrorCode::Forbidden);

    // An oversized visitor frame gets `too_large`; a binary frame `bad_request`.
    let mut v = hub.visitor().await;
    let big = "z".repeat(limits::MAX_VISITOR_FRAME_BYTES + 1);
    assert_eq!(code(v.raw(big, "").await), ErrorCode::TooLarge);
    let err = v
        .call(visitor::MessageSend {
            client_id: ClientId::parse("m1").expect("id"),
            text: "hi".into(),
        })
        .await
        .expect_err("no chat yet");
    assert_eq!(err.code, ErrorCode::InvalidState);
    bystander.still_flows().await;
}
