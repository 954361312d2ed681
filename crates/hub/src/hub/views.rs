//! What each side is shown: the visitor's view of a transcript and of its chat's
//! state, and the queue as agents see it. After every command the core compares
//! these views with what it last told and sends only the differences.

use std::collections::HashMap;

use switchboard_protocol::agent::{AgentPush, QueueUpdated};
use switchboard_protocol::visitor::{
    StatePush, VisitorChatState, VisitorEvent, VisitorEventBody, VisitorPush,
};
use switchboard_protocol::{
    Author, ChatEvent, ChatState, DepartmentId, EventBody, Party, QueueEntry, encode_push,
};

use super::state::Hub;

/// A transcript event as the visitor may see it; `None` for what is for agents only.
/// `team` names the sender of the hub's own messages.
pub fn visitor_event(event: &ChatEvent, team: &str) -> Option<VisitorEvent> {
    let body = match &event.body {
        EventBody::Message {
            author,
            text,
            client_id,
        } => match author {
            Author::Visitor { name } => VisitorEventBody::Message {
                from: Party::Visitor,
                name: name.clone(),
                text: text.clone(),
                system: false,
                client_id: client_id.clone(),
            },
            Author::Agent { name, .. } => VisitorEventBody::Message {
                from: Party::Agent,
                name: name.clone(),
                text: text.clone(),
                system: false,
                client_id: None,
            },
            Author::System => VisitorEventBody::Message {
                from: Party::Agent,
                name: team.to_owned(),
                text: text.clone(),
                system: true,
                client_id: None,
            },
        },
        EventBody::Joined { agent } => VisitorEventBody::Notice {
            text: format!("{} joined the chat", agent.name),
        },
        // A transfer tells the visitor in its own notice, and the new agent joins.
        EventBody::Left { reason, .. } if reason == super::transfer::LEFT_TRANSFERRED => {
            return None;
        }
        EventBody::Left { agent, .. } => VisitorEventBody::Notice {
            text: format!("{} left the chat", agent.name),
        },
        EventBody::Notice { text } => VisitorEventBody::Notice { text: text.clone() },
        _ => return None,
    };
    Some(VisitorEvent {
        id: event.id,
        at: event.at,
        body,
    })
}

/// A whole transcript as the visitor sees it.
pub fn visitor_events(events: &[ChatEvent], team: &str) -> Vec<VisitorEvent> {
    events
        .iter()
        .filter_map(|e| visitor_event(e, team))
        .collect()
}

impl Hub {
    /// The state of an open chat as its visitor should see it.
    pub(super) fn visitor_state(
        &self,
        chat: switchboard_protocol::ChatId,
    ) -> Option<VisitorChatState> {
        let c = self.chats.get(&chat)?;
        Some(match c.state {
            ChatState::Active => VisitorChatState::Connected {
                agent_name: c
                    .agent
                    .and_then(|a| self.agents.get(&a))
                    .map(|a| a.agent.name.clone())
                    .unwrap_or_default(),
            },
            ChatState::Offered => VisitorChatState::Connecting,
            _ => VisitorChatState::Queued {
                position: self.queue_position(chat).unwrap_or(1),
            },
        })
    }

    /// 1-based place among the department's waiting (not offered) chats.
    pub(super) fn queue_position(&self, chat: switchboard_protocol::ChatId) -> Option<u32> {
        let waiting = self.waiting();
        let me = waiting.iter().find(|w| w.chat == chat && !w.transfer)?;
        let ahead = waiting
            .iter()
            .take_while(|w| w.chat != chat)
            .filter(|w| w.department == me.department)
            .count();
        u32::try_from(ahead + 1).ok()
    }

    /// The waiting chats of each department, in queue order (department transfers
    /// included: they wait in their new department's queue).
    pub(super) fn queues(&self) -> HashMap<DepartmentId, Vec<QueueEntry>> {
        let mut out: HashMap<DepartmentId, Vec<QueueEntry>> = HashMap::new();
        for w in self.waiting() {
            let (Some(c), Some(department)) =
                (self.chats.get(&w.chat), self.departments.get(&w.department))
            else {
                continue;
            };
            let entries = out.entry(w.department).or_default();
            entries.push(QueueEntry {
                chat_id: c.id,
                department: department.reference(),
                visitor_name: c.visitor_name.clone(),
                question: c.question.clone(),
                waiting_since: w.since,
                position: u32::try_from(entries.len() + 1).unwrap_or(u32::MAX),
            });
        }
        out
    }

    /// Send visitors their chat's new state and agents their departments' new queue,
    /// where these changed since last told.
    pub(super) fn tell_views(&mut self) {
        let mut queues = self.queues();
        let positions: HashMap<_, _> = queues
            .values()
            .flatten()
            .map(|e| (e.chat_id, e.position))
            .collect();
        let states: Vec<_> = self
            .chats
            .values()
            .map(|c| {
                let state = match c.state {
                    ChatState::Queued => VisitorChatState::Queued {
                        position: positions.get(&c.id).copied().unwrap_or(1),
                    },
                    _ => self
                        .visitor_state(c.id)
                        .unwrap_or(VisitorChatState::Connecting),
                };
                (c.id, state)
            })
            .collect();
        for (id, state) in states {
            let Some(chat) = self.chats.get_mut(&id) else {
                continue;
            };
            if chat.told_visitor.as_ref() == Some(&state) {
                continue;
            }
            if let Some(link) = &chat.visitor {
                let frame = encode_push(
                    &VisitorPush::State(StatePush {
                        state: state.clone(),
                    }),
                    None,
                );
                if !link.send(frame) {
                    link.close(super::slow_consumer());
                }
            }
            chat.told_visitor = Some(state);
        }

        let mut departments: Vec<DepartmentId> = queues.keys().copied().collect();
        departments.extend(self.told_queues.keys().copied());
        departments.sort();
        departments.dedup();
        for department in departments {
            let entries = queues.remove(&department).unwrap_or_default();
            if self
                .told_queues
                .get(&department)
                .cloned()
                .unwrap_or_default()
                == entries
            {
                continue;
            }
            if let Some(d) = self.departments.get(&department) {
                let push = AgentPush::QueueUpdated(QueueUpdated {
                    department: d.reference(),
                    entries: entries.clone(),
                });
                for agent in self.agents.values() {
                    if agent.link.is_some() && agent.department_ids.contains(&department) {
                        self.tell_agent(agent.agent.id, &push);
                    }
                }
            }
            if entries.is_empty() {
                self.told_queues.remove(&department);
            } else {
                self.told_queues.insert(department, entries);
            }
        }
    }
}
