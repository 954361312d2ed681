//! Switchboard agent client core: everything the agent side does without a UI. The
//! desktop app is a thin shell over [`Client`]; a CLI or a test can drive it alike.
//!
//! Map of the modules:
//! - [`client`]: [`Client`], one signed-in agent: typed async methods for every hub
//!   action, history and search, and [`Client::subscribe`].
//! - [`session`]: sign-in, token refresh and sign-out over HTTP; the hub URL.
//! - [`credentials`]: the token in the OS credential store (keyring), never on disk.
//! - [`connection`]: the actor owning the WebSocket; [`ConnectionState`]; heartbeats,
//!   backoff, resume or snapshot, and the status-restore rule.
//! - [`sync`]: applies the hub's pushes, snapshots and event pages to the cache.
//! - [`cache`]: the SQLite replica (WAL, migrations, FTS5) that works offline.
//! - [`outbox`]: the durable, ordered, exactly-once queue of commands.
//! - [`console`]: the observable model the app mirrors: a snapshot plus changes.
//! - [`notify`]: OS notifications, coalescing, and the app's attention interface.
//! - [`clock`]: the wall clock passed in, and the backoff schedule.
//! - [`error`]: the crate's error, with stable codes for the app.
//! - [`bindings`]: the TypeScript declarations of what the app's UI receives.
//!
//! Types crossing into the app serialize with snake_case field names and tags, the
//! same spelling as the wire protocol they embed.

pub mod bindings;
pub mod cache;
pub mod client;
pub mod clock;
pub mod connection;
pub mod console;
pub mod credentials;
pub mod error;
pub mod notify;
pub mod outbox;
pub mod session;
pub mod sync;

pub use cache::{CachedTranscript, HistoryEntry, SearchHit, SnippetPart};
pub use client::{Client, ClientConfig, NotificationConfig, SessionInfo};
pub use clock::{Clock, ManualClock, SystemClock};
pub use connection::{CatchUp, ConnectionHandle, ConnectionState, OfflineReason, Timing};
pub use console::{ChatAlert, Console, ConsoleChange, ConsoleStream, ConsoleUpdate, OpenChat};
pub use credentials::{CredentialStore, Remembered};
pub use error::{Error, ErrorInfo, Result};
pub use notify::{
    Attention, Desktop, Notice, NoticeKey, NoticeKind, NotificationAction, WindowAttention,
};
pub use outbox::{OutboxCommand, OutboxItem, OutboxState};
pub use session::{HubUrl, Session, SessionToken};
pub use switchboard_protocol as protocol;
