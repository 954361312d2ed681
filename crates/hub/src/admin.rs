//! What an admin manages from the command line: agents, departments with their
//! settings, sites with their allowed origins, and routing rules. Input is checked
//! here; the CLI only parses arguments and prints.

use switchboard_protocol::{AgentId, DepartmentId, Role, limits};

use crate::auth;
use crate::clock::{Clock, to_millis};
use crate::error::{Error, Result};
use crate::hours::OpeningHours;
use crate::routing::BackupMode;
use crate::store::agents::{self, Agent, NewAgent};
use crate::store::departments::{self, Department};
use crate::store::sites::{self, Rule, Site};
use crate::store::{SqliteConnection, Store};

/// A new agent account.
#[derive(Debug, Clone)]
pub struct NewAgentRequest {
    pub email: String,
    pub name: String,
    pub password: String,
    pub departments: Vec<String>,
    pub skills: Vec<String>,
    pub max_chats: u32,
    pub role: Role,
}

fn check_email(email: &str) -> Result<String> {
    let email = email.trim().to_owned();
    let plausible = email
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        && !email.chars().any(char::is_whitespace)
        && email.chars().count() <= limits::MAX_EMAIL_CHARS;
    if plausible {
        Ok(email)
    } else {
        Err(Error::Invalid(format!("`{email}` is not an email address")))
    }
}

fn check_name(name: &str, what: &str) -> Result<String> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > limits::MAX_NAME_CHARS {
        return Err(Error::Invalid(format!(
            "{what} needs 1 to {} characters",
            limits::MAX_NAME_CHARS
        )));
    }
    Ok(name)
}

fn check_skills(skills: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for s in skills {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            continue;
        }
        if s.chars().count() > limits::MAX_TAG_CHARS {
            return Err(Error::Invalid(format!("skill `{s}` is too long")));
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

fn check_max_chats(max: u32) -> Result<u32> {
    if (1..=50).contains(&max) {
        Ok(max)
    } else {
        Err(Error::Invalid("max chats must be between 1 and 50".into()))
    }
}

async fn department_ids(
    conn: &mut SqliteConnection,
    names: &[String],
) -> Result<Vec<DepartmentId>> {
    let mut ids = Vec::new();
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let d = departments::by_name(conn, name)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no department named `{name}`")))?;
        ids.push(d.id);
    }
    Ok(ids)
}

pub async fn agent_add(store: &Store, clock: &Clock, new: &NewAgentRequest) -> Result<AgentId> {
    let email = check_email(&new.email)?;
    let name = check_name(&new.name, "a name")?;
    auth::check_password_strength(&new.password)?;
    let skills = check_skills(&new.skills)?;
    let max_chats = check_max_chats(new.max_chats)?;
    let mut tx = store.begin().await?;
    if agents::by_email(&mut tx, &email).await?.is_some() {
        return Err(Error::Invalid(format!(
            "an agent with email `{email}` exists"
        )));
    }
    let department_ids = department_ids(&mut tx, &new.departments).await?;
    let password = new.password.clone();
    let hash = tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::Password(e.to_string()))??;
    let id = agents::insert(
        &mut tx,
        &NewAgent {
            email: &email,
            name: &name,
            password_hash: &hash,
            role: new.role,
            max_chats,
        },
        to_millis(clock.now()),
    )
    .await?;
    agents::set_departments(&mut tx, id, &department_ids).await?;
    agents::set_skills(&mut tx, id, &skills).await?;
    tx.commit().await?;
    Ok(id)
}

async fn hash_off_thread(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || auth::hash_password(&password))
        .await
        .map_err(|e| Error::Password(e.to_string()))?
}

pub async fn agent_list(store: &Store) -> Result<Vec<Agent>> {
    let mut conn = store.acquire().await?;
    agents::list(&mut conn).await
}

async fn agent_by_email(conn: &mut SqliteConnection, email: &str) -> Result<Agent> {
    agents::by_email(conn, email.trim())
        .await?
        .ok_or_else(|| Error::NotFound(format!("no agent with email `{}`", email.trim())))
}

/// Disable (or re-enable) an account. A disabled agent cannot sign in, refresh or
/// connect.
pub async fn agent_set_disabled(store: &Store, email: &str, disabled: bool) -> Result<Agent> {
    let mut conn = store.acquire().await?;
    let agent = agent_by_email(&mut conn, email).await?;
    agents::set_disabled(&mut conn, agent.id, disabled).await?;
    agent_by_email(&mut conn, email).await
}

/// Changes to an existing agent; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct AgentChanges {
    pub departments: Option<Vec<String>>,
    pub skills: Option<Vec<String>>,
    pub max_chats: Option<u32>,
    pub password: Option<String>,
}

pub async fn agent_set(store: &Store, email: &str, changes: &AgentChanges) -> Result<Agent> {
    let hash = match &changes.password {
        Some(password) => {
            auth::check_password_strength(password)?;
            Some(hash_off_thread(password.clone()).await?)
        }
        None => None,
    };
    let mut tx = store.begin().await?;
    let agent = agent_by_email(&mut tx, email).await?;
    if let Some(names) = &changes.departments {
        let ids = department_ids(&mut tx, names).await?;
        agents::set_departments(&mut tx, agent.id, &ids).await?;
    }
    if let Some(skills) = &changes.skills {
        agents::set_skills(&mut tx, agent.id, &check_skills(skills)?).await?;
    }
    if let Some(max) = changes.max_chats {
        sqlx::query("UPDATE agents SET max_chats = ? WHERE id = ?")
            .bind(i64::from(check_max_chats(max)?))
            .bind(agent.id.0)
            .execute(&mut *tx)
            .await?;
    }
    if let Some(hash) = &hash {
        agents::set_password_hash(&mut tx, agent.id, hash).await?;
    }
    let agent = agent_by_email(&mut tx, email).await?;
    tx.commit().await?;
    Ok(agent)
}

pub async fn department_add(
    store: &Store,
    clock: &Clock,
    name: &str,
    skills: &[String],
) -> Result<Department> {
    let name = check_name(name, "a department name")?;
    let skills = check_skills(skills)?;
    let mut tx = store.begin().await?;
    if departments::by_name(&mut tx, &name).await?.is_some() {
        return Err(Error::Invalid(format!("department `{name}` exists")));
    }
    let id = departments::insert(&mut tx, &name, to_millis(clock.now())).await?;
    departments::set_skills(&mut tx, id, &skills).await?;
    let d = departments::get(&mut tx, id)
        .await?
        .ok_or_else(|| Error::NotFound(name.clone()))?;
    tx.commit().await?;
    Ok(d)
}

pub async fn department_list(store: &Store) -> Result<Vec<Department>> {
    let mut conn = store.acquire().await?;
    departments::list(&mut conn).await
}

/// Changes to a department; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default)]
pub struct DepartmentChanges {
    pub skills: Option<Vec<String>>,
    pub backup_mode: Option<BackupMode>,
    pub offer_timeout_secs: Option<u32>,
    pub wait_alert_secs: Option<u32>,
    pub reply_alert_secs: Option<u32>,
    pub inactivity_prompt_secs: Option<u32>,
    pub inactivity_close_secs: Option<u32>,
    pub prompt_text: Option<String>,
    pub closing_text: Option<String>,
    pub outcomes: Option<Vec<String>>,
    pub wrap_up_required: Option<bool>,
    pub wrap_up_timeout_secs: Option<u32>,
    pub max_wait_secs: Option<u32>,
    /// A new weekly schedule (`mon-fri 09:00-17:30, sat 10:00-14:00`); needs
    /// `time_zone` unless the department already has one.
    pub opening_hours: Option<String>,
    /// The IANA time zone of the schedule (`Europe/Berlin`).
    pub time_zone: Option<String>,
    /// Drop the schedule: the department is always open.
    pub always_open: bool,
}

fn positive(value: Option<u32>, what: &str) -> Result<Option<u32>> {
    match value {
        Some(0) => Err(Error::Invalid(format!("{what} must be at least 1 second"))),
        other => Ok(other),
    }
}

pub async fn department_set(
    store: &Store,
    name: &str,
    changes: &DepartmentChanges,
) -> Result<Department> {
    let mut tx = store.begin().await?;
    let department = departments::by_name(&mut tx, name)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no department named `{}`", name.trim())))?;
    let mut s = department.settings.clone();
    let c = changes;
    if let Some(v) = c.backup_mode {
        s.backup_mode = v;
    }
    if let Some(v) = positive(c.offer_timeout_secs, "the offer timeout")? {
        s.offer_timeout_secs = v;
    }
    if let Some(v) = positive(c.wait_alert_secs, "the wait alert")? {
        s.wait_alert_secs = v;
    }
    if let Some(v) = positive(c.reply_alert_secs, "the reply alert")? {
        s.reply_alert_secs = v;
    }
    if let Some(v) = positive(c.inactivity_prompt_secs, "the inactivity prompt")? {
        s.inactivity_prompt_secs = v;
    }
    if let Some(v) = positive(c.inactivity_close_secs, "the inactivity close")? {
        s.inactivity_close_secs = v;
    }
    if let Some(v) = positive(c.wrap_up_timeout_secs, "the wrap-up timeout")? {
        s.wrap_up_timeout_secs = v;
    }
    if let Some(v) = positive(c.max_wait_secs, "the maximum wait")? {
        s.max_wait_secs = v;
    }
    if let Some(v) = &c.prompt_text {
        s.prompt_text = non_empty(v, "the prompt text")?;
    }
    if let Some(v) = &c.closing_text {
        s.closing_text = non_empty(v, "the closing text")?;
    }
    if let Some(v) = &c.outcomes {
        s.outcomes = v
            .iter()
            .map(|o| o.trim().to_owned())
            .filter(|o| !o.is_empty())
            .collect();
    }
    if let Some(v) = c.wrap_up_required {
        s.wrap_up_required = v;
    }
    if s.inactivity_close_secs <= s.inactivity_prompt_secs {
        return Err(Error::Invalid(
            "the inactivity close must come after the inactivity prompt".into(),
        ));
    }
    let hours = opening_hours(&department, c)?;
    departments::save_settings(&mut tx, department.id, &s).await?;
    if let Some(hours) = hours {
        departments::set_hours(&mut tx, department.id, hours.as_ref()).await?;
    }
    if let Some(skills) = &c.skills {
        departments::set_skills(&mut tx, department.id, &check_skills(skills)?).await?;
    }
    let d = departments::get(&mut tx, department.id)
        .await?
        .ok_or_else(|| Error::NotFound(name.to_owned()))?;
    tx.commit().await?;
    Ok(d)
}

/// The department's new opening hours, if the changes touch them (`Some(None)`:
/// always open).
fn opening_hours(
    department: &Department,
    c: &DepartmentChanges,
) -> Result<Option<Option<OpeningHours>>> {
    if c.always_open {
        if c.opening_hours.is_some() || c.time_zone.is_some() {
            return Err(Error::Invalid(
                "always open and opening hours exclude each other".into(),
            ));
        }
        return Ok(Some(None));
    }
    let invalid = |e: crate::hours::HoursError| Error::Invalid(e.to_string());
    match (&c.opening_hours, &c.time_zone, &department.hours) {
        (None, None, _) => Ok(None),
        (Some(schedule), Some(zone), _) => Ok(Some(Some(
            OpeningHours::parse(schedule, zone).map_err(invalid)?,
        ))),
        (Some(schedule), None, Some(current)) => Ok(Some(Some(
            OpeningHours::parse(schedule, current.zone()).map_err(invalid)?,
        ))),
        (None, Some(zone), Some(current)) => {
            Ok(Some(Some(current.with_zone(zone).map_err(invalid)?)))
        }
        (Some(_), None, None) => Err(Error::Invalid(
            "opening hours need a time zone (e.g. --timezone Europe/Berlin)".into(),
        )),
        (None, Some(_), None) => Err(Error::Invalid(
            "a time zone needs opening hours (e.g. --hours \"mon-fri 09:00-17:00\")".into(),
        )),
    }
}

fn non_empty(text: &str, what: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() || t.chars().count() > limits::MAX_MESSAGE_CHARS {
        return Err(Error::Invalid(format!(
            "{what} needs 1 to {} characters",
            limits::MAX_MESSAGE_CHARS
        )));
    }
    Ok(t.to_owned())
}

/// Create a site (if new) and allow these origins for it.
pub async fn site_add(
    store: &Store,
    clock: &Clock,
    name: &str,
    origins: &[String],
) -> Result<Site> {
    let name = check_name(name, "a site name")?;
    let mut normalized = Vec::new();
    for o in origins {
        let n = crate::http::normalize_origin(o).ok_or_else(|| {
            Error::Invalid(format!(
                "`{o}` is not an origin (write it as scheme://host[:port], e.g. https://shop.example.com)"
            ))
        })?;
        normalized.push(n);
    }
    let mut tx = store.begin().await?;
    let site = match sites::by_name(&mut tx, &name).await? {
        Some(id) => id,
        None => sites::insert(&mut tx, &name, to_millis(clock.now())).await?,
    };
    for origin in &normalized {
        sites::add_origin(&mut tx, site, origin).await?;
    }
    let site = sites::list(&mut tx)
        .await?
        .into_iter()
        .find(|s| s.id == site)
        .ok_or_else(|| Error::NotFound(name.clone()))?;
    tx.commit().await?;
    Ok(site)
}

pub async fn site_list(store: &Store) -> Result<Vec<Site>> {
    let mut conn = store.acquire().await?;
    sites::list(&mut conn).await
}

/// Chats of `department` from `site` go to agents holding `skill`.
pub async fn rule_add(store: &Store, site: &str, department: &str, skill: &str) -> Result<Rule> {
    let skill = check_skills(&[skill.to_owned()])?
        .pop()
        .ok_or_else(|| Error::Invalid("a rule needs a skill".into()))?;
    let mut tx = store.begin().await?;
    let site_id = sites::by_name(&mut tx, site)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no site named `{}`", site.trim())))?;
    let d = departments::by_name(&mut tx, department)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no department named `{}`", department.trim())))?;
    sites::set_rule(&mut tx, site_id, d.id, &skill).await?;
    let rule = sites::rules(&mut tx)
        .await?
        .into_iter()
        .find(|r| r.site.eq_ignore_ascii_case(site.trim()) && r.department == d.name)
        .ok_or_else(|| Error::NotFound("the rule just added".into()))?;
    tx.commit().await?;
    Ok(rule)
}

pub async fn rule_list(store: &Store) -> Result<Vec<Rule>> {
    let mut conn = store.acquire().await?;
    sites::rules(&mut conn).await
}
