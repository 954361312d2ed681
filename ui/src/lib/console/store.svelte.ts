// The console mirror the components read: the backend's snapshot, then every numbered
// update folded in with the same reducer as the core. Updates that arrive while the
// snapshot is on its way are held and folded in after it, so none is lost or doubled.
import { toBackendError, type Backend, type BackendError } from '../ipc/backend';
import type { Console } from '../ipc/bindings/Console';
import type { ConsoleChange } from '../ipc/bindings/ConsoleChange';
import type { ConsoleUpdate } from '../ipc/bindings/ConsoleUpdate';
import { applyUpdate, emptyConsole } from './reducer';

export class ConsoleStore {
  /** Replaced whole on every change, so `$derived` reads stay cheap and precise. */
  console = $state.raw<Console>(emptyConsole());
  ready = $state(false);
  failure = $state<BackendError | null>(null);

  readonly #backend: Backend;
  #held: ConsoleUpdate[] | null = null;
  #close: (() => void) | null = null;
  #listeners = new Set<(change: ConsoleChange, before: Console) => void>();
  #stopped = false;

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** Subscribe to the backend's console; resolves once the snapshot is in. */
  async start(): Promise<void> {
    this.#stopped = false;
    this.#held = [];
    this.failure = null;
    try {
      const subscription = await this.#backend.consoleSubscribe((update) => {
        this.#receive(update);
      });
      if (this.#stopped) {
        subscription.close();
        return;
      }
      this.#close = () => {
        subscription.close();
      };
      let console = subscription.console;
      for (const update of this.#held) console = applyUpdate(console, update);
      this.#held = null;
      this.console = console;
      this.ready = true;
    } catch (error) {
      this.#held = null;
      this.failure = toBackendError(error);
    }
  }

  stop(): void {
    this.#stopped = true;
    this.#close?.();
    this.#close = null;
    this.#listeners.clear();
  }

  /**
   * Hear every change as it arrives, including the ones the console keeps no trace of
   * (presence, a returned transfer, the reason an offer went away). `before` is the
   * console as it was, for what the change took away (the name on a closed chat).
   */
  listen(listener: (change: ConsoleChange, before: Console) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  #receive(update: ConsoleUpdate): void {
    if (this.#stopped) return;
    const before = this.console;
    if (this.#held !== null) {
      this.#held.push(update);
    } else {
      this.console = applyUpdate(this.console, update);
    }
    for (const listener of [...this.#listeners]) listener(update.change, before);
  }
}
