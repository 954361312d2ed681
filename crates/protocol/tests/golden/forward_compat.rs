//! What a v1 peer does with frames from a newer one: unknown fields, actions, pushes,
//! event types and error codes are skipped or answered, never fatal.

use serde_json::{Value, json};
use switchboard_protocol::agent::{AgentPush, AgentRequest, ChatEventPush, ReleaseReason};
use switchboard_protocol::visitor::{VisitorEventBody, VisitorPush, VisitorRequest};
use switchboard_protocol::{
    ClientId, CloseReason, ErrorCode, EventBody, OfferEnd, RawRequest, Seq, ServerFrame, WireError,
    decode_server_frame, encode_error,
};

use crate::{all_fixtures, example};

/// Adds a field no v1 type has to every object in `v`, however deep.
fn add_unknown_fields(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for child in map.values_mut() {
                add_unknown_fields(child);
            }
            map.insert(
                "x_future".into(),
                json!({"since": "1.4", "list": [1, "two", null, {"deep": true}]}),
            );
        }
        Value::Array(items) => items.iter_mut().for_each(add_unknown_fields),
        _ => {}
    }
}

#[test]
fn unknown_fields_are_ignored_in_every_frame_and_body() {
    for f in all_fixtures() {
        let mut value: Value =
            serde_json::from_str(&f.pretty()).expect("fixture examples are JSON");
        add_unknown_fields(&mut value);
        let text = value.to_string();
        if let Err(e) = f.decodes_to_example(&text) {
            panic!(
                "{}: a newer peer's extra fields must be ignored, at any depth: {e}",
                f.name
            );
        }
    }
}

fn agent_request(text: &str) -> Result<AgentRequest, WireError> {
    RawRequest::parse(text)?.decode(AgentRequest::ACTIONS)
}

fn visitor_request(text: &str) -> Result<VisitorRequest, WireError> {
    RawRequest::parse(text)?.decode(VisitorRequest::ACTIONS)
}

fn error_code<T: std::fmt::Debug>(result: Result<T, WireError>) -> ErrorCode {
    match result {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e.code,
    }
}

#[test]
fn unknown_action_is_answered_with_unknown_action() {
    let text = r#"{"id":"31","action":"chat.pin","data":{"chat_id":1042}}"#;
    let raw = RawRequest::parse(text).expect("the envelope of an unknown action is readable");
    let err = raw
        .decode::<AgentRequest>(AgentRequest::ACTIONS)
        .expect_err("chat.pin is not a v1 action");
    assert_eq!(
        err.code,
        ErrorCode::UnknownAction,
        "a newer client's action gets unknown_action, not bad_request"
    );
    let reply = encode_error(&raw.id, &err);
    let back: Value = serde_json::from_str(&reply).expect("error replies are JSON");
    assert_eq!(
        back["re"], "31",
        "the error reply echoes the request id so the sender can match it"
    );

    assert_eq!(
        error_code(visitor_request(
            r#"{"id":"4","action":"file.upload","data":{}}"#
        )),
        ErrorCode::UnknownAction,
        "the visitor protocol answers unknown actions the same way"
    );
    assert_eq!(
        error_code(visitor_request(
            r#"{"id":"5","action":"offer.accept","data":{"offer_id":1}}"#
        )),
        ErrorCode::UnknownAction,
        "an agent action is unknown on the visitor protocol"
    );
}

#[test]
fn malformed_requests_are_bad_request() {
    for text in [
        "not json",
        r#"{"id":"1"}"#,
        r#"[1,2]"#,
        r#"{"id":"1","action":42}"#,
    ] {
        assert_eq!(
            error_code(agent_request(text)),
            ErrorCode::BadRequest,
            "{text}: a frame that is not a request envelope is bad_request"
        );
    }
    assert_eq!(
        error_code(agent_request(
            r#"{"id":"1","action":"message.send","data":{"chat_id":"x"}}"#
        )),
        ErrorCode::BadRequest,
        "data of the wrong shape for a known action is bad_request"
    );
    assert_eq!(
        error_code(agent_request(r#"{"id":"1","action":"message.send"}"#)),
        ErrorCode::BadRequest,
        "missing data counts as {{}}, which lacks message.send's fields"
    );
}

#[test]
fn unknown_push_is_skipped_keeping_its_seq() {
    let text = r#"{"push":"supervisor.whisper","data":{"chat_id":1042,"text":"hi"},"seq":418}"#;
    assert_eq!(
        decode_server_frame::<AgentPush>(text, AgentPush::PUSHES),
        Ok(ServerFrame::UnknownPush {
            name: "supervisor.whisper".into(),
            seq: Some(Seq(418)),
        }),
        "an unknown durable push still advances the client's seq cursor"
    );
    let text = r#"{"push":"survey.prompt","data":{}}"#;
    assert_eq!(
        decode_server_frame::<VisitorPush>(text, VisitorPush::PUSHES),
        Ok(ServerFrame::UnknownPush {
            name: "survey.prompt".into(),
            seq: None,
        }),
        "an unknown ephemeral push is skipped"
    );
}

#[test]
fn unknown_event_type_decodes_to_unknown() {
    let text = r#"{"push":"chat.event","data":{"event":{"id":88230,"chat_id":1042,
        "at":"2025-06-03T09:22:00Z","type":"reaction","emoji":"+1","on":88205}},"seq":419}"#;
    match decode_server_frame::<AgentPush>(text, AgentPush::PUSHES) {
        Ok(ServerFrame::Push {
            seq,
            push: AgentPush::ChatEvent(ChatEventPush { event }),
        }) => {
            assert_eq!(seq, Some(Seq(419)), "the push keeps its seq");
            assert_eq!(
                event.body,
                EventBody::Unknown,
                "an event type from a newer hub is kept as unknown, with its id and time"
            );
            assert_eq!(event.id.0, 88230, "the event id survives for catch-up");
        }
        other => panic!("expected a chat.event push, got {other:?}"),
    }

    let text = r#"{"push":"chat.event","data":{"event":{"id":88231,
        "at":"2025-06-03T09:22:00Z","type":"file","name":"invoice.pdf"}}}"#;
    match decode_server_frame::<VisitorPush>(text, VisitorPush::PUSHES) {
        Ok(ServerFrame::Push {
            push: VisitorPush::Event(e),
            ..
        }) => assert_eq!(
            e.event.body,
            VisitorEventBody::Unknown,
            "the widget skips event types it does not know"
        ),
        other => panic!("expected a chat.event push, got {other:?}"),
    }
}

#[test]
fn unknown_enum_values_with_an_unknown_path_decode() {
    let text = r#"{"push":"chat.released","data":{"chat_id":1042,"reason":"merged"},"seq":420}"#;
    match decode_server_frame::<AgentPush>(text, AgentPush::PUSHES) {
        Ok(ServerFrame::Push {
            push: AgentPush::ChatReleased(r),
            ..
        }) => assert_eq!(
            r.reason,
            ReleaseReason::Other,
            "new release reasons map to other"
        ),
        other => panic!("expected chat.released, got {other:?}"),
    }
    let text = r#"{"push":"offer.closed","data":{"offer_id":1,"chat_id":2,"reason":"superseded"},"seq":421}"#;
    match decode_server_frame::<AgentPush>(text, AgentPush::PUSHES) {
        Ok(ServerFrame::Push {
            push: AgentPush::OfferClosed(c),
            ..
        }) => assert_eq!(c.reason, OfferEnd::Other, "new offer ends map to other"),
        other => panic!("expected offer.closed, got {other:?}"),
    }
    let text = r#"{"push":"session.closing","data":{"reason":"maintenance","reconnect":true}}"#;
    match decode_server_frame::<AgentPush>(text, AgentPush::PUSHES) {
        Ok(ServerFrame::Push {
            push: AgentPush::Closing(c),
            ..
        }) => {
            assert_eq!(
                c.reason,
                CloseReason::Other,
                "new close reasons map to other"
            );
            assert!(
                c.reason.should_reconnect(),
                "an unknown close reason is treated as a reason to reconnect with backoff"
            );
            assert_eq!(c.message, "", "a missing message defaults to empty");
        }
        other => panic!("expected session.closing, got {other:?}"),
    }
}

#[test]
fn unknown_error_code_decodes_to_unknown() {
    let text = r#"{"re":"12","error":{"code":"quota_exceeded","message":"plan limit reached"}}"#;
    match decode_server_frame::<AgentPush>(text, AgentPush::PUSHES) {
        Ok(ServerFrame::Reply { re, result: Err(e) }) => {
            assert_eq!(re, "12");
            assert_eq!(
                e.code,
                ErrorCode::Unknown,
                "a newer hub's code maps to unknown"
            );
            assert_eq!(
                e.message, "plan limit reached",
                "the message is kept for display"
            );
            assert!(
                !e.code.is_transient(),
                "an unknown code fails the request rather than retrying forever"
            );
        }
        other => panic!("expected an error reply, got {other:?}"),
    }
}

#[test]
fn requests_without_fields_need_no_data() {
    for action in [
        "ping",
        "sync.snapshot",
        "chat.list",
        "history.list",
        "queue.list",
        "transfer.targets",
        "canned.list",
        "missed.list",
    ] {
        for text in [
            format!(r#"{{"id":"1","action":"{action}"}}"#),
            format!(r#"{{"id":"1","action":"{action}","data":null}}"#),
        ] {
            let request = agent_request(&text).unwrap_or_else(|e| {
                panic!("{text}: a request with no required fields needs no data: {e}")
            });
            assert_eq!(request.action(), action);
        }
    }
    for action in ["ping", "chat.end"] {
        let text = format!(r#"{{"id":"1","action":"{action}"}}"#);
        let request = visitor_request(&text)
            .unwrap_or_else(|e| panic!("{text}: a request with no fields needs no data: {e}"));
        assert_eq!(request.action(), action);
    }
}

#[test]
fn client_ids_are_checked() {
    let long = "a".repeat(ClientId::MAX_LEN + 1);
    for bad in [
        "",
        "two words",
        "ünïcode",
        "semi;colon",
        "slash/",
        long.as_str(),
    ] {
        assert!(
            ClientId::parse(bad).is_err(),
            "{bad:?} is not a valid client_id"
        );
        let text = json!({"id": "8", "action": "message.send",
            "data": {"client_id": bad, "chat_id": 1042, "text": "hi"}})
        .to_string();
        assert_eq!(
            error_code(agent_request(&text)),
            ErrorCode::BadRequest,
            "{bad:?}: a frame with an invalid client_id is rejected as bad_request"
        );
        let text = json!({"id": "4", "action": "message.send",
            "data": {"client_id": bad, "text": "hi"}})
        .to_string();
        assert_eq!(
            error_code(visitor_request(&text)),
            ErrorCode::BadRequest,
            "{bad:?}: the visitor protocol checks client ids too"
        );
    }
    let longest = "b".repeat(ClientId::MAX_LEN);
    for good in [
        "0197318c-5a2e-7c41-9d3b-6f0e2a8b41c7",
        "w-5f0c1e9a-01",
        "outbox:17",
        "A_b.c",
        longest.as_str(),
    ] {
        assert!(
            ClientId::parse(good).is_ok(),
            "{good:?} is a valid client_id"
        );
    }
}

#[test]
fn a_frame_that_is_neither_reply_nor_push_is_an_error() {
    assert!(
        decode_server_frame::<AgentPush>(r#"{"data":{}}"#, AgentPush::PUSHES).is_err(),
        "a hub frame without re or push cannot be used"
    );
    let text = example("agent/chat.event.push.json")
        .pretty()
        .replace("88205", "\"x\"");
    assert!(
        decode_server_frame::<AgentPush>(&text, AgentPush::PUSHES).is_err(),
        "a known push with data of the wrong shape is a decode error, not a silent skip"
    );
}
