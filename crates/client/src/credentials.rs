//! The session token in the OS credential store (Keychain, Windows Credential
//! Manager, Secret Service), never in SQLite or a plain file.
//!
//! One entry per account: service `switchboard`, account `<hub URL> <email>`. The
//! secret is a small JSON document holding the token, its expiry and the agent it
//! belongs to, so a session can be restored before the hub is reachable.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_protocol::AgentInfo;

use crate::error::{Error, Result};
use crate::session::{HubUrl, Session, SessionToken};

/// The service name every Switchboard entry is filed under.
pub const SERVICE: &str = "switchboard";

/// The store that holds session tokens.
#[derive(Debug, Clone, Default)]
pub enum CredentialStore {
    /// The platform's store through the `keyring` crate.
    #[default]
    Os,
    /// Nothing is stored: the token lives in memory for this run only. Used when the
    /// agent did not ask to be remembered.
    Memory,
}

/// What became of the token after sign-in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Remembered {
    /// In the OS credential store; the next start signs in by itself.
    Stored,
    /// Not stored because the agent did not ask for it.
    NotRequested,
    /// Not stored because no credential store answered; the session lasts this run.
    Unavailable { reason: String },
}

#[derive(Serialize, Deserialize, ts_rs::TS)]
struct StoredSecret {
    token: SessionToken,
    expires_at: DateTime<Utc>,
    agent: AgentInfo,
}

/// The account name for a hub and email.
pub fn account(hub: &HubUrl, email: &str) -> String {
    format!("{} {}", hub.as_str(), email.trim().to_lowercase())
}

impl CredentialStore {
    /// Put a session's token in the store, replacing any earlier one.
    pub async fn save(&self, session: &Session) -> Result<()> {
        let CredentialStore::Os = self else {
            return Ok(());
        };
        let secret = serde_json::to_string(&StoredSecret {
            token: session.token.clone(),
            expires_at: session.expires_at,
            agent: session.agent.clone(),
        })
        .map_err(|e| Error::CredentialStore(e.to_string()))?;
        let account = account(&session.hub, &session.email);
        blocking(move || entry(&account)?.set_password(&secret).map_err(store_error)).await
    }

    /// The stored session for an account, if there is one.
    pub async fn load(&self, hub: &HubUrl, email: &str) -> Result<Option<Session>> {
        let CredentialStore::Os = self else {
            return Ok(None);
        };
        let account = account(hub, email);
        let secret = blocking(move || match entry(&account)?.get_password() {
            Ok(s) => Ok(Some(s)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(store_error(e)),
        })
        .await?;
        let Some(secret) = secret else {
            return Ok(None);
        };
        // An entry that does not parse was not written by this client (or by an older
        // one); it is ignored rather than trusted.
        let Ok(stored) = serde_json::from_str::<StoredSecret>(&secret) else {
            return Ok(None);
        };
        Ok(Some(Session {
            hub: hub.clone(),
            email: email.trim().to_owned(),
            token: stored.token,
            expires_at: stored.expires_at,
            agent: stored.agent,
        }))
    }

    /// Remove an account's token. Removing one that is not there is not an error.
    pub async fn delete(&self, hub: &HubUrl, email: &str) -> Result<()> {
        let CredentialStore::Os = self else {
            return Ok(());
        };
        let account = account(hub, email);
        blocking(move || {
            let entry = entry(&account)?;
            match entry.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
                // Someone else removed it between the store's lookup and its delete
                // (the connection ending the session at the same moment): gone is gone.
                Err(e) => match entry.get_password() {
                    Err(keyring::Error::NoEntry) => Ok(()),
                    _ => Err(store_error(e)),
                },
            }
        })
        .await
    }
}

fn entry(account: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(SERVICE, account).map_err(store_error)
}

fn store_error(e: keyring::Error) -> Error {
    match e {
        keyring::Error::NoStorageAccess(inner) | keyring::Error::PlatformFailure(inner) => {
            Error::CredentialStoreUnavailable(inner.to_string())
        }
        other => Error::CredentialStore(other.to_string()),
    }
}

/// The platform stores block (D-Bus round trips, Keychain prompts): keep them off
/// the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::CredentialStore(format!("credential store task failed: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_account_names_hub_and_email() {
        let hub = HubUrl::parse("https://hub.example/").expect("a valid URL");
        assert_eq!(
            account(&hub, " Ada@Example.com "),
            "https://hub.example ada@example.com",
            "the same person must map to one entry whatever the spelling"
        );
    }
}
