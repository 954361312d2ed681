//! One attempt at delivering an email: hand it to the configured SMTP server, or,
//! without one, write it as an .eml file under `DATA_DIR/outbox-mail/`.
//!
//! An email counts as sent only once the server has accepted it (its reply to the
//! end of DATA). A hub that dies between that reply and recording it sends the email
//! again after its restart; the unchanged Message-ID makes such a duplicate
//! recognisable.

use std::path::{Path, PathBuf};

use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::compose::{self, OutgoingEmail};
use super::{EmailSettings, OUTBOX_FOLDER, SmtpSettings, TlsMode};

/// Where emails go.
pub enum Mailer {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// No SMTP server configured: .eml files in this folder.
    Folder(PathBuf),
}

/// How one attempt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// The SMTP server accepted the message.
    Sent,
    /// The message was written as an .eml file at `path`.
    Written { path: String },
    /// It did not go. A permanent failure (a 5xx reply, an unusable address) is not
    /// worth another try.
    Failed { error: String, permanent: bool },
}

/// Why the mailer could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("SMTP: {0}")]
pub struct MailerError(String);

impl Mailer {
    /// The mailer the settings ask for; the .eml folder is under `data_dir`.
    pub fn new(settings: &EmailSettings, data_dir: &Path) -> Result<Mailer, MailerError> {
        match &settings.smtp {
            Some(smtp) => Ok(Mailer::Smtp(Box::new(transport(smtp)?))),
            None => Ok(Mailer::Folder(data_dir.join(OUTBOX_FOLDER))),
        }
    }

    /// Try once to deliver `email`, outbox row `id`.
    pub async fn deliver(
        &self,
        settings: &EmailSettings,
        id: i64,
        email: &OutgoingEmail,
    ) -> Attempt {
        let message = match compose::message(settings, email) {
            Ok(m) => m,
            Err(e) => {
                return Attempt::Failed {
                    error: e.0,
                    permanent: true,
                };
            }
        };
        match self {
            Mailer::Smtp(transport) => match transport.send(message).await {
                Ok(_) => Attempt::Sent,
                Err(e) => Attempt::Failed {
                    error: e.to_string(),
                    permanent: e.is_permanent(),
                },
            },
            Mailer::Folder(dir) => match write_eml(dir, id, &message.formatted()).await {
                Ok(path) => Attempt::Written { path },
                Err(e) => Attempt::Failed {
                    error: format!("cannot write the .eml file: {e}"),
                    permanent: false,
                },
            },
        }
    }
}

fn transport(smtp: &SmtpSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailerError> {
    let tls = |host: &str| {
        TlsParameters::new(host.to_owned())
            .map_err(|e| MailerError(format!("TLS for `{host}`: {e}")))
    };
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .timeout(Some(smtp.timeout))
        // One worker sends one email at a time; a single pooled connection is enough.
        .pool_config(PoolConfig::new().max_size(1));
    builder = match smtp.tls {
        TlsMode::None => builder.tls(Tls::None),
        TlsMode::Starttls => builder.tls(Tls::Required(tls(&smtp.host)?)),
        TlsMode::Tls => builder.tls(Tls::Wrapper(tls(&smtp.host)?)),
    };
    if let Some(c) = &smtp.credentials {
        builder = builder.credentials(Credentials::new(c.username.clone(), c.password.clone()));
    }
    Ok(builder.build())
}

/// Write the message as `email-ID.eml`, whole or not at all (a temporary file renamed
/// into place), and return the file's absolute path.
async fn write_eml(dir: &Path, id: i64, message: &[u8]) -> std::io::Result<String> {
    tokio::fs::create_dir_all(dir).await?;
    let dir = tokio::fs::canonicalize(dir).await?;
    let path = dir.join(format!("email-{id}.eml"));
    let partial = dir.join(format!(".email-{id}.eml.partial"));
    tokio::fs::write(&partial, message).await?;
    tokio::fs::rename(&partial, &path).await?;
    Ok(path.to_string_lossy().into_owned())
}
