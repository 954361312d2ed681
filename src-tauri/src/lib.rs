//! Switchboard's desktop app: the Tauri shell around the agent client core.
//!
//! The shell only translates between the console (ui/, shown in the webview) and
//! `switchboard-client`; business rules live in the client core.
//!
//! - [`commands`]: the IPC commands the console may call; each one is granted in
//!   src-tauri/permissions and src-tauri/capabilities, and nothing else is.
//! - `window`: the main window, and closing it to the tray.
//! - `tray`: the tray icon and its menu.

pub mod commands;
mod tray;
mod window;

use tauri::{App, Builder, Context, Runtime};
use tracing_subscriber::EnvFilter;

/// Starts the app on the system webview; returns when the agent quits.
pub fn run() {
    init_tracing();
    let context = tauri::generate_context!("tauri.conf.json");
    if let Err(error) = run_app(Builder::default(), context) {
        tracing::error!(%error, "Switchboard could not start");
        eprintln!("Switchboard could not start: {error}");
        std::process::exit(1);
    }
}

/// Builds the app on any runtime, adds the tray icon and runs the event loop.
pub fn run_app<R: Runtime>(builder: Builder<R>, context: Context<R>) -> tauri::Result<()> {
    let app = build_app(builder, context)?;
    if let Err(error) = tray::create(app.handle()) {
        tracing::warn!(%error, "no tray icon; closing the window will quit the app");
    }
    app.run(|_app, _event| {
        // A hidden window on macOS comes back when the dock icon is clicked.
        #[cfg(target_os = "macos")]
        if let tauri::RunEvent::Reopen { .. } = _event
            && let Err(error) = window::show(_app)
        {
            tracing::warn!(%error, "could not show the main window");
        }
    });
    Ok(())
}

/// The app with its commands and its main window (opened when the event loop starts),
/// without the tray. Tests build it on the mock runtime, which has no system tray.
pub fn build_app<R: Runtime>(builder: Builder<R>, context: Context<R>) -> tauri::Result<App<R>> {
    builder
        .invoke_handler(tauri::generate_handler![commands::app_info])
        .on_window_event(window::on_event)
        .setup(|app| {
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
