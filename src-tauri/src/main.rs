//! The Switchboard desktop app's entry point; everything else is in the library.

// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    #[cfg(target_os = "linux")]
    no_optimising_script_compilers();
    switchboard_app::run();
}

/// The webview's script engine (JavaScriptCore) compiles code that runs often with
/// two optimising compilers (DFG, then FTL) on top of its baseline one. For the
/// console, a page of about 160 KB of script that mostly waits for events, they save
/// nothing an agent notices and cost the web process about 4 MB, a tenth of what the
/// whole console costs over an empty window ("Desktop footprint" in
/// docs/performance.md). The web processes WebKit starts inherit this environment;
/// the interpreter and the baseline compiler stay. A value set by whoever starts the
/// app wins.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn no_optimising_script_compilers() {
    const OPTION: &str = "JSC_useDFGJIT";
    if std::env::var_os(OPTION).is_none() {
        // SAFETY: the first thing main does, while no other thread exists that could
        // read the environment as it changes.
        unsafe { std::env::set_var(OPTION, "0") };
    }
}
