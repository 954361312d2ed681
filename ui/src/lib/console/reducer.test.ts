import { describe, expect, it } from 'vitest';
import type { Console } from '../ipc/bindings/Console';
import type { ConsoleChange } from '../ipc/bindings/ConsoleChange';
import type { OutboxItem } from '../ipc/bindings/OutboxItem';
import {
  agentAuthor,
  chatSummary,
  messageEvent,
  missedChatOf,
  offerOf,
  openChat,
  visitorAuthor,
} from '../ipc/fake-data';
import { applyChange, applyUpdate, emptyConsole } from './reducer';

const at = '2025-06-03T09:14:05Z';
const sam = { id: 7, name: 'Sam Rivera' };

function fold(start: Console, ...changes: ConsoleChange[]): Console {
  return changes.reduce(
    (c, change, i) => applyUpdate(c, { version: start.version + i + 1, change }),
    start,
  );
}

function agentMessage(id: number, chat: number, clientId?: string) {
  return messageEvent(id, chat, agentAuthor(sam), `m${id}`, at, clientId);
}

function pending(clientId: string, position: number, chatId = 7): OutboxItem {
  return {
    client_id: clientId,
    position,
    command: { kind: 'message', chat_id: chatId, text: 'hello' },
    state: { state: 'pending' },
    attempts: 0,
    created_at: at,
  };
}

describe('applyUpdate (the mirror of Console::apply)', () => {
  it('replaces a pending echo with the stored message and never brings it back', () => {
    const c = fold(
      emptyConsole(),
      { type: 'chat_opened', chat: openChat(chatSummary(7)) },
      { type: 'outbox_updated', item: pending('c1', 1) },
    );
    expect(c.outbox, 'the message shows as pending at once').toHaveLength(1);

    const stored = fold(c, {
      type: 'chat_events',
      chat_id: 7,
      events: [agentMessage(10, 7, 'c1')],
    });
    expect(stored.outbox, 'the stored copy replaces the echo').toEqual([]);

    const late = fold(stored, { type: 'outbox_updated', item: pending('c1', 1) });
    expect(late.outbox, 'a late retry state must not resurrect a delivered message').toEqual([]);
    expect(late.chats[0]?.events).toHaveLength(1);
    expect(late.chats[0]?.chat.last_event_id, 'the summary follows the newest event').toBe(10);
  });

  it('merges events in id order without duplicates', () => {
    const c = fold(
      emptyConsole(),
      { type: 'chat_opened', chat: openChat(chatSummary(1), [agentMessage(5, 1)]) },
      {
        type: 'chat_events',
        chat_id: 1,
        events: [agentMessage(3, 1), agentMessage(5, 1), agentMessage(9, 1)],
      },
    );
    expect(
      c.chats[0]?.events.map((e) => e.id),
      'a replay or catch-up overlap adds nothing twice',
    ).toEqual([3, 5, 9]);
  });

  it('sorts and dedups the events of an opened chat', () => {
    const c = fold(emptyConsole(), {
      type: 'chat_opened',
      chat: openChat(chatSummary(1), [agentMessage(9, 1), agentMessage(3, 1), agentMessage(9, 1)]),
    });
    expect(c.chats[0]?.events.map((e) => e.id)).toEqual([3, 9]);
  });

  it('takes the offer away when its chat opens, and clears the waiting-for-agent alert', () => {
    const summary = chatSummary(4);
    const c = fold(
      emptyConsole(),
      { type: 'offer_added', offer: offerOf(40, summary, at) },
      { type: 'alert', alert: { chat_id: 4, kind: 'waiting_for_agent', since: at, waited_secs: 30 } },
      { type: 'chat_opened', chat: openChat(summary) },
    );
    expect(c.offers).toEqual([]);
    expect(c.alerts).toEqual([]);
    expect(c.chats.map((o) => o.chat.id)).toEqual([4]);
  });

  it('updates an offer in place and drops its alerts when it goes without a chat', () => {
    const summary = chatSummary(4);
    let c = fold(
      emptyConsole(),
      { type: 'offer_added', offer: offerOf(40, summary, at) },
      { type: 'offer_added', offer: offerOf(40, { ...summary, question: 'Changed' }, at) },
      { type: 'alert', alert: { chat_id: 4, kind: 'waiting_for_agent', since: at, waited_secs: 30 } },
    );
    expect(c.offers).toHaveLength(1);
    expect(c.offers[0]?.chat.question).toBe('Changed');
    c = fold(c, { type: 'offer_removed', offer_id: 40, chat_id: 4, reason: 'timeout' });
    expect(c.offers).toEqual([]);
    expect(c.alerts, 'an alert of a chat neither offered nor held goes away').toEqual([]);
  });

  it('adds events of an offered chat to the offer', () => {
    const c = fold(
      emptyConsole(),
      { type: 'offer_added', offer: offerOf(40, chatSummary(4), at) },
      {
        type: 'chat_events',
        chat_id: 4,
        events: [messageEvent(2, 4, visitorAuthor('Dana'), 'still there?', at)],
      },
    );
    expect(c.offers[0]?.events.map((e) => e.id)).toEqual([2]);
  });

  it('shows the visitor typing with a preview, and a sent message ends the preview', () => {
    let c = fold(
      emptyConsole(),
      { type: 'chat_opened', chat: openChat(chatSummary(1)) },
      { type: 'typing', chat_id: 1, party: 'visitor', typing: true, preview: 'It is invoice' },
    );
    expect(c.chats[0]?.visitor_typing).toBe(true);
    expect(c.chats[0]?.visitor_preview).toBe('It is invoice');

    const agentTyping = fold(c, { type: 'typing', chat_id: 1, party: 'agent', typing: false });
    expect(agentTyping.chats[0]?.visitor_typing, "the agent's own typing changes nothing").toBe(
      true,
    );

    c = fold(c, {
      type: 'chat_events',
      chat_id: 1,
      events: [messageEvent(2, 1, visitorAuthor('Dana'), 'It is invoice 42', at)],
    });
    expect(c.chats[0]?.visitor_typing).toBe(false);
    expect(c.chats[0]?.visitor_preview ?? null).toBeNull();
  });

  it("clears the reply alert when the agent's message arrives", () => {
    const c = fold(
      emptyConsole(),
      { type: 'chat_opened', chat: openChat(chatSummary(1)) },
      { type: 'alert', alert: { chat_id: 1, kind: 'waiting_for_reply', since: at, waited_secs: 60 } },
      { type: 'alert', alert: { chat_id: 1, kind: 'waiting_for_reply', since: at, waited_secs: 90 } },
    );
    expect(c.alerts, 'the same alert is replaced, not repeated').toHaveLength(1);
    expect(c.alerts[0]?.waited_secs).toBe(90);
    const answered = fold(c, { type: 'chat_events', chat_id: 1, events: [agentMessage(3, 1)] });
    expect(answered.alerts).toEqual([]);
  });

  it('closes a chat with its alerts', () => {
    const c = fold(
      emptyConsole(),
      { type: 'chat_opened', chat: openChat(chatSummary(1)) },
      { type: 'alert', alert: { chat_id: 1, kind: 'waiting_for_reply', since: at, waited_secs: 60 } },
      { type: 'chat_closed', chat_id: 1, reason: 'wrapped_up' },
    );
    expect(c.chats).toEqual([]);
    expect(c.alerts).toEqual([]);
  });

  it('replaces one department queue and keeps the order by department then position', () => {
    const entry = (chat: number, dept: number, position: number) => ({
      chat_id: chat,
      department: { id: dept, name: `D${dept}` },
      visitor_name: `V${chat}`,
      question: '?',
      waiting_since: at,
      position,
    });
    let c = fold(emptyConsole(), {
      type: 'queue_list',
      entries: [entry(5, 2, 1), entry(3, 1, 2), entry(2, 1, 1)],
    });
    expect(c.queue.map((q) => q.chat_id)).toEqual([2, 3, 5]);
    c = fold(c, { type: 'queue', department: { id: 1, name: 'D1' }, entries: [entry(9, 1, 1)] });
    expect(c.queue.map((q) => q.chat_id)).toEqual([9, 5]);
  });

  it('keeps missed chats newest first and updates them in place', () => {
    const m = (id: number, state: 'open' | 'claimed' = 'open') =>
      missedChatOf(id, chatSummary(100 + id), { state });
    let c = fold(
      emptyConsole(),
      { type: 'missed', missed: m(1), is_new: true },
      { type: 'missed', missed: m(3), is_new: true },
      { type: 'missed', missed: m(2), is_new: true },
    );
    expect(c.missed.map((x) => x.id)).toEqual([3, 2, 1]);
    c = fold(c, { type: 'missed', missed: m(1, 'claimed'), is_new: false });
    expect(c.missed.map((x) => [x.id, x.state])).toEqual([
      [3, 'open'],
      [2, 'open'],
      [1, 'claimed'],
    ]);
  });

  it('keeps the outbox in the order given and removes acknowledged items', () => {
    let c = fold(
      emptyConsole(),
      { type: 'outbox_updated', item: pending('b', 2) },
      { type: 'outbox_updated', item: pending('a', 1) },
      {
        type: 'outbox_updated',
        item: { ...pending('b', 2), state: { state: 'failed', error: { code: 'x', message: 'y' } } },
      },
    );
    expect(c.outbox.map((i) => [i.client_id, i.state.state])).toEqual([
      ['a', 'pending'],
      ['b', 'failed'],
    ]);
    c = fold(c, { type: 'outbox_removed', client_id: 'a' });
    expect(c.outbox.map((i) => i.client_id)).toEqual(['b']);
  });

  it('sets connection, agent, status and departments', () => {
    const c = fold(
      emptyConsole(),
      { type: 'connection', state: { state: 'online' } },
      { type: 'status', status: 'away', reason: 'offers went unanswered' },
    );
    expect(c.connection).toEqual({ state: 'online' });
    expect(c.status).toBe('away');
  });

  it('numbers the console with the update it folded, and ignores updates it already has', () => {
    const c = applyUpdate(emptyConsole(), {
      version: 5,
      change: { type: 'status', status: 'online' },
    });
    expect(c.version).toBe(5);
    const again = applyUpdate(c, { version: 5, change: { type: 'status', status: 'away' } });
    expect(again, 'an update already folded in (from the snapshot) counts once').toBe(c);
  });

  it('resets to the given console under the update number', () => {
    const held = fold(emptyConsole(), { type: 'chat_opened', chat: openChat(chatSummary(1)) });
    const fresh = { ...emptyConsole({ state: 'online' }), version: 99 };
    const c = applyUpdate(held, { version: 42, change: { type: 'reset', console: fresh } });
    expect(c.chats).toEqual([]);
    expect(c.connection).toEqual({ state: 'online' });
    expect(c.version, 'the number of the reset update, as the core numbers it').toBe(42);
  });

  it('leaves the console untouched by presence and returned transfers', () => {
    const c = emptyConsole();
    expect(
      applyChange(c, {
        type: 'presence',
        agent: {
          id: 9,
          name: 'Alex',
          status: 'online',
          connected: true,
          active_chats: 1,
          max_chats: 4,
          departments: [],
        },
      }),
    ).toBe(c);
    expect(applyChange(c, { type: 'transfer_returned', chat_id: 1, to: sam, reason: 'declined' })).toBe(
      c,
    );
  });
});
