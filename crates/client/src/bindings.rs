//! TypeScript bindings for the app's UI, generated from the Rust types it receives,
//! so the two sides cannot drift apart. The generated files are committed under
//! `ui/src/lib/ipc/bindings/`; a test regenerates them and fails when they differ.

use std::path::Path;

use switchboard_protocol::agent::{Targets, Transcript, TransferTo};
use switchboard_protocol::{
    AgentStatus, CannedResponse, ChatSummary, CloseReason, MissedChat, WrapUp,
};
use ts_rs::{Config, TS};

use crate::{
    CachedTranscript, Console, ConsoleUpdate, ErrorInfo, HistoryEntry, NotificationAction,
    Remembered, SearchHit, SessionInfo,
};

/// Write the TypeScript declaration of every type the app's UI receives (and all the
/// types they use, one file each) into `dir`.
pub fn export_typescript(dir: &Path) -> Result<(), ts_rs::ExportError> {
    // Every integer on the wire fits in a JavaScript number (ids and counters stay far
    // below 2^53), and JSON.parse yields numbers, never bigints.
    let cfg = &Config::new().with_out_dir(dir).with_large_int("number");
    Console::export_all(cfg)?;
    ConsoleUpdate::export_all(cfg)?;
    HistoryEntry::export_all(cfg)?;
    CachedTranscript::export_all(cfg)?;
    SearchHit::export_all(cfg)?;
    ErrorInfo::export_all(cfg)?;
    NotificationAction::export_all(cfg)?;
    Remembered::export_all(cfg)?;
    SessionInfo::export_all(cfg)?;
    Targets::export_all(cfg)?;
    TransferTo::export_all(cfg)?;
    Transcript::export_all(cfg)?;
    CannedResponse::export_all(cfg)?;
    ChatSummary::export_all(cfg)?;
    MissedChat::export_all(cfg)?;
    AgentStatus::export_all(cfg)?;
    WrapUp::export_all(cfg)?;
    CloseReason::export_all(cfg)?;
    Ok(())
}
