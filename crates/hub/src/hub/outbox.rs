//! The email outbox, core side: which stored emails are due, handing them one at a
//! time to the worker that talks to the SMTP server (or writes .eml files), and
//! recording each outcome with the push that shows it to the department's agents.
//!
//! Sending happens outside the core task so a slow server never stalls routing; every
//! state change still happens here, in a store transaction with its pushes. A failed
//! try is retried with exponential backoff on the hub clock, up to the configured
//! number of tries; emails still pending when the hub stops are tried again when it
//! starts.

use std::collections::HashSet;
use std::sync::Arc;

use switchboard_protocol::EmailId;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::HubHandle;
use super::missed::{MissedTimer, tell_department};
use super::state::Hub;
use super::timers::Timer;
use crate::clock::{from_millis, to_millis};
use crate::config::Settings;
use crate::email::compose::OutgoingEmail;
use crate::email::delivery::{Attempt, Mailer};
use crate::error::{Error, Result};
use crate::store::emails::{self, Recorded};
use crate::store::missed;

/// One email for the worker to try.
pub(crate) struct EmailJob {
    id: EmailId,
    email: OutgoingEmail,
}

/// The core's view of the outbox: the way to the worker, and which emails it is
/// trying right now (so a due timer never hands one over twice).
#[derive(Default)]
pub(crate) struct Outbox {
    jobs: Option<mpsc::UnboundedSender<EmailJob>>,
    in_flight: HashSet<EmailId>,
}

/// Start the worker that delivers emails and reports each attempt to the core.
pub(crate) fn start_worker(
    settings: Arc<Settings>,
    hub: HubHandle,
    stop: CancellationToken,
) -> Result<mpsc::UnboundedSender<EmailJob>> {
    let mailer = Mailer::new(&settings.email, &settings.data_dir)
        .map_err(|e| Error::Invalid(e.to_string()))?;
    match &settings.email.smtp {
        Some(smtp) => {
            tracing::info!(host = %smtp.host, port = smtp.port, tls = ?smtp.tls, "email replies go to the SMTP server")
        }
        None => tracing::info!(
            folder = %settings.data_dir.join(crate::email::OUTBOX_FOLDER).display(),
            "no SMTP server configured; email replies are written as .eml files"
        ),
    }
    let (tx, mut rx) = mpsc::unbounded_channel::<EmailJob>();
    tokio::spawn(async move {
        loop {
            let job = tokio::select! {
                _ = stop.cancelled() => break,
                job = rx.recv() => match job {
                    Some(job) => job,
                    None => break,
                },
            };
            let attempt = tokio::select! {
                _ = stop.cancelled() => break,
                attempt = mailer.deliver(&settings.email, job.id.0, &job.email) => attempt,
            };
            hub.email_attempted(job.id, attempt).await;
        }
    });
    Ok(tx)
}

impl Outbox {
    pub fn connect(&mut self, jobs: mpsc::UnboundedSender<EmailJob>) {
        self.jobs = Some(jobs);
    }
}

impl Hub {
    /// Hand the email to the worker if it is still to be sent and not already on its
    /// way.
    pub(super) async fn email_due(&mut self, id: EmailId) -> Result<()> {
        if self.outbox.in_flight.contains(&id) {
            return Ok(());
        }
        let mut conn = self.store.acquire().await?;
        let Some(row) = emails::get(&mut conn, id).await?.filter(|r| r.pending()) else {
            return Ok(());
        };
        drop(conn);
        let Some(jobs) = &self.outbox.jobs else {
            return Ok(());
        };
        let job = EmailJob {
            id,
            email: row.outgoing(),
        };
        if jobs.send(job).is_ok() {
            self.outbox.in_flight.insert(id);
        }
        Ok(())
    }

    /// Record how a try went, tell the department, and schedule the next try.
    pub(super) async fn email_attempted(&mut self, id: EmailId, attempt: Attempt) -> Result<()> {
        self.outbox.in_flight.remove(&id);
        let mut change = self.begin().await?;
        let now = change.now;
        let Some(row) = emails::get(change.conn(), id)
            .await?
            .filter(|r| r.pending())
        else {
            return Ok(());
        };
        let attempts = u32::try_from(row.attempts.max(0))
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        let email = &self.settings.email;
        let mut retry_at = None;
        match &attempt {
            Attempt::Sent => {
                emails::record(
                    change.conn(),
                    id,
                    attempts,
                    Recorded::Sent { at: to_millis(now) },
                )
                .await?;
            }
            Attempt::Written { path } => {
                emails::record(
                    change.conn(),
                    id,
                    attempts,
                    Recorded::Written {
                        at: to_millis(now),
                        path,
                    },
                )
                .await?;
            }
            Attempt::Failed { error, permanent } => {
                if *permanent || attempts >= email.max_attempts {
                    emails::record(change.conn(), id, attempts, Recorded::Failed { error }).await?;
                } else {
                    let delay = chrono::TimeDelta::from_std(email.retry_delay(attempts))
                        .unwrap_or(chrono::TimeDelta::hours(1));
                    let at = now + delay;
                    emails::record(
                        change.conn(),
                        id,
                        attempts,
                        Recorded::Retrying {
                            next_attempt_at: to_millis(at),
                            error,
                        },
                    )
                    .await?;
                    retry_at = Some(at);
                }
            }
        }
        missed::touch(change.conn(), row.missed(), to_millis(now)).await?;
        tell_department(&mut change, row.missed(), false).await?;
        self.commit(change).await?;
        match &attempt {
            Attempt::Sent => tracing::info!(email = %id, attempts, "email sent"),
            Attempt::Written { path } => tracing::info!(email = %id, %path, "email written"),
            Attempt::Failed { error, .. } => match retry_at {
                Some(at) => {
                    tracing::warn!(email = %id, attempts, %error, next = %at, "email not sent; will retry");
                    self.timers
                        .add(at, Timer::Missed(MissedTimer::EmailDue(id)));
                }
                None => tracing::error!(email = %id, attempts, %error, "email given up"),
            },
        }
        Ok(())
    }

    /// After a restart every email not yet sent, written or given up is due again:
    /// now, or when its retry was planned.
    pub(super) async fn recover_outbox(&mut self) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        let pending = emails::pending(&mut conn).await?;
        drop(conn);
        let now = self.clock.now();
        let count = pending.len();
        for row in pending {
            let at = row.next_attempt_at.map(from_millis).unwrap_or(now).max(now);
            self.timers
                .add(at, Timer::Missed(MissedTimer::EmailDue(row.email_id())));
        }
        if count > 0 {
            tracing::info!(count, "pending emails queued again");
        }
        Ok(())
    }
}
