//! Transfers: an agent hands a held chat to another agent, who gets an offer with the
//! transcript and the sender's note, or to a department, where the chat is routed
//! again (rules, backup routing, its queue) with the note shown in the offer.
//!
//! The sender keeps the chat, and may go on chatting, until someone accepts; then it
//! gets `chat.released` (`transferred`) and the receiver `chat.assigned`. A transfer
//! that does not go through leaves the chat with the sender and a `transfer_failed`
//! event in the transcript: to an agent when it is declined or not answered (the
//! sender also gets `transfer.returned`), to a department when nobody took it within
//! the department's maximum wait. One transfer at a time per chat; there is no way to
//! withdraw one (it ends by itself within the offer timeout or the maximum wait).
//! Ending the chat, or the sender being gone past the grace period, cancels it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_protocol::agent::{
    Accepted, AgentPush, ChatEventPush, ChatReleased, ChatTransfer, OfferClosed, OfferNew,
    ReleaseReason, Targets, TransferReturned, TransferStarted, TransferTo,
};
use switchboard_protocol::{
    AgentAvailability, AgentId, AgentRef, AgentStatus, ChatId, ChatState, DepartmentAvailability,
    ErrorCode, EventBody, OfferEnd, OfferId, OfferKind, TransferTarget, limits,
};

use super::change::Change;
use super::dispatch::{Waiting, offer_view};
use super::lifecycle::push_assignment;
use super::state::{Hub, LiveOffer};
use super::timers::Timer;
use crate::clock::{secs, to_millis};
use crate::error::{Error, Result};
use crate::routing::{self, Need};
use crate::store::replies::{self, Scope};
use crate::store::{agents, chats, departments, enum_text, offers, sites, transfers};

/// The `reason` of the `left` event of an agent who transferred a chat away.
pub(super) const LEFT_TRANSFERRED: &str = "transferred";

/// A transfer under way on a chat. Stored as JSON on the chat row, so a restart can
/// finish or undo it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Transfer {
    pub from: AgentId,
    pub to: TransferTo,
    #[serde(default)]
    pub note: String,
    pub started_at: DateTime<Utc>,
    /// A site rule's skill for the target department, when one applies.
    #[serde(default)]
    pub required_skill: Option<String>,
    /// The offer open now, if any.
    #[serde(skip)]
    pub offer: Option<OfferId>,
    /// Agents of the department who declined it or let its offer time out.
    #[serde(skip)]
    pub refused: HashSet<AgentId>,
}

impl Hub {
    fn agent_ref(&self, id: AgentId) -> AgentRef {
        AgentRef {
            id,
            name: self
                .agents
                .get(&id)
                .map(|a| a.agent.name.clone())
                .unwrap_or_default(),
        }
    }

    pub(super) async fn chat_transfer(&mut self, agent: AgentId, r: ChatTransfer) -> Result<Value> {
        let scope = Scope::Agent(agent.0);
        let mut conn = self.store.acquire().await?;
        if let Some(json) = replies::get(&mut conn, scope, r.client_id.as_str()).await? {
            return Ok(serde_json::from_str(&json)?);
        }
        drop(conn);
        let note = r.note.trim().to_owned();
        if limits::char_len(&note) > limits::MAX_NOTE_CHARS {
            return Err(Error::wire(
                ErrorCode::TooLarge,
                format!(
                    "a transfer note may have at most {} characters",
                    limits::MAX_NOTE_CHARS
                ),
            ));
        }
        let chat = r.chat_id;
        self.held(agent, chat).await?;
        if self.transfers.contains_key(&chat) {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "this chat is already being transferred",
            ));
        }
        let (target, required_skill, offer_timeout) = match r.to {
            TransferTo::Agent { id } => {
                let department = self.chats.get(&chat).map(|c| c.department);
                let timeout = match department {
                    Some(d) => self.department(d).await?.settings.offer_timeout_secs,
                    None => 20,
                };
                (self.receiving_agent(agent, id).await?, None, timeout)
            }
            TransferTo::Department { id } => {
                let now = self.clock.now();
                let department = self.department(id).await?;
                if !department.is_open(now) {
                    return Err(Error::wire(
                        ErrorCode::InvalidState,
                        format!("{} is closed now", department.name),
                    ));
                }
                let target = TransferTarget::Department {
                    id,
                    name: department.name.clone(),
                };
                let mut conn = self.store.acquire().await?;
                let site = chats::get(&mut conn, chat)
                    .await?
                    .and_then(|row| row.site_id)
                    .map(sites::SiteId);
                let skill = match site {
                    Some(site) => sites::required_skill(&mut conn, site, id).await?,
                    None => None,
                };
                (target, skill, 0)
            }
        };
        let from = self.agent_ref(agent);
        let target_name = match &target {
            TransferTarget::Agent { name, .. } | TransferTarget::Department { name, .. } => {
                name.clone()
            }
        };

        let mut change = self.begin().await?;
        let now = change.now;
        let transfer = Transfer {
            from: agent,
            to: r.to.clone(),
            note: note.clone(),
            started_at: now,
            required_skill,
            offer: None,
            refused: HashSet::new(),
        };
        transfers::set(
            change.conn(),
            chat,
            Some(&serde_json::to_string(&transfer)?),
        )
        .await?;
        let requested = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::TransferRequested {
                from: from.clone(),
                to: target.clone(),
                note: note.clone(),
            },
        )
        .await?;
        let notice = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Notice {
                text: format!("You are being transferred to {target_name}."),
            },
        )
        .await?;
        for event in [&requested, &notice] {
            change
                .push(
                    agent,
                    AgentPush::ChatEvent(ChatEventPush {
                        event: event.clone(),
                    }),
                )
                .await?;
        }
        self.tell_visitor_event(&mut change, chat, &notice);
        let offer = match &target {
            TransferTarget::Agent { id, .. } => Some(
                self.transfer_offer(&mut change, chat, *id, from.clone(), &note, offer_timeout)
                    .await?,
            ),
            TransferTarget::Department { .. } => None,
        };
        let reply = serde_json::to_string(&TransferStarted {
            chat_id: chat,
            offer_id: offer.as_ref().map(|o| o.id),
        })?;
        replies::put(
            change.conn(),
            scope,
            r.client_id.as_str(),
            &reply,
            to_millis(now),
        )
        .await?;
        self.commit(change).await?;

        let mut transfer = transfer;
        if let Some(offer) = offer {
            transfer.offer = Some(offer.id);
            self.track_offer(offer);
        }
        if let TransferTo::Department { id } = r.to {
            let max_wait = self.department(id).await?.settings.max_wait_secs;
            self.timers
                .add(now + secs(max_wait), Timer::TransferDue(chat, now));
        }
        self.transfers.insert(chat, transfer);
        tracing::info!(chat = %chat, from = %agent, to = %target_name, "transfer started");
        self.dispatch().await?;
        Ok(serde_json::from_str(&reply)?)
    }

    /// The agent a chat is handed to, if it can take it now; a typed error saying why
    /// not otherwise.
    async fn receiving_agent(&mut self, sender: AgentId, id: AgentId) -> Result<TransferTarget> {
        if id == sender {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "you cannot transfer a chat to yourself",
            ));
        }
        let target = self.live_agent(id).await?;
        let name = target.agent.name.clone();
        let unavailable = |why: &str| {
            Error::wire(
                ErrorCode::InvalidState,
                format!("{name} cannot take the chat: {why}"),
            )
        };
        if target.agent.disabled {
            return Err(unavailable("the account is disabled"));
        }
        if target.link.is_none() {
            return Err(unavailable("not connected"));
        }
        match target.status {
            AgentStatus::Online => {}
            AgentStatus::Away => return Err(unavailable("away")),
            AgentStatus::Offline => return Err(unavailable("offline")),
        }
        if target.load() >= target.agent.max_chats {
            return Err(unavailable("no free chat slot"));
        }
        Ok(TransferTarget::Agent { id, name })
    }

    /// Store an offer of a transferred chat to `agent` and its `offer.new` push.
    async fn transfer_offer(
        &mut self,
        change: &mut Change,
        chat: ChatId,
        agent: AgentId,
        from: AgentRef,
        note: &str,
        timeout_secs: u32,
    ) -> Result<LiveOffer> {
        let now = change.now;
        let expires_at = now + secs(timeout_secs);
        let id = offers::insert_transfer(
            change.conn(),
            chat,
            agent,
            from.id,
            note,
            to_millis(now),
            to_millis(expires_at),
        )
        .await?;
        let live = LiveOffer {
            id,
            chat,
            agent,
            offered_at: now,
            expires_at,
            kind: OfferKind::Transfer,
            from: Some(from),
            note: note.to_owned(),
        };
        let offer = offer_view(change.conn(), &live).await?;
        change
            .push(agent, AgentPush::OfferNew(OfferNew { offer }))
            .await?;
        Ok(live)
    }

    fn track_offer(&mut self, offer: LiveOffer) {
        if let Some(a) = self.agents.get_mut(&offer.agent) {
            a.offers.insert(offer.id);
            a.last_offer_at = Some(offer.offered_at);
        }
        self.timers
            .add(offer.expires_at, Timer::OfferExpiry(offer.id));
        tracing::info!(chat = %offer.chat, agent = %offer.agent, offer = %offer.id, "transfer offered");
        self.offers.insert(offer.id, offer);
    }

    /// Department transfers waiting for an agent (no offer open).
    pub(super) fn waiting_transfers(&self) -> impl Iterator<Item = Waiting> + '_ {
        self.transfers.iter().filter_map(|(chat, t)| match t.to {
            TransferTo::Department { id } if t.offer.is_none() => Some(Waiting {
                chat: *chat,
                department: id,
                since: t.started_at,
                transfer: true,
            }),
            _ => None,
        })
    }

    /// Who should be offered a chat transferred to a department: its rules and
    /// backup routing, never the sender nor anyone who refused it.
    pub(super) fn pick_transfer_target(&self, chat: ChatId) -> Option<AgentId> {
        let t = self.transfers.get(&chat)?;
        let TransferTo::Department { id } = t.to else {
            return None;
        };
        let department = self.departments.get(&id)?;
        let need = Need {
            department: id,
            department_skills: &department.skills,
            required_skill: t.required_skill.as_deref(),
            backup: department.settings.backup_mode,
        };
        let mut refused = t.refused.clone();
        refused.insert(t.from);
        routing::choose(&need, &self.need_views(), &refused).map(|(agent, _)| agent)
    }

    /// Offer a chat transferred to a department to the agent routing picked.
    pub(super) async fn offer_transfer(&mut self, chat: ChatId, agent: AgentId) -> Result<()> {
        let Some((from, note, department)) = self.transfers.get(&chat).and_then(|t| match t.to {
            TransferTo::Department { id } => Some((t.from, t.note.clone(), id)),
            TransferTo::Agent { .. } => None,
        }) else {
            return Ok(());
        };
        let timeout = self
            .department(department)
            .await?
            .settings
            .offer_timeout_secs;
        let from = self.agent_ref(from);
        let mut change = self.begin().await?;
        let offer = self
            .transfer_offer(&mut change, chat, agent, from, &note, timeout)
            .await?;
        self.commit(change).await?;
        if let Some(t) = self.transfers.get_mut(&chat) {
            t.offer = Some(offer.id);
        }
        self.track_offer(offer);
        Ok(())
    }

    /// The receiver takes the transferred chat: it leaves the sender and, for a
    /// department transfer, moves to that department.
    pub(super) async fn accept_transfer(
        &mut self,
        offer: OfferId,
        agent: AgentId,
    ) -> Result<Accepted> {
        let chat = self
            .offers
            .get(&offer)
            .map(|o| o.chat)
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such offer"))?;
        let transfer = self
            .transfers
            .get(&chat)
            .cloned()
            .ok_or_else(|| Error::wire(ErrorCode::InvalidState, "this transfer is over"))?;
        let sender = self.agent_ref(transfer.from);
        let receiver = AgentRef {
            id: agent,
            name: self.live_agent(agent).await?.agent.name.clone(),
        };
        let moved_to = match transfer.to {
            TransferTo::Department { id } => Some(id),
            TransferTo::Agent { .. } => None,
        };
        let mut change = self.begin().await?;
        let now = change.now;
        offers::end(change.conn(), offer, to_millis(now), OfferEnd::Accepted).await?;
        transfers::reassign(change.conn(), chat, agent, to_millis(now)).await?;
        if let Some(department) = moved_to {
            transfers::move_department(
                change.conn(),
                chat,
                department,
                transfer.required_skill.as_deref(),
            )
            .await?;
        }
        let left = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Left {
                agent: sender.clone(),
                reason: LEFT_TRANSFERRED.into(),
            },
        )
        .await?;
        let joined = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::Joined {
                agent: receiver.clone(),
            },
        )
        .await?;
        let summary = chats::summary(change.conn(), chat)
            .await?
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
        let events = chats::all_events(change.conn(), chat).await?;
        change
            .push(
                sender.id,
                AgentPush::ChatEvent(ChatEventPush { event: left }),
            )
            .await?;
        change
            .push(
                sender.id,
                AgentPush::ChatReleased(ChatReleased {
                    chat_id: chat,
                    reason: ReleaseReason::Transferred,
                }),
            )
            .await?;
        push_assignment(&mut change, agent, offer, &summary, &events).await?;
        self.tell_visitor_event(&mut change, chat, &joined);
        self.commit(change).await?;

        self.offers.remove(&offer);
        self.transfers.remove(&chat);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offers.remove(&offer);
            a.chats.insert(chat);
        }
        if let Some(a) = self.agents.get_mut(&sender.id) {
            a.chats.remove(&chat);
        }
        if let Some(c) = self.chats.get_mut(&chat) {
            c.agent = Some(agent);
            if let Some(department) = moved_to {
                c.department = department;
                c.required_skill = transfer.required_skill.clone();
            }
        }
        // The reply-alert timer already armed alerts whoever holds the chat then.
        tracing::info!(chat = %chat, from = %sender.id, to = %agent, "transfer accepted");
        Ok(Accepted {
            chat: summary,
            events,
        })
    }

    /// An offer of a transferred chat ended other than by acceptance. To an agent,
    /// the transfer fails; to a department, the chat waits for the next agent.
    pub(super) async fn close_transfer_offer(
        &mut self,
        id: OfferId,
        reason: OfferEnd,
    ) -> Result<()> {
        let Some((chat, agent)) = self.offers.get(&id).map(|o| (o.chat, o.agent)) else {
            return Ok(());
        };
        let to_department = self
            .transfers
            .get(&chat)
            .is_some_and(|t| matches!(t.to, TransferTo::Department { .. }));
        if !to_department {
            return self.fail_transfer(chat, reason, true).await;
        }
        let mut change = self.begin().await?;
        let now = to_millis(change.now);
        offers::end(change.conn(), id, now, reason).await?;
        change
            .push(
                agent,
                AgentPush::OfferClosed(OfferClosed {
                    offer_id: id,
                    chat_id: chat,
                    reason,
                }),
            )
            .await?;
        self.commit(change).await?;
        self.offers.remove(&id);
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offers.remove(&id);
        }
        if let Some(t) = self.transfers.get_mut(&chat) {
            t.offer = None;
            if matches!(reason, OfferEnd::Declined | OfferEnd::Timeout) {
                t.refused.insert(agent);
            }
        }
        tracing::info!(chat = %chat, agent = %agent, offer = %id, ?reason, "transfer offer closed");
        Ok(())
    }

    /// End a transfer that did not go through: the chat stays with the sender, the
    /// transcript says why, an open offer is closed, and the sender of a transfer to an
    /// agent gets `transfer.returned`. With `tell_visitor`, the visitor learns that the
    /// sender is still there.
    pub(super) async fn fail_transfer(
        &mut self,
        chat: ChatId,
        reason: OfferEnd,
        tell_visitor: bool,
    ) -> Result<()> {
        let Some(transfer) = self.transfers.get(&chat).cloned() else {
            return Ok(());
        };
        let sender = self.agent_ref(transfer.from);
        let open = transfer
            .offer
            .and_then(|id| self.offers.get(&id).map(|o| (id, o.agent)));
        let mut change = self.begin().await?;
        let now = change.now;
        transfers::set(change.conn(), chat, None).await?;
        if let Some((offer, target)) = open {
            // An offer still open when a department transfer runs out of time is
            // withdrawn; otherwise it ended for the transfer's own reason.
            let closed = if matches!(transfer.to, TransferTo::Department { .. }) {
                OfferEnd::Cancelled
            } else {
                reason
            };
            offers::end(change.conn(), offer, to_millis(now), closed).await?;
            change
                .push(
                    target,
                    AgentPush::OfferClosed(OfferClosed {
                        offer_id: offer,
                        chat_id: chat,
                        reason: closed,
                    }),
                )
                .await?;
        }
        let mut events = vec![
            chats::append_event(
                change.conn(),
                chat,
                now,
                EventBody::TransferFailed {
                    from: sender.clone(),
                    reason: enum_text(&reason),
                },
            )
            .await?,
        ];
        if tell_visitor {
            events.push(
                chats::append_event(
                    change.conn(),
                    chat,
                    now,
                    EventBody::Notice {
                        text: format!(
                            "The transfer did not go through; {} is still with you.",
                            sender.name
                        ),
                    },
                )
                .await?,
            );
        }
        for event in &events {
            change
                .push(
                    sender.id,
                    AgentPush::ChatEvent(ChatEventPush {
                        event: event.clone(),
                    }),
                )
                .await?;
            self.tell_visitor_event(&mut change, chat, event);
        }
        if let TransferTo::Agent { id } = transfer.to {
            change
                .push(
                    sender.id,
                    AgentPush::TransferReturned(TransferReturned {
                        chat_id: chat,
                        to: self.agent_ref(id),
                        reason,
                    }),
                )
                .await?;
        }
        self.commit(change).await?;

        self.transfers.remove(&chat);
        if let Some((offer, target)) = open {
            self.offers.remove(&offer);
            if let Some(a) = self.agents.get_mut(&target) {
                a.offers.remove(&offer);
            }
            if matches!(reason, OfferEnd::Declined | OfferEnd::Timeout)
                && let Some(c) = self.chats.get_mut(&chat)
            {
                c.refused.insert(target);
            }
        }
        tracing::info!(chat = %chat, from = %sender.id, ?reason, "transfer failed");
        Ok(())
    }

    /// A department transfer's maximum wait is over (if it is still the same one).
    pub(super) async fn transfer_due(
        &mut self,
        chat: ChatId,
        started_at: DateTime<Utc>,
    ) -> Result<()> {
        let applies = self.transfers.get(&chat).is_some_and(|t| {
            t.started_at == started_at && matches!(t.to, TransferTo::Department { .. })
        });
        if applies {
            self.fail_transfer(chat, OfferEnd::Timeout, true).await?;
            self.dispatch().await?;
        }
        Ok(())
    }

    /// After a restart: a transfer to a department waits again; one to an agent lost
    /// its offer (withdrawn at start-up) and comes back to the sender.
    pub(super) async fn recover_transfers(&mut self) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        let pending = transfers::pending(&mut conn).await?;
        drop(conn);
        for (chat, json) in pending {
            let held = self
                .chats
                .get(&chat)
                .filter(|c| c.state == ChatState::Active)
                .and_then(|c| c.agent);
            let transfer: Option<Transfer> = serde_json::from_str(&json).ok();
            let Some(transfer) = transfer.filter(|t| held == Some(t.from)) else {
                let mut conn = self.store.acquire().await?;
                transfers::set(&mut conn, chat, None).await?;
                continue;
            };
            self.live_agent(transfer.from).await?;
            let started_at = transfer.started_at;
            let to = transfer.to.clone();
            self.transfers.insert(chat, transfer);
            match to {
                TransferTo::Agent { id } => {
                    self.live_agent(id).await?;
                    self.fail_transfer(chat, OfferEnd::Cancelled, true).await?;
                }
                TransferTo::Department { id } => match self.department(id).await {
                    Ok(department) => {
                        let max_wait = department.settings.max_wait_secs;
                        self.timers.add(
                            started_at + secs(max_wait),
                            Timer::TransferDue(chat, started_at),
                        );
                    }
                    Err(_) => self.fail_transfer(chat, OfferEnd::Cancelled, true).await?,
                },
            }
        }
        Ok(())
    }

    /// Agents and departments a chat can go to, with their availability.
    pub(super) async fn transfer_targets(&mut self, agent: AgentId) -> Result<Targets> {
        let mut conn = self.store.acquire().await?;
        let accounts = agents::list(&mut conn).await?;
        let all = departments::list(&mut conn).await?;
        drop(conn);
        let agents = accounts
            .into_iter()
            .filter(|a| a.id != agent && !a.disabled)
            .map(|a| match self.agents.get(&a.id) {
                Some(live) => self.availability(live),
                None => AgentAvailability {
                    id: a.id,
                    name: a.name.clone(),
                    status: a.status,
                    connected: false,
                    active_chats: 0,
                    max_chats: a.max_chats,
                    departments: a.departments.clone(),
                },
            })
            .collect();
        let waiting = self.waiting();
        let views = self.need_views();
        let now = self.clock.now();
        let departments = all
            .iter()
            .map(|d| {
                let need = Need {
                    department: d.id,
                    department_skills: &d.skills,
                    required_skill: None,
                    backup: d.settings.backup_mode,
                };
                let able: Vec<_> = views
                    .iter()
                    .filter(|v| v.routable && routing::qualifies(v, &need))
                    .collect();
                DepartmentAvailability {
                    id: d.id,
                    name: d.name.clone(),
                    open: d.is_open(now),
                    agents_online: u32::try_from(able.len()).unwrap_or(u32::MAX),
                    free_slots: able
                        .iter()
                        .map(|v| v.max_chats.saturating_sub(v.load))
                        .sum(),
                    queue_length: u32::try_from(
                        waiting.iter().filter(|w| w.department == d.id).count(),
                    )
                    .unwrap_or(u32::MAX),
                }
            })
            .collect();
        for d in all {
            self.departments.entry(d.id).or_insert(d);
        }
        Ok(Targets {
            agents,
            departments,
        })
    }
}
