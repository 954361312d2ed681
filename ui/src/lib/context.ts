// What every part of the signed-in console shares: the backend, the console mirror and
// the clock. Set once by the console screen; tests pass the same three in a Map.
import { getContext, setContext } from 'svelte';
import type { ConsoleStore } from './console/store.svelte';
import type { Backend } from './ipc/backend';
import type { Clock } from './time/clock.svelte';

const BACKEND = Symbol('backend');
const STORE = Symbol('console store');
const CLOCK = Symbol('clock');

export interface ConsoleContext {
  backend: Backend;
  store: ConsoleStore;
  clock: Clock;
}

export function setConsoleContext(context: ConsoleContext): void {
  setContext(BACKEND, context.backend);
  setContext(STORE, context.store);
  setContext(CLOCK, context.clock);
}

/** The same context as a Map, for `render(Component, { context })` in tests. */
export function consoleContextMap(context: ConsoleContext): Map<symbol, unknown> {
  return new Map<symbol, unknown>([
    [BACKEND, context.backend],
    [STORE, context.store],
    [CLOCK, context.clock],
  ]);
}

export function useBackend(): Backend {
  return required(getContext<Backend | undefined>(BACKEND), 'backend');
}

export function useStore(): ConsoleStore {
  return required(getContext<ConsoleStore | undefined>(STORE), 'console store');
}

export function useClock(): Clock {
  return required(getContext<Clock | undefined>(CLOCK), 'clock');
}

function required<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`the console's ${what} is missing: render inside the console screen`);
  }
  return value;
}
