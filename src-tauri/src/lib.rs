//! Switchboard's desktop app: the Tauri shell around the agent client core.
//!
//! The shell only translates between the console (ui/, shown in the webview) and
//! `switchboard-client`; business rules live in the client core.
//!
//! - [`commands`]: the IPC commands the console may call; each one is granted in
//!   src-tauri/permissions and src-tauri/capabilities, and nothing else is.
//! - [`shell`]: the app's state: the signed-in client and its data directory.
//! - [`error`]: the `{code, message}` every command fails with.
//! - [`events`]: the `app-event`s the app sends the console.
//! - `notifications`: clicks on OS notifications.
//! - `window`: the main window, and closing it to the tray.
//! - `tray`: the tray icon and its menu.

pub mod commands;
pub mod error;
pub mod events;
mod notifications;
pub mod shell;
mod tray;
mod window;

use tauri::{App, Builder, Context, Manager, Runtime};
use tracing_subscriber::EnvFilter;

pub use shell::{Settings, Shell};

/// Starts the app on the system webview; returns when the agent quits.
pub fn run() {
    init_tracing();
    let context = tauri::generate_context!("tauri.conf.json");
    if let Err(error) = run_app(Builder::default(), context, Settings::from_env()) {
        tracing::error!(%error, "Switchboard could not start");
        eprintln!("Switchboard could not start: {error}");
        std::process::exit(1);
    }
}

/// Builds the app on any runtime, adds the tray icon and runs the event loop.
pub fn run_app<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    settings: Settings,
) -> tauri::Result<()> {
    let app = build_app(builder, context, settings)?;
    if let Err(error) = tray::create(app.handle()) {
        tracing::warn!(%error, "no tray icon; closing the window will quit the app");
    }
    app.run(|app, event| {
        if let tauri::RunEvent::Exit = event {
            shell::shut_down(app);
        }
        // A hidden window on macOS comes back when the dock icon is clicked.
        #[cfg(target_os = "macos")]
        if let tauri::RunEvent::Reopen { .. } = event
            && let Err(error) = window::show(app)
        {
            tracing::warn!(%error, "could not show the main window");
        }
    });
    Ok(())
}

/// The app with its commands and its main window (opened when the event loop starts),
/// without the tray. Tests build it on the mock runtime, which has no system tray.
pub fn build_app<R: Runtime>(
    builder: Builder<R>,
    context: Context<R>,
    settings: Settings,
) -> tauri::Result<App<R>> {
    use commands::{chats, console, desktop, history, missed, session};
    builder
        .invoke_handler(tauri::generate_handler![
            desktop::app_info,
            desktop::link_open,
            session::session_restore,
            session::session_sign_in,
            session::session_sign_out,
            console::console_subscribe,
            console::attention_set,
            console::status_set,
            console::connection_retry,
            chats::offer_accept,
            chats::offer_decline,
            chats::message_send,
            chats::typing_set,
            chats::chat_end,
            chats::wrapup_submit,
            chats::transfer_targets,
            chats::chat_transfer,
            chats::outbox_retry,
            chats::outbox_discard,
            chats::canned_list,
            chats::canned_fill,
            chats::canned_save,
            chats::canned_delete,
            missed::missed_claim,
            missed::missed_release,
            missed::missed_close,
            missed::missed_reply,
            history::history_list,
            history::history_search,
            history::history_sync,
            history::transcript_get,
            history::visitor_history,
        ])
        .on_window_event(window::on_event)
        .setup(move |app| {
            let data_dir = match settings.data_dir.clone() {
                Some(dir) => dir,
                None => app.path().app_data_dir()?,
            };
            app.manage(Shell::new(settings, data_dir));
            window::create(app.handle())?;
            Ok(())
        })
        .build(context)
}

fn init_tracing() {
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tao=warn,wry=warn"));
    // Only fails when a subscriber is already set, which is fine to keep.
    let _ = tracing_subscriber::fmt().with_env_filter(filter).try_init();
}

#[cfg(test)]
mod tests;
