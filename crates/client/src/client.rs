//! [`Client`]: one signed-in agent. It ties the session, the cache, the connection
//! actor, the outbox worker and the notifier together, and offers every hub action
//! as a typed async method. The desktop app holds one and forwards to it.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use switchboard_protocol::agent::{
    Accepted, CannedDelete, CannedList, CannedSave, ChatEvents, ChatList, EventPage, HistoryList,
    HistoryPage, MissedClaim, MissedClose, MissedList, MissedRelease, OfferAccept, OfferDecline,
    QueueList, StatusSet, Targets, TranscriptGet, TransferTargets, TransferTo, TypingSet,
    VisitorHistory,
};
use switchboard_protocol::{
    AgentInfo, AgentStatus, CannedId, CannedResponse, CannedScope, ChatId, ChatState, ChatSummary,
    ClientId, DepartmentId, EventId, MissedChat, MissedChatId, OfferEnd, OfferId, QueueEntry,
    WrapUp, WrapUpState, fill_canned, limits,
};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::cache::{self, Cache, CachedTranscript, HistoryEntry, SearchHit, keys};
use crate::clock::{Clock, SystemClock};
use crate::connection::{self, ConnectionHandle, ConnectionState, Timing};
use crate::console::{Console, ConsoleCell, ConsoleChange, ConsoleStream};
use crate::credentials::{CredentialStore, Remembered};
use crate::error::{Error, Result};
use crate::notify::{
    Attention, DEFAULT_COALESCE_WINDOW, Desktop, NotificationAction, Notifier, OsDesktop,
};
use crate::outbox::{Outbox, OutboxCommand};
use crate::session::{HubHttp, HubUrl, Session, SessionCell};
use crate::sync;

/// How a client is set up. `ClientConfig::new(data_dir)` gives the defaults.
#[derive(Clone)]
pub struct ClientConfig {
    /// Where caches and the last-account pointer live (one cache per account).
    pub data_dir: PathBuf,
    /// Names this client in the hub's logs, e.g. `switchboard-desktop/0.1.0`.
    pub client_name: String,
    pub credentials: CredentialStore,
    pub timing: Timing,
    pub clock: Arc<dyn Clock>,
    /// `None`: no OS notifications (a CLI, most tests).
    pub notifications: Option<NotificationConfig>,
}

impl ClientConfig {
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            client_name: concat!("switchboard-client/", env!("CARGO_PKG_VERSION")).into(),
            credentials: CredentialStore::Os,
            timing: Timing::default(),
            clock: Arc::new(SystemClock),
            notifications: None,
        }
    }
}

/// Where notifications go and what the app says about its window.
#[derive(Clone)]
pub struct NotificationConfig {
    pub desktop: Arc<dyn Desktop>,
    pub attention: Arc<dyn Attention>,
    /// Messages of one chat within this window after the first are coalesced.
    pub coalesce_window: Duration,
}

impl NotificationConfig {
    /// The OS's notifications; the agent's clicks arrive on the returned receiver.
    /// Must be called inside a tokio runtime.
    pub fn os(
        attention: Arc<dyn Attention>,
    ) -> (Self, mpsc::UnboundedReceiver<NotificationAction>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let desktop = Arc::new(OsDesktop::start("Switchboard", tx));
        (
            Self {
                desktop,
                attention,
                coalesce_window: DEFAULT_COALESCE_WINDOW,
            },
            rx,
        )
    }
}

/// Who is signed in, for the app's header and settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SessionInfo {
    pub hub: String,
    pub email: String,
    pub agent: AgentInfo,
    pub expires_at: DateTime<Utc>,
}

/// The account a restart should restore. Not a secret: the token is in the
/// credential store.
#[derive(Debug, Clone, Serialize, Deserialize, ts_rs::TS)]
struct LastAccount {
    hub: HubUrl,
    email: String,
}

const LAST_ACCOUNT: &str = "account.json";

/// One signed-in agent. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    session: Arc<SessionCell>,
    cache: Cache,
    console: Arc<ConsoleCell>,
    conn: ConnectionHandle,
    outbox: Arc<Outbox>,
    data_dir: PathBuf,
    credentials: CredentialStore,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl Client {
    /// Sign in with email and password and start. With `remember`, the token goes to
    /// the credential store so [`Client::restore`] finds it next time; if no store
    /// answers, the session still works for this run and the outcome says why it
    /// was not stored.
    pub async fn sign_in(
        config: ClientConfig,
        hub: &str,
        email: &str,
        password: &str,
        remember: bool,
    ) -> Result<(Client, Remembered)> {
        let hub = HubUrl::parse(hub)?;
        let http = HubHttp::new();
        let session = http.sign_in(&hub, email, password).await?;
        let remembered = if !remember {
            // Not remembering also means not restoring an older session next time.
            if let Err(e) = config.credentials.delete(&hub, &session.email).await {
                tracing::debug!("no older session to forget: {e}");
            }
            remove_last_account(&config.data_dir, &session);
            Remembered::NotRequested
        } else {
            match config.credentials.save(&session).await {
                Ok(()) => {
                    write_last_account(&config.data_dir, &session)?;
                    Remembered::Stored
                }
                Err(e) => {
                    tracing::warn!("the session will not be remembered: {e}");
                    Remembered::Unavailable {
                        reason: e.to_string(),
                    }
                }
            }
        };
        // A session that is not stored must not be restored from an older entry.
        let store = match remembered {
            Remembered::Stored => config.credentials.clone(),
            _ => CredentialStore::Memory,
        };
        let client = Self::start_with(config, session, http, store).await?;
        Ok((client, remembered))
    }

    /// Start with the session remembered at the last sign-in, if there is one. Works
    /// without the hub: the cache opens at once and the connection keeps trying.
    pub async fn restore(config: ClientConfig) -> Result<Option<Client>> {
        let Some(last) = read_last_account(&config.data_dir) else {
            return Ok(None);
        };
        let Some(session) = config.credentials.load(&last.hub, &last.email).await? else {
            return Ok(None);
        };
        let store = config.credentials.clone();
        Ok(Some(
            Self::start_with(config, session, HubHttp::new(), store).await?,
        ))
    }

    /// Start with a session obtained elsewhere (kept in memory only).
    pub async fn start(config: ClientConfig, session: Session) -> Result<Client> {
        Self::start_with(config, session, HubHttp::new(), CredentialStore::Memory).await
    }

    async fn start_with(
        config: ClientConfig,
        session: Session,
        http: HubHttp,
        store: CredentialStore,
    ) -> Result<Client> {
        let path = cache_path(&config.data_dir, &session.hub, &session.email);
        let cache = Cache::open(&path).await?;
        let mut tx = cache.begin().await?;
        cache::put_meta(&mut tx, keys::AGENT, &session.agent).await?;
        tx.commit().await?;

        let console =
            sync::load_console(&cache, ConnectionState::Connecting, &config.clock).await?;
        let console = ConsoleCell::new(console);
        let session = Arc::new(SessionCell::new(
            session,
            http,
            store.clone(),
            config.clock.clone(),
        ));
        let outbox = Outbox::new(cache.clone(), console.clone(), config.clock.clone());
        let mut tasks = Vec::new();

        if let Some(n) = config.notifications {
            let (now, stream) = console.subscribe();
            let notifier = Notifier::new(n.desktop, n.attention, n.coalesce_window, now);
            tasks.push(tokio::spawn(notifier.run(stream)));
        }

        let (conn, actor) = connection::spawn(connection::Context {
            cache: cache.clone(),
            console: console.clone(),
            session: session.clone(),
            clock: config.clock.clone(),
            client_name: config.client_name,
            timing: config.timing,
        });
        tasks.push(actor);
        tasks.push(tokio::spawn(outbox.clone().run(conn.clone())));

        let client = Client {
            inner: Arc::new(Inner {
                session,
                cache,
                console,
                conn,
                outbox,
                data_dir: config.data_dir,
                credentials: config.credentials,
                tasks: Mutex::new(Vec::new()),
            }),
        };
        tasks.push(tokio::spawn(backfill_when_online(client.downgrade())));
        *client.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()) = tasks;
        Ok(client)
    }

    fn downgrade(&self) -> std::sync::Weak<Inner> {
        Arc::downgrade(&self.inner)
    }

    /// Stop everything (the connection closes, the cache flushes). The stored
    /// session stays for the next start.
    pub async fn shutdown(&self) {
        self.inner.conn.stop().await;
        let tasks =
            std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|p| p.into_inner()));
        for t in tasks {
            t.abort();
            let _ = t.await;
        }
        self.inner.cache.close().await;
    }

    /// Sign out: revoke the token on the hub (if reachable), remove it from the
    /// credential store, and stop. The cache stays for the next sign-in.
    pub async fn sign_out(&self) -> Result<()> {
        let session = self.inner.session.current();
        if let Err(e) = self.inner.session.http().sign_out(&session).await {
            tracing::info!("the hub did not confirm the sign-out: {e}");
        }
        let forgotten = self
            .inner
            .credentials
            .delete(&session.hub, &session.email)
            .await;
        remove_last_account(&self.inner.data_dir, &session);
        self.shutdown().await;
        self.inner.console.publish([ConsoleChange::Connection {
            state: ConnectionState::SignedOut {
                reason: "signed out".into(),
            },
        }]);
        forgotten
    }

    pub fn session(&self) -> SessionInfo {
        let s = self.inner.session.current();
        SessionInfo {
            hub: s.hub.to_string(),
            email: s.email,
            agent: s.agent,
            expires_at: s.expires_at,
        }
    }

    /// The console now and every change after it.
    pub fn subscribe(&self) -> (Console, ConsoleStream) {
        self.inner.console.subscribe()
    }

    /// The console now.
    pub fn console(&self) -> Console {
        self.inner.console.snapshot()
    }

    pub fn connection(&self) -> &ConnectionHandle {
        &self.inner.conn
    }

    pub fn connection_state(&self) -> watch::Receiver<ConnectionState> {
        self.inner.conn.watch()
    }

    /// Try to reconnect now instead of waiting out the backoff.
    pub fn reconnect_now(&self) {
        self.inner.conn.reconnect_now();
    }

    pub fn cache(&self) -> &Cache {
        &self.inner.cache
    }

    // ---- offers ----

    /// Accept an offer; the chat opens in the console.
    pub async fn accept_offer(&self, offer_id: OfferId) -> Result<Accepted> {
        let accepted = self.inner.conn.call(&OfferAccept { offer_id }).await?;
        // The `chat.assigned` push may have opened the chat already, and later pushes
        // may have changed it since: the reply only opens a chat not yet open.
        let open = self
            .inner
            .console
            .read(|c| c.chat(accepted.chat.id).is_some());
        if !open {
            let mut tx = self.inner.cache.begin().await?;
            let changes = sync::open_chat(&mut tx, &accepted.chat, &accepted.events).await?;
            tx.commit().await?;
            self.inner.console.publish(changes);
        }
        Ok(accepted)
    }

    pub async fn decline_offer(&self, offer_id: OfferId) -> Result<()> {
        self.inner.conn.call(&OfferDecline { offer_id }).await?;
        let mut tx = self.inner.cache.begin().await?;
        let removed = cache::delete_offers(&mut tx, Some(offer_id), None).await?;
        tx.commit().await?;
        let chat_id = self.inner.console.read(|c| {
            c.offers
                .iter()
                .find(|o| o.id == offer_id)
                .map(|o| o.chat.id)
        });
        if let (false, Some(chat_id)) = (removed.is_empty(), chat_id) {
            self.inner.console.publish([ConsoleChange::OfferRemoved {
                offer_id,
                chat_id,
                reason: Some(OfferEnd::Declined),
            }]);
        }
        Ok(())
    }

    // ---- chats (through the outbox: work offline, exactly once) ----

    /// Queue a message; it shows as pending at once and is sent when online.
    pub async fn send_message(&self, chat_id: ChatId, text: &str) -> Result<ClientId> {
        self.inner
            .outbox
            .push(OutboxCommand::Message {
                chat_id,
                text: text.to_owned(),
            })
            .await
    }

    pub async fn end_chat(&self, chat_id: ChatId) -> Result<ClientId> {
        self.inner
            .outbox
            .push(OutboxCommand::ChatEnd { chat_id })
            .await
    }

    /// Queue a wrap-up. An empty outcome skips a wrap-up the department does not
    /// require; where the console knows it is required, that is refused at once
    /// (otherwise the hub decides).
    pub async fn wrap_up(&self, chat_id: ChatId, wrap_up: WrapUp) -> Result<ClientId> {
        let required = self.inner.console.read(|c| {
            c.chat(chat_id).is_some_and(|chat| {
                matches!(
                    chat.chat.wrap_up,
                    Some(WrapUpState::Pending { required: true, .. })
                )
            })
        });
        if required && wrap_up.outcome.trim().is_empty() {
            return Err(Error::Invalid(
                "this department requires a wrap-up with an outcome".into(),
            ));
        }
        self.inner
            .outbox
            .push(OutboxCommand::WrapUp { chat_id, wrap_up })
            .await
    }

    pub async fn transfer(&self, chat_id: ChatId, to: TransferTo, note: &str) -> Result<ClientId> {
        self.inner
            .outbox
            .push(OutboxCommand::Transfer {
                chat_id,
                to,
                note: note.to_owned(),
            })
            .await
    }

    /// Wait for an outbox command: `Ok` once the hub acknowledged it, or the hub's
    /// error once it was refused for good.
    pub async fn outbox_wait(&self, client_id: &ClientId) -> Result<()> {
        self.inner.outbox.wait(client_id).await
    }

    pub async fn outbox_retry(&self, client_id: &ClientId) -> Result<()> {
        self.inner.outbox.retry(client_id).await
    }

    pub async fn outbox_discard(&self, client_id: &ClientId) -> Result<()> {
        self.inner.outbox.discard(client_id).await
    }

    /// Tell the visitor the agent is (not) typing. Ephemeral: fails when offline.
    pub async fn set_typing(&self, chat_id: ChatId, typing: bool) -> Result<()> {
        self.inner.conn.call(&TypingSet { chat_id, typing }).await?;
        Ok(())
    }

    /// Agents and departments a chat can go to, with availability.
    pub async fn transfer_targets(&self) -> Result<Targets> {
        self.inner.conn.call(&TransferTargets {}).await
    }

    /// The agent's open chats as the hub lists them. The console's tabs are kept by
    /// the snapshot and pushes; this read changes nothing locally.
    pub async fn chat_list(&self) -> Result<Vec<ChatSummary>> {
        Ok(self.inner.conn.call(&ChatList {}).await?.chats)
    }

    /// A page of a chat's events after `after`, stored in the cache.
    pub async fn chat_events(
        &self,
        chat_id: ChatId,
        after: Option<EventId>,
        limit: Option<u32>,
    ) -> Result<EventPage> {
        let page = self
            .inner
            .conn
            .call(&ChatEvents {
                chat_id,
                after,
                limit,
            })
            .await?;
        let changes = sync::apply_events(&self.inner.cache, chat_id, &page.events).await?;
        self.inner.console.publish(changes);
        Ok(page)
    }

    /// Read the queues afresh (queue changes are pushed, but never replayed).
    pub async fn queue_list(&self) -> Result<Vec<QueueEntry>> {
        let queue = self.inner.conn.call(&QueueList {}).await?;
        self.inner.console.publish([ConsoleChange::QueueList {
            entries: queue.entries.clone(),
        }]);
        Ok(queue.entries)
    }

    // ---- status ----

    /// Set the agent's status. The choice is remembered: after a short drop the
    /// client restores `online` (see [`crate::connection`]).
    pub async fn set_status(&self, status: AgentStatus) -> Result<AgentStatus> {
        let reply = self.inner.conn.call(&StatusSet { status }).await?;
        let mut tx = self.inner.cache.begin().await?;
        cache::put_meta(&mut tx, keys::STATUS, &reply.status).await?;
        cache::put_meta(&mut tx, keys::CHOSEN_STATUS, &status).await?;
        tx.commit().await?;
        self.inner.console.publish([ConsoleChange::Status {
            status: reply.status,
            reason: None,
        }]);
        Ok(reply.status)
    }

    // ---- canned responses ----

    /// The canned responses: fresh from the hub when online, else as last cached.
    pub async fn canned_list(&self) -> Result<Vec<CannedResponse>> {
        match self.inner.conn.call(&CannedList {}).await {
            Ok(list) => {
                let mut tx = self.inner.cache.begin().await?;
                cache::replace_canned(&mut tx, &list.responses).await?;
                tx.commit().await?;
                Ok(list.responses)
            }
            Err(e) if e.is_transient() => self.inner.cache.canned().await,
            Err(e) => Err(e),
        }
    }

    /// Create (`id: None`) or change a canned response.
    pub async fn canned_save(
        &self,
        id: Option<CannedId>,
        scope: CannedScope,
        department_id: Option<DepartmentId>,
        shortcut: &str,
        text: &str,
    ) -> Result<CannedResponse> {
        let shortcut = shortcut.trim();
        if shortcut.is_empty() || limits::char_len(shortcut) > limits::MAX_SHORTCUT_CHARS {
            return Err(Error::Invalid(format!(
                "a shortcut has 1 to {} characters",
                limits::MAX_SHORTCUT_CHARS
            )));
        }
        if text.trim().is_empty() || limits::char_len(text) > limits::MAX_MESSAGE_CHARS {
            return Err(Error::Invalid(format!(
                "a canned response has 1 to {} characters",
                limits::MAX_MESSAGE_CHARS
            )));
        }
        let request = CannedSave {
            client_id: new_client_id()?,
            id,
            scope,
            department_id,
            shortcut: shortcut.to_owned(),
            text: text.to_owned(),
        };
        let saved = self.inner.conn.call(&request).await?;
        let mut tx = self.inner.cache.begin().await?;
        cache::upsert_canned(&mut tx, &saved.response).await?;
        tx.commit().await?;
        Ok(saved.response)
    }

    /// A canned response's text with its variables filled in for a chat the agent
    /// holds (`{visitor_name}`, `{agent_name}`, `{department}`).
    pub fn canned_fill(&self, response: &CannedResponse, chat_id: ChatId) -> Result<String> {
        let agent = self.inner.session.current().agent.name;
        self.inner.console.read(|c| {
            let chat = c
                .chat(chat_id)
                .ok_or_else(|| Error::NotFound(format!("chat {chat_id} is not open")))?;
            Ok(fill_canned(
                &response.text,
                &chat.chat.visitor.name,
                &agent,
                &chat.chat.department.name,
            ))
        })
    }

    /// Like [`Client::canned_fill`], for a response known by its id (as the cache
    /// last listed it).
    pub async fn canned_fill_id(&self, id: CannedId, chat_id: ChatId) -> Result<String> {
        let response = self
            .inner
            .cache
            .canned()
            .await?
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| Error::NotFound(format!("canned response {id} is not known")))?;
        self.canned_fill(&response, chat_id)
    }

    pub async fn canned_delete(&self, id: CannedId) -> Result<()> {
        self.inner.conn.call(&CannedDelete { id }).await?;
        let mut tx = self.inner.cache.begin().await?;
        cache::delete_canned(&mut tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    // ---- missed chats ----

    /// The missed-chats list as the hub has it now. The console's list is kept by
    /// the snapshot and the `missed.*` pushes; this read changes nothing locally.
    pub async fn missed_list(&self) -> Result<Vec<MissedChat>> {
        Ok(self.inner.conn.call(&MissedList {}).await?.missed)
    }

    /// Claim a missed chat so nobody else answers it. The list in the console
    /// follows through the hub's `missed.updated` push.
    pub async fn missed_claim(&self, missed_id: MissedChatId) -> Result<MissedChat> {
        Ok(self
            .inner
            .conn
            .call(&MissedClaim { missed_id })
            .await?
            .missed)
    }

    pub async fn missed_release(&self, missed_id: MissedChatId) -> Result<MissedChat> {
        Ok(self
            .inner
            .conn
            .call(&MissedRelease { missed_id })
            .await?
            .missed)
    }

    pub async fn missed_close(&self, missed_id: MissedChatId) -> Result<MissedChat> {
        Ok(self
            .inner
            .conn
            .call(&MissedClose { missed_id })
            .await?
            .missed)
    }

    /// Queue an email reply to a missed chat the agent has claimed.
    pub async fn missed_reply(&self, missed_id: MissedChatId, text: &str) -> Result<ClientId> {
        self.inner
            .outbox
            .push(OutboxCommand::MissedReply {
                missed_id,
                text: text.to_owned(),
            })
            .await
    }

    // ---- transcripts and history ----

    /// A whole transcript: from the cache when it is complete there, else from the
    /// hub (and then cached). Offline, whatever the cache holds.
    pub async fn transcript(&self, chat_id: ChatId) -> Result<CachedTranscript> {
        let cached = self.inner.cache.transcript(chat_id).await?;
        if let Some(t) = &cached {
            // An ended chat's transcript is final once its last event is here. A
            // missed chat's is not: email replies keep adding to it.
            let final_ = t.chat.state == ChatState::Ended;
            if final_ && self.inner.cache.has_full_transcript(&t.chat).await? {
                return Ok(t.clone());
            }
        }
        match self.inner.conn.call(&TranscriptGet { chat_id }).await {
            Ok(t) => {
                store_transcript(&self.inner.cache, &t.chat, &t.events).await?;
                Ok(CachedTranscript {
                    chat: t.chat,
                    events: t.events,
                })
            }
            Err(e) if e.is_transient() => {
                cached.ok_or_else(|| Error::NotFound(format!("chat {chat_id} is not cached")))
            }
            Err(e) => Err(e),
        }
    }

    /// Earlier chats of this chat's visitor: from the hub, or offline from the cache.
    pub async fn visitor_history(&self, chat_id: ChatId) -> Result<Vec<ChatSummary>> {
        match self.inner.conn.call(&VisitorHistory { chat_id }).await {
            Ok(list) => {
                let mut tx = self.inner.cache.begin().await?;
                for c in &list.chats {
                    cache::upsert_chat(&mut tx, c, None).await?;
                }
                tx.commit().await?;
                Ok(list.chats)
            }
            Err(e) if e.is_transient() => {
                let email = self
                    .inner
                    .cache
                    .chat(chat_id)
                    .await?
                    .and_then(|c| c.visitor.email);
                match email {
                    Some(email) => self.inner.cache.visitor_chats(&email, chat_id).await,
                    None => Ok(Vec::new()),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// A page of the hub's history list (chats this agent may read, newest first).
    pub async fn history_list(
        &self,
        before: Option<ChatId>,
        limit: Option<u32>,
    ) -> Result<HistoryPage> {
        let page = self.inner.conn.call(&HistoryList { before, limit }).await?;
        let mut tx = self.inner.cache.begin().await?;
        for c in &page.chats {
            cache::upsert_chat(&mut tx, c, None).await?;
        }
        tx.commit().await?;
        Ok(page)
    }

    /// Fill the cache with the transcripts of finished chats, newest first, up to
    /// `pages` pages of the hub's history list; stops early at a page that was
    /// already complete. Returns how many transcripts were fetched.
    pub async fn sync_history(&self, pages: u32) -> Result<u32> {
        let mut before = None;
        let mut fetched = 0;
        for _ in 0..pages {
            let page = self.history_list(before, None).await?;
            let Some(last) = page.chats.last() else {
                break;
            };
            before = Some(last.id);
            let mut missing = 0;
            for chat in &page.chats {
                if !self.inner.cache.has_full_transcript(chat).await? {
                    missing += 1;
                    let t = self
                        .inner
                        .conn
                        .call(&TranscriptGet { chat_id: chat.id })
                        .await?;
                    store_transcript(&self.inner.cache, &t.chat, &t.events).await?;
                    fetched += 1;
                }
            }
            if missing == 0 || !page.more {
                break;
            }
        }
        Ok(fetched)
    }

    /// Browse cached transcripts, newest first; works with no connection.
    pub async fn history(&self, before: Option<ChatId>, limit: u32) -> Result<Vec<HistoryEntry>> {
        self.inner.cache.history(before, limit).await
    }

    /// Full-text search over cached messages; works with no connection.
    pub async fn search(&self, query: &str, limit: u32) -> Result<Vec<SearchHit>> {
        self.inner.cache.search(query, limit).await
    }
}

async fn store_transcript(
    cache: &Cache,
    chat: &ChatSummary,
    events: &[switchboard_protocol::ChatEvent],
) -> Result<()> {
    let mut tx = cache.begin().await?;
    cache::upsert_chat(&mut tx, chat, None).await?;
    cache::insert_events(&mut tx, events).await?;
    tx.commit().await?;
    Ok(())
}

/// Each time the connection comes online, cache the newest finished transcripts so
/// history and search have them offline.
async fn backfill_when_online(client: std::sync::Weak<Inner>) {
    let Some(mut state) = client.upgrade().map(|c| c.conn.watch()) else {
        return;
    };
    loop {
        if matches!(*state.borrow_and_update(), ConnectionState::Online) {
            let Some(inner) = client.upgrade() else {
                return;
            };
            let c = Client { inner };
            match c.sync_history(3).await {
                Ok(n) if n > 0 => tracing::debug!("cached {n} transcripts"),
                Ok(_) => {}
                Err(e) => tracing::debug!("history backfill stopped: {e}"),
            }
        }
        if state.changed().await.is_err() {
            return;
        }
    }
}

fn new_client_id() -> Result<ClientId> {
    ClientId::parse(uuid::Uuid::new_v4().to_string()).map_err(Error::Invalid)
}

/// One cache file per account, named by a hash so no email appears in a path.
pub fn cache_path(data_dir: &Path, hub: &HubUrl, email: &str) -> PathBuf {
    let digest = Sha256::digest(crate::credentials::account(hub, email).as_bytes());
    let name: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    data_dir.join("accounts").join(name).join("cache.sqlite3")
}

fn write_last_account(data_dir: &Path, session: &Session) -> Result<()> {
    std::fs::create_dir_all(data_dir)?;
    let last = LastAccount {
        hub: session.hub.clone(),
        email: session.email.clone(),
    };
    let text = serde_json::to_string_pretty(&last).map_err(|e| Error::Invalid(e.to_string()))?;
    let tmp = data_dir.join(format!("{LAST_ACCOUNT}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, data_dir.join(LAST_ACCOUNT))?;
    Ok(())
}

fn read_last_account(data_dir: &Path) -> Option<LastAccount> {
    let text = std::fs::read_to_string(data_dir.join(LAST_ACCOUNT)).ok()?;
    serde_json::from_str(&text).ok()
}

fn remove_last_account(data_dir: &Path, session: &Session) {
    if let Some(last) = read_last_account(data_dir)
        && last.hub == session.hub
        && last.email.eq_ignore_ascii_case(&session.email)
    {
        let _ = std::fs::remove_file(data_dir.join(LAST_ACCOUNT));
    }
}
