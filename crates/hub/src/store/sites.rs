//! Websites allowed to open visitor chats (by origin), and routing rules that tie a
//! site's chats of a department to a skill.

use sqlx::FromRow;
use switchboard_protocol::DepartmentId;

use super::SqliteConnection;
use crate::error::Result;

/// A site's id, as the store keys it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SiteId(pub i64);

#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    pub id: SiteId,
    pub name: String,
    pub origins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct Rule {
    pub id: i64,
    pub site: String,
    pub department: String,
    pub skill: String,
}

pub async fn insert(conn: &mut SqliteConnection, name: &str, now: i64) -> Result<SiteId> {
    let id: i64 =
        sqlx::query_scalar("INSERT INTO sites (name, created_at) VALUES (?, ?) RETURNING id")
            .bind(name)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?;
    Ok(SiteId(id))
}

pub async fn by_name(conn: &mut SqliteConnection, name: &str) -> Result<Option<SiteId>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sites WHERE name = ?")
        .bind(name.trim())
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.map(SiteId))
}

/// Allow `origin` for `site`. An origin belongs to one site; adding it again moves it.
pub async fn add_origin(conn: &mut SqliteConnection, site: SiteId, origin: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO site_origins (origin, site_id) VALUES (?, ?)
         ON CONFLICT (origin) DO UPDATE SET site_id = excluded.site_id",
    )
    .bind(origin)
    .bind(site.0)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The site an origin belongs to, if it is allowed at all.
pub async fn for_origin(conn: &mut SqliteConnection, origin: &str) -> Result<Option<SiteId>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT site_id FROM site_origins WHERE origin = ?")
        .bind(origin)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(id.map(SiteId))
}

pub async fn list(conn: &mut SqliteConnection) -> Result<Vec<Site>> {
    let rows: Vec<(i64, String)> = sqlx::query_as("SELECT id, name FROM sites ORDER BY name")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, name) in rows {
        let origins: Vec<String> =
            sqlx::query_scalar("SELECT origin FROM site_origins WHERE site_id = ? ORDER BY origin")
                .bind(id)
                .fetch_all(&mut *conn)
                .await?;
        out.push(Site {
            id: SiteId(id),
            name,
            origins,
        });
    }
    Ok(out)
}

pub async fn set_rule(
    conn: &mut SqliteConnection,
    site: SiteId,
    department: DepartmentId,
    skill: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO routing_rules (site_id, department_id, skill) VALUES (?, ?, ?)
         ON CONFLICT (site_id, department_id) DO UPDATE SET skill = excluded.skill",
    )
    .bind(site.0)
    .bind(department.0)
    .bind(skill)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub async fn rules(conn: &mut SqliteConnection) -> Result<Vec<Rule>> {
    Ok(sqlx::query_as(
        "SELECT r.id, s.name AS site, d.name AS department, r.skill FROM routing_rules r
         JOIN sites s ON s.id = r.site_id JOIN departments d ON d.id = r.department_id
         ORDER BY s.name, d.name",
    )
    .fetch_all(&mut *conn)
    .await?)
}

/// The skill a rule requires for chats of `department` from `site`, if any.
pub async fn required_skill(
    conn: &mut SqliteConnection,
    site: SiteId,
    department: DepartmentId,
) -> Result<Option<String>> {
    Ok(sqlx::query_scalar(
        "SELECT skill FROM routing_rules WHERE site_id = ? AND department_id = ?",
    )
    .bind(site.0)
    .bind(department.0)
    .fetch_optional(&mut *conn)
    .await?)
}
