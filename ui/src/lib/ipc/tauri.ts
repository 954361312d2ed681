// The Backend served by the desktop app: each method is one Tauri command.
import { Channel, invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import type { AgentStatus } from './bindings/AgentStatus';
import type { CachedTranscript } from './bindings/CachedTranscript';
import type { CannedId } from './bindings/CannedId';
import type { CannedResponse } from './bindings/CannedResponse';
import type { ChatId } from './bindings/ChatId';
import type { ChatSummary } from './bindings/ChatSummary';
import type { ClientId } from './bindings/ClientId';
import type { Console } from './bindings/Console';
import type { ConsoleUpdate } from './bindings/ConsoleUpdate';
import type { HistoryEntry } from './bindings/HistoryEntry';
import type { MissedChat } from './bindings/MissedChat';
import type { MissedChatId } from './bindings/MissedChatId';
import type { OfferId } from './bindings/OfferId';
import type { SearchHit } from './bindings/SearchHit';
import type { SessionInfo } from './bindings/SessionInfo';
import type { Targets } from './bindings/Targets';
import type { TransferTo } from './bindings/TransferTo';
import type { WrapUp } from './bindings/WrapUp';
import {
  toBackendError,
  type AppEvent,
  type AppInfo,
  type Attention,
  type Backend,
  type CannedDraft,
  type ConsoleSubscription,
  type SignedIn,
  type SignInRequest,
} from './backend';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }

  sessionRestore(): Promise<SessionInfo | null> {
    return call<SessionInfo | null>('session_restore');
  }

  signIn(request: SignInRequest): Promise<SignedIn> {
    return call<SignedIn>('session_sign_in', { request });
  }

  signOut(): Promise<void> {
    return call<void>('session_sign_out');
  }

  async consoleSubscribe(onUpdate: (update: ConsoleUpdate) => void): Promise<ConsoleSubscription> {
    // A closed subscription drops whatever the channel still delivers; the Rust side
    // replaces the window's subscription on the next subscribe.
    let open = true;
    const channel = new Channel<ConsoleUpdate>();
    channel.onmessage = (update) => {
      if (open) onUpdate(update);
    };
    const console = await call<Console>('console_subscribe', { onUpdate: channel });
    return {
      console,
      close: () => {
        open = false;
      },
    };
  }

  onAppEvent(handler: (event: AppEvent) => void): () => void {
    // listen() resolves later; an unsubscribe that comes first still takes effect.
    let unlisten: (() => void) | null = null;
    let closed = false;
    void listen<AppEvent>('app-event', (event) => {
      if (!closed) handler(event.payload);
    }).then((stop) => {
      if (closed) stop();
      else unlisten = stop;
    });
    return () => {
      closed = true;
      unlisten?.();
    };
  }

  attentionSet(attention: Attention): Promise<void> {
    return call<void>('attention_set', { attention });
  }

  statusSet(status: AgentStatus): Promise<AgentStatus> {
    return call<AgentStatus>('status_set', { status });
  }

  connectionRetry(): Promise<void> {
    return call<void>('connection_retry');
  }

  offerAccept(offerId: OfferId): Promise<void> {
    return call<void>('offer_accept', { offerId });
  }

  offerDecline(offerId: OfferId): Promise<void> {
    return call<void>('offer_decline', { offerId });
  }

  messageSend(chatId: ChatId, text: string): Promise<ClientId> {
    return call<ClientId>('message_send', { chatId, text });
  }

  typingSet(chatId: ChatId, typing: boolean): Promise<void> {
    return call<void>('typing_set', { chatId, typing });
  }

  chatEnd(chatId: ChatId): Promise<ClientId> {
    return call<ClientId>('chat_end', { chatId });
  }

  wrapUpSubmit(chatId: ChatId, wrapUp: WrapUp): Promise<ClientId> {
    return call<ClientId>('wrapup_submit', { chatId, wrapUp });
  }

  transferTargets(): Promise<Targets> {
    return call<Targets>('transfer_targets');
  }

  chatTransfer(chatId: ChatId, to: TransferTo, note: string): Promise<ClientId> {
    return call<ClientId>('chat_transfer', { chatId, to, note });
  }

  outboxRetry(clientId: ClientId): Promise<void> {
    return call<void>('outbox_retry', { clientId });
  }

  outboxDiscard(clientId: ClientId): Promise<void> {
    return call<void>('outbox_discard', { clientId });
  }

  cannedList(): Promise<CannedResponse[]> {
    return call<CannedResponse[]>('canned_list');
  }

  cannedFill(responseId: CannedId, chatId: ChatId): Promise<string> {
    return call<string>('canned_fill', { responseId, chatId });
  }

  cannedSave(draft: CannedDraft): Promise<CannedResponse> {
    return call<CannedResponse>('canned_save', { draft });
  }

  cannedDelete(id: CannedId): Promise<void> {
    return call<void>('canned_delete', { id });
  }

  missedClaim(missedId: MissedChatId): Promise<MissedChat> {
    return call<MissedChat>('missed_claim', { missedId });
  }

  missedRelease(missedId: MissedChatId): Promise<MissedChat> {
    return call<MissedChat>('missed_release', { missedId });
  }

  missedClose(missedId: MissedChatId): Promise<MissedChat> {
    return call<MissedChat>('missed_close', { missedId });
  }

  missedReply(missedId: MissedChatId, text: string): Promise<ClientId> {
    return call<ClientId>('missed_reply', { missedId, text });
  }

  historyList(before: ChatId | null, limit: number): Promise<HistoryEntry[]> {
    return call<HistoryEntry[]>('history_list', { before, limit });
  }

  historySearch(query: string, limit: number): Promise<SearchHit[]> {
    return call<SearchHit[]>('history_search', { query, limit });
  }

  historySync(): Promise<number> {
    return call<number>('history_sync');
  }

  transcriptGet(chatId: ChatId): Promise<CachedTranscript> {
    return call<CachedTranscript>('transcript_get', { chatId });
  }

  visitorHistory(chatId: ChatId): Promise<ChatSummary[]> {
    return call<ChatSummary[]>('visitor_history', { chatId });
  }

  linkOpen(url: string): Promise<void> {
    return call<void>('link_open', { url });
  }
}
