//! The shell on tauri's mock runtime, with the real generated context: the real
//! capabilities and permissions decide what the console may call, and the commands
//! run against a real hub on loopback. The mock runtime stands in for the webview and
//! the tray, which need a display; OS notifications are off (their clicks are fed to
//! the same handler by hand).

use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchboard_client::protocol::visitor::{self, VisitorEventBody, VisitorPush};
use switchboard_client::protocol::{
    AgentStatus, Call, ClientId, PROTOCOL_VERSION, Party, ServerFrame, Survey, WireError,
    decode_server_frame, encode_request, envelope::decode_reply, http::paths,
};
use switchboard_client::{
    Client, ConnectionState, Console, CredentialStore, NotificationAction, Timing,
};
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, Listener, Manager, WebviewWindow};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

use crate::{Settings, Shell};

/// How long a test waits for something that should happen promptly: a safety net
/// against hangs, never an assertion on timing.
const PATIENCE: Duration = Duration::from_secs(30);

/// The console's IPC client: every command it calls, as it names them.
const CONSOLE_IPC: &str = include_str!("../../ui/src/lib/ipc/tauri.ts");

fn settings(data_dir: &Path) -> Settings {
    Settings {
        data_dir: Some(data_dir.to_owned()),
        credentials: CredentialStore::Memory,
        notifications: false,
        timing: Timing {
            request_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(3),
            backoff_base: Duration::from_millis(50),
            backoff_cap: Duration::from_millis(400),
            ..Timing::default()
        },
    }
}

fn app(data_dir: &Path) -> App<MockRuntime> {
    let mut app = crate::build_app(
        mock_builder(),
        tauri::generate_context!("tauri.conf.json"),
        settings(data_dir),
    )
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

fn invoke_with(
    window: &WebviewWindow<MockRuntime>,
    cmd: &str,
    url: &str,
    args: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: tauri::ipc::CallbackFn(0),
        error: tauri::ipc::CallbackFn(1),
        url: url.parse().expect("test URLs are valid"),
        body: tauri::ipc::InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| {
        body.deserialize::<Value>()
            .expect("command answers are JSON")
    })
}

fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, url: &str) -> Result<Value, Value> {
    invoke_with(window, cmd, url, json!({}))
}

/// A command from the console itself.
fn call(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    invoke_with(window, cmd, "tauri://localhost", args)
}

/// Whether tauri's access control refused the call (rather than the command failing).
fn refused_by_acl(answer: &Result<Value, Value>) -> bool {
    matches!(answer, Err(Value::String(message)) if message.contains("not allowed"))
}

/// The commands ui/src/lib/ipc/tauri.ts calls: `call<...>('name'`.
fn console_commands() -> Vec<String> {
    CONSOLE_IPC
        .split("call<")
        .skip(1)
        .filter_map(|rest| {
            let start = rest.find("('")? + 2;
            let end = start + rest[start..].find('\'')?;
            Some(rest[start..end].to_owned())
        })
        .collect()
}

#[test]
fn app_info_names_the_product_and_its_version() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    let answer = invoke(&main_window(&app), "app_info", "tauri://localhost")
        .expect("the console may ask for app_info");
    assert_eq!(
        answer,
        json!({ "name": "Switchboard", "version": env!("CARGO_PKG_VERSION") }),
        "the name comes from tauri.conf.json and the version must match the package"
    );
}

#[test]
fn every_command_of_the_console_is_granted_and_served() {
    let commands = console_commands();
    assert!(
        commands.len() >= 30,
        "tauri.ts names one command per Backend method; found only {commands:?}"
    );
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    let window = main_window(&app);
    for cmd in &commands {
        // Without arguments and without a session, each command fails its own way;
        // what matters is that the ACL let it through and a handler answered.
        let answer = invoke(&window, cmd, "tauri://localhost");
        assert!(
            !refused_by_acl(&answer),
            "{cmd} is called by the console, so the main capability must grant it: {answer:?}"
        );
        if let Err(Value::String(message)) = &answer {
            assert!(
                !message.contains("not found"),
                "{cmd} is called by the console, so the shell must register it: {message}"
            );
        }
    }
}

#[test]
fn commands_without_a_session_say_so() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    let window = main_window(&app);
    assert_eq!(
        call(&window, "session_restore", json!({})),
        Ok(Value::Null),
        "a first start has no remembered session"
    );
    let error = call(&window, "history_sync", json!({})).expect_err("nobody is signed in");
    assert_eq!(
        error["code"], "no_session",
        "the console branches on the code; the message is for the agent: {error}"
    );
    assert_eq!(
        call(&window, "session_sign_out", json!({})),
        Ok(Value::Null),
        "signing out twice is harmless"
    );
}

#[test]
fn link_open_refuses_what_is_not_a_web_or_mail_link() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    let window = main_window(&app);
    for url in ["javascript:alert(1)", "file:///etc/passwd", "vbscript:x"] {
        let error = call(&window, "link_open", json!({ "url": url }))
            .expect_err("only http, https and mailto links open");
        assert_eq!(error["code"], "invalid", "{url} must be refused: {error}");
    }
}

#[test]
fn the_console_cannot_call_what_it_was_not_granted() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    let window = main_window(&app);
    for cmd in [
        "plugin:window|close",
        "plugin:webview|create_webview_window",
        "plugin:event|emit",
        "plugin:app|app_hide",
        "plugin:opener|open_url",
        "app_quit",
        "chat_delete",
    ] {
        assert!(
            refused_by_acl(&invoke(&window, cmd, "tauri://localhost")),
            "{cmd} is not in the main capability, so the console must be refused"
        );
    }
}

#[test]
fn remote_pages_cannot_call_the_app_commands() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let app = app(dir.path());
    for cmd in ["app_info", "session_sign_in", "link_open", "message_send"] {
        assert!(
            refused_by_acl(&invoke(&main_window(&app), cmd, "https://example.com/")),
            "a page from the network in the window must not reach {cmd}"
        );
    }
}

/// Sign in through the commands, subscribe, go online, accept one offer by command
/// and one from a notification's Accept, and send a message the visitor receives.
#[test]
fn an_agent_signs_in_accepts_offers_and_answers_through_the_commands() {
    let hub_dir = tempfile::tempdir().expect("a temp dir for the hub");
    let app_dir = tempfile::tempdir().expect("a temp dir for the app");
    let hub = tauri::async_runtime::block_on(start_hub(hub_dir.path()));
    let app = app(app_dir.path());
    let window = main_window(&app);

    let signed_in = call(
        &window,
        "session_sign_in",
        json!({ "request": {
            "hubUrl": hub.http_url(""),
            "email": "ada@switchboard.demo",
            "password": "ada-password",
            "remember": false,
        }}),
    )
    .expect("the demo agent signs in");
    assert_eq!(
        signed_in["session"]["email"], "ada@switchboard.demo",
        "the answer names who signed in: {signed_in}"
    );
    assert_eq!(
        signed_in["remembered"]["state"], "not_requested",
        "remember was off: {signed_in}"
    );
    let restored = call(&window, "session_restore", json!({}))
        .expect("a running session is answered as it is");
    assert_eq!(
        restored["email"], "ada@switchboard.demo",
        "a reloaded console finds the session running"
    );

    let console = call(
        &window,
        "console_subscribe",
        json!({ "onUpdate": "__CHANNEL__:7" }),
    )
    .expect("the console subscribes");
    assert!(
        console["version"].is_number() && console["offers"].is_array(),
        "the answer is the Console binding: {console}"
    );

    let client = app.state::<Shell>().client().expect("signed in");
    block_on(until(&client, "the client is online", |c| {
        matches!(c.connection, ConnectionState::Online).then_some(())
    }));
    let status =
        call(&window, "status_set", json!({ "status": "online" })).expect("the agent goes online");
    assert_eq!(status, json!("online"), "the hub confirms the status");
    call(
        &window,
        "attention_set",
        json!({ "attention": { "focused": true, "chatInView": null } }),
    )
    .expect("the console reports what is in view");

    // An offer accepted from the console.
    let mut grace = block_on(Visitor::connect(&hub));
    let started = block_on(grace.start("Grace", "My order #1042 never arrived"));
    let offer_id = block_on(until(&client, "Grace's chat is offered", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == started.chat_id)
            .map(|o| o.id)
    }));
    call(&window, "offer_accept", json!({ "offerId": offer_id })).expect("the offer is accepted");
    block_on(until(&client, "Grace's chat is open", |c| {
        c.chat(started.chat_id).map(|_| ())
    }));
    let client_id = call(
        &window,
        "message_send",
        json!({ "chatId": started.chat_id, "text": "Hello Grace, let me look." }),
    )
    .expect("the message is queued");
    let client_id: ClientId =
        serde_json::from_value(client_id).expect("message_send answers a client id");
    block_on(client.outbox_wait(&client_id)).expect("the hub takes the message");
    assert_eq!(
        block_on(grace.agent_messages(1)),
        vec!["Hello Grace, let me look.".to_owned()],
        "the visitor reads what the agent sent through the command"
    );

    // An offer accepted from its notification's Accept button.
    let (events_tx, events_rx) = std::sync::mpsc::channel();
    app.listen_any(crate::events::APP_EVENT, move |event| {
        let _ = events_tx.send(event.payload().to_owned());
    });
    let (actions, clicks) = tokio::sync::mpsc::unbounded_channel();
    tauri::async_runtime::spawn(crate::notifications::follow(app.handle().clone(), clicks));
    let mut olu = block_on(Visitor::connect(&hub));
    let second = block_on(olu.start("Olu", "Do schools get a discount?"));
    let offer_id = block_on(until(&client, "Olu's chat is offered", |c| {
        c.offers
            .iter()
            .find(|o| o.chat.id == second.chat_id)
            .map(|o| o.id)
    }));
    actions
        .send(NotificationAction::AcceptOffer { offer_id })
        .expect("the notification handler is running");
    let event = events_rx
        .recv_timeout(PATIENCE)
        .expect("the console is told about the click");
    let event: Value = serde_json::from_str(&event).expect("app events are JSON");
    assert_eq!(
        event,
        json!({ "type": "notification", "action": { "type": "open_chat", "chat_id": second.chat_id } }),
        "after Accept the shell has accepted, so the console only opens the chat"
    );
    block_on(until(&client, "Olu's chat is open", |c| {
        c.chat(second.chat_id).map(|_| ())
    }));

    call(&window, "session_sign_out", json!({})).expect("the agent signs out");
    let error = call(&window, "canned_list", json!({})).expect_err("signed out");
    assert_eq!(
        error["code"], "no_session",
        "commands after sign-out need a new sign-in"
    );
    block_on(async {
        grace.close().await;
        olu.close().await;
        hub.stop().await.expect("the hub stops cleanly");
    });
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tauri::async_runtime::block_on(async {
        tokio::time::timeout(PATIENCE, future)
            .await
            .expect("the test's step finishes in time")
    })
}

async fn start_hub(data_dir: &Path) -> switchboard_hub::RunningHub {
    let mut settings = switchboard_hub::Settings::new(
        "127.0.0.1:0".parse().expect("a loopback address"),
        data_dir,
    );
    settings.demo = true;
    let clock = switchboard_hub::ManualClock::starting_now();
    switchboard_hub::spawn(settings, switchboard_hub::Clock::from(clock))
        .await
        .expect("the hub starts")
}

/// Wait until the client's console satisfies `want`, following its change stream.
async fn until<T>(client: &Client, what: &str, want: impl Fn(&Console) -> Option<T>) -> T {
    let (mut console, mut stream) = client.subscribe();
    loop {
        if let Some(found) = want(&console) {
            return found;
        }
        let Some(update) = stream.next().await else {
            panic!("the client stopped while waiting until {what}");
        };
        console.apply(&update.change);
        console.version = update.version;
    }
}

/// A website visitor of the demo site over the real visitor WebSocket.
struct Visitor {
    ws: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    next_id: u64,
    agent_messages: Vec<String>,
}

impl Visitor {
    async fn connect(hub: &switchboard_hub::RunningHub) -> Self {
        let mut request = format!("ws://{}{}", hub.addr(), paths::VISITOR_WS)
            .into_client_request()
            .expect("a valid visitor URL");
        request.headers_mut().insert(
            "origin",
            HeaderValue::from_str(&hub.origin()).expect("a valid origin"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the visitor connects from an allowed origin");
        let mut visitor = Visitor {
            ws,
            next_id: 0,
            agent_messages: Vec::new(),
        };
        let _: visitor::Welcome = visitor
            .call(visitor::Hello {
                protocol: PROTOCOL_VERSION,
                token: None,
            })
            .await
            .expect("the visitor's hello is answered");
        visitor
    }

    async fn start(&mut self, name: &str, question: &str) -> visitor::ChatStarted {
        self.call(visitor::ChatStart {
            client_id: ClientId::parse(uuid_like()).expect("a valid client id"),
            survey: Survey {
                name: name.into(),
                email: Some(format!("{}@visitor.example", name.to_lowercase())),
                question: question.into(),
                department: "Support".into(),
            },
            page_url: Some("https://shop.example/pricing".into()),
            user_agent: Some("desktop-shell-tests/1".into()),
        })
        .await
        .expect("the chat starts")
    }

    async fn call<C: Call>(&mut self, call: C) -> Result<C::Reply, WireError> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.ws
            .send(Message::text(encode_request(&id, &call)))
            .await
            .expect("the visitor's frame is sent");
        loop {
            match self.read().await {
                Some(ServerFrame::Reply { re, result }) if re == id => {
                    return result.and_then(decode_reply::<C>);
                }
                Some(_) => {}
                None => panic!("the visitor connection closed while waiting for `{id}`"),
            }
        }
    }

    /// Read one frame, keeping the agent's messages. `None` when the connection closed.
    async fn read(&mut self) -> Option<ServerFrame<VisitorPush>> {
        loop {
            let text = match self.ws.next().await {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            };
            let frame = decode_server_frame::<VisitorPush>(text.as_str(), VisitorPush::PUSHES)
                .expect("the hub sends well-formed visitor frames");
            if let ServerFrame::Push {
                push: VisitorPush::Event(event),
                ..
            } = &frame
                && let VisitorEventBody::Message {
                    from: Party::Agent,
                    text,
                    system: false,
                    ..
                } = &event.event.body
            {
                self.agent_messages.push(text.clone());
            }
            return Some(frame);
        }
    }

    async fn agent_messages(&mut self, n: usize) -> Vec<String> {
        while self.agent_messages.len() < n {
            if self.read().await.is_none() {
                panic!("the visitor connection closed before {n} agent messages");
            }
        }
        std::mem::take(&mut self.agent_messages)
    }

    async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

/// A fresh client id for a visitor's command (UUID-shaped, unique in the process).
fn uuid_like() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{:08x}-0000-4000-8000-{n:012x}", std::process::id())
}

#[test]
fn agent_status_crosses_as_the_bindings_spell_it() {
    assert_eq!(
        serde_json::to_value(AgentStatus::Away).expect("statuses serialize"),
        json!("away"),
        "tray_status events carry the AgentStatus binding's spelling"
    );
    assert_eq!(
        serde_json::to_value(crate::events::AppEvent::TrayStatus {
            status: AgentStatus::Online
        })
        .expect("app events serialize"),
        json!({ "type": "tray_status", "status": "online" }),
        "AppEvent in backend.ts"
    );
    assert_eq!(
        serde_json::to_value(crate::events::AppEvent::ShowOffers).expect("app events serialize"),
        json!({ "type": "show_offers" }),
        "AppEvent in backend.ts"
    );
}
