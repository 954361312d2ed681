//! Everything the hub core does at a point in time: offer expiry, etiquette alerts
//! and prompts, abandoned chats, wrap-up and transfer deadlines, log pruning.
//!
//! Timers are never cancelled. Each one names the state it was set for (for example
//! the time the visitor went silent); when it fires it checks that state still holds
//! and otherwise does nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use switchboard_protocol::agent::{AgentPush, AlertPush};
use switchboard_protocol::{
    AgentId, AlertKind, ChatId, ChatState, EndReason, EndedBy, MissedReason, OfferEnd, OfferId,
};

use super::state::Hub;
use crate::clock::{secs, to_millis};
use crate::error::Result;
use crate::store::{pushes, replies, sessions};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Timer {
    OfferExpiry(OfferId),
    /// The visitor has waited long to be connected.
    WaitAlert(ChatId),
    /// The visitor's message waiting since then has had no reply for long.
    ReplyAlert(ChatId, DateTime<Utc>),
    /// The visitor has been silent since then: ask whether they are still there.
    InactivityPrompt(ChatId, DateTime<Utc>),
    /// ...and after longer, close the chat.
    InactivityClose(ChatId, DateTime<Utc>),
    /// The visitor of an unaccepted chat left (this generation) and has not come back.
    VisitorGone(ChatId, u64),
    /// The agent dropped (this generation) and has not come back: re-route its chats.
    AgentGone(AgentId, u64),
    /// A chat's wrap-up deadline: if still owed, it expires and frees the slot.
    WrapUpDue(ChatId),
    /// The maximum wait of the department transfer started then is over.
    TransferDue(ChatId, DateTime<Utc>),
    /// Trim the push log and old sessions.
    Housekeeping,
    /// Claims, maximum waits and email retries (see `missed`).
    Missed(super::missed::MissedTimer),
}

#[derive(Default)]
pub(super) struct Timers {
    due: BTreeMap<(DateTime<Utc>, u64), Timer>,
    next_id: u64,
}

impl Timers {
    pub fn add(&mut self, at: DateTime<Utc>, timer: Timer) {
        self.next_id += 1;
        self.due.insert((at, self.next_id), timer);
    }

    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.due.keys().next().map(|(at, _)| *at)
    }

    fn pop_due(&mut self, now: DateTime<Utc>) -> Option<Timer> {
        let key = *self.due.keys().next()?;
        if key.0 > now {
            return None;
        }
        self.due.remove(&key)
    }
}

const HOUSEKEEPING_EVERY: TimeDelta = TimeDelta::hours(1);
/// Client ids are remembered well past the 7 days the protocol promises.
const REPLIES_KEPT: TimeDelta = TimeDelta::days(30);

impl Hub {
    /// Fire every timer due at the clock's current time, oldest first; whether any
    /// that may change state fired (alerts only tell).
    pub(super) async fn fire_due_timers(&mut self) -> bool {
        let mut fired = false;
        loop {
            let now = self.clock.now();
            let Some(timer) = self.timers.pop_due(now) else {
                return fired;
            };
            fired |= !matches!(timer, Timer::WaitAlert(_) | Timer::ReplyAlert(..));
            if let Err(e) = self.fire(timer.clone()).await {
                tracing::error!(error = %e, ?timer, "timer failed");
            }
        }
    }

    /// The agent is gone: its chats wait for it for the grace period.
    pub(super) fn start_grace(&mut self, agent: AgentId) {
        let grace =
            TimeDelta::from_std(self.settings.agent_grace).unwrap_or(TimeDelta::seconds(60));
        let at = self.clock.now() + grace;
        if let Some(a) = self.agents.get_mut(&agent) {
            a.link_generation += 1;
            let generation = a.link_generation;
            self.timers.add(at, Timer::AgentGone(agent, generation));
        }
    }

    pub(super) fn schedule_housekeeping(&mut self) {
        let at = self.clock.now() + HOUSEKEEPING_EVERY;
        self.timers.add(at, Timer::Housekeeping);
    }

    async fn fire(&mut self, timer: Timer) -> Result<()> {
        match timer {
            Timer::OfferExpiry(offer) => {
                if self.offers.contains_key(&offer) {
                    self.close_offer(offer, OfferEnd::Timeout).await?;
                    self.dispatch().await?;
                }
            }
            Timer::WaitAlert(chat) => self.wait_alert(chat),
            Timer::ReplyAlert(chat, since) => self.reply_alert(chat, since),
            Timer::InactivityPrompt(chat, since) => self.inactivity_prompt(chat, since).await?,
            Timer::InactivityClose(chat, since) => {
                let applies = self
                    .chats
                    .get(&chat)
                    .is_some_and(|c| c.state == ChatState::Active && c.silent_since == Some(since));
                if applies {
                    let closing = match self.chats.get(&chat) {
                        Some(c) => self
                            .department(c.department)
                            .await?
                            .settings
                            .closing_text
                            .clone(),
                        None => String::new(),
                    };
                    self.end_chat(
                        chat,
                        EndedBy::System,
                        EndReason::Inactivity,
                        Some(closing),
                        None,
                    )
                    .await?;
                    self.dispatch().await?;
                }
            }
            Timer::VisitorGone(chat, generation) => {
                let applies = self.chats.get(&chat).is_some_and(|c| {
                    c.state != ChatState::Active
                        && c.visitor.is_none()
                        && c.visitor_generation == generation
                });
                if applies {
                    self.chat_missed(chat, MissedReason::VisitorLeft).await?;
                    self.dispatch().await?;
                }
            }
            Timer::AgentGone(agent, generation) => {
                let applies = self
                    .agents
                    .get(&agent)
                    .is_some_and(|a| a.link.is_none() && a.link_generation == generation);
                if applies {
                    self.reroute_chats(agent).await?;
                    self.dispatch().await?;
                }
            }
            Timer::Missed(timer) => self.fire_missed(timer).await?,
            Timer::WrapUpDue(chat) => self.wrap_up_due(chat).await?,
            Timer::TransferDue(chat, started_at) => self.transfer_due(chat, started_at).await?,
            Timer::Housekeeping => {
                let now = self.clock.now();
                let max_age = TimeDelta::from_std(self.settings.push_log_max_age)
                    .unwrap_or(TimeDelta::days(7));
                let mut conn = self.store.acquire().await?;
                pushes::prune_older(&mut conn, to_millis(now - max_age)).await?;
                sessions::prune(&mut conn, to_millis(now - TimeDelta::days(1))).await?;
                replies::prune(&mut conn, to_millis(now - REPLIES_KEPT)).await?;
                self.schedule_housekeeping();
            }
        }
        Ok(())
    }

    /// Arm every etiquette timer that follows from a chat's clocks (after a restart).
    pub(super) async fn arm_etiquette(&mut self, chat: ChatId) -> Result<()> {
        self.arm_reply_alert(chat).await?;
        self.arm_inactivity(chat).await
    }

    /// The visitor started waiting for a reply: alert the agent if none comes.
    pub(super) async fn arm_reply_alert(&mut self, chat: ChatId) -> Result<()> {
        let Some((department, Some(since))) = self
            .chats
            .get(&chat)
            .filter(|c| c.state == ChatState::Active)
            .map(|c| (c.department, c.waiting_since))
        else {
            return Ok(());
        };
        let after = self.department(department).await?.settings.reply_alert_secs;
        self.timers
            .add(since + secs(after), Timer::ReplyAlert(chat, since));
        Ok(())
    }

    /// The visitor went silent after an agent's message: prompt, then close.
    pub(super) async fn arm_inactivity(&mut self, chat: ChatId) -> Result<()> {
        let Some((department, Some(since), prompted)) = self
            .chats
            .get(&chat)
            .filter(|c| c.state == ChatState::Active)
            .map(|c| (c.department, c.silent_since, c.prompted))
        else {
            return Ok(());
        };
        let settings = self.department(department).await?.settings.clone();
        if !prompted {
            self.timers.add(
                since + secs(settings.inactivity_prompt_secs),
                Timer::InactivityPrompt(chat, since),
            );
        }
        self.timers.add(
            since + secs(settings.inactivity_close_secs),
            Timer::InactivityClose(chat, since),
        );
        Ok(())
    }

    /// The visitor has waited long to be connected: alert the agent the chat is offered
    /// to. (A queued chat shows its waiting time in the queue itself.) A chat offered
    /// only after the threshold is alerted at once, from `make_offer`.
    pub(super) fn wait_alert(&self, chat: ChatId) {
        let Some(c) = self.chats.get(&chat) else {
            return;
        };
        let Some(offered_to) = c.offer.and_then(|o| self.offers.get(&o)).map(|o| o.agent) else {
            return;
        };
        let now = self.clock.now();
        self.tell_agent(
            offered_to,
            &AgentPush::Alert(AlertPush {
                chat_id: chat,
                kind: AlertKind::WaitingForAgent,
                since: c.created_at,
                waited_secs: (now - c.created_at).num_seconds().max(0).unsigned_abs(),
            }),
        );
    }

    fn reply_alert(&self, chat: ChatId, since: DateTime<Utc>) {
        let Some(c) = self.chats.get(&chat) else {
            return;
        };
        if c.state != ChatState::Active || c.waiting_since != Some(since) {
            return;
        }
        let Some(agent) = c.agent else {
            return;
        };
        let now = self.clock.now();
        self.tell_agent(
            agent,
            &AgentPush::Alert(AlertPush {
                chat_id: chat,
                kind: AlertKind::WaitingForReply,
                since,
                waited_secs: (now - since).num_seconds().max(0).unsigned_abs(),
            }),
        );
    }
}
