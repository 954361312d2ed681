//! The console model and the agent's presence: the snapshot with its stream of
//! changes, what is in view, status and reconnecting.

use serde::Deserialize;
use switchboard_client::protocol::{AgentStatus, ChatId};
use switchboard_client::{Console, ConsoleUpdate};
use tauri::State;
use tauri::ipc::Channel;

use crate::error::CommandResult;
use crate::shell::Shell;

/// The console now; every change after it goes to `on_update`, in order, until the
/// next subscribe replaces the channel.
#[tauri::command]
pub async fn console_subscribe(
    shell: State<'_, Shell>,
    on_update: Channel<ConsoleUpdate>,
) -> CommandResult<Console> {
    let client = shell.client()?;
    let (console, mut stream) = client.subscribe();
    shell.set_forwarding(tauri::async_runtime::spawn(async move {
        while let Some(update) = stream.next().await {
            if let Err(error) = on_update.send(ConsoleUpdate::clone(&update)) {
                tracing::debug!(%error, "the console's channel is gone");
                return;
            }
        }
    }));
    Ok(console)
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Attention {
    pub focused: bool,
    pub chat_in_view: Option<ChatId>,
}

/// Where the agent's eyes are, so that what is on screen is not also notified.
#[tauri::command]
pub fn attention_set(shell: State<'_, Shell>, attention: Attention) {
    shell.attention().set_focused(attention.focused);
    shell.attention().set_chat_in_view(attention.chat_in_view);
}

/// Answers the status the hub confirmed.
#[tauri::command]
pub async fn status_set(
    shell: State<'_, Shell>,
    status: AgentStatus,
) -> CommandResult<AgentStatus> {
    Ok(shell.client()?.set_status(status).await?)
}

#[tauri::command]
pub fn connection_retry(shell: State<'_, Shell>) -> CommandResult<()> {
    shell.client()?.reconnect_now();
    Ok(())
}
