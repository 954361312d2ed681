//! Visitor requests: hello (re-attaching to a chat by token), starting a chat,
//! messages, typing, ending, and leaving.

use serde_json::Value;
use switchboard_protocol::agent::Done;
use switchboard_protocol::visitor::{
    ChatStart, ChatStarted, DepartmentStatus, VisitorChat, VisitorChatState, Welcome,
};
use switchboard_protocol::{
    Author, ChatId, ChatState, CloseReason, EndReason, EndedBy, ErrorCode, MissedReason, limits,
};

use super::agent::checked_text;
use super::lifecycle::Ack;
use super::state::{Hub, Link, LiveChat};
use super::timers::Timer;
use super::views::{visitor_event, visitor_events};
use super::{ConnId, VisitorCall, VisitorOrigin, VisitorSession};
use crate::auth;
use crate::clock::{secs, to_millis};
use crate::error::{Error, Result};
use crate::store::replies::{self, Scope};
use crate::store::{chats, departments, sites};

impl Hub {
    pub(super) async fn visitor_hello(
        &mut self,
        link: Link,
        origin: VisitorOrigin,
        token: Option<String>,
    ) -> Result<VisitorSession> {
        let mut conn = self.store.acquire().await?;
        let all = departments::list(&mut conn).await?;
        let row = match token {
            Some(token) => chats::by_token(&mut conn, &auth::token_hash(&token))
                .await?
                .filter(|c| c.site_id == Some(origin.site.0)),
            None => None,
        };
        let events = match &row {
            Some(row) => chats::all_events(&mut conn, row.chat_id()).await?,
            None => Vec::new(),
        };
        let over = match &row {
            Some(row) => Some(super::missed::closed_chat_state(&mut conn, row).await?),
            None => None,
        };
        drop(conn);
        let departments = all
            .iter()
            .map(|d| DepartmentStatus {
                name: d.name.clone(),
                open: d.is_open(self.clock.now()),
                available: self.unavailable(d).is_none(),
            })
            .collect();
        for d in all {
            self.departments.insert(d.id, d);
        }
        let mut attached = None;
        let chat = match row {
            Some(row) => {
                let id = row.chat_id();
                let team = self
                    .departments
                    .get(&switchboard_protocol::DepartmentId(row.department_id))
                    .map(|d| d.name.clone())
                    .unwrap_or_default();
                let state = match self.visitor_state(id) {
                    Some(state) => {
                        self.attach_visitor(id, link, &state);
                        attached = Some(id);
                        state
                    }
                    None => over.unwrap_or(VisitorChatState::Ended {
                        by: EndedBy::System,
                    }),
                };
                Some(VisitorChat {
                    chat_id: id,
                    state,
                    events: visitor_events(&events, &team),
                })
            }
            None => None,
        };
        Ok(VisitorSession {
            welcome: Welcome {
                departments,
                chat,
                heartbeat_secs: limits::HEARTBEAT_SECS,
            },
            chat: attached,
        })
    }

    /// Make `link` the connection that speaks for the chat.
    fn attach_visitor(&mut self, chat: ChatId, link: Link, told: &VisitorChatState) {
        if let Some(c) = self.chats.get_mut(&chat) {
            if let Some(old) = c.visitor.replace(link.clone())
                && old.conn != link.conn
            {
                old.close(CloseReason::Replaced);
            }
            c.visitor_generation += 1;
            c.told_visitor = Some(told.clone());
        }
    }

    pub(super) async fn visitor_start(
        &mut self,
        link: Link,
        origin: VisitorOrigin,
        start: ChatStart,
    ) -> Result<ChatStarted> {
        let busy = self
            .chats
            .values()
            .any(|c| c.visitor.as_ref().is_some_and(|l| l.conn == link.conn));
        if busy {
            return Err(Error::wire(
                ErrorCode::InvalidState,
                "this connection already has an open chat",
            ));
        }
        let survey = checked_survey(&start)?;
        let now = self.clock.now();
        let mut conn = self.store.acquire().await?;
        let window = chrono::TimeDelta::from_std(self.settings.chat_start_retry_window)
            .unwrap_or(chrono::TimeDelta::days(7));

        // A retry after a lost reply: the same chat, with a fresh token (only the
        // token's hash was kept, so the first one cannot be given out again).
        if let Some(row) = chats::recent_start(
            &mut conn,
            &origin.remote_addr,
            start.client_id.as_str(),
            to_millis(now - window),
        )
        .await?
        .filter(|r| r.site_id == Some(origin.site.0))
        {
            let token = auth::new_token();
            chats::set_token(&mut conn, row.chat_id(), &auth::token_hash(&token)).await?;
            let events = chats::all_events(&mut conn, row.chat_id()).await?;
            let over = super::missed::closed_chat_state(&mut conn, &row).await?;
            drop(conn);
            let id = row.chat_id();
            let team = self.team_name(id);
            let state = match self.visitor_state(id) {
                Some(state) => {
                    self.attach_visitor(id, link, &state);
                    state
                }
                None => over,
            };
            return Ok(ChatStarted {
                chat_id: id,
                token,
                state,
                events: visitor_events(&events, &team),
            });
        }

        let department = departments::by_name(&mut conn, &survey.department)
            .await?
            .ok_or_else(|| {
                Error::wire(
                    ErrorCode::NotFound,
                    format!("no department named `{}`", survey.department),
                )
            })?;
        let required_skill = sites::required_skill(&mut conn, origin.site, department.id).await?;
        drop(conn);
        let token = auth::new_token();
        let token_hash = auth::token_hash(&token);
        let mut change = self.begin().await?;
        let now = change.now;
        let id = chats::insert(
            change.conn(),
            &chats::NewChat {
                department: department.id,
                site: Some(origin.site),
                site_host: Some(&origin.host),
                required_skill: required_skill.as_deref(),
                visitor_name: &survey.name,
                visitor_email: survey.email.as_deref(),
                question: &survey.question,
                page_url: start.page_url.as_deref(),
                user_agent: start.user_agent.as_deref(),
                remote_addr: &origin.remote_addr,
                token_hash: &token_hash,
                start_client_id: start.client_id.as_str(),
            },
            to_millis(now),
        )
        .await?;
        let question = chats::append_event(
            change.conn(),
            id,
            now,
            switchboard_protocol::EventBody::Message {
                author: Author::Visitor {
                    name: survey.name.clone(),
                },
                text: survey.question.clone(),
                client_id: Some(start.client_id.clone()),
            },
        )
        .await?;
        self.commit(change).await?;

        let wait_alert = secs(department.settings.wait_alert_secs);
        let team = department.name.clone();
        self.departments.insert(department.id, department.clone());
        self.chats.insert(
            id,
            LiveChat {
                id,
                department: department.id,
                required_skill,
                visitor_name: survey.name.clone(),
                question: survey.question.clone(),
                state: ChatState::Queued,
                agent: None,
                created_at: now,
                queued_at: now,
                offer: None,
                refused: Default::default(),
                visitor: Some(link),
                visitor_generation: 0,
                waiting_since: Some(now),
                silent_since: None,
                prompted: false,
                told_visitor: None,
            },
        );
        self.timers.add(now + wait_alert, Timer::WaitAlert(id));
        tracing::info!(chat = %id, department = %department.name, "chat started");
        self.place_new_chat(id, &department).await?;
        // Not open any more: missed at once (closed, or nobody to take it).
        let state = self
            .visitor_state(id)
            .unwrap_or(VisitorChatState::Missed { offline_form: true });
        if let Some(c) = self.chats.get_mut(&id) {
            c.told_visitor = Some(state.clone());
        }
        Ok(ChatStarted {
            chat_id: id,
            token,
            state,
            events: visitor_event(&question, &team).into_iter().collect(),
        })
    }

    pub(super) async fn visitor_call(
        &mut self,
        chat: ChatId,
        conn: ConnId,
        call: VisitorCall,
    ) -> Result<Value> {
        let linked = match self.chats.get(&chat) {
            Some(c) => c.visitor.as_ref().is_some_and(|l| l.conn == conn),
            None => {
                return match call {
                    // Ending a chat that is already over changes nothing.
                    VisitorCall::End => Ok(serde_json::to_value(Done {})?),
                    VisitorCall::Message(m) => {
                        // A retry of a message stored before the chat ended.
                        let mut c = self.store.acquire().await?;
                        match replies::get(&mut c, Scope::Visitor(chat.0), m.client_id.as_str())
                            .await?
                        {
                            Some(json) => Ok(serde_json::from_str(&json)?),
                            None => Err(Error::wire(ErrorCode::InvalidState, "the chat is over")),
                        }
                    }
                    VisitorCall::Typing(_) => Ok(serde_json::to_value(Done {})?),
                };
            }
        };
        if !linked {
            return Err(Error::wire(
                ErrorCode::Forbidden,
                "another connection speaks for this chat now",
            ));
        }
        match call {
            VisitorCall::Message(m) => {
                // The check for a retry is part of storing the message (see
                // `add_message`).
                let text = checked_text(m.text)?;
                let name = self
                    .chats
                    .get(&chat)
                    .map(|c| c.visitor_name.clone())
                    .unwrap_or_default();
                let json = self
                    .add_message(
                        chat,
                        Author::Visitor { name },
                        text,
                        Some(m.client_id),
                        Ack::Visitor,
                    )
                    .await?;
                Ok(serde_json::from_str(&json)?)
            }
            VisitorCall::Typing(t) => {
                self.relay_visitor_typing(chat, t.typing, t.preview);
                Ok(serde_json::to_value(Done {})?)
            }
            VisitorCall::End => {
                let active = self
                    .chats
                    .get(&chat)
                    .is_some_and(|c| c.state == ChatState::Active);
                if active {
                    self.end_chat(chat, EndedBy::Visitor, EndReason::Closed, None, None)
                        .await?;
                } else {
                    self.chat_missed(chat, MissedReason::VisitorLeft).await?;
                }
                self.dispatch().await?;
                Ok(serde_json::to_value(Done {})?)
            }
        }
    }

    pub(super) async fn visitor_gone(&mut self, chat: ChatId, conn: ConnId) -> Result<()> {
        let grace = chrono::TimeDelta::from_std(self.settings.visitor_grace)
            .unwrap_or(chrono::TimeDelta::seconds(30));
        let now = self.clock.now();
        let Some(c) = self.chats.get_mut(&chat) else {
            return Ok(());
        };
        if c.visitor.as_ref().map(|l| l.conn) != Some(conn) {
            return Ok(());
        }
        c.visitor = None;
        c.visitor_generation += 1;
        c.told_visitor = None;
        if c.state != ChatState::Active {
            let generation = c.visitor_generation;
            self.timers
                .add(now + grace, Timer::VisitorGone(chat, generation));
        }
        Ok(())
    }
}

/// The survey as the hub keeps it: trimmed and within limits.
struct Survey {
    name: String,
    email: Option<String>,
    question: String,
    department: String,
}

fn checked_survey(start: &ChatStart) -> Result<Survey> {
    let s = &start.survey;
    let name = s.name.trim().to_owned();
    let question = s.question.trim().to_owned();
    let email = s
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .map(str::to_owned);
    let too_long = |what: &str, max: usize| {
        Error::wire(
            ErrorCode::TooLarge,
            format!("{what} may have at most {max} characters"),
        )
    };
    if name.is_empty() {
        return Err(Error::wire(ErrorCode::BadRequest, "please give a name"));
    }
    if limits::char_len(&name) > limits::MAX_NAME_CHARS {
        return Err(too_long("a name", limits::MAX_NAME_CHARS));
    }
    if question.is_empty() {
        return Err(Error::wire(ErrorCode::BadRequest, "please give a question"));
    }
    if limits::char_len(&question) > limits::MAX_QUESTION_CHARS {
        return Err(too_long("a question", limits::MAX_QUESTION_CHARS));
    }
    if let Some(email) = &email {
        if limits::char_len(email) > limits::MAX_EMAIL_CHARS {
            return Err(too_long("an email address", limits::MAX_EMAIL_CHARS));
        }
        let plausible = email
            .split_once('@')
            .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
        if !plausible || email.chars().any(char::is_whitespace) {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "that email address does not look right",
            ));
        }
    }
    for (what, value) in [
        ("a page URL", &start.page_url),
        ("a user agent", &start.user_agent),
    ] {
        if value
            .as_deref()
            .is_some_and(|v| limits::char_len(v) > limits::MAX_URL_CHARS)
        {
            return Err(too_long(what, limits::MAX_URL_CHARS));
        }
    }
    Ok(Survey {
        name,
        email,
        question,
        department: s.department.trim().to_owned(),
    })
}
