// Questions the screens ask of the console, answered the same way everywhere.
import type { AlertKind } from '../ipc/bindings/AlertKind';
import type { ChatAlert } from '../ipc/bindings/ChatAlert';
import type { ChatId } from '../ipc/bindings/ChatId';
import type { Console } from '../ipc/bindings/Console';
import type { DepartmentInfo } from '../ipc/bindings/DepartmentInfo';
import type { MissedChatId } from '../ipc/bindings/MissedChatId';
import type { OpenChat } from '../ipc/bindings/OpenChat';
import type { OutboxItem } from '../ipc/bindings/OutboxItem';

export function chatOf(console: Console, chatId: ChatId | null): OpenChat | undefined {
  return chatId === null ? undefined : console.chats.find((o) => o.chat.id === chatId);
}

export function departmentOf(console: Console, id: number): DepartmentInfo | undefined {
  return console.departments.find((d) => d.id === id);
}

/** Outbox items of one chat (messages, end, wrap-up, transfer), in the order given. */
export function outboxOfChat(console: Console, chatId: ChatId): OutboxItem[] {
  return console.outbox.filter(
    (i) => i.command.kind !== 'missed_reply' && i.command.chat_id === chatId,
  );
}

/** Email replies to a missed chat that the hub has not stored yet. */
export function outboxOfMissed(console: Console, missedId: MissedChatId): OutboxItem[] {
  return console.outbox.filter(
    (i) => i.command.kind === 'missed_reply' && i.command.missed_id === missedId,
  );
}

export function alertOf(console: Console, chatId: ChatId, kind: AlertKind): ChatAlert | undefined {
  return console.alerts.find((a) => a.chat_id === chatId && a.kind === kind);
}

/** Chats in the agent's slots count against the cap (active and waiting for wrap-up). */
export function slotsTaken(console: Console): number {
  return console.chats.length;
}

/** Whether an outbox command for this chat is still on its way. */
export function hasPending(console: Console, chatId: ChatId, kind: OutboxItem['command']['kind']) {
  return outboxOfChat(console, chatId).some(
    (i) => i.command.kind === kind && i.state.state !== 'failed',
  );
}
