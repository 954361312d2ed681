//! The hub's configuration file (`serve --config hub.toml`): the email sender, the
//! SMTP server and the missed-chat claim time. Everything in it is optional; without
//! an `[smtp]` section replies are written as .eml files under the data dir.
//!
//! ```toml
//! [email]
//! from = "Acme Support <support@acme.example>"
//! reply_to = "support@acme.example"      # optional
//! max_attempts = 8                       # tries before an email is given up
//! first_retry_secs = 30                  # then doubling...
//! max_retry_secs = 3600                  # ...up to this
//!
//! [smtp]
//! host = "smtp.acme.example"
//! port = 587                             # default: 25, 587 or 465 by `tls`
//! tls = "starttls"                       # none | starttls | tls
//! username = "support@acme.example"
//! password_env = "SWITCHBOARD_SMTP_PASSWORD"   # or: password_file = "/run/secrets/smtp"
//! timeout_secs = 30
//!
//! [missed]
//! claim_minutes = 15
//! ```
//!
//! The SMTP password is never in the file itself, nor on the command line: it is
//! read from the named environment variable or file. Unknown keys are errors, so a
//! misspelt setting is not silently ignored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::Mailbox;
use serde::Deserialize;

use crate::config::Settings;
use crate::email::{SmtpCredentials, SmtpSettings, TlsMode};
use crate::error::{Error, Result};

/// The file as read, before secrets are resolved.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubConfig {
    #[serde(default)]
    pub email: Option<EmailSection>,
    #[serde(default)]
    pub smtp: Option<SmtpSection>,
    #[serde(default)]
    pub missed: Option<MissedSection>,
    /// Where the file was, for relative `password_file` paths.
    #[serde(skip)]
    base: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailSection {
    pub from: Option<String>,
    pub reply_to: Option<String>,
    pub max_attempts: Option<u32>,
    pub first_retry_secs: Option<u64>,
    pub max_retry_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpSection {
    pub host: String,
    pub port: Option<u16>,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password_env: Option<String>,
    pub password_file: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissedSection {
    pub claim_minutes: Option<u64>,
}

impl HubConfig {
    /// Read and check the file at `path`.
    pub fn load(path: &Path) -> Result<HubConfig> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::Invalid(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        let base = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Self::parse(&text, &base)
            .map_err(|e| Error::Invalid(format!("config file {}: {e}", path.display())))
    }

    /// Read a config from text; relative paths are taken from `base`.
    pub fn parse(text: &str, base: &Path) -> Result<HubConfig> {
        let mut config: HubConfig =
            toml::from_str(text).map_err(|e| Error::Invalid(e.message().to_owned()))?;
        config.base = base.to_path_buf();
        Ok(config)
    }

    /// Put the file's settings into `settings`, reading the SMTP password from where
    /// the file says.
    pub fn apply(&self, settings: &mut Settings) -> Result<()> {
        let email = &mut settings.email;
        if let Some(e) = &self.email {
            if let Some(from) = &e.from {
                email.from = mailbox(from, "email.from")?;
            }
            if let Some(reply_to) = &e.reply_to {
                email.reply_to = Some(mailbox(reply_to, "email.reply_to")?);
            }
            if let Some(n) = e.max_attempts {
                if n == 0 {
                    return Err(Error::Invalid(
                        "email.max_attempts must be at least 1".into(),
                    ));
                }
                email.max_attempts = n;
            }
            if let Some(s) = e.first_retry_secs {
                email.first_retry = Duration::from_secs(s.max(1));
            }
            if let Some(s) = e.max_retry_secs {
                email.max_retry = Duration::from_secs(s.max(1));
            }
        }
        if let Some(smtp) = &self.smtp {
            if self.email.as_ref().and_then(|e| e.from.as_ref()).is_none() {
                return Err(Error::Invalid(
                    "with an [smtp] section, [email] needs `from` (the sender of replies)".into(),
                ));
            }
            if smtp.host.trim().is_empty() {
                return Err(Error::Invalid("smtp.host is empty".into()));
            }
            let credentials = match &smtp.username {
                Some(username) => Some(SmtpCredentials {
                    username: username.clone(),
                    password: self.password(smtp)?,
                }),
                None if smtp.password_env.is_some() || smtp.password_file.is_some() => {
                    return Err(Error::Invalid(
                        "smtp has a password but no `username`".into(),
                    ));
                }
                None => None,
            };
            settings.email.smtp = Some(SmtpSettings {
                host: smtp.host.trim().to_owned(),
                port: smtp.port.unwrap_or(smtp.tls.default_port()),
                tls: smtp.tls,
                credentials,
                timeout: Duration::from_secs(smtp.timeout_secs.unwrap_or(30).max(1)),
            });
        }
        if let Some(minutes) = self.missed.as_ref().and_then(|m| m.claim_minutes) {
            if minutes == 0 {
                return Err(Error::Invalid(
                    "missed.claim_minutes must be at least 1".into(),
                ));
            }
            settings.missed_claim_ttl = Duration::from_secs(minutes.saturating_mul(60));
        }
        Ok(())
    }

    fn password(&self, smtp: &SmtpSection) -> Result<String> {
        match (&smtp.password_env, &smtp.password_file) {
            (Some(var), None) => std::env::var(var).map_err(|_| {
                Error::Invalid(format!(
                    "smtp.password_env names `{var}`, which is not set (or not UTF-8)"
                ))
            }),
            (None, Some(file)) => {
                let path = self.base.join(file);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    Error::Invalid(format!(
                        "cannot read smtp.password_file {}: {e}",
                        path.display()
                    ))
                })?;
                Ok(text.trim_end_matches(['\r', '\n']).to_owned())
            }
            (None, None) => Err(Error::Invalid(
                "smtp.username needs `password_env` (an environment variable) or \
                 `password_file`; the password itself never goes in this file"
                    .into(),
            )),
            (Some(_), Some(_)) => Err(Error::Invalid(
                "give smtp.password_env or smtp.password_file, not both".into(),
            )),
        }
    }
}

fn mailbox(text: &str, key: &str) -> Result<Mailbox> {
    text.trim().parse().map_err(|_| {
        Error::Invalid(format!(
            "{key} `{text}` is not an address (write `Name <user@example.com>` or `user@example.com`)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings::new("127.0.0.1:0".parse().expect("an address"), "/tmp/unused")
    }

    #[test]
    fn a_full_file_sets_sender_server_password_and_claim_time() {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::write(dir.path().join("smtp-password"), "s3cret\n").expect("written");
        let config = HubConfig::parse(
            r#"
            [email]
            from = "Acme Support <support@acme.example>"
            reply_to = "help@acme.example"
            max_attempts = 3

            [smtp]
            host = "smtp.acme.example"
            tls = "starttls"
            username = "support"
            password_file = "smtp-password"

            [missed]
            claim_minutes = 5
            "#,
            dir.path(),
        )
        .expect("parses");
        let mut s = settings();
        config.apply(&mut s).expect("applies");
        assert_eq!(
            s.email.from.to_string(),
            "Acme Support <support@acme.example>"
        );
        assert_eq!(s.email.max_attempts, 3);
        let smtp = s.email.smtp.expect("SMTP is configured");
        assert_eq!(smtp.port, 587, "STARTTLS defaults to the submission port");
        let creds = smtp.credentials.expect("credentials");
        assert_eq!(
            creds.password, "s3cret",
            "read from the file, newline dropped"
        );
        assert_eq!(s.missed_claim_ttl, Duration::from_secs(300));
    }

    #[test]
    fn passwords_never_come_from_the_file_itself() {
        let err = HubConfig::parse(
            "[smtp]\nhost = \"h\"\ntls = \"tls\"\nusername = \"u\"\npassword = \"x\"\n",
            Path::new("."),
        )
        .expect_err("an inline password is an unknown key");
        assert!(err.to_string().contains("password"), "{err}");
        let config = HubConfig::parse(
            "[email]\nfrom = \"a@b.example\"\n[smtp]\nhost = \"h\"\ntls = \"tls\"\nusername = \"u\"\n",
            Path::new("."),
        )
        .expect("parses");
        let err = config
            .apply(&mut settings())
            .expect_err("no password source");
        assert!(err.to_string().contains("password_env"), "{err}");
    }

    #[test]
    fn mistakes_are_reported() {
        let bad_from = HubConfig::parse("[email]\nfrom = \"not an address\"\n", Path::new("."))
            .expect("parses");
        assert!(bad_from.apply(&mut settings()).is_err());
        let no_from = HubConfig::parse("[smtp]\nhost = \"h\"\ntls = \"none\"\n", Path::new("."))
            .expect("parses");
        assert!(
            no_from.apply(&mut settings()).is_err(),
            "SMTP needs a sender"
        );
        assert!(
            HubConfig::parse("[smtp]\nhost = \"h\"\ntls = \"ssl\"\n", Path::new(".")).is_err(),
            "an unknown TLS mode"
        );
        assert!(
            HubConfig::parse("[emial]\n", Path::new(".")).is_err(),
            "a misspelt section"
        );
    }
}
