//! The HTTP endpoints beside the WebSockets: health, agent sign-in, refresh, sign-out.
//! Errors come back as a JSON [`crate::WireError`] with a matching HTTP status.

use serde::{Deserialize, Serialize};

use crate::model::{AgentInfo, Timestamp};

/// `GET /healthz`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Health {
    pub status: String,
    pub version: String,
    pub protocol: u32,
}

/// `POST /v1/agent/sign-in`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SignIn {
    pub email: String,
    pub password: String,
}

/// The answer to sign-in and refresh. The token goes in `Authorization: Bearer` on
/// `/v1/agent/ws`, `/v1/agent/refresh` and `/v1/agent/sign-out`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct SignedIn {
    pub token: String,
    pub expires_at: Timestamp,
    pub agent: AgentInfo,
}

/// Paths, so no peer spells them twice.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const SIGN_IN: &str = "/v1/agent/sign-in";
    pub const REFRESH: &str = "/v1/agent/refresh";
    pub const SIGN_OUT: &str = "/v1/agent/sign-out";
    pub const AGENT_WS: &str = "/v1/agent/ws";
    pub const VISITOR_WS: &str = "/v1/visitor/ws";
    pub const WIDGET_JS: &str = "/widget.js";
    pub const DEMO: &str = "/demo";
}
