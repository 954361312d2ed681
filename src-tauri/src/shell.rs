//! The app's state: the signed-in [`Client`] (at most one), where it keeps its data,
//! and the tasks that live as long as its session.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use switchboard_client::{
    Client, ClientConfig, CredentialStore, NotificationAction, NotificationConfig, Timing,
    WindowAttention,
};
use tauri::async_runtime::JoinHandle;
use tauri::{AppHandle, Manager, Runtime};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::error::CommandError;
use crate::{notifications, tray};

/// Environment variable naming the data directory (caches, last account), for tests
/// and for running several agents side by side.
pub const DATA_DIR_ENV: &str = "SWITCHBOARD_DATA_DIR";

/// How the shell is set up; [`Settings::from_env`] is what the app uses.
#[derive(Clone)]
pub struct Settings {
    /// `None`: the platform's app data directory.
    pub data_dir: Option<PathBuf>,
    pub credentials: CredentialStore,
    /// Show OS notifications (off in tests that have no notification server).
    pub notifications: bool,
    pub timing: Timing,
}

impl Settings {
    pub fn from_env() -> Self {
        Self {
            data_dir: std::env::var_os(DATA_DIR_ENV)
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
            credentials: CredentialStore::Os,
            notifications: true,
            timing: Timing::default(),
        }
    }
}

/// Everything the commands share. Managed by Tauri as state.
pub struct Shell {
    settings: Settings,
    data_dir: PathBuf,
    /// What the console says is in view; shared with every session's notifier.
    attention: Arc<WindowAttention>,
    client: Mutex<Option<Client>>,
    /// Tasks following the current session (tray, notification clicks).
    session_tasks: Mutex<Vec<JoinHandle<()>>>,
    /// The task forwarding console changes to the window's channel.
    forwarding: Mutex<Option<JoinHandle<()>>>,
}

impl Shell {
    pub fn new(settings: Settings, data_dir: PathBuf) -> Self {
        Self {
            settings,
            data_dir,
            attention: Arc::new(WindowAttention::default()),
            client: Mutex::new(None),
            session_tasks: Mutex::new(Vec::new()),
            forwarding: Mutex::new(None),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn attention(&self) -> &WindowAttention {
        &self.attention
    }

    /// The signed-in client, or `no_session`.
    pub fn client(&self) -> Result<Client, CommandError> {
        self.current().ok_or_else(CommandError::no_session)
    }

    pub fn current(&self) -> Option<Client> {
        lock(&self.client).clone()
    }

    pub fn is_signed_in(&self) -> bool {
        lock(&self.client).is_some()
    }

    /// A client configuration over the data directory, and where the clicks on its
    /// notifications arrive. Must run inside the async runtime (the notifier starts).
    pub fn client_config(&self) -> (ClientConfig, Option<UnboundedReceiver<NotificationAction>>) {
        let mut config = ClientConfig::new(&self.data_dir);
        config.client_name = concat!("switchboard-desktop/", env!("CARGO_PKG_VERSION")).into();
        config.credentials = self.settings.credentials.clone();
        config.timing = self.settings.timing.clone();
        if !self.settings.notifications {
            return (config, None);
        }
        let (notifications, actions) = NotificationConfig::os(self.attention.clone());
        config.notifications = Some(notifications);
        (config, Some(actions))
    }

    /// Replace the forwarding task of the console's channel.
    pub fn set_forwarding(&self, task: JoinHandle<()>) {
        if let Some(old) = lock(&self.forwarding).replace(task) {
            old.abort();
        }
    }

    fn stop_session_tasks(&self) {
        for task in std::mem::take(&mut *lock(&self.session_tasks)) {
            task.abort();
        }
        if let Some(task) = lock(&self.forwarding).take() {
            task.abort();
        }
    }
}

/// Make `client` the app's session: the tray follows its console and its
/// notifications' clicks are acted on. A session already running is shut down.
pub fn install<R: Runtime>(
    app: &AppHandle<R>,
    client: Client,
    actions: Option<UnboundedReceiver<NotificationAction>>,
) {
    let shell = app.state::<Shell>();
    shell.stop_session_tasks();
    let previous = lock(&shell.client).replace(client.clone());
    if let Some(previous) = previous {
        tauri::async_runtime::spawn(async move { previous.shutdown().await });
    }
    let mut tasks = lock(&shell.session_tasks);
    let (console, stream) = client.subscribe();
    tasks.push(tauri::async_runtime::spawn(tray::follow(
        app.clone(),
        console,
        stream,
    )));
    if let Some(actions) = actions {
        tasks.push(tauri::async_runtime::spawn(notifications::follow(
            app.clone(),
            actions,
        )));
    }
}

/// End the app's session, if any; the caller signs it out or shuts it down.
pub fn uninstall<R: Runtime>(app: &AppHandle<R>) -> Option<Client> {
    let shell = app.state::<Shell>();
    shell.stop_session_tasks();
    let client = lock(&shell.client).take();
    tray::signed_out(app);
    client
}

/// How long quitting waits for the session to close its connection and cache.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(3);

/// On quit: stop the session cleanly (the stored session stays for the next start),
/// without letting an unresponsive hub hold the app open.
pub fn shut_down<R: Runtime>(app: &AppHandle<R>) {
    let Some(client) = app.try_state::<Shell>().and_then(|shell| shell.current()) else {
        return;
    };
    tauri::async_runtime::block_on(async move {
        if tokio::time::timeout(SHUTDOWN_GRACE, client.shutdown())
            .await
            .is_err()
        {
            tracing::warn!("the session did not stop in time; quitting anyway");
        }
    });
}

/// A poisoned lock only means a task panicked while holding it; the data is still
/// the last one written.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
