//! Building and running a hub: open the store, bind, start the core, serve HTTP and
//! WebSockets until told to stop, then close every connection with reason
//! `shutdown` and wait for them.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::clock::Clock;
use crate::config::Settings;
use crate::demo::{self, DemoWorkspace};
use crate::error::Result;
use crate::http::{self, AppState, Shared};
use crate::hub::{self, HubHandle};
use crate::limits::KeyedLimit;
use crate::store::Store;

/// How long shutdown waits for connections to say goodbye.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// A hub, bound and ready to serve.
pub struct Application {
    listener: TcpListener,
    addr: SocketAddr,
    state: AppState,
    core: JoinHandle<()>,
    core_stop: CancellationToken,
    demo: Option<DemoWorkspace>,
}

impl Application {
    /// Open (or create) the store under `settings.data_dir`, seed the demo workspace
    /// if asked, bind `settings.listen` and start the hub core.
    pub async fn build(settings: Settings, clock: Clock) -> Result<Self> {
        let settings = Arc::new(settings);
        let store = Store::open(&settings.database_path()).await?;
        let listener = TcpListener::bind(settings.listen).await?;
        let addr = listener.local_addr()?;
        let demo = if settings.demo {
            Some(demo::seed(&store, addr, &clock).await?)
        } else {
            None
        };
        let core_stop = CancellationToken::new();
        let (hub, core) = hub::start(
            store.clone(),
            clock.clone(),
            settings.clone(),
            core_stop.clone(),
        )
        .await?;
        let limits = &settings.limits;
        let state = AppState::new(Shared {
            visitor_connections: KeyedLimit::per_minute(limits.visitor_connections_per_min),
            visitor_chats: KeyedLimit::per_hour(limits.visitor_chats_per_hour),
            sign_ins: KeyedLimit::per_minute(limits.sign_ins_per_min),
            passwords: crate::auth::PasswordChecks::start(
                std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
            ),
            store,
            clock,
            settings: settings.clone(),
            hub,
            shutdown: CancellationToken::new(),
            connections: TaskTracker::new(),
        });
        Ok(Application {
            listener,
            addr,
            state,
            core,
            core_stop,
            demo,
        })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// What the demo seeding created, when `settings.demo` was set.
    pub fn demo(&self) -> Option<&DemoWorkspace> {
        self.demo.as_ref()
    }

    /// Cancel this token to shut the hub down gracefully.
    pub fn shutdown_token(&self) -> CancellationToken {
        self.state.shutdown.clone()
    }

    pub fn hub(&self) -> HubHandle {
        self.state.hub.clone()
    }

    fn connections(&self) -> TaskTracker {
        self.state.connections.clone()
    }

    /// Serve until the shutdown token is cancelled.
    pub async fn run_until_stopped(self) -> Result<()> {
        let state = self.state;
        let router = http::router(state.clone());
        let shutdown = state.shutdown.clone();
        tracing::info!(addr = %self.addr, "hub listening");
        // Without TCP_NODELAY a small frame written right after another waits for the
        // peer's delayed ACK (40 ms on Linux): a chat message would sometimes arrive
        // that much late.
        let listener = self.listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::debug!(error = %e, "could not set TCP_NODELAY");
            }
        });
        let served = axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown.cancelled_owned())
        .await;
        // WebSocket connections watch the same token; wait for their goodbyes.
        state.connections.close();
        if tokio::time::timeout(DRAIN_TIMEOUT, state.connections.wait())
            .await
            .is_err()
        {
            tracing::warn!("some connections did not close in time");
        }
        self.core_stop.cancel();
        let _ = self.core.await;
        state.store.close().await;
        tracing::info!("hub stopped");
        Ok(served?)
    }
}

/// A hub running in the background, as tests and other crates' tests use it.
pub struct RunningHub {
    addr: SocketAddr,
    shutdown: CancellationToken,
    hub: HubHandle,
    task: JoinHandle<Result<()>>,
    demo: Option<DemoWorkspace>,
    connections: TaskTracker,
}

impl RunningHub {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR` followed by `path`.
    pub fn http_url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// `ws://ADDR` followed by `path`.
    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    /// The origin the demo site allows (`http://ADDR`).
    pub fn origin(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn demo(&self) -> Option<&DemoWorkspace> {
        self.demo.as_ref()
    }

    /// Wait until the hub core has handled everything sent so far and every timer due
    /// at the clock's current time (see [`HubHandle::settle`]).
    pub async fn settle(&self) {
        self.hub.settle().await;
    }

    /// WebSocket connections still being served (a connection counts until the hub
    /// core has been told it is gone).
    pub fn open_connections(&self) -> usize {
        self.connections.len()
    }

    /// Shut down gracefully (clients get `session.closing` with reason `shutdown`) and
    /// wait until the store is closed.
    pub async fn stop(self) -> Result<()> {
        self.shutdown.cancel();
        match self.task.await {
            Ok(result) => result,
            Err(_) => Ok(()),
        }
    }
}

/// Build a hub and run it in the background. `clock` is [`Clock::system`] in
/// production; tests pass a [`crate::ManualClock`] turned into a `Clock`.
pub async fn spawn(settings: Settings, clock: Clock) -> Result<RunningHub> {
    let app = Application::build(settings, clock).await?;
    let addr = app.local_addr();
    let shutdown = app.shutdown_token();
    let hub = app.hub();
    let demo = app.demo().cloned();
    let connections = app.connections();
    let task = tokio::spawn(app.run_until_stopped());
    Ok(RunningHub {
        addr,
        shutdown,
        hub,
        task,
        demo,
        connections,
    })
}
