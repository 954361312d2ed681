//! Switchboard hub: the server that routes website chats to agents.
//!
//! Visitors connect from the widget (`/v1/visitor/ws`), agents from the desktop app
//! (`/v1/agent/ws`, after signing in over HTTP). The hub places each chat with an
//! agent, carries the conversation, and keeps everything in SQLite.
//!
//! Map of the modules:
//! - [`startup`]: [`Application`] binds, serves and shuts down; [`spawn`] runs one in
//!   the background (tests, other crates' tests).
//! - [`config`]: [`Settings`] and [`Limits`]; [`config_file`]: the `hub.toml` that
//!   `serve --config` reads.
//! - [`clock`]: injected time; [`ManualClock`] for tests.
//! - [`store`]: the SQLite store and its migrations.
//! - [`auth`]: password hashes and tokens.
//! - [`routing`]: who gets a chat (pure functions); [`hours`]: departments' opening
//!   hours.
//! - [`email`]: email replies to missed chats (compose, SMTP or .eml delivery).
//! - [`limits`]: token-bucket rate limits.
//! - `hub`: the core that owns live state and makes every routing decision.
//! - `http`, `agent_ws`, `visitor_ws`, `connection`, `reads`: the HTTP and WebSocket
//!   surface.
//! - [`canned`]: canned responses, who may manage which (protocol and command line).
//! - [`admin`] and [`demo`]: what the command line manages, and the demo workspace.

pub mod admin;
mod agent_ws;
pub mod auth;
pub mod canned;
pub mod clock;
pub mod config;
pub mod config_file;
mod connection;
pub mod demo;
pub mod email;
pub mod error;
pub mod hours;
mod http;
mod hub;
pub mod limits;
mod reads;
pub mod routing;
pub mod startup;
pub mod store;
mod visitor_ws;

pub use clock::{Clock, ManualClock};
pub use config::{Limits, Settings};
pub use error::{Error, Result};
pub use hub::HubHandle;
pub use startup::{Application, RunningHub, spawn};
