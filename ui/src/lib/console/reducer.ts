// The console mirror's reducer: the same rules as the client core's `Console::apply`
// (crates/client/src/console.rs), as a pure function over immutable values.
import type { ChatEvent } from '../ipc/bindings/ChatEvent';
import type { ClientId } from '../ipc/bindings/ClientId';
import type { ConnectionState } from '../ipc/bindings/ConnectionState';
import type { Console } from '../ipc/bindings/Console';
import type { ConsoleChange } from '../ipc/bindings/ConsoleChange';
import type { ConsoleUpdate } from '../ipc/bindings/ConsoleUpdate';
import type { OutboxItem } from '../ipc/bindings/OutboxItem';
import type { QueueEntry } from '../ipc/bindings/QueueEntry';

/** An empty console, as the core starts one (version 0). */
export function emptyConsole(connection: ConnectionState = { state: 'connecting' }): Console {
  return {
    version: 0,
    connection,
    departments: [],
    offers: [],
    chats: [],
    queue: [],
    missed: [],
    outbox: [],
    alerts: [],
  };
}

/**
 * Fold one numbered update into the console. An update the console already holds
 * (its number is not above the console's) is ignored, so a change that arrived
 * both in a snapshot and on the stream counts once; a reset always applies.
 */
export function applyUpdate(console: Console, update: ConsoleUpdate): Console {
  if (update.change.type !== 'reset' && update.version <= console.version) {
    return console;
  }
  const next = applyChange(console, update.change);
  return next.version === update.version ? next : { ...next, version: update.version };
}

/** Fold one change in, keeping the version (`Console::apply`). */
export function applyChange(c: Console, change: ConsoleChange): Console {
  switch (change.type) {
    case 'reset':
      return { ...change.console, version: c.version };
    case 'connection':
      return { ...c, connection: change.state };
    case 'agent':
      return { ...c, agent: change.agent };
    case 'status':
      return { ...c, status: change.status };
    case 'departments':
      return { ...c, departments: change.departments };
    case 'offer_added': {
      const offer = change.offer;
      const at = c.offers.findIndex((o) => o.id === offer.id);
      const offers = at >= 0 ? replaceAt(c.offers, at, offer) : [...c.offers, offer];
      return { ...c, offers };
    }
    case 'offer_removed': {
      const offers = c.offers.filter((o) => o.id !== change.offer_id);
      const held = c.chats.some((o) => o.chat.id === change.chat_id);
      const alerts = held ? c.alerts : c.alerts.filter((a) => a.chat_id !== change.chat_id);
      return { ...c, offers, alerts: sameIfEqualLength(c.alerts, alerts) };
    }
    case 'chat_opened': {
      const id = change.chat.chat.id;
      const events = dedupSorted(change.chat.events);
      const chat = { ...change.chat, events };
      const at = c.chats.findIndex((o) => o.chat.id === id);
      return {
        ...c,
        offers: c.offers.filter((o) => o.chat.id !== id),
        outbox: dropDelivered(c.outbox, events),
        chats: at >= 0 ? replaceAt(c.chats, at, chat) : [...c.chats, chat],
        alerts: c.alerts.filter((a) => !(a.chat_id === id && a.kind === 'waiting_for_agent')),
      };
    }
    case 'chat_updated': {
      const at = c.chats.findIndex((o) => o.chat.id === change.chat.id);
      if (at < 0) return c;
      const open = c.chats[at];
      if (open === undefined) return c;
      return { ...c, chats: replaceAt(c.chats, at, { ...open, chat: change.chat }) };
    }
    case 'chat_events': {
      const { chat_id: chatId, events } = change;
      let next: Console = { ...c, outbox: dropDelivered(c.outbox, events) };
      const at = c.chats.findIndex((o) => o.chat.id === chatId);
      const open = c.chats[at];
      if (open !== undefined) {
        const merged = mergeEvents(open.events, events);
        const last = merged[merged.length - 1];
        let updated = {
          ...open,
          events: merged,
          chat: last === undefined ? open.chat : { ...open.chat, last_event_id: last.id },
        };
        if (events.some(isVisitorMessage)) {
          // The sent message is what the preview was showing.
          updated = { ...updated, visitor_typing: false };
          delete updated.visitor_preview;
        }
        next = { ...next, chats: replaceAt(c.chats, at, updated) };
      } else {
        const offerAt = c.offers.findIndex((o) => o.chat.id === chatId);
        const offer = c.offers[offerAt];
        if (offer !== undefined) {
          next = {
            ...next,
            offers: replaceAt(c.offers, offerAt, {
              ...offer,
              events: mergeEvents(offer.events, events),
            }),
          };
        }
      }
      if (events.some(isAgentMessage)) {
        next = {
          ...next,
          alerts: next.alerts.filter(
            (a) => !(a.chat_id === chatId && a.kind === 'waiting_for_reply'),
          ),
        };
      }
      return next;
    }
    case 'chat_closed':
      return {
        ...c,
        chats: c.chats.filter((o) => o.chat.id !== change.chat_id),
        alerts: c.alerts.filter((a) => a.chat_id !== change.chat_id),
      };
    case 'transfer_returned':
    case 'presence':
      return c;
    case 'typing': {
      if (change.party !== 'visitor') return c;
      const at = c.chats.findIndex((o) => o.chat.id === change.chat_id);
      const open = c.chats[at];
      if (open === undefined) return c;
      const updated = { ...open, visitor_typing: change.typing };
      const preview = change.typing ? (change.preview ?? null) : null;
      if (preview === null) {
        delete updated.visitor_preview;
      } else {
        updated.visitor_preview = preview;
      }
      return { ...c, chats: replaceAt(c.chats, at, updated) };
    }
    case 'queue': {
      const kept = c.queue.filter((q) => q.department.id !== change.department.id);
      return { ...c, queue: sortQueue([...kept, ...change.entries]) };
    }
    case 'queue_list':
      return { ...c, queue: sortQueue([...change.entries]) };
    case 'missed': {
      const at = c.missed.findIndex((m) => m.id === change.missed.id);
      if (at >= 0) return { ...c, missed: replaceAt(c.missed, at, change.missed) };
      const missed = [...c.missed, change.missed].sort((a, b) => b.id - a.id);
      return { ...c, missed };
    }
    case 'alert': {
      const { alert } = change;
      const at = c.alerts.findIndex((a) => a.chat_id === alert.chat_id && a.kind === alert.kind);
      return { ...c, alerts: at >= 0 ? replaceAt(c.alerts, at, alert) : [...c.alerts, alert] };
    }
    case 'outbox_updated': {
      const { item } = change;
      const delivered = c.chats.some((o) =>
        o.events.some((e) => eventClientId(e) === item.client_id),
      );
      if (delivered) return c;
      const at = c.outbox.findIndex((i) => i.client_id === item.client_id);
      if (at >= 0) return { ...c, outbox: replaceAt(c.outbox, at, item) };
      const outbox = [...c.outbox, item].sort((a, b) => a.position - b.position);
      return { ...c, outbox };
    }
    case 'outbox_removed':
      return { ...c, outbox: c.outbox.filter((i) => i.client_id !== change.client_id) };
    default:
      // A change this build does not know: the core only sends known ones, so this is
      // a newer core; ignoring it keeps the rest of the console working.
      return c;
  }
}

/** The client id of the agent's own message, if the event is one. */
export function eventClientId(e: ChatEvent): ClientId | null {
  return e.type === 'message' ? (e.client_id ?? null) : null;
}

export function isVisitorMessage(e: ChatEvent): boolean {
  return e.type === 'message' && e.author.kind === 'visitor';
}

export function isAgentMessage(e: ChatEvent): boolean {
  return e.type === 'message' && e.author.kind === 'agent';
}

/** Events sorted by id, each id once (the first of equals kept, as `dedup_by_key`). */
function dedupSorted(events: ChatEvent[]): ChatEvent[] {
  const sorted = [...events].sort((a, b) => a.id - b.id);
  return sorted.filter((e, i) => i === 0 || sorted[i - 1]?.id !== e.id);
}

/** Insert each new event at its place by id; ids already held are skipped. */
function mergeEvents(into: ChatEvent[], events: ChatEvent[]): ChatEvent[] {
  let out = into;
  for (const e of events) {
    const at = searchById(out, e.id);
    if (at.found) continue;
    if (out === into) out = [...into];
    out.splice(at.index, 0, e);
  }
  return out;
}

function searchById(events: ChatEvent[], id: number): { found: boolean; index: number } {
  let lo = 0;
  let hi = events.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const at = events[mid]?.id ?? 0;
    if (at === id) return { found: true, index: mid };
    if (at < id) lo = mid + 1;
    else hi = mid;
  }
  return { found: false, index: lo };
}

/** A message the hub has stored is no longer pending: its outbox echo goes away. */
function dropDelivered(outbox: OutboxItem[], events: ChatEvent[]): OutboxItem[] {
  const delivered = new Set(events.map(eventClientId).filter((id) => id !== null));
  if (delivered.size === 0) return outbox;
  const kept = outbox.filter((i) => !delivered.has(i.client_id));
  return kept.length === outbox.length ? outbox : kept;
}

function sortQueue(entries: QueueEntry[]): QueueEntry[] {
  return entries.sort(
    (a, b) =>
      a.department.id - b.department.id || a.position - b.position || a.chat_id - b.chat_id,
  );
}

function replaceAt<T>(list: T[], at: number, value: T): T[] {
  const out = [...list];
  out[at] = value;
  return out;
}

function sameIfEqualLength<T>(before: T[], after: T[]): T[] {
  return before.length === after.length ? before : after;
}
