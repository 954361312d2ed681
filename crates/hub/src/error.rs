//! The hub's one error type, and how each kind reaches a peer as a typed wire error.

use switchboard_protocol::{ErrorCode, WireError};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request the peer got wrong or may not make; sent back as it is.
    #[error("{0}")]
    Wire(WireError),
    /// Admin input that does not make sense (CLI).
    #[error("{0}")]
    Invalid(String),
    /// An admin command named something that does not exist (CLI).
    #[error("{0}")]
    NotFound(String),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("stored JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("password hashing: {0}")]
    Password(String),
    /// The hub core has stopped (shutdown in progress).
    #[error("the hub is shutting down")]
    Stopped,
}

impl Error {
    pub fn wire(code: ErrorCode, message: impl Into<String>) -> Self {
        Error::Wire(WireError::new(code, message))
    }

    /// The error as the peer sees it. Internal failures are not described, only
    /// marked retryable; the details go to the log.
    pub fn to_wire(&self) -> WireError {
        match self {
            Error::Wire(w) => w.clone(),
            Error::Invalid(m) => WireError::new(ErrorCode::BadRequest, m.clone()),
            Error::NotFound(m) => WireError::new(ErrorCode::NotFound, m.clone()),
            Error::Stopped => WireError::new(ErrorCode::Internal, "the hub is shutting down"),
            _ => WireError::new(ErrorCode::Internal, "the hub failed; try again"),
        }
    }

    /// Whether this is the peer's fault (not worth an error line in the log).
    pub fn is_peer_error(&self) -> bool {
        matches!(
            self,
            Error::Wire(_) | Error::Invalid(_) | Error::NotFound(_)
        )
    }
}

impl From<WireError> for Error {
    fn from(w: WireError) -> Self {
        Error::Wire(w)
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
