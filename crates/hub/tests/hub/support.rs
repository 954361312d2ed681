//! The test harness: a real hub on 127.0.0.1:0 with a fresh data dir and a manual
//! clock, and small typed WebSocket clients that speak the protocol crate.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::de::DeserializeOwned;
use serde_json::Value;
use switchboard_hub::admin::{self, AgentChanges, DepartmentChanges, NewAgentRequest};
use switchboard_hub::store::Store;
use switchboard_hub::{Clock, ManualClock, RunningHub, Settings};
use switchboard_protocol::agent::{self, AgentPush, ResumeOutcome};
use switchboard_protocol::envelope::decode_reply;
use switchboard_protocol::http::{SignIn, SignedIn, paths};
use switchboard_protocol::visitor::{self, VisitorPush};
use switchboard_protocol::{
    Call, ClientId, PROTOCOL_VERSION, Role, Seq, ServerFrame, Survey, WireError,
    decode_server_frame, encode_request,
};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for something the hub should send at once. A safety net
/// against hangs, never an assertion on timing.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub const ADA: (&str, &str) = ("ada@switchboard.demo", "ada-password");
pub const BEN: (&str, &str) = ("ben@switchboard.demo", "ben-password");

pub struct TestHub {
    pub hub: RunningHub,
    pub clock: ManualClock,
    /// Kept so the data dir lives as long as the hub.
    _dir: tempfile::TempDir,
    pub http: reqwest::Client,
    store: Store,
}

/// A fresh hub with the demo workspace (Sales: Ben; Support: Ada).
pub async fn spawn_hub() -> TestHub {
    spawn_hub_with(|_| {}).await
}

pub async fn spawn_hub_with(tune: impl FnOnce(&mut Settings)) -> TestHub {
    let dir = tempfile::tempdir().expect("a temp dir for the hub's data");
    spawn_hub_in(dir, ManualClock::starting_now(), tune).await
}

/// A hub on an existing data dir (a restart, see [`TestHub::stop`]) or a fresh one
/// whose clock starts at a chosen time.
pub async fn spawn_hub_in(
    dir: tempfile::TempDir,
    clock: ManualClock,
    tune: impl FnOnce(&mut Settings),
) -> TestHub {
    let mut settings = Settings::new("127.0.0.1:0".parse().expect("an address"), dir.path());
    settings.demo = true;
    tune(&mut settings);
    let hub = switchboard_hub::spawn(settings, Clock::from(clock.clone()))
        .await
        .expect("the hub starts");
    let store = Store::open(&dir.path().join("hub.db"))
        .await
        .expect("the test opens the hub's database beside it");
    TestHub {
        hub,
        clock,
        _dir: dir,
        http: reqwest::Client::new(),
        store,
    }
}

impl TestHub {
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The hub's data dir.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Stop the hub gracefully and hand back its data dir and clock, to start it again.
    pub async fn stop(self) -> (tempfile::TempDir, ManualClock) {
        self.store.close().await;
        self.hub.stop().await.expect("the hub stops cleanly");
        (self._dir, self.clock)
    }

    /// Move the hub's clock and wait until everything due has happened.
    pub async fn advance(&self, secs: u64) {
        self.clock.advance(Duration::from_secs(secs));
        self.hub.settle().await;
    }

    pub async fn settle(&self) {
        self.hub.settle().await;
    }

    /// Wait until the hub serves exactly `n` WebSocket connections (a dropped client
    /// has been noticed and reported), then settle.
    pub async fn wait_connections(&self, n: usize) {
        tokio::time::timeout(PATIENCE, async {
            while self.hub.open_connections() != n {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .expect("the hub notices connections closing");
        self.settle().await;
    }

    pub async fn sign_in(&self, (email, password): (&str, &str)) -> SignedIn {
        let response = self
            .http
            .post(self.hub.http_url(paths::SIGN_IN))
            .json(&SignIn {
                email: email.into(),
                password: password.into(),
            })
            .send()
            .await
            .expect("sign-in request goes through");
        assert!(
            response.status().is_success(),
            "sign-in of {email} succeeds"
        );
        response.json().await.expect("sign-in answers SignedIn")
    }

    /// Sign in, connect, say hello (fresh) and go online.
    pub async fn online_agent(&self, who: (&str, &str)) -> AgentPeer {
        let mut agent = self.agent(who).await;
        agent
            .set_status(switchboard_protocol::AgentStatus::Online)
            .await;
        agent
    }

    /// Sign in, connect and say hello, leaving the status as the hub has it.
    pub async fn agent(&self, who: (&str, &str)) -> AgentPeer {
        let signed = self.sign_in(who).await;
        let mut agent = AgentPeer::connect(self.hub.addr(), &signed.token)
            .await
            .expect("the agent connects");
        agent.hello(None).await;
        agent
    }

    /// A visitor connection from the demo site, after hello.
    pub async fn visitor(&self) -> VisitorPeer {
        let mut v = VisitorPeer::connect(self.hub.addr(), &self.hub.origin())
            .await
            .expect("the visitor connects");
        let welcome: visitor::Welcome = v
            .call(visitor::Hello {
                protocol: PROTOCOL_VERSION,
                token: None,
            })
            .await
            .expect("visitor hello succeeds");
        assert!(welcome.chat.is_none(), "a fresh visitor has no chat");
        v
    }

    /// A visitor that has started a chat in `department`.
    pub async fn visitor_chat(
        &self,
        name: &str,
        department: &str,
    ) -> (VisitorPeer, visitor::ChatStarted) {
        let mut v = self.visitor().await;
        let started = v.start(name, department).await;
        (v, started)
    }

    pub async fn add_agent(
        &self,
        email: &str,
        name: &str,
        departments: &[&str],
        skills: &[&str],
        max_chats: u32,
    ) -> (String, String) {
        let password = format!("{name}-password");
        admin::agent_add(
            self.store(),
            &Clock::system(),
            &NewAgentRequest {
                email: email.into(),
                name: name.into(),
                password: password.clone(),
                departments: departments.iter().map(|s| (*s).to_owned()).collect(),
                skills: skills.iter().map(|s| (*s).to_owned()).collect(),
                max_chats,
                role: Role::Agent,
            },
        )
        .await
        .expect("the test agent is added");
        (email.to_owned(), password)
    }

    pub async fn set_max_chats(&self, email: &str, max: u32) {
        admin::agent_set(
            self.store(),
            email,
            &AgentChanges {
                max_chats: Some(max),
                ..Default::default()
            },
        )
        .await
        .expect("the agent's cap changes");
    }

    /// An account with the admin role.
    pub async fn add_admin(
        &self,
        email: &str,
        name: &str,
        departments: &[&str],
    ) -> (String, String) {
        let password = format!("{name}-password");
        admin::agent_add(
            self.store(),
            &Clock::system(),
            &NewAgentRequest {
                email: email.into(),
                name: name.into(),
                password: password.clone(),
                departments: departments.iter().map(|s| (*s).to_owned()).collect(),
                skills: Vec::new(),
                max_chats: 3,
                role: Role::Admin,
            },
        )
        .await
        .expect("the test admin is added");
        (email.to_owned(), password)
    }

    /// The id of the agent with this email.
    pub async fn agent_id(&self, email: &str) -> switchboard_protocol::AgentId {
        admin::agent_list(self.store())
            .await
            .expect("agents are listed")
            .into_iter()
            .find(|a| a.email == email)
            .expect("the agent exists")
            .id
    }

    pub async fn set_department(&self, name: &str, changes: DepartmentChanges) {
        admin::department_set(self.store(), name, &changes)
            .await
            .expect("the department's settings change");
    }
}

/// Sign in over HTTP at the hub on `addr`.
pub async fn sign_in(
    http: &reqwest::Client,
    addr: SocketAddr,
    (email, password): (&str, &str),
) -> SignedIn {
    let response = http
        .post(format!("http://{addr}{}", paths::SIGN_IN))
        .json(&SignIn {
            email: email.into(),
            password: password.into(),
        })
        .send()
        .await
        .expect("sign-in request goes through");
    assert!(
        response.status().is_success(),
        "sign-in of {email} succeeds"
    );
    response.json().await.expect("sign-in answers SignedIn")
}

/// Where a push came from and its seq.
#[derive(Debug, Clone)]
pub struct Pushed<P> {
    pub seq: Option<Seq>,
    pub push: P,
}

/// The WebSocket closed: with this close code, after these pushes.
#[derive(Debug, Clone)]
pub struct Closed {
    pub code: Option<u16>,
}

/// A protocol client over a real WebSocket. `P` is the push enum of the protocol.
pub struct Peer<P> {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    next_id: u64,
    names: &'static [&'static str],
    pub pushes: VecDeque<Pushed<P>>,
    pub closed: Option<Closed>,
    /// The newest seq seen in a durable push.
    pub last_seq: Option<Seq>,
}

pub type AgentPeer = Peer<AgentPush>;
pub type VisitorPeer = Peer<VisitorPush>;

/// What reading one frame gave.
enum Frame {
    Reply {
        re: String,
        result: Result<Value, WireError>,
    },
    Push,
    Closed,
}

impl<P: DeserializeOwned + std::fmt::Debug + Clone> Peer<P> {
    async fn open(
        url: String,
        headers: &[(&'static str, String)],
        names: &'static [&'static str],
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                *name,
                HeaderValue::from_str(value).expect("a valid header value"),
            );
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Peer {
            ws,
            next_id: 0,
            names,
            pushes: VecDeque::new(),
            closed: None,
            last_seq: None,
        })
    }

    pub async fn send_text(&mut self, text: String) {
        self.ws
            .send(Message::Text(text.into()))
            .await
            .expect("the frame is sent");
    }

    async fn read_frame(&mut self) -> Frame {
        if self.closed.is_some() {
            return Frame::Closed;
        }
        let message = tokio::time::timeout(PATIENCE, self.ws.next())
            .await
            .expect("the hub sends something in time");
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(Message::Close(frame))) => {
                self.closed = Some(Closed {
                    code: frame.map(|f| u16::from(f.code)),
                });
                return Frame::Closed;
            }
            Some(Ok(_)) => return Frame::Push,
            None | Some(Err(_)) => {
                self.closed = Some(Closed { code: None });
                return Frame::Closed;
            }
        };
        match decode_server_frame::<P>(text.as_str(), self.names)
            .expect("the hub sends well-formed frames")
        {
            ServerFrame::Reply { re, result } => Frame::Reply { re, result },
            ServerFrame::Push { seq, push } => {
                if let Some(seq) = seq {
                    if let Some(last) = self.last_seq {
                        assert!(
                            seq > last,
                            "durable pushes come in seq order: {seq} after {last}"
                        );
                    }
                    self.last_seq = Some(seq);
                }
                self.pushes.push_back(Pushed { seq, push });
                Frame::Push
            }
            ServerFrame::UnknownPush { name, .. } => {
                panic!("the hub sent an unknown push `{name}`")
            }
        }
    }

    /// Send a request and wait for its reply; pushes arriving meanwhile are kept.
    pub async fn call<C: Call>(&mut self, call: C) -> Result<C::Reply, WireError> {
        self.next_id += 1;
        let id = self.next_id.to_string();
        self.send_text(encode_request(&id, &call)).await;
        let value = self.reply_to(&id).await?;
        decode_reply::<C>(value)
    }

    /// Wait for the reply with this id (or, for `""`, any reply to a broken frame).
    pub async fn reply_to(&mut self, id: &str) -> Result<Value, WireError> {
        loop {
            match self.read_frame().await {
                Frame::Reply { re, result } if re == id => return result,
                Frame::Reply { re, .. } => {
                    panic!("unexpected reply to `{re}` while waiting for `{id}`")
                }
                Frame::Push => {}
                Frame::Closed => panic!("the connection closed while waiting for reply `{id}`"),
            }
        }
    }

    /// Send raw text and wait for the reply to it (`re` = `expect_re`).
    pub async fn raw(&mut self, text: String, expect_re: &str) -> Result<Value, WireError> {
        self.send_text(text).await;
        self.reply_to(expect_re).await
    }

    /// The first push matching `want` (kept pushes first, then new ones); pushes
    /// that do not match stay queued.
    pub async fn wait_for(&mut self, what: &str, want: impl Fn(&P) -> bool) -> Pushed<P> {
        loop {
            if let Some(i) = self.pushes.iter().position(|p| want(&p.push)) {
                return self.pushes.remove(i).expect("the position is in range");
            }
            match self.read_frame().await {
                Frame::Closed => panic!("the connection closed while waiting for {what}"),
                Frame::Reply { re, .. } => {
                    panic!("unexpected reply `{re}` while waiting for {what}")
                }
                Frame::Push => {}
            }
        }
    }

    /// Wait until the connection closes, skipping replies to requests still in
    /// flight; the pushes before it stay queued.
    pub async fn wait_closed(&mut self) -> Closed {
        loop {
            if let Some(closed) = &self.closed {
                return closed.clone();
            }
            self.read_frame().await;
        }
    }
}

impl AgentPeer {
    pub async fn connect(
        addr: SocketAddr,
        token: &str,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        Self::open(
            format!("ws://{addr}{}", paths::AGENT_WS),
            &[("authorization", format!("Bearer {token}"))],
            AgentPush::PUSHES,
        )
        .await
    }

    pub async fn hello(&mut self, resume_after: Option<Seq>) -> agent::Welcome {
        let welcome = self
            .call(agent::Hello {
                protocol: PROTOCOL_VERSION,
                client: "hub tests".into(),
                resume_after,
            })
            .await
            .expect("agent hello succeeds");
        if resume_after.is_none() {
            assert_eq!(welcome.resume, ResumeOutcome::Fresh, "no resume was asked");
            self.last_seq = Some(welcome.last_seq);
        }
        welcome
    }

    pub async fn set_status(&mut self, status: switchboard_protocol::AgentStatus) {
        let reply = self
            .call(agent::StatusSet { status })
            .await
            .expect("status.set succeeds");
        assert_eq!(reply.status, status);
    }

    /// Wait for the next offer and return it.
    pub async fn offer(&mut self) -> switchboard_protocol::Offer {
        match self
            .wait_for("an offer", |p| matches!(p, AgentPush::OfferNew(_)))
            .await
            .push
        {
            AgentPush::OfferNew(o) => o.offer,
            _ => unreachable!("wait_for returned a matching push"),
        }
    }

    /// Wait for an offer and accept it.
    pub async fn accept_next(&mut self) -> agent::Accepted {
        let offer = self.offer().await;
        self.call(agent::OfferAccept { offer_id: offer.id })
            .await
            .expect("the offer is accepted")
    }

    pub async fn say(
        &mut self,
        chat: switchboard_protocol::ChatId,
        text: &str,
    ) -> agent::MessageSent {
        self.call(agent::MessageSend {
            client_id: new_client_id(),
            chat_id: chat,
            text: text.into(),
        })
        .await
        .expect("the agent's message is stored")
    }

    /// End a chat the agent holds.
    pub async fn end(&mut self, chat: switchboard_protocol::ChatId) -> agent::ChatEnded {
        self.call(agent::ChatEnd {
            client_id: new_client_id(),
            chat_id: chat,
        })
        .await
        .expect("the agent ends the chat")
    }

    /// Give a wrap-up with this outcome (empty: skip it).
    pub async fn wrap_up(
        &mut self,
        chat: switchboard_protocol::ChatId,
        outcome: &str,
    ) -> Result<agent::WrappedUp, WireError> {
        self.call(agent::WrapUpSubmit {
            client_id: new_client_id(),
            chat_id: chat,
            wrap_up: switchboard_protocol::WrapUp {
                outcome: outcome.into(),
                notes: String::new(),
                tags: Vec::new(),
            },
        })
        .await
    }

    /// End a chat and skip its (optional) wrap-up, so the slot is free again.
    pub async fn end_and_skip_wrap_up(&mut self, chat: switchboard_protocol::ChatId) {
        self.end(chat).await;
        self.wrap_up(chat, "")
            .await
            .expect("an optional wrap-up may be skipped");
    }

    /// Wait until the chat leaves this agent, and say why.
    pub async fn released(&mut self, chat: switchboard_protocol::ChatId) -> agent::ReleaseReason {
        match self
            .wait_for(
                "chat.released",
                |p| matches!(p, AgentPush::ChatReleased(r) if r.chat_id == chat),
            )
            .await
            .push
        {
            AgentPush::ChatReleased(r) => r.reason,
            _ => unreachable!("wait_for returned a matching push"),
        }
    }

    /// After the hub has settled, the offers that reached this agent and were not
    /// consumed yet. A ping round trip makes sure every push sent before is read.
    pub async fn pending_offers(&mut self, hub: &TestHub) -> usize {
        hub.settle().await;
        self.call(agent::Ping {}).await.expect("ping answers");
        self.pushes
            .iter()
            .filter(|p| matches!(p.push, AgentPush::OfferNew(_)))
            .count()
    }
}

impl VisitorPeer {
    pub async fn connect(
        addr: SocketAddr,
        origin: &str,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        Self::open(
            format!("ws://{addr}{}", paths::VISITOR_WS),
            &[("origin", origin.to_owned())],
            VisitorPush::PUSHES,
        )
        .await
    }

    pub async fn start(&mut self, name: &str, department: &str) -> visitor::ChatStarted {
        self.call(visitor::ChatStart {
            client_id: new_client_id(),
            survey: Survey {
                name: name.into(),
                email: Some(format!("{}@visitor.example", name.to_lowercase())),
                question: format!("{name} has a question for {department}"),
                department: department.into(),
            },
            page_url: Some("https://shop.example/pricing".into()),
            user_agent: Some("hub-tests/1".into()),
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

    /// Wait for the chat to reach a state matching `want`.
    pub async fn state(
        &mut self,
        what: &str,
        want: impl Fn(&visitor::VisitorChatState) -> bool,
    ) -> visitor::VisitorChatState {
        match self
            .wait_for(
                what,
                |p| matches!(p, VisitorPush::State(s) if want(&s.state)),
            )
            .await
            .push
        {
            VisitorPush::State(s) => s.state,
            _ => unreachable!("wait_for returned a matching push"),
        }
    }

    /// Wait for a notice containing `text`.
    pub async fn notice(&mut self, text: &str) -> String {
        let pushed = self
            .wait_for(&format!("a notice with `{text}`"), |p| {
                matches!(p, VisitorPush::Event(e)
                    if matches!(&e.event.body, visitor::VisitorEventBody::Notice { text: t } if t.contains(text)))
            })
            .await;
        match pushed.push {
            VisitorPush::Event(e) => match e.event.body {
                visitor::VisitorEventBody::Notice { text } => text,
                _ => unreachable!("wait_for returned a notice"),
            },
            _ => unreachable!("wait_for returned a matching push"),
        }
    }

    /// After the hub has settled, every notice this visitor was sent and has not
    /// consumed. A ping round trip makes sure everything sent before is read.
    pub async fn notices(&mut self, hub: &TestHub) -> Vec<String> {
        hub.settle().await;
        self.call(visitor::Ping {}).await.expect("ping answers");
        self.pushes
            .iter()
            .filter_map(|p| match &p.push {
                VisitorPush::Event(e) => match &e.event.body {
                    visitor::VisitorEventBody::Notice { text } => Some(text.clone()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    }

    /// Wait for a message from the agent side with this text.
    pub async fn message(&mut self, text: &str) -> visitor::VisitorEvent {
        let pushed = self
            .wait_for(&format!("message `{text}`"), |p| {
                matches!(p, VisitorPush::Event(e)
                    if matches!(&e.event.body, visitor::VisitorEventBody::Message { text: t, .. } if t == text))
            })
            .await;
        match pushed.push {
            VisitorPush::Event(e) => e.event,
            _ => unreachable!("wait_for returned a matching push"),
        }
    }
}

pub fn new_client_id() -> ClientId {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    ClientId::parse(format!("test-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
        .expect("a valid client id")
}
