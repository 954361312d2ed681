//! OS notifications: a new offer (with Accept and Decline where the OS reports
//! actions back), messages in chats the agent is not looking at, new missed chats,
//! and waiting alerts of a minute or more.
//!
//! The [`Notifier`] decides what to show from the console's changes and from the
//! app's [`Attention`] (is the window focused, which chat is in view); a [`Desktop`]
//! shows it. Bursts are coalesced: the first message of a chat shows at once, and
//! further ones within the window update that same notification ("3 new messages
//! from Ada") once per window, so a chatty visitor cannot flood the desktop.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchboard_protocol::{
    AlertKind, Author, ChatId, EventBody, MissedChatId, Offer, OfferId, OfferKind,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::console::{Console, ConsoleChange, ConsoleStream};

/// What the app tells the core about where the agent is looking.
pub trait Attention: Send + Sync + 'static {
    /// Whether the app's window has focus.
    fn window_focused(&self) -> bool;
    /// The chat whose transcript is on screen, if any.
    fn chat_in_view(&self) -> Option<ChatId>;
    /// Whether to show this kind of notification while the window has focus. A
    /// message in the chat in view is never shown while focused, whatever this says.
    fn show_while_focused(&self, kind: NoticeKind) -> bool {
        let _ = kind;
        true
    }
}

/// An [`Attention`] the app updates from its window events: focus changes and the
/// chat tab on screen.
#[derive(Debug, Default)]
pub struct WindowAttention {
    focused: std::sync::atomic::AtomicBool,
    chat: std::sync::Mutex<Option<ChatId>>,
}

impl WindowAttention {
    pub fn set_focused(&self, focused: bool) {
        self.focused
            .store(focused, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn set_chat_in_view(&self, chat: Option<ChatId>) {
        *self.chat.lock().unwrap_or_else(|p| p.into_inner()) = chat;
    }
}

impl Attention for WindowAttention {
    fn window_focused(&self) -> bool {
        self.focused.load(std::sync::atomic::Ordering::Relaxed)
    }
    fn chat_in_view(&self) -> Option<ChatId> {
        *self.chat.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// An app that never has focus: everything is shown. For headless use and tests.
#[derive(Debug, Clone, Copy, Default)]
pub struct Unattended;

impl Attention for Unattended {
    fn window_focused(&self) -> bool {
        false
    }
    fn chat_in_view(&self) -> Option<ChatId> {
        None
    }
}

/// The kinds of notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum NoticeKind {
    Offer,
    Message,
    MissedChat,
    Alert,
}

/// Which notification: a new one with the same key replaces the old one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum NoticeKey {
    Offer(OfferId),
    Chat(ChatId),
    Missed(MissedChatId),
    Alert(ChatId),
}

/// A button on a notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct NoticeButton {
    /// The action key the OS reports back.
    pub id: String,
    pub label: String,
}

/// A notification to show. Texts are plain; the desktop escapes them for servers
/// that read markup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Notice {
    pub key: NoticeKey,
    pub summary: String,
    pub body: String,
    pub buttons: Vec<NoticeButton>,
    /// How long it may stay up; `None` leaves it to the OS.
    #[serde(skip)]
    pub timeout: Option<Duration>,
}

/// What the agent did with a notification, for the app to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum NotificationAction {
    AcceptOffer {
        offer_id: OfferId,
    },
    DeclineOffer {
        offer_id: OfferId,
    },
    /// The offer notification was clicked: show the offer.
    OpenOffer {
        offer_id: OfferId,
    },
    OpenChat {
        chat_id: ChatId,
    },
    OpenMissed {
        missed_id: MissedChatId,
    },
}

impl NotificationAction {
    /// Map an action key the OS reported for a notice to what the agent meant.
    pub fn from_key(key: NoticeKey, action: &str) -> Option<Self> {
        match (key, action) {
            (NoticeKey::Offer(offer_id), ACCEPT) => Some(Self::AcceptOffer { offer_id }),
            (NoticeKey::Offer(offer_id), DECLINE) => Some(Self::DeclineOffer { offer_id }),
            (NoticeKey::Offer(offer_id), DEFAULT) => Some(Self::OpenOffer { offer_id }),
            (NoticeKey::Chat(chat_id) | NoticeKey::Alert(chat_id), DEFAULT) => {
                Some(Self::OpenChat { chat_id })
            }
            (NoticeKey::Missed(missed_id), DEFAULT) => Some(Self::OpenMissed { missed_id }),
            _ => None,
        }
    }
}

/// The action key of a click on the notification itself (freedesktop convention).
pub const DEFAULT: &str = "default";
pub const ACCEPT: &str = "accept";
pub const DECLINE: &str = "decline";

/// Shows notices. [`OsDesktop`] is the real one.
pub trait Desktop: Send + Sync + 'static {
    /// Show a notice, replacing the shown one with the same key.
    fn show(&self, notice: Notice);
    /// Take a notice down (its offer ended, its chat closed). Unknown keys are ignored.
    fn withdraw(&self, key: NoticeKey);
}

/// How long the first message of a burst holds back the ones after it.
pub const DEFAULT_COALESCE_WINDOW: Duration = Duration::from_secs(3);

/// Alerts below this wait are left to the app's colours; from it on the OS shows them.
pub const ALERT_NOTIFY_SECS: u64 = 60;

struct Burst {
    /// Messages in the burst so far.
    count: u32,
    last_text: String,
    /// Messages arrived since the notice was last shown.
    unshown: bool,
    window_end: Instant,
}

/// Decides what to show. Runs as a task over the console's change stream.
pub struct Notifier {
    desktop: Arc<dyn Desktop>,
    attention: Arc<dyn Attention>,
    window: Duration,
    mirror: Console,
    bursts: HashMap<ChatId, Burst>,
    alerted: HashMap<(ChatId, AlertKind), u64>,
}

impl Notifier {
    pub fn new(
        desktop: Arc<dyn Desktop>,
        attention: Arc<dyn Attention>,
        window: Duration,
        console: Console,
    ) -> Self {
        Self {
            desktop,
            attention,
            window,
            mirror: console,
            bursts: HashMap::new(),
            alerted: HashMap::new(),
        }
    }

    /// Follow the console until the client goes away.
    pub async fn run(mut self, mut stream: ConsoleStream) {
        loop {
            let next_window = self.bursts.values().map(|b| b.window_end).min();
            let flush = async {
                match next_window {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                update = stream.next() => match update {
                    Some(update) => self.on_change(&update.change),
                    None => return,
                },
                _ = flush => self.flush_windows(),
            }
        }
    }

    fn focused_on(&self, kind: NoticeKind) -> bool {
        self.attention.window_focused() && !self.attention.show_while_focused(kind)
    }

    /// React to one console change.
    pub fn on_change(&mut self, change: &ConsoleChange) {
        match change {
            ConsoleChange::OfferAdded { offer } => {
                let known = self.mirror.offers.iter().any(|o| o.id == offer.id);
                if !known && !self.focused_on(NoticeKind::Offer) {
                    self.desktop.show(offer_notice(offer));
                }
            }
            ConsoleChange::OfferRemoved { offer_id, .. } => {
                self.desktop.withdraw(NoticeKey::Offer(*offer_id));
            }
            ConsoleChange::ChatEvents { chat_id, events } => {
                let fresh: Vec<&str> = events
                    .iter()
                    .filter(|e| {
                        self.mirror.chat(*chat_id).is_some_and(|c| {
                            c.events.binary_search_by_key(&e.id, |x| x.id).is_err()
                        })
                    })
                    .filter_map(|e| match &e.body {
                        EventBody::Message {
                            author: Author::Visitor { .. },
                            text,
                            ..
                        } => Some(text.as_str()),
                        _ => None,
                    })
                    .collect();
                if let Some(last) = fresh.last() {
                    self.on_messages(*chat_id, fresh.len() as u32, last.to_string());
                }
            }
            ConsoleChange::ChatClosed { chat_id, .. } => {
                self.bursts.remove(chat_id);
                self.alerted.retain(|(c, _), _| c != chat_id);
                self.desktop.withdraw(NoticeKey::Chat(*chat_id));
                self.desktop.withdraw(NoticeKey::Alert(*chat_id));
            }
            ConsoleChange::Missed {
                missed,
                is_new: true,
            } if !self.focused_on(NoticeKind::MissedChat) => {
                self.desktop.show(Notice {
                    key: NoticeKey::Missed(missed.id),
                    summary: format!(
                        "Missed chat: {} ({})",
                        missed.visitor.name, missed.department.name
                    ),
                    body: clip(&missed.question),
                    buttons: vec![NoticeButton {
                        id: DEFAULT.into(),
                        label: "Open".into(),
                    }],
                    timeout: None,
                });
            }
            ConsoleChange::Alert { alert } if alert.waited_secs >= ALERT_NOTIFY_SECS => {
                let key = (alert.chat_id, alert.kind);
                let already = self
                    .alerted
                    .get(&key)
                    .is_some_and(|&s| s >= ALERT_NOTIFY_SECS);
                self.alerted.insert(key, alert.waited_secs);
                if !already && !self.focused_on(NoticeKind::Alert) {
                    let who = self.visitor_name(alert.chat_id);
                    let what = match alert.kind {
                        AlertKind::WaitingForAgent => "to be connected",
                        AlertKind::WaitingForReply => "for a reply",
                        AlertKind::Other => "",
                    };
                    self.desktop.show(Notice {
                        key: NoticeKey::Alert(alert.chat_id),
                        summary: format!("{who} is waiting"),
                        body: format!("Waiting {what} for {} s", alert.waited_secs),
                        buttons: vec![NoticeButton {
                            id: DEFAULT.into(),
                            label: "Open".into(),
                        }],
                        timeout: None,
                    });
                }
            }
            ConsoleChange::Reset { .. } => {
                self.bursts.clear();
            }
            _ => {}
        }
        if let ConsoleChange::ChatEvents { chat_id, events } = change {
            // An agent answer ends the wait: the next alert may notify again.
            if events.iter().any(|e| {
                matches!(
                    &e.body,
                    EventBody::Message {
                        author: Author::Agent { .. },
                        ..
                    }
                )
            }) {
                self.alerted
                    .retain(|(c, k), _| !(c == chat_id && *k == AlertKind::WaitingForReply));
            }
        }
        self.mirror.apply(change);
    }

    fn visitor_name(&self, chat_id: ChatId) -> String {
        self.mirror
            .chat(chat_id)
            .map(|c| c.chat.visitor.name.clone())
            .or_else(|| {
                self.mirror
                    .offers
                    .iter()
                    .find(|o| o.chat.id == chat_id)
                    .map(|o| o.chat.visitor.name.clone())
            })
            .unwrap_or_else(|| "A visitor".into())
    }

    fn on_messages(&mut self, chat_id: ChatId, count: u32, last_text: String) {
        let in_view =
            self.attention.window_focused() && self.attention.chat_in_view() == Some(chat_id);
        if in_view || self.focused_on(NoticeKind::Message) {
            // Read on screen: nothing to announce, and a burst in progress is over.
            self.bursts.remove(&chat_id);
            return;
        }
        let now = Instant::now();
        match self.bursts.get_mut(&chat_id) {
            Some(b) => {
                b.count += count;
                b.last_text = last_text;
                b.unshown = true;
            }
            None => {
                let burst = Burst {
                    count,
                    last_text,
                    unshown: false,
                    window_end: now + self.window,
                };
                self.desktop.show(self.message_notice(chat_id, &burst));
                self.bursts.insert(chat_id, burst);
            }
        }
    }

    fn flush_windows(&mut self) {
        let now = Instant::now();
        let due: Vec<ChatId> = self
            .bursts
            .iter()
            .filter(|(_, b)| b.window_end <= now)
            .map(|(c, _)| *c)
            .collect();
        for chat_id in due {
            let Some(burst) = self.bursts.get(&chat_id) else {
                continue;
            };
            if burst.unshown {
                let notice = self.message_notice(chat_id, burst);
                self.desktop.show(notice);
                if let Some(b) = self.bursts.get_mut(&chat_id) {
                    b.unshown = false;
                    b.window_end = now + self.window;
                }
            } else {
                self.bursts.remove(&chat_id);
            }
        }
    }

    fn message_notice(&self, chat_id: ChatId, burst: &Burst) -> Notice {
        let name = self.visitor_name(chat_id);
        let summary = if burst.count == 1 {
            name
        } else {
            format!("{} new messages from {name}", burst.count)
        };
        Notice {
            key: NoticeKey::Chat(chat_id),
            summary,
            body: clip(&burst.last_text),
            buttons: vec![NoticeButton {
                id: DEFAULT.into(),
                label: "Open".into(),
            }],
            timeout: None,
        }
    }
}

fn offer_notice(offer: &Offer) -> Notice {
    let visitor = &offer.chat.visitor.name;
    let department = &offer.chat.department.name;
    let (summary, body) = match (offer.kind, &offer.from) {
        (OfferKind::Transfer, Some(from)) => (
            format!("Transfer from {}: {visitor} ({department})", from.name),
            if offer.note.is_empty() {
                clip(&offer.chat.question)
            } else {
                clip(&offer.note)
            },
        ),
        _ => (
            format!("New chat: {visitor} ({department})"),
            clip(&offer.chat.question),
        ),
    };
    let left = (offer.expires_at - offer.offered_at)
        .to_std()
        .unwrap_or(Duration::from_secs(30));
    Notice {
        key: NoticeKey::Offer(offer.id),
        summary,
        body,
        buttons: vec![
            NoticeButton {
                id: DEFAULT.into(),
                label: "Open".into(),
            },
            NoticeButton {
                id: ACCEPT.into(),
                label: "Accept".into(),
            },
            NoticeButton {
                id: DECLINE.into(),
                label: "Decline".into(),
            },
        ],
        timeout: Some(left),
    }
}

/// Notification bodies stay short: the transcript is in the app.
fn clip(s: &str) -> String {
    const MAX: usize = 200;
    let s = s.trim();
    match s.char_indices().nth(MAX) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

/// The operating system's notifications through notify-rust.
///
/// On Linux and the BSDs (freedesktop notifications over D-Bus) notices carry
/// buttons, replace each other by key, are taken down when withdrawn, and the
/// agent's clicks come back as [`NotificationAction`]s. Waiting for a click uses
/// notify-rust's async `wait_for_action_async` on the handle rather than its
/// blocking `wait_for_action`, so a notice can still be closed (an offer that
/// expired) while its click is awaited, without parking a thread per notice. On
/// Windows and macOS notices are plain: the app focuses its window from the tray.
pub struct OsDesktop {
    ops: mpsc::UnboundedSender<Op>,
}

enum Op {
    Show(Notice),
    Withdraw(NoticeKey),
}

impl OsDesktop {
    /// Start the desktop worker; clicks are sent to `actions`.
    pub fn start(app_name: &str, actions: mpsc::UnboundedSender<NotificationAction>) -> Self {
        let (ops, rx) = mpsc::unbounded_channel();
        tokio::spawn(os::run(app_name.to_owned(), rx, actions));
        Self { ops }
    }
}

impl Desktop for OsDesktop {
    fn show(&self, notice: Notice) {
        let _ = self.ops.send(Op::Show(notice));
    }
    fn withdraw(&self, key: NoticeKey) {
        let _ = self.ops.send(Op::Withdraw(key));
    }
}

#[cfg(all(unix, not(target_os = "macos")))]
mod os {
    use std::collections::HashMap;
    use std::sync::Arc;

    use notify_rust::{Hint, Notification, Timeout};
    use tokio::sync::mpsc;

    use super::{Notice, NoticeKey, NotificationAction, Op};

    struct Shown {
        handle: Arc<notify_rust::NotificationHandle>,
        generation: u64,
    }

    pub(super) async fn run(
        app_name: String,
        mut ops: mpsc::UnboundedReceiver<Op>,
        actions: mpsc::UnboundedSender<NotificationAction>,
    ) {
        let mut shown: HashMap<NoticeKey, Shown> = HashMap::new();
        let mut generation = 0u64;
        let (done_tx, mut done_rx) = mpsc::unbounded_channel::<(NoticeKey, u64, Option<String>)>();
        loop {
            tokio::select! {
                op = ops.recv() => match op {
                    None => return,
                    Some(Op::Show(notice)) => {
                        generation += 1;
                        let key = notice.key;
                        let replaces = shown.get(&key).map(|s| s.handle.id());
                        match show(&app_name, &notice, replaces).await {
                            Ok(handle) => {
                                let handle = Arc::new(handle);
                                shown.insert(key, Shown { handle: handle.clone(), generation });
                                tokio::spawn(wait(key, generation, handle, done_tx.clone()));
                            }
                            Err(e) => tracing::warn!("cannot show a notification: {e}"),
                        }
                    }
                    Some(Op::Withdraw(key)) => {
                        if let Some(s) = shown.remove(&key) {
                            s.handle.close_async().await;
                        }
                    }
                },
                Some((key, generation, action)) = done_rx.recv() => {
                    // A replaced notice keeps its id, so the waiter of the older one
                    // sees the newer one's click too: only the current one counts.
                    if shown.get(&key).is_some_and(|s| s.generation == generation) {
                        shown.remove(&key);
                        if let Some(a) = action.and_then(|a| NotificationAction::from_key(key, &a)) {
                            let _ = actions.send(a);
                        }
                    }
                }
            }
        }
    }

    async fn show(
        app_name: &str,
        notice: &Notice,
        replaces: Option<u32>,
    ) -> notify_rust::error::Result<notify_rust::NotificationHandle> {
        let mut n = Notification::new();
        n.appname(app_name)
            .summary(&escape(&notice.summary))
            .body(&escape(&notice.body))
            .hint(Hint::Category(
                match notice.key {
                    NoticeKey::Chat(_) => "im.received",
                    _ => "im",
                }
                .into(),
            ));
        for b in &notice.buttons {
            n.action(&b.id, &b.label);
        }
        if let Some(id) = replaces {
            n.id(id);
        }
        n.timeout(match notice.timeout {
            Some(t) => Timeout::Milliseconds(t.as_millis().min(u128::from(u32::MAX)) as u32),
            None => Timeout::Default,
        });
        n.show_async().await
    }

    /// Wait until the notice is clicked or closed, and report which.
    async fn wait(
        key: NoticeKey,
        generation: u64,
        handle: Arc<notify_rust::NotificationHandle>,
        done: mpsc::UnboundedSender<(NoticeKey, u64, Option<String>)>,
    ) {
        let mut picked = None;
        handle
            .wait_for_action_async(|response| {
                if let notify_rust::ActionResponse::Custom(action) = response {
                    picked = Some(action.to_string());
                }
            })
            .await;
        let _ = done.send((key, generation, picked));
    }

    /// Freedesktop servers may read a subset of HTML in bodies; visitor text must
    /// never become markup.
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    }
}

#[cfg(not(all(unix, not(target_os = "macos"))))]
mod os {
    use tokio::sync::mpsc;

    use super::{NotificationAction, Op};

    pub(super) async fn run(
        app_name: String,
        mut ops: mpsc::UnboundedReceiver<Op>,
        _actions: mpsc::UnboundedSender<NotificationAction>,
    ) {
        while let Some(op) = ops.recv().await {
            if let Op::Show(notice) = op {
                let app_name = app_name.clone();
                let _ = tokio::task::spawn_blocking(move || {
                    let mut n = notify_rust::Notification::new();
                    n.appname(&app_name)
                        .summary(&notice.summary)
                        .body(&notice.body);
                    let _ = n.show();
                })
                .await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use chrono::Utc;
    use switchboard_protocol::{
        ChatEvent, ChatState, ChatSummary, DepartmentId, DepartmentRef, EventId, VisitorInfo,
    };

    use super::*;
    use crate::connection::ConnectionState;
    use crate::console::{ChatAlert, ConsoleCell, OpenChat};

    #[derive(Default)]
    struct Recorded {
        shown: Mutex<Vec<Notice>>,
        withdrawn: Mutex<Vec<NoticeKey>>,
    }

    impl Desktop for Recorded {
        fn show(&self, notice: Notice) {
            self.shown.lock().expect("lock").push(notice);
        }
        fn withdraw(&self, key: NoticeKey) {
            self.withdrawn.lock().expect("lock").push(key);
        }
    }

    impl Recorded {
        fn summaries(&self) -> Vec<String> {
            self.shown
                .lock()
                .expect("lock")
                .iter()
                .map(|n| n.summary.clone())
                .collect()
        }
    }

    struct Looking {
        focused: bool,
        chat: Option<ChatId>,
    }

    impl Attention for Looking {
        fn window_focused(&self) -> bool {
            self.focused
        }
        fn chat_in_view(&self) -> Option<ChatId> {
            self.chat
        }
    }

    fn chat(id: i64) -> ChatSummary {
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
            question: "Do you ship to Norway?".into(),
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

    fn visitor_says(id: i64, chat: i64, text: &str) -> ConsoleChange {
        ConsoleChange::ChatEvents {
            chat_id: ChatId(chat),
            events: vec![ChatEvent {
                id: EventId(id),
                chat_id: ChatId(chat),
                at: Utc::now(),
                body: EventBody::Message {
                    author: Author::Visitor { name: "Ada".into() },
                    text: text.into(),
                    client_id: None,
                },
            }],
        }
    }

    async fn start(attention: Looking) -> (Arc<ConsoleCell>, Arc<Recorded>) {
        let cell = ConsoleCell::new(Console::new(ConnectionState::Online));
        cell.publish([ConsoleChange::ChatOpened {
            chat: OpenChat {
                chat: chat(7),
                events: vec![],
                visitor_typing: false,
                visitor_preview: None,
            },
        }]);
        let desktop = Arc::new(Recorded::default());
        let (now, stream) = cell.subscribe();
        let notifier = Notifier::new(
            desktop.clone(),
            Arc::new(attention),
            Duration::from_secs(3),
            now,
        );
        tokio::spawn(notifier.run(stream));
        (cell, desktop)
    }

    /// Let the notifier task run what has been published.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_of_messages_becomes_one_updated_notification() {
        let (cell, desktop) = start(Looking {
            focused: false,
            chat: None,
        })
        .await;
        cell.publish([visitor_says(1, 7, "hello?")]);
        settle().await;
        assert_eq!(
            desktop.summaries(),
            vec!["Ada".to_string()],
            "the first message shows at once"
        );
        cell.publish([visitor_says(2, 7, "anyone there?")]);
        cell.publish([visitor_says(3, 7, "I need help")]);
        settle().await;
        assert_eq!(desktop.summaries().len(), 1, "the burst is held back");
        tokio::time::advance(Duration::from_secs(3)).await;
        settle().await;
        let shown = desktop.shown.lock().expect("lock").clone();
        assert_eq!(shown.len(), 2, "one update for the whole burst");
        assert_eq!(shown[1].summary, "3 new messages from Ada");
        assert_eq!(shown[1].body, "I need help");
        assert_eq!(
            shown[1].key, shown[0].key,
            "the update replaces the first one"
        );
        tokio::time::advance(Duration::from_secs(10)).await;
        settle().await;
        assert_eq!(
            desktop.summaries().len(),
            2,
            "a quiet window ends the burst"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn messages_in_the_chat_on_screen_are_not_announced() {
        let (cell, desktop) = start(Looking {
            focused: true,
            chat: Some(ChatId(7)),
        })
        .await;
        cell.publish([visitor_says(1, 7, "hello?")]);
        settle().await;
        assert!(
            desktop.summaries().is_empty(),
            "the agent is reading this chat already"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn offers_carry_accept_and_decline_and_go_away_when_closed() {
        let (cell, desktop) = start(Looking {
            focused: true,
            chat: Some(ChatId(7)),
        })
        .await;
        let now = Utc::now();
        let offer = Offer {
            id: OfferId(3),
            kind: OfferKind::New,
            chat: chat(9),
            offered_at: now,
            expires_at: now + chrono::Duration::seconds(30),
            from: None,
            note: String::new(),
            events: vec![],
        };
        cell.publish([ConsoleChange::OfferAdded { offer }]);
        settle().await;
        let shown = desktop.shown.lock().expect("lock").clone();
        assert_eq!(
            shown.len(),
            1,
            "an offer is shown even with the window focused"
        );
        assert_eq!(shown[0].summary, "New chat: Ada (Sales)");
        assert_eq!(shown[0].body, "Do you ship to Norway?");
        let ids: Vec<&str> = shown[0].buttons.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, vec![DEFAULT, ACCEPT, DECLINE]);
        assert_eq!(shown[0].timeout, Some(Duration::from_secs(30)));
        cell.publish([ConsoleChange::OfferRemoved {
            offer_id: OfferId(3),
            chat_id: ChatId(9),
            reason: Some(switchboard_protocol::OfferEnd::Timeout),
        }]);
        settle().await;
        assert_eq!(
            *desktop.withdrawn.lock().expect("lock"),
            vec![NoticeKey::Offer(OfferId(3))],
            "an offer that ended must not stay on the desktop"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn only_long_waits_reach_the_desktop_and_only_once() {
        let (cell, desktop) = start(Looking {
            focused: false,
            chat: None,
        })
        .await;
        let alert = |secs| ConsoleChange::Alert {
            alert: ChatAlert {
                chat_id: ChatId(7),
                kind: AlertKind::WaitingForReply,
                since: Utc::now(),
                waited_secs: secs,
            },
        };
        cell.publish([alert(30)]);
        cell.publish([alert(60)]);
        cell.publish([alert(90)]);
        settle().await;
        assert_eq!(desktop.summaries(), vec!["Ada is waiting".to_string()]);
    }

    #[tokio::test(start_paused = true)]
    async fn a_new_missed_chat_is_announced_but_not_its_updates() {
        let (cell, desktop) = start(Looking {
            focused: false,
            chat: None,
        })
        .await;
        let missed = switchboard_protocol::MissedChat {
            id: MissedChatId(5),
            chat_id: ChatId(11),
            department: DepartmentRef {
                id: DepartmentId(1),
                name: "Sales".into(),
            },
            visitor: chat(11).visitor,
            question: "Bulk pricing?".into(),
            reason: switchboard_protocol::MissedReason::NoAgents,
            state: switchboard_protocol::MissedState::Open,
            answerable: true,
            created_at: Utc::now(),
            claimed_by: None,
            claim_expires_at: None,
            events: vec![],
            replies: vec![],
        };
        cell.publish([ConsoleChange::Missed {
            missed: missed.clone(),
            is_new: true,
        }]);
        cell.publish([ConsoleChange::Missed {
            missed,
            is_new: false,
        }]);
        settle().await;
        let shown = desktop.shown.lock().expect("lock").clone();
        assert_eq!(shown.len(), 1, "only the new missed chat is announced");
        assert_eq!(shown[0].summary, "Missed chat: Ada (Sales)");
        assert_eq!(shown[0].body, "Bulk pricing?");
        assert_eq!(shown[0].key, NoticeKey::Missed(MissedChatId(5)));
    }

    #[test]
    fn actions_map_back_to_what_the_agent_meant() {
        assert_eq!(
            NotificationAction::from_key(NoticeKey::Offer(OfferId(4)), ACCEPT),
            Some(NotificationAction::AcceptOffer {
                offer_id: OfferId(4)
            })
        );
        assert_eq!(
            NotificationAction::from_key(NoticeKey::Chat(ChatId(2)), DEFAULT),
            Some(NotificationAction::OpenChat { chat_id: ChatId(2) })
        );
        assert_eq!(
            NotificationAction::from_key(NoticeKey::Chat(ChatId(2)), ACCEPT),
            None,
            "a message notice has no accept button"
        );
    }
}
