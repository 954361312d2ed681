//! The HTTP surface: health, agent sign-in / refresh / sign-out, the two WebSocket
//! upgrades, and the widget files.

use std::net::{IpAddr, SocketAddr};
use std::ops::Deref;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, TimeDelta, Utc};
use switchboard_protocol::http::{Health, SignIn, SignedIn, paths};
use switchboard_protocol::{AgentId, ErrorCode, PROTOCOL_VERSION, WireError};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth;
use crate::clock::{Clock, from_millis, to_millis};
use crate::config::Settings;
use crate::error::Error;
use crate::hub::HubHandle;
use crate::limits::KeyedLimit;
use crate::store::agents::Agent;
use crate::store::{Store, agents, sessions, sites};

const WIDGET_JS: &str = include_str!("../../../widget/widget.js");
const DEMO_HTML: &str = include_str!("../../../widget/demo.html");

/// Largest HTTP body the hub reads (sign-in).
const MAX_BODY_BYTES: usize = 16 * 1024;

/// Each WebSocket's read buffer. The WebSocket layer's default (128 KiB) is zeroed
/// before every read, so with ten thousand idle visitors it alone would hold over a
/// gigabyte; our frames are small, and a large one still grows the buffer as needed.
const WS_READ_BUFFER_BYTES: usize = 8 * 1024;

/// What every request handler and connection shares.
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

pub(crate) struct Shared {
    pub store: Store,
    pub clock: Clock,
    pub settings: Arc<Settings>,
    pub hub: HubHandle,
    pub shutdown: CancellationToken,
    /// Live WebSocket connections, so shutdown can wait for them to close.
    pub connections: TaskTracker,
    pub visitor_connections: KeyedLimit<IpAddr>,
    pub visitor_chats: KeyedLimit<IpAddr>,
    pub sign_ins: KeyedLimit<IpAddr>,
    pub passwords: auth::PasswordChecks,
}

impl Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    pub fn new(shared: Shared) -> Self {
        AppState(Arc::new(shared))
    }
}

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route(paths::HEALTH, get(health))
        .route(paths::SIGN_IN, post(sign_in))
        .route(paths::REFRESH, post(refresh))
        .route(paths::SIGN_OUT, post(sign_out))
        .route(paths::AGENT_WS, get(agent_ws))
        .route(paths::VISITOR_WS, get(visitor_ws))
        .route(paths::WIDGET_JS, get(widget_js))
        .route(paths::DEMO, get(demo_page))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

/// A typed error as an HTTP response.
pub(crate) struct HttpError(WireError);

impl From<Error> for HttpError {
    fn from(e: Error) -> Self {
        if !e.is_peer_error() {
            tracing::error!(error = %e, "request failed");
        }
        HttpError(e.to_wire())
    }
}

impl HttpError {
    fn new(code: ErrorCode, message: &str) -> Self {
        HttpError(WireError::new(code, message))
    }
}

impl IntoResponse for HttpError {
    fn into_response(self) -> Response {
        let status = match self.0.code {
            ErrorCode::BadRequest | ErrorCode::UnknownAction | ErrorCode::HelloRequired => {
                StatusCode::BAD_REQUEST
            }
            ErrorCode::Unauthorized | ErrorCode::TokenExpired => StatusCode::UNAUTHORIZED,
            ErrorCode::Forbidden => StatusCode::FORBIDDEN,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::Conflict | ErrorCode::InvalidState => StatusCode::CONFLICT,
            ErrorCode::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::UnsupportedVersion => StatusCode::BAD_REQUEST,
            ErrorCode::Internal | ErrorCode::Unknown => StatusCode::INTERNAL_SERVER_ERROR,
        };
        (status, Json(self.0)).into_response()
    }
}

async fn health() -> Json<Health> {
    Json(Health {
        status: "ok".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        protocol: PROTOCOL_VERSION,
    })
}

async fn sign_in(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Bytes,
) -> Result<Json<SignedIn>, HttpError> {
    if !app.sign_ins.try_take(&peer.ip(), app.clock.now()) {
        return Err(HttpError::new(
            ErrorCode::RateLimited,
            "too many sign-in attempts; wait a minute",
        ));
    }
    let request: SignIn = serde_json::from_slice(&body).map_err(|e| {
        HttpError(WireError::new(
            ErrorCode::BadRequest,
            format!("expected {{\"email\", \"password\"}}: {e}"),
        ))
    })?;
    let mut conn = app.store.acquire().await?;
    let found = agents::credentials(&mut conn, request.email.trim()).await?;
    drop(conn);
    let (agent, hash) = match found {
        Some((agent, hash)) => (Some(agent), Some(hash)),
        None => (None, None),
    };
    let verified = app.passwords.verify(request.password, hash).await;
    let agent = match agent {
        Some(agent) if verified => agent,
        _ => {
            return Err(HttpError::new(
                ErrorCode::Unauthorized,
                "wrong email or password",
            ));
        }
    };
    if agent.disabled {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "this account is disabled",
        ));
    }
    tracing::info!(agent = %agent.id, "agent signed in");
    Ok(Json(new_session(&app, agent).await?))
}

async fn new_session(app: &AppState, agent: Agent) -> Result<SignedIn, Error> {
    let token = auth::new_token();
    let now = app.clock.now();
    let ttl = TimeDelta::from_std(app.settings.token_ttl).unwrap_or(TimeDelta::hours(12));
    let expires_at = now + ttl;
    let mut conn = app.store.acquire().await?;
    sessions::insert(
        &mut conn,
        &auth::token_hash(&token),
        agent.id,
        to_millis(now),
        to_millis(expires_at),
    )
    .await?;
    Ok(SignedIn {
        token,
        expires_at,
        agent: agent.info(),
    })
}

/// A bearer token's session, checked: known, not revoked, not expired, account
/// enabled.
pub(crate) struct Session {
    pub agent: Agent,
    pub token_hash: Vec<u8>,
    pub expires_at: DateTime<Utc>,
}

pub(crate) async fn bearer_session(
    app: &AppState,
    headers: &HeaderMap,
) -> Result<Session, HttpError> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            HttpError::new(
                ErrorCode::Unauthorized,
                "an `Authorization: Bearer` token is required",
            )
        })?;
    let token_hash = auth::token_hash(token);
    let mut conn = app.store.acquire().await?;
    let session = sessions::get(&mut conn, &token_hash)
        .await?
        .filter(|s| s.revoked_at.is_none())
        .ok_or_else(|| HttpError::new(ErrorCode::Unauthorized, "unknown or revoked token"))?;
    let expires_at = from_millis(session.expires_at);
    if expires_at <= app.clock.now() {
        return Err(HttpError::new(
            ErrorCode::TokenExpired,
            "the token has expired; sign in again",
        ));
    }
    let agent = agents::get(&mut conn, AgentId(session.agent_id))
        .await?
        .ok_or_else(|| HttpError::new(ErrorCode::Unauthorized, "unknown or revoked token"))?;
    if agent.disabled {
        return Err(HttpError::new(
            ErrorCode::Forbidden,
            "this account is disabled",
        ));
    }
    Ok(Session {
        agent,
        token_hash,
        expires_at,
    })
}

/// A fresh token for a valid one. The old token stays valid until it expires, so a
/// lost reply does not lock the agent out.
async fn refresh(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SignedIn>, HttpError> {
    let session = bearer_session(&app, &headers).await?;
    Ok(Json(new_session(&app, session.agent).await?))
}

async fn sign_out(
    State(app): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<serde_json::Value>, HttpError> {
    let session = bearer_session(&app, &headers).await?;
    let mut conn = app.store.acquire().await?;
    sessions::revoke(&mut conn, &session.token_hash, to_millis(app.clock.now())).await?;
    drop(conn);
    app.hub.session_ended(session.agent.id).await;
    tracing::info!(agent = %session.agent.id, "agent signed out");
    Ok(Json(serde_json::json!({})))
}

async fn agent_ws(
    State(app): State<AppState>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    let session = bearer_session(&app, &headers).await?;
    let limit = app.settings.limits.max_ws_message_bytes;
    let guard = app.connections.token();
    Ok(ws
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| async move {
            crate::agent_ws::serve(socket, app, session).await;
            drop(guard);
        }))
}

/// `scheme://host[:port]`, lower-cased, as origins are stored and compared.
pub fn normalize_origin(origin: &str) -> Option<String> {
    let url = url::Url::parse(origin.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let origin = url.origin().ascii_serialization();
    (origin != "null").then(|| origin.to_ascii_lowercase())
}

async fn visitor_ws(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Result<Response, HttpError> {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(normalize_origin)
        .ok_or_else(|| HttpError::new(ErrorCode::Forbidden, "an allowed Origin is required"))?;
    let mut conn = app.store.acquire().await?;
    let site = sites::for_origin(&mut conn, &origin)
        .await?
        .ok_or_else(|| {
            HttpError::new(ErrorCode::Forbidden, "this website may not open chats here")
        })?;
    drop(conn);
    if !app
        .visitor_connections
        .try_take(&peer.ip(), app.clock.now())
    {
        return Err(HttpError::new(
            ErrorCode::RateLimited,
            "too many connections from this address; wait a minute",
        ));
    }
    let host = url::Url::parse(&origin)
        .ok()
        .and_then(|u| {
            u.host_str()
                .map(|h| u.port().map_or(h.to_owned(), |p| format!("{h}:{p}")))
        })
        .unwrap_or_default();
    let user_agent = headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|s| {
            s.chars()
                .take(switchboard_protocol::limits::MAX_URL_CHARS)
                .collect()
        });
    let visitor = crate::visitor_ws::VisitorPeer {
        origin: crate::hub::VisitorOrigin {
            site,
            host,
            remote_addr: peer.ip().to_string(),
        },
        ip: peer.ip(),
        user_agent,
    };
    let limit = app.settings.limits.max_ws_message_bytes;
    let guard = app.connections.token();
    Ok(ws
        .read_buffer_size(WS_READ_BUFFER_BYTES)
        .max_message_size(limit)
        .max_frame_size(limit)
        .on_upgrade(move |socket| async move {
            crate::visitor_ws::serve(socket, app, visitor).await;
            drop(guard);
        }))
}

async fn widget_js() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/javascript; charset=utf-8"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        WIDGET_JS,
    )
}

/// The demo page runs nothing but the hub's own widget: no inline script, no other
/// origin. Styles may be inline because the page and the widget's shadow root use them.
const DEMO_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; \
     frame-ancestors 'none'";

async fn demo_page() -> impl IntoResponse {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            ),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(DEMO_CSP),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        DEMO_HTML,
    )
}
