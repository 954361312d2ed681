//! Offers, chats, transfers, the outbox and canned responses.

use serde::Deserialize;
use switchboard_client::protocol::agent::{Targets, TransferTo};
use switchboard_client::protocol::{
    CannedId, CannedResponse, CannedScope, ChatId, ClientId, DepartmentId, OfferId, WrapUp,
};
use tauri::State;

use crate::error::{CommandError, CommandResult};
use crate::shell::Shell;

#[tauri::command]
pub async fn offer_accept(shell: State<'_, Shell>, offer_id: OfferId) -> CommandResult<()> {
    shell.client()?.accept_offer(offer_id).await?;
    Ok(())
}

#[tauri::command]
pub async fn offer_decline(shell: State<'_, Shell>, offer_id: OfferId) -> CommandResult<()> {
    Ok(shell.client()?.decline_offer(offer_id).await?)
}

/// Queued in the outbox; answers the queued command's client id.
#[tauri::command]
pub async fn message_send(
    shell: State<'_, Shell>,
    chat_id: ChatId,
    text: String,
) -> CommandResult<ClientId> {
    Ok(shell.client()?.send_message(chat_id, &text).await?)
}

#[tauri::command]
pub async fn typing_set(
    shell: State<'_, Shell>,
    chat_id: ChatId,
    typing: bool,
) -> CommandResult<()> {
    Ok(shell.client()?.set_typing(chat_id, typing).await?)
}

#[tauri::command]
pub async fn chat_end(shell: State<'_, Shell>, chat_id: ChatId) -> CommandResult<ClientId> {
    Ok(shell.client()?.end_chat(chat_id).await?)
}

#[tauri::command]
pub async fn wrapup_submit(
    shell: State<'_, Shell>,
    chat_id: ChatId,
    wrap_up: WrapUp,
) -> CommandResult<ClientId> {
    Ok(shell.client()?.wrap_up(chat_id, wrap_up).await?)
}

#[tauri::command]
pub async fn transfer_targets(shell: State<'_, Shell>) -> CommandResult<Targets> {
    Ok(shell.client()?.transfer_targets().await?)
}

#[tauri::command]
pub async fn chat_transfer(
    shell: State<'_, Shell>,
    chat_id: ChatId,
    to: TransferTo,
    note: String,
) -> CommandResult<ClientId> {
    Ok(shell.client()?.transfer(chat_id, to, &note).await?)
}

#[tauri::command]
pub async fn outbox_retry(shell: State<'_, Shell>, client_id: ClientId) -> CommandResult<()> {
    Ok(shell.client()?.outbox_retry(&client_id).await?)
}

#[tauri::command]
pub async fn outbox_discard(shell: State<'_, Shell>, client_id: ClientId) -> CommandResult<()> {
    Ok(shell.client()?.outbox_discard(&client_id).await?)
}

#[tauri::command]
pub async fn canned_list(shell: State<'_, Shell>) -> CommandResult<Vec<CannedResponse>> {
    Ok(shell.client()?.canned_list().await?)
}

#[tauri::command]
pub async fn canned_fill(
    shell: State<'_, Shell>,
    response_id: CannedId,
    chat_id: ChatId,
) -> CommandResult<String> {
    let client = shell.client()?;
    // As the cache last listed it: filling works offline too.
    let response = client
        .cache()
        .canned()
        .await?
        .into_iter()
        .find(|response| response.id == response_id)
        .ok_or_else(|| {
            CommandError::new(
                "local_not_found",
                format!("canned response {response_id} is not known"),
            )
        })?;
    Ok(client.canned_fill(&response, chat_id)?)
}

/// A canned response to create (no `id`) or change.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CannedDraft {
    #[serde(default)]
    pub id: Option<CannedId>,
    pub scope: CannedScope,
    #[serde(default)]
    pub department_id: Option<DepartmentId>,
    pub shortcut: String,
    pub text: String,
}

#[tauri::command]
pub async fn canned_save(
    shell: State<'_, Shell>,
    draft: CannedDraft,
) -> CommandResult<CannedResponse> {
    Ok(shell
        .client()?
        .canned_save(
            draft.id,
            draft.scope,
            draft.department_id,
            &draft.shortcut,
            &draft.text,
        )
        .await?)
}

#[tauri::command]
pub async fn canned_delete(shell: State<'_, Shell>, id: CannedId) -> CommandResult<()> {
    Ok(shell.client()?.canned_delete(id).await?)
}
