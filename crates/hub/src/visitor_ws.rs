//! One visitor's WebSocket connection from the widget: `hello`, then starting a chat
//! and talking in it. Rates are limited per connection (messages, typing) and per
//! address (chats started).

use std::net::IpAddr;

use axum::extract::ws::WebSocket;
use switchboard_protocol::agent::Done;
use switchboard_protocol::visitor::VisitorRequest;
use switchboard_protocol::{ChatId, ErrorCode, PROTOCOL_VERSION, RawRequest, WireError};

use crate::agent_ws::{reply, reply_frame};
use crate::connection::{self, Handler, Socket, Step};
use crate::http::AppState;
use crate::hub::{Link, VisitorCall, VisitorOrigin};
use crate::limits::TokenBucket;

/// Who is on the other end, as the upgrade request told.
pub(crate) struct VisitorPeer {
    pub origin: VisitorOrigin,
    pub ip: IpAddr,
    pub user_agent: Option<String>,
}

struct VisitorConnection {
    app: AppState,
    peer: VisitorPeer,
    link: Link,
    hello: bool,
    chat: Option<ChatId>,
    /// The chat this connection last started or re-attached to, kept after it ends:
    /// an offline message is added to it when it was missed.
    session_chat: Option<ChatId>,
    messages: TokenBucket,
    typing: TokenBucket,
}

pub(crate) async fn serve(socket: WebSocket, app: AppState, peer: VisitorPeer) {
    let (link, inbox) = connection::link(app.settings.limits.connection_buffer);
    let limits = &app.settings.limits;
    let now = app.clock.now();
    let handler = VisitorConnection {
        messages: TokenBucket::new(
            limits.visitor_message_burst,
            f64::from(limits.visitor_messages_per_sec),
            now,
        ),
        typing: TokenBucket::new(
            limits.visitor_typing_per_sec,
            f64::from(limits.visitor_typing_per_sec),
            now,
        ),
        app: app.clone(),
        peer,
        link,
        hello: false,
        chat: None,
        session_chat: None,
    };
    connection::run(socket, handler, inbox, app, None).await;
}

fn error(code: ErrorCode, message: &str) -> WireError {
    WireError::new(code, message)
}

impl Handler for VisitorConnection {
    fn max_frame(&self) -> usize {
        self.app.settings.limits.max_visitor_frame_bytes
    }

    fn live(&self) -> bool {
        self.hello
    }

    async fn request(&mut self, raw: RawRequest, socket: &mut Socket) -> Step {
        let request: VisitorRequest = match raw.decode(VisitorRequest::ACTIONS) {
            Ok(r) => r,
            Err(e) => {
                socket.error(&raw.id, &e).await;
                return Step::Bad;
            }
        };
        let id = raw.id.as_str();
        let now = self.app.clock.now();
        match request {
            VisitorRequest::Hello(hello) => {
                if hello.protocol != PROTOCOL_VERSION {
                    let message = format!("this hub speaks protocol {PROTOCOL_VERSION}");
                    socket
                        .error(id, &error(ErrorCode::UnsupportedVersion, &message))
                        .await;
                    return Step::Continue;
                }
                let result = self
                    .app
                    .hub
                    .visitor_hello(self.link.clone(), self.peer.origin.clone(), hello.token)
                    .await;
                match result {
                    Ok(session) => {
                        if session.chat.is_some() {
                            self.chat = session.chat;
                        }
                        if let Some(chat) = &session.welcome.chat {
                            self.session_chat = Some(chat.chat_id);
                        }
                        self.hello = true;
                        socket.ok(id, &session.welcome).await;
                    }
                    Err(e) => socket.error(id, &e.to_wire()).await,
                }
                Step::Continue
            }
            _ if !self.hello => {
                socket
                    .error(id, &error(ErrorCode::HelloRequired, "send hello first"))
                    .await;
                Step::Continue
            }
            VisitorRequest::Ping(_) => {
                socket.ok(id, &Done {}).await;
                Step::Continue
            }
            VisitorRequest::ChatStart(mut start) => {
                if !self.app.visitor_chats.try_take(&self.peer.ip, now) {
                    socket
                        .error(
                            id,
                            &error(
                                ErrorCode::RateLimited,
                                "too many chats from this address; try later",
                            ),
                        )
                        .await;
                    return Step::Bad;
                }
                if start.user_agent.is_none() {
                    start.user_agent = self.peer.user_agent.clone();
                }
                let result = self
                    .app
                    .hub
                    .visitor_start(self.link.clone(), self.peer.origin.clone(), start)
                    .await;
                match result {
                    Ok(started) => {
                        self.chat = Some(started.chat_id);
                        self.session_chat = Some(started.chat_id);
                        socket.ok(id, &started).await;
                    }
                    Err(e) => socket.error(id, &e.to_wire()).await,
                }
                Step::Continue
            }
            VisitorRequest::MessageSend(message) => {
                let Some(chat) = self.chat else {
                    socket
                        .error(id, &error(ErrorCode::InvalidState, "start a chat first"))
                        .await;
                    return Step::Continue;
                };
                if !self.messages.try_take(now) {
                    socket
                        .error(
                            id,
                            &error(ErrorCode::RateLimited, "too many messages; slow down"),
                        )
                        .await;
                    return Step::Bad;
                }
                // Handed to the core without waiting for the answer, so pushes keep
                // flowing to the visitor meanwhile (see `Socket::answer_later`).
                let answer = self
                    .app
                    .hub
                    .visitor_call_queued(chat, self.link.conn, VisitorCall::Message(message))
                    .await;
                let id = raw.id.clone();
                socket.answer_later(async move { reply_frame(&id, answer.await) });
                Step::Continue
            }
            VisitorRequest::TypingSet(typing) => {
                // Typing is ephemeral: the excess is dropped without a word.
                if let Some(chat) = self.chat
                    && self.typing.try_take(now)
                {
                    // Relayed in order with the messages; nothing to wait for.
                    drop(
                        self.app
                            .hub
                            .visitor_call_queued(chat, self.link.conn, VisitorCall::Typing(typing))
                            .await,
                    );
                }
                socket.ok(id, &Done {}).await;
                Step::Continue
            }
            VisitorRequest::ChatEnd(_) => {
                let Some(chat) = self.chat else {
                    socket
                        .error(
                            id,
                            &error(ErrorCode::InvalidState, "there is no chat to end"),
                        )
                        .await;
                    return Step::Continue;
                };
                let result = self
                    .app
                    .hub
                    .visitor_call(chat, self.link.conn, VisitorCall::End)
                    .await;
                if result.is_ok() {
                    self.chat = None;
                }
                reply(socket, id, result).await;
                Step::Continue
            }
            VisitorRequest::OfflineSend(send) => {
                // An offline message costs what a chat costs: both reach the agents.
                if !self.app.visitor_chats.try_take(&self.peer.ip, now) {
                    socket
                        .error(
                            id,
                            &error(
                                ErrorCode::RateLimited,
                                "too many messages from this address; try later",
                            ),
                        )
                        .await;
                    return Step::Bad;
                }
                let result = self
                    .app
                    .hub
                    .visitor_offline(
                        self.peer.origin.clone(),
                        self.session_chat,
                        self.peer.user_agent.clone(),
                        send,
                    )
                    .await;
                match result {
                    Ok(sent) => socket.ok(id, &sent).await,
                    Err(e) => socket.error(id, &e.to_wire()).await,
                }
                Step::Continue
            }
        }
    }

    async fn finish(self) {
        if let Some(chat) = self.chat {
            self.app.hub.visitor_gone(chat, self.link.conn).await;
        }
    }
}
