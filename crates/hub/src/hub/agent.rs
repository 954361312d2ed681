//! Agent requests that change or read live state: hello and resume, status, offers,
//! messages, typing, ending chats, the snapshot (transfers and wrap-ups have their
//! own modules).

use serde::Serialize;
use serde_json::Value;
use switchboard_protocol::agent::{
    AgentPush, AgentRequest, Done, Hello, ResumeOutcome, Snapshot, StatusReply, TypingPush, Welcome,
};
use switchboard_protocol::visitor::{TypingPush as VisitorTyping, VisitorPush};
use switchboard_protocol::{
    AgentId, AgentStatus, Author, ChatId, ChatState, ClientId, CloseReason, EndReason, EndedBy,
    ErrorCode, OfferId, OfferKind, PROTOCOL_VERSION, Party, Seq, encode_push, limits,
};

use super::lifecycle::Ack;
use super::state::{Hub, Link, LiveAgent};
use super::{AgentSession, ConnId};
use crate::error::{Error, Result};
use crate::store::replies::{self, Scope};
use crate::store::{agents, chats, offers, pushes};

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    Ok(serde_json::to_value(v)?)
}

impl Hub {
    pub(super) async fn agent_hello(
        &mut self,
        id: AgentId,
        link: Link,
        hello: Hello,
    ) -> Result<AgentSession> {
        if hello.protocol != PROTOCOL_VERSION {
            return Err(Error::wire(
                ErrorCode::UnsupportedVersion,
                format!("this hub speaks protocol {PROTOCOL_VERSION}"),
            ));
        }
        let mut conn = self.store.acquire().await?;
        let record = agents::get(&mut conn, id)
            .await?
            .ok_or_else(|| Error::wire(ErrorCode::Unauthorized, "no such agent"))?;
        if record.disabled {
            return Err(Error::wire(
                ErrorCode::Forbidden,
                "this account is disabled",
            ));
        }
        for d in &record.departments {
            // Re-read on every hello, so admin changes reach a reconnecting agent.
            if let Some(dep) = crate::store::departments::get(&mut conn, d.id).await? {
                self.departments.insert(d.id, dep);
            }
        }
        let last_seq = pushes::last_seq(&mut conn, id).await?;
        let (resume, replay) = match hello.resume_after {
            None => (ResumeOutcome::Fresh, Vec::new()),
            Some(after) if after == last_seq => (ResumeOutcome::Resumed, Vec::new()),
            Some(after) if after > last_seq => (ResumeOutcome::SnapshotRequired, Vec::new()),
            Some(after) => {
                let reaches = pushes::first_kept(&mut conn, id)
                    .await?
                    .is_some_and(|first| first.0 <= after.0 + 1);
                let frames = if reaches {
                    pushes::range(&mut conn, id, after, last_seq).await?
                } else {
                    Vec::new()
                };
                // Only a gapless run from `after + 1` to the head is a resume.
                let complete = frames.len() as u64 == last_seq.0 - after.0
                    && frames
                        .iter()
                        .enumerate()
                        .all(|(i, (seq, _))| seq.0 == after.0 + 1 + i as u64);
                if complete {
                    (
                        ResumeOutcome::Resumed,
                        frames.into_iter().map(|(_, f)| f).collect(),
                    )
                } else {
                    (ResumeOutcome::SnapshotRequired, Vec::new())
                }
            }
        };
        drop(conn);

        let live = self
            .agents
            .entry(id)
            .or_insert_with(|| LiveAgent::new(record.clone()));
        live.department_ids = record.departments.iter().map(|d| d.id).collect();
        live.agent = record;
        if let Some(old) = live.link.take() {
            old.close(CloseReason::Replaced);
        }
        // A new connection never makes an agent routable by itself.
        let demoted = live.status == AgentStatus::Online;
        if demoted {
            live.status = AgentStatus::Away;
        }
        live.link = Some(link);
        live.link_generation += 1;
        let status = live.status;
        let info = live.agent.info();
        if demoted {
            let mut conn = self.store.acquire().await?;
            agents::set_status(&mut conn, id, status).await?;
        }
        tracing::info!(agent = %id, ?resume, "agent connected");
        Ok(AgentSession {
            welcome: Welcome {
                agent: info,
                status,
                last_seq,
                resume,
                heartbeat_secs: limits::HEARTBEAT_SECS,
                idle_timeout_secs: self.settings.limits.idle_timeout.as_secs(),
                server_time: self.clock.now(),
            },
            replay,
        })
    }

    pub(super) async fn agent_gone(&mut self, id: AgentId, conn: ConnId) -> Result<()> {
        let Some(agent) = self.agents.get_mut(&id) else {
            return Ok(());
        };
        if agent.link.as_ref().map(|l| l.conn) != Some(conn) {
            return Ok(());
        }
        agent.link = None;
        // Chats and open offers stay: a quick reconnect loses nothing, and an offer
        // nobody answers times out and moves on.
        let demoted = agent.status == AgentStatus::Online;
        if demoted {
            agent.status = AgentStatus::Away;
        }
        self.start_grace(id);
        if demoted {
            let mut c = self.store.acquire().await?;
            agents::set_status(&mut c, id, AgentStatus::Away).await?;
        }
        tracing::info!(agent = %id, "agent disconnected");
        Ok(())
    }

    /// The agent signed out: its connection closes and it goes offline. Its open offers
    /// move on; its chats stay until it comes back (or, later, a grace period ends).
    pub(super) async fn session_ended(&mut self, id: AgentId) -> Result<()> {
        let Some(agent) = self.agents.get_mut(&id) else {
            return Ok(());
        };
        if let Some(link) = agent.link.take() {
            link.close(CloseReason::SignedOut);
        }
        agent.status = AgentStatus::Offline;
        self.start_grace(id);
        let mut c = self.store.acquire().await?;
        agents::set_status(&mut c, id, AgentStatus::Offline).await?;
        drop(c);
        self.withdraw_offers(id).await?;
        self.dispatch().await
    }

    pub(super) async fn agent_request(
        &mut self,
        agent: AgentId,
        conn: ConnId,
        request: AgentRequest,
    ) -> Result<Value> {
        let linked = self
            .agents
            .get(&agent)
            .and_then(|a| a.link.as_ref())
            .is_some_and(|l| l.conn == conn);
        if !linked {
            return Err(Error::wire(
                ErrorCode::HelloRequired,
                "this connection has no live session; send hello",
            ));
        }
        match request {
            AgentRequest::StatusSet(r) => to_value(&self.set_status(agent, r.status).await?),
            AgentRequest::OfferAccept(r) => self.offer_accept(agent, r.offer_id).await,
            AgentRequest::OfferDecline(r) => {
                self.offer_decline(agent, r.offer_id).await?;
                to_value(&Done {})
            }
            AgentRequest::MessageSend(r) => {
                self.agent_message(agent, r.chat_id, r.client_id, r.text)
                    .await
            }
            AgentRequest::TypingSet(r) => {
                self.held(agent, r.chat_id).await?;
                let link = self.chats.get(&r.chat_id).and_then(|c| c.visitor.clone());
                if let Some(link) = link {
                    let _ = link.send(encode_push(
                        &VisitorPush::Typing(VisitorTyping { typing: r.typing }),
                        None,
                    ));
                }
                to_value(&Done {})
            }
            AgentRequest::ChatEnd(r) => self.agent_end(agent, r.chat_id, r.client_id).await,
            AgentRequest::SyncSnapshot(_) => to_value(&self.snapshot(agent).await?),
            AgentRequest::QueueList(_) => {
                let departments = self.live_agent(agent).await?.department_ids.clone();
                let mut queues = self.queues();
                let entries = departments
                    .iter()
                    .flat_map(|d| queues.remove(d).unwrap_or_default())
                    .collect();
                to_value(&switchboard_protocol::agent::Queue { entries })
            }
            missed @ (AgentRequest::MissedList(_)
            | AgentRequest::MissedClaim(_)
            | AgentRequest::MissedRelease(_)
            | AgentRequest::MissedReply(_)
            | AgentRequest::MissedClose(_)) => self.missed_request(agent, missed).await,
            AgentRequest::ChatTransfer(r) => self.chat_transfer(agent, r).await,
            AgentRequest::TransferTargets(_) => to_value(&self.transfer_targets(agent).await?),
            AgentRequest::WrapUpSubmit(r) => self.wrap_up_submit(agent, r).await,
            other => Err(Error::wire(
                ErrorCode::InvalidState,
                format!("`{}` is not available on this hub yet", other.action()),
            )),
        }
    }

    async fn set_status(&mut self, id: AgentId, status: AgentStatus) -> Result<StatusReply> {
        let mut c = self.store.acquire().await?;
        agents::set_status(&mut c, id, status).await?;
        drop(c);
        self.live_agent(id).await?.status = status;
        if status == AgentStatus::Online {
            self.dispatch().await?;
        } else {
            self.withdraw_offers(id).await?;
            self.dispatch().await?;
        }
        tracing::info!(agent = %id, ?status, "agent status set");
        Ok(StatusReply { status })
    }

    async fn offer_accept(&mut self, agent: AgentId, offer: OfferId) -> Result<Value> {
        match self.offers.get(&offer) {
            Some(o) if o.agent == agent && o.kind == OfferKind::Transfer => {
                return to_value(&self.accept_transfer(offer, agent).await?);
            }
            Some(o) if o.agent == agent => return to_value(&self.accept(offer, agent).await?),
            Some(_) => return Err(Error::wire(ErrorCode::NotFound, "no such offer")),
            None => {}
        }
        // Not open any more: answer a repeated accept as the first one, else say why.
        let mut conn = self.store.acquire().await?;
        let row = offers::get(&mut conn, offer)
            .await?
            .filter(|o| o.agent_id == agent.0)
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such offer"))?;
        match row.end_reason.as_deref() {
            Some("accepted") => {
                let chat = ChatId(row.chat_id);
                let summary = chats::summary(&mut conn, chat)
                    .await?
                    .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
                let events = chats::all_events(&mut conn, chat).await?;
                to_value(&switchboard_protocol::agent::Accepted {
                    chat: summary,
                    events,
                })
            }
            Some("timeout") => Err(Error::wire(
                ErrorCode::InvalidState,
                "this offer has timed out",
            )),
            Some("visitor_left") => {
                Err(Error::wire(ErrorCode::InvalidState, "the visitor has left"))
            }
            _ => Err(Error::wire(
                ErrorCode::InvalidState,
                "this offer is no longer open",
            )),
        }
    }

    async fn offer_decline(&mut self, agent: AgentId, offer: OfferId) -> Result<()> {
        match self.offers.get(&offer) {
            Some(o) if o.agent == agent => {
                self.close_offer(offer, switchboard_protocol::OfferEnd::Declined)
                    .await?;
                self.dispatch().await
            }
            Some(_) => Err(Error::wire(ErrorCode::NotFound, "no such offer")),
            None => {
                let mut conn = self.store.acquire().await?;
                match offers::get(&mut conn, offer).await? {
                    // Declining again, or after it moved on, changes nothing.
                    Some(o)
                        if o.agent_id == agent.0 && o.end_reason.as_deref() != Some("accepted") =>
                    {
                        Ok(())
                    }
                    Some(o) if o.agent_id == agent.0 => Err(Error::wire(
                        ErrorCode::InvalidState,
                        "this offer was accepted",
                    )),
                    _ => Err(Error::wire(ErrorCode::NotFound, "no such offer")),
                }
            }
        }
    }

    /// The chat, if this agent holds it and it is active; the typed error otherwise.
    pub(super) async fn held(&self, agent: AgentId, chat: ChatId) -> Result<()> {
        if let Some(c) = self.chats.get(&chat) {
            return if c.agent == Some(agent) && c.state == ChatState::Active {
                Ok(())
            } else {
                Err(Error::wire(
                    ErrorCode::Forbidden,
                    "you do not hold this chat",
                ))
            };
        }
        let mut conn = self.store.acquire().await?;
        match chats::get(&mut conn, chat).await? {
            None => Err(Error::wire(ErrorCode::NotFound, "no such chat")),
            Some(row) if row.agent_id == Some(agent.0) => {
                Err(Error::wire(ErrorCode::InvalidState, "the chat has ended"))
            }
            Some(_) => Err(Error::wire(
                ErrorCode::Forbidden,
                "you do not hold this chat",
            )),
        }
    }

    async fn stored_reply(&self, scope: Scope, client_id: &ClientId) -> Result<Option<Value>> {
        let mut conn = self.store.acquire().await?;
        match replies::get(&mut conn, scope, client_id.as_str()).await? {
            Some(json) => Ok(Some(serde_json::from_str(&json)?)),
            None => Ok(None),
        }
    }

    async fn agent_message(
        &mut self,
        agent: AgentId,
        chat: ChatId,
        client_id: ClientId,
        text: String,
    ) -> Result<Value> {
        // The check for a retry is part of storing the message (see `add_message`);
        // a retry of a message stored before its chat ended is answered here.
        let (name, text) = match self.message_allowed(agent, chat, text).await {
            Ok(allowed) => allowed,
            Err(e) => {
                return match self.stored_reply(Scope::Agent(agent.0), &client_id).await? {
                    Some(reply) => Ok(reply),
                    None => Err(e),
                };
            }
        };
        let json = self
            .add_message(
                chat,
                Author::Agent { id: agent, name },
                text,
                Some(client_id),
                Ack::Agent(agent),
            )
            .await?;
        Ok(serde_json::from_str(&json)?)
    }

    /// The agent's name and the checked text, when the agent may send it in `chat`.
    async fn message_allowed(
        &mut self,
        agent: AgentId,
        chat: ChatId,
        text: String,
    ) -> Result<(String, String)> {
        let text = checked_text(text)?;
        self.held(agent, chat).await?;
        let name = self.live_agent(agent).await?.agent.name.clone();
        Ok((name, text))
    }

    async fn agent_end(
        &mut self,
        agent: AgentId,
        chat: ChatId,
        client_id: ClientId,
    ) -> Result<Value> {
        let scope = Scope::Agent(agent.0);
        if let Some(reply) = self.stored_reply(scope, &client_id).await? {
            return Ok(reply);
        }
        self.held(agent, chat).await?;
        let summary = self
            .end_chat(
                chat,
                EndedBy::Agent,
                EndReason::Closed,
                None,
                Some((scope, &client_id)),
            )
            .await?;
        self.dispatch().await?;
        to_value(&switchboard_protocol::agent::ChatEnded { chat: summary })
    }

    /// Send the visitor's typing state (and draft preview) to the agent holding the chat.
    pub(super) fn relay_visitor_typing(&self, chat: ChatId, typing: bool, preview: Option<String>) {
        let Some(agent) = self
            .chats
            .get(&chat)
            .filter(|c| c.state == ChatState::Active)
            .and_then(|c| c.agent)
        else {
            return;
        };
        let preview = preview.map(|p| p.chars().take(limits::MAX_PREVIEW_CHARS).collect());
        self.tell_agent(
            agent,
            &AgentPush::Typing(TypingPush {
                chat_id: chat,
                party: Party::Visitor,
                typing,
                preview,
            }),
        );
    }

    async fn snapshot(&mut self, agent: AgentId) -> Result<Snapshot> {
        let (status, offer_ids, department_ids) = {
            let a = self.live_agent(agent).await?;
            (
                a.status,
                a.offers.iter().copied().collect::<Vec<_>>(),
                a.department_ids.clone(),
            )
        };
        let mut offers = Vec::new();
        for id in offer_ids {
            if let Some(offer) = self.offer_for(id).await? {
                offers.push(offer);
            }
        }
        let mut conn = self.store.acquire().await?;
        let seq: Seq = pushes::last_seq(&mut conn, agent).await?;
        let chats = chats::held(&mut conn, agent).await?;
        drop(conn);
        let mut queues = self.queues();
        let mut queue = Vec::new();
        let mut departments = Vec::new();
        for id in department_ids {
            queue.extend(queues.remove(&id).unwrap_or_default());
            if let Some(d) = self.departments.get(&id) {
                departments.push(d.info());
            }
        }
        Ok(Snapshot {
            seq,
            status,
            offers,
            chats,
            queue,
            missed: self.missed_for(agent).await?,
            departments,
            server_time: self.clock.now(),
        })
    }
}

/// A message as typed: not blank, not over the limit.
pub(super) fn checked_text(text: String) -> Result<String> {
    if text.trim().is_empty() {
        return Err(Error::wire(
            ErrorCode::BadRequest,
            "a message needs some text",
        ));
    }
    if limits::char_len(&text) > limits::MAX_MESSAGE_CHARS {
        return Err(Error::wire(
            ErrorCode::TooLarge,
            format!(
                "a message may have at most {} characters",
                limits::MAX_MESSAGE_CHARS
            ),
        ));
    }
    Ok(text)
}
