//! Integration tests of the agent client core.
