//! A scripted agent: signs in over HTTP, connects, goes online, accepts every offer,
//! answers every visitor message at once, and skips the wrap-up of every chat that
//! ends. It measures offer latency (from the stamp in the chat's question) and
//! visitor-to-agent latency (from the stamp in each message).

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use switchboard_protocol::agent::{
    Closing, Hello, MessageSend, OfferAccept, OfferNew, Ping, StatusSet, WrapUpSubmit,
};
use switchboard_protocol::http::{SignIn, SignedIn, paths};
use switchboard_protocol::{
    AgentStatus, Call, ChatId, ClientId, PROTOCOL_VERSION, WireError, WrapUp, limits,
};
use tokio_tungstenite::tungstenite::http::{HeaderValue, header};

use crate::load::Run;
use crate::metrics::bump;
use crate::stamp;
use crate::wire::{self, AgentEventPush, Frame, Message, RequestIds, Ws};

/// Who the agent is and where it dials from.
#[derive(Debug, Clone)]
pub struct AgentSpec {
    pub index: usize,
    pub email: String,
    pub password: String,
    pub source: IpAddr,
}

/// How long the agent waits for the replies to `hello` and `status.set`.
const SETUP_TIMEOUT: Duration = Duration::from_secs(30);

/// Sign in, connect and serve until the run stops. Failures are counted, not raised.
pub async fn run(spec: AgentSpec, run: Arc<Run>) {
    let token = {
        let _permit = run.sign_ins.acquire().await;
        match sign_in(&spec, &run).await {
            Ok(token) => token,
            Err(code) => {
                run.metrics.error(&format!("sign_in:{code}"));
                run.settle_agent();
                return;
            }
        }
    };
    let bearer = match HeaderValue::from_str(&format!("Bearer {token}")) {
        Ok(v) => v,
        Err(_) => {
            run.metrics.error("sign_in:bad_token");
            run.settle_agent();
            return;
        }
    };
    let ws = {
        let _permit = run.dials.acquire().await;
        wire::dial(
            &run.target.agent_ws,
            run.target.addr,
            spec.source,
            &[(header::AUTHORIZATION, bearer)],
        )
        .await
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            run.metrics.error(&format!("agent_dial:{e}"));
            run.settle_agent();
            return;
        }
    };
    run.metrics.connected();
    let mut agent = ScriptedAgent {
        ws,
        ids: RequestIds::default(),
        run: run.clone(),
        index: spec.index,
        sent: 0,
    };
    agent.serve().await;
    run.metrics.disconnected();
}

async fn sign_in(spec: &AgentSpec, run: &Run) -> Result<String, String> {
    let client = reqwest::Client::builder()
        .local_address(spec.source)
        .no_proxy()
        .timeout(Duration::from_secs(120))
        .build()
        .map_err(|e| format!("client: {e}"))?;
    let response = client
        .post(format!("{}{}", run.target.http, paths::SIGN_IN))
        .json(&SignIn {
            email: spec.email.clone(),
            password: spec.password.clone(),
        })
        .send()
        .await
        .map_err(|e| format!("http: {e}"))?;
    if !response.status().is_success() {
        let status = response.status().as_u16();
        return Err(match response.json::<WireError>().await {
            Ok(e) => wire::code_name(e.code),
            Err(_) => format!("http_{status}"),
        });
    }
    let signed: SignedIn = response.json().await.map_err(|e| format!("body: {e}"))?;
    Ok(signed.token)
}

struct ScriptedAgent {
    ws: Ws,
    ids: RequestIds,
    run: Arc<Run>,
    index: usize,
    /// Messages and wrap-ups sent, for their client ids.
    sent: u64,
}

impl ScriptedAgent {
    async fn serve(&mut self) {
        if let Err(why) = self.start().await {
            self.run.metrics.error(&why);
            self.run.settle_agent();
            let _ = self.ws.close(None).await;
            return;
        }
        bump(&self.run.metrics.agents_online);
        self.run.settle_agent();
        let run = self.run.clone();
        let stopped = run.stop.wait();
        tokio::pin!(stopped);
        let heartbeat = Duration::from_secs(limits::HEARTBEAT_SECS);
        let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + heartbeat, heartbeat);
        loop {
            tokio::select! {
                biased;
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        if let Err(why) = self.on_frame(text.as_str()).await {
                            self.run.metrics.error(&why);
                            return;
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        if !self.run.stop.fired() {
                            self.run.metrics.error("agent_closed_by_hub");
                        }
                        return;
                    }
                    Some(Err(_)) => {
                        self.run.metrics.error("agent_connection_lost");
                        return;
                    }
                    Some(Ok(_)) => {}
                },
                _ = &mut stopped => break,
                _ = ping.tick() => {
                    let id = self.ids.issue();
                    if self.ws.send(wire::request(id, &Ping {})).await.is_err() {
                        self.run.metrics.error("agent_send_failed");
                        return;
                    }
                }
            }
        }
        let _ = self.ws.close(None).await;
    }

    /// `hello`, then `status.set online`.
    async fn start(&mut self) -> Result<(), String> {
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            client: "switchboard-bench".into(),
            resume_after: None,
        };
        self.call_and_wait(&hello).await?;
        let online = StatusSet {
            status: AgentStatus::Online,
        };
        self.call_and_wait(&online).await
    }

    /// Send a request and wait for its reply, handling pushes meanwhile.
    async fn call_and_wait<C: Call>(&mut self, call: &C) -> Result<(), String> {
        let id = self.ids.issue();
        self.send(wire::request(id, call)).await?;
        let deadline = tokio::time::Instant::now() + SETUP_TIMEOUT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| "agent_setup_timeout".to_owned())?;
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err("agent_closed_during_setup".to_owned()),
            };
            let reply = Frame::parse(text.as_str()).and_then(|f| {
                (f.reply_id() == Some(id)).then(|| f.error.map(|e| wire::code_name(e.code)))
            });
            match reply {
                Some(Some(code)) => return Err(format!("agent_setup:{code}")),
                Some(None) => return Ok(()),
                None => self.on_frame(text.as_str()).await?,
            }
        }
    }

    fn client_id(&mut self, kind: char) -> Option<ClientId> {
        self.sent += 1;
        ClientId::parse(format!(
            "{kind}{}-{}-{}",
            self.index, self.run.nonce, self.sent
        ))
        .ok()
    }

    async fn send(&mut self, message: Message) -> Result<(), String> {
        self.ws
            .send(message)
            .await
            .map_err(|_| "agent_send_failed".to_owned())
    }

    async fn on_frame(&mut self, text: &str) -> Result<(), String> {
        let Some(frame) = Frame::parse(text) else {
            self.run.metrics.error("agent_bad_frame");
            return Ok(());
        };
        if let Some(e) = &frame.error {
            self.run
                .metrics
                .error(&format!("agent:{}", wire::code_name(e.code)));
            return Ok(());
        }
        match frame.push {
            Some("chat.event") => {
                let Some(push) = frame.data::<AgentEventPush>() else {
                    self.run.metrics.error("agent_bad_event");
                    return Ok(());
                };
                let event = push.event;
                let chat = ChatId(event.chat_id);
                match event.kind {
                    "message" if event.author.as_ref().is_some_and(|a| a.kind == "visitor") => {
                        let stamp = event.text.as_deref().and_then(stamp::read);
                        if let Some(('v', sent, run)) = stamp
                            && run == self.run.nonce
                        {
                            self.run.metrics.to_agent(sent);
                            self.answer(chat).await?;
                        }
                    }
                    "ended" => self.skip_wrap_up(chat).await?,
                    _ => {}
                }
            }
            Some("offer.new") => {
                let Some(push) = frame.data::<OfferNew>() else {
                    self.run.metrics.error("agent_bad_offer");
                    return Ok(());
                };
                match stamp::read(&push.offer.chat.question) {
                    Some(('q', sent, run)) if run == self.run.nonce => {
                        self.run.metrics.offer_arrived(sent);
                    }
                    // A chat left on the hub by an earlier run: taken, not counted.
                    _ => self.run.metrics.error("agent_offer_from_earlier_run"),
                }
                let accept = OfferAccept {
                    offer_id: push.offer.id,
                };
                let id = self.ids.issue();
                self.send(wire::request(id, &accept)).await?;
            }
            Some("session.closing") => {
                if let Some(closing) = frame.data::<Closing>()
                    && !self.run.stop.fired()
                {
                    self.run.metrics.error(&format!(
                        "agent_closing:{}",
                        serde_json::to_value(closing.reason)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default()
                    ));
                }
            }
            _ => {}
        }
        Ok(())
    }

    async fn answer(&mut self, chat: ChatId) -> Result<(), String> {
        let Some(client_id) = self.client_id('a') else {
            return Ok(());
        };
        let send = MessageSend {
            client_id,
            chat_id: chat,
            text: stamp::stamped('a', stamp::now_us(), &self.run.nonce),
        };
        let id = self.ids.issue();
        self.send(wire::request(id, &send)).await?;
        bump(&self.run.metrics.sent_by_agents);
        Ok(())
    }

    async fn skip_wrap_up(&mut self, chat: ChatId) -> Result<(), String> {
        let Some(client_id) = self.client_id('w') else {
            return Ok(());
        };
        let submit = WrapUpSubmit {
            client_id,
            chat_id: chat,
            wrap_up: WrapUp {
                outcome: String::new(),
                notes: String::new(),
                tags: Vec::new(),
            },
        };
        let id = self.ids.issue();
        self.send(wire::request(id, &submit)).await?;
        bump(&self.run.metrics.wrap_ups);
        Ok(())
    }
}
