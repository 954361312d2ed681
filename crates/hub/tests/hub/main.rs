//! Integration tests of the hub: a real hub on loopback, real WebSocket clients.
#![allow(clippy::unwrap_used)]

#[allow(dead_code)] // Helpers used by the test modules added next.
mod support;

mod chat;
mod etiquette;
mod queue;
mod routing;
