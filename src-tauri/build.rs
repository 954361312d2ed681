//! Embeds tauri.conf.json, the built console (ui/dist) and the access rules
//! (src-tauri/capabilities, src-tauri/permissions) into the app, and has the release
//! app's functions linked in the order of src-tauri/link-order.txt.

use std::path::Path;

fn main() {
    // The console is embedded at compile time; say how to get it rather than letting
    // tauri-build fail on a missing folder.
    if !Path::new("ui/dist/index.html").exists() {
        panic!(
            "ui/dist/index.html is missing: the desktop app embeds the built console. \
             Build it first (scripts/test.sh and scripts/run.sh do), or: \
             npm --prefix ui ci && npm --prefix ui run build"
        );
    }
    println!("cargo:rerun-if-changed=ui/dist");
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    println!("cargo:rerun-if-changed=src-tauri/permissions");

    link_in_order();

    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(
            tauri_build::AppManifest::new().permissions_path_pattern("src-tauri/permissions/**/*"),
        );
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}

/// The release app's functions that ran in a profile of it are linked first and
/// together, in the order they first ran (src-tauri/link-order.txt, written by
/// bench/footprint/link_order.py): the app's binary costs memory by the blocks of it
/// that hold any code that ran, and laid out as the compiler leaves it, that code is
/// spread over most of the binary (see "Desktop footprint" in docs/performance.md).
/// Names the build no longer has are skipped. Only where the linker is LLD, which
/// rustc uses on x86_64 Linux from 1.90 on.
fn link_in_order() {
    println!("cargo:rerun-if-changed=src-tauri/link-order.txt");
    let env = |key: &str| std::env::var(key).unwrap_or_default();
    let lld = env("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && env("CARGO_CFG_TARGET_OS") == "linux"
        && env("CARGO_CFG_TARGET_ENV") == "gnu"
        && rustc_minor().is_some_and(|minor| minor >= 90);
    if env("PROFILE") != "release" || !lld {
        return;
    }
    let order = Path::new(&env("CARGO_MANIFEST_DIR")).join("src-tauri/link-order.txt");
    println!(
        "cargo:rustc-link-arg-bins=-Wl,--symbol-ordering-file={}",
        order.display()
    );
    println!("cargo:rustc-link-arg-bins=-Wl,--no-warn-symbol-ordering");
}

/// The minor version of the rustc building this ("rustc 1.95.0 (...)": 95).
fn rustc_minor() -> Option<u32> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let out = std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()?;
    let version = String::from_utf8(out.stdout).ok()?;
    version
        .split_whitespace()
        .nth(1)?
        .split('.')
        .nth(1)?
        .parse()
        .ok()
}
