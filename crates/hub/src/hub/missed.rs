//! Missed chats in the hub core: how a chat becomes one (the visitor left before anyone
//! accepted, it waited past the department's maximum, nobody was available, or the
//! department was closed), the visitor's offline message, and the list agents work
//! from with its claims, replies and closing.
//!
//! The list is visible to the members of the missed chat's department (not to skill
//! holders from other departments): they get `missed.new` / `missed.updated` as
//! durable pushes. Claims are decided here, in the one task that owns hub state, so
//! of two agents claiming at once exactly one wins.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;
use serde_json::Value;
use switchboard_protocol::agent::{
    AgentPush, AgentRequest, MissedChats, MissedPush, MissedUpdated, OfferClosed,
};
use switchboard_protocol::visitor::{
    OfflineSend, OfflineSent, StatePush, VisitorChatState, VisitorPush,
};
use switchboard_protocol::{
    AgentId, Author, ChatId, ChatState, ClientId, EmailId, EndReason, EndedBy, ErrorCode,
    EventBody, MissedChat, MissedChatId, MissedReason, MissedState, OfferEnd, Role, limits,
};

use super::change::Change;
use super::state::Hub;
use super::timers::Timer;
use super::{Reply, VisitorOrigin};
use crate::auth;
use crate::clock::{from_millis, secs, to_millis};
use crate::email::compose::{self, ReplyContext};
use crate::email::delivery::Attempt;
use crate::error::{Error, Result};
use crate::store::chats::{self, ChatRow, NewChat};
use crate::store::departments::{self, Department};
use crate::store::missed::{self, MissedRow};
use crate::store::replies::{self, Scope};
use crate::store::{SqliteConnection, emails, offers};

/// How far back replied and closed missed chats stay in the list.
const RECENT: TimeDelta = TimeDelta::days(7);

/// Requests to the core about missed chats that do not come from an agent request.
pub(crate) enum MissedCommand {
    /// A visitor leaves a message through the offline form.
    Offline {
        origin: VisitorOrigin,
        /// The chat this connection started or re-attached to, if any.
        session_chat: Option<ChatId>,
        user_agent: Option<String>,
        send: Box<OfflineSend>,
        reply: Reply<OfflineSent>,
    },
    /// The email worker tried to deliver an email.
    Attempted { email: EmailId, attempt: Attempt },
}

/// Points in time that matter to missed chats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MissedTimer {
    /// A claim taken (or renewed) to expire then lapses unless renewed since.
    ClaimExpiry(MissedChatId, DateTime<Utc>),
    /// The chat has waited in the queue for its department's maximum.
    QueueTimeout(ChatId),
    /// An outbox email is due for another try.
    EmailDue(EmailId),
}

fn to_value<T: Serialize>(v: &T) -> Result<Value> {
    Ok(serde_json::to_value(v)?)
}

fn not_found() -> Error {
    Error::wire(ErrorCode::NotFound, "no such missed chat")
}

/// What the visitor of a chat that is over is shown, from its store row.
pub(super) async fn closed_chat_state(
    conn: &mut SqliteConnection,
    row: &ChatRow,
) -> Result<VisitorChatState> {
    let ended_by = row
        .ended_by
        .as_deref()
        .and_then(|b| crate::store::parse_enum(b).ok())
        .unwrap_or(EndedBy::System);
    if row.state() != ChatState::Missed {
        return Ok(VisitorChatState::Ended { by: ended_by });
    }
    Ok(match missed::by_chat(conn, row.chat_id()).await? {
        Some(m) => missed_visitor_state(m.reason(), m.has_offline_message()),
        None => VisitorChatState::Ended { by: ended_by },
    })
}

/// The visitor's view of a missed chat: a visitor who left sees the chat ended; the
/// others are offered the offline form until they have used it.
fn missed_visitor_state(reason: MissedReason, has_offline_message: bool) -> VisitorChatState {
    match reason {
        MissedReason::VisitorLeft => VisitorChatState::Ended {
            by: EndedBy::Visitor,
        },
        _ => VisitorChatState::Missed {
            offline_form: !has_offline_message,
        },
    }
}

impl Hub {
    pub(super) async fn missed_command(&mut self, command: MissedCommand) {
        match command {
            MissedCommand::Offline {
                origin,
                session_chat,
                user_agent,
                send,
                reply,
            } => {
                let result = self
                    .visitor_offline(&origin, session_chat, user_agent, *send)
                    .await;
                if let Err(e) = &result
                    && !e.is_peer_error()
                {
                    tracing::error!(error = %e, "offline message failed");
                }
                let _ = reply.send(result);
            }
            MissedCommand::Attempted { email, attempt } => {
                if let Err(e) = self.email_attempted(email, attempt).await {
                    tracing::error!(error = %e, email = %email, "recording an email attempt failed");
                }
            }
        }
    }

    pub(super) async fn fire_missed(&mut self, timer: MissedTimer) -> Result<()> {
        match timer {
            MissedTimer::ClaimExpiry(id, at) => self.claim_lapsed(id, at).await,
            MissedTimer::QueueTimeout(chat) => self.queue_timeout(chat).await,
            MissedTimer::EmailDue(email) => self.email_due(email).await,
        }
    }

    /// Why a new chat of `department` cannot be taken now, if it cannot: outside its
    /// opening hours, or nobody (backup routing included) could take it.
    pub(super) fn unavailable(&self, department: &Department) -> Option<MissedReason> {
        if !department.is_open(self.clock.now()) {
            Some(MissedReason::Closed)
        } else if !self.department_available(department) {
            Some(MissedReason::NoAgents)
        } else {
            None
        }
    }

    /// A chat just started: missed at once when nobody can take it, else offered or
    /// queued, with the department's maximum wait armed.
    pub(super) async fn place_new_chat(
        &mut self,
        chat: ChatId,
        department: &Department,
    ) -> Result<()> {
        if let Some(reason) = self.unavailable(department) {
            return self.miss_chat(chat, reason, false).await;
        }
        let created_at = self
            .chats
            .get(&chat)
            .map_or(self.clock.now(), |c| c.created_at);
        self.timers.add(
            created_at + secs(department.settings.max_wait_secs),
            Timer::Missed(MissedTimer::QueueTimeout(chat)),
        );
        self.dispatch().await
    }

    /// Give up an open chat nobody accepted: it ends and enters the missed list, with
    /// the department's agents told. A chat some agent accepted before (and lost
    /// through the grace period) was not missed; it simply ends.
    pub(super) async fn miss_chat(
        &mut self,
        chat: ChatId,
        reason: MissedReason,
        tell_visitor: bool,
    ) -> Result<()> {
        let (by, end_reason) = match reason {
            MissedReason::VisitorLeft => (EndedBy::Visitor, EndReason::VisitorLeft),
            _ => (EndedBy::System, EndReason::Missed),
        };
        let Some(c) = self.chats.get(&chat) else {
            return Ok(());
        };
        let (department, offer, link) = (c.department, c.offer, c.visitor.clone());
        if self.accepted_before(chat).await? {
            self.end_chat(chat, by, end_reason, None, None).await?;
            return Ok(());
        }
        let offered_to = offer.and_then(|o| self.offers.get(&o)).map(|o| o.agent);
        let mut change = self.begin().await?;
        let now = change.now;
        if let (Some(offer), Some(offered_to)) = (offer, offered_to) {
            let why = if reason == MissedReason::VisitorLeft {
                OfferEnd::VisitorLeft
            } else {
                OfferEnd::Cancelled
            };
            offers::end(change.conn(), offer, to_millis(now), why).await?;
            change
                .push(
                    offered_to,
                    AgentPush::OfferClosed(OfferClosed {
                        offer_id: offer,
                        chat_id: chat,
                        reason: why,
                    }),
                )
                .await?;
        }
        chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Ended {
                by,
                reason: end_reason,
            },
        )
        .await?;
        missed::end_chat(change.conn(), chat, to_millis(now), by, end_reason).await?;
        let id = missed::insert(change.conn(), chat, department, reason, to_millis(now)).await?;
        tell_department(&mut change, id, true).await?;
        if tell_visitor {
            change.tell_visitor(
                link.as_ref(),
                &VisitorPush::State(StatePush {
                    state: missed_visitor_state(reason, false),
                }),
            );
        }
        self.commit(change).await?;

        self.chats.remove(&chat);
        if let Some(offer) = offer {
            self.offers.remove(&offer);
            if let Some(a) = offered_to.and_then(|a| self.agents.get_mut(&a)) {
                a.offers.remove(&offer);
            }
        }
        tracing::info!(chat = %chat, missed = %id, ?reason, "chat missed");
        Ok(())
    }

    async fn accepted_before(&self, chat: ChatId) -> Result<bool> {
        let mut conn = self.store.acquire().await?;
        Ok(chats::get(&mut conn, chat)
            .await?
            .is_some_and(|row| row.accepted_at.is_some()))
    }

    /// A queued chat has waited its department's maximum: it is missed and the visitor
    /// is offered the offline form. One being offered right now gets until the offer
    /// ends; one an agent accepted before (back in the queue after that agent dropped)
    /// was never missed and keeps waiting.
    async fn queue_timeout(&mut self, chat: ChatId) -> Result<()> {
        if !self.chats.contains_key(&chat) || self.accepted_before(chat).await? {
            return Ok(());
        }
        let Some(c) = self.chats.get(&chat) else {
            return Ok(());
        };
        match c.state {
            ChatState::Queued => {
                self.miss_chat(chat, MissedReason::QueueTimeout, true)
                    .await?;
                self.dispatch().await
            }
            ChatState::Offered => {
                if let Some(offer) = c.offer.and_then(|o| self.offers.get(&o)) {
                    let at = offer.expires_at;
                    self.timers
                        .add(at, Timer::Missed(MissedTimer::QueueTimeout(chat)));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// After a restart: arm the maximum wait of waiting chats, claim expiries and the
    /// email outbox.
    pub(crate) async fn recover_missed(&mut self) -> Result<()> {
        let waiting: Vec<(ChatId, DateTime<Utc>, switchboard_protocol::DepartmentId)> = self
            .chats
            .values()
            .filter(|c| c.state != ChatState::Active)
            .map(|c| (c.id, c.created_at, c.department))
            .collect();
        for (chat, created_at, department) in waiting {
            let max_wait = self.department(department).await?.settings.max_wait_secs;
            self.timers.add(
                created_at + secs(max_wait),
                Timer::Missed(MissedTimer::QueueTimeout(chat)),
            );
        }
        let mut conn = self.store.acquire().await?;
        let claimed = missed::claimed(&mut conn).await?;
        drop(conn);
        for row in claimed {
            let at = from_millis(row.claim_expires_at.unwrap_or(0));
            self.timers.add(
                at,
                Timer::Missed(MissedTimer::ClaimExpiry(row.missed_id(), at)),
            );
        }
        self.recover_outbox().await
    }

    /// The missed chats an agent sees: its departments' open and claimed ones, and
    /// those replied or closed in the last 7 days.
    pub(super) async fn missed_for(&self, agent: AgentId) -> Result<Vec<MissedChat>> {
        let since = to_millis(self.clock.now() - RECENT);
        let mut conn = self.store.acquire().await?;
        let mut out = Vec::new();
        for id in missed::listed_for(&mut conn, agent, since).await? {
            if let Some(view) = missed::view(&mut conn, id).await? {
                out.push(view);
            }
        }
        Ok(out)
    }

    pub(super) async fn missed_request(
        &mut self,
        agent: AgentId,
        request: AgentRequest,
    ) -> Result<Value> {
        match request {
            AgentRequest::MissedList(_) => to_value(&MissedChats {
                missed: self.missed_for(agent).await?,
            }),
            AgentRequest::MissedClaim(r) => to_value(&self.claim(agent, r.missed_id).await?),
            AgentRequest::MissedRelease(r) => to_value(&self.release(agent, r.missed_id).await?),
            AgentRequest::MissedClose(r) => to_value(&self.close(agent, r.missed_id).await?),
            AgentRequest::MissedReply(r) => {
                self.reply(agent, r.missed_id, r.client_id, r.text).await
            }
            other => Err(Error::wire(
                ErrorCode::Internal,
                format!("`{}` is not a missed-chat request", other.action()),
            )),
        }
    }

    /// The entry, if it exists and the agent may work on it (a member of its
    /// department).
    async fn missed_row(&mut self, agent: AgentId, id: MissedChatId) -> Result<MissedRow> {
        let departments = self.live_agent(agent).await?.department_ids.clone();
        let mut conn = self.store.acquire().await?;
        let row = missed::get(&mut conn, id).await?.ok_or_else(not_found)?;
        if !departments.contains(&row.department()) {
            return Err(Error::wire(
                ErrorCode::Forbidden,
                "this missed chat belongs to a department you are not in",
            ));
        }
        Ok(row)
    }

    async fn agent_name(&self, agent: i64) -> Result<String> {
        let mut conn = self.store.acquire().await?;
        let name = missed::agent_name(&mut conn, AgentId(agent)).await?;
        Ok(name.unwrap_or_else(|| "another agent".into()))
    }

    /// Someone else holds a live claim on the entry: who, for the error message.
    async fn other_holder(&self, agent: AgentId, row: &MissedRow) -> Result<Option<String>> {
        match row.claimed_by {
            Some(holder) if row.state() == MissedState::Claimed && holder != agent.0 => {
                Ok(Some(self.agent_name(holder).await?))
            }
            _ => Ok(None),
        }
    }

    async fn claim(&mut self, agent: AgentId, id: MissedChatId) -> Result<MissedUpdated> {
        let row = self.missed_row(agent, id).await?;
        if row.state() == MissedState::Closed {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "this missed chat is closed",
            ));
        }
        if let Some(holder) = self.other_holder(agent, &row).await? {
            let until = from_millis(row.claim_expires_at.unwrap_or(0));
            return Err(Error::wire(
                ErrorCode::Conflict,
                format!(
                    "{holder} has claimed this missed chat (until {})",
                    until.format("%H:%M UTC")
                ),
            ));
        }
        let ttl =
            TimeDelta::from_std(self.settings.missed_claim_ttl).unwrap_or(TimeDelta::minutes(15));
        let mut change = self.begin().await?;
        let now = change.now;
        let expires = now + ttl;
        missed::set_state(
            change.conn(),
            id,
            MissedState::Claimed,
            Some(agent),
            Some(to_millis(expires)),
            to_millis(now),
        )
        .await?;
        let view = tell_department(&mut change, id, false).await?;
        self.commit(change).await?;
        self.timers.add(
            expires,
            Timer::Missed(MissedTimer::ClaimExpiry(id, expires)),
        );
        tracing::info!(missed = %id, agent = %agent, %expires, "missed chat claimed");
        Ok(MissedUpdated { missed: view })
    }

    async fn release(&mut self, agent: AgentId, id: MissedChatId) -> Result<MissedUpdated> {
        let row = self.missed_row(agent, id).await?;
        if let Some(holder) = self.other_holder(agent, &row).await? {
            return Err(Error::wire(
                ErrorCode::Forbidden,
                format!("{holder} holds the claim on this missed chat, not you"),
            ));
        }
        if row.state() != MissedState::Claimed {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "this missed chat is not claimed",
            ));
        }
        let view = self.unclaim(id).await?;
        tracing::info!(missed = %id, agent = %agent, "missed chat released");
        Ok(MissedUpdated { missed: view })
    }

    /// End a claim: the entry is open again, or replied if it was answered before.
    async fn unclaim(&mut self, id: MissedChatId) -> Result<MissedChat> {
        let mut change = self.begin().await?;
        let answered = !emails::for_missed(change.conn(), id).await?.is_empty();
        let state = if answered {
            MissedState::Replied
        } else {
            MissedState::Open
        };
        let now = change.now;
        missed::set_state(change.conn(), id, state, None, None, to_millis(now)).await?;
        let view = tell_department(&mut change, id, false).await?;
        self.commit(change).await?;
        Ok(view)
    }

    async fn claim_lapsed(&mut self, id: MissedChatId, at: DateTime<Utc>) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        let still = missed::get(&mut conn, id).await?.is_some_and(|row| {
            row.state() == MissedState::Claimed && row.claim_expires_at == Some(to_millis(at))
        });
        drop(conn);
        if still {
            self.unclaim(id).await?;
            tracing::info!(missed = %id, "claim on missed chat expired");
        }
        Ok(())
    }

    async fn close(&mut self, agent: AgentId, id: MissedChatId) -> Result<MissedUpdated> {
        let row = self.missed_row(agent, id).await?;
        if row.state() == MissedState::Closed {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "this missed chat is already closed",
            ));
        }
        let admin = self.live_agent(agent).await?.agent.role == Role::Admin;
        if let Some(holder) = self.other_holder(agent, &row).await?
            && !admin
        {
            return Err(Error::wire(
                ErrorCode::Conflict,
                format!(
                    "{holder} has claimed this missed chat; only they or an admin may close it"
                ),
            ));
        }
        let mut change = self.begin().await?;
        let now = change.now;
        missed::set_state(
            change.conn(),
            id,
            MissedState::Closed,
            row.claimed_by.map(AgentId),
            None,
            to_millis(now),
        )
        .await?;
        let view = tell_department(&mut change, id, false).await?;
        self.commit(change).await?;
        tracing::info!(missed = %id, agent = %agent, "missed chat closed");
        Ok(MissedUpdated { missed: view })
    }

    /// Answer a claimed missed chat by email: the email enters the durable outbox and
    /// the reply the chat's transcript, in one transaction; delivery follows.
    async fn reply(
        &mut self,
        agent: AgentId,
        id: MissedChatId,
        client_id: ClientId,
        text: String,
    ) -> Result<Value> {
        let scope = Scope::Agent(agent.0);
        let mut conn = self.store.acquire().await?;
        if let Some(json) = replies::get(&mut conn, scope, client_id.as_str()).await? {
            return Ok(serde_json::from_str(&json)?);
        }
        drop(conn);
        if text.trim().is_empty() {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "a reply needs some text",
            ));
        }
        if limits::char_len(&text) > limits::MAX_NOTE_CHARS {
            return Err(Error::wire(
                ErrorCode::TooLarge,
                format!(
                    "a reply may have at most {} characters",
                    limits::MAX_NOTE_CHARS
                ),
            ));
        }
        let row = self.missed_row(agent, id).await?;
        match row.state() {
            MissedState::Closed => {
                return Err(Error::wire(
                    ErrorCode::InvalidState,
                    "this missed chat is closed",
                ));
            }
            MissedState::Claimed if row.claimed_by == Some(agent.0) => {}
            MissedState::Claimed => {
                let holder = self.agent_name(row.claimed_by.unwrap_or_default()).await?;
                return Err(Error::wire(
                    ErrorCode::Conflict,
                    format!("{holder} has claimed this missed chat; only they may reply now"),
                ));
            }
            MissedState::Open | MissedState::Replied => {
                return Err(Error::wire(
                    ErrorCode::Forbidden,
                    "claim this missed chat before replying, so nobody else answers it too",
                ));
            }
        }
        let mut conn = self.store.acquire().await?;
        let chat = chats::summary(&mut conn, row.chat())
            .await?
            .ok_or_else(not_found)?;
        let Some(to) = chat
            .visitor
            .email
            .clone()
            .filter(|e| crate::email::answerable(Some(e)))
        else {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "the visitor left no email address, so this missed chat cannot be answered by email",
            ));
        };
        let visitor_messages: Vec<String> = chats::all_events(&mut conn, row.chat())
            .await?
            .into_iter()
            .filter_map(|e| match e.body {
                EventBody::Message {
                    author: Author::Visitor { .. },
                    text,
                    ..
                } => Some(text),
                _ => None,
            })
            .collect();
        drop(conn);
        let agent_name = self.live_agent(agent).await?.agent.name.clone();
        let context = ReplyContext {
            visitor_name: &chat.visitor.name,
            question: &chat.question,
            department: &chat.department.name,
            site: chat.visitor.site.as_deref(),
            agent_name: &agent_name,
            visitor_messages: &visitor_messages,
            asked_at: chat.created_at,
        };
        let subject = compose::subject(&context);
        let body = compose::body(&text, &context);
        let nonce = format!("{:016x}", rand::random::<u64>());

        let mut change = self.begin().await?;
        let now = change.now;
        let email_settings = self.settings.email.clone();
        let email = emails::insert(
            change.conn(),
            &emails::NewEmail {
                missed: id,
                chat: row.chat(),
                agent,
                client_id: client_id.as_str(),
                to_name: &chat.visitor.name,
                to_address: &to,
                subject: &subject,
                text: &text,
                body: &body,
                nonce: &nonce,
            },
            to_millis(now),
            |row_id| compose::message_id(row_id, &nonce, &email_settings),
        )
        .await?;
        chats::append_event(
            change.conn(),
            row.chat(),
            now,
            EventBody::EmailReply {
                agent: switchboard_protocol::AgentRef {
                    id: agent,
                    name: agent_name,
                },
                to,
                subject,
                text,
                email_id: email,
            },
        )
        .await?;
        missed::set_state(
            change.conn(),
            id,
            MissedState::Replied,
            Some(agent),
            None,
            to_millis(now),
        )
        .await?;
        let view = tell_department(&mut change, id, false).await?;
        let json = serde_json::to_string(&MissedUpdated { missed: view })?;
        replies::put(
            change.conn(),
            scope,
            client_id.as_str(),
            &json,
            to_millis(now),
        )
        .await?;
        self.commit(change).await?;
        tracing::info!(missed = %id, agent = %agent, email = %email, "missed chat answered by email");
        self.email_due(email).await?;
        Ok(serde_json::from_str(&json)?)
    }

    /// The offline form: attached to the session's missed chat when it has one (not yet
    /// closed, no offline message yet), else a new missed chat of the named
    /// department. A retry with the same client id from the same address gets the
    /// same entry.
    async fn visitor_offline(
        &mut self,
        origin: &VisitorOrigin,
        session_chat: Option<ChatId>,
        user_agent: Option<String>,
        send: OfflineSend,
    ) -> Result<OfflineSent> {
        let form = checked_offline(&send, user_agent)?;
        let mut conn = self.store.acquire().await?;
        if let Some(row) =
            missed::by_offline(&mut conn, &origin.remote_addr, send.client_id.as_str()).await?
        {
            return Ok(OfflineSent {
                missed_id: row.missed_id(),
            });
        }
        let attach = match session_chat {
            Some(chat) if self.chats.contains_key(&chat) => {
                return Err(Error::wire(
                    ErrorCode::InvalidState,
                    "your chat is still open; end it before leaving a message",
                ));
            }
            Some(chat) => missed::by_chat(&mut conn, chat)
                .await?
                .filter(|m| m.state() != MissedState::Closed && !m.has_offline_message()),
            None => None,
        };
        let author = Author::Visitor {
            name: form.name.clone(),
        };
        let message = EventBody::Message {
            author,
            text: form.message.clone(),
            client_id: Some(send.client_id.clone()),
        };
        if let Some(row) = attach {
            drop(conn);
            let mut change = self.begin().await?;
            let now = change.now;
            chats::append_event(change.conn(), row.chat(), now, message).await?;
            missed::set_visitor_email(change.conn(), row.chat(), &form.email).await?;
            missed::set_offline(
                change.conn(),
                row.missed_id(),
                &origin.remote_addr,
                send.client_id.as_str(),
                to_millis(now),
            )
            .await?;
            tell_department(&mut change, row.missed_id(), false).await?;
            self.commit(change).await?;
            tracing::info!(missed = %row.missed_id(), "offline message added to a missed chat");
            return Ok(OfflineSent {
                missed_id: row.missed_id(),
            });
        }

        let department = departments::by_name(&mut conn, &send.department)
            .await?
            .ok_or_else(|| {
                Error::wire(
                    ErrorCode::NotFound,
                    format!("no department named `{}`", send.department.trim()),
                )
            })?;
        drop(conn);
        // The visitor never gets a token for an offline message: it is not a chat they
        // can come back to.
        let token_hash = auth::token_hash(&auth::new_token());
        let mut change = self.begin().await?;
        let now = change.now;
        let chat = chats::insert(
            change.conn(),
            &NewChat {
                department: department.id,
                site: Some(origin.site),
                site_host: Some(&origin.host),
                required_skill: None,
                visitor_name: &form.name,
                visitor_email: Some(&form.email),
                question: &form.message,
                page_url: form.page_url.as_deref(),
                user_agent: form.user_agent.as_deref(),
                remote_addr: &origin.remote_addr,
                token_hash: &token_hash,
                start_client_id: send.client_id.as_str(),
            },
            to_millis(now),
        )
        .await?;
        chats::append_event(change.conn(), chat, now, message).await?;
        missed::end_chat(
            change.conn(),
            chat,
            to_millis(now),
            EndedBy::Visitor,
            EndReason::Missed,
        )
        .await?;
        let id = missed::insert(
            change.conn(),
            chat,
            department.id,
            MissedReason::OfflineMessage,
            to_millis(now),
        )
        .await?;
        missed::set_offline(
            change.conn(),
            id,
            &origin.remote_addr,
            send.client_id.as_str(),
            to_millis(now),
        )
        .await?;
        tell_department(&mut change, id, true).await?;
        self.commit(change).await?;
        tracing::info!(missed = %id, department = %department.name, "offline message left");
        Ok(OfflineSent { missed_id: id })
    }
}

/// Push the entry's new state to every agent of its department, inside the change;
/// returns it as they see it.
pub(super) async fn tell_department(
    change: &mut Change,
    id: MissedChatId,
    new: bool,
) -> Result<MissedChat> {
    let view = missed::view(change.conn(), id)
        .await?
        .ok_or_else(not_found)?;
    let agents = missed::department_agents(change.conn(), view.department.id).await?;
    for agent in agents {
        let push = MissedPush {
            missed: view.clone(),
        };
        let push = if new {
            AgentPush::MissedNew(push)
        } else {
            AgentPush::MissedUpdated(push)
        };
        change.push(agent, push).await?;
    }
    Ok(view)
}

/// The offline form as the hub keeps it: trimmed and within limits.
struct OfflineForm {
    name: String,
    email: String,
    message: String,
    page_url: Option<String>,
    user_agent: Option<String>,
}

fn checked_offline(send: &OfflineSend, user_agent: Option<String>) -> Result<OfflineForm> {
    let too_long = |what: &str, max: usize| {
        Error::wire(
            ErrorCode::TooLarge,
            format!("{what} may have at most {max} characters"),
        )
    };
    let name = send.name.trim().to_owned();
    let email = send.email.trim().to_owned();
    let message = send.message.trim().to_owned();
    if name.is_empty() {
        return Err(Error::wire(ErrorCode::BadRequest, "please give a name"));
    }
    if limits::char_len(&name) > limits::MAX_NAME_CHARS {
        return Err(too_long("a name", limits::MAX_NAME_CHARS));
    }
    if limits::char_len(&email) > limits::MAX_EMAIL_CHARS {
        return Err(too_long("an email address", limits::MAX_EMAIL_CHARS));
    }
    if !crate::email::answerable(Some(&email)) {
        return Err(Error::wire(
            ErrorCode::BadRequest,
            "please give an email address we can answer to",
        ));
    }
    if message.is_empty() {
        return Err(Error::wire(ErrorCode::BadRequest, "please write a message"));
    }
    if limits::char_len(&message) > limits::MAX_QUESTION_CHARS {
        return Err(too_long("a message", limits::MAX_QUESTION_CHARS));
    }
    let page_url = send.page_url.clone().filter(|u| !u.trim().is_empty());
    if page_url
        .as_deref()
        .is_some_and(|u| limits::char_len(u) > limits::MAX_URL_CHARS)
    {
        return Err(too_long("a page URL", limits::MAX_URL_CHARS));
    }
    let user_agent = user_agent.map(|u| u.chars().take(limits::MAX_URL_CHARS).collect());
    Ok(OfflineForm {
        name,
        email,
        message,
        page_url,
        user_agent,
    })
}
