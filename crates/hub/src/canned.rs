//! Canned responses: who may use, create, change and delete which, and the checks on
//! what is saved. Agents manage their personal ones; department ones are shared with
//! the department's agents and managed by admins (over the protocol, or from the
//! command line). Nothing here touches live chat state, so connection tasks answer
//! these requests straight from the store.
//!
//! The hub stores texts as written: `{visitor_name}`, `{agent_name}` and
//! `{department}` are filled in by the client when an agent inserts one
//! (`switchboard_protocol::fill_canned`).

use serde_json::Value;
use switchboard_protocol::agent::{AgentRequest, CannedResponses, CannedSave, CannedSaved, Done};
use switchboard_protocol::{
    AgentId, CannedId, CannedResponse, CannedScope, ErrorCode, Role, WireError, limits,
};

use crate::clock::{Clock, to_millis};
use crate::error::{Error, Result};
use crate::store::canned::{self, Owner};
use crate::store::replies::{self, Scope};
use crate::store::{SqliteConnection, Store, agents, departments};

/// Most canned responses one agent may keep, and one department may share.
pub const MAX_PER_OWNER: u32 = 500;

/// A shortcut as stored: trimmed, without a leading `/`, 1 to `MAX_SHORTCUT_CHARS`
/// letters, digits, `-`, `_` or `.`.
pub fn check_shortcut(shortcut: &str) -> Result<String> {
    let s = shortcut.trim();
    let s = s.strip_prefix('/').unwrap_or(s);
    if s.is_empty() {
        return Err(Error::wire(
            ErrorCode::BadRequest,
            "a canned response needs a shortcut",
        ));
    }
    if limits::char_len(s) > limits::MAX_SHORTCUT_CHARS {
        return Err(Error::wire(
            ErrorCode::TooLarge,
            format!(
                "a shortcut may have at most {} characters",
                limits::MAX_SHORTCUT_CHARS
            ),
        ));
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(Error::wire(
            ErrorCode::BadRequest,
            "a shortcut may hold only letters, digits, - _ and .",
        ));
    }
    Ok(s.to_owned())
}

/// A text as stored: not blank, and short enough to be sent as a message.
pub fn check_text(text: &str) -> Result<String> {
    if text.trim().is_empty() {
        return Err(Error::wire(
            ErrorCode::BadRequest,
            "a canned response needs some text",
        ));
    }
    if limits::char_len(text) > limits::MAX_MESSAGE_CHARS {
        return Err(Error::wire(
            ErrorCode::TooLarge,
            format!(
                "a canned response may have at most {} characters, so that it fits in a message",
                limits::MAX_MESSAGE_CHARS
            ),
        ));
    }
    Ok(text.to_owned())
}

/// Answer `canned.list`, `canned.save` or `canned.delete` for `agent`.
pub(crate) async fn answer(
    store: &Store,
    clock: &Clock,
    agent: AgentId,
    request: AgentRequest,
) -> Result<Value> {
    match request {
        AgentRequest::CannedList(_) => {
            let mut conn = store.acquire().await?;
            let me = agents::get(&mut conn, agent)
                .await?
                .ok_or_else(|| Error::wire(ErrorCode::Unauthorized, "no such agent"))?;
            let departments: Vec<_> = me.departments.iter().map(|d| d.id).collect();
            // Admins manage every department's responses, so they see them all.
            let scope = (me.role != Role::Admin).then_some(departments.as_slice());
            let responses = canned::usable(&mut conn, agent, scope).await?;
            Ok(serde_json::to_value(CannedResponses { responses })?)
        }
        AgentRequest::CannedSave(save) => save_for_agent(store, clock, agent, save).await,
        AgentRequest::CannedDelete(r) => {
            let mut tx = store.begin().await?;
            let existing = manageable(&mut tx, agent, r.id).await?;
            canned::delete(&mut tx, existing.id).await?;
            tx.commit().await?;
            Ok(serde_json::to_value(Done {})?)
        }
        other => Err(Error::wire(
            ErrorCode::Internal,
            format!("`{}` is not a canned-response request", other.action()),
        )),
    }
}

/// The response, if `agent` may change it. Someone else's personal response does not
/// exist as far as the agent can tell.
async fn manageable(
    conn: &mut SqliteConnection,
    agent: AgentId,
    id: CannedId,
) -> Result<CannedResponse> {
    let not_found = || Error::wire(ErrorCode::NotFound, "no such canned response");
    let existing = canned::get(conn, id).await?.ok_or_else(not_found)?;
    match existing.scope {
        CannedScope::Personal if existing.owner == Some(agent) => Ok(existing),
        CannedScope::Personal => Err(not_found()),
        CannedScope::Department => {
            let me = agents::get(conn, agent)
                .await?
                .ok_or_else(|| Error::wire(ErrorCode::Unauthorized, "no such agent"))?;
            if me.role == Role::Admin {
                Ok(existing)
            } else {
                Err(Error::wire(
                    ErrorCode::Forbidden,
                    "only admins manage department canned responses",
                ))
            }
        }
    }
}

async fn save_for_agent(
    store: &Store,
    clock: &Clock,
    agent: AgentId,
    save: CannedSave,
) -> Result<Value> {
    let now = to_millis(clock.now());
    let scope = Scope::Agent(agent.0);
    let mut tx = store.begin().await?;
    if let Some(json) = replies::get(&mut tx, scope, save.client_id.as_str()).await? {
        return Ok(serde_json::from_str(&json)?);
    }
    let shortcut = check_shortcut(&save.shortcut)?;
    let text = check_text(&save.text)?;
    let owner = match (save.scope, save.department_id) {
        (CannedScope::Personal, None) => Owner::Agent(agent),
        (CannedScope::Personal, Some(_)) => {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "a personal canned response has no department",
            ));
        }
        (CannedScope::Department, None) => {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "a department canned response needs a department_id",
            ));
        }
        (CannedScope::Department, Some(department)) => {
            let me = agents::get(&mut tx, agent)
                .await?
                .ok_or_else(|| Error::wire(ErrorCode::Unauthorized, "no such agent"))?;
            if me.role != Role::Admin {
                return Err(Error::wire(
                    ErrorCode::Forbidden,
                    "only admins manage department canned responses",
                ));
            }
            departments::get(&mut tx, department)
                .await?
                .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such department"))?;
            Owner::Department(department)
        }
    };
    if let Some(id) = save.id {
        let existing = manageable(&mut tx, agent, id).await?;
        if existing.scope != owner.scope() {
            return Err(Error::wire(
                ErrorCode::BadRequest,
                "a canned response keeps its scope; delete it and create another",
            ));
        }
    }
    let response = store_response(&mut tx, save.id, owner, &shortcut, &text, now).await?;
    let json = serde_json::to_string(&CannedSaved { response })?;
    replies::put(&mut tx, scope, save.client_id.as_str(), &json, now).await?;
    tx.commit().await?;
    Ok(serde_json::from_str(&json)?)
}

/// Create (no `id`) or change a response, once the caller may: the shortcut must be
/// free within the owner, and the owner under its cap.
async fn store_response(
    conn: &mut SqliteConnection,
    id: Option<CannedId>,
    owner: Owner,
    shortcut: &str,
    text: &str,
    now: i64,
) -> Result<CannedResponse> {
    if let Some(taken) = canned::by_shortcut(conn, owner, shortcut).await?
        && Some(taken) != id
    {
        return Err(Error::wire(
            ErrorCode::Conflict,
            format!("there is already a canned response /{shortcut}"),
        ));
    }
    let id = match id {
        Some(id) => {
            canned::update(conn, id, owner, shortcut, text, now).await?;
            id
        }
        None => {
            if canned::count(conn, owner).await? >= MAX_PER_OWNER {
                return Err(Error::wire(
                    ErrorCode::TooLarge,
                    format!("at most {MAX_PER_OWNER} canned responses each; delete some first"),
                ));
            }
            canned::insert(conn, owner, shortcut, text, now).await?
        }
    };
    canned::get(conn, id)
        .await?
        .ok_or_else(|| Error::wire(ErrorCode::NotFound, "no such canned response"))
}

/// Who a canned response made from the command line belongs to.
#[derive(Debug, Clone)]
pub enum CannedOwner {
    /// Shared by a department (by name).
    Department(String),
    /// An agent's own (by email).
    Agent(String),
}

async fn owner_for(conn: &mut SqliteConnection, owner: &CannedOwner) -> Result<Owner> {
    Ok(match owner {
        CannedOwner::Department(name) => Owner::Department(
            departments::by_name(conn, name)
                .await?
                .ok_or_else(|| Error::NotFound(format!("no department named `{}`", name.trim())))?
                .id,
        ),
        CannedOwner::Agent(email) => Owner::Agent(
            agents::by_email(conn, email.trim())
                .await?
                .ok_or_else(|| Error::NotFound(format!("no agent with email `{}`", email.trim())))?
                .id,
        ),
    })
}

/// Wire errors of the shared checks, as command-line errors.
fn for_admin(e: Error) -> Error {
    match e {
        Error::Wire(WireError {
            code: ErrorCode::NotFound,
            message,
        }) => Error::NotFound(message),
        Error::Wire(WireError { message, .. }) => Error::Invalid(message),
        other => other,
    }
}

/// `canned add`: a new canned response for a department or an agent.
pub async fn admin_add(
    store: &Store,
    clock: &Clock,
    owner: &CannedOwner,
    shortcut: &str,
    text: &str,
) -> Result<CannedResponse> {
    let shortcut = check_shortcut(shortcut).map_err(for_admin)?;
    let text = check_text(text).map_err(for_admin)?;
    let mut tx = store.begin().await?;
    let owner = owner_for(&mut tx, owner).await?;
    let response = store_response(
        &mut tx,
        None,
        owner,
        &shortcut,
        &text,
        to_millis(clock.now()),
    )
    .await
    .map_err(for_admin)?;
    tx.commit().await?;
    Ok(response)
}

/// `canned list`: every canned response, or one department's or agent's.
pub async fn admin_list(store: &Store, owner: Option<&CannedOwner>) -> Result<Vec<CannedResponse>> {
    let mut conn = store.acquire().await?;
    let owner = match owner {
        Some(o) => Some(owner_for(&mut conn, o).await?),
        None => None,
    };
    canned::list(&mut conn, owner).await
}

/// `canned remove`: delete one by id.
pub async fn admin_remove(store: &Store, id: CannedId) -> Result<()> {
    let mut conn = store.acquire().await?;
    if canned::delete(&mut conn, id).await? {
        Ok(())
    } else {
        Err(Error::NotFound(format!("no canned response {id}")))
    }
}
