//! Every variant of the tagged enums round-trips, including those no fixture shows,
//! and the close reasons keep distinct codes.

use std::collections::BTreeSet;
use std::fmt::Debug;

use serde::Serialize;
use serde::de::DeserializeOwned;
use switchboard_protocol::agent::TransferTo;
use switchboard_protocol::visitor::{VisitorChatState, VisitorEvent, VisitorEventBody};
use switchboard_protocol::{
    AgentId, Author, ChatEvent, CloseReason, DepartmentId, EmailDelivery, EmailId, EndReason,
    EndedBy, ErrorCode, EventBody, EventId, TransferTarget, WrapUp, WrapUpState,
};

use crate::sample::*;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + Debug>(value: T) {
    let text = serde_json::to_string(&value).expect("wire values serialize");
    let back: T =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{text} does not decode back: {e}"));
    assert_eq!(back, value, "{text} must decode to the value it came from");
}

#[test]
fn every_event_body_round_trips() {
    let wrap_up = WrapUp {
        outcome: "Follow-up needed".into(),
        notes: "Call back on Friday.".into(),
        tags: vec!["callback".into()],
    };
    let bodies = vec![
        from_dana("Hello?"),
        from_sam("On it.", "c-1"),
        EventBody::Message {
            author: Author::System,
            text: "Are you still there?".into(),
            client_id: None,
        },
        EventBody::Joined { agent: sam() },
        EventBody::TransferRequested {
            from: sam(),
            to: TransferTarget::Department {
                id: DepartmentId(1),
                name: "Sales".into(),
            },
            note: String::new(),
        },
        EventBody::TransferFailed {
            from: sam(),
            reason: "timeout".into(),
        },
        EventBody::Left {
            agent: sam(),
            reason: "rerouted".into(),
        },
        EventBody::Ended {
            by: EndedBy::System,
            reason: EndReason::Inactivity,
        },
        EventBody::WrapUp {
            agent: sam(),
            wrap_up,
        },
        EventBody::EmailReply {
            agent: sam(),
            to: DANA_EMAIL.into(),
            subject: "Re: your invoice".into(),
            text: "Done.".into(),
            email_id: EmailId(3),
        },
        EventBody::Notice {
            text: "You are being transferred to Sales.".into(),
        },
        EventBody::Unknown,
    ];
    for (n, body) in bodies.into_iter().enumerate() {
        round_trip(ChatEvent {
            id: EventId(1 + n as i64),
            chat_id: CHAT,
            at: at("2025-06-03T10:00:00Z"),
            body,
        });
    }
}

#[test]
fn every_visitor_state_and_event_round_trips() {
    for state in [
        VisitorChatState::Queued { position: 1 },
        VisitorChatState::Connecting,
        VisitorChatState::Connected {
            agent_name: "Sam Rivera".into(),
        },
        VisitorChatState::Ended { by: EndedBy::Agent },
        VisitorChatState::Missed { offline_form: true },
    ] {
        round_trip(state);
    }
    for body in [
        VisitorEventBody::Message {
            from: switchboard_protocol::Party::Agent,
            name: "Acme Support".into(),
            text: "Are you still there?".into(),
            system: true,
            client_id: None,
        },
        VisitorEventBody::Notice {
            text: "You are being transferred to Sales.".into(),
        },
        VisitorEventBody::Unknown,
    ] {
        round_trip(VisitorEvent {
            id: EventId(5),
            at: at("2025-06-03T10:00:00Z"),
            body,
        });
    }
}

#[test]
fn every_wrap_up_state_delivery_and_target_round_trips() {
    round_trip(WrapUpState::Expired);
    round_trip(WrapUpState::Pending {
        required: false,
        deadline: at("2025-06-03T10:02:00Z"),
    });
    for delivery in [
        EmailDelivery::Queued,
        EmailDelivery::Retrying {
            attempts: 2,
            next_attempt_at: at("2025-06-03T10:04:00Z"),
            last_error: "connection refused".into(),
        },
        EmailDelivery::Sent {
            at: at("2025-06-03T10:05:00Z"),
        },
        EmailDelivery::Written {
            at: at("2025-06-03T10:05:00Z"),
            path: "/var/lib/switchboard/outbox-eml/12.eml".into(),
        },
        EmailDelivery::Failed {
            attempts: 8,
            last_error: "550 mailbox unavailable".into(),
        },
    ] {
        round_trip(delivery);
    }
    round_trip(TransferTo::Department {
        id: DepartmentId(1),
    });
    round_trip(TransferTo::Agent { id: AgentId(9) });
}

#[test]
fn close_reasons_have_distinct_codes() {
    let reasons = [
        CloseReason::TokenExpired,
        CloseReason::SignedOut,
        CloseReason::Disabled,
        CloseReason::Replaced,
        CloseReason::Shutdown,
        CloseReason::Idle,
        CloseReason::Protocol,
        CloseReason::Other,
    ];
    let codes: BTreeSet<u16> = reasons.iter().map(|r| r.close_code()).collect();
    assert_eq!(
        codes.len(),
        reasons.len(),
        "a client that only sees the close frame must be able to tell the reason"
    );
    for reason in reasons {
        round_trip(reason);
    }
}

#[test]
fn every_error_code_round_trips() {
    for code in [
        ErrorCode::BadRequest,
        ErrorCode::UnknownAction,
        ErrorCode::TooLarge,
        ErrorCode::RateLimited,
        ErrorCode::Unauthorized,
        ErrorCode::TokenExpired,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::InvalidState,
        ErrorCode::HelloRequired,
        ErrorCode::UnsupportedVersion,
        ErrorCode::Internal,
    ] {
        round_trip(code);
    }
}
