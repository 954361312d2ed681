//! The envelope shared by both WebSocket protocols.
//!
//! Client to hub, a request: `{"id": "17", "action": "message.send", "data": {...}}`.
//! Hub to client, a reply that echoes the id: `{"re": "17", "ok": {...}}` or
//! `{"re": "17", "error": {"code": "not_found", "message": "..."}}`.
//! Hub to client, a push: `{"push": "chat.event", "seq": 42, "data": {...}}`; `seq`
//! only on durable pushes.
//!
//! Decoding is done in two steps so that a frame with an unknown action or push can
//! still be answered or skipped: first the envelope ([`RawRequest`], [`RawServerFrame`]),
//! then the typed body. Unknown fields are ignored everywhere.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ids::Seq;

/// What went wrong, as a stable code the receiver can branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The frame is not JSON, or the data does not fit the action.
    BadRequest,
    /// The action is not one this hub knows.
    UnknownAction,
    /// The frame or a field is over its limit.
    TooLarge,
    /// Too many requests; slow down.
    RateLimited,
    /// No or an invalid token.
    Unauthorized,
    /// The token has expired: refresh or sign in again.
    TokenExpired,
    /// The caller may not do this (for example: a chat the agent does not hold).
    Forbidden,
    /// No such chat, offer, missed chat, ...
    NotFound,
    /// Someone else got there first (an offer taken, a missed chat claimed).
    Conflict,
    /// The thing exists but is not in a state that allows this (a chat already ended).
    InvalidState,
    /// `hello` must come first on a connection.
    HelloRequired,
    /// The peer speaks a protocol version this hub does not.
    UnsupportedVersion,
    /// The hub failed; the request may be retried.
    Internal,
    /// A code from a newer hub. Treat as a failure of the request.
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// Whether retrying the same request later may succeed. An outbox keeps retrying
    /// these and marks everything else failed.
    pub fn is_transient(self) -> bool {
        matches!(self, ErrorCode::RateLimited | ErrorCode::Internal)
    }
}

/// A typed error as it crosses the wire.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error, ts_rs::TS)]
#[error("{code:?}: {message}")]
pub struct WireError {
    pub code: ErrorCode,
    /// English text for people and logs. Missing is tolerated so that a reply still
    /// matches its request.
    #[serde(default)]
    pub message: String,
}

impl WireError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// A request as first read, before its action is known to be valid.
#[derive(Debug, Clone, Deserialize)]
pub struct RawRequest {
    /// Missing ids are tolerated so that the error reply can say what was wrong;
    /// such a reply carries `"re": ""`.
    #[serde(default)]
    pub id: String,
    pub action: String,
    #[serde(default)]
    pub data: Value,
}

impl RawRequest {
    /// Read the envelope of a client frame.
    pub fn parse(text: &str) -> Result<Self, WireError> {
        serde_json::from_str(text)
            .map_err(|e| WireError::new(ErrorCode::BadRequest, format!("not a request frame: {e}")))
    }

    /// Decode the typed body: `R` is an `#[serde(tag = "action", content = "data")]`
    /// enum listing `actions`. A missing or null `data` stands for `{}`.
    pub fn decode<R: DeserializeOwned>(&self, actions: &[&str]) -> Result<R, WireError> {
        if !actions.contains(&self.action.as_str()) {
            return Err(WireError::new(
                ErrorCode::UnknownAction,
                format!("unknown action `{}`", truncate(&self.action, 64)),
            ));
        }
        let data = if self.data.is_null() {
            Value::Object(Default::default())
        } else {
            self.data.clone()
        };
        let mut obj = serde_json::Map::new();
        obj.insert("action".into(), Value::String(self.action.clone()));
        obj.insert("data".into(), data);
        serde_json::from_value(Value::Object(obj)).map_err(|e| {
            WireError::new(
                ErrorCode::BadRequest,
                format!("bad data for `{}`: {e}", self.action),
            )
        })
    }
}

/// A request type and the reply it gets. Implemented for every request struct of
/// both protocols, so a client can write `call(MessageSend { .. }) -> MessageSent`.
pub trait Call: Serialize {
    const ACTION: &'static str;
    type Reply: DeserializeOwned + Serialize;
}

#[derive(Serialize)]
struct RequestOut<'a, T: Serialize> {
    id: &'a str,
    action: &'static str,
    data: &'a T,
}

/// Encode a request frame.
pub fn encode_request<C: Call>(id: &str, call: &C) -> String {
    serde_json::to_string(&RequestOut {
        id,
        action: C::ACTION,
        data: call,
    })
    .unwrap_or_default()
}

#[derive(Serialize)]
struct ReplyOk<'a, T: Serialize> {
    re: &'a str,
    ok: &'a T,
}

#[derive(Serialize)]
struct ReplyErr<'a> {
    re: &'a str,
    error: &'a WireError,
}

/// Encode a successful reply.
pub fn encode_reply<T: Serialize>(re: &str, ok: &T) -> String {
    serde_json::to_string(&ReplyOk { re, ok }).unwrap_or_default()
}

/// Encode an error reply.
pub fn encode_error(re: &str, error: &WireError) -> String {
    serde_json::to_string(&ReplyErr { re, error }).unwrap_or_default()
}

#[derive(Serialize)]
struct PushOut<'a, P: Serialize> {
    #[serde(flatten)]
    push: &'a P,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<Seq>,
}

/// Encode a push. `P` is a `#[serde(tag = "push", content = "data")]` enum; `seq` is
/// given for durable pushes only.
pub fn encode_push<P: Serialize>(push: &P, seq: Option<Seq>) -> String {
    serde_json::to_string(&PushOut { push, seq }).unwrap_or_default()
}

/// A hub frame as first read.
#[derive(Debug, Clone, Deserialize)]
pub struct RawServerFrame {
    #[serde(default)]
    pub re: Option<String>,
    #[serde(default)]
    pub ok: Option<Value>,
    #[serde(default)]
    pub error: Option<WireError>,
    #[serde(default)]
    pub push: Option<String>,
    #[serde(default)]
    pub seq: Option<Seq>,
    #[serde(default)]
    pub data: Option<Value>,
}

/// A decoded hub frame.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame<P> {
    /// The answer to request `re`. The `ok` value is decoded by the caller, which
    /// knows the reply type from the request it sent ([`Call::Reply`]).
    Reply {
        re: String,
        result: Result<Value, WireError>,
    },
    Push {
        seq: Option<Seq>,
        push: P,
    },
    /// A push this client does not know (from a newer hub). It is skipped, but a
    /// durable one still advances the client's sequence cursor.
    UnknownPush {
        name: String,
        seq: Option<Seq>,
    },
}

/// Why a hub frame could not be decoded at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("frame is not JSON of the envelope's shape: {0}")]
    Envelope(String),
    /// A known push whose data does not fit (a newer hub with a value this client
    /// does not know). `seq` is kept so that a durable one still moves the cursor.
    #[error("push `{name}` has data of the wrong shape: {reason}")]
    PushData {
        name: String,
        seq: Option<Seq>,
        reason: String,
    },
}

/// Decode a hub frame. `P` is a push enum; `pushes` lists its push names.
pub fn decode_server_frame<P: DeserializeOwned>(
    text: &str,
    pushes: &[&str],
) -> Result<ServerFrame<P>, DecodeError> {
    let raw: RawServerFrame =
        serde_json::from_str(text).map_err(|e| DecodeError::Envelope(e.to_string()))?;
    if let Some(re) = raw.re {
        let result = match raw.error {
            Some(err) => Err(err),
            None => Ok(raw.ok.unwrap_or(Value::Null)),
        };
        return Ok(ServerFrame::Reply { re, result });
    }
    let Some(name) = raw.push else {
        return Err(DecodeError::Envelope(
            "frame has neither `re` nor `push`".into(),
        ));
    };
    if !pushes.contains(&name.as_str()) {
        return Ok(ServerFrame::UnknownPush { name, seq: raw.seq });
    }
    let data = raw.data.unwrap_or(Value::Object(Default::default()));
    let mut obj = serde_json::Map::new();
    obj.insert("push".into(), Value::String(name.clone()));
    obj.insert("data".into(), data);
    let push = serde_json::from_value(Value::Object(obj)).map_err(|e| DecodeError::PushData {
        name,
        seq: raw.seq,
        reason: e.to_string(),
    })?;
    Ok(ServerFrame::Push { seq: raw.seq, push })
}

/// Decode the `ok` value of a reply into the reply type of the call that was sent.
pub fn decode_reply<C: Call>(ok: Value) -> Result<C::Reply, WireError> {
    serde_json::from_value(ok).map_err(|e| {
        WireError::new(
            ErrorCode::BadRequest,
            format!("reply to `{}` has the wrong shape: {e}", C::ACTION),
        )
    })
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Declares a protocol's requests: the tagged enum, its list of action names, and a
/// [`Call`] impl tying each request struct to its reply.
#[macro_export]
macro_rules! requests {
    (
        $(#[$meta:meta])*
        pub enum $enum:ident {
            $( $action:literal => $variant:ident($req:ty) -> $reply:ty ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "action", content = "data")]
        pub enum $enum {
            $( #[serde(rename = $action)] $variant($req), )+
        }

        impl $enum {
            /// Every action name of this protocol.
            pub const ACTIONS: &'static [&'static str] = &[$($action),+];

            /// This request's action name.
            pub fn action(&self) -> &'static str {
                match self { $( Self::$variant(_) => $action, )+ }
            }
        }

        $(
            impl $crate::envelope::Call for $req {
                const ACTION: &'static str = $action;
                type Reply = $reply;
            }

            impl From<$req> for $enum {
                fn from(r: $req) -> Self { Self::$variant(r) }
            }
        )+
    };
}

/// Declares a protocol's pushes: the tagged enum and its list of push names.
#[macro_export]
macro_rules! pushes {
    (
        $(#[$meta:meta])*
        pub enum $enum:ident {
            $( $name:literal => $variant:ident($data:ty) ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(tag = "push", content = "data")]
        pub enum $enum {
            $( #[serde(rename = $name)] $variant($data), )+
        }

        impl $enum {
            /// Every push name of this protocol.
            pub const PUSHES: &'static [&'static str] = &[$($name),+];

            /// This push's name.
            pub fn name(&self) -> &'static str {
                match self { $( Self::$variant(_) => $name, )+ }
            }
        }
    };
}
