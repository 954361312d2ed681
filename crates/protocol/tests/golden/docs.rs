//! docs/protocol.md shows every fixture: a line naming the fixture in backticks, then
//! a ```json block holding exactly the fixture's contents.

use std::fs;

use crate::all_fixtures;
use crate::fixture::{Fixture, docs_path, updating};

/// The doc with every example block replaced by its fixture's current JSON, and the
/// names of the fixtures shown, in order.
fn with_current_examples(doc: &str, fixtures: &[Fixture]) -> Result<(String, Vec<String>), String> {
    let lines: Vec<&str> = doc.split('\n').collect();
    let mut out: Vec<String> = Vec::with_capacity(lines.len());
    let mut shown = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        out.push(line.to_owned());
        i += 1;
        if line.trim_end() != "```json" || out.len() < 2 {
            continue;
        }
        let caption = &out[out.len() - 2];
        let named: Vec<&Fixture> = fixtures
            .iter()
            .filter(|f| caption.contains(&format!("`{}`", f.name)))
            .collect();
        let fixture = match named.as_slice() {
            [] => continue,
            [one] => *one,
            _ => return Err(format!("line {i}: a caption names more than one fixture")),
        };
        let Some(len) = lines[i..].iter().position(|l| l.trim_end() == "```") else {
            return Err(format!(
                "line {i}: the block of {} is not closed",
                fixture.name
            ));
        };
        out.extend(fixture.pretty().lines().map(str::to_owned));
        out.push("```".to_owned());
        i += len + 1;
        shown.push(fixture.name.clone());
    }
    Ok((out.join("\n"), shown))
}

#[test]
fn docs_show_every_fixture_as_it_is() {
    let path = docs_path();
    let doc = fs::read_to_string(&path)
        .expect("docs/protocol.md exists")
        .replace("\r\n", "\n");
    let fixtures = all_fixtures();
    let (current, shown) = match with_current_examples(&doc, &fixtures) {
        Ok(result) => result,
        Err(e) => panic!("docs/protocol.md: {e}"),
    };

    for f in &fixtures {
        assert!(
            doc.contains(&f.name),
            "docs/protocol.md must name the fixture {}",
            f.name
        );
        let times = shown.iter().filter(|s| **s == f.name).count();
        assert_eq!(
            times, 1,
            "docs/protocol.md must show {} once, as a line naming it in backticks followed \
             by a ```json block",
            f.name
        );
    }

    if updating() {
        if current != doc {
            fs::write(&path, &current).expect("docs/protocol.md can be written");
        }
    } else {
        let stale: Vec<&String> = fixtures
            .iter()
            .filter(|f| !doc.contains(&format!("```json\n{}```", f.pretty())))
            .map(|f| &f.name)
            .collect();
        assert!(
            current == doc,
            "docs/protocol.md shows examples that differ from the fixtures: {stale:?} \
             (rerun with UPDATE_GOLDEN=1 to refresh them)"
        );
    }
}
