//! Who gets offered a chat: pure functions over a view of the agents, so the rules
//! can be tested without sockets or a database.
//!
//! Candidates are routable (online with a live connection), under their cap, never
//! one who declined or let this chat's offer time out, and qualified: holding the
//! skill a site rule requires, or else a member of the department or holding one of
//! its skills. Order: least busy, then longest idle since their last offer. When no
//! qualified agent is free, the department's backup mode may widen the search to any
//! routable agent.

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use switchboard_protocol::{AgentId, DepartmentId};

/// What a department does when none of its qualified agents can take a chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BackupMode {
    /// Any routable agent, least busy first (then longest idle).
    LeastBusy,
    /// Any routable agent, longest idle since their last offer first.
    NextAvailable,
    /// No backup: the chat waits in the queue.
    None,
}

impl FromStr for BackupMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "least_busy" => Ok(BackupMode::LeastBusy),
            "next_available" => Ok(BackupMode::NextAvailable),
            "none" => Ok(BackupMode::None),
            other => Err(format!(
                "unknown backup mode `{other}` (least_busy, next_available or none)"
            )),
        }
    }
}

impl fmt::Display for BackupMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BackupMode::LeastBusy => "least_busy",
            BackupMode::NextAvailable => "next_available",
            BackupMode::None => "none",
        })
    }
}

/// What a chat needs from an agent.
#[derive(Debug, Clone)]
pub struct Need<'a> {
    pub department: DepartmentId,
    /// Skills that qualify agents outside the department.
    pub department_skills: &'a [String],
    /// Set by a site rule: only holders of this skill qualify.
    pub required_skill: Option<&'a str>,
    pub backup: BackupMode,
}

/// One agent as routing sees it.
#[derive(Debug, Clone)]
pub struct AgentView<'a> {
    pub id: AgentId,
    /// Online, with a live connection.
    pub routable: bool,
    /// Active chats plus open offers.
    pub load: u32,
    pub max_chats: u32,
    pub departments: &'a [DepartmentId],
    pub skills: &'a [String],
    /// When this agent was last offered a chat; `None` if never.
    pub last_offer_at: Option<DateTime<Utc>>,
}

impl AgentView<'_> {
    fn has_room(&self) -> bool {
        self.routable && self.load < self.max_chats
    }

    fn has_skill(&self, skill: &str) -> bool {
        self.skills.iter().any(|s| s.eq_ignore_ascii_case(skill))
    }
}

/// How a candidate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Qualified for the chat.
    Primary,
    /// Found by backup routing.
    Backup,
}

/// Whether an agent qualifies for a chat, ignoring availability.
pub fn qualifies(agent: &AgentView<'_>, need: &Need<'_>) -> bool {
    match need.required_skill {
        Some(skill) => agent.has_skill(skill),
        None => {
            agent.departments.contains(&need.department)
                || need.department_skills.iter().any(|s| agent.has_skill(s))
        }
    }
}

/// Pick the agent to offer the chat to, or `None` when it has to wait.
pub fn choose(
    need: &Need<'_>,
    agents: &[AgentView<'_>],
    refused: &HashSet<AgentId>,
) -> Option<(AgentId, Route)> {
    let free = || {
        agents
            .iter()
            .filter(|a| a.has_room() && !refused.contains(&a.id))
    };
    if let Some(best) = free()
        .filter(|a| qualifies(a, need))
        .min_by(|a, b| least_busy(a, b))
    {
        return Some((best.id, Route::Primary));
    }
    let backup = match need.backup {
        BackupMode::None => None,
        BackupMode::LeastBusy => free().min_by(|a, b| least_busy(a, b)),
        BackupMode::NextAvailable => free().min_by(|a, b| longest_idle(a, b)),
    };
    backup.map(|a| (a.id, Route::Backup))
}

/// Whether anyone could take (or queue for) such a chat right now, capacity aside.
pub fn anyone_routable(need: &Need<'_>, agents: &[AgentView<'_>]) -> bool {
    agents
        .iter()
        .any(|a| a.routable && (qualifies(a, need) || need.backup != BackupMode::None))
}

fn least_busy(a: &AgentView<'_>, b: &AgentView<'_>) -> Ordering {
    a.load.cmp(&b.load).then_with(|| longest_idle(a, b))
}

/// Never offered sorts first; then the oldest last offer; ties by id, so the choice
/// is deterministic.
fn longest_idle(a: &AgentView<'_>, b: &AgentView<'_>) -> Ordering {
    a.last_offer_at
        .cmp(&b.last_offer_at)
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    const SUPPORT: DepartmentId = DepartmentId(1);
    const SALES: DepartmentId = DepartmentId(2);

    fn need(backup: BackupMode) -> Need<'static> {
        Need {
            department: SUPPORT,
            department_skills: &[],
            required_skill: None,
            backup,
        }
    }

    fn agent(id: i64, departments: &'static [DepartmentId], load: u32) -> AgentView<'static> {
        AgentView {
            id: AgentId(id),
            routable: true,
            load,
            max_chats: 3,
            departments,
            skills: &[],
            last_offer_at: None,
        }
    }

    fn t(secs: i64) -> Option<DateTime<Utc>> {
        Some(DateTime::<Utc>::UNIX_EPOCH + TimeDelta::seconds(secs))
    }

    fn none_refused() -> HashSet<AgentId> {
        HashSet::new()
    }

    #[test]
    fn the_least_busy_qualified_agent_comes_first() {
        let agents = [
            agent(1, &[SUPPORT], 2),
            agent(2, &[SUPPORT], 0),
            agent(3, &[SUPPORT], 1),
        ];
        assert_eq!(
            choose(&need(BackupMode::None), &agents, &none_refused()),
            Some((AgentId(2), Route::Primary)),
            "agent 2 has no chats, so it is least busy"
        );
    }

    #[test]
    fn equal_load_goes_to_the_longest_idle_and_never_offered_first() {
        let mut a = agent(1, &[SUPPORT], 1);
        a.last_offer_at = t(100);
        let mut b = agent(2, &[SUPPORT], 1);
        b.last_offer_at = t(50);
        let c = agent(3, &[SUPPORT], 2);
        assert_eq!(
            choose(
                &need(BackupMode::None),
                &[a.clone(), b.clone(), c],
                &none_refused()
            ),
            Some((AgentId(2), Route::Primary)),
            "b was offered a chat longer ago than a"
        );
        let mut fresh = agent(4, &[SUPPORT], 1);
        fresh.last_offer_at = None;
        assert_eq!(
            choose(&need(BackupMode::None), &[a, b, fresh], &none_refused()),
            Some((AgentId(4), Route::Primary)),
            "an agent never offered anything is the most idle"
        );
    }

    #[test]
    fn full_offline_unconnected_and_refusing_agents_are_skipped() {
        let full = agent(1, &[SUPPORT], 3);
        let mut away = agent(2, &[SUPPORT], 0);
        away.routable = false;
        let refused_one = agent(3, &[SUPPORT], 0);
        let ok = agent(4, &[SUPPORT], 2);
        let refused: HashSet<_> = [AgentId(3)].into();
        assert_eq!(
            choose(
                &need(BackupMode::None),
                &[full, away, refused_one, ok],
                &refused
            ),
            Some((AgentId(4), Route::Primary)),
            "only agent 4 is routable, has room and did not refuse"
        );
    }

    #[test]
    fn skills_and_site_rules_decide_who_qualifies() {
        let support_skill = vec!["support".to_owned()];
        let sales_with_support_skill = AgentView {
            skills: &support_skill,
            ..agent(1, &[SALES], 0)
        };
        let support_member = agent(2, &[SUPPORT], 1);
        let skills = vec!["Support".to_owned()];
        let by_department = Need {
            department_skills: &skills,
            ..need(BackupMode::None)
        };
        assert_eq!(
            choose(
                &by_department,
                &[sales_with_support_skill.clone(), support_member.clone()],
                &none_refused()
            ),
            Some((AgentId(1), Route::Primary)),
            "a department skill qualifies an outsider, and it is less busy"
        );
        let by_rule = Need {
            required_skill: Some("french"),
            ..need(BackupMode::None)
        };
        assert_eq!(
            choose(
                &by_rule,
                &[sales_with_support_skill, support_member],
                &none_refused()
            ),
            None,
            "a site rule requiring a skill nobody holds leaves the chat waiting"
        );
    }

    #[test]
    fn backup_routing_widens_only_when_no_qualified_agent_is_free() {
        let mut sales_busy = agent(1, &[SALES], 2);
        sales_busy.last_offer_at = t(10);
        let mut sales_idle = agent(2, &[SALES], 0);
        sales_idle.last_offer_at = t(20);
        let agents = [sales_busy, sales_idle];
        assert_eq!(
            choose(&need(BackupMode::None), &agents, &none_refused()),
            None,
            "without backup the Support chat waits"
        );
        assert_eq!(
            choose(&need(BackupMode::LeastBusy), &agents, &none_refused()),
            Some((AgentId(2), Route::Backup)),
            "least busy backup takes the agent with no chats"
        );
        assert_eq!(
            choose(&need(BackupMode::NextAvailable), &agents, &none_refused()),
            Some((AgentId(1), Route::Backup)),
            "next available backup takes the agent idle longest, whatever its load"
        );
        let mut with_support = agents.to_vec();
        with_support.push(agent(3, &[SUPPORT], 2));
        assert_eq!(
            choose(&need(BackupMode::LeastBusy), &with_support, &none_refused()),
            Some((AgentId(3), Route::Primary)),
            "a qualified agent with room wins over a less busy backup"
        );
    }

    #[test]
    fn availability_counts_backup_but_not_capacity() {
        let mut full_support = agent(1, &[SUPPORT], 3);
        assert!(anyone_routable(
            &need(BackupMode::None),
            &[full_support.clone()]
        ));
        full_support.routable = false;
        assert!(!anyone_routable(&need(BackupMode::None), &[full_support]));
        let sales = agent(2, &[SALES], 0);
        assert!(!anyone_routable(
            &need(BackupMode::None),
            std::slice::from_ref(&sales)
        ));
        assert!(anyone_routable(&need(BackupMode::NextAvailable), &[sales]));
    }

    #[test]
    fn backup_modes_parse_from_admin_text() {
        assert_eq!("least-busy".parse(), Ok(BackupMode::LeastBusy));
        assert_eq!("next_available".parse(), Ok(BackupMode::NextAvailable));
        assert_eq!("None".parse(), Ok(BackupMode::None));
        assert!("random".parse::<BackupMode>().is_err());
    }
}
