//! Agent accounts with their departments and skills.

use sqlx::FromRow;
use switchboard_protocol::{AgentId, AgentInfo, AgentStatus, DepartmentId, DepartmentRef, Role};

use super::{SqliteConnection, enum_text, parse_enum, to_u32};
use crate::error::Result;

#[derive(Debug, Clone, FromRow)]
struct AgentRow {
    id: i64,
    email: String,
    name: String,
    password_hash: String,
    role: String,
    max_chats: i64,
    disabled: bool,
    status: String,
}

/// An agent account as the hub works with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Agent {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub max_chats: u32,
    pub disabled: bool,
    pub status: AgentStatus,
    pub departments: Vec<DepartmentRef>,
    pub skills: Vec<String>,
}

impl Agent {
    pub fn info(&self) -> AgentInfo {
        AgentInfo {
            id: self.id,
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            max_chats: self.max_chats,
            departments: self.departments.clone(),
            skills: self.skills.clone(),
        }
    }

    pub fn in_department(&self, id: DepartmentId) -> bool {
        self.departments.iter().any(|d| d.id == id)
    }
}

/// What a new account starts with.
pub struct NewAgent<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub max_chats: u32,
}

pub async fn insert(conn: &mut SqliteConnection, new: &NewAgent<'_>, now: i64) -> Result<AgentId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO agents (email, name, password_hash, role, max_chats, created_at)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(new.email)
    .bind(new.name)
    .bind(new.password_hash)
    .bind(enum_text(&new.role))
    .bind(i64::from(new.max_chats))
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(AgentId(id))
}

/// The account and its password hash, for sign-in.
pub async fn credentials(
    conn: &mut SqliteConnection,
    email: &str,
) -> Result<Option<(Agent, String)>> {
    let row: Option<AgentRow> = sqlx::query_as("SELECT * FROM agents WHERE email = ?")
        .bind(email)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => {
            let hash = row.password_hash.clone();
            Ok(Some((complete(conn, row).await?, hash)))
        }
        None => Ok(None),
    }
}

pub async fn get(conn: &mut SqliteConnection, id: AgentId) -> Result<Option<Agent>> {
    let row: Option<AgentRow> = sqlx::query_as("SELECT * FROM agents WHERE id = ?")
        .bind(id.0)
        .fetch_optional(&mut *conn)
        .await?;
    match row {
        Some(row) => Ok(Some(complete(conn, row).await?)),
        None => Ok(None),
    }
}

pub async fn by_email(conn: &mut SqliteConnection, email: &str) -> Result<Option<Agent>> {
    Ok(credentials(conn, email).await?.map(|(a, _)| a))
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Agent>> {
    let rows: Vec<AgentRow> = sqlx::query_as("SELECT * FROM agents ORDER BY id")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(complete(conn, row).await?);
    }
    Ok(out)
}

async fn complete(conn: &mut SqliteConnection, row: AgentRow) -> Result<Agent> {
    let departments: Vec<(i64, String)> = sqlx::query_as(
        "SELECT d.id, d.name FROM agent_departments ad JOIN departments d ON d.id = ad.department_id
         WHERE ad.agent_id = ? ORDER BY d.name",
    )
    .bind(row.id)
    .fetch_all(&mut *conn)
    .await?;
    let skills: Vec<String> =
        sqlx::query_scalar("SELECT skill FROM agent_skills WHERE agent_id = ? ORDER BY skill")
            .bind(row.id)
            .fetch_all(&mut *conn)
            .await?;
    Ok(Agent {
        id: AgentId(row.id),
        email: row.email,
        name: row.name,
        role: parse_enum(&row.role).unwrap_or_default(),
        max_chats: to_u32(row.max_chats),
        disabled: row.disabled,
        status: parse_enum(&row.status).unwrap_or(AgentStatus::Offline),
        departments: departments
            .into_iter()
            .map(|(id, name)| DepartmentRef {
                id: DepartmentId(id),
                name,
            })
            .collect(),
        skills,
    })
}

pub async fn set_departments(
    conn: &mut SqliteConnection,
    id: AgentId,
    departments: &[DepartmentId],
) -> Result<()> {
    sqlx::query("DELETE FROM agent_departments WHERE agent_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for d in departments {
        sqlx::query(
            "INSERT OR IGNORE INTO agent_departments (agent_id, department_id) VALUES (?, ?)",
        )
        .bind(id.0)
        .bind(d.0)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn set_skills(conn: &mut SqliteConnection, id: AgentId, skills: &[String]) -> Result<()> {
    sqlx::query("DELETE FROM agent_skills WHERE agent_id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    for s in skills {
        sqlx::query("INSERT OR IGNORE INTO agent_skills (agent_id, skill) VALUES (?, ?)")
            .bind(id.0)
            .bind(s)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub async fn set_disabled(conn: &mut SqliteConnection, id: AgentId, disabled: bool) -> Result<()> {
    sqlx::query("UPDATE agents SET disabled = ? WHERE id = ?")
        .bind(disabled)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut SqliteConnection, id: AgentId, hash: &str) -> Result<()> {
    sqlx::query("UPDATE agents SET password_hash = ? WHERE id = ?")
        .bind(hash)
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_status(
    conn: &mut SqliteConnection,
    id: AgentId,
    status: AgentStatus,
) -> Result<()> {
    sqlx::query("UPDATE agents SET status = ? WHERE id = ?")
        .bind(enum_text(&status))
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// After a restart nobody is connected, so nobody may stay routable.
pub async fn online_to_away(conn: &mut SqliteConnection) -> Result<()> {
    sqlx::query("UPDATE agents SET status = 'away' WHERE status = 'online'")
        .execute(&mut *conn)
        .await?;
    Ok(())
}
