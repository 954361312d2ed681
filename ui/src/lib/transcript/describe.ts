// Words for the quiet lines of a transcript (joins, transfers, endings, wrap-ups) and
// for outbox items still on their way, so every view of a transcript reads the same.
import type { AgentRef } from '../ipc/bindings/AgentRef';
import type { ChatEvent } from '../ipc/bindings/ChatEvent';
import type { OutboxItem } from '../ipc/bindings/OutboxItem';

export interface Perspective {
  /** The signed-in agent, to say "You" instead of their name. */
  meId: number | null;
  visitorName: string;
}

function who(agent: AgentRef, p: Perspective): string {
  return agent.id === p.meId ? 'You' : agent.name;
}

/** One line for an event that is not a message, or null for one to leave out. */
export function describeEvent(event: ChatEvent, p: Perspective): string | null {
  switch (event.type) {
    case 'message':
    case 'email_reply':
      return null;
    case 'joined':
      return `${who(event.agent, p)} joined the chat`;
    case 'left':
      if (event.reason === 'transferred') {
        return `${who(event.agent, p)} handed the chat over`;
      }
      if (event.reason === 'disconnected') {
        return `${who(event.agent, p)} lost the connection; the chat was passed on`;
      }
      return `${who(event.agent, p)} left the chat`;
    case 'transfer_requested': {
      const target = event.to.kind === 'agent' ? event.to.name : `the ${event.to.name} team`;
      return `${who(event.from, p)} asked to transfer the chat to ${target}`;
    }
    case 'transfer_failed': {
      const stays = event.from.id === p.meId ? 'the chat stays with you' : `the chat stays with ${event.from.name}`;
      if (event.reason === 'declined') return `The transfer was declined — ${stays}`;
      if (event.reason === 'timeout') return `Nobody took the transfer in time — ${stays}`;
      if (event.reason === 'cancelled') return 'The transfer was cancelled';
      return `The transfer did not go through — ${stays}`;
    }
    case 'ended':
      if (event.reason === 'inactivity') return 'The chat ended after the visitor went quiet';
      if (event.reason === 'missed') return 'Nobody answered in time';
      if (event.by === 'visitor') return `${p.visitorName} ended the chat`;
      if (event.by === 'agent') return 'The chat was ended by the agent';
      return 'The chat ended';
    case 'wrap_up':
      return event.wrap_up.outcome.trim() === ''
        ? `${who(event.agent, p)} skipped the wrap-up`
        : `Wrapped up: ${event.wrap_up.outcome}`;
    case 'notice':
      return event.text;
    default:
      return null;
  }
}

/** What an outbox item is doing, for its pending line. */
export function describeOutbox(item: OutboxItem, online: boolean): string {
  if (item.state.state === 'failed') {
    return `Not sent: ${item.state.error.message}`;
  }
  if (!online) return 'Waiting for the connection';
  switch (item.command.kind) {
    case 'message':
      return 'Sending…';
    case 'chat_end':
      return 'Ending the chat…';
    case 'wrap_up':
      return 'Saving the wrap-up…';
    case 'transfer':
      return 'Requesting the transfer…';
    case 'missed_reply':
      return 'Sending the email reply…';
  }
}

/** The command an outbox line stands for, in a few words. */
export function outboxTitle(item: OutboxItem): string {
  switch (item.command.kind) {
    case 'message':
      return 'Message';
    case 'chat_end':
      return 'End the chat';
    case 'wrap_up':
      return 'Wrap-up';
    case 'transfer':
      return 'Transfer';
    case 'missed_reply':
      return 'Email reply';
  }
}
