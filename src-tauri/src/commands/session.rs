//! Signing in and out, and the session restored at start.

use serde::{Deserialize, Serialize};
use switchboard_client::{Client, Remembered, SessionInfo};
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandResult;
use crate::shell::{self, Shell};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignInRequest {
    pub hub_url: String,
    pub email: String,
    pub password: String,
    /// Keep the session in the OS credential store for the next start.
    pub remember: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignedIn {
    pub session: SessionInfo,
    pub remembered: Remembered,
}

/// The session remembered at the last sign-in, started; `None` when there is none.
/// A session already running (the console reloaded) is answered as it is.
#[tauri::command]
pub async fn session_restore<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
) -> CommandResult<Option<SessionInfo>> {
    if let Some(client) = shell.current() {
        return Ok(Some(client.session()));
    }
    let (config, actions) = shell.client_config();
    let Some(client) = Client::restore(config).await? else {
        return Ok(None);
    };
    let session = client.session();
    shell::install(&app, client, actions);
    Ok(Some(session))
}

#[tauri::command]
pub async fn session_sign_in<R: Runtime>(
    app: AppHandle<R>,
    shell: State<'_, Shell>,
    request: SignInRequest,
) -> CommandResult<SignedIn> {
    let (config, actions) = shell.client_config();
    let (client, remembered) = Client::sign_in(
        config,
        &request.hub_url,
        &request.email,
        &request.password,
        request.remember,
    )
    .await?;
    let session = client.session();
    shell::install(&app, client, actions);
    Ok(SignedIn {
        session,
        remembered,
    })
}

/// Revoke the token, forget it and stop. Signed out locally even when the hub or the
/// credential store did not answer.
#[tauri::command]
pub async fn session_sign_out<R: Runtime>(app: AppHandle<R>) -> CommandResult<()> {
    let Some(client) = shell::uninstall(&app) else {
        return Ok(());
    };
    client.sign_out().await?;
    Ok(())
}
