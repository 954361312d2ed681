//! The agent's session with a hub over HTTP: sign-in, token refresh and sign-out, and
//! the hub URL those (and the WebSocket) are derived from.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_protocol::http::{SignIn, SignedIn, paths};
use switchboard_protocol::{AgentInfo, ErrorCode, WireError};
use url::Url;

use crate::error::{Error, Result};

/// A hub's base URL, `http://` or `https://`, without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(try_from = "String", into = "String")]
#[ts(type = "string")]
pub struct HubUrl(Url);

impl HubUrl {
    pub fn parse(s: &str) -> Result<Self> {
        let trimmed = s.trim().trim_end_matches('/');
        let url =
            Url::parse(trimmed).map_err(|e| Error::InvalidHubUrl(format!("{trimmed}: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Error::InvalidHubUrl(format!(
                "{trimmed}: the scheme must be http or https"
            )));
        }
        if url.host_str().is_none() {
            return Err(Error::InvalidHubUrl(format!("{trimmed}: no host")));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Error::InvalidHubUrl(
                "credentials do not belong in the hub URL".into(),
            ));
        }
        Ok(Self(url))
    }

    /// The canonical text, used as part of the credential-store account name.
    pub fn as_str(&self) -> &str {
        self.0.as_str().trim_end_matches('/')
    }

    /// An HTTP endpoint of this hub.
    pub fn http(&self, path: &str) -> String {
        format!("{}{}", self.as_str(), path)
    }

    /// A WebSocket endpoint of this hub (`ws://` or `wss://`).
    pub fn ws(&self, path: &str) -> String {
        let base = self.as_str();
        let rest = base
            .strip_prefix("https://")
            .map(|r| format!("wss://{r}"))
            .or_else(|| base.strip_prefix("http://").map(|r| format!("ws://{r}")))
            .unwrap_or_else(|| base.to_owned());
        format!("{rest}{path}")
    }
}

impl TryFrom<String> for HubUrl {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<HubUrl> for String {
    fn from(h: HubUrl) -> String {
        h.as_str().to_owned()
    }
}

impl fmt::Display for HubUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A bearer token. Its `Debug` and `Display` never show it, so it cannot reach a log.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(transparent)]
pub struct SessionToken(String);

impl SessionToken {
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for an `Authorization` header or the credential store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionToken(***)")
    }
}

/// A signed-in agent on one hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub hub: HubUrl,
    pub email: String,
    pub token: SessionToken,
    pub expires_at: DateTime<Utc>,
    pub agent: AgentInfo,
}

impl Session {
    fn from_signed_in(hub: HubUrl, email: String, s: SignedIn) -> Self {
        Self {
            hub,
            email,
            token: SessionToken(s.token),
            expires_at: s.expires_at,
            agent: s.agent,
        }
    }

    /// Whether the token has expired at `now`.
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    /// When to refresh: at 80% of the remaining lifetime, so a slow or failed refresh
    /// still has time to be retried before the token runs out.
    pub fn refresh_due(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        let left = self.expires_at - now;
        if left <= chrono::Duration::zero() {
            return now;
        }
        now + left * 4 / 5
    }
}

/// The HTTP side of the hub.
#[derive(Debug, Clone)]
pub struct HubHttp {
    http: reqwest::Client,
}

impl Default for HubHttp {
    fn default() -> Self {
        Self::new()
    }
}

impl HubHttp {
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .connect_timeout(Duration::from_secs(10))
            .user_agent(concat!("switchboard-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_default();
        Self { http }
    }

    /// Sign in with email and password.
    pub async fn sign_in(&self, hub: &HubUrl, email: &str, password: &str) -> Result<Session> {
        let email = email.trim().to_owned();
        if email.is_empty() || password.is_empty() {
            return Err(Error::Invalid("email and password are required".into()));
        }
        let body = SignIn {
            email: email.clone(),
            password: password.to_owned(),
        };
        let resp = self
            .http
            .post(hub.http(paths::SIGN_IN))
            .json(&body)
            .send()
            .await
            .map_err(network)?;
        let signed: SignedIn = read_json(resp, true).await?;
        Ok(Session::from_signed_in(hub.clone(), email, signed))
    }

    /// Trade a still-valid token for a fresh one.
    pub async fn refresh(&self, session: &Session) -> Result<Session> {
        let resp = self
            .http
            .post(session.hub.http(paths::REFRESH))
            .bearer_auth(session.token.expose())
            .send()
            .await
            .map_err(network)?;
        let signed: SignedIn = read_json(resp, false).await?;
        Ok(Session::from_signed_in(
            session.hub.clone(),
            session.email.clone(),
            signed,
        ))
    }

    /// Revoke the token on the hub. A token the hub no longer knows counts as done.
    pub async fn sign_out(&self, session: &Session) -> Result<()> {
        let resp = self
            .http
            .post(session.hub.http(paths::SIGN_OUT))
            .bearer_auth(session.token.expose())
            .send()
            .await
            .map_err(network)?;
        let status = resp.status();
        if status.is_success()
            || status == reqwest::StatusCode::UNAUTHORIZED
            || status == reqwest::StatusCode::FORBIDDEN
        {
            return Ok(());
        }
        Err(hub_error(resp).await)
    }
}

fn network(e: reqwest::Error) -> Error {
    Error::Network(e.without_url().to_string())
}

async fn read_json<T: serde::de::DeserializeOwned>(
    resp: reqwest::Response,
    signing_in: bool,
) -> Result<T> {
    let status = resp.status();
    if status.is_success() {
        return resp
            .json::<T>()
            .await
            .map_err(|e| Error::Protocol(format!("unreadable hub answer: {}", e.without_url())));
    }
    let err = hub_error(resp).await;
    Err(match err {
        Error::Hub(w) if matches!(w.code, ErrorCode::Unauthorized | ErrorCode::Forbidden) => {
            if signing_in {
                Error::SignInRefused(w.message)
            } else {
                Error::SignedOut(w.message)
            }
        }
        Error::Hub(w) if w.code == ErrorCode::TokenExpired => Error::SignedOut(w.message),
        other => other,
    })
}

async fn hub_error(resp: reqwest::Response) -> Error {
    let status = resp.status();
    match resp.json::<WireError>().await {
        Ok(w) => Error::Hub(w),
        Err(_) => {
            let code = match status.as_u16() {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                413 => ErrorCode::TooLarge,
                429 => ErrorCode::RateLimited,
                400..=499 => ErrorCode::BadRequest,
                _ => ErrorCode::Internal,
            };
            Error::Hub(WireError::new(code, format!("HTTP {status}")))
        }
    }
}

/// The session of a running client. The connection actor refreshes the token in
/// place; a refreshed token is written back to the credential store when the agent
/// asked to be remembered.
pub(crate) struct SessionCell {
    /// The session and when to refresh its token, fixed when the token arrives.
    session: std::sync::Mutex<(Session, DateTime<Utc>)>,
    http: HubHttp,
    store: crate::credentials::CredentialStore,
    clock: std::sync::Arc<dyn crate::clock::Clock>,
}

impl fmt::Debug for SessionCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SessionCell")
            .field("session", &self.lock().0)
            .finish_non_exhaustive()
    }
}

impl SessionCell {
    pub(crate) fn new(
        session: Session,
        http: HubHttp,
        store: crate::credentials::CredentialStore,
        clock: std::sync::Arc<dyn crate::clock::Clock>,
    ) -> Self {
        let due = session.refresh_due(clock.now());
        Self {
            session: std::sync::Mutex::new((session, due)),
            http,
            store,
            clock,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (Session, DateTime<Utc>)> {
        self.session.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn current(&self) -> Session {
        self.lock().0.clone()
    }

    /// When the current token should be refreshed.
    pub(crate) fn refresh_at(&self) -> DateTime<Utc> {
        self.lock().1
    }

    /// Try again later after a failed refresh.
    pub(crate) fn postpone_refresh(&self, until: DateTime<Utc>) {
        self.lock().1 = until;
    }

    pub(crate) fn http(&self) -> &HubHttp {
        &self.http
    }

    /// Trade the token for a fresh one.
    pub(crate) async fn refresh(&self) -> Result<()> {
        let fresh = self.http.refresh(&self.current()).await?;
        if let Err(e) = self.store.save(&fresh).await {
            // The new token still works for this run; only the next start is affected.
            tracing::warn!("could not store the refreshed session: {e}");
        }
        let due = fresh.refresh_due(self.clock.now());
        *self.lock() = (fresh, due);
        Ok(())
    }

    /// Remove the stored token (the hub said it is no longer valid, or sign-out).
    pub(crate) async fn forget(&self) -> Result<()> {
        let s = self.current();
        self.store.delete(&s.hub, &s.email).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_urls_map_to_http_and_websocket_endpoints() {
        let hub = HubUrl::parse(" https://chat.example.com/ ").expect("a valid URL");
        assert_eq!(hub.as_str(), "https://chat.example.com");
        assert_eq!(hub.http("/healthz"), "https://chat.example.com/healthz");
        assert_eq!(hub.ws("/v1/agent/ws"), "wss://chat.example.com/v1/agent/ws");
        let local = HubUrl::parse("http://127.0.0.1:8080").expect("a valid URL");
        assert_eq!(local.ws("/v1/agent/ws"), "ws://127.0.0.1:8080/v1/agent/ws");
    }

    #[test]
    fn hub_urls_reject_other_schemes_and_embedded_credentials() {
        assert!(HubUrl::parse("ftp://hub").is_err());
        assert!(HubUrl::parse("not a url").is_err());
        assert!(HubUrl::parse("https://ada:secret@hub.example").is_err());
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let t = SessionToken::new("s3cr3t-token");
        assert!(
            !format!("{t:?}").contains("s3cr3t"),
            "a token must not reach logs"
        );
    }
}
