//! How chats move on: accepted by an agent, messages in both directions, the
//! inactivity prompt, and the end (by either side, by the hub, or by abandonment).

use chrono::{DateTime, Utc};
use switchboard_protocol::agent::{
    Accepted, AgentPush, ChatAssigned, ChatEventPush, ChatReleased, ChatUpdated, OfferClosed,
    ReleaseReason,
};
use switchboard_protocol::visitor::{EventPush, StatePush, VisitorChatState, VisitorPush};
use switchboard_protocol::{
    AgentId, AgentRef, Author, ChatEvent, ChatId, ChatState, ChatSummary, ClientId, EndReason,
    EndedBy, ErrorCode, EventBody, EventId, MissedReason, OfferEnd, OfferId,
};

use super::change::Change;
use super::state::Hub;
use super::views::visitor_event;
use crate::clock::to_millis;
use crate::error::{Error, Result};
use crate::store::replies::{self, Scope};
use crate::store::{chats, offers};

/// Who acknowledges a stored message, and so which reply is kept for retries.
pub(super) enum Ack {
    Agent(AgentId),
    Visitor,
}

impl Hub {
    pub(super) fn team_name(&self, chat: ChatId) -> String {
        self.chats
            .get(&chat)
            .and_then(|c| self.departments.get(&c.department))
            .map(|d| d.name.clone())
            .unwrap_or_default()
    }

    fn visitor_link(&self, chat: ChatId) -> Option<super::state::Link> {
        self.chats.get(&chat).and_then(|c| c.visitor.clone())
    }

    /// Tell the chat's visitor about a new transcript event, if it is for visitors.
    pub(super) fn tell_visitor_event(&self, change: &mut Change, chat: ChatId, event: &ChatEvent) {
        if let Some(v) = visitor_event(event, &self.team_name(chat)) {
            let link = self.visitor_link(chat);
            change.tell_visitor(link.as_ref(), &VisitorPush::Event(EventPush { event: v }));
        }
    }

    /// The agent takes the offered chat.
    pub(super) async fn accept(&mut self, offer: OfferId, agent: AgentId) -> Result<Accepted> {
        let chat = self
            .offers
            .get(&offer)
            .map(|o| o.chat)
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such offer"))?;
        let name = self.live_agent(agent).await?.agent.name.clone();
        let mut change = self.begin().await?;
        let now = change.now;
        offers::end(change.conn(), offer, to_millis(now), OfferEnd::Accepted).await?;
        chats::accept(change.conn(), chat, agent, to_millis(now)).await?;
        let joined = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Joined {
                agent: AgentRef { id: agent, name },
            },
        )
        .await?;
        let summary = summary(&mut change, chat).await?;
        let events = chats::all_events(change.conn(), chat).await?;
        push_assignment(&mut change, agent, offer, &summary, &events).await?;
        self.tell_visitor_event(&mut change, chat, &joined);
        self.commit(change).await?;

        self.offers.remove(&offer);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offers.remove(&offer);
            a.chats.insert(chat);
        }
        if let Some(c) = self.chats.get_mut(&chat) {
            c.state = ChatState::Active;
            c.agent = Some(agent);
            c.offer = None;
        }
        self.arm_reply_alert(chat).await?;
        tracing::info!(chat = %chat, agent = %agent, "chat accepted");
        Ok(Accepted {
            chat: summary,
            events,
        })
    }

    /// Store a message in an open chat and deliver it; `ack` makes the sender's
    /// acknowledgement part of the same transaction, so a retry gets the same answer.
    pub(super) async fn add_message(
        &mut self,
        chat: ChatId,
        author: Author,
        text: String,
        client_id: Option<ClientId>,
        ack: Ack,
    ) -> Result<String> {
        let c = self
            .chats
            .get(&chat)
            .ok_or_else(|| Error::wire(ErrorCode::InvalidState, "the chat is over"))?;
        let (agent, state) = (c.agent, c.state);
        let (mut waiting, mut silent, mut prompted) = (c.waiting_since, c.silent_since, c.prompted);
        let scope = match ack {
            Ack::Agent(agent) => Scope::Agent(agent.0),
            Ack::Visitor => Scope::Visitor(chat.0),
        };
        // A retry of a message still waiting in the batch (the store does not have it
        // yet, the batch does), or of one the look-ahead found stored.
        let mut looked_up = client_id.is_none();
        if let (Some(client_id), Some(batch)) = (&client_id, &self.batch) {
            if let Some(json) = batch.ack(scope, client_id.as_str()) {
                return Ok(json.clone());
            }
            match batch.looked_up(scope, client_id.as_str()) {
                Some(Some(json)) => return Ok(json.clone()),
                Some(None) => looked_up = true,
                None => {}
            }
        }
        let mut change = self.begin().await?;
        let now = change.now;
        // While the batch numbers its events, every event of it must be numbered
        // there, or SQLite's own numbering could hand out an id given already.
        let number = match (self.batching, &mut self.batch) {
            (true, Some(batch)) => batch.number_event(),
            _ => None,
        };
        let (start_reply_clock, start_silence) = match &author {
            Author::Visitor { .. } => {
                let started = waiting.is_none();
                waiting = waiting.or(Some(now));
                silent = None;
                prompted = false;
                (started, false)
            }
            Author::Agent { .. } => {
                let started = silent.is_none();
                waiting = None;
                silent = silent.or(Some(now));
                (false, started)
            }
            Author::System => (false, false),
        };
        let body = EventBody::Message {
            author,
            text,
            client_id: client_id.clone(),
        };
        let event = match (number, &client_id) {
            (Some(number), client) => {
                if let (false, Some(id)) = (looked_up, client) {
                    let stored = replies::get(change.conn(), scope, id.as_str()).await?;
                    if let Some(reply) = stored {
                        change.unchanged();
                        return Ok(reply);
                    }
                }
                let event = ChatEvent {
                    id: EventId(number),
                    chat_id: chat,
                    at: now,
                    body,
                };
                chats::insert_event_deferred(change.deferred(), &event)?;
                event
            }
            (None, Some(id)) => {
                let stored =
                    chats::insert_message_event(change.conn(), chat, now, body, scope, id.as_str())
                        .await?;
                match stored {
                    Some(event) => event,
                    // A retry of a message already stored: answered as the first time.
                    None => {
                        let reply = replies::get(change.conn(), scope, id.as_str()).await?;
                        change.unchanged();
                        return reply.ok_or_else(|| {
                            Error::wire(ErrorCode::Internal, "a stored reply went missing")
                        });
                    }
                }
            }
            (None, None) => chats::insert_event(change.conn(), chat, now, body).await?,
        };
        chats::set_message_state_deferred(
            change.deferred(),
            chat,
            event.id,
            waiting,
            silent,
            prompted,
        )?;
        if let (Some(agent), ChatState::Active) = (agent, state) {
            change
                .push(
                    agent,
                    AgentPush::ChatEvent(ChatEventPush {
                        event: event.clone(),
                    }),
                )
                .await?;
        }
        let team = self.team_name(chat);
        let reply_json = match ack {
            Ack::Agent(_) => serde_json::to_string(&switchboard_protocol::agent::MessageSent {
                event: event.clone(),
            })?,
            Ack::Visitor => {
                let seen = visitor_event(&event, &team).ok_or_else(|| {
                    Error::wire(ErrorCode::Internal, "a message not visible to its sender")
                })?;
                serde_json::to_string(&switchboard_protocol::visitor::MessageSent { event: seen })?
            }
        };
        if let Some(client_id) = &client_id {
            replies::put_deferred(
                change.deferred(),
                scope,
                client_id.as_str(),
                reply_json.clone(),
                to_millis(now),
            )?;
        }
        if !matches!(
            event.body,
            EventBody::Message {
                author: Author::Visitor { .. },
                ..
            }
        ) {
            self.tell_visitor_event(&mut change, chat, &event);
        }
        self.commit(change).await?;
        if let (Some(client_id), Some(batch)) = (&client_id, &mut self.batch) {
            batch.remember_ack(scope, client_id.as_str(), reply_json.clone());
        }

        if let Some(c) = self.chats.get_mut(&chat) {
            c.waiting_since = waiting;
            c.silent_since = silent;
            c.prompted = prompted;
        }
        if start_reply_clock {
            self.arm_reply_alert(chat).await?;
        }
        if start_silence {
            self.arm_inactivity(chat).await?;
        }
        Ok(reply_json)
    }

    /// Ask a silent visitor whether they are still there (once per silence).
    pub(super) async fn inactivity_prompt(
        &mut self,
        chat: ChatId,
        since: DateTime<Utc>,
    ) -> Result<()> {
        let Some(c) = self.chats.get(&chat) else {
            return Ok(());
        };
        if c.state != ChatState::Active || c.silent_since != Some(since) || c.prompted {
            return Ok(());
        }
        let (department, waiting) = (c.department, c.waiting_since);
        let text = self
            .department(department)
            .await?
            .settings
            .prompt_text
            .clone();
        let agent = c_agent(self, chat);
        let mut change = self.begin().await?;
        let now = change.now;
        let event = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Message {
                author: Author::System,
                text,
                client_id: None,
            },
        )
        .await?;
        chats::set_etiquette(change.conn(), chat, waiting, Some(since), true).await?;
        if let Some(agent) = agent {
            change
                .push(
                    agent,
                    AgentPush::ChatEvent(ChatEventPush {
                        event: event.clone(),
                    }),
                )
                .await?;
        }
        self.tell_visitor_event(&mut change, chat, &event);
        self.commit(change).await?;
        if let Some(c) = self.chats.get_mut(&chat) {
            c.prompted = true;
        }
        Ok(())
    }

    /// End an open chat. `closing` is a last message from the hub (for the
    /// inactivity close); `reply` stores the ender's acknowledgement with the change.
    pub(super) async fn end_chat(
        &mut self,
        chat: ChatId,
        by: EndedBy,
        reason: EndReason,
        closing: Option<String>,
        reply: Option<(Scope, &ClientId)>,
    ) -> Result<ChatSummary> {
        if !self.chats.contains_key(&chat) {
            return Err(Error::wire(ErrorCode::InvalidState, "the chat is over"));
        }
        self.fail_transfer(chat, OfferEnd::Cancelled, false).await?;
        let c = self
            .chats
            .get(&chat)
            .ok_or_else(|| Error::wire(ErrorCode::InvalidState, "the chat is over"))?;
        let (agent, offer, department) = (c.agent, c.offer, c.department);
        let offered_to = offer.and_then(|o| self.offers.get(&o)).map(|o| o.agent);
        let wrap_up_terms = self.department(department).await?.settings.clone();
        let mut change = self.begin().await?;
        let now = change.now;
        let mut events = Vec::new();
        if let Some(text) = closing {
            let closing = chats::append_event(
                change.conn(),
                chat,
                now,
                EventBody::Message {
                    author: Author::System,
                    text,
                    client_id: None,
                },
            )
            .await?;
            events.push(closing);
        }
        let ended =
            chats::append_event(change.conn(), chat, now, EventBody::Ended { by, reason }).await?;
        events.push(ended);
        chats::end(change.conn(), chat, to_millis(now), by, reason).await?;
        let wrap_up_deadline = match agent {
            Some(_) => Some(Hub::open_wrap_up(&mut change, chat, &wrap_up_terms).await?),
            None => None,
        };
        if let (Some(offer), Some(offered_to)) = (offer, offered_to) {
            let why = if reason == EndReason::VisitorLeft {
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
        let summary = summary(&mut change, chat).await?;
        if let Some(agent) = agent {
            for event in &events {
                change
                    .push(
                        agent,
                        AgentPush::ChatEvent(ChatEventPush {
                            event: event.clone(),
                        }),
                    )
                    .await?;
            }
            change
                .push(
                    agent,
                    AgentPush::ChatUpdated(ChatUpdated {
                        chat: summary.clone(),
                    }),
                )
                .await?;
            // The chat stays the agent's, in wrap-up, until it is wrapped up or the
            // wrap-up times out (then `chat.released`).
        }
        for event in &events {
            self.tell_visitor_event(&mut change, chat, event);
        }
        let link = self.visitor_link(chat);
        change.tell_visitor(
            link.as_ref(),
            &VisitorPush::State(StatePush {
                state: VisitorChatState::Ended { by },
            }),
        );
        if let Some((scope, client_id)) = reply {
            let json = serde_json::to_string(&switchboard_protocol::agent::ChatEnded {
                chat: summary.clone(),
            })?;
            replies::put(
                change.conn(),
                scope,
                client_id.as_str(),
                &json,
                to_millis(now),
            )
            .await?;
        }
        self.commit(change).await?;

        self.chats.remove(&chat);
        if let Some(offer) = offer {
            self.offers.remove(&offer);
            if let Some(a) = offered_to.and_then(|a| self.agents.get_mut(&a)) {
                a.offers.remove(&offer);
            }
        }
        if let Some(a) = agent.and_then(|a| self.agents.get_mut(&a)) {
            a.chats.remove(&chat);
        }
        if let (Some(agent), Some(deadline)) = (agent, wrap_up_deadline) {
            self.track_wrap_up(agent, chat, deadline);
        }
        tracing::info!(chat = %chat, ?by, ?reason, "chat ended");
        Ok(summary)
    }

    /// The agent has been gone past the grace period: each of its chats goes back to
    /// the front of the queue (it keeps its place from when it started) and is routed
    /// to someone else. A transfer under way is cancelled. The visitor sees the agent
    /// leave and is told someone else will take over.
    pub(super) async fn reroute_chats(&mut self, agent: AgentId) -> Result<()> {
        let (name, held) = match self.agents.get(&agent) {
            Some(a) => (
                a.agent.name.clone(),
                a.chats.iter().copied().collect::<Vec<_>>(),
            ),
            None => return Ok(()),
        };
        for chat in held {
            self.fail_transfer(chat, OfferEnd::Cancelled, false).await?;
            let mut change = self.begin().await?;
            let now = change.now;
            let left = chats::append_event(
                change.conn(),
                chat,
                now,
                EventBody::Left {
                    agent: AgentRef {
                        id: agent,
                        name: name.clone(),
                    },
                    reason: "disconnected".into(),
                },
            )
            .await?;
            chats::requeue(change.conn(), chat).await?;
            change
                .push(
                    agent,
                    AgentPush::ChatEvent(ChatEventPush {
                        event: left.clone(),
                    }),
                )
                .await?;
            change
                .push(
                    agent,
                    AgentPush::ChatReleased(ChatReleased {
                        chat_id: chat,
                        reason: ReleaseReason::Rerouted,
                    }),
                )
                .await?;
            let notice = chats::append_event(
                change.conn(),
                chat,
                now,
                EventBody::Notice {
                    text: "We are connecting you with someone else.".into(),
                },
            )
            .await?;
            self.tell_visitor_event(&mut change, chat, &left);
            self.tell_visitor_event(&mut change, chat, &notice);
            self.commit(change).await?;

            if let Some(c) = self.chats.get_mut(&chat) {
                c.state = ChatState::Queued;
                c.agent = None;
            }
            if let Some(a) = self.agents.get_mut(&agent) {
                a.chats.remove(&chat);
            }
            tracing::info!(chat = %chat, agent = %agent, "chat re-routed after the grace period");
        }
        Ok(())
    }

    /// A chat nobody accepted is given up: the visitor left, or it could not be placed.
    /// It goes to the missed-chats list (see `missed`).
    pub(super) async fn chat_missed(&mut self, chat: ChatId, reason: MissedReason) -> Result<()> {
        self.miss_chat(chat, reason, true).await
    }
}

fn c_agent(hub: &Hub, chat: ChatId) -> Option<AgentId> {
    hub.chats.get(&chat).and_then(|c| c.agent)
}

async fn summary(change: &mut Change, chat: ChatId) -> Result<ChatSummary> {
    chats::summary(change.conn(), chat)
        .await?
        .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))
}

/// What the agent who accepted an offer (a new chat or a transfer) is told, in order:
/// the offer is closed, and the chat is theirs with its whole transcript.
pub(super) async fn push_assignment(
    change: &mut Change,
    agent: AgentId,
    offer: OfferId,
    summary: &ChatSummary,
    events: &[ChatEvent],
) -> Result<()> {
    change
        .push(
            agent,
            AgentPush::OfferClosed(OfferClosed {
                offer_id: offer,
                chat_id: summary.id,
                reason: OfferEnd::Accepted,
            }),
        )
        .await?;
    change
        .push(
            agent,
            AgentPush::ChatAssigned(ChatAssigned {
                chat: summary.clone(),
                events: events.to_vec(),
            }),
        )
        .await?;
    Ok(())
}
