//! A loopback TCP proxy between the client and the hub that injects faults: it
//! drops connections, refuses new ones, delays every chunk, stalls, or cuts the next
//! chunk (and so the WebSocket frame in it) half-way and then drops the link.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// What the proxy does with new connections and with traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Forward everything.
    Pass,
    /// Accept new connections and close them at once (the hub is "down").
    Refuse,
    /// Forward, holding every chunk back this long first.
    Delay(Duration),
    /// Forward nothing and close nothing: a link that went silent.
    Stall,
}

/// Which direction a cut applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Client to hub.
    Up,
    /// Hub to client.
    Down,
}

struct Shared {
    upstream: SocketAddr,
    mode: Mode,
    cut: Option<Direction>,
    cuts_done: u32,
    links: Vec<JoinHandle<()>>,
}

pub struct FaultProxy {
    addr: SocketAddr,
    shared: Arc<Mutex<Shared>>,
    /// Bumped to tell live links that the mode changed.
    mode_tx: watch::Sender<Mode>,
    accept: JoinHandle<()>,
}

impl FaultProxy {
    pub async fn start(upstream: SocketAddr) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("the proxy binds a loopback port");
        let addr = listener.local_addr().expect("the proxy has an address");
        let shared = Arc::new(Mutex::new(Shared {
            upstream,
            mode: Mode::Pass,
            cut: None,
            cuts_done: 0,
            links: Vec::new(),
        }));
        let (mode_tx, mode_rx) = watch::channel(Mode::Pass);
        let accept = tokio::spawn(accept_loop(listener, shared.clone(), mode_rx));
        FaultProxy {
            addr,
            shared,
            mode_tx,
            accept,
        }
    }

    /// The hub URL as the client should see it.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().expect("the proxy state lock")
    }

    pub fn set_upstream(&self, upstream: SocketAddr) {
        self.lock().upstream = upstream;
    }

    pub fn set_mode(&self, mode: Mode) {
        self.lock().mode = mode;
        self.mode_tx.send_replace(mode);
    }

    /// Kill every live link at once, as a network loss would.
    pub fn drop_all(&self) {
        for link in self.lock().links.drain(..) {
            link.abort();
        }
    }

    /// Cut the next chunk going `direction` half-way and drop that link.
    pub fn cut_next(&self, direction: Direction) {
        self.lock().cut = Some(direction);
    }

    /// How many cuts have happened.
    pub fn cuts_done(&self) -> u32 {
        self.lock().cuts_done
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.drop_all();
    }
}

async fn accept_loop(
    listener: TcpListener,
    shared: Arc<Mutex<Shared>>,
    mode: watch::Receiver<Mode>,
) {
    loop {
        let Ok((client, _)) = listener.accept().await else {
            continue;
        };
        let (upstream, current) = {
            let s = shared.lock().expect("the proxy state lock");
            (s.upstream, s.mode)
        };
        if current == Mode::Refuse {
            drop(client);
            continue;
        }
        let shared2 = shared.clone();
        let mode = mode.clone();
        let link = tokio::spawn(async move {
            let Ok(hub) = TcpStream::connect(upstream).await else {
                return;
            };
            let _ = client.set_nodelay(true);
            let _ = hub.set_nodelay(true);
            let (cr, cw) = client.into_split();
            let (hr, hw) = hub.into_split();
            let up = pump(cr, hw, Direction::Up, shared2.clone(), mode.clone());
            let down = pump(hr, cw, Direction::Down, shared2, mode);
            // Either side ending ends the link, like a real connection loss.
            tokio::select! {
                _ = up => {}
                _ = down => {}
            }
        });
        let mut s = shared.lock().expect("the proxy state lock");
        s.links.retain(|l| !l.is_finished());
        s.links.push(link);
    }
}

async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    direction: Direction,
    shared: Arc<Mutex<Shared>>,
    mut mode: watch::Receiver<Mode>,
) {
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        loop {
            let current = *mode.borrow_and_update();
            match current {
                Mode::Stall => {
                    if mode.changed().await.is_err() {
                        return;
                    }
                }
                Mode::Delay(d) => {
                    tokio::time::sleep(d).await;
                    break;
                }
                Mode::Pass | Mode::Refuse => break,
            }
        }
        let cut = {
            let mut s = shared.lock().expect("the proxy state lock");
            if s.cut == Some(direction) && n >= 4 {
                s.cut = None;
                s.cuts_done += 1;
                true
            } else {
                false
            }
        };
        if cut {
            let _ = to.write_all(&buf[..n / 2]).await;
            let _ = to.flush().await;
            return;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
