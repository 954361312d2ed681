//! The app-facing model: one observable [`Console`] holding everything the agent's
//! screen shows, changed only through [`ConsoleChange`]s.
//!
//! [`ConsoleCell::subscribe`] hands out the current console and a stream of the
//! changes after it under one lock, so nothing falls between the two; a subscriber
//! that falls too far behind gets a fresh [`ConsoleChange::Reset`] instead of a gap.
//!
//! Every type here is serde-serializable for the app's IPC with **snake_case** field
//! names and tags (the protocol's own spelling), so the UI mirrors one convention.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use switchboard_protocol::agent::ReleaseReason;
use switchboard_protocol::{
    AgentAvailability, AgentInfo, AgentRef, AgentStatus, AlertKind, Author, ChatEvent, ChatId,
    ChatSummary, ClientId, DepartmentInfo, DepartmentRef, EventBody, MissedChat, Offer, OfferEnd,
    OfferId, Party, QueueEntry, Timestamp,
};
use tokio::sync::broadcast;

use crate::connection::ConnectionState;
use crate::outbox::OutboxItem;

/// Everything the agent's console shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct Console {
    /// The number of the last change folded into this console.
    #[ts(type = "number")]
    pub version: u64,
    pub connection: ConnectionState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agent: Option<AgentInfo>,
    /// The agent's status as the hub last reported it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<AgentStatus>,
    pub departments: Vec<DepartmentInfo>,
    /// Offers open to this agent, oldest first.
    pub offers: Vec<Offer>,
    /// Chats the agent holds (tabs), oldest first.
    pub chats: Vec<OpenChat>,
    /// Waiting chats of the agent's departments, by department then position.
    pub queue: Vec<QueueEntry>,
    /// The missed-chats list, newest first.
    pub missed: Vec<MissedChat>,
    /// Commands not yet acknowledged by the hub, in the order given. Items of a chat
    /// belong under that chat's transcript as pending (or failed) messages.
    pub outbox: Vec<OutboxItem>,
    /// Waiting-time alerts currently raised.
    pub alerts: Vec<ChatAlert>,
}

/// A chat the agent holds, with its transcript and what the visitor is doing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct OpenChat {
    pub chat: ChatSummary,
    /// Oldest first.
    pub events: Vec<ChatEvent>,
    pub visitor_typing: bool,
    /// What the visitor has typed so far (shown as text, never as markup).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visitor_preview: Option<String>,
}

/// A waiting-time alert on a chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatAlert {
    pub chat_id: ChatId,
    pub kind: AlertKind,
    pub since: Timestamp,
    #[ts(type = "number")]
    pub waited_secs: u64,
}

/// One change to the console.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ConsoleChange {
    /// Replace the whole console (after a snapshot, or for a subscriber that lagged).
    Reset {
        console: Box<Console>,
    },
    Connection {
        state: ConnectionState,
    },
    Agent {
        agent: AgentInfo,
    },
    Status {
        status: AgentStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    Departments {
        departments: Vec<DepartmentInfo>,
    },
    OfferAdded {
        offer: Offer,
    },
    OfferRemoved {
        offer_id: OfferId,
        chat_id: ChatId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<OfferEnd>,
    },
    /// A chat became the agent's (a new tab).
    ChatOpened {
        chat: OpenChat,
    },
    ChatUpdated {
        chat: ChatSummary,
    },
    /// New events of a chat, oldest first.
    ChatEvents {
        chat_id: ChatId,
        events: Vec<ChatEvent>,
    },
    /// The chat left the agent (wrapped up, transferred, re-routed).
    ChatClosed {
        chat_id: ChatId,
        reason: ReleaseReason,
    },
    /// A transfer this agent started came back.
    TransferReturned {
        chat_id: ChatId,
        to: AgentRef,
        reason: OfferEnd,
    },
    Typing {
        chat_id: ChatId,
        party: Party,
        typing: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        preview: Option<String>,
    },
    /// A department's queue, replacing what was known of it.
    Queue {
        department: DepartmentRef,
        entries: Vec<QueueEntry>,
    },
    /// Every department's queue, as the hub listed it.
    QueueList {
        entries: Vec<QueueEntry>,
    },
    /// A missed chat appeared (`is_new`) or changed.
    Missed {
        missed: MissedChat,
        is_new: bool,
    },
    Alert {
        alert: ChatAlert,
    },
    /// Another agent's availability changed (for an open transfer dialog; the
    /// console itself keeps no list of agents: `transfer_targets` reads it whole).
    Presence {
        agent: AgentAvailability,
    },
    /// An outbox item was added or changed state.
    OutboxUpdated {
        item: OutboxItem,
    },
    /// An outbox item is done: acknowledged, or discarded by the agent.
    OutboxRemoved {
        client_id: ClientId,
    },
}

/// A change with its number; numbers increase by one per change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConsoleUpdate {
    #[ts(type = "number")]
    pub version: u64,
    pub change: ConsoleChange,
}

impl Console {
    pub fn new(connection: ConnectionState) -> Self {
        Self {
            version: 0,
            connection,
            agent: None,
            status: None,
            departments: Vec::new(),
            offers: Vec::new(),
            chats: Vec::new(),
            queue: Vec::new(),
            missed: Vec::new(),
            outbox: Vec::new(),
            alerts: Vec::new(),
        }
    }

    pub fn chat(&self, id: ChatId) -> Option<&OpenChat> {
        self.chats.iter().find(|c| c.chat.id == id)
    }

    /// Fold one change in. The UI can run the same rules on its mirror.
    pub fn apply(&mut self, change: &ConsoleChange) {
        match change {
            ConsoleChange::Reset { console } => {
                let version = self.version;
                *self = (**console).clone();
                self.version = version;
            }
            ConsoleChange::Connection { state } => self.connection = state.clone(),
            ConsoleChange::Agent { agent } => self.agent = Some(agent.clone()),
            ConsoleChange::Status { status, .. } => self.status = Some(*status),
            ConsoleChange::Departments { departments } => self.departments = departments.clone(),
            ConsoleChange::OfferAdded { offer } => {
                match self.offers.iter_mut().find(|o| o.id == offer.id) {
                    Some(o) => *o = offer.clone(),
                    None => self.offers.push(offer.clone()),
                }
            }
            ConsoleChange::OfferRemoved {
                offer_id, chat_id, ..
            } => {
                self.offers.retain(|o| o.id != *offer_id);
                if self.chat(*chat_id).is_none() {
                    self.alerts.retain(|a| a.chat_id != *chat_id);
                }
            }
            ConsoleChange::ChatOpened { chat } => {
                let id = chat.chat.id;
                self.offers.retain(|o| o.chat.id != id);
                let mut chat = chat.clone();
                chat.events.sort_by_key(|e| e.id);
                chat.events.dedup_by_key(|e| e.id);
                drop_delivered(&mut self.outbox, &chat.events);
                match self.chats.iter_mut().find(|c| c.chat.id == id) {
                    Some(c) => *c = chat,
                    None => self.chats.push(chat),
                }
                self.alerts
                    .retain(|a| !(a.chat_id == id && a.kind == AlertKind::WaitingForAgent));
            }
            ConsoleChange::ChatUpdated { chat } => {
                if let Some(c) = self.chats.iter_mut().find(|c| c.chat.id == chat.id) {
                    c.chat = chat.clone();
                }
            }
            ConsoleChange::ChatEvents { chat_id, events } => {
                drop_delivered(&mut self.outbox, events);
                if let Some(c) = self.chats.iter_mut().find(|c| c.chat.id == *chat_id) {
                    merge_events(&mut c.events, events);
                    if let Some(last) = c.events.last() {
                        c.chat.last_event_id = Some(last.id);
                    }
                    if events.iter().any(is_visitor_message) {
                        // The sent message is what the preview was showing.
                        c.visitor_typing = false;
                        c.visitor_preview = None;
                    }
                } else if let Some(o) = self.offers.iter_mut().find(|o| o.chat.id == *chat_id) {
                    merge_events(&mut o.events, events);
                }
                if events.iter().any(is_agent_message) {
                    self.alerts.retain(|a| {
                        !(a.chat_id == *chat_id && a.kind == AlertKind::WaitingForReply)
                    });
                }
            }
            ConsoleChange::ChatClosed { chat_id, .. } => {
                self.chats.retain(|c| c.chat.id != *chat_id);
                self.alerts.retain(|a| a.chat_id != *chat_id);
            }
            ConsoleChange::TransferReturned { .. } | ConsoleChange::Presence { .. } => {}
            ConsoleChange::Typing {
                chat_id,
                party,
                typing,
                preview,
            } => {
                if *party == Party::Visitor
                    && let Some(c) = self.chats.iter_mut().find(|c| c.chat.id == *chat_id)
                {
                    c.visitor_typing = *typing;
                    c.visitor_preview = if *typing { preview.clone() } else { None };
                }
            }
            ConsoleChange::Queue {
                department,
                entries,
            } => {
                self.queue.retain(|q| q.department.id != department.id);
                self.queue.extend(entries.iter().cloned());
                self.queue
                    .sort_by_key(|q| (q.department.id, q.position, q.chat_id));
            }
            ConsoleChange::QueueList { entries } => {
                self.queue = entries.clone();
                self.queue
                    .sort_by_key(|q| (q.department.id, q.position, q.chat_id));
            }
            ConsoleChange::Missed { missed, .. } => {
                match self.missed.iter_mut().find(|m| m.id == missed.id) {
                    Some(m) => *m = missed.clone(),
                    None => {
                        self.missed.push(missed.clone());
                        self.missed.sort_by_key(|m| std::cmp::Reverse(m.id));
                    }
                }
            }
            ConsoleChange::Alert { alert } => {
                match self
                    .alerts
                    .iter_mut()
                    .find(|a| a.chat_id == alert.chat_id && a.kind == alert.kind)
                {
                    Some(a) => *a = alert.clone(),
                    None => self.alerts.push(alert.clone()),
                }
            }
            ConsoleChange::OutboxUpdated { item } => {
                let delivered = self
                    .chats
                    .iter()
                    .flat_map(|c| c.events.iter())
                    .any(|e| event_client_id(e) == Some(&item.client_id));
                if delivered {
                    return;
                }
                match self
                    .outbox
                    .iter_mut()
                    .find(|i| i.client_id == item.client_id)
                {
                    Some(i) => *i = item.clone(),
                    None => {
                        self.outbox.push(item.clone());
                        self.outbox.sort_by_key(|i| i.position);
                    }
                }
            }
            ConsoleChange::OutboxRemoved { client_id } => {
                self.outbox.retain(|i| &i.client_id != client_id);
            }
        }
    }
}

fn merge_events(into: &mut Vec<ChatEvent>, events: &[ChatEvent]) {
    for e in events {
        if let Err(at) = into.binary_search_by_key(&e.id, |x| x.id) {
            into.insert(at, e.clone());
        }
    }
}

/// A message the hub has stored is no longer pending: its outbox echo goes away
/// even if the command's own acknowledgement is still on its way.
fn drop_delivered(outbox: &mut Vec<OutboxItem>, events: &[ChatEvent]) {
    let delivered: Vec<&ClientId> = events.iter().filter_map(event_client_id).collect();
    if !delivered.is_empty() {
        outbox.retain(|i| !delivered.contains(&&i.client_id));
    }
}

fn event_client_id(e: &ChatEvent) -> Option<&ClientId> {
    match &e.body {
        EventBody::Message { client_id, .. } => client_id.as_ref(),
        _ => None,
    }
}

pub(crate) fn is_visitor_message(e: &ChatEvent) -> bool {
    matches!(
        &e.body,
        EventBody::Message {
            author: Author::Visitor { .. },
            ..
        }
    )
}

fn is_agent_message(e: &ChatEvent) -> bool {
    matches!(
        &e.body,
        EventBody::Message {
            author: Author::Agent { .. },
            ..
        }
    )
}

struct Inner {
    console: Console,
}

/// The live console and its change feed.
pub struct ConsoleCell {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<ConsoleUpdate>>,
}

impl std::fmt::Debug for ConsoleCell {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConsoleCell").finish_non_exhaustive()
    }
}

/// How many changes a subscriber may fall behind before it is reset.
const FEED_CAPACITY: usize = 4096;

impl ConsoleCell {
    pub fn new(console: Console) -> Arc<Self> {
        let (tx, _) = broadcast::channel(FEED_CAPACITY);
        Arc::new(Self {
            inner: Mutex::new(Inner { console }),
            tx,
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Apply changes and send them to subscribers, in order, as one step.
    pub fn publish(&self, changes: impl IntoIterator<Item = ConsoleChange>) {
        let mut inner = self.lock();
        for change in changes {
            inner.console.apply(&change);
            inner.console.version += 1;
            let update = ConsoleUpdate {
                version: inner.console.version,
                change,
            };
            // No subscriber is not an error: the console itself is the record.
            let _ = self.tx.send(Arc::new(update));
        }
    }

    /// The console as it is now.
    pub fn snapshot(&self) -> Console {
        self.lock().console.clone()
    }

    /// Read a value from the console without cloning all of it.
    pub fn read<T>(&self, f: impl FnOnce(&Console) -> T) -> T {
        f(&self.lock().console)
    }

    /// The console now, and every change after it.
    pub fn subscribe(self: &Arc<Self>) -> (Console, ConsoleStream) {
        let inner = self.lock();
        let rx = self.tx.subscribe();
        let console = inner.console.clone();
        drop(inner);
        (
            console,
            ConsoleStream {
                rx,
                cell: Arc::downgrade(self),
            },
        )
    }
}

/// The changes after a [`ConsoleCell::subscribe`] snapshot.
#[derive(Debug)]
pub struct ConsoleStream {
    rx: broadcast::Receiver<Arc<ConsoleUpdate>>,
    cell: std::sync::Weak<ConsoleCell>,
}

impl ConsoleStream {
    /// The next change; `None` once the client is gone. A subscriber that lagged
    /// gets a `Reset` with the current console and carries on from there.
    pub async fn next(&mut self) -> Option<Arc<ConsoleUpdate>> {
        match self.rx.recv().await {
            Ok(update) => Some(update),
            Err(broadcast::error::RecvError::Closed) => None,
            Err(broadcast::error::RecvError::Lagged(_)) => {
                let cell = self.cell.upgrade()?;
                let (console, fresh) = cell.subscribe();
                self.rx = fresh.rx;
                Some(Arc::new(ConsoleUpdate {
                    version: console.version,
                    change: ConsoleChange::Reset {
                        console: Box::new(console),
                    },
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::{OutboxCommand, OutboxState};
    use chrono::Utc;
    use switchboard_protocol::{ChatState, DepartmentId, EventId, VisitorInfo};

    fn summary(id: i64) -> ChatSummary {
        ChatSummary {
            id: ChatId(id),
            department: DepartmentRef {
                id: DepartmentId(1),
                name: "Sales".into(),
            },
            visitor: VisitorInfo {
                name: "Ada".into(),
                email: None,
                page_url: None,
                user_agent: None,
                site: None,
                previous_chats: 0,
            },
            question: "Hi".into(),
            state: ChatState::Active,
            agent: None,
            created_at: Utc::now(),
            accepted_at: None,
            ended_at: None,
            last_event_id: None,
            visitor_waiting_since: None,
            wrap_up: None,
        }
    }

    fn message(id: i64, chat: i64, client_id: Option<&str>) -> ChatEvent {
        ChatEvent {
            id: EventId(id),
            chat_id: ChatId(chat),
            at: Utc::now(),
            body: EventBody::Message {
                author: Author::Agent {
                    id: switchboard_protocol::AgentId(1),
                    name: "Sam".into(),
                },
                text: format!("m{id}"),
                client_id: client_id.map(|c| ClientId::parse(c).expect("valid id")),
            },
        }
    }

    fn pending(client_id: &str, position: i64) -> OutboxItem {
        OutboxItem {
            client_id: ClientId::parse(client_id).expect("valid id"),
            position,
            command: OutboxCommand::Message {
                chat_id: ChatId(7),
                text: "hello".into(),
            },
            state: OutboxState::Pending,
            attempts: 0,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn a_stored_message_replaces_its_pending_echo() {
        let mut c = Console::new(ConnectionState::Connecting);
        c.apply(&ConsoleChange::ChatOpened {
            chat: OpenChat {
                chat: summary(7),
                events: vec![],
                visitor_typing: false,
                visitor_preview: None,
            },
        });
        c.apply(&ConsoleChange::OutboxUpdated {
            item: pending("c1", 1),
        });
        assert_eq!(c.outbox.len(), 1, "the message shows as pending at once");
        c.apply(&ConsoleChange::ChatEvents {
            chat_id: ChatId(7),
            events: vec![message(10, 7, Some("c1"))],
        });
        assert!(c.outbox.is_empty(), "the stored copy replaces the echo");
        c.apply(&ConsoleChange::OutboxUpdated {
            item: pending("c1", 1),
        });
        assert!(
            c.outbox.is_empty(),
            "a late retry state must not resurrect a delivered message"
        );
        assert_eq!(c.chat(ChatId(7)).map(|o| o.events.len()), Some(1));
    }

    #[test]
    fn events_merge_in_id_order_without_duplicates() {
        let mut c = Console::new(ConnectionState::Online);
        c.apply(&ConsoleChange::ChatOpened {
            chat: OpenChat {
                chat: summary(1),
                events: vec![message(5, 1, None)],
                visitor_typing: false,
                visitor_preview: None,
            },
        });
        c.apply(&ConsoleChange::ChatEvents {
            chat_id: ChatId(1),
            events: vec![
                message(3, 1, None),
                message(5, 1, None),
                message(9, 1, None),
            ],
        });
        let ids: Vec<i64> = c.chats[0].events.iter().map(|e| e.id.0).collect();
        assert_eq!(
            ids,
            vec![3, 5, 9],
            "a replay or catch-up overlap adds nothing twice"
        );
    }

    #[test]
    fn the_ui_sees_snake_case_tagged_json() {
        let change = ConsoleChange::OutboxUpdated {
            item: pending("c1", 3),
        };
        let json = serde_json::to_value(&change).expect("serializes");
        assert_eq!(json["type"], "outbox_updated");
        assert_eq!(json["item"]["client_id"], "c1");
        assert_eq!(json["item"]["command"]["kind"], "message");
        assert_eq!(json["item"]["command"]["chat_id"], 7);
        assert_eq!(json["item"]["state"]["state"], "pending");
        let back: ConsoleChange = serde_json::from_value(json).expect("round-trips");
        assert_eq!(back, change);

        let at = chrono::DateTime::parse_from_rfc3339("2026-01-02T03:04:05Z")
            .expect("valid time")
            .with_timezone(&Utc);
        let state = ConnectionState::Reconnecting {
            attempt: 2,
            next_attempt_at: at,
            last_error: None,
        };
        assert_eq!(
            serde_json::to_value(&state).expect("serializes"),
            serde_json::json!({
                "state": "reconnecting",
                "attempt": 2,
                "next_attempt_at": "2026-01-02T03:04:05Z"
            })
        );
    }

    #[tokio::test]
    async fn subscribe_loses_nothing_between_snapshot_and_stream() {
        let cell = ConsoleCell::new(Console::new(ConnectionState::Connecting));
        cell.publish([ConsoleChange::Connection {
            state: ConnectionState::Online,
        }]);
        let (snapshot, mut stream) = cell.subscribe();
        assert_eq!(snapshot.connection, ConnectionState::Online);
        assert_eq!(snapshot.version, 1);
        cell.publish([ConsoleChange::Status {
            status: AgentStatus::Away,
            reason: None,
        }]);
        let next = stream
            .next()
            .await
            .expect("the change after the snapshot arrives");
        assert_eq!(next.version, 2, "versions continue from the snapshot's");
    }

    #[tokio::test]
    async fn a_lagging_subscriber_is_reset_not_left_with_a_gap() {
        let cell = ConsoleCell::new(Console::new(ConnectionState::Connecting));
        let (_, mut stream) = cell.subscribe();
        for _ in 0..(FEED_CAPACITY + 10) {
            cell.publish([ConsoleChange::Status {
                status: AgentStatus::Away,
                reason: None,
            }]);
        }
        let next = stream.next().await.expect("the stream goes on");
        match &next.change {
            ConsoleChange::Reset { console } => {
                assert_eq!(console.version, (FEED_CAPACITY + 10) as u64);
                assert_eq!(next.version, console.version);
            }
            other => panic!("expected a reset after lagging, got {other:?}"),
        }
    }
}
