//! The JSON bodies of the HTTP surface.

use switchboard_protocol::http::{Health, SignIn, SignedIn};
use switchboard_protocol::{ErrorCode, PROTOCOL_VERSION, WireError};

use crate::fixture::{self, Fixture};
use crate::sample::*;

pub fn fixtures() -> Vec<Fixture> {
    vec![
        fixture::body(
            "health.reply.json",
            Health {
                status: "ok".into(),
                version: "0.1.0".into(),
                protocol: PROTOCOL_VERSION,
            },
        ),
        fixture::body(
            "sign-in.request.json",
            SignIn {
                email: "sam@acme.example".into(),
                password: "correct horse battery staple".into(),
            },
        ),
        fixture::body(
            "sign-in.reply.json",
            SignedIn {
                token: "sbt_2Jx9QvLr7mWc4TzH8pKd1NsY6fBg3aEu".into(),
                expires_at: at("2025-06-04T07:58:12Z"),
                agent: sam_info(),
            },
        ),
        fixture::body(
            "error.reply.json",
            WireError::new(ErrorCode::Unauthorized, "wrong email or password"),
        ),
    ]
}
