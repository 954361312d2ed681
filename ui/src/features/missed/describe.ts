// Words for a missed chat's state and the reason it was missed, and its transcript.
import type { ChatEvent } from '../../lib/ipc/bindings/ChatEvent';
import type { MissedChat } from '../../lib/ipc/bindings/MissedChat';
import type { MissedReason } from '../../lib/ipc/bindings/MissedReason';

export function reasonText(reason: MissedReason): string {
  switch (reason) {
    case 'visitor_left':
      return 'Left before anyone answered';
    case 'queue_timeout':
      return 'Waited too long in the queue';
    case 'no_agents':
      return 'Nobody was online';
    case 'closed':
      return 'Outside opening hours';
    case 'offline_message':
      return 'Left an offline message';
    default:
      return 'Missed';
  }
}

export type StateTone = 'amber' | 'soft' | 'success' | 'plain';

export function stateText(missed: MissedChat, meId: number | null): { text: string; tone: StateTone } {
  switch (missed.state) {
    case 'open':
      return { text: 'Open', tone: 'amber' };
    case 'claimed':
      return missed.claimed_by?.id === meId
        ? { text: 'Claimed by you', tone: 'soft' }
        : { text: `Claimed by ${missed.claimed_by?.name ?? 'another agent'}`, tone: 'soft' };
    case 'replied':
      return { text: 'Replied', tone: 'success' };
    case 'closed':
      return { text: 'Closed', tone: 'plain' };
    default:
      return { text: 'Unknown', tone: 'plain' };
  }
}

/** Whether the missed chat still wants an answer from someone. */
export function needsAnswer(missed: MissedChat): boolean {
  return missed.state === 'open' || missed.state === 'claimed';
}

/**
 * What the missed chat's transcript shows: the visitor's messages (`events`) and the
 * email replies. The hub lists replies apart from the events, so each one becomes an
 * `email_reply` entry here, unless the events already carry it; in time order.
 */
export function missedTranscript(missed: MissedChat): ChatEvent[] {
  const carried = new Set(
    missed.events.flatMap((e) => (e.type === 'email_reply' ? [e.email_id] : [])),
  );
  const replies: ChatEvent[] = missed.replies
    .filter((r) => !carried.has(r.id))
    .map((r) => ({
      // Negative ids cannot meet the hub's event ids, which start at 1.
      id: -r.id,
      chat_id: missed.chat_id,
      at: r.created_at,
      type: 'email_reply',
      agent: r.agent,
      to: r.to,
      subject: r.subject,
      text: r.text,
      email_id: r.id,
    }));
  if (replies.length === 0) return missed.events;
  return [...missed.events, ...replies].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
