//! The tray icon and its menu: the agent's status, the offers waiting, the way back to
//! a hidden window, and the way to quit. The icon and its tooltip follow the console.

use std::sync::Mutex;

use switchboard_client::protocol::AgentStatus;
use switchboard_client::{Console, ConsoleStream};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::events::{self, AppEvent};
use crate::window;

const TRAY: &str = "main";
const OPEN: &str = "open";
const QUIT: &str = "quit";
const OFFERS: &str = "offers";
const ONLINE: &str = "status-online";
const AWAY: &str = "status-away";
const OFFLINE: &str = "status-offline";

const ICON: &[u8] = include_bytes!("../../icons/tray.png");
/// The icon with a dot, while offers wait (Linux panels cannot show a badge).
const ICON_ALERT: &[u8] = include_bytes!("../../icons/tray-alert.png");

/// What the tray shows, derived from the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TrayView {
    pub signed_in: bool,
    pub offers: usize,
    pub status: Option<AgentStatus>,
}

impl TrayView {
    pub fn of(console: &Console) -> Self {
        Self {
            signed_in: true,
            offers: console.offers.len(),
            status: console.status,
        }
    }

    pub fn offers_text(&self) -> String {
        match self.offers {
            0 => "No offers waiting".into(),
            1 => "1 offer waiting".into(),
            n => format!("{n} offers waiting"),
        }
    }

    pub fn tooltip(&self) -> String {
        if !self.signed_in {
            return "Switchboard: signed out".into();
        }
        let status = match self.status {
            Some(AgentStatus::Online) => "online",
            Some(AgentStatus::Away) => "away",
            Some(AgentStatus::Offline) | None => "offline",
        };
        match self.offers {
            0 => format!("Switchboard: {status}"),
            _ => format!(
                "Switchboard: {status}, {}",
                self.offers_text().to_lowercase()
            ),
        }
    }
}

/// The menu items that change, kept to update them.
struct TrayMenu<R: Runtime> {
    offers: MenuItem<R>,
    statuses: [(AgentStatus, CheckMenuItem<R>); 3],
    shown: Mutex<TrayView>,
}

pub fn create<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<TrayIcon<R>> {
    let offers = MenuItem::with_id(app, OFFERS, "No offers waiting", false, None::<&str>)?;
    let status =
        |id: &str, label: &str| CheckMenuItem::with_id(app, id, label, false, false, None::<&str>);
    let statuses = [
        (AgentStatus::Online, status(ONLINE, "Online")?),
        (AgentStatus::Away, status(AWAY, "Away")?),
        (AgentStatus::Offline, status(OFFLINE, "Offline")?),
    ];
    let menu = Menu::with_items(
        app,
        &[
            &offers,
            &PredefinedMenuItem::separator(app)?,
            &statuses[0].1,
            &statuses[1].1,
            &statuses[2].1,
            &PredefinedMenuItem::separator(app)?,
            &MenuItem::with_id(app, OPEN, "Open Switchboard", true, None::<&str>)?,
            &MenuItem::with_id(app, QUIT, "Quit Switchboard", true, None::<&str>)?,
        ],
    )?;
    let tray = TrayIconBuilder::with_id(TRAY)
        .icon(Image::from_bytes(ICON)?)
        .tooltip(TrayView::default().tooltip())
        .menu(&menu)
        // A left click opens the window (Windows, macOS); the menu is on the right button.
        // Linux shows the menu on any click and reports no clicks.
        .show_menu_on_left_click(false)
        .on_menu_event(on_menu_event)
        .on_tray_icon_event(on_icon_event)
        .build(app)?;
    app.manage(TrayMenu {
        offers,
        statuses,
        shown: Mutex::new(TrayView::default()),
    });
    Ok(tray)
}

/// Whether the tray icon exists, so that a hidden window can be brought back.
pub fn is_shown<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.tray_by_id(TRAY).is_some()
}

/// Keep the tray in step with a session's console until the session ends.
pub async fn follow<R: Runtime>(
    app: AppHandle<R>,
    mut console: Console,
    mut stream: ConsoleStream,
) {
    show(&app, TrayView::of(&console));
    while let Some(update) = stream.next().await {
        console.apply(&update.change);
        show(&app, TrayView::of(&console));
    }
}

/// Back to the signed-out tray.
pub fn signed_out<R: Runtime>(app: &AppHandle<R>) {
    show(app, TrayView::default());
}

/// Update the menu, tooltip and icon when what they show changed.
fn show<R: Runtime>(app: &AppHandle<R>, view: TrayView) {
    let Some(menu) = app.try_state::<TrayMenu<R>>() else {
        return;
    };
    let before = {
        let mut shown = menu.shown.lock().unwrap_or_else(|p| p.into_inner());
        std::mem::replace(&mut *shown, view)
    };
    if before == view {
        return;
    }
    if let Err(error) = render(app, &menu, view, before) {
        tracing::warn!(%error, "could not update the tray");
    }
}

fn render<R: Runtime>(
    app: &AppHandle<R>,
    menu: &TrayMenu<R>,
    view: TrayView,
    before: TrayView,
) -> tauri::Result<()> {
    menu.offers.set_text(view.offers_text())?;
    menu.offers.set_enabled(view.signed_in && view.offers > 0)?;
    check_status(menu, view)?;
    let Some(tray) = app.tray_by_id(TRAY) else {
        return Ok(());
    };
    tray.set_tooltip(Some(view.tooltip()))?;
    // Next to the icon where the panel shows a label (Linux, macOS).
    let title = (view.offers > 0).then(|| view.offers.to_string());
    tray.set_title(title)?;
    if (view.offers > 0) != (before.offers > 0) {
        let icon = if view.offers > 0 { ICON_ALERT } else { ICON };
        tray.set_icon(Some(Image::from_bytes(icon)?))?;
    }
    Ok(())
}

/// Exactly the current status is checked; without a session nothing can be picked.
fn check_status<R: Runtime>(menu: &TrayMenu<R>, view: TrayView) -> tauri::Result<()> {
    for (status, item) in &menu.statuses {
        item.set_enabled(view.signed_in)?;
        item.set_checked(view.signed_in && view.status == Some(*status))?;
    }
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: MenuEvent) {
    let id = event.id().as_ref();
    let status = match id {
        ONLINE => Some(AgentStatus::Online),
        AWAY => Some(AgentStatus::Away),
        OFFLINE => Some(AgentStatus::Offline),
        _ => None,
    };
    if let Some(status) = status {
        // A check item toggles itself on click; it shows the hub's status, which the
        // console's change brings once the console has set it.
        if let Some(menu) = app.try_state::<TrayMenu<R>>() {
            let view = *menu.shown.lock().unwrap_or_else(|p| p.into_inner());
            if let Err(error) = check_status(&menu, view) {
                tracing::warn!(%error, "could not update the tray");
            }
        }
        events::emit(app, AppEvent::TrayStatus { status });
        return;
    }
    match id {
        OPEN => show_window(app),
        OFFERS => {
            show_window(app);
            events::emit(app, AppEvent::ShowOffers);
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
    {
        show_window(tray.app_handle());
    }
}

fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Err(error) = window::show(app) {
        tracing::warn!(%error, "could not show the main window");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tooltip_counts_the_offers_waiting() {
        let view = TrayView {
            signed_in: true,
            offers: 2,
            status: Some(AgentStatus::Online),
        };
        assert_eq!(
            view.tooltip(),
            "Switchboard: online, 2 offers waiting",
            "a panel without badges shows the offer count in the tooltip"
        );
        assert_eq!(view.offers_text(), "2 offers waiting");
        let one = TrayView { offers: 1, ..view };
        assert_eq!(
            one.offers_text(),
            "1 offer waiting",
            "singular for one offer"
        );
        assert_eq!(
            TrayView::default().tooltip(),
            "Switchboard: signed out",
            "without a session the tooltip says so"
        );
    }
}
