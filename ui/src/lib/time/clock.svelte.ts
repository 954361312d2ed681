// The console's sense of "now", ticking once a second so waiting times, countdowns and
// offer timers move on screen. Tests hand components a ManualClock instead.

export interface Clock {
  /** Milliseconds since the epoch, reactive: reading it in a template re-renders on tick. */
  readonly now: number;
}

/** The wall clock, read once a second while started. */
export class LiveClock implements Clock {
  now = $state(Date.now());
  #timer: ReturnType<typeof setInterval> | null = null;

  start(): void {
    if (this.#timer !== null) return;
    this.now = Date.now();
    this.#timer = setInterval(() => {
      this.now = Date.now();
    }, 1000);
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}

/** A clock that moves only when told to. */
export class ManualClock implements Clock {
  now = $state(0);

  constructor(start: number | string) {
    this.now = typeof start === 'string' ? Date.parse(start) : start;
  }

  set(at: number | string): void {
    this.now = typeof at === 'string' ? Date.parse(at) : at;
  }

  advance(ms: number): void {
    this.now += ms;
  }
}
