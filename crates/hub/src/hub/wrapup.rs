//! Wrap-up: when a chat its agent holds ends, the agent owes a wrap-up (an outcome
//! from the department's list, notes, tags). Until it is given or the department's
//! wrap-up timeout passes, the chat stays in the agent's list and takes one of its
//! slots, so routing sees it. Where the department does not require one, the agent
//! may skip it by giving an empty outcome. Every wrap-up given is stored on the chat
//! and in its transcript; a later one replaces an earlier one.

use chrono::{DateTime, Utc};
use serde_json::Value;
use switchboard_protocol::agent::{
    AgentPush, ChatEventPush, ChatReleased, ChatUpdated, ReleaseReason, WrapUpSubmit, WrappedUp,
};
use switchboard_protocol::{AgentId, AgentRef, ChatId, ErrorCode, EventBody, WrapUp, limits};

use super::change::Change;
use super::state::Hub;
use super::timers::Timer;
use crate::clock::{secs, to_millis};
use crate::error::{Error, Result};
use crate::store::departments::DepartmentSettings;
use crate::store::replies::{self, Scope};
use crate::store::{chats, wrap_ups};

impl Hub {
    /// Inside the change that ends a held chat: its agent now owes a wrap-up, by the
    /// returned deadline.
    pub(super) async fn open_wrap_up(
        change: &mut Change,
        chat: ChatId,
        settings: &DepartmentSettings,
    ) -> Result<DateTime<Utc>> {
        let deadline = change.now + secs(settings.wrap_up_timeout_secs);
        wrap_ups::open(change.conn(), chat, settings.wrap_up_required, deadline).await?;
        Ok(deadline)
    }

    /// Once that change is stored: the chat takes a slot until the deadline.
    pub(super) fn track_wrap_up(&mut self, agent: AgentId, chat: ChatId, deadline: DateTime<Utc>) {
        if let Some(a) = self.agents.get_mut(&agent) {
            a.wrapping.insert(chat);
        }
        self.timers.add(deadline, Timer::WrapUpDue(chat));
    }

    pub(super) async fn wrap_up_submit(
        &mut self,
        agent: AgentId,
        r: WrapUpSubmit,
    ) -> Result<Value> {
        let scope = Scope::Agent(agent.0);
        let mut conn = self.store.acquire().await?;
        if let Some(json) = replies::get(&mut conn, scope, r.client_id.as_str()).await? {
            return Ok(serde_json::from_str(&json)?);
        }
        let row = wrap_ups::get(&mut conn, r.chat_id)
            .await?
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
        drop(conn);
        if row.agent_id != Some(agent.0) {
            return Err(Error::wire(
                ErrorCode::Forbidden,
                "only the agent who ended the chat wraps it up",
            ));
        }
        if row.state != "ended" {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "the chat has not ended yet",
            ));
        }
        let Some(state) = row.columns.wrap_up_state.as_deref() else {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "no wrap-up is owed for this chat",
            ));
        };
        let pending = state == "pending";
        let required = row.columns.wrap_up_required;
        let outcomes = self
            .department(switchboard_protocol::DepartmentId(row.department_id))
            .await?
            .settings
            .outcomes
            .clone();
        let wrap_up = checked_wrap_up(r.wrap_up, &outcomes, required)?;
        let name = self.live_agent(agent).await?.agent.name.clone();

        let chat = r.chat_id;
        let mut change = self.begin().await?;
        let now = change.now;
        let event = chats::append_event(
            change.conn(),
            chat,
            now,
            EventBody::WrapUp {
                agent: AgentRef { id: agent, name },
                wrap_up: wrap_up.clone(),
            },
        )
        .await?;
        wrap_ups::record(change.conn(), chat, &wrap_up, now).await?;
        let summary = chats::summary(change.conn(), chat)
            .await?
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
        // A wrap-up owed is part of the agent's open chats; a later correction of a
        // released chat is answered, not pushed.
        if pending {
            change
                .push(agent, AgentPush::ChatEvent(ChatEventPush { event }))
                .await?;
            change
                .push(
                    agent,
                    AgentPush::ChatUpdated(ChatUpdated {
                        chat: summary.clone(),
                    }),
                )
                .await?;
            change
                .push(
                    agent,
                    AgentPush::ChatReleased(ChatReleased {
                        chat_id: chat,
                        reason: ReleaseReason::WrappedUp,
                    }),
                )
                .await?;
        }
        let reply = serde_json::to_string(&WrappedUp { chat: summary })?;
        replies::put(
            change.conn(),
            scope,
            r.client_id.as_str(),
            &reply,
            to_millis(now),
        )
        .await?;
        self.commit(change).await?;

        if pending {
            if let Some(a) = self.agents.get_mut(&agent) {
                a.wrapping.remove(&chat);
            }
            tracing::info!(chat = %chat, agent = %agent, "wrapped up");
            self.dispatch().await?;
        }
        Ok(serde_json::from_str(&reply)?)
    }

    /// The wrap-up deadline of a chat: if it is still owed, it expires and the chat
    /// frees its slot.
    pub(super) async fn wrap_up_due(&mut self, chat: ChatId) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        let Some(row) = wrap_ups::get(&mut conn, chat).await? else {
            return Ok(());
        };
        drop(conn);
        let (Some(agent), Some("pending")) = (row.agent_id, row.columns.wrap_up_state.as_deref())
        else {
            return Ok(());
        };
        let agent = AgentId(agent);
        let mut change = self.begin().await?;
        wrap_ups::expire(change.conn(), chat).await?;
        let summary = chats::summary(change.conn(), chat)
            .await?
            .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such chat"))?;
        change
            .push(agent, AgentPush::ChatUpdated(ChatUpdated { chat: summary }))
            .await?;
        change
            .push(
                agent,
                AgentPush::ChatReleased(ChatReleased {
                    chat_id: chat,
                    reason: ReleaseReason::WrappedUp,
                }),
            )
            .await?;
        self.commit(change).await?;
        if let Some(a) = self.agents.get_mut(&agent) {
            a.wrapping.remove(&chat);
        }
        tracing::info!(chat = %chat, agent = %agent, "wrap-up expired");
        self.dispatch().await
    }

    /// After a restart: wrap-ups still owed take their slots again until their
    /// deadlines (one already past expires at once).
    pub(super) async fn recover_wrap_ups(&mut self) -> Result<()> {
        let mut conn = self.store.acquire().await?;
        let pending = wrap_ups::pending(&mut conn).await?;
        drop(conn);
        for (chat, agent, deadline) in pending {
            self.live_agent(agent).await?;
            self.track_wrap_up(agent, chat, deadline);
        }
        Ok(())
    }
}

/// A wrap-up as given: an outcome from the department's list (in its spelling; any
/// short outcome when the list is empty; none only where not required), notes and
/// tags within the limits (tags trimmed, empty and repeated ones dropped).
fn checked_wrap_up(given: WrapUp, outcomes: &[String], required: bool) -> Result<WrapUp> {
    let outcome = given.outcome.trim();
    let outcome = if outcome.is_empty() {
        if required {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "this department requires a wrap-up with an outcome",
            ));
        }
        String::new()
    } else if outcomes.is_empty() {
        if limits::char_len(outcome) > limits::MAX_NAME_CHARS {
            return Err(Error::wire(
                ErrorCode::TooLarge,
                format!(
                    "an outcome may have at most {} characters",
                    limits::MAX_NAME_CHARS
                ),
            ));
        }
        outcome.to_owned()
    } else {
        outcomes
            .iter()
            .find(|o| o.eq_ignore_ascii_case(outcome))
            .cloned()
            .ok_or_else(|| {
                Error::wire(
                    ErrorCode::BadRequest,
                    format!("the outcome must be one of: {}", outcomes.join(", ")),
                )
            })?
    };
    if limits::char_len(&given.notes) > limits::MAX_NOTE_CHARS {
        return Err(Error::wire(
            ErrorCode::TooLarge,
            format!(
                "wrap-up notes may have at most {} characters",
                limits::MAX_NOTE_CHARS
            ),
        ));
    }
    let mut tags: Vec<String> = Vec::new();
    for tag in &given.tags {
        let tag = tag.trim();
        if tag.is_empty() || tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
            continue;
        }
        if limits::char_len(tag) > limits::MAX_TAG_CHARS {
            return Err(Error::wire(
                ErrorCode::TooLarge,
                format!(
                    "a tag may have at most {} characters",
                    limits::MAX_TAG_CHARS
                ),
            ));
        }
        tags.push(tag.to_owned());
    }
    if tags.len() > limits::MAX_TAGS {
        return Err(Error::wire(
            ErrorCode::TooLarge,
            format!("a wrap-up may have at most {} tags", limits::MAX_TAGS),
        ));
    }
    Ok(WrapUp {
        outcome,
        notes: given.notes.trim().to_owned(),
        tags,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcomes() -> Vec<String> {
        vec!["Resolved".into(), "Sale".into()]
    }

    fn given(outcome: &str) -> WrapUp {
        WrapUp {
            outcome: outcome.into(),
            notes: String::new(),
            tags: Vec::new(),
        }
    }

    #[test]
    fn the_outcome_comes_from_the_list_in_its_spelling() {
        let w = checked_wrap_up(given(" resolved "), &outcomes(), true).expect("listed");
        assert_eq!(w.outcome, "Resolved", "stored as the department spells it");
        let err = checked_wrap_up(given("Maybe"), &outcomes(), false).expect_err("not listed");
        assert!(matches!(err, Error::Wire(w) if w.code == ErrorCode::BadRequest));
    }

    #[test]
    fn only_an_optional_wrap_up_may_be_skipped() {
        assert!(checked_wrap_up(given(""), &outcomes(), false).is_ok());
        let err = checked_wrap_up(given("  "), &outcomes(), true).expect_err("required");
        assert!(matches!(err, Error::Wire(w) if w.code == ErrorCode::BadRequest));
    }

    #[test]
    fn tags_are_trimmed_deduplicated_and_limited() {
        let mut w = given("Sale");
        w.tags = vec![
            " vat ".into(),
            "VAT".into(),
            String::new(),
            "invoice".into(),
        ];
        let w = checked_wrap_up(w, &outcomes(), true).expect("fine");
        assert_eq!(w.tags, vec!["vat".to_owned(), "invoice".to_owned()]);
        let mut many = given("Sale");
        many.tags = (0..=limits::MAX_TAGS).map(|i| format!("t{i}")).collect();
        let err = checked_wrap_up(many, &outcomes(), true).expect_err("too many tags");
        assert!(matches!(err, Error::Wire(w) if w.code == ErrorCode::TooLarge));
        let mut long = given("Sale");
        long.tags = vec!["x".repeat(limits::MAX_TAG_CHARS + 1)];
        assert!(checked_wrap_up(long, &outcomes(), true).is_err());
    }
}
