//! A golden fixture: one example value, the JSON the crate's encoder makes of it, and
//! the check that a fixture file decodes back to that value and re-encodes the same.

use std::fmt::Debug;
use std::path::PathBuf;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use switchboard_protocol::agent::{AgentPush, AgentRequest};
use switchboard_protocol::envelope::decode_reply;
use switchboard_protocol::visitor::{VisitorPush, VisitorRequest};
use switchboard_protocol::{
    Call, RawRequest, Seq, ServerFrame, WireError, decode_server_frame, encode_error, encode_push,
    encode_reply, encode_request,
};

/// Decodes a fixture text and compares it with the example; with `reencode` also
/// checks that encoding the decoded value gives the same JSON.
type Check = Box<dyn Fn(&str, bool) -> Result<(), String>>;

pub struct Fixture {
    /// Path under `tests/fixtures`, e.g. `agent/message.send.request.json`.
    pub name: String,
    /// Exactly what the crate's encoder produced (compact).
    encoded: String,
    check: Check,
}

impl Fixture {
    /// The file's contents: the encoder's output, pretty-printed in its field order.
    pub fn pretty(&self) -> String {
        pretty(&self.encoded)
    }

    /// Decode `text` as this fixture's message, compare it with the example value and
    /// re-encode it.
    pub fn check(&self, text: &str) -> Result<(), String> {
        (self.check)(text, true)
    }

    /// Decode `text` and compare it with the example value, without re-encoding: for
    /// texts with fields the example does not have.
    pub fn decodes_to_example(&self, text: &str) -> Result<(), String> {
        (self.check)(text, false)
    }
}

/// One side's protocol, so the builders below serve both.
pub trait Protocol: 'static {
    const DIR: &'static str;
    type Request: DeserializeOwned + PartialEq + Debug;
    type Push: DeserializeOwned + Serialize + PartialEq + Debug + Clone;
    fn actions() -> &'static [&'static str];
    fn pushes() -> &'static [&'static str];
    fn push_name(push: &Self::Push) -> &'static str;
}

pub struct Agent;
pub struct Visitor;

impl Protocol for Agent {
    const DIR: &'static str = "agent";
    type Request = AgentRequest;
    type Push = AgentPush;
    fn actions() -> &'static [&'static str] {
        AgentRequest::ACTIONS
    }
    fn pushes() -> &'static [&'static str] {
        AgentPush::PUSHES
    }
    fn push_name(push: &AgentPush) -> &'static str {
        push.name()
    }
}

impl Protocol for Visitor {
    const DIR: &'static str = "visitor";
    type Request = VisitorRequest;
    type Push = VisitorPush;
    fn actions() -> &'static [&'static str] {
        VisitorRequest::ACTIONS
    }
    fn pushes() -> &'static [&'static str] {
        VisitorPush::PUSHES
    }
    fn push_name(push: &VisitorPush) -> &'static str {
        push.name()
    }
}

/// A request with request id `id` and the successful reply it gets: two fixtures,
/// `<action>.request.json` and `<action>.reply.json`.
pub fn call<P, C>(id: &str, request: C, reply: C::Reply) -> [Fixture; 2]
where
    P: Protocol,
    C: Call + Clone + PartialEq + Debug + DeserializeOwned + Into<P::Request> + 'static,
    C::Reply: Clone + PartialEq + Debug + 'static,
{
    let id = id.to_owned();
    let request_fixture = {
        let id = id.clone();
        let expected = request.clone();
        Fixture {
            name: format!("{}/{}.request.json", P::DIR, C::ACTION),
            encoded: encode_request(&id, &request),
            check: Box::new(move |text, reencode| {
                let raw = RawRequest::parse(text).map_err(|e| format!("envelope: {e}"))?;
                expect_eq("request id", &raw.id, &id)?;
                let decoded: P::Request = raw
                    .decode(P::actions())
                    .map_err(|e| format!("typed decode: {e}"))?;
                expect_eq("decoded request", &decoded, &expected.clone().into())?;
                let data: C = serde_json::from_value(raw.data.clone())
                    .map_err(|e| format!("request data: {e}"))?;
                expect_eq("request data", &data, &expected)?;
                if !reencode {
                    return Ok(());
                }
                same_json(text, &encode_request(&raw.id, &data))
            }),
        }
    };
    let reply_fixture = Fixture {
        name: format!("{}/{}.reply.json", P::DIR, C::ACTION),
        encoded: encode_reply(&id, &reply),
        check: Box::new(move |text, reencode| {
            let (re, ok) = match decode_server_frame::<P::Push>(text, P::pushes()) {
                Ok(ServerFrame::Reply { re, result: Ok(ok) }) => (re, ok),
                other => return Err(format!("expected an ok reply, got {other:?}")),
            };
            expect_eq("reply re", &re, &id)?;
            let decoded = decode_reply::<C>(ok).map_err(|e| format!("reply body: {e}"))?;
            expect_eq("decoded reply", &decoded, &reply)?;
            if !reencode {
                return Ok(());
            }
            same_json(text, &encode_reply(&re, &decoded))
        }),
    };
    [request_fixture, reply_fixture]
}

/// A push, `<name>.push.json`, with `seq` for durable pushes.
pub fn push<P: Protocol>(push: P::Push, seq: Option<Seq>) -> Fixture {
    Fixture {
        name: format!("{}/{}.push.json", P::DIR, P::push_name(&push)),
        encoded: encode_push(&push, seq),
        check: Box::new(move |text, reencode| {
            let (got_seq, decoded) = match decode_server_frame::<P::Push>(text, P::pushes()) {
                Ok(ServerFrame::Push { seq, push }) => (seq, push),
                other => return Err(format!("expected a known push, got {other:?}")),
            };
            expect_eq("push seq", &got_seq, &seq)?;
            expect_eq("decoded push", &decoded, &push)?;
            if !reencode {
                return Ok(());
            }
            same_json(text, &encode_push(&decoded, got_seq))
        }),
    }
}

/// An error reply, `error.reply.json`.
pub fn error<P: Protocol>(id: &str, error: WireError) -> Fixture {
    let id = id.to_owned();
    Fixture {
        name: format!("{}/error.reply.json", P::DIR),
        encoded: encode_error(&id, &error),
        check: Box::new(move |text, reencode| {
            let (re, decoded) = match decode_server_frame::<P::Push>(text, P::pushes()) {
                Ok(ServerFrame::Reply { re, result: Err(e) }) => (re, e),
                other => return Err(format!("expected an error reply, got {other:?}")),
            };
            expect_eq("reply re", &re, &id)?;
            expect_eq("decoded error", &decoded, &error)?;
            if !reencode {
                return Ok(());
            }
            same_json(text, &encode_error(&re, &decoded))
        }),
    }
}

/// A plain JSON body of the HTTP surface, `http/<name>`.
pub fn body<T>(name: &str, value: T) -> Fixture
where
    T: Serialize + DeserializeOwned + PartialEq + Debug + 'static,
{
    Fixture {
        name: format!("http/{name}"),
        encoded: serde_json::to_string(&value).unwrap_or_default(),
        check: Box::new(move |text, reencode| {
            let decoded: T = serde_json::from_str(text).map_err(|e| format!("body: {e}"))?;
            expect_eq("decoded body", &decoded, &value)?;
            let again = serde_json::to_string(&decoded).map_err(|e| e.to_string())?;
            if !reencode {
                return Ok(());
            }
            same_json(text, &again)
        }),
    }
}

fn expect_eq<T: PartialEq + Debug>(what: &str, got: &T, want: &T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("{what} differs\n got: {got:?}\nwant: {want:?}"))
    }
}

fn same_json(file: &str, reencoded: &str) -> Result<(), String> {
    let a: Value = serde_json::from_str(file).map_err(|e| format!("fixture JSON: {e}"))?;
    let b: Value = serde_json::from_str(reencoded).map_err(|e| format!("re-encoded: {e}"))?;
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "re-encoding the decoded value gives other JSON\nfile:       {a}\nre-encoded: {b}"
        ))
    }
}

/// Pretty-print compact JSON as `serde_json::to_string_pretty` would, but keeping the
/// encoder's field order (a `serde_json::Value` would sort the keys).
pub fn pretty(compact: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(compact.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = compact.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                let close = if c == '{' { '}' } else { ']' };
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            _ => out.push(c),
        }
    }
    out.push('\n');
    out
}

pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn docs_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/protocol.md")
}

/// `UPDATE_GOLDEN=1` rewrites the fixtures and the examples in docs/protocol.md.
pub fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}
