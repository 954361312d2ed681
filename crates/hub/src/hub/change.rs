//! One change of hub state: a store transaction plus the pushes it causes. Durable
//! agent pushes are numbered and written in the same transaction; nothing is
//! delivered until the transaction has committed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::{Sqlite, Transaction};
use switchboard_protocol::agent::AgentPush;
use switchboard_protocol::visitor::VisitorPush;
use switchboard_protocol::{AgentId, Seq, encode_push};

use super::state::{Hub, Link};
use crate::clock::to_millis;
use crate::error::Result;
use crate::store::{SqliteConnection, pushes};

pub(super) struct Change {
    tx: Transaction<'static, Sqlite>,
    pub now: DateTime<Utc>,
    keep: u64,
    seqs: HashMap<AgentId, Seq>,
    agent_frames: Vec<(AgentId, String)>,
    visitor_frames: Vec<(Link, String)>,
}

impl Change {
    pub fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.tx
    }

    /// Add a durable push to the agent's stream (next seq, stored with the change).
    pub async fn push(&mut self, agent: AgentId, push: AgentPush) -> Result<Seq> {
        debug_assert!(push.is_durable(), "only durable pushes go through the log");
        let seq = match self.seqs.get(&agent) {
            Some(s) => Seq(s.0 + 1),
            None => Seq(pushes::last_seq(&mut self.tx, agent).await?.0 + 1),
        };
        let frame = encode_push(&push, Some(seq));
        pushes::append(&mut self.tx, agent, seq, &frame, to_millis(self.now)).await?;
        if seq.0 > self.keep {
            pushes::prune_below(&mut self.tx, agent, Seq(seq.0 - self.keep)).await?;
        }
        self.seqs.insert(agent, seq);
        self.agent_frames.push((agent, frame));
        Ok(seq)
    }

    /// Tell the visitor behind `link` (if connected) once the change is stored.
    pub fn tell_visitor(&mut self, link: Option<&Link>, push: &VisitorPush) {
        if let Some(link) = link {
            self.visitor_frames
                .push((link.clone(), encode_push(push, None)));
        }
    }
}

impl Hub {
    pub(super) async fn begin(&self) -> Result<Change> {
        Ok(Change {
            tx: self.store.begin().await?,
            now: self.clock.now(),
            keep: self.settings.push_log_keep.max(1),
            seqs: HashMap::new(),
            agent_frames: Vec::new(),
            visitor_frames: Vec::new(),
        })
    }

    /// Commit the change, then deliver its pushes to whoever is connected.
    pub(super) async fn commit(&mut self, change: Change) -> Result<()> {
        change.tx.commit().await?;
        for (agent, frame) in change.agent_frames {
            let Some(link) = self.agents.get(&agent).and_then(|a| a.link.as_ref()) else {
                continue;
            };
            if !link.send(frame) {
                self.close_slow_agent(agent);
            }
        }
        for (link, frame) in change.visitor_frames {
            if !link.send(frame) {
                link.close(super::slow_consumer());
            }
        }
        Ok(())
    }

    /// Send an ephemeral push (typing, alerts, queue, presence) if the agent is
    /// connected; dropped when its buffer is full.
    pub(super) fn tell_agent(&self, agent: AgentId, push: &AgentPush) {
        if let Some(link) = self.agents.get(&agent).and_then(|a| a.link.as_ref()) {
            let _ = link.send(encode_push(push, None));
        }
    }
}
