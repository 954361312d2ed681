//! The UI's TypeScript types are generated from the Rust types it receives. This test
//! regenerates them and fails when the committed copies differ; with
//! `UPDATE_BINDINGS=1` it rewrites them instead.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn read_dir(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return files;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_some_and(|e| e == "ts") {
            let name = entry.file_name().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).expect("a binding file is readable");
            files.insert(name, text);
        }
    }
    files
}

#[test]
fn ui_bindings_match_the_rust_types() {
    let committed: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "ui",
        "src",
        "lib",
        "ipc",
        "bindings",
    ]
    .iter()
    .collect();
    let fresh = tempfile::tempdir().expect("a temp dir");
    switchboard_client::bindings::export_typescript(fresh.path()).expect("bindings export");
    let generated = read_dir(fresh.path());
    assert!(
        generated.contains_key("Console.ts"),
        "the console type is among the generated bindings"
    );

    if std::env::var_os("UPDATE_BINDINGS").is_some() {
        let _ = std::fs::remove_dir_all(&committed);
        std::fs::create_dir_all(&committed).expect("create the bindings folder");
        for (name, text) in &generated {
            std::fs::write(committed.join(name), text).expect("write a binding");
        }
        return;
    }

    let existing = read_dir(&committed);
    let stale: Vec<&String> = generated
        .iter()
        .filter(|(name, text)| existing.get(*name) != Some(text))
        .map(|(name, _)| name)
        .chain(
            existing
                .keys()
                .filter(|name| !generated.contains_key(*name)),
        )
        .collect();
    assert!(
        stale.is_empty(),
        "ui/src/lib/ipc/bindings is out of date with the Rust types ({stale:?}); \
         run UPDATE_BINDINGS=1 cargo test -p switchboard-client --test client bindings"
    );
}
