//! The crate's one error type, with a stable `code()` the app's IPC layer can branch on.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use switchboard_protocol::{ErrorCode, WireError};

/// Everything that can go wrong in the client core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The hub answered the request with a typed error.
    #[error("the hub refused: {0}")]
    Hub(WireError),
    /// There is no live connection, so a request that needs one cannot be made.
    #[error("not connected to the hub")]
    Offline,
    /// The connection dropped before the hub answered.
    #[error("the connection dropped before the hub answered")]
    Disconnected,
    /// The hub did not answer in time.
    #[error("the hub did not answer within {0:?}")]
    Timeout(Duration),
    /// The session ended (signed out, token revoked or expired); sign in again.
    #[error("signed out: {0}")]
    SignedOut(String),
    /// Sign-in was refused: wrong email or password, or a disabled account.
    #[error("sign-in refused: {0}")]
    SignInRefused(String),
    /// The hub could not be reached over HTTP or WebSocket.
    #[error("cannot reach the hub: {0}")]
    Network(String),
    /// The hub URL is not an http(s) URL.
    #[error("invalid hub URL: {0}")]
    InvalidHubUrl(String),
    /// No OS credential store answered; the session lives in memory for this run only.
    #[error("no credential store is available: {0}")]
    CredentialStoreUnavailable(String),
    /// The credential store answered with a failure.
    #[error("credential store: {0}")]
    CredentialStore(String),
    /// The local cache failed.
    #[error("local cache: {0}")]
    Cache(#[from] sqlx::Error),
    /// The local cache's schema could not be brought up to date.
    #[error("local cache migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    /// A filesystem operation failed (the data directory).
    #[error("file system: {0}")]
    Io(#[from] std::io::Error),
    /// The caller gave something the hub would refuse anyway (too long, empty, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The hub sent something this client cannot read.
    #[error("protocol: {0}")]
    Protocol(String),
    /// No such outbox item, chat or offer in the local state.
    #[error("not found: {0}")]
    NotFound(String),
    /// The agent discarded the outbox item before the hub got it.
    #[error("the command was discarded before it was sent")]
    Discarded,
    /// The client was shut down.
    #[error("the client has stopped")]
    Stopped,
}

impl Error {
    /// A stable, snake_case code. Hub errors keep the wire code (`conflict`,
    /// `not_found`, ...); local failures have their own.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Hub(e) => wire_code(e.code),
            Error::Offline => "offline",
            Error::Disconnected => "disconnected",
            Error::Timeout(_) => "timeout",
            Error::SignedOut(_) => "signed_out",
            Error::SignInRefused(_) => "sign_in_refused",
            Error::Network(_) => "network",
            Error::InvalidHubUrl(_) => "invalid_hub_url",
            Error::CredentialStoreUnavailable(_) => "credential_store_unavailable",
            Error::CredentialStore(_) => "credential_store",
            Error::Cache(_) | Error::Migration(_) => "cache",
            Error::Io(_) => "io",
            Error::Invalid(_) => "invalid_input",
            Error::Protocol(_) => "protocol",
            Error::NotFound(_) => "local_not_found",
            Error::Discarded => "discarded",
            Error::Stopped => "stopped",
        }
    }

    /// Whether the same request may succeed later without any change: the outbox
    /// keeps such commands queued and marks every other failure as permanent.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Hub(e) => e.code.is_transient(),
            Error::Offline | Error::Disconnected | Error::Timeout(_) | Error::Network(_) => true,
            // A session that ended is not the command's fault: keep it for after the
            // next sign-in rather than failing it.
            Error::SignedOut(_) => true,
            _ => false,
        }
    }

    /// The error as the UI sees it.
    pub fn info(&self) -> ErrorInfo {
        ErrorInfo {
            code: self.code().to_owned(),
            message: self.to_string(),
        }
    }
}

/// An error as it crosses into the app: a code to branch on and a sentence to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ErrorInfo {
    pub code: String,
    pub message: String,
}

fn wire_code(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::BadRequest => "bad_request",
        ErrorCode::UnknownAction => "unknown_action",
        ErrorCode::TooLarge => "too_large",
        ErrorCode::RateLimited => "rate_limited",
        ErrorCode::Unauthorized => "unauthorized",
        ErrorCode::TokenExpired => "token_expired",
        ErrorCode::Forbidden => "forbidden",
        ErrorCode::NotFound => "not_found",
        ErrorCode::Conflict => "conflict",
        ErrorCode::InvalidState => "invalid_state",
        ErrorCode::HelloRequired => "hello_required",
        ErrorCode::UnsupportedVersion => "unsupported_version",
        ErrorCode::Internal => "internal",
        ErrorCode::Unknown => "unknown",
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_codes_match_the_wire_spelling() {
        for code in [
            ErrorCode::BadRequest,
            ErrorCode::Conflict,
            ErrorCode::InvalidState,
            ErrorCode::TokenExpired,
            ErrorCode::Unknown,
        ] {
            let wire = serde_json::to_value(code).expect("error codes serialize");
            assert_eq!(
                wire.as_str(),
                Some(wire_code(code)),
                "the IPC code of a hub error must be the code the hub sent"
            );
        }
    }

    #[test]
    fn only_retryable_failures_are_transient() {
        assert!(Error::Offline.is_transient());
        assert!(Error::Hub(WireError::new(ErrorCode::RateLimited, "slow")).is_transient());
        assert!(!Error::Hub(WireError::new(ErrorCode::InvalidState, "ended")).is_transient());
        assert!(!Error::Invalid("too long".into()).is_transient());
    }
}
