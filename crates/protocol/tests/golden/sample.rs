//! The people, departments and chats the examples talk about, so that every fixture
//! tells part of the same story: Dana asks Support about an invoice, Sam answers.

use switchboard_protocol::{
    AgentId, AgentInfo, AgentRef, Author, ChatEvent, ChatId, ChatState, ChatSummary, ClientId,
    DepartmentId, DepartmentInfo, DepartmentRef, EventBody, EventId, Role, Timestamp, VisitorInfo,
};

pub fn at(rfc3339: &str) -> Timestamp {
    rfc3339
        .parse()
        .expect("sample timestamps are written as RFC 3339")
}

pub fn client_id(s: &str) -> ClientId {
    ClientId::parse(s).expect("sample client ids are valid")
}

pub fn sales() -> DepartmentRef {
    DepartmentRef {
        id: DepartmentId(1),
        name: "Sales".into(),
    }
}

pub fn support() -> DepartmentRef {
    DepartmentRef {
        id: DepartmentId(2),
        name: "Support".into(),
    }
}

pub fn sam() -> AgentRef {
    AgentRef {
        id: AgentId(7),
        name: "Sam Rivera".into(),
    }
}

pub fn alex() -> AgentRef {
    AgentRef {
        id: AgentId(9),
        name: "Alex Chen".into(),
    }
}

pub fn sam_info() -> AgentInfo {
    AgentInfo {
        id: AgentId(7),
        name: "Sam Rivera".into(),
        email: "sam@acme.example".into(),
        role: Role::Agent,
        max_chats: 3,
        departments: vec![support(), sales()],
        skills: vec!["billing".into(), "german".into()],
    }
}

pub fn support_info() -> DepartmentInfo {
    DepartmentInfo {
        id: DepartmentId(2),
        name: "Support".into(),
        outcomes: vec![
            "Resolved".into(),
            "Follow-up needed".into(),
            "Not a customer".into(),
        ],
        wrap_up_required: true,
        wrap_up_timeout_secs: 120,
        wait_alert_secs: 30,
        reply_alert_secs: 60,
    }
}

pub fn sales_info() -> DepartmentInfo {
    DepartmentInfo {
        id: DepartmentId(1),
        name: "Sales".into(),
        outcomes: vec!["Sale".into(), "Follow-up needed".into(), "No sale".into()],
        wrap_up_required: false,
        wrap_up_timeout_secs: 120,
        wait_alert_secs: 30,
        reply_alert_secs: 60,
    }
}

pub const DANA: &str = "Dana Whitfield";
pub const DANA_EMAIL: &str = "dana@example.org";
pub const QUESTION: &str = "My last invoice shows the wrong VAT number. Can you correct it?";
pub const PAGE: &str = "https://shop.acme.example/account/invoices";
pub const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
/// The chat Dana and Sam have.
pub const CHAT: ChatId = ChatId(1042);

pub fn dana() -> VisitorInfo {
    VisitorInfo {
        name: DANA.into(),
        email: Some(DANA_EMAIL.into()),
        page_url: Some(PAGE.into()),
        user_agent: Some(BROWSER.into()),
        site: Some("shop.acme.example".into()),
        previous_chats: 2,
    }
}

/// Dana's chat while Sam is being offered it.
pub fn chat_offered() -> ChatSummary {
    ChatSummary {
        id: CHAT,
        department: support(),
        visitor: dana(),
        question: QUESTION.into(),
        state: ChatState::Offered,
        agent: None,
        created_at: at("2025-06-03T09:14:05Z"),
        accepted_at: None,
        ended_at: None,
        last_event_id: Some(EventId(88202)),
        visitor_waiting_since: Some(at("2025-06-03T09:14:05Z")),
        wrap_up: None,
    }
}

/// Dana's chat once Sam has it, after his transfer to Alex came back.
pub fn chat_active() -> ChatSummary {
    ChatSummary {
        state: ChatState::Active,
        agent: Some(sam()),
        accepted_at: Some(at("2025-06-03T09:14:19Z")),
        last_event_id: Some(EventId(88209)),
        visitor_waiting_since: Some(at("2025-06-03T09:18:20Z")),
        ..chat_offered()
    }
}

pub fn event(id: i64, chat: ChatId, time: &str, body: EventBody) -> ChatEvent {
    ChatEvent {
        id: EventId(id),
        chat_id: chat,
        at: at(time),
        body,
    }
}

pub fn from_dana(text: &str) -> EventBody {
    EventBody::Message {
        author: Author::Visitor { name: DANA.into() },
        text: text.into(),
        client_id: None,
    }
}

pub fn from_sam(text: &str, id: &str) -> EventBody {
    EventBody::Message {
        author: Author::Agent {
            id: sam().id,
            name: sam().name,
        },
        text: text.into(),
        client_id: Some(client_id(id)),
    }
}

/// The first events of Dana's chat: her question and what she typed while waiting.
pub fn waiting_events() -> Vec<ChatEvent> {
    vec![
        event(88201, CHAT, "2025-06-03T09:14:05Z", from_dana(QUESTION)),
        event(
            88202,
            CHAT,
            "2025-06-03T09:14:12Z",
            from_dana("It should be DE 811 907 980, not DE 811 907 908."),
        ),
    ]
}

pub const SAM_HELLO_ID: &str = "0197318c-5a2e-7c41-9d3b-6f0e2a8b41c7";

pub fn sam_hello() -> ChatEvent {
    event(
        88204,
        CHAT,
        "2025-06-03T09:14:31Z",
        from_sam(
            "Hi Dana, I'm Sam from Support. Let me pull up that invoice.",
            SAM_HELLO_ID,
        ),
    )
}
