//! The main window: where the console lives, and what closing it means.

use tauri::{
    AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder, Window,
    WindowEvent,
};

/// The label the capabilities in src-tauri/capabilities/main.json are granted to.
pub const MAIN: &str = "main";

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App("index.html".into()))
        .title("Switchboard")
        .inner_size(1100.0, 720.0)
        .min_inner_size(420.0, 560.0)
        .center()
        .build()
}

/// Brings the main window to the front, creating it again if it was destroyed.
pub fn show<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let window = match app.get_webview_window(MAIN) {
        Some(window) => window,
        None => create(app)?,
    };
    window.unminimize()?;
    window.show()?;
    window.set_focus()
}

/// Closing the main window hides it while an agent is signed in and the tray icon
/// can bring it back, so chats keep arriving; otherwise closing quits as usual.
pub fn on_event<R: Runtime>(window: &Window<R>, event: &WindowEvent) {
    // The console reports focus too, but a window hidden or minimised may not get
    // to run its script: without focus, notifications must show.
    if let WindowEvent::Focused(focused) = event
        && window.label() == MAIN
        && let Some(shell) = window.app_handle().try_state::<crate::shell::Shell>()
    {
        shell.attention().set_focused(*focused);
    }
    if let WindowEvent::CloseRequested { api, .. } = event {
        let app = window.app_handle();
        let signed_in = app
            .try_state::<crate::shell::Shell>()
            .is_some_and(|shell| shell.is_signed_in());
        if window.label() != MAIN || !signed_in || !crate::tray::is_shown(app) {
            return;
        }
        api.prevent_close();
        if let Err(error) = window.hide() {
            tracing::warn!(%error, "could not hide the main window");
        }
    }
}
