//! What happens when the agent clicks an OS notification or one of its buttons:
//! Accept and Decline act at once (the window may be hidden), everything else brings
//! the window up and tells the console what to show.

use switchboard_client::NotificationAction;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::events::{self, AppEvent};
use crate::shell::Shell;
use crate::window;

/// Act on the clicks of one session's notifications until the session ends.
pub async fn follow<R: Runtime>(
    app: AppHandle<R>,
    mut actions: UnboundedReceiver<NotificationAction>,
) {
    while let Some(action) = actions.recv().await {
        if let Some(shown) = act(&app, action).await {
            if let Err(error) = window::show(&app) {
                tracing::warn!(%error, "could not show the main window");
            }
            events::emit(&app, AppEvent::Notification { action: shown });
        }
    }
}

/// Carry out an action; answers what the console should show, if anything.
async fn act<R: Runtime>(
    app: &AppHandle<R>,
    action: NotificationAction,
) -> Option<NotificationAction> {
    let client = app.state::<Shell>().current()?;
    match action {
        // Accepted here rather than by the console, so that the console does not
        // accept a second time: it only opens the chat.
        NotificationAction::AcceptOffer { offer_id } => match client.accept_offer(offer_id).await {
            Ok(accepted) => Some(NotificationAction::OpenChat {
                chat_id: accepted.chat.id,
            }),
            Err(error) => {
                tracing::info!(%error, "the offer from the notification was not accepted");
                Some(NotificationAction::OpenOffer { offer_id })
            }
        },
        NotificationAction::DeclineOffer { offer_id } => {
            if let Err(error) = client.decline_offer(offer_id).await {
                tracing::info!(%error, "the offer from the notification was not declined");
            }
            None
        }
        other => Some(other),
    }
}
