//! App events: what the app (not the hub) asks the console to do, sent as the Tauri
//! event `app-event` (`AppEvent` in ui/src/lib/ipc/backend.ts).

use serde::Serialize;
use switchboard_client::NotificationAction;
use switchboard_client::protocol::AgentStatus;
use tauri::{AppHandle, Emitter, Runtime};

/// The name the console listens on.
pub const APP_EVENT: &str = "app-event";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AppEvent {
    /// The agent clicked a notification or one of its buttons.
    Notification { action: NotificationAction },
    /// The agent picked a status in the tray menu.
    TrayStatus { status: AgentStatus },
    /// The agent picked the pending offers in the tray menu.
    ShowOffers,
}

/// Send an event to the console. A window that is gone has nobody to tell, so a
/// failure is only logged.
pub fn emit<R: Runtime>(app: &AppHandle<R>, event: AppEvent) {
    if let Err(error) = app.emit_to(crate::window::MAIN, APP_EVENT, &event) {
        tracing::warn!(%error, "could not send an app event to the console");
    }
}
