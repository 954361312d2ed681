//! Embeds tauri.conf.json, the built console (ui/dist) and the access rules
//! (src-tauri/capabilities, src-tauri/permissions) into the app.

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

    let attributes = tauri_build::Attributes::new()
        .capabilities_path_pattern("src-tauri/capabilities/**/*")
        .app_manifest(
            tauri_build::AppManifest::new().permissions_path_pattern("src-tauri/permissions/**/*"),
        );
    if let Err(error) = tauri_build::try_build(attributes) {
        panic!("tauri-build failed: {error:#}");
    }
}
