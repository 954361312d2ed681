//! The shell on tauri's mock runtime, with the real generated context: the real
//! capabilities and permissions decide what the console may call.

use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewWindow};

fn app() -> App<MockRuntime> {
    let mut app = crate::build_app(mock_builder(), tauri::generate_context!("tauri.conf.json"))
        .expect("the app builds on the mock runtime");
    // One turn of the event loop runs the setup hook, which opens the main window. The
    // deprecation warns against calling it in a loop; a single call is what is needed.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    app
}

fn main_window(app: &App<MockRuntime>) -> WebviewWindow<MockRuntime> {
    app.get_webview_window("main")
        .expect("setup opens the main window")
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, url: &str) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: url.parse().expect("test URLs are valid"),
        body: tauri::ipc::InvokeBody::default(),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| {
        body.deserialize::<Value>()
            .expect("command answers are JSON")
    })
}

/// Whether tauri's access control refused the call (rather than the command failing).
fn refused_by_acl(answer: Result<Value, Value>) -> bool {
    matches!(answer, Err(Value::String(message)) if message.contains("not allowed"))
}

#[test]
fn app_info_names_the_product_and_its_version() {
    let app = app();
    let answer = invoke(&main_window(&app), "app_info", "tauri://localhost")
        .expect("the console may ask for app_info");
    assert_eq!(
        answer,
        json!({ "name": "Switchboard", "version": env!("CARGO_PKG_VERSION") }),
        "the name comes from tauri.conf.json and the version must match the package"
    );
}

#[test]
fn the_console_cannot_call_what_it_was_not_granted() {
    let app = app();
    let window = main_window(&app);
    for cmd in [
        "plugin:window|close",
        "plugin:webview|create_webview_window",
        "plugin:event|emit",
        "plugin:app|app_hide",
        "app_quit",
    ] {
        assert!(
            refused_by_acl(invoke(&window, cmd, "tauri://localhost")),
            "{cmd} is not in the main capability, so the console must be refused"
        );
    }
}

#[test]
fn remote_pages_cannot_call_the_app_commands() {
    let app = app();
    assert!(
        refused_by_acl(invoke(
            &main_window(&app),
            "app_info",
            "https://example.com/"
        )),
        "a page from the network in the window must not reach the app's commands"
    );
}
