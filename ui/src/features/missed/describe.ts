// Words for a missed chat's state and the reason it was missed.
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
