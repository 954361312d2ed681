//! The IPC commands the console calls (ui/src/lib/ipc/tauri.ts). Each one only
//! translates: the work belongs in `switchboard-client`.

use serde::Serialize;
use tauri::{AppHandle, Runtime};

/// The answer of `app_info`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfo {
    pub name: String,
    pub version: String,
}

#[tauri::command]
pub fn app_info<R: Runtime>(app: AppHandle<R>) -> AppInfo {
    let package = app.package_info();
    AppInfo {
        name: package.name.clone(),
        version: package.version.to_string(),
    }
}
