//! What agent and visitor WebSocket connections share: the read loop with its frame
//! size limit, bad-frame counting, idle timeout and orderly close, and the link the
//! hub core writes through.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use futures_util::stream::FuturesOrdered;
use serde::Serialize;
use switchboard_protocol::agent::{AgentPush, Closing};
use switchboard_protocol::{
    CloseReason, ErrorCode, RawRequest, WireError, encode_error, encode_push, encode_reply,
};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::http::AppState;
use crate::hub::{ConnId, Link};
use crate::limits::TokenBucket;

/// How long one frame may take to write before the peer counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// The receiving ends of a [`Link`].
pub(crate) struct Inbox {
    frames: mpsc::Receiver<String>,
    close: mpsc::Receiver<CloseReason>,
}

/// A new link for a connection, with the receivers the connection reads.
pub(crate) fn link(buffer: usize) -> (Link, Inbox) {
    let (frames_tx, frames) = mpsc::channel(buffer.max(1));
    let (close_tx, close) = mpsc::channel(1);
    (
        Link {
            conn: ConnId::next(),
            frames: frames_tx,
            close: close_tx,
        },
        Inbox { frames, close },
    )
}

/// Most requests of one connection the hub core may be working on at once; beyond
/// it the connection stops reading until the oldest is answered.
const MAX_PIPELINED: usize = 64;

/// A reply frame still being worked out by the hub core.
type PendingReply = Pin<Box<dyn Future<Output = String> + Send>>;

/// The writing side of a connection, as handlers see it.
pub(crate) struct Socket {
    ws: WebSocket,
    broken: bool,
    /// Replies to pipelined requests, in request order.
    pending: FuturesOrdered<PendingReply>,
}

impl Socket {
    /// Write a frame now (pushes); a failure or a stalled peer marks the socket broken.
    pub async fn send(&mut self, frame: String) {
        if self.broken {
            return;
        }
        match tokio::time::timeout(WRITE_TIMEOUT, self.ws.send(Message::Text(frame.into()))).await {
            Ok(Ok(())) => {}
            _ => self.broken = true,
        }
    }

    /// Write a reply, after every reply still pending: replies keep the order of the
    /// requests.
    pub async fn answer(&mut self, frame: String) {
        if self.pending.is_empty() {
            self.send(frame).await;
        } else {
            self.pending.push_back(Box::pin(std::future::ready(frame)));
        }
    }

    /// Answer a request later, without waiting: the reply is written once `reply`
    /// resolves and every earlier reply is written, while the connection goes on
    /// reading requests. An agent answering in several chats at once would otherwise
    /// wait for a whole commit of each answer before the hub read the next.
    pub fn answer_later(&mut self, reply: impl Future<Output = String> + Send + 'static) {
        self.pending.push_back(Box::pin(reply));
    }

    pub async fn ok<T: Serialize>(&mut self, re: &str, value: &T) {
        self.answer(encode_reply(re, value)).await;
    }

    pub async fn error(&mut self, re: &str, error: &WireError) {
        self.answer(encode_error(re, error)).await;
    }

    /// Write every pending reply, in order.
    async fn flush_pending(&mut self) {
        while let Some(frame) = self.pending.next().await {
            self.send(frame).await;
        }
    }

    async fn close(&mut self, reason: CloseReason, message: &str) {
        if self.broken {
            return;
        }
        let closing = AgentPush::Closing(Closing {
            reason,
            reconnect: reason.should_reconnect(),
            message: message.to_owned(),
        });
        self.send(encode_push(&closing, None)).await;
        let frame = Message::Close(Some(CloseFrame {
            code: reason.close_code(),
            reason: "".into(),
        }));
        let _ = tokio::time::timeout(WRITE_TIMEOUT, self.ws.send(frame)).await;
    }
}

/// What handling one request leads to.
pub(crate) enum Step {
    Continue,
    /// The request was malformed or over a limit; counts toward closing the connection.
    Bad,
    Close(CloseReason),
}

/// One kind of connection (agent or visitor): how it answers requests.
pub(crate) trait Handler: Send {
    /// Largest frame answered normally; larger ones get `too_large`.
    fn max_frame(&self) -> usize;
    /// Whether pushes from the hub core may be written now (after `hello`, and after
    /// any replay).
    fn live(&self) -> bool;
    fn request(
        &mut self,
        raw: RawRequest,
        socket: &mut Socket,
    ) -> impl Future<Output = Step> + Send;
    /// The connection is over; tell the hub core.
    fn finish(self) -> impl Future<Output = ()> + Send;
}

fn close_message(reason: CloseReason) -> &'static str {
    match reason {
        CloseReason::Shutdown => "the hub is restarting",
        CloseReason::Idle => "nothing received for too long",
        CloseReason::Protocol => "too many bad frames",
        CloseReason::TokenExpired => "the session has expired",
        CloseReason::Replaced => "another connection took over",
        CloseReason::SignedOut => "signed out",
        CloseReason::Disabled => "the account is disabled",
        CloseReason::Other => "the connection could not keep up",
    }
}

/// Serve a connection until it ends, then let the handler report it gone.
pub(crate) async fn run<H: Handler>(
    ws: WebSocket,
    mut handler: H,
    mut inbox: Inbox,
    app: AppState,
    expires_at: Option<DateTime<Utc>>,
) {
    let mut socket = Socket {
        ws,
        broken: false,
        pending: FuturesOrdered::new(),
    };
    let limits = app.settings.limits.clone();
    let idle = tokio::time::sleep(limits.idle_timeout);
    tokio::pin!(idle);
    let clock = app.clock.clone();
    let expiry = async move {
        match expires_at {
            Some(at) => clock.sleep_until(at).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(expiry);
    let mut bad = TokenBucket::per_minute(limits.bad_frames_per_min, app.clock.now());
    let shutdown = app.shutdown.clone();

    let reason = loop {
        tokio::select! {
            biased;
            _ = shutdown.cancelled() => break Some(CloseReason::Shutdown),
            Some(reason) = inbox.close.recv() => break Some(reason),
            _ = &mut expiry => break Some(CloseReason::TokenExpired),
            _ = &mut idle => break Some(CloseReason::Idle),
            Some(frame) = inbox.frames.recv(), if handler.live() => socket.send(frame).await,
            Some(frame) = socket.pending.next(), if !socket.pending.is_empty() => {
                socket.send(frame).await
            }
            message = socket.ws.recv(), if socket.pending.len() < MAX_PIPELINED => {
                idle.as_mut().reset(Instant::now() + limits.idle_timeout);
                let step = match message {
                    None | Some(Err(_)) | Some(Ok(Message::Close(_))) => break None,
                    Some(Ok(Message::Text(text))) => {
                        if text.len() > handler.max_frame() {
                            let error = WireError::new(
                                ErrorCode::TooLarge,
                                format!("frames may have at most {} bytes", handler.max_frame()),
                            );
                            socket.error("", &error).await;
                            Step::Bad
                        } else {
                            match RawRequest::parse(text.as_str()) {
                                Ok(raw) => handler.request(raw, &mut socket).await,
                                Err(error) => {
                                    socket.error("", &error).await;
                                    Step::Bad
                                }
                            }
                        }
                    }
                    Some(Ok(Message::Binary(_))) => {
                        let error = WireError::new(ErrorCode::BadRequest, "only text frames are understood");
                        socket.error("", &error).await;
                        Step::Bad
                    }
                    Some(Ok(_)) => Step::Continue,
                };
                match step {
                    Step::Continue => {}
                    Step::Bad => {
                        if !bad.try_take(app.clock.now()) {
                            break Some(CloseReason::Protocol);
                        }
                    }
                    Step::Close(reason) => break Some(reason),
                }
            }
        }
        if socket.broken {
            break None;
        }
    };
    if let Some(reason) = reason {
        socket.flush_pending().await;
        socket.close(reason, close_message(reason)).await;
    }
    handler.finish().await;
}
