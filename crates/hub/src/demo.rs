//! The demo workspace: departments Sales and Support, two agents with known
//! passwords, and a site allowing the hub's own origin (for `/demo`). Seeding is
//! idempotent: a restart finds what is there and only adds what is missing (such as
//! the origin of a new port).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use switchboard_protocol::Role;

use crate::admin;
use crate::clock::{Clock, to_millis};
use crate::error::Result;
use crate::store::{Store, agents, departments, sites};

/// One demo agent's sign-in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoAgent {
    pub name: String,
    pub email: String,
    pub password: String,
    pub departments: Vec<String>,
}

/// What the demo offers, for printing at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoWorkspace {
    pub agents: Vec<DemoAgent>,
    /// The demo shop page with the widget.
    pub demo_url: String,
    pub health_url: String,
    /// Origins the demo site allows.
    pub origins: Vec<String>,
}

pub const DEMO_SITE: &str = "Demo shop";

struct Seed {
    name: &'static str,
    email: &'static str,
    password: &'static str,
    departments: &'static [&'static str],
    skills: &'static [&'static str],
}

const AGENTS: &[Seed] = &[
    Seed {
        name: "Ada Lovelace",
        email: "ada@switchboard.demo",
        password: "ada-password",
        departments: &["Support"],
        skills: &["support", "billing"],
    },
    Seed {
        name: "Ben Franklin",
        email: "ben@switchboard.demo",
        password: "ben-password",
        departments: &["Sales"],
        skills: &["sales"],
    },
];

const DEPARTMENTS: &[(&str, &[&str])] = &[("Sales", &["sales"]), ("Support", &["support"])];

/// Create whatever of the demo workspace is missing.
pub async fn seed(store: &Store, addr: SocketAddr, clock: &Clock) -> Result<DemoWorkspace> {
    let now = to_millis(clock.now());
    let mut conn = store.acquire().await?;
    for (name, skills) in DEPARTMENTS {
        if departments::by_name(&mut conn, name).await?.is_none() {
            let id = departments::insert(&mut conn, name, now).await?;
            let skills: Vec<String> = skills.iter().map(|s| (*s).to_owned()).collect();
            departments::set_skills(&mut conn, id, &skills).await?;
        }
    }
    drop(conn);
    for seed in AGENTS {
        let mut conn = store.acquire().await?;
        let exists = agents::by_email(&mut conn, seed.email).await?.is_some();
        drop(conn);
        if !exists {
            admin::agent_add(
                store,
                clock,
                &admin::NewAgentRequest {
                    email: seed.email.to_owned(),
                    name: seed.name.to_owned(),
                    password: seed.password.to_owned(),
                    departments: seed.departments.iter().map(|d| (*d).to_owned()).collect(),
                    skills: seed.skills.iter().map(|s| (*s).to_owned()).collect(),
                    max_chats: 3,
                    role: Role::Agent,
                },
            )
            .await?;
        }
    }
    let origins = demo_origins(addr);
    let mut conn = store.acquire().await?;
    let site = match sites::by_name(&mut conn, DEMO_SITE).await? {
        Some(site) => site,
        None => sites::insert(&mut conn, DEMO_SITE, now).await?,
    };
    for origin in &origins {
        sites::add_origin(&mut conn, site, origin).await?;
    }
    let base = format!("http://{}", browsable(addr));
    Ok(DemoWorkspace {
        agents: AGENTS
            .iter()
            .map(|s| DemoAgent {
                name: s.name.to_owned(),
                email: s.email.to_owned(),
                password: s.password.to_owned(),
                departments: s.departments.iter().map(|d| (*d).to_owned()).collect(),
            })
            .collect(),
        demo_url: format!("{base}/demo"),
        health_url: format!("{base}/healthz"),
        origins,
    })
}

/// The address a browser on this machine reaches the hub at.
fn browsable(addr: SocketAddr) -> SocketAddr {
    if addr.ip().is_unspecified() {
        SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
    } else {
        addr
    }
}

fn demo_origins(addr: SocketAddr) -> Vec<String> {
    let port = addr.port();
    let mut origins = vec![
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    let ip = addr.ip();
    if !ip.is_unspecified() && !ip.is_loopback() {
        origins.push(match ip {
            IpAddr::V4(v4) => format!("http://{v4}:{port}"),
            IpAddr::V6(v6) => format!("http://[{v6}]:{port}"),
        });
    }
    origins
}
