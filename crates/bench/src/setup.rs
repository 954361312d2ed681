//! The bench workspace in a hub's data dir: departments `Bench 1..D`, a site allowing
//! the bench's origin, and agents `agent-N@bench.switchboard.test`, each a member of
//! one department (round robin). Made with the hub's admin functions, the same code
//! the `switchboard-hub` command line runs.

use std::path::Path;

use anyhow::Context;
use switchboard_hub::admin::{self, NewAgentRequest};
use switchboard_hub::store::Store;
use switchboard_hub::{Clock, Settings};
use switchboard_protocol::Role;

/// The origin the bench's visitors send (allowed by the bench site).
pub const ORIGIN: &str = "http://bench.switchboard.test";
/// Every bench agent's password.
pub const PASSWORD: &str = "switchboard-bench-password";
/// The bench site's name.
pub const SITE: &str = "Bench";

/// The email of bench agent `n` (0-based).
pub fn agent_email(n: usize) -> String {
    format!("agent-{n}@bench.switchboard.test")
}

/// The name of bench department `n` (0-based).
pub fn department_name(n: usize) -> String {
    format!("Bench {}", n + 1)
}

/// What to create.
#[derive(Debug, Clone)]
pub struct Workspace {
    pub agents: usize,
    pub departments: usize,
    pub max_chats: u32,
}

/// What was there before and what was added.
#[derive(Debug, Clone, Default)]
pub struct Created {
    pub departments: usize,
    pub agents: usize,
    pub agents_existing: usize,
}

/// Create what is missing of the workspace in `data_dir` (idempotent: existing
/// departments and agents are kept, with their cap set to `max_chats`). The hub must
/// not be running on the same data dir, since it caches agents and departments.
pub async fn create(data_dir: &Path, workspace: &Workspace) -> anyhow::Result<Created> {
    let settings = Settings::new(([127, 0, 0, 1], 0).into(), data_dir);
    let store = Store::open(&settings.database_path())
        .await
        .with_context(|| format!("opening the hub store in {}", data_dir.display()))?;
    let clock = Clock::system();
    let mut created = Created::default();

    let existing: Vec<String> = admin::department_list(&store)
        .await?
        .into_iter()
        .map(|d| d.name)
        .collect();
    let departments = workspace.departments.max(1);
    for n in 0..departments {
        let name = department_name(n);
        if !existing.contains(&name) {
            admin::department_add(&store, &clock, &name, &[]).await?;
            created.departments += 1;
        }
    }
    admin::site_add(&store, &clock, SITE, &[ORIGIN.to_owned()]).await?;

    let agents: Vec<String> = admin::agent_list(&store)
        .await?
        .into_iter()
        .map(|a| a.email)
        .collect();
    for n in 0..workspace.agents {
        let email = agent_email(n);
        if agents.contains(&email) {
            let changes = admin::AgentChanges {
                max_chats: Some(workspace.max_chats),
                ..Default::default()
            };
            admin::agent_set(&store, &email, &changes).await?;
            created.agents_existing += 1;
            continue;
        }
        let request = NewAgentRequest {
            email,
            name: format!("Bench Agent {n}"),
            password: PASSWORD.into(),
            departments: vec![department_name(n % departments)],
            skills: Vec::new(),
            max_chats: workspace.max_chats,
            role: Role::Agent,
        };
        admin::agent_add(&store, &clock, &request).await?;
        created.agents += 1;
    }
    store.close().await;
    Ok(created)
}
