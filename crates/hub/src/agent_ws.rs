//! One agent's WebSocket connection: `hello` (with resume), then requests. Reads and
//! canned responses are answered from the store; everything that changes live state
//! goes to the hub core.

use axum::extract::ws::WebSocket;
use switchboard_protocol::agent::{AgentRequest, Done};
use switchboard_protocol::{
    CloseReason, ErrorCode, RawRequest, WireError, encode_error, encode_reply,
};

use crate::connection::{self, Handler, Socket, Step};
use crate::error::Error;
use crate::http::{AppState, Session};
use crate::hub::Link;
use crate::{canned, reads};

struct AgentConnection {
    app: AppState,
    session: Session,
    link: Link,
    live: bool,
}

pub(crate) async fn serve(socket: WebSocket, app: AppState, session: Session) {
    let (link, inbox) = connection::link(app.settings.limits.connection_buffer);
    let expires_at = Some(session.expires_at);
    let handler = AgentConnection {
        app: app.clone(),
        session,
        link,
        live: false,
    };
    connection::run(socket, handler, inbox, app, expires_at).await;
}

impl Handler for AgentConnection {
    fn max_frame(&self) -> usize {
        self.app.settings.limits.max_agent_frame_bytes
    }

    fn live(&self) -> bool {
        self.live
    }

    async fn request(&mut self, raw: RawRequest, socket: &mut Socket) -> Step {
        let request: AgentRequest = match raw.decode(AgentRequest::ACTIONS) {
            Ok(r) => r,
            Err(e) => {
                socket.error(&raw.id, &e).await;
                return Step::Bad;
            }
        };
        let agent = self.session.agent.id;
        let id = raw.id.as_str();
        match request {
            AgentRequest::Hello(hello) => {
                if self.live {
                    socket
                        .error(
                            id,
                            &WireError::new(ErrorCode::InvalidState, "hello was already sent"),
                        )
                        .await;
                    return Step::Continue;
                }
                let result = self
                    .app
                    .hub
                    .agent_hello(agent, self.link.clone(), hello)
                    .await;
                match result {
                    Ok(session) => {
                        socket.ok(id, &session.welcome).await;
                        for frame in session.replay {
                            socket.send(frame).await;
                        }
                        self.live = true;
                        Step::Continue
                    }
                    Err(e) => {
                        let wire = e.to_wire();
                        socket.error(id, &wire).await;
                        if wire.code == ErrorCode::Forbidden {
                            Step::Close(CloseReason::Disabled)
                        } else {
                            Step::Continue
                        }
                    }
                }
            }
            _ if !self.live => {
                socket
                    .error(
                        id,
                        &WireError::new(ErrorCode::HelloRequired, "send hello first"),
                    )
                    .await;
                Step::Continue
            }
            AgentRequest::Ping(_) => {
                socket.ok(id, &Done {}).await;
                Step::Continue
            }
            read @ (AgentRequest::ChatEvents(_)
            | AgentRequest::ChatList(_)
            | AgentRequest::TranscriptGet(_)
            | AgentRequest::VisitorHistory(_)
            | AgentRequest::HistoryList(_)) => {
                match reads::answer(&self.app.store, agent, read).await {
                    Ok(value) => socket.ok(id, &value).await,
                    Err(e) => socket.error(id, &e.to_wire()).await,
                }
                Step::Continue
            }
            // An agent in several chats sends these back to back: each is handed to
            // the core in the order sent, and the next is read without waiting for
            // the answer.
            relay @ (AgentRequest::MessageSend(_) | AgentRequest::TypingSet(_)) => {
                let answer = self
                    .app
                    .hub
                    .agent_request_queued(agent, self.link.conn, relay)
                    .await;
                let id = raw.id;
                socket.answer_later(async move { reply_frame(&id, answer.await) });
                Step::Continue
            }
            change @ (AgentRequest::StatusSet(_)
            | AgentRequest::OfferAccept(_)
            | AgentRequest::OfferDecline(_)
            | AgentRequest::ChatEnd(_)
            | AgentRequest::QueueList(_)
            | AgentRequest::SyncSnapshot(_)
            | AgentRequest::MissedList(_)
            | AgentRequest::MissedClaim(_)
            | AgentRequest::MissedRelease(_)
            | AgentRequest::MissedReply(_)
            | AgentRequest::MissedClose(_)
            | AgentRequest::ChatTransfer(_)
            | AgentRequest::TransferTargets(_)
            | AgentRequest::WrapUpSubmit(_)) => {
                let result = self
                    .app
                    .hub
                    .agent_request(agent, self.link.conn, change)
                    .await;
                reply(socket, id, result).await;
                Step::Continue
            }
            canned @ (AgentRequest::CannedList(_)
            | AgentRequest::CannedSave(_)
            | AgentRequest::CannedDelete(_)) => {
                let result = canned::answer(&self.app.store, &self.app.clock, agent, canned).await;
                reply(socket, id, result).await;
                Step::Continue
            }
        }
    }

    async fn finish(self) {
        if self.live {
            self.app
                .hub
                .agent_gone(self.session.agent.id, self.link.conn)
                .await;
        }
    }
}

pub(crate) async fn reply(socket: &mut Socket, id: &str, result: Result<serde_json::Value, Error>) {
    socket.answer(reply_frame(id, result)).await;
}

pub(crate) fn reply_frame(id: &str, result: Result<serde_json::Value, Error>) -> String {
    match result {
        Ok(value) => encode_reply(id, &value),
        Err(e) => encode_error(id, &e.to_wire()),
    }
}
