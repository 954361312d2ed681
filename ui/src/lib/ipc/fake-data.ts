// Builders for the console's data, shaped exactly as the Rust side sends it. The fake
// backend, its demo seed and the tests share them so every made-up value is well formed.
import type { AgentInfo } from './bindings/AgentInfo';
import type { AgentRef } from './bindings/AgentRef';
import type { Author } from './bindings/Author';
import type { ChatEvent } from './bindings/ChatEvent';
import type { ChatSummary } from './bindings/ChatSummary';
import type { DepartmentInfo } from './bindings/DepartmentInfo';
import type { DepartmentRef } from './bindings/DepartmentRef';
import type { MissedChat } from './bindings/MissedChat';
import type { Offer } from './bindings/Offer';
import type { OpenChat } from './bindings/OpenChat';
import type { VisitorInfo } from './bindings/VisitorInfo';

/** RFC 3339 in UTC without milliseconds, as the hub writes it. */
export function iso(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export function departmentInfo(
  id: number,
  name: string,
  extra: Partial<Omit<DepartmentInfo, 'id' | 'name'>> = {},
): DepartmentInfo {
  return {
    id,
    name,
    outcomes: ['Resolved', 'Follow-up needed', 'Sale', 'Not a customer'],
    wrap_up_required: true,
    wrap_up_timeout_secs: 120,
    wait_alert_secs: 30,
    reply_alert_secs: 60,
    ...extra,
  };
}

export function refOf(department: { id: number; name: string }): DepartmentRef {
  return { id: department.id, name: department.name };
}

export function agentInfo(extra: Partial<AgentInfo> = {}): AgentInfo {
  return {
    id: 7,
    name: 'Sam Rivera',
    email: 'sam@acme.example',
    role: 'agent',
    max_chats: 4,
    departments: [
      { id: 1, name: 'Sales' },
      { id: 2, name: 'Support' },
    ],
    skills: [],
    ...extra,
  };
}

export function visitorInfo(name: string, extra: Partial<VisitorInfo> = {}): VisitorInfo {
  return { name, previous_chats: 0, ...extra };
}

export interface SummaryOptions extends Partial<Omit<ChatSummary, 'id' | 'visitor'>> {
  visitor?: VisitorInfo | string;
}

export function chatSummary(id: number, options: SummaryOptions = {}): ChatSummary {
  const { visitor = 'Dana Whitfield', ...rest } = options;
  return {
    id,
    department: { id: 2, name: 'Support' },
    visitor: typeof visitor === 'string' ? visitorInfo(visitor) : visitor,
    question: 'Hello?',
    state: 'active',
    created_at: '2025-06-03T09:14:05Z',
    ...rest,
  };
}

export function visitorAuthor(name: string): Author {
  return { kind: 'visitor', name };
}

export function agentAuthor(agent: AgentRef): Author {
  return { kind: 'agent', id: agent.id, name: agent.name };
}

export function messageEvent(
  id: number,
  chatId: number,
  author: Author,
  text: string,
  at: string,
  clientId?: string,
): ChatEvent {
  const event: ChatEvent = { id, chat_id: chatId, at, type: 'message', author, text };
  if (clientId !== undefined) event.client_id = clientId;
  return event;
}

export function joinedEvent(id: number, chatId: number, agent: AgentRef, at: string): ChatEvent {
  return { id, chat_id: chatId, at, type: 'joined', agent };
}

export function noticeEvent(id: number, chatId: number, text: string, at: string): ChatEvent {
  return { id, chat_id: chatId, at, type: 'notice', text };
}

export function openChat(chat: ChatSummary, events: ChatEvent[] = []): OpenChat {
  const last = events.at(-1);
  return {
    chat: last === undefined ? chat : { ...chat, last_event_id: last.id },
    events,
    visitor_typing: false,
  };
}

export function offerOf(
  id: number,
  chat: ChatSummary,
  offeredAt: string,
  timeoutSecs = 30,
  extra: Partial<Omit<Offer, 'id' | 'chat'>> = {},
): Offer {
  return {
    id,
    kind: 'new',
    chat: { ...chat, state: 'offered' },
    offered_at: offeredAt,
    expires_at: iso(Date.parse(offeredAt) + timeoutSecs * 1000),
    events: [],
    ...extra,
  };
}

export function missedChatOf(
  id: number,
  chat: ChatSummary,
  extra: Partial<Omit<MissedChat, 'id' | 'chat_id'>> = {},
): MissedChat {
  return {
    id,
    chat_id: chat.id,
    department: chat.department,
    visitor: chat.visitor,
    question: chat.question,
    reason: 'visitor_left',
    state: 'open',
    answerable: chat.visitor.email !== null && chat.visitor.email !== undefined,
    created_at: chat.created_at,
    events: [],
    replies: [],
    ...extra,
  };
}
