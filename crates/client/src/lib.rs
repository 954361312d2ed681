//! Switchboard agent client core.
