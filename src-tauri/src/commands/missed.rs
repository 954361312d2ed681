//! Missed chats: claim, release, close, and the email reply.

use switchboard_client::protocol::{ClientId, MissedChat, MissedChatId};
use tauri::State;

use crate::error::CommandResult;
use crate::shell::Shell;

#[tauri::command]
pub async fn missed_claim(
    shell: State<'_, Shell>,
    missed_id: MissedChatId,
) -> CommandResult<MissedChat> {
    Ok(shell.client()?.missed_claim(missed_id).await?)
}

#[tauri::command]
pub async fn missed_release(
    shell: State<'_, Shell>,
    missed_id: MissedChatId,
) -> CommandResult<MissedChat> {
    Ok(shell.client()?.missed_release(missed_id).await?)
}

#[tauri::command]
pub async fn missed_close(
    shell: State<'_, Shell>,
    missed_id: MissedChatId,
) -> CommandResult<MissedChat> {
    Ok(shell.client()?.missed_close(missed_id).await?)
}

/// Queued in the outbox: the hub emails it to the visitor.
#[tauri::command]
pub async fn missed_reply(
    shell: State<'_, Shell>,
    missed_id: MissedChatId,
    text: String,
) -> CommandResult<ClientId> {
    Ok(shell.client()?.missed_reply(missed_id, &text).await?)
}
