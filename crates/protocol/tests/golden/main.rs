//! Golden fixtures of the wire protocol v1: one example of every request, reply and
//! push of both WebSocket protocols and of every HTTP body, pinned as JSON under
//! `tests/fixtures/{agent,visitor,http}/` and shown in `docs/protocol.md`.
//!
//! Each fixture must decode to its example value and re-encode to the same JSON.
//! After a deliberate change to the wire, `UPDATE_GOLDEN=1 cargo test -p
//! switchboard-protocol --test golden` rewrites the fixtures and the example blocks in
//! docs/protocol.md; review the diff, it is the change to the contract.

mod agent;
mod docs;
mod fixture;
mod forward_compat;
mod http;
mod sample;
mod variants;
mod visitor;

use std::collections::BTreeSet;
use std::fs;

use switchboard_protocol::agent::{AgentPush, AgentRequest};
use switchboard_protocol::visitor::{VisitorPush, VisitorRequest};
use switchboard_protocol::{ServerFrame, decode_server_frame};

use fixture::{Fixture, fixtures_dir, pretty, updating};

/// Every fixture, agent protocol first, in the order the docs list them.
pub fn all_fixtures() -> Vec<Fixture> {
    let mut all = agent::fixtures();
    all.extend(visitor::fixtures());
    all.extend(http::fixtures());
    all
}

/// The fixture named `name`, for tests that start from an example.
pub fn example(name: &str) -> Fixture {
    all_fixtures()
        .into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("no example fixture named {name}"))
}

#[test]
fn fixtures_round_trip() {
    let dir = fixtures_dir();
    let mut failures = Vec::new();
    for f in all_fixtures() {
        let path = dir.join(&f.name);
        let want = f.pretty();
        if updating() {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent).expect("fixture folders can be created");
            }
            if fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
                fs::write(&path, &want).expect("fixture files can be written");
            }
        }
        let text = match fs::read_to_string(&path) {
            Ok(text) => text.replace("\r\n", "\n"),
            Err(e) => {
                failures.push(format!("{}: cannot read ({e})", f.name));
                continue;
            }
        };
        if text != want {
            failures.push(format!(
                "{}: differs from what the encoder produces now\n--- file\n{text}--- encoder\n{want}",
                f.name
            ));
        }
        if let Err(e) = f.check(&text) {
            failures.push(format!("{}: {e}", f.name));
        }
    }
    assert!(
        failures.is_empty(),
        "golden fixtures do not match the crate (after a deliberate wire change, rerun with \
         UPDATE_GOLDEN=1 and review the diff):\n\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn every_action_and_push_has_fixtures() {
    let names: BTreeSet<String> = all_fixtures().into_iter().map(|f| f.name).collect();
    let mut wanted = Vec::new();
    for (dir, actions, pushes) in [
        ("agent", AgentRequest::ACTIONS, AgentPush::PUSHES),
        ("visitor", VisitorRequest::ACTIONS, VisitorPush::PUSHES),
    ] {
        for action in actions {
            wanted.push(format!("{dir}/{action}.request.json"));
            wanted.push(format!("{dir}/{action}.reply.json"));
        }
        for push in pushes {
            wanted.push(format!("{dir}/{push}.push.json"));
        }
        wanted.push(format!("{dir}/error.reply.json"));
    }
    for body in [
        "health.reply.json",
        "sign-in.request.json",
        "sign-in.reply.json",
        "error.reply.json",
    ] {
        wanted.push(format!("http/{body}"));
    }
    let missing: Vec<&String> = wanted.iter().filter(|w| !names.contains(*w)).collect();
    assert!(
        missing.is_empty(),
        "every action and push of the protocol needs an example fixture; missing: {missing:?}"
    );
    let extra: Vec<&String> = names.iter().filter(|n| !wanted.contains(n)).collect();
    assert!(
        extra.is_empty(),
        "examples that belong to no action or push of the crate: {extra:?}"
    );
}

#[test]
fn fixture_names_are_unique() {
    let mut seen = BTreeSet::new();
    for f in all_fixtures() {
        assert!(
            seen.insert(f.name.clone()),
            "{} has two examples; a file can hold only one",
            f.name
        );
    }
}

#[test]
fn no_stray_fixture_files() {
    let known: BTreeSet<String> = all_fixtures().into_iter().map(|f| f.name).collect();
    let mut stray = Vec::new();
    for dir in ["agent", "visitor", "http"] {
        let Ok(entries) = fs::read_dir(fixtures_dir().join(dir)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = format!("{dir}/{}", entry.file_name().to_string_lossy());
            if !known.contains(&name) {
                if updating() {
                    fs::remove_file(entry.path()).expect("stray fixtures can be removed");
                } else {
                    stray.push(name);
                }
            }
        }
    }
    assert!(
        stray.is_empty(),
        "fixture files without an example (a renamed or removed action?): {stray:?}"
    );
}

#[test]
fn agent_pushes_carry_seq_exactly_when_durable() {
    for f in all_fixtures()
        .iter()
        .filter(|f| f.name.starts_with("agent/") && f.name.ends_with(".push.json"))
    {
        match decode_server_frame::<AgentPush>(&f.pretty(), AgentPush::PUSHES) {
            Ok(ServerFrame::Push { seq, push }) => assert_eq!(
                seq.is_some(),
                push.is_durable(),
                "{}: durable pushes take a seq and ephemeral ones never do",
                f.name
            ),
            other => panic!("{}: expected a push, got {other:?}", f.name),
        }
    }
}

#[test]
fn visitor_pushes_never_carry_seq() {
    for f in all_fixtures()
        .iter()
        .filter(|f| f.name.starts_with("visitor/") && f.name.ends_with(".push.json"))
    {
        match decode_server_frame::<VisitorPush>(&f.pretty(), VisitorPush::PUSHES) {
            Ok(ServerFrame::Push { seq, .. }) => assert_eq!(
                seq, None,
                "{}: no visitor push is durable, so none takes a seq",
                f.name
            ),
            other => panic!("{}: expected a push, got {other:?}", f.name),
        }
    }
}

#[test]
fn pretty_printing_matches_serde_json() {
    let value = serde_json::json!({"b": [1, {"c": "x\"y\\", "d": []}], "a": {}, "e": "{[,:]}"});
    let compact = serde_json::to_string(&value).expect("a json value serializes");
    let ours = pretty(&compact);
    let theirs = serde_json::to_string_pretty(&value).expect("a json value serializes") + "\n";
    assert_eq!(
        ours, theirs,
        "fixtures are laid out as serde_json's pretty printer does, field order kept"
    );
}
