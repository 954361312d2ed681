//! Switchboard hub.
