//! The desktop services for real: notifications observed on a session D-Bus with a
//! notification server, and the token in gnome-keyring's Secret Service.
//!
//! These need a session bus with dunst (under Xvfb) and an unlocked
//! gnome-keyring-daemon; `scripts/test.sh` starts them and sets
//! `SWITCHBOARD_DESKTOP_SERVICES=1`. Without it they say why and pass.

use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use switchboard_client::credentials;
use switchboard_client::notify::{NotificationAction, Unattended};
use switchboard_client::protocol::AgentStatus;
use switchboard_client::{
    Client, ClientConfig, CredentialStore, HubUrl, NotificationConfig, Remembered,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

use crate::support::*;

const SERVICES: &str = "SWITCHBOARD_DESKTOP_SERVICES";

fn services_running(test: &str) -> bool {
    if std::env::var(SERVICES).as_deref() == Ok("1") {
        return true;
    }
    eprintln!(
        "skipping {test}: it needs a session D-Bus with a notification server and an unlocked \
         gnome-keyring-daemon; scripts/test.sh starts them and sets {SERVICES}=1"
    );
    false
}

/// One Notify call as dbus-monitor printed it.
#[derive(Debug, Clone, Default)]
struct NotifyCall {
    /// The calling connection; serials count per connection.
    sender: String,
    serial: u64,
    app: String,
    replaces: u32,
    summary: String,
    body: String,
    actions: Vec<String>,
}

/// `dbus-monitor` on the session bus, watching the notification interface and the
/// method returns that carry notification ids.
struct Monitor {
    _child: tokio::process::Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Monitor {
    async fn start() -> Self {
        let mut child = Command::new("dbus-monitor")
            .arg("--session")
            .arg("interface='org.freedesktop.Notifications'")
            .arg("type='method_return'")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("dbus-monitor runs (package dbus)");
        let stdout = child.stdout.take().expect("piped stdout");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        tokio::spawn(async move {
            let mut reader = BufReader::new(stdout).lines();
            while let Ok(Some(line)) = reader.next_line().await {
                sink.lock().expect("lines lock").push(line);
            }
        });
        let monitor = Monitor {
            _child: child,
            lines,
        };
        // dbus-monitor announces itself (NameAcquired / NameLost) once it listens.
        monitor
            .wait("dbus-monitor to listen", |m| {
                (!m.lines.lock().expect("lines lock").is_empty()).then_some(())
            })
            .await;
        monitor
    }

    async fn wait<T>(&self, what: &str, want: impl Fn(&Self) -> Option<T>) -> T {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(found) = want(self) {
                return found;
            }
            if tokio::time::Instant::now() > deadline {
                panic!(
                    "timed out waiting for {what}; dbus-monitor saw:\n{}",
                    self.lines.lock().expect("lines lock").join("\n")
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Every message as (header, argument lines).
    fn messages(&self) -> Vec<(String, Vec<String>)> {
        let lines = self.lines.lock().expect("lines lock");
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for line in lines.iter() {
            if line.starts_with(' ') {
                if let Some(last) = out.last_mut() {
                    last.1.push(line.trim().to_owned());
                }
            } else {
                out.push((line.clone(), Vec::new()));
            }
        }
        out
    }

    fn notify_calls(&self) -> Vec<NotifyCall> {
        self.messages()
            .into_iter()
            .filter(|(h, _)| h.starts_with("method call") && h.contains("member=Notify"))
            .map(|(header, args)| {
                let mut call = NotifyCall {
                    sender: word(&header, "sender=").unwrap_or_default(),
                    serial: field(&header, " serial=").unwrap_or(0),
                    ..Default::default()
                };
                let scalars: Vec<&String> = args.iter().take(5).collect();
                if scalars.len() == 5 {
                    call.app = unquote(scalars[0]);
                    call.replaces = scalars[1]
                        .trim_start_matches("uint32 ")
                        .parse()
                        .unwrap_or(0);
                    call.summary = unquote(scalars[3]);
                    call.body = unquote(scalars[4]);
                }
                let mut in_actions = false;
                for a in args.iter().skip(5) {
                    if a == "array [" && !in_actions && call.actions.is_empty() {
                        in_actions = true;
                    } else if a == "]" && in_actions {
                        break;
                    } else if in_actions {
                        call.actions.push(unquote(a));
                    }
                }
                call
            })
            .collect()
    }

    /// The notification id the server returned for a Notify call.
    fn returned_id(&self, call: &NotifyCall) -> Option<u32> {
        self.messages().into_iter().find_map(|(header, args)| {
            (header.starts_with("method return")
                && word(&header, "destination=").as_deref() == Some(call.sender.as_str())
                && field(&header, "reply_serial=") == Some(call.serial))
            .then(|| args.first()?.trim_start_matches("uint32 ").parse().ok())
            .flatten()
        })
    }

    async fn notify(&self, what: &str, want: impl Fn(&NotifyCall) -> bool) -> NotifyCall {
        self.wait(what, |m| m.notify_calls().into_iter().find(|c| want(c)))
            .await
    }
}

fn field(header: &str, key: &str) -> Option<u64> {
    let start = header.find(key)? + key.len();
    header[start..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

fn word(header: &str, key: &str) -> Option<String> {
    let start = header.find(key)? + key.len();
    header[start..].split_whitespace().next().map(str::to_owned)
}

fn unquote(arg: &str) -> String {
    let s = arg.strip_prefix("string ").unwrap_or(arg);
    s.trim_matches('"').to_owned()
}

#[tokio::test]
async fn notifications_reach_the_desktop_with_their_actions() {
    if !services_running("notifications_reach_the_desktop_with_their_actions") {
        return;
    }
    let monitor = Monitor::start().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let mut cfg = config(&dir.path().join("c"));
    let (mut notifications, mut actions) = NotificationConfig::os(Arc::new(Unattended));
    notifications.coalesce_window = Duration::from_secs(3);
    cfg.notifications = Some(notifications);
    let client = sign_in(cfg, &hub.url(), ADA).await;
    client
        .set_status(AgentStatus::Online)
        .await
        .expect("online");

    let mut visitor = hub.visitor().await;
    let started = visitor
        .start("Grace", "Support", "Do you ship to Norway?")
        .await;
    let offer = until(&client, "the offer arrives", |c| c.offers.first().cloned()).await;
    let call = monitor
        .notify("the offer's Notify call", |c| {
            c.summary == "New chat: Grace (Support)"
        })
        .await;
    assert_eq!(call.app, "Switchboard");
    assert_eq!(
        call.body, "Do you ship to Norway?",
        "the body is the visitor's question"
    );
    assert_eq!(
        call.actions,
        vec!["default", "Open", "accept", "Accept", "decline", "Decline"],
        "an offer carries Accept and Decline"
    );

    // The agent clicks Accept: the server emits ActionInvoked for that notification.
    let id = monitor
        .wait("the notification id", |m| m.returned_id(&call))
        .await;
    let clicked = Command::new("dbus-send")
        .args([
            "--session",
            "--type=signal",
            "/org/freedesktop/Notifications",
            "org.freedesktop.Notifications.ActionInvoked",
            &format!("uint32:{id}"),
            "string:accept",
        ])
        .status()
        .await
        .expect("dbus-send runs");
    assert!(clicked.success());
    let action = tokio::time::timeout(PATIENCE, actions.recv())
        .await
        .expect("the click comes back in time")
        .expect("the action channel is open");
    assert_eq!(
        action,
        NotificationAction::AcceptOffer { offer_id: offer.id },
        "Accept on the notification comes back as accepting that offer"
    );
    client
        .accept_offer(offer.id)
        .await
        .expect("the app accepts it");

    // Three messages at once become one notification that is updated, not three.
    for text in ["first", "second", "third"] {
        visitor.say(text).await;
    }
    let first = monitor
        .notify("the first message", |c| {
            c.summary == "Grace" && c.body == "first"
        })
        .await;
    let first_id = monitor
        .wait("the first message's id", |m| m.returned_id(&first))
        .await;
    let burst = monitor
        .notify("the coalesced burst", |c| {
            c.summary == "3 new messages from Grace"
        })
        .await;
    assert_eq!(burst.body, "third", "the burst shows the newest message");
    assert_eq!(
        burst.replaces, first_id,
        "the burst replaces the first notification instead of adding one"
    );
    let message_calls = monitor
        .notify_calls()
        .into_iter()
        .filter(|c| c.summary.contains("Grace") && !c.summary.starts_with("New chat"))
        .count();
    assert_eq!(
        message_calls, 2,
        "three messages, two Notify calls, one notification"
    );
    let _ = started;

    // Nobody available: the next chat is missed, and that is announced too.
    client.set_status(AgentStatus::Away).await.expect("away");
    let mut late = hub.visitor().await;
    late.start("Olu", "Support", "Do schools get a discount?")
        .await;
    let missed = monitor
        .notify("the missed chat's Notify call", |c| {
            c.summary == "Missed chat: Olu (Support)"
        })
        .await;
    assert_eq!(missed.body, "Do schools get a discount?");
    assert_eq!(missed.actions, vec!["default", "Open"]);
    client.shutdown().await;
    hub.stop().await;
}

#[tokio::test]
async fn the_session_token_lives_in_the_os_credential_store() {
    if !services_running("the_session_token_lives_in_the_os_credential_store") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
    let data = dir.path().join("c");
    let os_config = || {
        let mut c = config(&data);
        c.credentials = CredentialStore::Os;
        c
    };
    let (client, remembered) = Client::sign_in(os_config(), &hub.url(), ADA.0, ADA.1, true)
        .await
        .expect("sign-in");
    assert_eq!(
        remembered,
        Remembered::Stored,
        "the Secret Service took the token"
    );

    let hub_url = HubUrl::parse(&hub.url()).expect("url");
    let account = credentials::account(&hub_url, ADA.0);
    let lookup = Command::new("secret-tool")
        .args([
            "lookup",
            "service",
            credentials::SERVICE,
            "username",
            &account,
        ])
        .output()
        .await
        .expect("secret-tool runs (package libsecret-tools)");
    let secret = String::from_utf8_lossy(&lookup.stdout).to_string();
    let stored = CredentialStore::Os
        .load(&hub_url, ADA.0)
        .await
        .expect("the store answers")
        .expect("the entry is there");
    assert!(
        secret.contains(stored.token.expose()),
        "the token is in gnome-keyring under service `switchboard`, account `{account}`"
    );
    client.shutdown().await;
    assert_no_file_holds(&data, stored.token.expose());

    let restored = Client::restore(os_config())
        .await
        .expect("restore")
        .expect("a remembered session is restored at start");
    until_state(&restored, "the restored session connects", |s| {
        matches!(s, switchboard_client::ConnectionState::Online)
    })
    .await;
    restored.sign_out().await.expect("sign-out");
    assert!(
        CredentialStore::Os
            .load(&hub_url, ADA.0)
            .await
            .expect("the store answers")
            .is_none(),
        "sign-out removes the token from the store"
    );
    assert!(
        Client::restore(os_config())
            .await
            .expect("restore")
            .is_none(),
        "after sign-out nothing is restored"
    );
    hub.stop().await;
}

/// The token must never be written to the cache or any other file.
fn assert_no_file_holds(dir: &std::path::Path, token: &str) {
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("readable file");
                assert!(
                    !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                    "{} must not contain the session token",
                    path.display()
                );
            }
        }
    }
}

const NO_STORE_CHILD: &str = "SWITCHBOARD_NO_STORE_CHILD";

/// Without any reachable credential store, sign-in still works for the run and says
/// why the session was not remembered. Run in a child process whose session bus
/// address leads nowhere, so no other test's bus is disturbed.
#[tokio::test]
async fn without_a_credential_store_sign_in_works_for_the_run() {
    if std::env::var(NO_STORE_CHILD).is_ok() {
        let dir = tempfile::tempdir().expect("temp dir");
        let hub = start_hub(&dir.path().join("hub"), |_| {}).await;
        let mut cfg: ClientConfig = config(&dir.path().join("c"));
        cfg.credentials = CredentialStore::Os;
        let (client, remembered) = Client::sign_in(cfg, &hub.url(), ADA.0, ADA.1, true)
            .await
            .expect("sign-in works without a credential store");
        assert!(
            matches!(remembered, Remembered::Unavailable { .. }),
            "the outcome says the token could not be stored: {remembered:?}"
        );
        until_state(&client, "the session works for this run", |s| {
            matches!(s, switchboard_client::ConnectionState::Online)
        })
        .await;
        client
            .set_status(AgentStatus::Online)
            .await
            .expect("the agent can work");
        client.shutdown().await;
        hub.stop().await;
        return;
    }
    let exe = std::env::current_exe().expect("the test binary's path");
    let status = Command::new(exe)
        .args([
            "desktop::without_a_credential_store_sign_in_works_for_the_run",
            "--exact",
            "--nocapture",
        ])
        .env(NO_STORE_CHILD, "1")
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/switchboard-test-bus",
        )
        .status()
        .await
        .expect("the child test runs");
    assert!(
        status.success(),
        "the child run without a credential store passes"
    );
}
