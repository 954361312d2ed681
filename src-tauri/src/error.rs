//! The error every command answers with: `{code, message}`, so the console can branch
//! on `code` and show `message`.

use serde::Serialize;

/// A command's failure as the console receives it. The client core's errors keep
/// its stable codes (`offline`, `not_found`, `sign_in_refused`, ...); the shell adds
/// `no_session`, `invalid` and `internal`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommandError {
    pub code: String,
    pub message: String,
}

impl CommandError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        Self {
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// A command that needs a signed-in agent was called without one.
    pub fn no_session() -> Self {
        Self::new("no_session", "Nobody is signed in.")
    }

    /// The console asked for something the shell refuses whatever the state.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("invalid", message)
    }

    /// The shell itself failed (a window, the tray, the system opener).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message)
    }
}

impl std::fmt::Display for CommandError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for CommandError {}

impl From<switchboard_client::Error> for CommandError {
    fn from(error: switchboard_client::Error) -> Self {
        Self::new(error.code(), error.to_string())
    }
}

impl From<tauri::Error> for CommandError {
    fn from(error: tauri::Error) -> Self {
        Self::internal(error.to_string())
    }
}

pub type CommandResult<T> = Result<T, CommandError>;
