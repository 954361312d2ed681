//! A real SMTP server on loopback for email tests: `smtp_sink.py` (aiosmtpd, from
//! PyPI) started as a subprocess, saving every message it accepts; and reading .eml
//! files the same way. Nothing here fakes a transport: the hub speaks SMTP to it.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use serde::Deserialize;
use switchboard_hub::email::{SmtpCredentials, SmtpSettings, TlsMode};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};

use crate::support::PATIENCE;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hub/smtp_sink.py")
}

/// A message as the server received it (or as read from an .eml file).
#[derive(Debug, Clone, Deserialize)]
pub struct Received {
    pub from: String,
    pub to: String,
    pub reply_to: Option<String>,
    pub subject: String,
    pub message_id: String,
    pub date: String,
    pub content_type: String,
    /// The decoded plain-text body, with `\n` line ends.
    pub body: String,
    /// SMTP envelope (server-received messages only).
    #[serde(default)]
    pub mail_from: Option<String>,
    #[serde(default)]
    pub rcpt_tos: Vec<String>,
    /// The user name the client authenticated as, if any.
    #[serde(default)]
    pub login: Option<String>,
}

/// A free port on 127.0.0.1, for a server that starts later (SMTP "down, then up").
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Hub settings for a plain-text SMTP server on loopback at `port`.
pub fn smtp_settings(port: u16, credentials: Option<(&str, &str)>) -> SmtpSettings {
    SmtpSettings {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::None,
        credentials: credentials.map(|(u, p)| SmtpCredentials {
            username: u.into(),
            password: p.into(),
        }),
        timeout: Duration::from_secs(10),
    }
}

/// The SMTP server process and the folder it saves messages in.
pub struct SmtpSink {
    /// Killed when the sink is dropped.
    _child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Start a server on `port` accepting mail without authentication.
    pub async fn start(port: u16) -> SmtpSink {
        Self::spawn(port, None).await
    }

    /// Start a server on `port` that requires AUTH with this user and password.
    pub async fn start_with_login(port: u16, user: &str, password: &str) -> SmtpSink {
        Self::spawn(port, Some((user, password))).await
    }

    async fn spawn(port: u16, login: Option<(&str, &str)>) -> SmtpSink {
        let dir = tempfile::tempdir().expect("a folder for received mail");
        let mut command = Command::new("python3");
        command
            .arg(script())
            .args(["serve", "--port", &port.to_string(), "--dir"])
            .arg(dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        if let Some((user, password)) = login {
            command
                .args(["--user", user])
                .env("SMTP_SINK_PASSWORD", password);
        }
        let mut child = command.spawn().expect(
            "python3 runs (the SMTP tests need python3 with aiosmtpd: pip install aiosmtpd)",
        );
        let stdout = child.stdout.take().expect("stdout is piped");
        let mut stderr = child.stderr.take().expect("stderr is piped");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(PATIENCE, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.trim() == "READY" {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        if !ready {
            let mut err = String::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(2), stderr.read_to_string(&mut err)).await;
            panic!(
                "the SMTP test server did not start (is aiosmtpd installed? pip install aiosmtpd):\n{err}"
            );
        }
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        tokio::spawn(async move {
            let mut sink = Vec::new();
            let _ = stderr.read_to_end(&mut sink).await;
        });
        SmtpSink {
            _child: child,
            port,
            dir,
        }
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Received> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("the mail folder reads")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files
            .iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("a saved message reads");
                serde_json::from_str(&text).expect("the server saves JSON")
            })
            .collect()
    }

    /// Wait until at least `n` messages have arrived; returns all of them.
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        tokio::time::timeout(PATIENCE, async {
            loop {
                let got = self.messages();
                if got.len() >= n {
                    return got;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await
        .expect("the email reaches the SMTP server in time")
    }
}

/// Read an .eml file the way the server reads a message.
pub async fn parse_eml(path: &Path) -> Received {
    let output = Command::new("python3")
        .arg(script())
        .arg("parse")
        .arg(path)
        .output()
        .await
        .expect("python3 runs");
    assert!(
        output.status.success(),
        "the .eml file parses: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("parse prints JSON")
}
