// An in-memory Backend for component tests and for running the console in a plain
// browser (npm run dev) without the desktop app. It keeps a Console with the same
// reducer the UI uses, numbers every change like the client core, and plays the hub:
// outbox items are acknowledged one at a time while online, wrap-ups and transfers
// follow the protocol's rules. Methods below "test hooks" let a test (or the demo
// script) be the visitor, the network and the other agents.
import { applyChange, emptyConsole } from '../console/reducer';
import type {
  AppEvent,
  AppInfo,
  Attention,
  Backend,
  BackendError,
  CannedDraft,
  ConsoleSubscription,
  SignInRequest,
  SignedIn,
} from './backend';
import type { AgentAvailability } from './bindings/AgentAvailability';
import type { AgentRef } from './bindings/AgentRef';
import type { AgentStatus } from './bindings/AgentStatus';
import type { CachedTranscript } from './bindings/CachedTranscript';
import type { CannedId } from './bindings/CannedId';
import type { CannedResponse } from './bindings/CannedResponse';
import type { ChatEvent } from './bindings/ChatEvent';
import type { ChatId } from './bindings/ChatId';
import type { ChatSummary } from './bindings/ChatSummary';
import type { ClientId } from './bindings/ClientId';
import type { ConnectionState } from './bindings/ConnectionState';
import type { Console } from './bindings/Console';
import type { ConsoleChange } from './bindings/ConsoleChange';
import type { ConsoleUpdate } from './bindings/ConsoleUpdate';
import type { EmailDelivery } from './bindings/EmailDelivery';
import type { HistoryEntry } from './bindings/HistoryEntry';
import type { MissedChat } from './bindings/MissedChat';
import type { MissedChatId } from './bindings/MissedChatId';
import type { Offer } from './bindings/Offer';
import type { OfferId } from './bindings/OfferId';
import type { OutboxCommand } from './bindings/OutboxCommand';
import type { OutboxItem } from './bindings/OutboxItem';
import type { QueueEntry } from './bindings/QueueEntry';
import type { SearchHit } from './bindings/SearchHit';
import type { SessionInfo } from './bindings/SessionInfo';
import type { SnippetPart } from './bindings/SnippetPart';
import type { Targets } from './bindings/Targets';
import type { TransferTo } from './bindings/TransferTo';
import type { WrapUp } from './bindings/WrapUp';
import {
  agentAuthor,
  chatSummary,
  iso,
  messageEvent,
  missedChatOf,
  offerOf,
  visitorAuthor,
  visitorInfo,
} from './fake-data';
import { quietWorld, type FakeWorld } from './fake-world';

export interface FakeBackendOptions {
  appInfo?: AppInfo;
  /** The fake hub's clock (milliseconds); the wall clock by default. */
  now?: () => number;
  /** What the hub holds once signed in; a quiet day by default. */
  world?: (now: number) => FakeWorld;
  /** A session is in the credential store, so `sessionRestore` signs in at start. */
  remembered?: boolean;
  /** Whether this computer has a credential store for "keep me signed in". */
  credentialStore?: boolean;
  /** The only password the hub accepts; without one any password but "wrong" works. */
  password?: string;
  /**
   * How long the hub takes to acknowledge an outbox item. `null` (the default): only
   * `flushOutbox()` delivers, so a test sees the pending state for as long as it likes.
   */
  deliveryDelayMs?: number | null;
  /** How long every answer takes (for the demo's feel); 0 by default. */
  latencyMs?: number;
}

/** One call the console made, for tests to assert on. */
export interface FakeCall {
  method: keyof Backend;
  args: unknown[];
}

interface PendingTransfer {
  to: TransferTo;
  note: string;
}

const CLAIM_MINUTES = 15;

export class FakeBackend implements Backend {
  readonly #appInfo: AppInfo;
  readonly #now: () => number;
  readonly #makeWorld: (now: number) => FakeWorld;
  readonly #credentialStore: boolean;
  readonly #password: string | undefined;
  readonly #deliveryDelayMs: number | null;
  readonly #latencyMs: number;

  #remembered: boolean;
  #session: SessionInfo | null = null;
  #console: Console = emptyConsole();
  #world: FakeWorld = quietWorld();
  #subscribers = new Set<(update: ConsoleUpdate) => void>();
  #publishListeners = new Set<(change: ConsoleChange) => void>();
  #appHandlers = new Set<(event: AppEvent) => void>();
  #failures = new Map<keyof Backend, BackendError[]>();
  #outboxFailures: BackendError[] = [];
  #transfers = new Map<ChatId, PendingTransfer>();
  #deliveryTimer: ReturnType<typeof setTimeout> | null = null;
  #nextEventId = 1;
  #nextClientId = 1;
  #nextOfferId = 1;
  #nextChatId = 1;
  #nextMissedId = 1;
  #nextEmailId = 1;
  #nextCannedId = 1;
  #position = 0;

  /** Every call the console made, oldest first. */
  readonly calls: FakeCall[] = [];
  /** The last attention the console reported. */
  attention: Attention | null = null;

  constructor(options: FakeBackendOptions = {}) {
    this.#appInfo = options.appInfo ?? { name: 'Switchboard', version: '0.0.0-browser' };
    this.#now = options.now ?? (() => Date.now());
    this.#makeWorld = options.world ?? (() => quietWorld());
    this.#remembered = options.remembered ?? false;
    this.#credentialStore = options.credentialStore ?? true;
    this.#password = options.password;
    this.#deliveryDelayMs = options.deliveryDelayMs ?? null;
    this.#latencyMs = options.latencyMs ?? 0;
  }

  // ---- Backend ----

  appInfo(): Promise<AppInfo> {
    return this.#answer('appInfo', [], () => ({ ...this.#appInfo }));
  }

  sessionRestore(): Promise<SessionInfo | null> {
    return this.#answer('sessionRestore', [], () => {
      if (!this.#remembered) return null;
      return this.#startSession('https://chat.acme.example', 'sam@acme.example');
    });
  }

  signIn(request: SignInRequest): Promise<SignedIn> {
    return this.#answer('signIn', [{ ...request, password: '(hidden)' }], () => {
      let host = '';
      try {
        host = new URL(request.hubUrl).hostname;
      } catch {
        throw this.#error('invalid_hub_url', `invalid hub URL: ${request.hubUrl}`);
      }
      if (host.startsWith('unreachable') || host.endsWith('.invalid')) {
        throw this.#error('network', `cannot reach the hub: connection refused by ${host}`);
      }
      const accepted =
        this.#password === undefined
          ? request.password !== 'wrong'
          : request.password === this.#password;
      if (!accepted) {
        throw this.#error('sign_in_refused', 'sign-in refused: wrong email or password');
      }
      const session = this.#startSession(request.hubUrl, request.email);
      let remembered: SignedIn['remembered'];
      if (!request.remember) {
        remembered = { state: 'not_requested' };
      } else if (!this.#credentialStore) {
        remembered = {
          state: 'unavailable',
          reason: 'no Secret Service is running on this desktop',
        };
      } else {
        this.#remembered = true;
        remembered = { state: 'stored' };
      }
      return { session, remembered };
    });
  }

  signOut(): Promise<void> {
    return this.#answer('signOut', [], () => {
      this.#remembered = false;
      this.#publish({ type: 'connection', state: { state: 'signed_out', reason: 'signed out' } });
      this.#session = null;
      this.#subscribers.clear();
      this.#stopDelivery();
    });
  }

  consoleSubscribe(onUpdate: (update: ConsoleUpdate) => void): Promise<ConsoleSubscription> {
    return this.#answer('consoleSubscribe', [], () => {
      if (this.#session === null) throw this.#error('signed_out', 'signed out: sign in first');
      this.#subscribers.add(onUpdate);
      return {
        console: this.#console,
        close: () => {
          this.#subscribers.delete(onUpdate);
        },
      };
    });
  }

  onAppEvent(handler: (event: AppEvent) => void): () => void {
    this.#appHandlers.add(handler);
    return () => {
      this.#appHandlers.delete(handler);
    };
  }

  attentionSet(attention: Attention): Promise<void> {
    return this.#answer('attentionSet', [attention], () => {
      this.attention = { ...attention };
    });
  }

  statusSet(status: AgentStatus): Promise<AgentStatus> {
    return this.#answer('statusSet', [status], () => {
      this.#requireOnline();
      this.#publish({ type: 'status', status });
      return status;
    });
  }

  connectionRetry(): Promise<void> {
    return this.#answer('connectionRetry', [], () => {
      const state = this.#console.connection.state;
      if (state === 'signed_out') throw this.#error('signed_out', 'signed out: sign in again');
      if (state !== 'online') this.setConnection({ state: 'online' });
    });
  }

  offerAccept(offerId: OfferId): Promise<void> {
    return this.#answer('offerAccept', [offerId], () => {
      this.#requireOnline();
      const offer = this.#console.offers.find((o) => o.id === offerId);
      if (offer === undefined) {
        throw this.#error('not_found', 'This offer is no longer open.');
      }
      const me = this.#me();
      const now = iso(this.#now());
      const joined: ChatEvent = {
        id: this.#eventId(),
        chat_id: offer.chat.id,
        at: now,
        type: 'joined',
        agent: me,
      };
      const events = [...offer.events, joined];
      this.#publish(
        {
          type: 'chat_opened',
          chat: {
            chat: {
              ...offer.chat,
              state: 'active',
              agent: me,
              accepted_at: now,
              last_event_id: joined.id,
            },
            events,
            visitor_typing: false,
          },
        },
        { type: 'offer_removed', offer_id: offer.id, chat_id: offer.chat.id, reason: 'accepted' },
      );
      this.#world.queue = this.#world.queue.filter((q) => q.chat_id !== offer.chat.id);
    });
  }

  offerDecline(offerId: OfferId): Promise<void> {
    return this.#answer('offerDecline', [offerId], () => {
      const offer = this.#console.offers.find((o) => o.id === offerId);
      if (offer === undefined) throw this.#error('not_found', 'This offer is no longer open.');
      this.#publish({
        type: 'offer_removed',
        offer_id: offer.id,
        chat_id: offer.chat.id,
        reason: 'declined',
      });
    });
  }

  messageSend(chatId: ChatId, text: string): Promise<ClientId> {
    return this.#answer('messageSend', [chatId, text], () => {
      const chat = this.#openChat(chatId);
      if (chat.chat.state !== 'active') {
        throw this.#error('invalid_state', 'This chat has ended; messages can no longer be sent.');
      }
      if (text.trim() === '') throw this.#error('invalid_input', 'invalid input: empty message');
      if ([...text].length > 4000) {
        throw this.#error('invalid_input', 'invalid input: a message has at most 4000 characters');
      }
      return this.#enqueue({ kind: 'message', chat_id: chatId, text });
    });
  }

  typingSet(chatId: ChatId, typing: boolean): Promise<void> {
    return this.#answer('typingSet', [chatId, typing], () => undefined);
  }

  chatEnd(chatId: ChatId): Promise<ClientId> {
    return this.#answer('chatEnd', [chatId], () => {
      this.#openChat(chatId);
      return this.#enqueue({ kind: 'chat_end', chat_id: chatId });
    });
  }

  wrapUpSubmit(chatId: ChatId, wrapUp: WrapUp): Promise<ClientId> {
    return this.#answer('wrapUpSubmit', [chatId, wrapUp], () => {
      this.#openChat(chatId);
      return this.#enqueue({ kind: 'wrap_up', chat_id: chatId, wrap_up: wrapUp });
    });
  }

  transferTargets(): Promise<Targets> {
    return this.#answer('transferTargets', [], () => {
      this.#requireOnline();
      return {
        agents: this.#world.agents.map((a) => ({ ...a })),
        departments: this.#world.targets.map((d) => ({ ...d })),
      };
    });
  }

  chatTransfer(chatId: ChatId, to: TransferTo, note: string): Promise<ClientId> {
    return this.#answer('chatTransfer', [chatId, to, note], () => {
      this.#openChat(chatId);
      return this.#enqueue({ kind: 'transfer', chat_id: chatId, to, note });
    });
  }

  outboxRetry(clientId: ClientId): Promise<void> {
    return this.#answer('outboxRetry', [clientId], () => {
      const item = this.#console.outbox.find((i) => i.client_id === clientId);
      if (item === undefined) throw this.#error('local_not_found', 'not found: outbox item');
      this.#publish({ type: 'outbox_updated', item: { ...item, state: { state: 'pending' } } });
      this.#scheduleDelivery();
    });
  }

  outboxDiscard(clientId: ClientId): Promise<void> {
    return this.#answer('outboxDiscard', [clientId], () => {
      this.#publish({ type: 'outbox_removed', client_id: clientId });
    });
  }

  cannedList(): Promise<CannedResponse[]> {
    return this.#answer('cannedList', [], () => this.#world.canned.map((c) => ({ ...c })));
  }

  cannedFill(responseId: CannedId, chatId: ChatId): Promise<string> {
    return this.#answer('cannedFill', [responseId, chatId], () => {
      const response = this.#world.canned.find((c) => c.id === responseId);
      if (response === undefined) throw this.#error('local_not_found', 'not found: response');
      const chat = this.#openChat(chatId);
      const vars: Record<string, string> = {
        visitor_name: chat.chat.visitor.name,
        agent_name: this.#me().name,
        department: chat.chat.department.name,
      };
      return response.text.replace(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all);
    });
  }

  cannedSave(draft: CannedDraft): Promise<CannedResponse> {
    return this.#answer('cannedSave', [draft], () => {
      const saved: CannedResponse = {
        id: draft.id ?? this.#nextCannedId++,
        scope: draft.scope,
        shortcut: draft.shortcut,
        text: draft.text,
      };
      if (draft.scope === 'personal') saved.owner = this.#me().id;
      this.#world.canned = [...this.#world.canned.filter((c) => c.id !== saved.id), saved];
      return saved;
    });
  }

  cannedDelete(id: CannedId): Promise<void> {
    return this.#answer('cannedDelete', [id], () => {
      this.#world.canned = this.#world.canned.filter((c) => c.id !== id);
    });
  }

  missedClaim(missedId: MissedChatId): Promise<MissedChat> {
    return this.#answer('missedClaim', [missedId], () => {
      this.#requireOnline();
      const missed = this.#missed(missedId);
      const me = this.#me();
      if (missed.state === 'closed') throw this.#error('invalid_state', 'This missed chat is closed.');
      if (missed.state === 'claimed' && missed.claimed_by && missed.claimed_by.id !== me.id) {
        throw this.#error('conflict', `${missed.claimed_by.name} is answering this visitor.`);
      }
      return this.#updateMissed({
        ...missed,
        state: 'claimed',
        claimed_by: me,
        claim_expires_at: iso(this.#now() + CLAIM_MINUTES * 60_000),
      });
    });
  }

  missedRelease(missedId: MissedChatId): Promise<MissedChat> {
    return this.#answer('missedRelease', [missedId], () => {
      this.#requireOnline();
      const missed = this.#missed(missedId);
      const released: MissedChat = {
        ...missed,
        state: missed.replies.length > 0 ? 'replied' : 'open',
        claimed_by: null,
        claim_expires_at: null,
      };
      return this.#updateMissed(released);
    });
  }

  missedClose(missedId: MissedChatId): Promise<MissedChat> {
    return this.#answer('missedClose', [missedId], () => {
      this.#requireOnline();
      const missed = this.#missed(missedId);
      if (missed.state === 'closed') throw this.#error('invalid_state', 'Already closed.');
      return this.#updateMissed({ ...missed, state: 'closed', claim_expires_at: null });
    });
  }

  missedReply(missedId: MissedChatId, text: string): Promise<ClientId> {
    return this.#answer('missedReply', [missedId, text], () => {
      const missed = this.#missed(missedId);
      if (!missed.answerable) {
        throw this.#error('invalid_state', 'The visitor left no email address to reply to.');
      }
      if (text.trim() === '') throw this.#error('invalid_input', 'invalid input: empty reply');
      return this.#enqueue({ kind: 'missed_reply', missed_id: missedId, text });
    });
  }

  historyList(before: ChatId | null, limit: number): Promise<HistoryEntry[]> {
    return this.#answer('historyList', [before, limit], () =>
      [...this.#world.history]
        .sort((a, b) => b.chat.id - a.chat.id)
        .filter((t) => before === null || t.chat.id < before)
        .slice(0, limit)
        .map((t) => {
          const entry: HistoryEntry = {
            chat: t.chat,
            messages: t.events.filter((e) => e.type === 'message').length,
          };
          const wrap = t.chat.wrap_up;
          if (wrap?.state === 'done') entry.wrap_up = wrap.wrap_up;
          return entry;
        }),
    );
  }

  historySearch(query: string, limit: number): Promise<SearchHit[]> {
    return this.#answer('historySearch', [query, limit], () => {
      const words = query.toLowerCase().split(/\s+/).filter(Boolean);
      if (words.length === 0) return [];
      const hits: SearchHit[] = [];
      const transcripts = [...this.#world.history].sort((a, b) => b.chat.id - a.chat.id);
      for (const t of transcripts) {
        for (const e of t.events) {
          if (e.type !== 'message') continue;
          const lower = e.text.toLowerCase();
          if (!words.every((w) => lower.includes(w))) continue;
          const hit: SearchHit = {
            chat_id: t.chat.id,
            event_id: e.id,
            at: e.at,
            snippet: snippet(e.text, words),
            chat: t.chat,
          };
          hit.author = e.author.kind === 'system' ? null : e.author.name;
          hits.push(hit);
          if (hits.length >= limit) return hits;
        }
      }
      return hits;
    });
  }

  historySync(): Promise<number> {
    return this.#answer('historySync', [], () => {
      this.#requireOnline();
      const older = this.#world.hubHistory;
      this.#world.history = [...this.#world.history, ...older];
      this.#world.hubHistory = [];
      return older.length;
    });
  }

  transcriptGet(chatId: ChatId): Promise<CachedTranscript> {
    return this.#answer('transcriptGet', [chatId], () => {
      const cached = this.#world.history.find((t) => t.chat.id === chatId);
      if (cached !== undefined) return cached;
      const open = this.#console.chats.find((o) => o.chat.id === chatId);
      if (open !== undefined) return { chat: open.chat, events: open.events };
      const fromHub = this.#world.hubHistory.find((t) => t.chat.id === chatId);
      if (fromHub !== undefined && this.#console.connection.state === 'online') return fromHub;
      throw this.#error('local_not_found', 'This transcript is not on this computer yet.');
    });
  }

  visitorHistory(chatId: ChatId): Promise<ChatSummary[]> {
    return this.#answer('visitorHistory', [chatId], () => {
      const open =
        this.#console.chats.find((o) => o.chat.id === chatId)?.chat ??
        this.#world.history.find((t) => t.chat.id === chatId)?.chat;
      const email = open?.visitor.email;
      if (open === undefined || email === null || email === undefined) return [];
      return [...this.#world.history, ...this.#world.hubHistory]
        .map((t) => t.chat)
        .filter((c) => c.id !== chatId && c.visitor.email === email)
        .sort((a, b) => b.id - a.id);
    });
  }

  linkOpen(url: string): Promise<void> {
    return this.#answer('linkOpen', [url], () => {
      if (!/^(https?:\/\/|mailto:)/i.test(url)) {
        throw this.#error('invalid_input', 'invalid input: only http, https and mailto links open');
      }
    });
  }

  // ---- test hooks: be the visitor, the network, the hub and the other agents ----

  /** The console as the fake core holds it now. */
  get console(): Console {
    return this.#console;
  }

  /** The calls of one method, oldest first. */
  callsOf(method: keyof Backend): unknown[][] {
    return this.calls.filter((c) => c.method === method).map((c) => c.args);
  }

  /** Make the next call of `method` reject with this error. */
  failNext(method: keyof Backend, error: BackendError): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), error]);
  }

  /** Make the hub refuse the next outbox item it is sent (a permanent failure). */
  failNextDelivery(error: BackendError): void {
    this.#outboxFailures.push(error);
  }

  /** Be told of every change the fake publishes (the demo script drives the visitor). */
  onPublish(listener: (change: ConsoleChange) => void): () => void {
    this.#publishListeners.add(listener);
    return () => this.#publishListeners.delete(listener);
  }

  /** Publish raw changes, numbered as the core does. */
  publish(...changes: ConsoleChange[]): void {
    this.#publish(...changes);
  }

  /** Offer a new chat to the agent; returns the offer. */
  offerChat(options: {
    visitor: string;
    email?: string;
    question: string;
    departmentId?: number;
    timeoutSecs?: number;
    pageUrl?: string;
    userAgent?: string;
    kind?: 'new' | 'transfer';
    from?: AgentRef;
    note?: string;
    events?: (chatId: ChatId, at: string) => ChatEvent[];
  }): Offer {
    const now = this.#now();
    const department = this.#department(options.departmentId ?? 2);
    const id = this.#chatId();
    const visitor = visitorInfo(options.visitor, {
      email: options.email ?? null,
      page_url: options.pageUrl ?? 'https://shop.acme.example/help',
      user_agent:
        options.userAgent ??
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36',
      site: 'shop.acme.example',
      previous_chats: 0,
    });
    const createdAt = iso(now - 4000);
    const summary = chatSummary(id, {
      visitor,
      department: { id: department.id, name: department.name },
      question: options.question,
      created_at: createdAt,
      visitor_waiting_since: createdAt,
    });
    const events = options.events?.(id, createdAt) ?? [
      messageEvent(this.#eventId(), id, visitorAuthor(options.visitor), options.question, createdAt),
    ];
    const extra: Partial<Offer> = { events, kind: options.kind ?? 'new' };
    if (options.from !== undefined) extra.from = options.from;
    if (options.note !== undefined) extra.note = options.note;
    const offer = offerOf(this.#offerId(), summary, iso(now), options.timeoutSecs ?? 30, extra);
    this.#publish({ type: 'offer_added', offer });
    return offer;
  }

  /** The visitor sends a message. */
  visitorSays(chatId: ChatId, text: string): ChatEvent {
    const open = this.#openChat(chatId);
    const at = iso(this.#now());
    const event = messageEvent(this.#eventId(), chatId, visitorAuthor(open.chat.visitor.name), text, at);
    const waiting = open.chat.visitor_waiting_since ?? at;
    this.#publish(
      { type: 'chat_events', chat_id: chatId, events: [event] },
      { type: 'chat_updated', chat: { ...this.#openChat(chatId).chat, visitor_waiting_since: waiting } },
    );
    return event;
  }

  /** The visitor types (`preview` so far) or stops typing (`null`). */
  visitorTyping(chatId: ChatId, preview: string | null): void {
    this.#publish({
      type: 'typing',
      chat_id: chatId,
      party: 'visitor',
      typing: preview !== null,
      preview,
    });
  }

  /** The visitor closes the chat; the agent owes a wrap-up. */
  visitorEnds(chatId: ChatId): void {
    this.#endChat(chatId, 'visitor');
  }

  /** The link to the hub changes; going online sends what waited in the outbox. */
  setConnection(state: ConnectionState): void {
    this.#publish({ type: 'connection', state });
    if (state.state === 'online') this.#scheduleDelivery();
  }

  /** The hub raises a waiting-time alert. */
  raiseAlert(chatId: ChatId, kind: 'waiting_for_agent' | 'waiting_for_reply', since: string): void {
    const waited = Math.max(0, Math.round((this.#now() - Date.parse(since)) / 1000));
    this.#publish({ type: 'alert', alert: { chat_id: chatId, kind, since, waited_secs: waited } });
  }

  /** A department's queue as the hub now has it. */
  setQueue(departmentId: number, entries: Omit<QueueEntry, 'department' | 'position'>[]): void {
    const department = this.#department(departmentId);
    const ref = { id: department.id, name: department.name };
    this.#publish({
      type: 'queue',
      department: ref,
      entries: entries.map((e, i) => ({ ...e, department: ref, position: i + 1 })),
    });
  }

  /** A chat nobody took lands in the missed list; returns it. */
  missChat(options: {
    visitor: string;
    email?: string | null;
    question: string;
    reason?: MissedChat['reason'];
    departmentId?: number;
    messages?: string[];
  }): MissedChat {
    const now = this.#now();
    const department = this.#department(options.departmentId ?? 2);
    const chatId = this.#chatId();
    const at = iso(now);
    const summary = chatSummary(chatId, {
      visitor: visitorInfo(options.visitor, {
        email: options.email ?? null,
        page_url: 'https://shop.acme.example/pricing',
        user_agent:
          'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
        site: 'shop.acme.example',
      }),
      department: { id: department.id, name: department.name },
      question: options.question,
      state: 'missed',
      created_at: at,
    });
    const author = visitorAuthor(options.visitor);
    const events = (options.messages ?? [options.question]).map((text) =>
      messageEvent(this.#eventId(), chatId, author, text, at),
    );
    const missed = missedChatOf(this.#missedId(), summary, {
      reason: options.reason ?? 'visitor_left',
      events,
    });
    this.#publish({ type: 'missed', missed, is_new: true });
    return missed;
  }

  /** Another agent claims a missed chat. */
  claimBy(missedId: MissedChatId, agent: AgentRef): void {
    this.#updateMissed({
      ...this.#missed(missedId),
      state: 'claimed',
      claimed_by: agent,
      claim_expires_at: iso(this.#now() + CLAIM_MINUTES * 60_000),
    });
  }

  /** The hub's mailer moves an email reply on. */
  setEmailDelivery(missedId: MissedChatId, delivery: EmailDelivery): void {
    const missed = this.#missed(missedId);
    const last = missed.replies.at(-1);
    if (last === undefined) return;
    this.#updateMissed({
      ...missed,
      replies: [...missed.replies.slice(0, -1), { ...last, delivery }],
    });
  }

  /** Another agent's availability changes (status, connection, load). */
  presenceChange(agent: AgentAvailability): void {
    this.#world.agents = [...this.#world.agents.filter((a) => a.id !== agent.id), agent].sort(
      (a, b) => a.id - b.id,
    );
    this.#publish({ type: 'presence', agent });
  }

  /** The receiver of a transfer accepts it (the chat leaves) or declines it (it returns). */
  resolveTransfer(chatId: ChatId, accepted: boolean): void {
    const transfer = this.#transfers.get(chatId);
    if (transfer === undefined) return;
    this.#transfers.delete(chatId);
    const me = this.#me();
    const at = iso(this.#now());
    const target = this.#transferTarget(transfer.to);
    if (accepted) {
      this.#publish(
        {
          type: 'chat_events',
          chat_id: chatId,
          events: [
            { id: this.#eventId(), chat_id: chatId, at, type: 'left', agent: me, reason: 'transferred' },
          ],
        },
        { type: 'chat_closed', chat_id: chatId, reason: 'transferred' },
      );
      return;
    }
    this.#publish(
      {
        type: 'chat_events',
        chat_id: chatId,
        events: [
          { id: this.#eventId(), chat_id: chatId, at, type: 'transfer_failed', from: me, reason: 'declined' },
        ],
      },
      {
        type: 'transfer_returned',
        chat_id: chatId,
        to: { id: target.id, name: target.name },
        reason: 'declined',
      },
    );
  }

  /** Offers past their time go away, as the hub passes them on. */
  expireOffers(): void {
    const now = this.#now();
    for (const offer of this.#console.offers) {
      if (Date.parse(offer.expires_at) <= now) {
        this.#publish({
          type: 'offer_removed',
          offer_id: offer.id,
          chat_id: offer.chat.id,
          reason: 'timeout',
        });
      }
    }
  }

  /** The desktop app reports a notification click or a tray choice. */
  emitAppEvent(event: AppEvent): void {
    for (const handler of [...this.#appHandlers]) handler(event);
  }

  /** Let the hub acknowledge everything waiting in the outbox, in order (when online). */
  flushOutbox(): void {
    if (this.#console.connection.state !== 'online') return;
    for (;;) {
      const item = this.#console.outbox.find((i) => i.state.state === 'pending');
      if (item === undefined) return;
      this.#deliver(item);
    }
  }

  // ---- the fake hub ----

  #answer<T>(method: keyof Backend, args: unknown[], body: () => T): Promise<T> {
    this.calls.push({ method, args });
    const failure = this.#failures.get(method)?.shift();
    const run = (): T => {
      if (failure !== undefined) throw failure;
      return body();
    };
    if (this.#latencyMs <= 0) {
      try {
        return Promise.resolve(run());
      } catch (error) {
        return Promise.reject(error as Error);
      }
    }
    return new Promise<T>((resolve, reject) => {
      setTimeout(() => {
        try {
          resolve(run());
        } catch (error) {
          reject(error as Error);
        }
      }, this.#latencyMs);
    });
  }

  #error(code: string, message: string): BackendError {
    return { code, message };
  }

  #startSession(hub: string, email: string): SessionInfo {
    const now = this.#now();
    this.#world = this.#makeWorld(now);
    const world = this.#world;
    const agent = { ...world.agent, email };
    world.agent = agent;
    this.#session = {
      hub,
      email,
      agent,
      expires_at: iso(now + 30 * 86_400_000),
    };
    this.#console = {
      ...emptyConsole({ state: 'online' }),
      agent,
      status: world.status,
      departments: world.departments,
      offers: world.offers,
      chats: world.chats,
      queue: world.queue,
      missed: [...world.missed].sort((a, b) => b.id - a.id),
    };
    const eventIds = [
      ...world.chats.flatMap((c) => c.events),
      ...world.offers.flatMap((o) => o.events),
      ...world.missed.flatMap((m) => m.events),
      ...world.history.flatMap((t) => t.events),
      ...world.hubHistory.flatMap((t) => t.events),
    ].map((e) => e.id);
    const chatIds = [
      ...world.chats.map((c) => c.chat.id),
      ...world.offers.map((o) => o.chat.id),
      ...world.missed.map((m) => m.chat_id),
      ...world.history.map((t) => t.chat.id),
      ...world.hubHistory.map((t) => t.chat.id),
      ...world.queue.map((q) => q.chat_id),
    ];
    this.#nextEventId = Math.max(0, ...eventIds) + 1;
    this.#nextChatId = Math.max(1000, ...chatIds) + 1;
    this.#nextOfferId = Math.max(0, ...world.offers.map((o) => o.id)) + 1;
    this.#nextMissedId = Math.max(0, ...world.missed.map((m) => m.id)) + 1;
    this.#nextCannedId = Math.max(0, ...world.canned.map((c) => c.id)) + 1;
    return this.#session;
  }

  #publish(...changes: ConsoleChange[]): void {
    for (const change of changes) {
      this.#console = applyChange(this.#console, change);
      this.#console = { ...this.#console, version: this.#console.version + 1 };
      const update: ConsoleUpdate = { version: this.#console.version, change };
      for (const subscriber of [...this.#subscribers]) subscriber(update);
      for (const listener of [...this.#publishListeners]) listener(change);
    }
  }

  #me(): AgentRef {
    const agent = this.#console.agent ?? this.#world.agent;
    return { id: agent.id, name: agent.name };
  }

  #requireOnline(): void {
    const state = this.#console.connection.state;
    if (state === 'signed_out') throw this.#error('signed_out', 'signed out: sign in again');
    if (state !== 'online') throw this.#error('offline', 'not connected to the hub');
  }

  #openChat(chatId: ChatId) {
    const open = this.#console.chats.find((o) => o.chat.id === chatId);
    if (open === undefined) throw this.#error('local_not_found', `not found: chat ${chatId} is not open`);
    return open;
  }

  #missed(missedId: MissedChatId): MissedChat {
    const missed = this.#console.missed.find((m) => m.id === missedId);
    if (missed === undefined) throw this.#error('not_found', 'No such missed chat.');
    return missed;
  }

  #updateMissed(missed: MissedChat): MissedChat {
    this.#publish({ type: 'missed', missed, is_new: false });
    return missed;
  }

  #department(id: number) {
    const department = this.#console.departments.find((d) => d.id === id) ?? this.#world.departments[0];
    if (department === undefined) throw this.#error('not_found', 'No such department.');
    return department;
  }

  #transferTarget(to: TransferTo): AgentRef {
    if (to.kind === 'agent') {
      const agent = this.#world.agents.find((a) => a.id === to.id);
      return { id: to.id, name: agent?.name ?? `Agent ${to.id}` };
    }
    const department = this.#world.targets.find((d) => d.id === to.id);
    return { id: to.id, name: department?.name ?? `Department ${to.id}` };
  }

  #eventId(): number {
    return this.#nextEventId++;
  }

  #chatId(): number {
    return this.#nextChatId++;
  }

  #offerId(): number {
    return this.#nextOfferId++;
  }

  #missedId(): number {
    return this.#nextMissedId++;
  }

  #enqueue(command: OutboxCommand): ClientId {
    const item: OutboxItem = {
      client_id: `fake-${this.#nextClientId++}`,
      position: ++this.#position,
      command,
      state: { state: 'pending' },
      attempts: 0,
      created_at: iso(this.#now()),
    };
    this.#publish({ type: 'outbox_updated', item });
    this.#scheduleDelivery();
    return item.client_id;
  }

  #scheduleDelivery(): void {
    if (this.#deliveryDelayMs === null || this.#deliveryTimer !== null) return;
    this.#deliveryTimer = setTimeout(() => {
      this.#deliveryTimer = null;
      const pending = this.#console.outbox.find((i) => i.state.state === 'pending');
      if (pending === undefined || this.#console.connection.state !== 'online') return;
      this.#deliver(pending);
      this.#scheduleDelivery();
    }, this.#deliveryDelayMs);
  }

  #stopDelivery(): void {
    if (this.#deliveryTimer !== null) clearTimeout(this.#deliveryTimer);
    this.#deliveryTimer = null;
  }

  /** The hub receives one command: it either stores it (and pushes) or refuses it. */
  #deliver(item: OutboxItem): void {
    const attempts = item.attempts + 1;
    const injected = this.#outboxFailures.shift();
    const refusal = injected ?? this.#refusal(item.command);
    if (refusal !== null) {
      this.#publish({
        type: 'outbox_updated',
        item: { ...item, attempts, state: { state: 'failed', error: refusal } },
      });
      return;
    }
    const command = item.command;
    const at = iso(this.#now());
    const me = this.#me();
    switch (command.kind) {
      case 'message': {
        const event = messageEvent(this.#eventId(), command.chat_id, agentAuthor(me), command.text, at, item.client_id);
        this.#publish({ type: 'chat_events', chat_id: command.chat_id, events: [event] });
        const open = this.#console.chats.find((o) => o.chat.id === command.chat_id);
        if (open !== undefined && open.chat.visitor_waiting_since) {
          this.#publish({ type: 'chat_updated', chat: { ...open.chat, visitor_waiting_since: null } });
        }
        break;
      }
      case 'chat_end':
        this.#endChat(command.chat_id, 'agent');
        break;
      case 'wrap_up':
        this.#wrapUp(command.chat_id, command.wrap_up);
        break;
      case 'transfer': {
        const target = this.#transferTarget(command.to);
        this.#transfers.set(command.chat_id, { to: command.to, note: command.note });
        const to =
          command.to.kind === 'agent'
            ? { kind: 'agent' as const, id: target.id, name: target.name }
            : { kind: 'department' as const, id: target.id, name: target.name };
        this.#publish({
          type: 'chat_events',
          chat_id: command.chat_id,
          events: [
            { id: this.#eventId(), chat_id: command.chat_id, at, type: 'transfer_requested', from: me, to, note: command.note },
            { id: this.#eventId(), chat_id: command.chat_id, at, type: 'notice', text: `You are being transferred to ${target.name}.` },
          ],
        });
        break;
      }
      case 'missed_reply': {
        const missed = this.#missed(command.missed_id);
        const subject = `Re: ${missed.question.split('\n')[0] ?? ''}`;
        const to = missed.visitor.email ?? '';
        const emailId = this.#nextEmailId++;
        const reply = {
          id: emailId,
          agent: me,
          to,
          subject,
          text: command.text,
          created_at: at,
          delivery: { state: 'queued' } as EmailDelivery,
        };
        this.#updateMissed({
          ...missed,
          state: 'replied',
          claim_expires_at: null,
          // As the hub does: the reply is listed apart from the visitor's events.
          replies: [...missed.replies, reply],
        });
        if (this.#deliveryDelayMs !== null) {
          const id = missed.id;
          setTimeout(() => {
            this.setEmailDelivery(id, { state: 'sent', at: iso(this.#now()) });
          }, this.#deliveryDelayMs * 3);
        }
        break;
      }
    }
    this.#publish({ type: 'outbox_removed', client_id: item.client_id });
    if (command.kind === 'transfer' && this.#deliveryDelayMs !== null) {
      setTimeout(() => this.resolveTransfer(command.chat_id, true), this.#deliveryDelayMs * 6);
    }
  }

  /** What the hub would refuse, with the code it would use. */
  #refusal(command: OutboxCommand): BackendError | null {
    if (command.kind === 'missed_reply') {
      const missed = this.#console.missed.find((m) => m.id === command.missed_id);
      if (missed === undefined) return this.#error('not_found', 'No such missed chat.');
      if (missed.state !== 'claimed' || missed.claimed_by?.id !== this.#me().id) {
        return this.#error('forbidden', 'Claim this missed chat before replying.');
      }
      return null;
    }
    const open = this.#console.chats.find((o) => o.chat.id === command.chat_id);
    if (open === undefined) return this.#error('not_found', 'This chat is no longer yours.');
    const state = open.chat.state;
    if (command.kind === 'message' && state !== 'active') {
      return this.#error('invalid_state', 'The chat has ended; the message was not sent.');
    }
    if (command.kind === 'transfer' && state !== 'active') {
      return this.#error('invalid_state', 'Only an active chat can be transferred.');
    }
    if (command.kind === 'transfer' && this.#transfers.has(command.chat_id)) {
      return this.#error('invalid_state', 'A transfer of this chat is already under way.');
    }
    if (command.kind === 'wrap_up') {
      if (state !== 'ended') return this.#error('invalid_state', 'The chat has not ended yet.');
      const department = this.#console.departments.find((d) => d.id === open.chat.department.id);
      if (department?.wrap_up_required && command.wrap_up.outcome.trim() === '') {
        return this.#error('bad_request', 'This department needs an outcome.');
      }
    }
    return null;
  }

  #endChat(chatId: ChatId, by: 'agent' | 'visitor'): void {
    const open = this.#openChat(chatId);
    const now = this.#now();
    const at = iso(now);
    const department = this.#console.departments.find((d) => d.id === open.chat.department.id);
    this.#transfers.delete(chatId);
    this.#publish(
      {
        type: 'chat_events',
        chat_id: chatId,
        events: [
          { id: this.#eventId(), chat_id: chatId, at, type: 'ended', by, reason: by === 'agent' ? 'closed' : 'visitor_left' },
        ],
      },
      {
        type: 'typing',
        chat_id: chatId,
        party: 'visitor',
        typing: false,
      },
      {
        type: 'chat_updated',
        chat: {
          ...this.#openChat(chatId).chat,
          state: 'ended',
          ended_at: at,
          visitor_waiting_since: null,
          wrap_up: {
            state: 'pending',
            required: department?.wrap_up_required ?? true,
            deadline: iso(now + (department?.wrap_up_timeout_secs ?? 120) * 1000),
          },
        },
      },
    );
  }

  #wrapUp(chatId: ChatId, wrapUp: WrapUp): void {
    const open = this.#openChat(chatId);
    const at = iso(this.#now());
    const event: ChatEvent = { id: this.#eventId(), chat_id: chatId, at, type: 'wrap_up', agent: this.#me(), wrap_up: wrapUp };
    this.#publish({ type: 'chat_events', chat_id: chatId, events: [event] });
    const done: ChatSummary = { ...open.chat, wrap_up: { state: 'done', wrap_up: wrapUp, at } };
    this.#publish({ type: 'chat_updated', chat: done }, { type: 'chat_closed', chat_id: chatId, reason: 'wrapped_up' });
    this.#world.history = [
      ...this.#world.history.filter((t) => t.chat.id !== chatId),
      { chat: done, events: [...open.events, event] },
    ];
  }
}

/** The matched passage of a message, split into text and matched words. */
function snippet(text: string, words: string[]): SnippetPart[] {
  const lower = text.toLowerCase();
  const first = Math.min(...words.map((w) => lower.indexOf(w)).filter((i) => i >= 0));
  const start = Math.max(0, first - 40);
  const end = Math.min(text.length, first + 80);
  const passage = (start > 0 ? '…' : '') + text.slice(start, end) + (end < text.length ? '…' : '');
  const pattern = new RegExp(`(${words.map(escapeRegExp).join('|')})`, 'gi');
  return passage
    .split(pattern)
    .filter((s) => s !== '')
    .map((s) => ({ text: s, hit: words.includes(s.toLowerCase()) }));
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
