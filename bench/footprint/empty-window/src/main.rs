//! An empty Tauri 2 window of the app's size, with nothing in its page: what any Tauri
//! app costs before it does anything, measured beside the Switchboard app.

fn main() -> Result<(), tauri::Error> {
    tauri::Builder::default().run(tauri::generate_context!())
}
