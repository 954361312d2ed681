//! The agent protocol on `/v1/agent/ws` (bearer token in the `Authorization` header).
//!
//! The first request on a connection is [`Hello`]. Every request gets exactly one
//! reply. Durable pushes carry the next [`Seq`] of this agent's stream and can be
//! replayed with `hello.resume_after`; ephemeral pushes (typing, presence, alerts,
//! queue, closing) have no seq and are never replayed.

use serde::{Deserialize, Serialize};

use crate::ids::*;
use crate::model::*;

/// Opens the session. With `resume_after` the hub replays every durable push after
/// that seq, in order, right after its reply (`resume: resumed`), or says the client
/// must take a snapshot (`resume: snapshot_required`) when the log no longer reaches
/// back that far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Hello {
    pub protocol: u32,
    /// Free text naming the client and its version, for the hub's logs.
    #[serde(default)]
    pub client: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resume_after: Option<Seq>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ResumeOutcome {
    /// No `resume_after` was given: take a snapshot to start.
    Fresh,
    /// The missed pushes follow this reply, then live ones.
    Resumed,
    /// The log does not reach back; call `sync.snapshot`.
    SnapshotRequired,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Welcome {
    pub agent: AgentInfo,
    /// The agent's status on the hub. A new connection never raises it to online on its
    /// own: after a drop an online agent comes back `away`, and the client decides
    /// whether to set `online` again.
    pub status: AgentStatus,
    /// The newest seq in this agent's stream.
    pub last_seq: Seq,
    pub resume: ResumeOutcome,
    #[ts(type = "number")]
    pub heartbeat_secs: u64,
    #[ts(type = "number")]
    pub idle_timeout_secs: u64,
    /// The hub's clock at the time of the reply, for showing waiting times.
    pub server_time: Timestamp,
}

/// Heartbeat. The reply is `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct Ping {}

/// An empty reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct Done {}

/// The whole state an agent needs to start from; pushes with seq > `seq` follow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct SyncSnapshot {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Snapshot {
    pub seq: Seq,
    pub status: AgentStatus,
    /// Offers open to this agent.
    #[serde(default)]
    pub offers: Vec<Offer>,
    /// Chats the agent holds: active, and ended with a wrap-up still owed. Fetch
    /// their events with `chat.events` after the last id the client holds.
    #[serde(default)]
    pub chats: Vec<ChatSummary>,
    /// Waiting chats of the agent's departments.
    #[serde(default)]
    pub queue: Vec<QueueEntry>,
    /// Missed chats of the agent's departments that are open or claimed, and those
    /// replied or closed within the last 7 days.
    #[serde(default)]
    pub missed: Vec<MissedChat>,
    #[serde(default)]
    pub departments: Vec<DepartmentInfo>,
    pub server_time: Timestamp,
}

/// A chat's events after `after` (all of them when absent), oldest first, at most
/// `limit` (default and maximum 500). Allowed for chats the agent holds or held, is
/// offered, or may see through its departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatEvents {
    pub chat_id: ChatId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<EventId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct EventPage {
    pub events: Vec<ChatEvent>,
    /// More events follow the last one given.
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatusSet {
    pub status: AgentStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatusReply {
    pub status: AgentStatus,
}

/// Accept an offer (new chat or transfer). Accepting an offer this agent already
/// accepted answers as the first time did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfferAccept {
    pub offer_id: OfferId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Accepted {
    pub chat: ChatSummary,
    pub events: Vec<ChatEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfferDecline {
    pub offer_id: OfferId,
}

/// Send a message in a chat the agent holds. Acknowledged once stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MessageSend {
    pub client_id: ClientId,
    pub chat_id: ChatId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MessageSent {
    pub event: ChatEvent,
}

/// The agent started or stopped typing. Ephemeral; the reply is `{}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TypingSet {
    pub chat_id: ChatId,
    pub typing: bool,
}

/// End a chat the agent holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatEnd {
    pub client_id: ClientId,
    pub chat_id: ChatId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatEnded {
    pub chat: ChatSummary,
}

/// The agent's open chats (active, or ended with a wrap-up owed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct ChatList {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Chats {
    pub chats: Vec<ChatSummary>,
}

/// A whole transcript: any chat the agent took part in, or of one of its departments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TranscriptGet {
    pub chat_id: ChatId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Transcript {
    pub chat: ChatSummary,
    pub events: Vec<ChatEvent>,
}

/// Earlier chats of the visitor of `chat_id` (matched by email address), newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct VisitorHistory {
    pub chat_id: ChatId,
}

/// Chats the agent may read, newest first, for filling a history cache: those ended
/// before `before` (all when absent), at most `limit` (default and maximum 100).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct HistoryList {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub before: Option<ChatId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
}

/// A page of history, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct HistoryPage {
    pub chats: Vec<ChatSummary>,
    /// Older chats follow the last one given: ask again with `before` = its id.
    pub more: bool,
}

/// The queues of the agent's departments (as in the snapshot). Queue changes are
/// ephemeral pushes, so a client that resumed asks for this once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct QueueList {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Queue {
    pub entries: Vec<QueueEntry>,
}

/// Hand a chat to another agent (who gets an offer) or to a department (routed again).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatTransfer {
    pub client_id: ClientId,
    pub chat_id: ChatId,
    pub to: TransferTo,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum TransferTo {
    Agent { id: AgentId },
    Department { id: DepartmentId },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TransferStarted {
    pub chat_id: ChatId,
    /// The offer made to the receiving agent (transfers to an agent only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offer_id: Option<OfferId>,
}

/// Agents and departments a chat can be transferred to, with availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct TransferTargets {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Targets {
    pub agents: Vec<AgentAvailability>,
    pub departments: Vec<DepartmentAvailability>,
}

/// Wrap up an ended chat. Replaces an earlier wrap-up of the same chat.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WrapUpSubmit {
    pub client_id: ClientId,
    pub chat_id: ChatId,
    pub wrap_up: WrapUp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct WrappedUp {
    pub chat: ChatSummary,
}

/// Canned responses this agent may use: its own and its departments'.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct CannedList {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CannedResponses {
    pub responses: Vec<CannedResponse>,
}

/// Create (no `id`) or change a canned response. Agents manage their personal ones;
/// department ones need the admin role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CannedSave {
    pub client_id: ClientId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<CannedId>,
    pub scope: CannedScope,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department_id: Option<DepartmentId>,
    pub shortcut: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CannedSaved {
    pub response: CannedResponse,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct CannedDelete {
    pub id: CannedId,
}

/// The missed-chats list of the agent's departments (as in the snapshot).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default, ts_rs::TS)]
pub struct MissedList {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedChats {
    pub missed: Vec<MissedChat>,
}

/// Claim a missed chat so nobody else answers it. `conflict` if another agent holds
/// it; claiming one's own claim again extends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedClaim {
    pub missed_id: MissedChatId,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedUpdated {
    pub missed: MissedChat,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedRelease {
    pub missed_id: MissedChatId,
}

/// Reply by email to a missed chat the agent has claimed. The hub queues the email
/// durably and records the reply in the transcript; delivery progress arrives as
/// `missed.updated` pushes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedReply {
    pub client_id: ClientId,
    pub missed_id: MissedChatId,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedClose {
    pub missed_id: MissedChatId,
}

crate::requests! {
    /// Every request of the agent protocol.
    pub enum AgentRequest {
        "hello" => Hello(Hello) -> Welcome,
        "ping" => Ping(Ping) -> Done,
        "sync.snapshot" => SyncSnapshot(SyncSnapshot) -> Snapshot,
        "chat.events" => ChatEvents(ChatEvents) -> EventPage,
        "status.set" => StatusSet(StatusSet) -> StatusReply,
        "offer.accept" => OfferAccept(OfferAccept) -> Accepted,
        "offer.decline" => OfferDecline(OfferDecline) -> Done,
        "message.send" => MessageSend(MessageSend) -> MessageSent,
        "typing.set" => TypingSet(TypingSet) -> Done,
        "chat.end" => ChatEnd(ChatEnd) -> ChatEnded,
        "chat.list" => ChatList(ChatList) -> Chats,
        "chat.transfer" => ChatTransfer(ChatTransfer) -> TransferStarted,
        "transcript.get" => TranscriptGet(TranscriptGet) -> Transcript,
        "visitor.history" => VisitorHistory(VisitorHistory) -> Chats,
        "history.list" => HistoryList(HistoryList) -> HistoryPage,
        "queue.list" => QueueList(QueueList) -> Queue,
        "transfer.targets" => TransferTargets(TransferTargets) -> Targets,
        "wrapup.submit" => WrapUpSubmit(WrapUpSubmit) -> WrappedUp,
        "canned.list" => CannedList(CannedList) -> CannedResponses,
        "canned.save" => CannedSave(CannedSave) -> CannedSaved,
        "canned.delete" => CannedDelete(CannedDelete) -> Done,
        "missed.list" => MissedList(MissedList) -> MissedChats,
        "missed.claim" => MissedClaim(MissedClaim) -> MissedUpdated,
        "missed.release" => MissedRelease(MissedRelease) -> MissedUpdated,
        "missed.reply" => MissedReply(MissedReply) -> MissedUpdated,
        "missed.close" => MissedClose(MissedClose) -> MissedUpdated,
    }
}

// ---- pushes ----

/// A chat offered to this agent. Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfferNew {
    pub offer: Offer,
}

/// An offer to this agent is over. Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct OfferClosed {
    pub offer_id: OfferId,
    pub chat_id: ChatId,
    pub reason: OfferEnd,
}

/// A chat became this agent's (accepted offer or transfer). Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatAssigned {
    pub chat: ChatSummary,
    pub events: Vec<ChatEvent>,
}

/// A new event in a chat this agent holds. Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatEventPush {
    pub event: ChatEvent,
}

/// A held chat's summary changed (ended, wrap-up state, ...). Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatUpdated {
    pub chat: ChatSummary,
}

/// A chat left this agent (transferred away, wrapped up, re-routed). Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ChatReleased {
    pub chat_id: ChatId,
    pub reason: ReleaseReason,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseReason {
    /// Another agent accepted the transfer.
    Transferred,
    /// The wrap-up is done (or was not needed, or expired).
    WrappedUp,
    /// The agent was gone past the grace period; the chat went to someone else.
    Rerouted,
    #[serde(other)]
    Other,
}

/// A transfer this agent started came back: declined or not answered. Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TransferReturned {
    pub chat_id: ChatId,
    pub to: AgentRef,
    pub reason: OfferEnd,
}

/// A missed chat of the agent's departments appeared or changed. Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct MissedPush {
    pub missed: MissedChat,
}

/// The hub changed this agent's status (for example: set away after offers timed
/// out). Durable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct StatusChanged {
    pub status: AgentStatus,
    #[serde(default)]
    pub reason: String,
}

/// Someone in a held chat is typing. `preview` is what the visitor has typed so far
/// (never sent for agents). Ephemeral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct TypingPush {
    pub chat_id: ChatId,
    pub party: Party,
    pub typing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preview: Option<String>,
}

/// A waiting-time alert on a chat the agent holds or is offered. Ephemeral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct AlertPush {
    pub chat_id: ChatId,
    pub kind: AlertKind,
    /// Since when the visitor has been waiting.
    pub since: Timestamp,
    #[ts(type = "number")]
    pub waited_secs: u64,
}

/// A department's queue changed. Ephemeral; the snapshot has the full queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct QueueUpdated {
    pub department: DepartmentRef,
    pub entries: Vec<QueueEntry>,
}

/// Another agent's availability changed. Ephemeral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PresencePush {
    pub agent: AgentAvailability,
}

/// The hub is about to close this connection. Ephemeral; a WebSocket close frame with
/// [`CloseReason::close_code`] follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct Closing {
    pub reason: CloseReason,
    pub reconnect: bool,
    #[serde(default)]
    pub message: String,
}

crate::pushes! {
    /// Every push of the agent protocol.
    pub enum AgentPush {
        "offer.new" => OfferNew(OfferNew),
        "offer.closed" => OfferClosed(OfferClosed),
        "chat.assigned" => ChatAssigned(ChatAssigned),
        "chat.event" => ChatEvent(ChatEventPush),
        "chat.updated" => ChatUpdated(ChatUpdated),
        "chat.released" => ChatReleased(ChatReleased),
        "transfer.returned" => TransferReturned(TransferReturned),
        "missed.new" => MissedNew(MissedPush),
        "missed.updated" => MissedUpdated(MissedPush),
        "status.changed" => StatusChanged(StatusChanged),
        "typing" => Typing(TypingPush),
        "alert" => Alert(AlertPush),
        "queue.updated" => QueueUpdated(QueueUpdated),
        "presence" => Presence(PresencePush),
        "session.closing" => Closing(Closing),
    }
}

impl AgentPush {
    /// Durable pushes take a seq and are replayed on resume; the rest are ephemeral.
    pub fn is_durable(&self) -> bool {
        !matches!(
            self,
            AgentPush::Typing(_)
                | AgentPush::Alert(_)
                | AgentPush::QueueUpdated(_)
                | AgentPush::Presence(_)
                | AgentPush::Closing(_)
        )
    }
}
