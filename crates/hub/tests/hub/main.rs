//! Integration tests of the hub: a real hub on loopback (in-process on port 0 with a
//! manual clock, or the real binary for crash and CLI tests), real SQLite files in
//! temp dirs, real WebSocket clients speaking the protocol crate.
#![allow(clippy::unwrap_used)]

mod support;

mod bad_input;
mod canned;
mod chat;
mod cli;
mod email;
mod etiquette;
mod grace;
mod hours;
mod lifecycle;
mod mailbox;
mod missed;
mod queue;
mod restart;
mod restart_handover;
mod resume;
mod routing;
mod transfer;
mod wrapup;
