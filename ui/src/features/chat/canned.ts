// The "/" in the composer: finding the shortcut being typed, picking the responses that
// match it, and putting the filled-in text in its place.
import type { CannedResponse } from '../../lib/ipc/bindings/CannedResponse';

export interface CannedQuery {
  /** Where the "/" is. */
  start: number;
  /** What follows it, up to the caret. */
  query: string;
}

/** The shortcut being typed at the caret: a "/" at the start or after a space. */
export function cannedQuery(text: string, caret: number): CannedQuery | null {
  const before = text.slice(0, caret);
  const match = /(^|\s)\/([\w.-]*)$/.exec(before);
  if (match === null) return null;
  const query = match[2] ?? '';
  return { start: before.length - query.length - 1, query };
}

/**
 * Responses usable in a chat of this department, best match first: shortcuts that
 * start with the query, then shortcuts containing it, then texts containing it.
 */
export function matchCanned(
  responses: CannedResponse[],
  query: string,
  departmentId: number,
): CannedResponse[] {
  const q = query.toLowerCase();
  const usable = responses.filter(
    (r) => r.scope === 'personal' || r.department?.id === undefined || r.department.id === departmentId,
  );
  const rank = (r: CannedResponse): number => {
    const shortcut = r.shortcut.toLowerCase();
    if (shortcut.startsWith(q)) return 0;
    if (shortcut.includes(q)) return 1;
    if (r.text.toLowerCase().includes(q)) return 2;
    return 3;
  };
  return usable
    .map((r) => ({ r, rank: rank(r) }))
    .filter((x) => x.rank < 3)
    .sort((a, b) => a.rank - b.rank || a.r.shortcut.localeCompare(b.r.shortcut))
    .map((x) => x.r);
}

/** The text with [start, end) replaced, and where the caret goes after the insert. */
export function replaceRange(
  text: string,
  start: number,
  end: number,
  insert: string,
): { text: string; caret: number } {
  return { text: text.slice(0, start) + insert + text.slice(end), caret: start + insert.length };
}
