//! A scripted visitor. An idle one opens the widget (`hello`) and stays, pinging like
//! the widget does. A chatting one starts a chat at its planned time, waits to be
//! connected (and, in a run that starts talking together, for the go), sends its
//! messages at a fixed interval, waits for the agent's answers, and ends the chat. It
//! measures agent-to-visitor latency from the stamp in each answer.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use switchboard_protocol::visitor::{
    ChatEnd, ChatStart, ChatStarted, Hello, MessageSend, Ping, StatePush, VisitorChatState, Welcome,
};
use switchboard_protocol::{Call, ClientId, PROTOCOL_VERSION, Survey, limits};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::http::header;

use crate::load::Run;
use crate::metrics::bump;
use crate::stamp;
use crate::wire::{self, Frame, Message, RequestIds, VisitorEventPush, Ws};

/// What a visitor does.
#[derive(Debug, Clone, Copy)]
pub enum VisitorPlan {
    /// `hello`, then stay connected until the run stops.
    Idle,
    /// Start a chat at `start_at_us` (on [`stamp`]'s clock), send `messages`, one
    /// every `interval`, the first after `phase`, then end the chat.
    Chat {
        start_at_us: u64,
        messages: u32,
        interval: Duration,
        phase: Duration,
    },
}

#[derive(Debug, Clone, Copy)]
pub struct VisitorSpec {
    pub index: usize,
    pub source: IpAddr,
    pub plan: VisitorPlan,
}

/// How long a chat may take to be connected, and the last answers to arrive.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(60);
const ANSWER_TIMEOUT: Duration = Duration::from_secs(15);

/// Run one visitor to its end. Failures are counted, not raised.
pub async fn run(spec: VisitorSpec, run: Arc<Run>) {
    if let VisitorPlan::Chat { start_at_us, .. } = spec.plan {
        tokio::time::sleep_until(Instant::from_std(stamp::instant_of(start_at_us))).await;
    }
    let ws = {
        let _permit = run.dials.acquire().await;
        wire::dial(
            &run.target.visitor_ws,
            run.target.addr,
            spec.source,
            &[(header::ORIGIN, run.target.origin.clone())],
        )
        .await
    };
    let ws = match ws {
        Ok(ws) => ws,
        Err(e) => {
            run.metrics.error(&format!("visitor_dial:{e}"));
            run.settle_visitor(spec.plan);
            return;
        }
    };
    run.metrics.connected();
    let mut visitor = ScriptedVisitor {
        ws,
        ids: RequestIds::default(),
        run: run.clone(),
        spec,
        stage: Stage::Hello,
        sent: 0,
        answered: 0,
        end_id: None,
        settled: false,
        early: Vec::new(),
    };
    visitor.serve().await;
    if !visitor.settled {
        run.settle_visitor(spec.plan);
    }
    run.metrics.disconnected();
}

/// Where a visitor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Hello,
    /// Idle visitors stay here.
    Idle,
    /// `chat.start` sent, waiting for an agent.
    Connecting,
    /// Connected; waiting for the go.
    Ready,
    Talking,
    /// `chat.end` sent.
    Ending,
    Done,
}

struct ScriptedVisitor {
    ws: Ws,
    ids: RequestIds,
    run: Arc<Run>,
    spec: VisitorSpec,
    stage: Stage,
    sent: u64,
    answered: u64,
    /// The id of the `chat.end` request, once sent.
    end_id: Option<u64>,
    /// Counted among the settled chats (connected, missed or failed).
    settled: bool,
    /// Frames that arrived while waiting for a reply, handled after it.
    early: Vec<String>,
}

impl ScriptedVisitor {
    fn plan(&self) -> (u32, Duration, Duration) {
        match self.spec.plan {
            VisitorPlan::Chat {
                messages,
                interval,
                phase,
                ..
            } => (messages, interval, phase),
            VisitorPlan::Idle => (0, Duration::ZERO, Duration::ZERO),
        }
    }

    fn settle(&mut self) {
        if !self.settled {
            self.settled = true;
            self.run.settle_visitor(self.spec.plan);
        }
    }

    async fn serve(&mut self) {
        let department = match self.hello().await {
            Ok(d) => d,
            Err(why) => {
                self.run.metrics.error(&why);
                let _ = self.ws.close(None).await;
                return;
            }
        };
        let heartbeat = Duration::from_secs(limits::HEARTBEAT_SECS);
        let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
        let run = self.run.clone();
        let stopped = run.stop.wait();
        tokio::pin!(stopped);
        let go = run.go.wait();
        tokio::pin!(go);
        let mut go_seen = false;
        // The next thing this visitor does on its own: give up connecting, send the next
        // message, give up waiting for answers.
        let action = tokio::time::sleep(Duration::from_secs(3600));
        tokio::pin!(action);

        match self.spec.plan {
            VisitorPlan::Idle => {
                self.stage = Stage::Idle;
                bump(&self.run.metrics.visitors_ready);
                self.settle();
            }
            VisitorPlan::Chat { .. } => {
                if let Err(why) = self.start_chat(&department).await {
                    self.run.metrics.error(&why);
                    return;
                }
                action.as_mut().reset(Instant::now() + CONNECT_TIMEOUT);
            }
        }

        loop {
            if self.stage == Stage::Done {
                break;
            }
            if self.stage == Stage::Ready && (go_seen || !self.run.together) {
                let (_, _, phase) = self.plan();
                self.stage = Stage::Talking;
                action.as_mut().reset(Instant::now() + phase);
            }
            tokio::select! {
                biased;
                frame = self.ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        let before = self.stage;
                        if let Err(why) = self.on_frame(text.as_str()).await {
                            self.run.metrics.error(&why);
                            return;
                        }
                        if before == Stage::Talking && self.stage == Stage::Talking {
                            self.maybe_finish(&mut action);
                        }
                    }
                    Some(Ok(Message::Close(_))) | None => {
                        if !self.run.stop.fired() {
                            self.run.metrics.error("visitor_closed_by_hub");
                        }
                        return;
                    }
                    Some(Err(_)) => {
                        self.run.metrics.error("visitor_connection_lost");
                        return;
                    }
                    Some(Ok(_)) => {}
                },
                _ = &mut stopped => break,
                _ = &mut go, if !go_seen => go_seen = true,
                _ = &mut action => {
                    if let Err(why) = self.on_action(&mut action).await {
                        self.run.metrics.error(&why);
                        return;
                    }
                }
                _ = ping.tick() => {
                    let id = self.ids.issue();
                    if self.ws.send(wire::request(id, &Ping {})).await.is_err() {
                        self.run.metrics.error("visitor_send_failed");
                        return;
                    }
                }
            }
        }
        let _ = self.ws.close(None).await;
    }

    /// `hello`; the department this visitor will ask for (round robin over the
    /// departments the widget is offered).
    async fn hello(&mut self) -> Result<String, String> {
        let hello = Hello {
            protocol: PROTOCOL_VERSION,
            token: None,
        };
        let welcome: Welcome = self.call_and_wait(&hello).await?;
        let names: Vec<&String> = welcome.departments.iter().map(|d| &d.name).collect();
        if names.is_empty() {
            return Err("visitor_no_departments".into());
        }
        Ok(names[self.spec.index % names.len()].clone())
    }

    /// Send a request and wait for its reply (a visitor gets no pushes before its chat
    /// starts), decoded as `C::Reply`.
    async fn call_and_wait<C: Call>(&mut self, call: &C) -> Result<C::Reply, String> {
        let id = self.ids.issue();
        self.send(wire::request(id, call)).await?;
        let deadline = Instant::now() + CONNECT_TIMEOUT;
        loop {
            let frame = tokio::time::timeout_at(deadline, self.ws.next())
                .await
                .map_err(|_| format!("visitor_{}_timeout", C::ACTION))?;
            let text = match frame {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(format!("visitor_closed_in_{}", C::ACTION)),
            };
            let Some(parsed) = Frame::parse(text.as_str()) else {
                continue;
            };
            if parsed.reply_id() != Some(id) {
                self.early.push(text.as_str().to_owned());
                continue;
            }
            if let Some(e) = parsed.error {
                return Err(format!("visitor_{}:{}", C::ACTION, wire::code_name(e.code)));
            }
            let reply: serde_json::Value = serde_json::from_str(text.as_str())
                .map_err(|_| format!("visitor_bad_{}_reply", C::ACTION))?;
            return serde_json::from_value(reply.get("ok").cloned().unwrap_or_default())
                .map_err(|_| format!("visitor_bad_{}_reply", C::ACTION));
        }
    }

    async fn send(&mut self, message: Message) -> Result<(), String> {
        self.ws
            .send(message)
            .await
            .map_err(|_| "visitor_send_failed".to_owned())
    }

    fn client_id(&mut self, kind: char) -> Option<ClientId> {
        self.sent += 1;
        ClientId::parse(format!(
            "{kind}{}-{}-{}",
            self.spec.index, self.run.nonce, self.sent
        ))
        .ok()
    }

    async fn start_chat(&mut self, department: &str) -> Result<(), String> {
        let client_id = ClientId::parse(format!("s{}-{}", self.spec.index, self.run.nonce))
            .map_err(|e| format!("visitor_client_id:{e}"))?;
        let sent_us = stamp::now_us();
        let start = ChatStart {
            client_id,
            survey: Survey {
                name: format!("Visitor {}", self.spec.index),
                email: None,
                question: stamp::stamped('q', sent_us, &self.run.nonce),
                department: department.to_owned(),
            },
            page_url: Some(format!("{}/pricing", self.run.target.origin_text)),
            user_agent: None,
        };
        self.run.metrics.chat_started(sent_us);
        self.stage = Stage::Connecting;
        let started: ChatStarted = self.call_and_wait(&start).await?;
        self.on_state(&started.state);
        for text in std::mem::take(&mut self.early) {
            self.on_frame(&text).await?;
        }
        Ok(())
    }

    fn on_state(&mut self, state: &VisitorChatState) {
        match (self.stage, state) {
            (Stage::Connecting, VisitorChatState::Connected { .. }) => {
                self.run.metrics.chat_connected(stamp::now_us());
                self.stage = Stage::Ready;
                self.settle();
            }
            (Stage::Connecting, VisitorChatState::Missed { .. }) => {
                bump(&self.run.metrics.chats_missed);
                self.stage = Stage::Done;
                self.settle();
            }
            (Stage::Ready | Stage::Talking, VisitorChatState::Ended { .. }) => {
                self.run.metrics.error("visitor_chat_ended_early");
                self.stage = Stage::Done;
            }
            (Stage::Connecting, VisitorChatState::Ended { .. }) => {
                self.run.metrics.error("visitor_chat_ended_unconnected");
                self.stage = Stage::Done;
                self.settle();
            }
            _ => {}
        }
    }

    async fn on_frame(&mut self, text: &str) -> Result<(), String> {
        let Some(frame) = Frame::parse(text) else {
            self.run.metrics.error("visitor_bad_frame");
            return Ok(());
        };
        if frame.re.is_some() {
            if let Some(e) = &frame.error {
                self.run
                    .metrics
                    .error(&format!("visitor:{}", wire::code_name(e.code)));
            }
            if self.stage == Stage::Ending && frame.reply_id() == self.end_id {
                bump(&self.run.metrics.chats_ended);
                self.stage = Stage::Done;
            }
            return Ok(());
        }
        match frame.push {
            Some("chat.event") => {
                let Some(push) = frame.data::<VisitorEventPush>() else {
                    self.run.metrics.error("visitor_bad_event");
                    return Ok(());
                };
                if push.event.kind == "message"
                    && push.event.from == Some("agent")
                    && let Some(('a', sent, _)) = push.event.text.as_deref().and_then(stamp::read)
                {
                    self.run.metrics.to_visitor(sent);
                    self.answered += 1;
                }
            }
            Some("chat.state") => {
                if let Some(push) = frame.data::<StatePush>() {
                    self.on_state(&push.state);
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// All messages sent and answered: end now instead of at the answer timeout.
    fn maybe_finish(&self, action: &mut std::pin::Pin<&mut tokio::time::Sleep>) {
        let (messages, _, _) = self.plan();
        if self.sent >= u64::from(messages) && self.answered >= self.sent {
            action.as_mut().reset(Instant::now());
        }
    }

    async fn on_action(
        &mut self,
        action: &mut std::pin::Pin<&mut tokio::time::Sleep>,
    ) -> Result<(), String> {
        let (messages, interval, _) = self.plan();
        match self.stage {
            Stage::Connecting => {
                self.settle();
                Err("visitor_not_connected".into())
            }
            Stage::Talking if self.sent < u64::from(messages) => {
                let client_id = self
                    .client_id('v')
                    .ok_or_else(|| "visitor_client_id".to_owned())?;
                let send = MessageSend {
                    client_id,
                    text: stamp::stamped('v', stamp::now_us(), &self.run.nonce),
                };
                let id = self.ids.issue();
                self.send(wire::request(id, &send)).await?;
                bump(&self.run.metrics.sent_by_visitors);
                let next = if self.sent < u64::from(messages) {
                    interval
                } else {
                    ANSWER_TIMEOUT
                };
                let at = action.deadline() + next;
                action.as_mut().reset(at);
                Ok(())
            }
            Stage::Talking => {
                if self.answered < self.sent {
                    self.run.metrics.error("visitor_answers_missing");
                }
                let id = self.ids.issue();
                self.run.metrics.chat_ending(stamp::now_us());
                self.send(wire::request(id, &ChatEnd {})).await?;
                self.end_id = Some(id);
                self.stage = Stage::Ending;
                action.as_mut().reset(Instant::now() + ANSWER_TIMEOUT);
                Ok(())
            }
            Stage::Ending => {
                self.stage = Stage::Done;
                Err("visitor_end_timeout".into())
            }
            _ => {
                action
                    .as_mut()
                    .reset(Instant::now() + Duration::from_secs(3600));
                Ok(())
            }
        }
    }
}
