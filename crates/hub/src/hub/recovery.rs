//! Rebuilding the live state from the store when the hub starts, so a restart (or a
//! crash) strands no chat: offers open at the time are withdrawn and their chats
//! queue again; active chats keep their agents and their etiquette timers; wrap-ups
//! owed keep their slots and deadlines; transfers to a department wait again, those to
//! an agent come back to the sender.

use chrono::TimeDelta;
use switchboard_protocol::agent::{AgentPush, OfferClosed};
use switchboard_protocol::{AgentId, ChatId, ChatState, OfferEnd, OfferId};

use super::state::{Hub, LiveChat};
use super::timers::Timer;
use crate::clock::{from_millis, secs, to_millis};
use crate::error::Result;
use crate::store::{agents, chats, departments, offers};

impl Hub {
    pub(crate) async fn recover(&mut self) -> Result<()> {
        let now = self.clock.now();
        let mut conn = self.store.acquire().await?;
        agents::online_to_away(&mut conn).await?;
        for d in departments::list(&mut conn).await? {
            self.departments.insert(d.id, d);
        }
        let open_offers = offers::open(&mut conn).await?;
        drop(conn);

        for offer in open_offers {
            let (id, chat, agent) = (
                OfferId(offer.id),
                ChatId(offer.chat_id),
                AgentId(offer.agent_id),
            );
            let mut change = self.begin().await?;
            offers::end(change.conn(), id, to_millis(now), OfferEnd::Cancelled).await?;
            if chats::get(change.conn(), chat)
                .await?
                .is_some_and(|c| c.state() == ChatState::Offered)
            {
                chats::set_state(change.conn(), chat, ChatState::Queued).await?;
            }
            change
                .push(
                    agent,
                    AgentPush::OfferClosed(OfferClosed {
                        offer_id: id,
                        chat_id: chat,
                        reason: OfferEnd::Cancelled,
                    }),
                )
                .await?;
            self.commit(change).await?;
        }

        let mut conn = self.store.acquire().await?;
        let open = chats::open(&mut conn).await?;
        let grace =
            TimeDelta::from_std(self.settings.visitor_grace).unwrap_or(TimeDelta::seconds(30));
        let mut active = Vec::new();
        for row in open {
            let id = row.chat_id();
            let refused = offers::refused_by(&mut conn, id)
                .await?
                .into_iter()
                .collect();
            let agent = row.agent_id.map(AgentId);
            let state = row.state();
            if let (Some(agent), ChatState::Active) = (agent, state) {
                drop(conn);
                self.live_agent(agent).await?.chats.insert(id);
                conn = self.store.acquire().await?;
                active.push(id);
            }
            let created_at = from_millis(row.created_at);
            if state != ChatState::Active {
                // Nobody is connected after a restart; the visitor has the grace
                // period to come back before the chat counts as abandoned.
                self.timers.add(now + grace, Timer::VisitorGone(id, 0));
                if let Some(d) = self
                    .departments
                    .get(&switchboard_protocol::DepartmentId(row.department_id))
                {
                    let at = created_at + secs(d.settings.wait_alert_secs);
                    if at > now {
                        self.timers.add(at, Timer::WaitAlert(id));
                    }
                }
            }
            self.chats.insert(
                id,
                LiveChat {
                    id,
                    department: switchboard_protocol::DepartmentId(row.department_id),
                    required_skill: row.required_skill.clone(),
                    visitor_name: row.visitor_name.clone(),
                    question: row.question.clone(),
                    state: if state == ChatState::Active {
                        ChatState::Active
                    } else {
                        ChatState::Queued
                    },
                    agent: agent.filter(|_| state == ChatState::Active),
                    created_at,
                    queued_at: from_millis(row.queued_at),
                    offer: None,
                    refused,
                    visitor: None,
                    visitor_generation: 0,
                    waiting_since: row.visitor_waiting_since.map(from_millis),
                    silent_since: row.visitor_silent_since.map(from_millis),
                    prompted: row.prompted,
                    told_visitor: None,
                },
            );
        }
        drop(conn);
        for id in active {
            self.arm_etiquette(id).await?;
        }
        self.recover_transfers().await?;
        self.recover_wrap_ups().await?;
        // Nobody is connected after a restart: every agent holding chats gets the
        // grace period to come back.
        let holders: Vec<AgentId> = self
            .agents
            .values()
            .filter(|a| !a.chats.is_empty())
            .map(|a| a.agent.id)
            .collect();
        for agent in holders {
            self.start_grace(agent);
        }
        self.recover_missed().await?;
        self.schedule_housekeeping();
        tracing::info!(open_chats = self.chats.len(), "hub state recovered");
        Ok(())
    }
}
