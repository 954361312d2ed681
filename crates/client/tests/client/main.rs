//! Integration tests of the agent client core against a real hub on loopback, with a
//! fault-injecting proxy in between where a test needs the network to misbehave.

mod bindings;
mod desktop;
mod handover;
mod lifecycle;
mod missed;
mod offline;
mod outage;
mod proxy;
mod session;
mod support;
