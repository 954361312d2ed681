//! The app itself and the desktop around it: the app's name, and links opened in
//! the system's browser or mail app.

use serde::Serialize;
use tauri::{AppHandle, Runtime};
use url::Url;

use crate::error::{CommandError, CommandResult};

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

/// The schemes a link in a chat may open: anything else (file, javascript, custom
/// handlers) could run or reveal something on the agent's machine.
const OPENABLE: [&str; 3] = ["http", "https", "mailto"];

/// A link from a chat, parsed, if it is one the app opens.
pub fn openable(url: &str) -> CommandResult<Url> {
    let parsed = Url::parse(url.trim())
        .map_err(|error| CommandError::invalid(format!("not a link: {error}")))?;
    if !OPENABLE.contains(&parsed.scheme()) {
        return Err(CommandError::invalid(format!(
            "only http, https and mailto links open; not {}:",
            parsed.scheme()
        )));
    }
    Ok(parsed)
}

/// Open an http, https or mailto link with the system's opener.
#[tauri::command]
pub async fn link_open(url: String) -> CommandResult<()> {
    let url = openable(&url)?;
    // The opener may wait on a helper process; keep it off the async workers.
    tauri::async_runtime::spawn_blocking(move || open::that_detached(url.as_str()))
        .await
        .map_err(|error| CommandError::internal(error.to_string()))?
        .map_err(|error| CommandError::internal(format!("could not open the link: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_and_mail_links_open() {
        for ok in [
            "https://shop.example/pricing",
            "http://localhost:8600/",
            "mailto:ada@switchboard.demo",
        ] {
            assert!(
                openable(ok).is_ok(),
                "{ok} is a link agents must be able to open"
            );
        }
        for refused in [
            "javascript:alert(1)",
            "file:///etc/passwd",
            "data:text/html,<script>alert(1)</script>",
            "ftp://files.example/",
            "smb://share/x",
            "not a url",
            "",
        ] {
            let error = openable(refused).expect_err("only http, https and mailto open");
            assert_eq!(
                error.code, "invalid",
                "{refused} must be refused as invalid"
            );
        }
    }
}
