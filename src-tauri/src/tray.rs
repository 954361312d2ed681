//! The tray icon and its menu: the way back to a hidden window, and the way to quit.

use tauri::image::Image;
use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Runtime};

use crate::window;

const TRAY: &str = "main";
const OPEN: &str = "open";
const QUIT: &str = "quit";

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let menu = Menu::with_items(
        app,
        &[
            &MenuItem::with_id(app, OPEN, "Open Switchboard", true, None::<&str>)?,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, QUIT, "Quit Switchboard", true, None::<&str>)?,
        ],
    )?;
    TrayIconBuilder::with_id(TRAY)
        .icon(Image::from_bytes(include_bytes!("../../icons/tray.png"))?)
        .tooltip("Switchboard")
        .menu(&menu)
        // A left click opens the window (Windows, macOS); the menu is on the right button.
        // Linux shows the menu on any click and reports no clicks.
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu_event)
        .on_tray_icon_event(on_icon_event)
        .build(app)
}

/// Whether the tray icon exists, so that a hidden window can be brought back.
pub fn is_shown<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.tray_by_id(TRAY).is_some()
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    match event.id().as_ref() {
        OPEN => {
            if let Err(error) = window::show(app) {
                tracing::warn!(%error, "could not show the main window");
            }
        }
        QUIT => app.exit(0),
        other => tracing::debug!(item = other, "unknown tray menu item"),
    }
}

fn on_icon_event<R: Runtime>(tray: &TrayIcon<R>, event: TrayIconEvent) {
    if let TrayIconEvent::Click {
        button: MouseButton::Left,
        button_state: MouseButtonState::Up,
        ..
    } = event
        && let Err(error) = window::show(tray.app_handle())
    {
        tracing::warn!(%error, "could not show the main window");
    }
}
