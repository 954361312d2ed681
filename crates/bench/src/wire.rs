//! The WebSocket side of a scripted peer: dialing the hub from a chosen loopback
//! address, encoding requests with the protocol crate, and reading hub frames.
//!
//! Frames on the hot path (message replies and `chat.event` pushes) are read into
//! borrowed structs that mirror the protocol types field for field, so that a
//! message costs no JSON tree and no string copies on the bench side; rarer frames
//! (offers, chat states, welcomes) are decoded into the protocol crate's own types.

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde::Deserialize;
use serde_json::value::RawValue;
use switchboard_protocol::{Call, ErrorCode, encode_request};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

pub use tokio_tungstenite::tungstenite::Message;

/// A peer's WebSocket.
pub type Ws = WebSocketStream<TcpStream>;

/// How long dialing plus the WebSocket handshake may take.
pub const DIAL_TIMEOUT: Duration = Duration::from_secs(20);

/// Small buffers: thousands of peers share the machine with the hub, and every frame
/// of this protocol is small. Writes go out at once (no batching), as a real
/// client's would.
pub fn ws_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .write_buffer_size(0)
        .max_message_size(Some(16 << 20))
}

/// Why a dial failed, as a short code for the error table.
#[derive(Debug)]
pub struct DialError(pub String);

impl std::fmt::Display for DialError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Open a WebSocket to `url` (`ws://host:port/path`) from the loopback address
/// `source`, with extra request headers (Origin, Authorization).
pub async fn dial(
    url: &str,
    target: SocketAddr,
    source: IpAddr,
    headers: &[(HeaderName, HeaderValue)],
) -> Result<Ws, DialError> {
    let attempt = async {
        let socket = TcpSocket::new_v4().map_err(|e| DialError(format!("socket: {e}")))?;
        socket
            .bind(SocketAddr::new(source, 0))
            .map_err(|e| DialError(format!("bind {source}: {e}")))?;
        let stream = socket
            .connect(target)
            .await
            .map_err(|e| DialError(format!("connect: {e}")))?;
        stream
            .set_nodelay(true)
            .map_err(|e| DialError(format!("nodelay: {e}")))?;
        let mut request = url
            .into_client_request()
            .map_err(|e| DialError(format!("request: {e}")))?;
        for (name, value) in headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        match tokio_tungstenite::client_async_with_config(request, stream, Some(ws_config())).await
        {
            Ok((ws, _)) => Ok(ws),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                Err(DialError(format!("http_{}", response.status().as_u16())))
            }
            Err(e) => Err(DialError(format!("handshake: {e}"))),
        }
    };
    match tokio::time::timeout(DIAL_TIMEOUT, attempt).await {
        Ok(result) => result,
        Err(_) => Err(DialError("dial_timeout".into())),
    }
}

/// The `n`-th address of a /16 block of 127.0.0.0/8: `127.block.a.b`, skipping host
/// parts 0 and 255. Each simulated visitor and agent dials from its own address, as
/// real ones come from their own networks; the hub's per-address limits (connections
/// per minute, chats per hour, sign-ins per minute) then apply to each as designed.
pub fn loopback(block: u8, n: usize) -> IpAddr {
    let hi = u8::try_from((n / 254) % 256).unwrap_or(0);
    let lo = u8::try_from(n % 254 + 1).unwrap_or(1);
    IpAddr::V4(Ipv4Addr::new(127, block, hi, lo))
}

/// Address block of the simulated visitors.
pub const VISITOR_BLOCK: u8 = 1;
/// Address block of the simulated agents.
pub const AGENT_BLOCK: u8 = 2;

/// Request ids of one connection: a counter, as the protocol suggests.
#[derive(Default)]
pub struct RequestIds(u64);

impl RequestIds {
    pub fn issue(&mut self) -> u64 {
        self.0 += 1;
        self.0
    }
}

/// A request frame with a numeric id.
pub fn request<C: Call>(id: u64, call: &C) -> Message {
    Message::text(encode_request(&id.to_string(), call))
}

/// A hub frame's envelope, borrowed from the text.
#[derive(Deserialize)]
pub struct Frame<'a> {
    #[serde(borrow, default)]
    pub re: Option<&'a str>,
    #[serde(default)]
    pub error: Option<ErrorBody>,
    #[serde(borrow, default)]
    pub push: Option<&'a str>,
    #[serde(borrow, default)]
    pub data: Option<&'a RawValue>,
}

/// The part of a `WireError` the bench counts.
#[derive(Deserialize)]
pub struct ErrorBody {
    pub code: ErrorCode,
}

impl<'a> Frame<'a> {
    pub fn parse(text: &'a str) -> Option<Frame<'a>> {
        serde_json::from_str(text).ok()
    }

    /// The reply's request id, when this is a reply.
    pub fn reply_id(&self) -> Option<u64> {
        self.re.and_then(|r| r.parse().ok())
    }

    /// Decode the push data into `T`.
    pub fn data<T: Deserialize<'a>>(&self) -> Option<T> {
        self.data.and_then(|d| serde_json::from_str(d.get()).ok())
    }
}

/// An error code as the protocol spells it (`rate_limited`).
pub fn code_name(code: ErrorCode) -> String {
    match serde_json::to_value(code) {
        Ok(serde_json::Value::String(s)) => s,
        _ => "unknown".into(),
    }
}

/// `chat.event` on the agent protocol (`ChatEventPush`), the fields the bench reads.
#[derive(Deserialize)]
pub struct AgentEventPush<'a> {
    #[serde(borrow)]
    pub event: AgentEvent<'a>,
}

/// `ChatEvent` with its flattened body, as far as the bench reads it.
#[derive(Deserialize)]
pub struct AgentEvent<'a> {
    pub chat_id: i64,
    #[serde(rename = "type", borrow)]
    pub kind: &'a str,
    #[serde(borrow, default)]
    pub author: Option<AuthorKind<'a>>,
    #[serde(borrow, default)]
    pub text: Option<Cow<'a, str>>,
}

/// `Author`'s tag.
#[derive(Deserialize)]
pub struct AuthorKind<'a> {
    #[serde(borrow)]
    pub kind: &'a str,
}

/// `chat.event` on the visitor protocol (`EventPush`), as far as the bench reads it.
#[derive(Deserialize)]
pub struct VisitorEventPush<'a> {
    #[serde(borrow)]
    pub event: VisitorEvent<'a>,
}

/// `VisitorEvent` with its flattened body.
#[derive(Deserialize)]
pub struct VisitorEvent<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: &'a str,
    #[serde(borrow, default)]
    pub from: Option<&'a str>,
    #[serde(borrow, default)]
    pub text: Option<Cow<'a, str>>,
}

/// A connection used one request at a time (the resync run's visitors): `call`
/// sends a request and waits for its reply, skipping pushes.
pub struct Peer {
    ws: Ws,
    ids: RequestIds,
}

/// How long [`Peer::call`] waits for a reply.
const CALL_TIMEOUT: Duration = Duration::from_secs(30);

impl Peer {
    pub fn new(ws: Ws) -> Self {
        Peer {
            ws,
            ids: RequestIds::default(),
        }
    }

    pub async fn call<C: Call>(&mut self, call: &C) -> anyhow::Result<C::Reply> {
        use futures_util::{SinkExt, StreamExt};
        let id = self.ids.issue();
        self.ws.send(request(id, call)).await?;
        let wait = async {
            while let Some(frame) = self.ws.next().await {
                let Message::Text(text) = frame? else {
                    continue;
                };
                let reply: serde_json::Value = serde_json::from_str(text.as_str())?;
                if reply.get("re").and_then(|r| r.as_str()) != Some(id.to_string().as_str()) {
                    continue;
                }
                if let Some(error) = reply.get("error") {
                    anyhow::bail!("`{}` refused: {error}", C::ACTION);
                }
                return Ok(serde_json::from_value(
                    reply.get("ok").cloned().unwrap_or_default(),
                )?);
            }
            anyhow::bail!("the hub closed the connection during `{}`", C::ACTION)
        };
        tokio::time::timeout(CALL_TIMEOUT, wait)
            .await
            .map_err(|_| anyhow::anyhow!("no reply to `{}`", C::ACTION))?
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use switchboard_protocol::agent::{AgentPush, ChatEventPush};
    use switchboard_protocol::visitor::{
        EventPush, VisitorEvent as ProtocolVisitorEvent, VisitorEventBody, VisitorPush,
    };
    use switchboard_protocol::{
        AgentId, Author, ChatEvent, ChatId, ClientId, EventBody, EventId, Party, Seq, encode_push,
    };

    #[test]
    fn the_borrowed_readers_agree_with_the_protocol_types() {
        let event = ChatEvent {
            id: EventId(9),
            chat_id: ChatId(4),
            at: Utc::now(),
            body: EventBody::Message {
                author: Author::Agent {
                    id: AgentId(2),
                    name: "Ada".into(),
                },
                text: "a 17 r1 switchboard bench".into(),
                client_id: ClientId::parse("a1-x-1").ok(),
            },
        };
        let text = encode_push(&AgentPush::ChatEvent(ChatEventPush { event }), Some(Seq(3)));
        let frame = Frame::parse(&text).expect("an agent push parses as a frame");
        assert_eq!(frame.push, Some("chat.event"), "the push name is read");
        let push: AgentEventPush = frame.data().expect("the event reads");
        assert_eq!(push.event.chat_id, 4, "the chat id is read");
        assert_eq!(push.event.kind, "message", "the event type is read");
        assert_eq!(push.event.author.map(|a| a.kind), Some("agent"));
        assert_eq!(
            push.event.text.as_deref(),
            Some("a 17 r1 switchboard bench")
        );

        let seen = ProtocolVisitorEvent {
            id: EventId(9),
            at: Utc::now(),
            body: VisitorEventBody::Message {
                from: Party::Agent,
                name: "Ada".into(),
                text: "a 17 r1 switchboard bench".into(),
                system: false,
                client_id: None,
            },
        };
        let text = encode_push(&VisitorPush::Event(EventPush { event: seen }), None);
        let frame = Frame::parse(&text).expect("a visitor push parses as a frame");
        let push: VisitorEventPush = frame.data().expect("the visitor event reads");
        assert_eq!(push.event.kind, "message");
        assert_eq!(push.event.from, Some("agent"));
        assert_eq!(
            push.event.text.as_deref(),
            Some("a 17 r1 switchboard bench")
        );
    }

    #[test]
    fn replies_and_errors_are_told_apart() {
        let ok = switchboard_protocol::encode_reply("12", &serde_json::json!({}));
        let frame = Frame::parse(&ok).expect("a reply parses");
        assert_eq!(frame.reply_id(), Some(12));
        assert!(frame.error.is_none(), "an ok reply has no error");
        let err = switchboard_protocol::encode_error(
            "13",
            &switchboard_protocol::WireError::new(ErrorCode::RateLimited, "slow down"),
        );
        let frame = Frame::parse(&err).expect("an error reply parses");
        assert_eq!(frame.error.map(|e| e.code), Some(ErrorCode::RateLimited));
    }

    #[test]
    fn loopback_addresses_are_distinct_and_valid() {
        assert_eq!(loopback(1, 0).to_string(), "127.1.0.1");
        assert_eq!(loopback(1, 253).to_string(), "127.1.0.254");
        assert_eq!(loopback(1, 254).to_string(), "127.1.1.1");
        assert_ne!(loopback(1, 10_000), loopback(1, 10_001));
    }
}
