//! Placing chats: offering each waiting chat, oldest first, to the agent routing
//! picks, and taking offers back when they are declined, time out or are withdrawn.

use switchboard_protocol::agent::{AgentPush, OfferClosed, OfferNew};
use switchboard_protocol::{
    AgentId, ChatId, ChatState, ErrorCode, Offer, OfferEnd, OfferId, OfferKind,
};

use super::state::{Hub, LiveOffer};
use super::timers::Timer;
use crate::clock::{secs, to_millis};
use crate::error::{Error, Result};
use crate::routing::{self, AgentView, Need, Route};
use crate::store::{SqliteConnection, chats, offers};

/// A chat waiting for an agent.
pub(super) struct Waiting {
    pub chat: ChatId,
    /// The department whose queue it waits in.
    pub department: switchboard_protocol::DepartmentId,
    pub since: chrono::DateTime<chrono::Utc>,
    /// A held chat transferred to a department, rather than a new one.
    pub transfer: bool,
}

/// Most transcript events sent along with an offer.
const OFFER_EVENTS: u32 = 500;

impl Hub {
    /// Offer every waiting chat that has a candidate, oldest first, so the queue is
    /// served in order as capacity frees. Chats transferred to a department wait in
    /// its queue like new ones.
    pub(super) async fn dispatch(&mut self) -> Result<()> {
        for waiting in self.waiting() {
            if waiting.transfer {
                if let Some(agent) = self.pick_transfer_target(waiting.chat) {
                    self.offer_transfer(waiting.chat, agent).await?;
                }
            } else if let Some((agent, route)) = self.pick(waiting.chat) {
                self.make_offer(waiting.chat, agent, route).await?;
            }
        }
        Ok(())
    }

    /// Every chat waiting for an agent, in queue order: new chats not on offer, and
    /// department transfers not on offer (queued from when the transfer started).
    pub(super) fn waiting(&self) -> Vec<Waiting> {
        let mut waiting: Vec<Waiting> = self
            .chats
            .values()
            .filter(|c| c.state == ChatState::Queued && c.offer.is_none())
            .map(|c| Waiting {
                chat: c.id,
                department: c.department,
                since: c.queued_at,
                transfer: false,
            })
            .collect();
        waiting.extend(self.waiting_transfers());
        waiting.sort_by_key(|w| (w.since, w.chat));
        waiting
    }

    pub(super) fn need_views(&self) -> Vec<AgentView<'_>> {
        self.agents
            .values()
            .map(|a| AgentView {
                id: a.agent.id,
                routable: a.routable(),
                load: a.load(),
                max_chats: a.agent.max_chats,
                departments: &a.department_ids,
                skills: &a.agent.skills,
                last_offer_at: a.last_offer_at,
            })
            .collect()
    }

    fn pick(&self, chat: ChatId) -> Option<(AgentId, Route)> {
        let c = self.chats.get(&chat)?;
        let department = self.departments.get(&c.department)?;
        let need = Need {
            department: c.department,
            department_skills: &department.skills,
            required_skill: c.required_skill.as_deref(),
            backup: department.settings.backup_mode,
        };
        routing::choose(&need, &self.need_views(), &c.refused)
    }

    /// Whether a chat of the department could be placed now or queue for someone.
    pub(super) fn department_available(
        &self,
        department: &crate::store::departments::Department,
    ) -> bool {
        let need = Need {
            department: department.id,
            department_skills: &department.skills,
            required_skill: None,
            backup: department.settings.backup_mode,
        };
        routing::anyone_routable(&need, &self.need_views())
    }

    async fn make_offer(&mut self, chat: ChatId, agent: AgentId, route: Route) -> Result<()> {
        let department = self
            .chats
            .get(&chat)
            .map(|c| c.department)
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
        let timeout = self
            .department(department)
            .await?
            .settings
            .offer_timeout_secs;
        let mut change = self.begin().await?;
        let now = change.now;
        let expires_at = now + secs(timeout);
        let id = offers::insert(
            change.conn(),
            chat,
            agent,
            OfferKind::New,
            to_millis(now),
            to_millis(expires_at),
        )
        .await?;
        chats::set_state(change.conn(), chat, ChatState::Offered).await?;
        let live = LiveOffer {
            id,
            chat,
            agent,
            offered_at: now,
            expires_at,
            kind: OfferKind::New,
            from: None,
            note: String::new(),
        };
        let offer = offer_view(change.conn(), &live).await?;
        change
            .push(agent, AgentPush::OfferNew(OfferNew { offer }))
            .await?;
        self.commit(change).await?;

        if let Some(c) = self.chats.get_mut(&chat) {
            c.state = ChatState::Offered;
            c.offer = Some(id);
        }
        if let Some(a) = self.agents.get_mut(&agent) {
            a.offers.insert(id);
            a.last_offer_at = Some(now);
        }
        self.offers.insert(id, live);
        self.timers.add(expires_at, Timer::OfferExpiry(id));
        let threshold = self.department(department).await?.settings.wait_alert_secs;
        let waited_long = self
            .chats
            .get(&chat)
            .is_some_and(|c| now - c.created_at >= secs(threshold));
        if waited_long {
            self.wait_alert(chat);
        }
        tracing::info!(chat = %chat, agent = %agent, offer = %id, ?route, "chat offered");
        Ok(())
    }

    /// End an open offer other than by acceptance. A decline or a timeout means the
    /// agent is never offered this chat again. The chat goes back to waiting; the
    /// caller dispatches.
    pub(super) async fn close_offer(&mut self, id: OfferId, reason: OfferEnd) -> Result<()> {
        let Some(offer) = self.offers.get(&id) else {
            return Ok(());
        };
        if offer.kind == OfferKind::Transfer {
            return self.close_transfer_offer(id, reason).await;
        }
        let (chat, agent) = (offer.chat, offer.agent);
        let mut change = self.begin().await?;
        let now = change.now;
        offers::end(change.conn(), id, to_millis(now), reason).await?;
        let back_to_queue = self
            .chats
            .get(&chat)
            .is_some_and(|c| c.offer == Some(id) && c.state == ChatState::Offered);
        if back_to_queue {
            chats::set_state(change.conn(), chat, ChatState::Queued).await?;
        }
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
        if let Some(c) = self.chats.get_mut(&chat) {
            if back_to_queue {
                c.offer = None;
                c.state = ChatState::Queued;
            }
            if matches!(reason, OfferEnd::Declined | OfferEnd::Timeout) {
                c.refused.insert(agent);
            }
        }
        tracing::info!(chat = %chat, agent = %agent, offer = %id, ?reason, "offer closed");
        Ok(())
    }

    /// Withdraw every open offer to an agent who went away (they count as declined).
    pub(super) async fn withdraw_offers(&mut self, agent: AgentId) -> Result<()> {
        let open: Vec<OfferId> = self
            .agents
            .get(&agent)
            .map(|a| a.offers.iter().copied().collect())
            .unwrap_or_default();
        for id in open {
            self.close_offer(id, OfferEnd::Declined).await?;
        }
        Ok(())
    }

    /// The offer as the agent sees it, read inside the current transaction.
    pub(super) async fn offer_for(&self, offer: OfferId) -> Result<Option<Offer>> {
        let Some(live) = self.offers.get(&offer) else {
            return Ok(None);
        };
        let mut conn = self.store.acquire().await?;
        Ok(Some(offer_view(&mut conn, live).await?))
    }
}

pub(super) async fn offer_view(conn: &mut SqliteConnection, live: &LiveOffer) -> Result<Offer> {
    let chat = chats::summary(conn, live.chat)
        .await?
        .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
    let events = chats::events(conn, live.chat, None, OFFER_EVENTS).await?;
    Ok(Offer {
        id: live.id,
        kind: live.kind,
        chat,
        offered_at: live.offered_at,
        expires_at: live.expires_at,
        from: live.from.clone(),
        note: live.note.clone(),
        events,
    })
}
