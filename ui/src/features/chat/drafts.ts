// Unsent text per chat, kept while the agent looks at another chat.

export class Drafts {
  readonly #texts = new Map<number, string>();

  get(chatId: number): string {
    return this.#texts.get(chatId) ?? '';
  }

  set(chatId: number, text: string): void {
    if (text === '') this.#texts.delete(chatId);
    else this.#texts.set(chatId, text);
  }

  /** Forget the drafts of chats that are gone. */
  keepOnly(chatIds: Iterable<number>): void {
    const keep = new Set(chatIds);
    for (const id of [...this.#texts.keys()]) if (!keep.has(id)) this.#texts.delete(id);
  }
}
