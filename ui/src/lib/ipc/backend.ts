// The console's only view of the desktop app's Rust side. Components receive a Backend
// and never import @tauri-apps/* themselves, so they also run in a plain browser and in
// component tests against FakeBackend.
//
// Every method maps to exactly one Tauri command, named in its comment (`noun_verb`);
// arguments cross as camelCase keys (Tauri maps them to the Rust parameters' snake_case
// names). The data types are generated from Rust (./bindings, ts-rs): never hand-write a
// type that Rust sends. Every rejection is a BackendError `{ code, message }`.
import type { AgentStatus } from './bindings/AgentStatus';
import type { CachedTranscript } from './bindings/CachedTranscript';
import type { CannedId } from './bindings/CannedId';
import type { CannedResponse } from './bindings/CannedResponse';
import type { CannedScope } from './bindings/CannedScope';
import type { ChatId } from './bindings/ChatId';
import type { ChatSummary } from './bindings/ChatSummary';
import type { ClientId } from './bindings/ClientId';
import type { Console } from './bindings/Console';
import type { ConsoleUpdate } from './bindings/ConsoleUpdate';
import type { DepartmentId } from './bindings/DepartmentId';
import type { HistoryEntry } from './bindings/HistoryEntry';
import type { MissedChat } from './bindings/MissedChat';
import type { MissedChatId } from './bindings/MissedChatId';
import type { NotificationAction } from './bindings/NotificationAction';
import type { OfferId } from './bindings/OfferId';
import type { Remembered } from './bindings/Remembered';
import type { SearchHit } from './bindings/SearchHit';
import type { SessionInfo } from './bindings/SessionInfo';
import type { Targets } from './bindings/Targets';
import type { TransferTo } from './bindings/TransferTo';
import type { WrapUp } from './bindings/WrapUp';

/** What the app says about itself (answer of the `app_info` command). */
export interface AppInfo {
  name: string;
  version: string;
}

/**
 * An error crossing from Rust, shaped `{ code, message }` so the UI can branch on `code`
 * and show `message` to the agent.
 */
export interface BackendError {
  code: string;
  message: string;
}

export interface SignInRequest {
  hubUrl: string;
  email: string;
  password: string;
  /** Keep the session in the OS credential store so the next start signs in by itself. */
  remember: boolean;
}

export interface SignedIn {
  session: SessionInfo;
  /** What became of the token (stored, not requested, or no credential store). */
  remembered: Remembered;
}

/** The console as it is now, and the end of its stream of changes. */
export interface ConsoleSubscription {
  console: Console;
  /** Stop receiving updates (on sign-out or unmount). */
  close(): void;
}

/**
 * Something the app (not the hub) asks the console to do: the agent clicked a
 * notification or one of its buttons, or picked an item of the tray menu.
 */
export type AppEvent =
  | { type: 'notification'; action: NotificationAction }
  | { type: 'tray_status'; status: AgentStatus }
  | { type: 'show_offers' };

/** Where the agent's eyes are, so the core knows what deserves an OS notification. */
export interface Attention {
  /** The app's window has the focus. */
  focused: boolean;
  /** The chat whose transcript is on screen, if any. */
  chatInView: ChatId | null;
}

export interface CannedDraft {
  /** Absent to create one. */
  id?: CannedId;
  scope: CannedScope;
  /** For department responses (admins only). */
  departmentId?: DepartmentId;
  shortcut: string;
  text: string;
}

export interface Backend {
  /** `app_info` */
  appInfo(): Promise<AppInfo>;

  // ---- session ----
  /** `session_restore`: sign in from the credential store at start; null when nothing is stored. */
  sessionRestore(): Promise<SessionInfo | null>;
  /** `session_sign_in` */
  signIn(request: SignInRequest): Promise<SignedIn>;
  /** `session_sign_out`: revokes the token, forgets it, and stops the connection. */
  signOut(): Promise<void>;

  // ---- the console model ----
  /**
   * `console_subscribe`: the current console and, through a Tauri Channel, every
   * change after it (numbered; a gap never happens, a lagging subscriber gets a reset).
   */
  consoleSubscribe(onUpdate: (update: ConsoleUpdate) => void): Promise<ConsoleSubscription>;
  /** App events (Tauri event `app-event`). Returns the unsubscribe function. */
  onAppEvent(handler: (event: AppEvent) => void): () => void;
  /** `attention_set` */
  attentionSet(attention: Attention): Promise<void>;
  /** `status_set`: online / away / offline; answers the status the hub confirmed. */
  statusSet(status: AgentStatus): Promise<AgentStatus>;
  /** `connection_retry`: try to reconnect now instead of waiting for the next attempt. */
  connectionRetry(): Promise<void>;

  // ---- offers ----
  /** `offer_accept` */
  offerAccept(offerId: OfferId): Promise<void>;
  /** `offer_decline` */
  offerDecline(offerId: OfferId): Promise<void>;

  // ---- chats (commands marked outbox return the client id of the queued command) ----
  /** `message_send` (outbox) */
  messageSend(chatId: ChatId, text: string): Promise<ClientId>;
  /** `typing_set` */
  typingSet(chatId: ChatId, typing: boolean): Promise<void>;
  /** `chat_end` (outbox) */
  chatEnd(chatId: ChatId): Promise<ClientId>;
  /** `wrapup_submit` (outbox); an empty outcome skips an optional wrap-up. */
  wrapUpSubmit(chatId: ChatId, wrapUp: WrapUp): Promise<ClientId>;
  /** `transfer_targets` */
  transferTargets(): Promise<Targets>;
  /** `chat_transfer` (outbox) */
  chatTransfer(chatId: ChatId, to: TransferTo, note: string): Promise<ClientId>;
  /** `outbox_retry`: send a failed command again. */
  outboxRetry(clientId: ClientId): Promise<void>;
  /** `outbox_discard`: drop a pending or failed command. */
  outboxDiscard(clientId: ClientId): Promise<void>;

  // ---- canned responses ----
  /** `canned_list` (works offline from the cache) */
  cannedList(): Promise<CannedResponse[]>;
  /** `canned_fill`: the response's text with {visitor_name}, {agent_name}, {department} filled for that chat. */
  cannedFill(responseId: CannedId, chatId: ChatId): Promise<string>;
  /** `canned_save` */
  cannedSave(draft: CannedDraft): Promise<CannedResponse>;
  /** `canned_delete` */
  cannedDelete(id: CannedId): Promise<void>;

  // ---- missed chats ----
  /** `missed_claim` */
  missedClaim(missedId: MissedChatId): Promise<MissedChat>;
  /** `missed_release` */
  missedRelease(missedId: MissedChatId): Promise<MissedChat>;
  /** `missed_close` */
  missedClose(missedId: MissedChatId): Promise<MissedChat>;
  /** `missed_reply` (outbox): an email reply to the visitor. */
  missedReply(missedId: MissedChatId, text: string): Promise<ClientId>;

  // ---- history (from the local cache: works with no connection) ----
  /** `history_list`: ended chats, newest first, before `before`. */
  historyList(before: ChatId | null, limit: number): Promise<HistoryEntry[]>;
  /** `history_search`: full-text search over cached transcripts. */
  historySearch(query: string, limit: number): Promise<SearchHit[]>;
  /** `history_sync`: fetch older transcripts from the hub into the cache; answers how many arrived. */
  historySync(): Promise<number>;
  /** `transcript_get`: from the cache, fetched from the hub when missing and reachable. */
  transcriptGet(chatId: ChatId): Promise<CachedTranscript>;
  /** `visitor_history`: the visitor's earlier chats. */
  visitorHistory(chatId: ChatId): Promise<ChatSummary[]>;

  // ---- the desktop ----
  /** `link_open`: open an http, https or mailto link in the system's browser or mail app. */
  linkOpen(url: string): Promise<void>;
}

export function isBackendError(value: unknown): value is BackendError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)['code'] === 'string' &&
    typeof (value as Record<string, unknown>)['message'] === 'string'
  );
}

/** Any rejection as a BackendError, keeping the code when the Rust side sent one. */
export function toBackendError(value: unknown): BackendError {
  if (isBackendError(value)) {
    return { code: value.code, message: value.message };
  }
  if (typeof value === 'string') {
    return { code: 'internal', message: value };
  }
  if (value instanceof Error) {
    return { code: 'internal', message: value.message };
  }
  return { code: 'internal', message: 'Something went wrong inside the app.' };
}
