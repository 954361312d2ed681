//! Email replies to missed chats: how the hub is configured to send them, how one is
//! written ([`compose`]), and how one attempt is made, over SMTP or as an .eml file
//! ([`delivery`]). The durable outbox and its retries live in the hub core
//! (`hub::outbox`), which hands attempts to a worker running [`delivery::Mailer`].

pub mod compose;
pub mod delivery;

use std::fmt;
use std::time::Duration;

use lettre::Address;
use lettre::message::Mailbox;

/// The folder under the data dir where emails go when no SMTP server is configured.
pub const OUTBOX_FOLDER: &str = "outbox-mail";

/// How the hub sends email.
#[derive(Debug, Clone)]
pub struct EmailSettings {
    /// The sender of every reply.
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
    /// Without a server, each email is written as an .eml file under
    /// `DATA_DIR/outbox-mail/`.
    pub smtp: Option<SmtpSettings>,
    /// Tries before an email is given up (`failed`).
    pub max_attempts: u32,
    /// Wait after the first failed try; it doubles with each further one...
    pub first_retry: Duration,
    /// ...up to this.
    pub max_retry: Duration,
}

impl Default for EmailSettings {
    fn default() -> Self {
        EmailSettings {
            from: Mailbox::new(
                Some("Switchboard".into()),
                // A reserved domain: an unconfigured demo hub never claims a real one.
                Address::new_dangerous("noreply", "switchboard.invalid"),
            ),
            reply_to: None,
            smtp: None,
            max_attempts: 8,
            first_retry: Duration::from_secs(30),
            max_retry: Duration::from_secs(3600),
        }
    }
}

impl EmailSettings {
    /// How long to wait before the next try, after `attempts` failed ones.
    pub fn retry_delay(&self, attempts: u32) -> Duration {
        let doublings = attempts.saturating_sub(1).min(30);
        self.first_retry
            .saturating_mul(1u32 << doublings)
            .min(self.max_retry)
    }
}

/// How to reach the SMTP server.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub credentials: Option<SmtpCredentials>,
    /// Longest one SMTP command may take.
    pub timeout: Duration,
}

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// Plain text. Only for a server on the same machine (or tests).
    None,
    /// Connect in plain text and upgrade with STARTTLS; refuse if the server cannot.
    Starttls,
    /// TLS from the first byte (SMTPS).
    Tls,
}

impl TlsMode {
    /// The usual port for the mode.
    pub fn default_port(self) -> u16 {
        match self {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        }
    }
}

/// An SMTP user name and password. The password never appears in `Debug` output.
#[derive(Clone)]
pub struct SmtpCredentials {
    pub username: String,
    pub password: String,
}

impl fmt::Debug for SmtpCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpCredentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// Whether a visitor's address can be written to: a missed chat without one is
/// listed but not answerable.
pub fn answerable(address: Option<&str>) -> bool {
    address.is_some_and(|a| a.trim().parse::<Address>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap() {
        let s = EmailSettings::default();
        let delays: Vec<u64> = (1..=9).map(|n| s.retry_delay(n).as_secs()).collect();
        assert_eq!(
            delays,
            vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600],
            "30 s doubling, never more than an hour"
        );
    }

    #[test]
    fn only_well_formed_addresses_are_answerable() {
        assert!(answerable(Some("olu@example.net")));
        assert!(!answerable(None));
        assert!(!answerable(Some("not an address")));
        assert!(!answerable(Some("olu@")));
    }

    #[test]
    fn the_password_is_never_printed() {
        let c = SmtpCredentials {
            username: "support".into(),
            password: "hunter2".into(),
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}
