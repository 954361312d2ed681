//! Agents' availability as others see it (status, connection, load against cap), for
//! the transfer list and the ephemeral `presence` push. After every command the core
//! compares each agent's availability with what it last told and tells only the
//! agents who share a department with one that changed.

use switchboard_protocol::agent::{AgentPush, PresencePush};
use switchboard_protocol::{AgentAvailability, AgentId, AgentStatus};

use super::state::{Hub, LiveAgent};

/// What decides an agent's availability: status, connected, load, cap. Cheap to
/// compare after every command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Presence {
    status: AgentStatus,
    connected: bool,
    load: u32,
    max_chats: u32,
}

fn presence(a: &LiveAgent) -> Presence {
    Presence {
        status: a.status,
        connected: a.link.is_some(),
        load: a.load(),
        max_chats: a.agent.max_chats,
    }
}

impl Hub {
    /// An agent's availability. `active_chats` counts every slot taken: held chats,
    /// chats in wrap-up and open offers, so `active_chats < max_chats` means it has
    /// room.
    pub(super) fn availability(&self, a: &LiveAgent) -> AgentAvailability {
        AgentAvailability {
            id: a.agent.id,
            name: a.agent.name.clone(),
            status: a.status,
            connected: a.link.is_some(),
            active_chats: a.load(),
            max_chats: a.agent.max_chats,
            departments: a.agent.departments.clone(),
        }
    }

    /// Tell connected agents about colleagues whose availability changed.
    pub(super) fn tell_presence(&mut self) {
        let changed: Vec<(AgentId, Presence)> = self
            .agents
            .values()
            .map(|a| (a.agent.id, presence(a)))
            .filter(|(id, now)| self.told_presence.get(id) != Some(now))
            .collect();
        for (id, now) in changed {
            self.told_presence.insert(id, now);
            let Some(agent) = self.agents.get(&id) else {
                continue;
            };
            let push = AgentPush::Presence(PresencePush {
                agent: self.availability(agent),
            });
            for other in self.agents.values() {
                let shares = other
                    .department_ids
                    .iter()
                    .any(|d| agent.department_ids.contains(d));
                if other.agent.id != id && other.link.is_some() && shares {
                    self.tell_agent(other.agent.id, &push);
                }
            }
        }
    }
}
