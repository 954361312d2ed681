//! Canned responses: personal ones (one agent's) and department ones (shared).

use sqlx::FromRow;
use switchboard_protocol::{
    AgentId, CannedId, CannedResponse, CannedScope, DepartmentId, DepartmentRef,
};

use super::SqliteConnection;
use crate::error::Result;

/// Whose a canned response is: the scope and its owner in one value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Owner {
    Agent(AgentId),
    Department(DepartmentId),
}

impl Owner {
    pub fn scope(self) -> CannedScope {
        match self {
            Owner::Agent(_) => CannedScope::Personal,
            Owner::Department(_) => CannedScope::Department,
        }
    }

    fn columns(self) -> (&'static str, Option<i64>, Option<i64>) {
        match self {
            Owner::Agent(a) => ("personal", Some(a.0), None),
            Owner::Department(d) => ("department", None, Some(d.0)),
        }
    }
}

#[derive(FromRow)]
struct CannedRow {
    id: i64,
    owner_id: Option<i64>,
    department_id: Option<i64>,
    department_name: Option<String>,
    shortcut: String,
    text: String,
}

impl CannedRow {
    fn into_response(self) -> CannedResponse {
        let department = match (self.department_id, self.department_name) {
            (Some(id), Some(name)) => Some(DepartmentRef {
                id: DepartmentId(id),
                name,
            }),
            _ => None,
        };
        CannedResponse {
            id: CannedId(self.id),
            scope: if department.is_some() {
                CannedScope::Department
            } else {
                CannedScope::Personal
            },
            department,
            owner: self.owner_id.map(AgentId),
            shortcut: self.shortcut,
            text: self.text,
        }
    }
}

const SELECT: &str = "SELECT c.id, c.owner_id, c.department_id, d.name AS department_name,
    c.shortcut, c.text FROM canned_responses c LEFT JOIN departments d ON d.id = c.department_id";

pub async fn get(conn: &mut SqliteConnection, id: CannedId) -> Result<Option<CannedResponse>> {
    let row: Option<CannedRow> =
        sqlx::query_as(sqlx::AssertSqlSafe(format!("{SELECT} WHERE c.id = ?")))
            .bind(id.0)
            .fetch_optional(&mut *conn)
            .await?;
    Ok(row.map(CannedRow::into_response))
}

/// What `agent` may use: its own, and the department ones of `departments` (every
/// department's when `None`), shared ones first, each group by shortcut.
pub async fn usable(
    conn: &mut SqliteConnection,
    agent: AgentId,
    departments: Option<&[DepartmentId]>,
) -> Result<Vec<CannedResponse>> {
    let rows: Vec<CannedRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE c.owner_id = ? OR c.department_id IS NOT NULL
         ORDER BY c.department_id IS NULL, d.name, c.shortcut, c.id"
    )))
    .bind(agent.0)
    .fetch_all(&mut *conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter(|r| match (r.department_id, departments) {
            (None, _) | (Some(_), None) => true,
            (Some(d), Some(allowed)) => allowed.contains(&DepartmentId(d)),
        })
        .map(CannedRow::into_response)
        .collect())
}

/// Every canned response, or one owner's (for the command line).
pub async fn list(
    conn: &mut SqliteConnection,
    owner: Option<Owner>,
) -> Result<Vec<CannedResponse>> {
    let rows: Vec<CannedRow> = match owner {
        None => {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} ORDER BY c.department_id IS NULL, d.name, c.owner_id, c.shortcut"
            )))
            .fetch_all(&mut *conn)
            .await?
        }
        Some(owner) => {
            let (scope, agent, department) = owner.columns();
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "{SELECT} WHERE c.scope = ? AND c.owner_id IS ? AND c.department_id IS ?
                 ORDER BY c.shortcut"
            )))
            .bind(scope)
            .bind(agent)
            .bind(department)
            .fetch_all(&mut *conn)
            .await?
        }
    };
    Ok(rows.into_iter().map(CannedRow::into_response).collect())
}

/// How many canned responses the owner has.
pub async fn count(conn: &mut SqliteConnection, owner: Owner) -> Result<u32> {
    let (scope, agent, department) = owner.columns();
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM canned_responses WHERE scope = ? AND owner_id IS ? AND department_id IS ?",
    )
    .bind(scope)
    .bind(agent)
    .bind(department)
    .fetch_one(&mut *conn)
    .await?;
    Ok(super::to_u32(n))
}

/// The id of the owner's response with this shortcut (case-insensitive), if any.
pub async fn by_shortcut(
    conn: &mut SqliteConnection,
    owner: Owner,
    shortcut: &str,
) -> Result<Option<CannedId>> {
    let (scope, agent, department) = owner.columns();
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM canned_responses WHERE scope = ? AND owner_id IS ? AND department_id IS ?
         AND shortcut = ?",
    )
    .bind(scope)
    .bind(agent)
    .bind(department)
    .bind(shortcut)
    .fetch_optional(&mut *conn)
    .await?;
    Ok(id.map(CannedId))
}

pub async fn insert(
    conn: &mut SqliteConnection,
    owner: Owner,
    shortcut: &str,
    text: &str,
    now: i64,
) -> Result<CannedId> {
    let (scope, agent, department) = owner.columns();
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO canned_responses (scope, owner_id, department_id, shortcut, text, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
    )
    .bind(scope)
    .bind(agent)
    .bind(department)
    .bind(shortcut)
    .bind(text)
    .bind(now)
    .bind(now)
    .fetch_one(&mut *conn)
    .await?;
    Ok(CannedId(id))
}

/// Change a response's owner (within its scope), shortcut and text.
pub async fn update(
    conn: &mut SqliteConnection,
    id: CannedId,
    owner: Owner,
    shortcut: &str,
    text: &str,
    now: i64,
) -> Result<()> {
    let (scope, agent, department) = owner.columns();
    sqlx::query(
        "UPDATE canned_responses SET scope = ?, owner_id = ?, department_id = ?, shortcut = ?,
         text = ?, updated_at = ? WHERE id = ?",
    )
    .bind(scope)
    .bind(agent)
    .bind(department)
    .bind(shortcut)
    .bind(text)
    .bind(now)
    .bind(id.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Delete a response; false when there was none.
pub async fn delete(conn: &mut SqliteConnection, id: CannedId) -> Result<bool> {
    let done = sqlx::query("DELETE FROM canned_responses WHERE id = ?")
        .bind(id.0)
        .execute(&mut *conn)
        .await?;
    Ok(done.rows_affected() > 0)
}
