// The agent's typing state as the visitor sees it: "typing" on the first keystroke,
// "stopped" after a pause or when the message is sent, and nothing in between, so a
// fast typist costs two commands, not one per key.

export const TYPING_IDLE_MS = 4000;

export class TypingReporter {
  readonly #send: (typing: boolean) => void;
  readonly #idleMs: number;
  #typing = false;
  #timer: ReturnType<typeof setTimeout> | null = null;

  constructor(send: (typing: boolean) => void, idleMs = TYPING_IDLE_MS) {
    this.#send = send;
    this.#idleMs = idleMs;
  }

  /** A keystroke that changed the draft. */
  keystroke(): void {
    if (!this.#typing) {
      this.#typing = true;
      this.#send(true);
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.stop(), this.#idleMs);
  }

  /** The message was sent, the draft emptied, or the agent left the chat. */
  stop(): void {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    if (this.#typing) {
      this.#typing = false;
      this.#send(false);
    }
  }
}
