//! Generates the Tauri context (config, the page, the icon) for the empty window.

fn main() {
    tauri_build::build();
}
