//! Departments, their skills and their per-department settings (routing, timers,
//! wrap-up, opening hours).

use sqlx::FromRow;
use switchboard_protocol::{DepartmentId, DepartmentInfo, DepartmentRef};

use super::{SqliteConnection, enum_text, parse_enum, to_u32};
use crate::error::Result;
use crate::hours::OpeningHours;
use crate::routing::BackupMode;

#[derive(Debug, Clone, FromRow)]
struct DepartmentRow {
    id: i64,
    name: String,
    backup_mode: String,
    offer_timeout_secs: i64,
    wait_alert_secs: i64,
    reply_alert_secs: i64,
    inactivity_prompt_secs: i64,
    inactivity_close_secs: i64,
    prompt_text: String,
    closing_text: String,
    outcomes: String,
    wrap_up_required: bool,
    wrap_up_timeout_secs: i64,
    max_wait_secs: i64,
}

/// The settings an admin may change per department.
#[derive(Debug, Clone, PartialEq)]
pub struct DepartmentSettings {
    /// Where a chat goes when nobody of the department can take it.
    pub backup_mode: BackupMode,
    /// How long one agent has to answer an offer.
    pub offer_timeout_secs: u32,
    /// Alert when a visitor has waited this long to be connected.
    pub wait_alert_secs: u32,
    /// Alert when a visitor's message has waited this long for a reply.
    pub reply_alert_secs: u32,
    /// Ask "are you still there?" after this much visitor silence...
    pub inactivity_prompt_secs: u32,
    /// ...and close the chat politely after this much.
    pub inactivity_close_secs: u32,
    pub prompt_text: String,
    pub closing_text: String,
    pub outcomes: Vec<String>,
    pub wrap_up_required: bool,
    pub wrap_up_timeout_secs: u32,
    /// Longest a chat may wait in the queue.
    pub max_wait_secs: u32,
}

impl Default for DepartmentSettings {
    fn default() -> Self {
        DepartmentSettings {
            backup_mode: BackupMode::LeastBusy,
            offer_timeout_secs: 20,
            wait_alert_secs: 30,
            reply_alert_secs: 60,
            inactivity_prompt_secs: 180,
            inactivity_close_secs: 300,
            prompt_text: "Are you still there?".into(),
            closing_text: "We have not heard from you for a while, so we are closing this chat. \
                           Thank you for contacting us; start a new chat any time."
                .into(),
            outcomes: DEFAULT_OUTCOMES.iter().map(|o| (*o).to_owned()).collect(),
            wrap_up_required: false,
            wrap_up_timeout_secs: 120,
            max_wait_secs: 300,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Department {
    pub id: DepartmentId,
    pub name: String,
    /// Agents outside the department who hold one of these skills may take its chats.
    pub skills: Vec<String>,
    pub settings: DepartmentSettings,
    /// When chats are taken; `None` is always open.
    pub hours: Option<OpeningHours>,
}

impl Department {
    pub fn reference(&self) -> DepartmentRef {
        DepartmentRef {
            id: self.id,
            name: self.name.clone(),
        }
    }

    /// Inside opening hours at `at` (always, without a schedule).
    pub fn is_open(&self, at: chrono::DateTime<chrono::Utc>) -> bool {
        self.hours.as_ref().is_none_or(|h| h.is_open(at))
    }

    pub fn info(&self) -> DepartmentInfo {
        DepartmentInfo {
            id: self.id,
            name: self.name.clone(),
            outcomes: self.settings.outcomes.clone(),
            wrap_up_required: self.settings.wrap_up_required,
            wrap_up_timeout_secs: self.settings.wrap_up_timeout_secs,
            wait_alert_secs: self.settings.wait_alert_secs,
            reply_alert_secs: self.settings.reply_alert_secs,
        }
    }
}

/// The wrap-up outcome codes a new department starts with.
pub const DEFAULT_OUTCOMES: &[&str] = &["Resolved", "Follow-up needed", "Sale", "Not a customer"];

pub async fn insert(conn: &mut SqliteConnection, name: &str, now: i64) -> Result<DepartmentId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO departments (name, outcomes, created_at) VALUES (?, ?, ?) RETURNING id",
    )
    .bind(name)
    .bind(serde_json::to_string(DEFAULT_OUTCOMES)?)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(DepartmentId(id))
}

pub async fn get(conn: &mut SqliteConnection, id: DepartmentId) -> Result<Option<Department>> {
    let row: Option<DepartmentRow> = sqlx::query_as("SELECT * FROM departments WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(complete(conn, row).await?)),
        None => Ok(None),
    }
}

/// By name, case-insensitively.
pub async fn by_name(conn: &mut SqliteConnection, name: &str) -> Result<Option<Department>> {
    let row: Option<DepartmentRow> = sqlx::query_as("SELECT * FROM departments WHERE name = ?")
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(complete(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Department>> {
    let rows: Vec<DepartmentRow> = sqlx::query_as("SELECT * FROM departments ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(complete(conn, row).await?);
    }
    Ok(out)
}

async fn complete(conn: &mut SqliteConnection, row: DepartmentRow) -> Result<Department> {
    let skills: Vec<String> = sqlx::query_scalar(
        "SELECT skill FROM department_skills WHERE department_id = ? ORDER BY skill",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let hours: Option<(String, String)> =
        sqlx::query_as("SELECT schedule, time_zone FROM department_hours WHERE department_id = ?")
            .bind(row.id)
            .fetch_optional(&mut *conn)
            .await?;
    let hours = match hours {
        Some((schedule, zone)) => match OpeningHours::parse(&schedule, &zone) {
            Ok(h) => Some(h),
            Err(e) => {
                // Only the CLI writes schedules, after checking them; a zone that a
                // newer tz database dropped must not take the department down.
                tracing::warn!(department = row.id, error = %e, "stored opening hours unreadable; treated as always open");
                None
            }
        },
        None => None,
    };
    Ok(Department {
        id: DepartmentId(row.id),
        name: row.name,
        skills,
        settings: DepartmentSettings {
            backup_mode: parse_enum(&row.backup_mode).unwrap_or(BackupMode::LeastBusy),
            offer_timeout_secs: to_u32(row.offer_timeout_secs),
            wait_alert_secs: to_u32(row.wait_alert_secs),
            reply_alert_secs: to_u32(row.reply_alert_secs),
            inactivity_prompt_secs: to_u32(row.inactivity_prompt_secs),
            inactivity_close_secs: to_u32(row.inactivity_close_secs),
            prompt_text: row.prompt_text,
            closing_text: row.closing_text,
            outcomes: serde_json::from_str(&row.outcomes).unwrap_or_default(),
            wrap_up_required: row.wrap_up_required,
            wrap_up_timeout_secs: to_u32(row.wrap_up_timeout_secs),
            max_wait_secs: to_u32(row.max_wait_secs),
        },
        hours,
    })
}

/// Set a department's opening hours; `None` makes it always open.
pub async fn set_hours(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    hours: Option<&OpeningHours>,
) -> Result<()> {
    match hours {
        Some(h) => {
            sqlx::query(
                "INSERT INTO department_hours (department_id, schedule, time_zone) VALUES (?, ?, ?)
                 ON CONFLICT (department_id) DO UPDATE SET schedule = excluded.schedule,
                 time_zone = excluded.time_zone",
            )
            .bind(id.0)
            .bind(h.schedule())
            .bind(h.zone())
            .execute(&mut *conn)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM department_hours WHERE department_id = ?")
                .bind(id.0)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

pub async fn save_settings(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    s: &DepartmentSettings,
) -> Result<()> {
    sqlx::query(
        "UPDATE departments SET backup_mode = ?, offer_timeout_secs = ?, wait_alert_secs = ?,
         reply_alert_secs = ?, inactivity_prompt_secs = ?, inactivity_close_secs = ?,
         prompt_text = ?, closing_text = ?, outcomes = ?, wrap_up_required = ?,
         wrap_up_timeout_secs = ?, max_wait_secs = ? WHERE id = ?",
    )
    .bind(enum_text(&s.backup_mode))
    .bind(i64::from(s.offer_timeout_secs))
    .bind(i64::from(s.wait_alert_secs))
    .bind(i64::from(s.reply_alert_secs))
    .bind(i64::from(s.inactivity_prompt_secs))
    .bind(i64::from(s.inactivity_close_secs))
    .bind(&s.prompt_text)
    .bind(&s.closing_text)
    .bind(serde_json::to_string(&s.outcomes)?)
    .bind(s.wrap_up_required)
    .bind(i64::from(s.wrap_up_timeout_secs))
    .bind(i64::from(s.max_wait_secs))
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn set_skills(
    conn: &mut SqliteConnection,
    id: DepartmentId,
    skills: &[String],
) -> Result<()> {
    sqlx::query("DELETE FROM department_skills WHERE department_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for s in skills {
        sqlx::query("INSERT OR IGNORE INTO department_skills (department_id, skill) VALUES (?, ?)")
            .bind(id.0)
            .bind(s)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
