//! History and transcripts, from the local cache first: they work with no connection.

use switchboard_client::protocol::{ChatId, ChatSummary};
use switchboard_client::{CachedTranscript, HistoryEntry, SearchHit};
use tauri::State;

use crate::error::CommandResult;
use crate::shell::Shell;

/// How many pages of the hub's history list one `history_sync` may walk.
const SYNC_PAGES: u32 = 10;

#[tauri::command]
pub async fn history_list(
    shell: State<'_, Shell>,
    before: Option<ChatId>,
    limit: u32,
) -> CommandResult<Vec<HistoryEntry>> {
    Ok(shell.client()?.history(before, limit).await?)
}

#[tauri::command]
pub async fn history_search(
    shell: State<'_, Shell>,
    query: String,
    limit: u32,
) -> CommandResult<Vec<SearchHit>> {
    Ok(shell.client()?.search(&query, limit).await?)
}

/// Answers how many transcripts arrived.
#[tauri::command]
pub async fn history_sync(shell: State<'_, Shell>) -> CommandResult<u32> {
    Ok(shell.client()?.sync_history(SYNC_PAGES).await?)
}

#[tauri::command]
pub async fn transcript_get(
    shell: State<'_, Shell>,
    chat_id: ChatId,
) -> CommandResult<CachedTranscript> {
    Ok(shell.client()?.transcript(chat_id).await?)
}

#[tauri::command]
pub async fn visitor_history(
    shell: State<'_, Shell>,
    chat_id: ChatId,
) -> CommandResult<Vec<ChatSummary>> {
    Ok(shell.client()?.visitor_history(chat_id).await?)
}
