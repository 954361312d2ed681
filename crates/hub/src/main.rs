//! `switchboard-hub`: run the hub (`serve`) or manage its accounts, departments,
//! sites, routing rules and canned responses. Passwords are read from stdin, never
//! from arguments.

use std::io::{BufRead, IsTerminal, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Parser, Subcommand};
use switchboard_hub::admin::{self, AgentChanges, DepartmentChanges, NewAgentRequest};
use switchboard_hub::canned::{self as canned_responses, CannedOwner};
use switchboard_hub::config_file::HubConfig;
use switchboard_hub::routing::BackupMode;
use switchboard_hub::store::Store;
use switchboard_hub::{Application, Clock, Settings};
use switchboard_protocol::{CannedId, CannedResponse, Role};

#[derive(Parser)]
#[command(
    name = "switchboard-hub",
    version,
    about = "Switchboard hub: routes website chats to agents"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct DataDir {
    /// Folder holding the hub's database.
    #[arg(long, env = "SWITCHBOARD_DATA", value_name = "DIR")]
    data: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Run the hub.
    Serve {
        /// Address to listen on (port 0 picks a free port).
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
        listen: SocketAddr,
        #[command(flatten)]
        data: DataDir,
        /// Seed the demo workspace (departments, two agents, a demo site) and print
        /// its sign-ins.
        #[arg(long)]
        demo: bool,
        /// Configuration file (TOML): email sender, SMTP server, claim time. Without
        /// an [smtp] section email replies are written as .eml files under the data
        /// dir. See the README.
        #[arg(long, env = "SWITCHBOARD_CONFIG", value_name = "FILE")]
        config: Option<PathBuf>,
    },
    /// Manage agent accounts.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Manage departments and their settings.
    #[command(subcommand)]
    Department(DepartmentCommand),
    /// Manage websites allowed to open chats.
    #[command(subcommand)]
    Site(SiteCommand),
    /// Manage routing rules (site + department -> required skill).
    #[command(subcommand)]
    Rule(RuleCommand),
    /// Manage canned responses (shared by a department, or an agent's own).
    #[command(subcommand)]
    Canned(CannedCommand),
}

/// Whose canned response: a department's (shared) or an agent's (personal).
#[derive(Args, Clone)]
#[group(required = true, multiple = false)]
struct CannedOwnerArgs {
    /// Shared by this department's agents.
    #[arg(long)]
    department: Option<String>,
    /// Personal to the agent with this email.
    #[arg(long)]
    agent: Option<String>,
}

impl CannedOwnerArgs {
    fn owner(self) -> Option<CannedOwner> {
        match (self.department, self.agent) {
            (Some(d), _) => Some(CannedOwner::Department(d)),
            (None, Some(a)) => Some(CannedOwner::Agent(a)),
            (None, None) => None,
        }
    }
}

#[derive(Subcommand)]
enum CannedCommand {
    /// Add a canned response. The text may use {visitor_name}, {agent_name} and
    /// {department}.
    Add {
        #[command(flatten)]
        data: DataDir,
        #[command(flatten)]
        owner: CannedOwnerArgs,
        /// Typed after "/" in the app's composer, e.g. `hello`.
        #[arg(long)]
        shortcut: String,
        #[arg(long)]
        text: String,
    },
    /// List canned responses: all, or one department's or agent's.
    List {
        #[command(flatten)]
        data: DataDir,
        #[arg(long, conflicts_with = "agent")]
        department: Option<String>,
        #[arg(long)]
        agent: Option<String>,
    },
    /// Remove a canned response by id.
    Remove {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Subcommand)]
enum AgentCommand {
    /// Add an agent; the password is read from stdin.
    Add {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Departments, comma-separated.
        #[arg(long, value_delimiter = ',')]
        departments: Vec<String>,
        /// Skills, comma-separated.
        #[arg(long, value_delimiter = ',')]
        skills: Vec<String>,
        /// Concurrent-chat cap.
        #[arg(long, default_value_t = 3)]
        max_chats: u32,
        /// Give the account the admin role.
        #[arg(long)]
        admin: bool,
    },
    /// List agents.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Change an agent's departments, skills, cap or password.
    Set {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        email: String,
        #[arg(long, value_delimiter = ',')]
        departments: Option<Vec<String>>,
        #[arg(long, value_delimiter = ',')]
        skills: Option<Vec<String>>,
        #[arg(long)]
        max_chats: Option<u32>,
        /// Read a new password from stdin.
        #[arg(long)]
        password: bool,
    },
    /// Disable an account: it can no longer sign in or connect.
    Disable {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum DepartmentCommand {
    /// Add a department.
    Add {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        name: String,
        /// Skills that also qualify agents outside the department, comma-separated.
        #[arg(long, value_delimiter = ',')]
        skills: Vec<String>,
    },
    /// List departments with their settings.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Change a department's skills and settings.
    Set {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        name: String,
        #[arg(long, value_delimiter = ',')]
        skills: Option<Vec<String>>,
        /// least_busy, next_available or none.
        #[arg(long)]
        backup: Option<BackupMode>,
        /// Seconds an agent has to answer an offer.
        #[arg(long)]
        offer_timeout: Option<u32>,
        /// Seconds of waiting to be connected before an alert.
        #[arg(long)]
        wait_alert: Option<u32>,
        /// Seconds a visitor message may wait for a reply before an alert.
        #[arg(long)]
        reply_alert: Option<u32>,
        /// Seconds of visitor silence before "are you still there?".
        #[arg(long)]
        inactivity_prompt: Option<u32>,
        /// Seconds of visitor silence before the chat is closed.
        #[arg(long)]
        inactivity_close: Option<u32>,
        #[arg(long)]
        prompt_text: Option<String>,
        #[arg(long)]
        closing_text: Option<String>,
        /// Wrap-up outcome codes, comma-separated.
        #[arg(long, value_delimiter = ',')]
        outcomes: Option<Vec<String>>,
        #[arg(long)]
        wrap_up_required: Option<bool>,
        #[arg(long)]
        wrap_up_timeout: Option<u32>,
        /// Longest a chat may wait in the queue, in seconds; then it is missed.
        #[arg(long)]
        max_wait: Option<u32>,
        /// Weekly opening hours, e.g. "mon-fri 09:00-17:30, sat 10:00-14:00". Outside
        /// them chats are missed and the widget offers the offline form.
        #[arg(long, value_name = "SCHEDULE")]
        hours: Option<String>,
        /// IANA time zone of the opening hours, e.g. Europe/Berlin.
        #[arg(long, value_name = "ZONE")]
        timezone: Option<String>,
        /// Drop the opening hours: always open.
        #[arg(long, conflicts_with_all = ["hours", "timezone"])]
        always_open: bool,
    },
}

#[derive(Subcommand)]
enum SiteCommand {
    /// Add a site, or allow more origins for it.
    Add {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        name: String,
        /// Allowed origin (scheme://host[:port]); repeat for several.
        #[arg(long = "origin", required = true)]
        origins: Vec<String>,
    },
    /// List sites and their origins.
    List {
        #[command(flatten)]
        data: DataDir,
    },
}

#[derive(Subcommand)]
enum RuleCommand {
    /// Route a site's chats of a department to agents holding a skill.
    Add {
        #[command(flatten)]
        data: DataDir,
        #[arg(long)]
        site: String,
        #[arg(long)]
        department: String,
        #[arg(long)]
        skill: String,
    },
    /// List routing rules.
    List {
        #[command(flatten)]
        data: DataDir,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn open(data: &Path) -> anyhow::Result<Store> {
    Store::open(&data.join("hub.db"))
        .await
        .with_context(|| format!("cannot open the hub database in {}", data.display()))
}

/// One line from stdin, without its line ending.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Password (input is shown): ");
        let _ = std::io::stderr().flush();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!(
            "no password on stdin (pipe it in, e.g. `echo \"$PASSWORD\" | switchboard-hub agent add ...`)"
        );
    }
    Ok(password)
}

async fn run(command: Command) -> anyhow::Result<()> {
    let clock = Clock::system();
    match command {
        Command::Serve {
            listen,
            data,
            demo,
            config,
        } => serve(listen, data.data, demo, config).await,
        Command::Agent(cmd) => agent(cmd, &clock).await,
        Command::Department(cmd) => department(cmd, &clock).await,
        Command::Site(cmd) => site(cmd, &clock).await,
        Command::Rule(cmd) => rule(cmd).await,
        Command::Canned(cmd) => canned(cmd, &clock).await,
    }
}

async fn serve(
    listen: SocketAddr,
    data: PathBuf,
    demo: bool,
    config: Option<PathBuf>,
) -> anyhow::Result<()> {
    let mut settings = Settings::new(listen, data);
    settings.demo = demo;
    if let Some(path) = config {
        HubConfig::load(&path)?.apply(&mut settings)?;
    }
    let email_route = match &settings.email.smtp {
        Some(smtp) => format!("SMTP {}:{} ({:?})", smtp.host, smtp.port, smtp.tls),
        None => format!(
            "written as .eml files to {}",
            settings
                .data_dir
                .join(switchboard_hub::email::OUTBOX_FOLDER)
                .display()
        ),
    };
    let app = Application::build(settings, Clock::system())
        .await
        .with_context(|| format!("cannot start the hub on {listen}"))?;
    let addr = app.local_addr();
    println!("switchboard-hub listening on http://{addr}");
    if let Some(demo) = app.demo() {
        println!("  demo page:   {}", demo.demo_url);
        println!("  health:      {}", demo.health_url);
        println!("  demo agents (email / password):");
        for a in &demo.agents {
            println!(
                "    {:<24} {:<14} {} ({})",
                a.email,
                a.password,
                a.name,
                a.departments.join(", ")
            );
        }
    }
    println!("  email replies: {email_route}");
    let _ = std::io::stdout().flush();
    let shutdown = app.shutdown_token();
    tokio::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutting down");
        shutdown.cancel();
    });
    app.run_until_stopped().await?;
    Ok(())
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn print_agent(a: &switchboard_hub::store::agents::Agent) {
    let departments: Vec<&str> = a.departments.iter().map(|d| d.name.as_str()).collect();
    println!(
        "{:>4}  {:<28} {:<24} max {:<3} {:<8} {}{}  departments: {}  skills: {}",
        a.id.0,
        a.email,
        a.name,
        a.max_chats,
        format!("{:?}", a.role).to_lowercase(),
        format!("{:?}", a.status).to_lowercase(),
        if a.disabled { " DISABLED" } else { "" },
        departments.join(","),
        a.skills.join(","),
    );
}

async fn agent(cmd: AgentCommand, clock: &Clock) -> anyhow::Result<()> {
    match cmd {
        AgentCommand::Add {
            data,
            email,
            name,
            departments,
            skills,
            max_chats,
            admin,
        } => {
            let password = read_password()?;
            let store = open(&data.data).await?;
            let request = NewAgentRequest {
                email,
                name,
                password,
                departments,
                skills,
                max_chats,
                role: if admin { Role::Admin } else { Role::Agent },
            };
            let id = admin::agent_add(&store, clock, &request).await?;
            println!("added agent {} ({})", request.email, id.0);
        }
        AgentCommand::List { data } => {
            let store = open(&data.data).await?;
            for a in admin::agent_list(&store).await? {
                print_agent(&a);
            }
        }
        AgentCommand::Set {
            data,
            email,
            departments,
            skills,
            max_chats,
            password,
        } => {
            let password = if password {
                Some(read_password()?)
            } else {
                None
            };
            let store = open(&data.data).await?;
            let changes = AgentChanges {
                departments,
                skills,
                max_chats,
                password,
            };
            print_agent(&admin::agent_set(&store, &email, &changes).await?);
        }
        AgentCommand::Disable { data, email } => {
            let store = open(&data.data).await?;
            print_agent(&admin::agent_set_disabled(&store, &email, true).await?);
        }
        AgentCommand::Enable { data, email } => {
            let store = open(&data.data).await?;
            print_agent(&admin::agent_set_disabled(&store, &email, false).await?);
        }
    }
    Ok(())
}

fn print_department(d: &switchboard_hub::store::departments::Department) {
    let s = &d.settings;
    println!(
        "{:>4}  {:<16} skills: {:<20} backup: {:<15} offer {}s  wait alert {}s  reply alert {}s  \
         prompt {}s  close {}s  max wait {}s  wrap-up {}{}s  outcomes: {}",
        d.id.0,
        d.name,
        d.skills.join(","),
        s.backup_mode,
        s.offer_timeout_secs,
        s.wait_alert_secs,
        s.reply_alert_secs,
        s.inactivity_prompt_secs,
        s.inactivity_close_secs,
        s.max_wait_secs,
        if s.wrap_up_required { "required, " } else { "" },
        s.wrap_up_timeout_secs,
        s.outcomes.join(","),
    );
    match &d.hours {
        Some(hours) => println!("      open: {hours}"),
        None => println!("      open: always"),
    }
}

async fn department(cmd: DepartmentCommand, clock: &Clock) -> anyhow::Result<()> {
    match cmd {
        DepartmentCommand::Add { data, name, skills } => {
            let store = open(&data.data).await?;
            print_department(&admin::department_add(&store, clock, &name, &skills).await?);
        }
        DepartmentCommand::List { data } => {
            let store = open(&data.data).await?;
            for d in admin::department_list(&store).await? {
                print_department(&d);
            }
        }
        DepartmentCommand::Set {
            data,
            name,
            skills,
            backup,
            offer_timeout,
            wait_alert,
            reply_alert,
            inactivity_prompt,
            inactivity_close,
            prompt_text,
            closing_text,
            outcomes,
            wrap_up_required,
            wrap_up_timeout,
            max_wait,
            hours,
            timezone,
            always_open,
        } => {
            let store = open(&data.data).await?;
            let changes = DepartmentChanges {
                skills,
                backup_mode: backup,
                offer_timeout_secs: offer_timeout,
                wait_alert_secs: wait_alert,
                reply_alert_secs: reply_alert,
                inactivity_prompt_secs: inactivity_prompt,
                inactivity_close_secs: inactivity_close,
                prompt_text,
                closing_text,
                outcomes,
                wrap_up_required,
                wrap_up_timeout_secs: wrap_up_timeout,
                max_wait_secs: max_wait,
                opening_hours: hours,
                time_zone: timezone,
                always_open,
            };
            print_department(&admin::department_set(&store, &name, &changes).await?);
        }
    }
    Ok(())
}

async fn site(cmd: SiteCommand, clock: &Clock) -> anyhow::Result<()> {
    match cmd {
        SiteCommand::Add {
            data,
            name,
            origins,
        } => {
            let store = open(&data.data).await?;
            let site = admin::site_add(&store, clock, &name, &origins).await?;
            println!(
                "{:>4}  {:<20} {}",
                site.id.0,
                site.name,
                site.origins.join(" ")
            );
        }
        SiteCommand::List { data } => {
            let store = open(&data.data).await?;
            for site in admin::site_list(&store).await? {
                println!(
                    "{:>4}  {:<20} {}",
                    site.id.0,
                    site.name,
                    site.origins.join(" ")
                );
            }
        }
    }
    Ok(())
}

async fn rule(cmd: RuleCommand) -> anyhow::Result<()> {
    match cmd {
        RuleCommand::Add {
            data,
            site,
            department,
            skill,
        } => {
            let store = open(&data.data).await?;
            let r = admin::rule_add(&store, &site, &department, &skill).await?;
            println!(
                "{:>4}  {} + {} -> skill {}",
                r.id, r.site, r.department, r.skill
            );
        }
        RuleCommand::List { data } => {
            let store = open(&data.data).await?;
            for r in admin::rule_list(&store).await? {
                println!(
                    "{:>4}  {} + {} -> skill {}",
                    r.id, r.site, r.department, r.skill
                );
            }
        }
    }
    Ok(())
}

fn print_canned(c: &CannedResponse) {
    let whose = match (&c.department, c.owner) {
        (Some(d), _) => format!("department {}", d.name),
        (None, Some(agent)) => format!("agent {agent}"),
        (None, None) => String::new(),
    };
    println!(
        "{:>4}  /{:<20} {:<24} {}",
        c.id.0, c.shortcut, whose, c.text
    );
}

async fn canned(cmd: CannedCommand, clock: &Clock) -> anyhow::Result<()> {
    match cmd {
        CannedCommand::Add {
            data,
            owner,
            shortcut,
            text,
        } => {
            let Some(owner) = owner.owner() else {
                bail!("say whose it is: --department NAME or --agent EMAIL");
            };
            let store = open(&data.data).await?;
            print_canned(
                &canned_responses::admin_add(&store, clock, &owner, &shortcut, &text).await?,
            );
        }
        CannedCommand::List {
            data,
            department,
            agent,
        } => {
            let owner = match (department, agent) {
                (Some(d), _) => Some(CannedOwner::Department(d)),
                (None, Some(a)) => Some(CannedOwner::Agent(a)),
                (None, None) => None,
            };
            let store = open(&data.data).await?;
            for c in canned_responses::admin_list(&store, owner.as_ref()).await? {
                print_canned(&c);
            }
        }
        CannedCommand::Remove { data, id } => {
            let store = open(&data.data).await?;
            canned_responses::admin_remove(&store, CannedId(id)).await?;
            println!("removed canned response {id}");
        }
    }
    Ok(())
}
