//! The hub's settings: where it listens, where it keeps its data, and the knobs that
//! are per hub rather than per department (department settings live in the store).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use switchboard_protocol::limits;

/// Everything [`crate::Application::build`] needs besides a clock.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to bind; port 0 picks a free one (see [`crate::Application::local_addr`]).
    pub listen: SocketAddr,
    /// Folder holding `hub.db` (created if missing).
    pub data_dir: PathBuf,
    /// Seed the demo workspace at start (idempotent).
    pub demo: bool,
    /// How long an agent session token lives.
    pub token_ttl: Duration,
    /// How long the visitor of a chat nobody accepted yet may be disconnected (a page
    /// reload, a network blip) before the chat counts as abandoned.
    pub visitor_grace: Duration,
    /// How long an agent who dropped (or signed out) keeps its chats before they are
    /// routed to others.
    pub agent_grace: Duration,
    /// The durable push log keeps at most this many pushes per agent...
    pub push_log_keep: u64,
    /// ...and none older than this. A resume from further back needs a snapshot.
    pub push_log_max_age: Duration,
    /// A `chat.start` retried with the same client id from the same address within
    /// this window returns the same chat (with a fresh token: only the token's hash is
    /// kept).
    pub chat_start_retry_window: Duration,
    pub limits: Limits,
    /// How a claim on a missed chat lasts before it lapses (a claim taken again by its
    /// holder starts anew).
    pub missed_claim_ttl: Duration,
    /// Email replies to missed chats: sender, SMTP server (or .eml files), retries.
    pub email: crate::email::EmailSettings,
}

/// Sizes and rates. Defaults come from `switchboard_protocol::limits`; tests lower
/// some of them.
#[derive(Debug, Clone)]
pub struct Limits {
    pub max_agent_frame_bytes: usize,
    pub max_visitor_frame_bytes: usize,
    /// Frames above this are cut off by the WebSocket layer itself (the connection
    /// closes); between the protocol limit and this one the hub answers `too_large`.
    pub max_ws_message_bytes: usize,
    pub visitor_messages_per_sec: u32,
    pub visitor_message_burst: u32,
    pub visitor_typing_per_sec: u32,
    pub visitor_connections_per_min: u32,
    pub visitor_chats_per_hour: u32,
    pub bad_frames_per_min: u32,
    pub sign_ins_per_min: u32,
    /// Nothing received for this long closes a connection with reason `idle`.
    pub idle_timeout: Duration,
    /// Pushes buffered for one connection before it counts as too slow and is closed
    /// (it resumes from its seq when it reconnects).
    pub connection_buffer: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_agent_frame_bytes: limits::MAX_AGENT_FRAME_BYTES,
            max_visitor_frame_bytes: limits::MAX_VISITOR_FRAME_BYTES,
            max_ws_message_bytes: 1024 * 1024,
            visitor_messages_per_sec: limits::VISITOR_MESSAGES_PER_SEC,
            visitor_message_burst: limits::VISITOR_MESSAGE_BURST,
            visitor_typing_per_sec: limits::VISITOR_TYPING_PER_SEC,
            visitor_connections_per_min: limits::VISITOR_CONNECTIONS_PER_MIN,
            visitor_chats_per_hour: limits::VISITOR_CHATS_PER_HOUR,
            bad_frames_per_min: limits::BAD_FRAMES_PER_MIN,
            sign_ins_per_min: 20,
            idle_timeout: Duration::from_secs(limits::IDLE_TIMEOUT_SECS),
            connection_buffer: 512,
        }
    }
}

impl Settings {
    /// Settings with every default, for `listen` and `data_dir`.
    pub fn new(listen: SocketAddr, data_dir: impl Into<PathBuf>) -> Self {
        Settings {
            listen,
            data_dir: data_dir.into(),
            demo: false,
            token_ttl: Duration::from_secs(12 * 3600),
            visitor_grace: Duration::from_secs(30),
            agent_grace: Duration::from_secs(60),
            push_log_keep: 5000,
            push_log_max_age: Duration::from_secs(7 * 24 * 3600),
            chat_start_retry_window: Duration::from_secs(7 * 24 * 3600),
            limits: Limits::default(),
            missed_claim_ttl: Duration::from_secs(15 * 60),
            email: crate::email::EmailSettings::default(),
        }
    }

    /// The SQLite database file.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("hub.db")
    }
}
