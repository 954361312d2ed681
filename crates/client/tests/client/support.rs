//! The test harness: a real hub on 127.0.0.1:0 (demo workspace, manual clock, a data
//! dir that can outlive it), clients of the real core with fast timers, a scripted
//! visitor over the visitor WebSocket, and helpers that wait on the console.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use switchboard_client::protocol::visitor::{self, VisitorEventBody, VisitorPush};
use switchboard_client::protocol::{
    Call, ClientId, PROTOCOL_VERSION, Party, ServerFrame, Survey, WireError, decode_server_frame,
    encode_request, envelope::decode_reply, http::paths,
};
use switchboard_client::{Client, ClientConfig, Console, CredentialStore, Timing};
use switchboard_hub::{Clock, ManualClock, RunningHub, Settings};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something that should happen promptly. A safety net
/// against hangs, never an assertion on timing.
pub const PATIENCE: Duration = Duration::from_secs(30);

/// Demo agents (Support: Ada; Sales: Ben).
pub const ADA: (&str, &str) = ("ada@switchboard.demo", "ada-password");
pub const BEN: (&str, &str) = ("ben@switchboard.demo", "ben-password");

/// A hub whose data dir is owned by the test, so a second hub can reopen it. Its
/// clock is manual and stands still: no offer or etiquette timer fires by itself.
pub struct TestHub {
    pub hub: RunningHub,
    pub clock: ManualClock,
}

/// Start a hub with the demo workspace on `listen` (port 0 for any) over `data_dir`.
pub async fn start_hub(data_dir: &Path, tune: impl FnOnce(&mut Settings)) -> TestHub {
    let mut settings = Settings::new("127.0.0.1:0".parse().expect("a loopback address"), data_dir);
    settings.demo = true;
    tune(&mut settings);
    let clock = ManualClock::starting_now();
    let hub = switchboard_hub::spawn(settings, Clock::from(clock.clone()))
        .await
        .expect("the hub starts");
    TestHub { hub, clock }
}

impl TestHub {
    pub fn url(&self) -> String {
        self.hub.http_url("")
    }

    pub fn addr(&self) -> SocketAddr {
        self.hub.addr()
    }

    /// A scripted visitor from the demo site.
    pub async fn visitor(&self) -> Visitor {
        Visitor::connect(self.addr(), &self.hub.origin()).await
    }

    pub async fn stop(self) {
        self.hub.stop().await.expect("the hub stops cleanly");
    }
}

/// Fast timers so drops are noticed and retried within a test's patience.
pub fn fast_timing() -> Timing {
    Timing {
        request_timeout: Duration::from_secs(5),
        connect_timeout: Duration::from_secs(3),
        backoff_base: Duration::from_millis(50),
        backoff_cap: Duration::from_millis(400),
        backoff_seed: Some(7),
        online_grace: Duration::from_secs(60),
        heartbeat: Duration::from_millis(500),
        idle_timeout: Duration::from_secs(2),
    }
}

/// A client configuration over `data_dir` that keeps the token in memory (the
/// keyring test uses the real store).
pub fn config(data_dir: &Path) -> ClientConfig {
    let mut config = ClientConfig::new(data_dir);
    config.client_name = "switchboard-client tests".into();
    config.credentials = CredentialStore::Memory;
    config.timing = fast_timing();
    config
}

/// Sign in to `hub_url` and wait until online.
pub async fn sign_in(config: ClientConfig, hub_url: &str, who: (&str, &str)) -> Client {
    let (client, _) = Client::sign_in(config, hub_url, who.0, who.1, false)
        .await
        .expect("the demo agent signs in");
    until(&client, "the client comes online", |c| {
        matches!(c.connection, switchboard_client::ConnectionState::Online).then_some(())
    })
    .await;
    client
}

/// Wait until the console satisfies `want`, following its change stream.
pub async fn until<T>(client: &Client, what: &str, want: impl Fn(&Console) -> Option<T>) -> T {
    let (mut console, mut stream) = client.subscribe();
    let wait = async {
        loop {
            if let Some(found) = want(&console) {
                return found;
            }
            let update = stream.next().await.expect("the client is still running");
            console.apply(&update.change);
            console.version = update.version;
        }
    };
    match tokio::time::timeout(PATIENCE, wait).await {
        Ok(found) => found,
        Err(_) => panic!("timed out waiting until {what}; console: {console:#?}"),
    }
}

/// Wait for the next change matching `want` on a stream taken before the action.
pub async fn next_change<T>(
    stream: &mut switchboard_client::ConsoleStream,
    what: &str,
    want: impl Fn(&switchboard_client::ConsoleChange) -> Option<T>,
) -> T {
    let wait = async {
        loop {
            let update = stream.next().await.expect("the client is still running");
            if let Some(found) = want(&update.change) {
                return found;
            }
        }
    };
    tokio::time::timeout(PATIENCE, wait)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Wait until the connection reaches a state matching `want`.
pub async fn until_state(
    client: &Client,
    what: &str,
    want: impl Fn(&switchboard_client::ConnectionState) -> bool,
) {
    let mut rx = client.connection_state();
    tokio::time::timeout(PATIENCE, async {
        loop {
            if want(&rx.borrow_and_update()) {
                return;
            }
            rx.changed().await.expect("the connection actor is running");
        }
    })
    .await
    .unwrap_or_else(|_| panic!("timed out waiting until {what}"));
}

/// The visitor texts and agent texts of an open chat, in transcript order.
pub fn messages(console: &Console, chat: switchboard_client::protocol::ChatId) -> Vec<String> {
    console
        .chat(chat)
        .map(|c| {
            c.events
                .iter()
                .filter_map(|e| match &e.body {
                    switchboard_client::protocol::EventBody::Message { text, .. } => {
                        Some(text.clone())
                    }
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

pub fn new_client_id() -> ClientId {
    ClientId::parse(uuid::Uuid::new_v4().to_string()).expect("a UUID is a valid client id")
}

/// A scripted website visitor speaking the visitor protocol over a real WebSocket.
pub struct Visitor {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    /// Pushes received and not yet consumed, oldest first.
    pub pushes: Vec<VisitorPush>,
}

impl Visitor {
    pub async fn connect(addr: SocketAddr, origin: &str) -> Self {
        let mut request = format!("ws://{addr}{}", paths::VISITOR_WS)
            .into_client_request()
            .expect("a valid visitor URL");
        request.headers_mut().insert(
            "origin",
            HeaderValue::from_str(origin).expect("a valid origin"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the visitor connects from an allowed origin");
        let mut v = Visitor {
            ws,
            next_id: 0,
            pushes: Vec::new(),
        };
        let _: visitor::Welcome = v
            .call(visitor::Hello {
                protocol: PROTOCOL_VERSION,
                token: None,
            })
            .await
            .expect("visitor hello succeeds");
        v
    }

    /// Re-attach to a chat with its token (after the hub restarted).
    pub async fn reattach(addr: SocketAddr, origin: &str, token: &str) -> (Self, visitor::Welcome) {
        let mut request = format!("ws://{addr}{}", paths::VISITOR_WS)
            .into_client_request()
            .expect("a valid visitor URL");
        request.headers_mut().insert(
            "origin",
            HeaderValue::from_str(origin).expect("a valid origin"),
        );
        let (ws, _) = tokio_tungstenite::connect_async(request)
            .await
            .expect("the visitor reconnects");
        let mut v = Visitor {
            ws,
            next_id: 0,
            pushes: Vec::new(),
        };
        let welcome = v
            .call(visitor::Hello {
                protocol: PROTOCOL_VERSION,
                token: Some(token.to_owned()),
            })
            .await
            .expect("visitor hello with a token succeeds");
        (v, welcome)
    }

    pub async fn call<C: Call>(&mut self, call: C) -> Result<C::Reply, WireError> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.ws
            .send(Message::text(encode_request(&id, &call)))
            .await
            .expect("the visitor's frame is sent");
        loop {
            match self.read().await {
                Some(ServerFrame::Reply { re, result }) if re == id => {
                    return result.and_then(decode_reply::<C>);
                }
                Some(_) => {}
                None => panic!("the visitor connection closed while waiting for `{id}`"),
            }
        }
    }

    /// Read one frame; pushes are kept. `None` when the connection closed.
    async fn read(&mut self) -> Option<ServerFrame<VisitorPush>> {
        loop {
            let frame = tokio::time::timeout(PATIENCE, self.ws.next())
                .await
                .expect("the hub sends the visitor something in time");
            let text = match frame {
                Some(Ok(Message::Text(t))) => t,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            };
            let frame = decode_server_frame::<VisitorPush>(text.as_str(), VisitorPush::PUSHES)
                .expect("the hub sends well-formed visitor frames");
            if let ServerFrame::Push { push, .. } = &frame {
                self.pushes.push(push.clone());
            }
            return Some(frame);
        }
    }

    pub async fn start(
        &mut self,
        name: &str,
        department: &str,
        question: &str,
    ) -> visitor::ChatStarted {
        self.call(visitor::ChatStart {
            client_id: new_client_id(),
            survey: Survey {
                name: name.into(),
                email: Some(format!("{}@visitor.example", name.to_lowercase())),
                question: question.into(),
                department: department.into(),
            },
            page_url: Some("https://shop.example/pricing".into()),
            user_agent: Some("client-tests/1".into()),
        })
        .await
        .expect("the chat starts")
    }

    pub async fn say(&mut self, text: &str) -> visitor::MessageSent {
        self.call(visitor::MessageSend {
            client_id: new_client_id(),
            text: text.into(),
        })
        .await
        .expect("the visitor's message is stored")
    }

    pub async fn typing(&mut self, preview: &str) {
        self.call(visitor::TypingSet {
            typing: true,
            preview: Some(preview.into()),
        })
        .await
        .expect("typing is accepted");
    }

    /// Agent messages received so far (consumed from the push list), in order.
    pub fn take_agent_messages(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        self.pushes.retain(|p| match p {
            VisitorPush::Event(e) => match &e.event.body {
                VisitorEventBody::Message {
                    from: Party::Agent,
                    text,
                    system: false,
                    ..
                } => {
                    out.push(text.clone());
                    false
                }
                _ => true,
            },
            _ => true,
        });
        out
    }

    /// Wait until `n` agent messages have arrived since the last take, and return
    /// every agent message received by then.
    pub async fn agent_messages(&mut self, n: usize) -> Vec<String> {
        let mut got = self.take_agent_messages();
        while got.len() < n {
            if self.read().await.is_none() {
                panic!(
                    "the visitor connection closed after {} of {n} agent messages",
                    got.len()
                );
            }
            got.extend(self.take_agent_messages());
        }
        // Anything already on the wire arrives with a ping round trip.
        let _ = self.call(visitor::Ping {}).await;
        got.extend(self.take_agent_messages());
        got
    }

    /// Read whatever is pending, until a ping comes back.
    pub async fn drain(&mut self) {
        let _ = self.call(visitor::Ping {}).await;
    }

    pub async fn close(mut self) {
        let _ = self.ws.close(None).await;
    }
}
