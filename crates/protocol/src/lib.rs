//! Switchboard's wire contract, v1: every frame that crosses a WebSocket or HTTP
//! boundary between the hub, the agent client and the visitor widget.
//!
//! `docs/protocol.md` is the prose form of this crate; the golden fixtures under
//! `tests/fixtures/` pin the JSON of every message. The crate has no I/O.
//!
//! Map of the modules:
//! - [`envelope`]: request, reply and push frames, typed errors, decoding that
//!   survives unknown actions and fields.
//! - [`ids`]: identifier newtypes and the client-generated [`ids::ClientId`].
//! - [`model`]: the values that travel inside frames (chats, events, offers, ...).
//! - [`agent`]: the agent protocol (`/v1/agent/ws`): requests with their replies, pushes.
//! - [`visitor`]: the visitor protocol (`/v1/visitor/ws`).
//! - [`http`]: the small HTTP surface (sign-in, health).
//! - [`limits`]: sizes and rates both sides enforce.

pub mod agent;
pub mod envelope;
pub mod http;
pub mod ids;
pub mod limits;
pub mod model;
pub mod visitor;

pub use envelope::{
    Call, DecodeError, ErrorCode, RawRequest, ServerFrame, WireError, decode_server_frame,
    encode_error, encode_push, encode_reply, encode_request,
};
pub use ids::*;
pub use model::*;

/// The protocol version a peer speaks. A hub refuses a `hello` with another major
/// version (`unsupported_version`); additions within a version are backwards
/// compatible because unknown actions, pushes and fields are ignored.
pub const PROTOCOL_VERSION: u32 = 1;
