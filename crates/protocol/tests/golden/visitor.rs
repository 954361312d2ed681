//! One example of every request, reply and push of the visitor protocol.

use switchboard_protocol::visitor::*;
use switchboard_protocol::{
    CloseReason, ErrorCode, EventId, MissedChatId, PROTOCOL_VERSION, Party, Survey, WireError,
    agent::Closing,
};

use crate::fixture::{self, Fixture, Visitor};
use crate::sample::*;

/// The secret `chat.start` hands out for Dana's chat.
const TOKEN: &str = "vt_Qm9vZ2xlLUNocm9tZS1pcy1ub3QtYS10b2tlbg-7Hq2xZk";

pub fn fixtures() -> Vec<Fixture> {
    let mut all = Vec::new();
    all.extend(fixture::call::<Visitor, _>(
        "1",
        Hello {
            protocol: PROTOCOL_VERSION,
            token: Some(TOKEN.into()),
        },
        Welcome {
            departments: departments(),
            chat: Some(VisitorChat {
                chat_id: CHAT,
                state: VisitorChatState::Connected {
                    agent_name: "Sam Rivera".into(),
                },
                events: vec![question(), correction(), sam_says()],
            }),
            heartbeat_secs: 15,
        },
    ));
    all.extend(fixture::call::<Visitor, _>("2", Ping {}, Done {}));
    all.extend(fixture::call::<Visitor, _>(
        "3",
        ChatStart {
            client_id: client_id("w-5f0c1e9a-01"),
            survey: Survey {
                name: DANA.into(),
                email: Some(DANA_EMAIL.into()),
                question: QUESTION.into(),
                department: "Support".into(),
            },
            page_url: Some(PAGE.into()),
            user_agent: Some(BROWSER.into()),
        },
        ChatStarted {
            chat_id: CHAT,
            token: TOKEN.into(),
            state: VisitorChatState::Queued { position: 2 },
            events: vec![question()],
        },
    ));
    all.extend(fixture::call::<Visitor, _>(
        "4",
        MessageSend {
            client_id: client_id("w-5f0c1e9a-02"),
            text: "It should be DE 811 907 980, not DE 811 907 908.".into(),
        },
        MessageSent {
            event: correction(),
        },
    ));
    all.extend(fixture::call::<Visitor, _>(
        "5",
        TypingSet {
            typing: true,
            preview: Some("It's invoice INV-2025-04".into()),
        },
        Done {},
    ));
    all.extend(fixture::call::<Visitor, _>("6", ChatEnd {}, Done {}));
    all.extend(fixture::call::<Visitor, _>(
        "7",
        OfflineSend {
            client_id: client_id("w-8a41d3c7-01"),
            name: "Olu Adeyemi".into(),
            email: "olu@example.net".into(),
            message: "Is there an education discount? We are a school with 30 teachers.".into(),
            department: "Sales".into(),
            page_url: Some("https://shop.acme.example/pricing".into()),
        },
        OfflineSent {
            missed_id: MissedChatId(77),
        },
    ));

    all.push(fixture::push::<Visitor>(
        VisitorPush::State(StatePush {
            state: VisitorChatState::Connected {
                agent_name: "Sam Rivera".into(),
            },
        }),
        None,
    ));
    all.push(fixture::push::<Visitor>(
        VisitorPush::Event(EventPush { event: sam_says() }),
        None,
    ));
    all.push(fixture::push::<Visitor>(
        VisitorPush::Typing(TypingPush { typing: true }),
        None,
    ));
    all.push(fixture::push::<Visitor>(
        VisitorPush::Closing(Closing {
            reason: CloseReason::Shutdown,
            reconnect: true,
            message: "The chat server is restarting.".into(),
        }),
        None,
    ));
    all.push(fixture::error::<Visitor>(
        "8",
        WireError::new(
            ErrorCode::RateLimited,
            "Too many messages at once; wait a moment and try again.",
        ),
    ));
    all
}

fn departments() -> Vec<DepartmentStatus> {
    vec![
        DepartmentStatus {
            name: "Sales".into(),
            open: true,
            available: true,
        },
        DepartmentStatus {
            name: "Support".into(),
            open: true,
            available: true,
        },
    ]
}

fn question() -> VisitorEvent {
    VisitorEvent {
        id: EventId(88201),
        at: at("2025-06-03T09:14:05Z"),
        body: VisitorEventBody::Message {
            from: Party::Visitor,
            name: DANA.into(),
            text: QUESTION.into(),
            system: false,
            client_id: Some(client_id("w-5f0c1e9a-01")),
        },
    }
}

fn correction() -> VisitorEvent {
    VisitorEvent {
        id: EventId(88202),
        at: at("2025-06-03T09:14:12Z"),
        body: VisitorEventBody::Message {
            from: Party::Visitor,
            name: DANA.into(),
            text: "It should be DE 811 907 980, not DE 811 907 908.".into(),
            system: false,
            client_id: Some(client_id("w-5f0c1e9a-02")),
        },
    }
}

fn sam_says() -> VisitorEvent {
    VisitorEvent {
        id: EventId(88204),
        at: at("2025-06-03T09:14:31Z"),
        body: VisitorEventBody::Message {
            from: Party::Agent,
            name: "Sam Rivera".into(),
            text: "Hi Dana, I'm Sam from Support. Let me pull up that invoice.".into(),
            system: false,
            client_id: None,
        },
    }
}
