// Short notes that come and go (a transfer was declined, an offer went to someone else),
// announced politely to screen readers.

export type ToastTone = 'info' | 'success' | 'warning' | 'error';

export interface Toast {
  id: number;
  text: string;
  tone: ToastTone;
}

export class Toaster {
  items = $state<Toast[]>([]);
  #next = 1;
  #timers = new Map<number, ReturnType<typeof setTimeout>>();

  push(text: string, tone: ToastTone = 'info', ms = 7000): void {
    const id = this.#next++;
    this.items = [...this.items.slice(-3), { id, text, tone }];
    if (ms > 0) this.#timers.set(id, setTimeout(() => this.dismiss(id), ms));
  }

  dismiss(id: number): void {
    const timer = this.#timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.#timers.delete(id);
    this.items = this.items.filter((t) => t.id !== id);
  }

  clear(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.items = [];
  }
}
