//! Identifier newtypes, so a chat id can never be passed where an offer id belongs.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! int_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
        #[serde(transparent)]
        #[ts(type = "number")]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl From<i64> for $name {
            fn from(v: i64) -> Self {
                Self(v)
            }
        }
    };
}

int_id!(
    /// An agent account on the hub.
    AgentId
);
int_id!(
    /// A department (Sales, Support, ...).
    DepartmentId
);
int_id!(
    /// One chat, from request to wrap-up.
    ChatId
);
int_id!(
    /// One event in a chat's transcript. Increases across the hub, so "events after
    /// id N" is a complete catch-up query for one chat.
    EventId
);
int_id!(
    /// One offer of a chat (new or transferred) to one agent.
    OfferId
);
int_id!(
    /// One entry in the missed-chats list.
    MissedChatId
);
int_id!(
    /// One email reply to a missed chat.
    EmailId
);
int_id!(
    /// A canned response.
    CannedId
);

/// A position in one agent's stream of durable pushes. Starts at 1; every durable
/// push to that agent takes the next number.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS,
)]
#[serde(transparent)]
#[ts(type = "number")]
pub struct Seq(pub u64);

impl fmt::Display for Seq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A client-generated id carried by every state-changing command. The hub keeps
/// the first result under `(sender, client_id)` and answers a retry with it, which
/// makes an outbox that resends after a lost reply exactly-once.
///
/// 1 to 64 characters from `[A-Za-z0-9_.:-]` (a UUID fits).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct ClientId(String);

impl ClientId {
    pub const MAX_LEN: usize = 64;

    pub fn parse(s: impl Into<String>) -> Result<Self, String> {
        let s = s.into();
        if s.is_empty() || s.len() > Self::MAX_LEN {
            return Err(format!(
                "client_id must be 1 to {} characters",
                Self::MAX_LEN
            ));
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':' | b'-'))
        {
            return Err("client_id may hold only letters, digits and _ . : -".into());
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(s)
    }
}

impl From<ClientId> for String {
    fn from(c: ClientId) -> String {
        c.0
    }
}

impl fmt::Display for ClientId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
