// Opens the signed-in console against a FakeBackend with a manual clock, the way the
// component tests of every feature start: the fake plays the hub, the visitors and the
// network; the clock moves only when a test says so.
import { render, screen, type RenderResult } from '@testing-library/svelte';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { tick } from 'svelte';
import { expect, vi } from 'vitest';
import ConsoleScreen from '../app/ConsoleScreen.svelte';
import { FakeBackend } from '../lib/ipc/fake';
import type { FakeWorld } from '../lib/ipc/fake-world';
import { quietWorld } from '../lib/ipc/fake-world';
import { ManualClock } from '../lib/time/clock.svelte';
import type { CachedTranscript } from '../lib/ipc/bindings/CachedTranscript';
import type { OpenChat } from '../lib/ipc/bindings/OpenChat';
import {
  chatSummary,
  messageEvent,
  openChat as openChatOf,
  visitorAuthor,
  visitorInfo,
} from '../lib/ipc/fake-data';

export const START = '2026-11-21T12:00:00Z';

export interface OpenConsole {
  backend: FakeBackend;
  clock: ManualClock;
  user: UserEvent;
  onSignedOut: ReturnType<typeof vi.fn>;
  result: RenderResult<typeof ConsoleScreen>;
}

export interface ConsoleOptions {
  /** Changes to the quiet day the agent signs in to. */
  world?: (world: FakeWorld, now: number) => void;
}

export async function openConsole(options: ConsoleOptions = {}): Promise<OpenConsole> {
  const clock = new ManualClock(START);
  const backend = new FakeBackend({
    now: () => clock.now,
    remembered: true,
    world: (now) => {
      const world = quietWorld();
      options.world?.(world, now);
      return world;
    },
  });
  const session = await backend.sessionRestore();
  expect(session, 'the fake remembers a session, so the console can open').not.toBeNull();
  if (session === null) throw new Error('no session');
  const onSignedOut = vi.fn();
  const user = userEvent.setup();
  const result = render(ConsoleScreen, { backend, session, onSignedOut, clock });
  // jsdom's document never has the focus on its own; the agent's window does.
  window.dispatchEvent(new FocusEvent('focus'));
  await settle();
  return { backend, clock, user, onSignedOut, result };
}

/** Let the fake's answers and Svelte's updates land. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    await tick();
  }
}

/** Give every pending change a chance to render, then the clock one more second. */
export async function advance(clock: ManualClock, ms: number): Promise<void> {
  clock.advance(ms);
  await tick();
}

export { screen };

/** An active chat the agent already holds, with the visitor's opening message. */
export function heldChat(
  id: number,
  visitor: string,
  options: {
    email?: string;
    departmentId?: 1 | 2;
    question?: string;
    waitingSince?: string | null;
    previousChats?: number;
    at?: string;
  } = {},
): OpenChat {
  const at = options.at ?? '2026-11-21T11:58:00Z';
  const department = options.departmentId === 1 ? { id: 1, name: 'Sales' } : { id: 2, name: 'Support' };
  const question = options.question ?? `Question from ${visitor}`;
  const chat = chatSummary(id, {
    visitor: visitorInfo(visitor, {
      email: options.email ?? null,
      page_url: 'https://shop.acme.example/account/invoices',
      user_agent:
        'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0',
      site: 'shop.acme.example',
      previous_chats: options.previousChats ?? 0,
    }),
    department,
    question,
    state: 'active',
    created_at: at,
    accepted_at: at,
    agent: { id: 7, name: 'Sam Rivera' },
    visitor_waiting_since: options.waitingSince === undefined ? null : options.waitingSince,
  });
  return openChatOf(chat, [
    messageEvent(id * 10, id, visitorAuthor(visitor), question, at),
  ]);
}

/** A finished chat in this computer's history cache, wrapped up with an outcome. */
export function pastChat(
  id: number,
  visitor: string,
  question: string,
  options: { email?: string; at?: string; outcome?: string; messages?: string[] } = {},
): CachedTranscript {
  const at = options.at ?? '2026-11-18T10:00:00Z';
  const chat = chatSummary(id, {
    visitor: visitorInfo(visitor, { email: options.email ?? null, previous_chats: 0 }),
    question,
    state: 'ended',
    created_at: at,
    accepted_at: at,
    ended_at: at,
    agent: { id: 7, name: 'Sam Rivera' },
    wrap_up: { state: 'done', wrap_up: { outcome: options.outcome ?? 'Resolved', notes: '', tags: [] }, at },
  });
  const texts = options.messages ?? [question];
  return {
    chat,
    events: texts.map((text, i) => messageEvent(id * 10 + i, id, visitorAuthor(visitor), text, at)),
  };
}
