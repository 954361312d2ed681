//! One example of every request, reply and push of the agent protocol.

use switchboard_protocol::agent::*;
use switchboard_protocol::{
    AgentAvailability, AgentId, AgentStatus, AlertKind, Author, CannedId, CannedResponse,
    CannedScope, ChatEvent, ChatId, ChatState, ChatSummary, CloseReason, DepartmentAvailability,
    DepartmentId, EmailDelivery, EmailId, EmailReply, EndReason, EndedBy, ErrorCode, EventBody,
    EventId, MissedChat, MissedChatId, MissedReason, MissedState, Offer, OfferEnd, OfferId,
    OfferKind, PROTOCOL_VERSION, Party, QueueEntry, Seq, TransferTarget, VisitorInfo, WireError,
    WrapUp, WrapUpState,
};

use crate::fixture::{self, Agent, Fixture};
use crate::sample::*;

pub fn fixtures() -> Vec<Fixture> {
    let mut all = Vec::new();
    all.extend(fixture::call::<Agent, _>(
        "1",
        Hello {
            protocol: PROTOCOL_VERSION,
            client: "switchboard-desktop/0.1.0 (linux)".into(),
            resume_after: Some(Seq(407)),
        },
        Welcome {
            agent: sam_info(),
            status: AgentStatus::Away,
            last_seq: Seq(417),
            resume: ResumeOutcome::Resumed,
            heartbeat_secs: 15,
            idle_timeout_secs: 30,
            server_time: at("2025-06-03T09:21:40Z"),
        },
    ));
    all.extend(fixture::call::<Agent, _>("2", Ping {}, Done {}));
    all.extend(fixture::call::<Agent, _>(
        "3",
        SyncSnapshot {},
        Snapshot {
            seq: Seq(417),
            status: AgentStatus::Online,
            offers: vec![],
            chats: vec![chat_active(), chat_wrap_up_owed()],
            queue: queue(),
            missed: vec![missed_open()],
            departments: vec![support_info(), sales_info()],
            server_time: at("2025-06-03T09:21:41Z"),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "4",
        ChatEvents {
            chat_id: CHAT,
            after: Some(EventId(88205)),
            limit: None,
        },
        EventPage {
            events: vec![
                event(
                    88206,
                    CHAT,
                    "2025-06-03T09:18:02Z",
                    EventBody::Message {
                        author: Author::System,
                        text: "Are you still there?".into(),
                        client_id: None,
                    },
                ),
                event(
                    88207,
                    CHAT,
                    "2025-06-03T09:18:20Z",
                    from_dana("Still here, sorry! Also: could we add 20 more seats?"),
                ),
                event(
                    88208,
                    CHAT,
                    "2025-06-03T09:19:00Z",
                    EventBody::TransferRequested {
                        from: sam(),
                        to: TransferTarget::Agent {
                            id: alex().id,
                            name: alex().name,
                        },
                        note: "Wants 20 more seats; the VAT fix is done.".into(),
                    },
                ),
                event(
                    88209,
                    CHAT,
                    "2025-06-03T09:19:07Z",
                    EventBody::TransferFailed {
                        from: sam(),
                        reason: "declined".into(),
                    },
                ),
            ],
            more: false,
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "5",
        StatusSet {
            status: AgentStatus::Online,
        },
        StatusReply {
            status: AgentStatus::Online,
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "6",
        OfferAccept {
            offer_id: OfferId(5310),
        },
        Accepted {
            chat: ChatSummary {
                state: ChatState::Active,
                agent: Some(sam()),
                accepted_at: Some(at("2025-06-03T09:14:19Z")),
                last_event_id: Some(EventId(88203)),
                ..chat_offered()
            },
            events: {
                let mut events = waiting_events();
                events.push(event(
                    88203,
                    CHAT,
                    "2025-06-03T09:14:19Z",
                    EventBody::Joined { agent: sam() },
                ));
                events
            },
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "7",
        OfferDecline {
            offer_id: OfferId(5311),
        },
        Done {},
    ));
    all.extend(fixture::call::<Agent, _>(
        "8",
        MessageSend {
            client_id: client_id(SAM_HELLO_ID),
            chat_id: CHAT,
            text: "Hi Dana, I'm Sam from Support. Let me pull up that invoice.".into(),
        },
        MessageSent { event: sam_hello() },
    ));
    all.extend(fixture::call::<Agent, _>(
        "9",
        TypingSet {
            chat_id: CHAT,
            typing: true,
        },
        Done {},
    ));
    all.extend(fixture::call::<Agent, _>(
        "10",
        ChatEnd {
            client_id: client_id("0197319a-0c44-7e10-8a51-3b9d7f2e6a05"),
            chat_id: CHAT,
        },
        ChatEnded { chat: chat_ended() },
    ));
    all.extend(fixture::call::<Agent, _>(
        "11",
        ChatList {},
        Chats {
            chats: vec![chat_active(), chat_no_email()],
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "12",
        ChatTransfer {
            client_id: client_id("01973195-77d0-7f3a-b2c8-90e4d1a6c3f2"),
            chat_id: CHAT,
            to: TransferTo::Agent { id: alex().id },
            note: "Wants 20 more seats; the VAT fix is done.".into(),
        },
        TransferStarted {
            chat_id: CHAT,
            offer_id: Some(OfferId(5318)),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "13",
        TranscriptGet {
            chat_id: ChatId(1031),
        },
        Transcript {
            chat: earlier_chat(),
            events: earlier_events(),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "14",
        VisitorHistory { chat_id: CHAT },
        Chats {
            chats: vec![earlier_chat(), first_chat()],
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "15",
        HistoryList {
            before: Some(ChatId(1031)),
            limit: Some(50),
        },
        HistoryPage {
            chats: vec![first_chat()],
            more: true,
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "26",
        QueueList {},
        Queue { entries: queue() },
    ));
    all.extend(fixture::call::<Agent, _>(
        "16",
        TransferTargets {},
        Targets {
            agents: vec![
                alex_availability(),
                AgentAvailability {
                    id: AgentId(11),
                    name: "Mia Schulz".into(),
                    status: AgentStatus::Away,
                    connected: true,
                    active_chats: 2,
                    max_chats: 3,
                    departments: vec![support()],
                },
            ],
            departments: vec![
                DepartmentAvailability {
                    id: DepartmentId(1),
                    name: "Sales".into(),
                    open: true,
                    agents_online: 1,
                    free_slots: 3,
                    queue_length: 0,
                },
                DepartmentAvailability {
                    id: DepartmentId(2),
                    name: "Support".into(),
                    open: true,
                    agents_online: 2,
                    free_slots: 0,
                    queue_length: 2,
                },
            ],
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "17",
        WrapUpSubmit {
            client_id: client_id("019731a3-1e6b-7d85-a0f4-52c8e9b7d316"),
            chat_id: CHAT,
            wrap_up: dana_wrap_up(),
        },
        WrappedUp {
            chat: ChatSummary {
                wrap_up: Some(WrapUpState::Done {
                    wrap_up: dana_wrap_up(),
                    at: at("2025-06-03T09:25:05Z"),
                }),
                ..chat_ended()
            },
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "18",
        CannedList {},
        CannedResponses {
            responses: vec![canned_greeting(), canned_vat()],
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "19",
        CannedSave {
            client_id: client_id("019731a8-4b2d-7a19-8e63-d07f5c1a9b48"),
            id: None,
            scope: CannedScope::Personal,
            department_id: None,
            shortcut: "vat".into(),
            text: canned_vat().text,
        },
        CannedSaved {
            response: canned_vat(),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "20",
        CannedDelete { id: CannedId(31) },
        Done {},
    ));
    all.extend(fixture::call::<Agent, _>(
        "21",
        MissedList {},
        MissedChats {
            missed: vec![missed_open()],
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "22",
        MissedClaim {
            missed_id: MissedChatId(77),
        },
        MissedUpdated {
            missed: missed_claimed(),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "23",
        MissedRelease {
            missed_id: MissedChatId(77),
        },
        MissedUpdated {
            missed: missed_open(),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "24",
        MissedReply {
            client_id: client_id("019731b2-93e1-7c0a-b5d7-1f8a6e4c2d90"),
            missed_id: MissedChatId(77),
            text: OLU_REPLY.into(),
        },
        MissedUpdated {
            missed: missed_replied(EmailDelivery::Queued),
        },
    ));
    all.extend(fixture::call::<Agent, _>(
        "25",
        MissedClose {
            missed_id: MissedChatId(77),
        },
        MissedUpdated {
            missed: MissedChat {
                state: MissedState::Closed,
                ..missed_replied(EmailDelivery::Sent {
                    at: at("2025-06-03T09:31:12Z"),
                })
            },
        },
    ));

    all.push(fixture::push::<Agent>(
        AgentPush::OfferNew(OfferNew {
            offer: Offer {
                id: OfferId(5310),
                kind: OfferKind::New,
                chat: chat_offered(),
                offered_at: at("2025-06-03T09:14:06Z"),
                expires_at: at("2025-06-03T09:14:26Z"),
                from: None,
                note: String::new(),
                events: waiting_events(),
            },
        }),
        Some(Seq(408)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::OfferClosed(OfferClosed {
            offer_id: OfferId(5311),
            chat_id: ChatId(1045),
            reason: OfferEnd::Timeout,
        }),
        Some(Seq(409)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::ChatAssigned(ChatAssigned {
            chat: transferred_chat(),
            events: transferred_events(),
        }),
        Some(Seq(410)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::ChatEvent(ChatEventPush {
            event: event(
                88205,
                CHAT,
                "2025-06-03T09:15:02Z",
                from_dana("It's invoice INV-2025-0412 from 1 June."),
            ),
        }),
        Some(Seq(411)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::ChatUpdated(ChatUpdated { chat: chat_ended() }),
        Some(Seq(412)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::ChatReleased(ChatReleased {
            chat_id: CHAT,
            reason: ReleaseReason::WrappedUp,
        }),
        Some(Seq(413)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::TransferReturned(TransferReturned {
            chat_id: CHAT,
            to: alex(),
            reason: OfferEnd::Declined,
        }),
        Some(Seq(414)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::MissedNew(MissedPush {
            missed: missed_open(),
        }),
        Some(Seq(415)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::MissedUpdated(MissedPush {
            missed: missed_replied(EmailDelivery::Sent {
                at: at("2025-06-03T09:31:12Z"),
            }),
        }),
        Some(Seq(416)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::StatusChanged(StatusChanged {
            status: AgentStatus::Away,
            reason: "Two offers in a row were not answered.".into(),
        }),
        Some(Seq(417)),
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::Typing(TypingPush {
            chat_id: CHAT,
            party: Party::Visitor,
            typing: true,
            preview: Some("It's invoice INV-2025-04".into()),
        }),
        None,
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::Alert(AlertPush {
            chat_id: CHAT,
            kind: AlertKind::WaitingForReply,
            since: at("2025-06-03T09:15:02Z"),
            waited_secs: 60,
        }),
        None,
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::QueueUpdated(QueueUpdated {
            department: support(),
            entries: queue(),
        }),
        None,
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::Presence(PresencePush {
            agent: alex_availability(),
        }),
        None,
    ));
    all.push(fixture::push::<Agent>(
        AgentPush::Closing(Closing {
            reason: CloseReason::Replaced,
            reconnect: false,
            message: "Signed in on another device.".into(),
        }),
        None,
    ));
    all.push(fixture::error::<Agent>(
        "26",
        WireError::new(ErrorCode::Forbidden, "chat 1040 is not one of your chats"),
    ));
    all
}

/// Dana's chat after it ended, with the wrap-up still owed.
fn chat_ended() -> ChatSummary {
    ChatSummary {
        state: ChatState::Ended,
        ended_at: Some(at("2025-06-03T09:24:30Z")),
        last_event_id: Some(EventId(88212)),
        visitor_waiting_since: None,
        wrap_up: Some(WrapUpState::Pending {
            required: true,
            deadline: at("2025-06-03T09:26:30Z"),
        }),
        ..chat_active()
    }
}

fn dana_wrap_up() -> WrapUp {
    WrapUp {
        outcome: "Resolved".into(),
        notes: "Corrected the VAT number on INV-2025-0412; credit note sent.".into(),
        tags: vec!["invoice".into(), "vat".into()],
    }
}

/// Another chat of Sam's that ended and still owes a wrap-up.
fn chat_wrap_up_owed() -> ChatSummary {
    ChatSummary {
        id: ChatId(1039),
        department: support(),
        visitor: VisitorInfo {
            name: "Ken Ito".into(),
            email: Some("ken.ito@example.com".into()),
            page_url: Some("https://shop.acme.example/help/returns".into()),
            user_agent: Some(
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 \
                 (KHTML, like Gecko) Version/17.5 Safari/605.1.15"
                    .into(),
            ),
            site: Some("shop.acme.example".into()),
            previous_chats: 0,
        },
        question: "How do I return a damaged item?".into(),
        state: ChatState::Ended,
        agent: Some(sam()),
        created_at: at("2025-06-03T09:02:40Z"),
        accepted_at: Some(at("2025-06-03T09:02:52Z")),
        ended_at: Some(at("2025-06-03T09:20:15Z")),
        last_event_id: Some(EventId(88199)),
        visitor_waiting_since: None,
        wrap_up: Some(WrapUpState::Pending {
            required: true,
            deadline: at("2025-06-03T09:22:15Z"),
        }),
    }
}

/// A chat from a visitor who gave no email address.
fn chat_no_email() -> ChatSummary {
    ChatSummary {
        id: ChatId(1046),
        department: sales(),
        visitor: VisitorInfo {
            name: "Priya Nair".into(),
            email: None,
            page_url: Some("https://shop.acme.example/shipping".into()),
            user_agent: Some(BROWSER.into()),
            site: Some("shop.acme.example".into()),
            previous_chats: 0,
        },
        question: "Do you ship to Norway?".into(),
        state: ChatState::Active,
        agent: Some(sam()),
        created_at: at("2025-06-03T09:17:30Z"),
        accepted_at: Some(at("2025-06-03T09:17:41Z")),
        ended_at: None,
        last_event_id: Some(EventId(88215)),
        visitor_waiting_since: None,
        wrap_up: None,
    }
}

/// Dana's previous chat, ended and wrapped up.
fn earlier_chat() -> ChatSummary {
    ChatSummary {
        id: ChatId(1031),
        department: support(),
        visitor: VisitorInfo {
            page_url: Some("https://shop.acme.example/account".into()),
            previous_chats: 1,
            ..dana()
        },
        question: "Where can I download my invoices?".into(),
        state: ChatState::Ended,
        agent: Some(sam()),
        created_at: at("2025-05-20T13:02:11Z"),
        accepted_at: Some(at("2025-05-20T13:02:20Z")),
        ended_at: Some(at("2025-05-20T13:05:48Z")),
        last_event_id: Some(EventId(87015)),
        visitor_waiting_since: None,
        wrap_up: Some(WrapUpState::Done {
            wrap_up: earlier_wrap_up(),
            at: at("2025-05-20T13:06:30Z"),
        }),
    }
}

fn earlier_wrap_up() -> WrapUp {
    WrapUp {
        outcome: "Resolved".into(),
        notes: String::new(),
        tags: vec!["invoice".into()],
    }
}

fn earlier_events() -> Vec<ChatEvent> {
    let chat = ChatId(1031);
    vec![
        event(
            87010,
            chat,
            "2025-05-20T13:02:11Z",
            from_dana("Where can I download my invoices?"),
        ),
        event(
            87011,
            chat,
            "2025-05-20T13:02:20Z",
            EventBody::Joined { agent: sam() },
        ),
        event(
            87012,
            chat,
            "2025-05-20T13:03:02Z",
            from_sam(
                "Hi Dana! Under Account, then Invoices: each one has a PDF button.",
                "01971b7e-2f90-7b64-a3c1-8e5d0f7a2b19",
            ),
        ),
        event(
            87013,
            chat,
            "2025-05-20T13:05:40Z",
            from_dana("Found it, thanks!"),
        ),
        event(
            87014,
            chat,
            "2025-05-20T13:05:48Z",
            EventBody::Ended {
                by: EndedBy::Visitor,
                reason: EndReason::Closed,
            },
        ),
        event(
            87015,
            chat,
            "2025-05-20T13:06:30Z",
            EventBody::WrapUp {
                agent: sam(),
                wrap_up: earlier_wrap_up(),
            },
        ),
    ]
}

/// Dana's first chat, with Alex in Sales.
fn first_chat() -> ChatSummary {
    ChatSummary {
        id: ChatId(1017),
        department: sales(),
        visitor: VisitorInfo {
            page_url: Some("https://shop.acme.example/pricing".into()),
            previous_chats: 0,
            ..dana()
        },
        question: "Is there a discount for yearly billing?".into(),
        state: ChatState::Ended,
        agent: Some(alex()),
        created_at: at("2025-04-28T10:40:03Z"),
        accepted_at: Some(at("2025-04-28T10:40:09Z")),
        ended_at: Some(at("2025-04-28T10:52:37Z")),
        last_event_id: Some(EventId(85342)),
        visitor_waiting_since: None,
        wrap_up: Some(WrapUpState::Done {
            wrap_up: WrapUp {
                outcome: "Sale".into(),
                notes: "Switched to yearly, 5 seats.".into(),
                tags: vec!["upgrade".into()],
            },
            at: at("2025-04-28T10:53:10Z"),
        }),
    }
}

/// A chat Alex handed to Sam, as Sam receives it.
fn transferred_chat() -> ChatSummary {
    ChatSummary {
        id: ChatId(1044),
        department: sales(),
        visitor: VisitorInfo {
            name: "Jonas Berg".into(),
            email: Some("jonas.berg@example.se".into()),
            page_url: Some("https://shop.acme.example/account/plan".into()),
            user_agent: Some(BROWSER.into()),
            site: Some("shop.acme.example".into()),
            previous_chats: 0,
        },
        question: "Can we switch from monthly to yearly billing mid-term?".into(),
        state: ChatState::Active,
        agent: Some(sam()),
        created_at: at("2025-06-03T09:10:12Z"),
        accepted_at: Some(at("2025-06-03T09:10:20Z")),
        ended_at: None,
        last_event_id: Some(EventId(88222)),
        visitor_waiting_since: None,
        wrap_up: None,
    }
}

fn transferred_events() -> Vec<ChatEvent> {
    let chat = ChatId(1044);
    vec![
        event(
            88180,
            chat,
            "2025-06-03T09:10:12Z",
            EventBody::Message {
                author: Author::Visitor {
                    name: "Jonas Berg".into(),
                },
                text: "Can we switch from monthly to yearly billing mid-term?".into(),
                client_id: None,
            },
        ),
        event(
            88181,
            chat,
            "2025-06-03T09:10:20Z",
            EventBody::Joined { agent: alex() },
        ),
        event(
            88183,
            chat,
            "2025-06-03T09:11:05Z",
            EventBody::Message {
                author: Author::Agent {
                    id: alex().id,
                    name: alex().name,
                },
                text: "Yes! Billing changes are Sam's area, let me bring him in.".into(),
                client_id: Some(client_id("01973183-d2a4-7e5f-9c08-4b1e7a3f6d25")),
            },
        ),
        event(
            88184,
            chat,
            "2025-06-03T09:11:09Z",
            EventBody::TransferRequested {
                from: alex(),
                to: TransferTarget::Agent {
                    id: sam().id,
                    name: sam().name,
                },
                note: "Mid-term switch to yearly; he is on the monthly Team plan.".into(),
            },
        ),
        event(
            88220,
            chat,
            "2025-06-03T09:11:20Z",
            EventBody::Joined { agent: sam() },
        ),
        event(
            88221,
            chat,
            "2025-06-03T09:11:20Z",
            EventBody::Left {
                agent: alex(),
                reason: "transferred".into(),
            },
        ),
        event(
            88222,
            chat,
            "2025-06-03T09:11:20Z",
            EventBody::Notice {
                text: "You are now chatting with Sam Rivera.".into(),
            },
        ),
    ]
}

fn queue() -> Vec<QueueEntry> {
    vec![
        QueueEntry {
            chat_id: ChatId(1047),
            department: support(),
            visitor_name: "Lena Vogt".into(),
            question: "My password reset link has expired.".into(),
            waiting_since: at("2025-06-03T09:20:10Z"),
            position: 1,
        },
        QueueEntry {
            chat_id: ChatId(1048),
            department: support(),
            visitor_name: "Tom Okafor".into(),
            question: "How do I export my order history?".into(),
            waiting_since: at("2025-06-03T09:20:45Z"),
            position: 2,
        },
    ]
}

fn alex_availability() -> AgentAvailability {
    AgentAvailability {
        id: alex().id,
        name: alex().name,
        status: AgentStatus::Online,
        connected: true,
        active_chats: 1,
        max_chats: 4,
        departments: vec![sales()],
    }
}

fn canned_greeting() -> CannedResponse {
    CannedResponse {
        id: CannedId(4),
        scope: CannedScope::Department,
        department: Some(support()),
        owner: None,
        shortcut: "hello".into(),
        text: "Hi {visitor_name}, this is {agent_name} from {department}. How can I help?".into(),
    }
}

fn canned_vat() -> CannedResponse {
    CannedResponse {
        id: CannedId(31),
        scope: CannedScope::Personal,
        department: None,
        owner: Some(sam().id),
        shortcut: "vat".into(),
        text: "Thanks {visitor_name}, I've corrected the VAT number; a credit note is on its way."
            .into(),
    }
}

const OLU_REPLY: &str = "Hello Olu, yes: schools and universities get 40% off every plan. \
                         Reply with your institution's name and we'll set it up.";

/// A chat that came in outside Sales' opening hours.
fn missed_open() -> MissedChat {
    MissedChat {
        id: MissedChatId(77),
        chat_id: ChatId(1037),
        department: sales(),
        visitor: VisitorInfo {
            name: "Olu Adeyemi".into(),
            email: Some("olu@example.net".into()),
            page_url: Some("https://shop.acme.example/pricing".into()),
            user_agent: Some(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 \
                 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36"
                    .into(),
            ),
            site: Some("shop.acme.example".into()),
            previous_chats: 0,
        },
        question: "Is there an education discount?".into(),
        reason: MissedReason::Closed,
        state: MissedState::Open,
        answerable: true,
        created_at: at("2025-06-02T21:40:13Z"),
        claimed_by: None,
        claim_expires_at: None,
        events: vec![event(
            88150,
            ChatId(1037),
            "2025-06-02T21:40:13Z",
            EventBody::Message {
                author: Author::Visitor {
                    name: "Olu Adeyemi".into(),
                },
                text: "Is there an education discount? We are a school with 30 teachers.".into(),
                client_id: None,
            },
        )],
        replies: vec![],
    }
}

fn missed_claimed() -> MissedChat {
    MissedChat {
        state: MissedState::Claimed,
        claimed_by: Some(sam()),
        claim_expires_at: Some(at("2025-06-03T09:45:00Z")),
        ..missed_open()
    }
}

fn missed_replied(delivery: EmailDelivery) -> MissedChat {
    MissedChat {
        state: MissedState::Replied,
        claim_expires_at: None,
        replies: vec![EmailReply {
            id: EmailId(12),
            agent: sam(),
            to: "olu@example.net".into(),
            subject: "Re: Is there an education discount?".into(),
            text: OLU_REPLY.into(),
            created_at: at("2025-06-03T09:31:10Z"),
            delivery,
        }],
        ..missed_claimed()
    }
}
