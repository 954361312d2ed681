import { describe, expect, it } from 'vitest';
import type { CannedResponse } from '../../lib/ipc/bindings/CannedResponse';
import { cannedQuery, matchCanned, replaceRange } from './canned';

describe('cannedQuery', () => {
  it('finds a "/" shortcut at the start or after a space, up to the caret', () => {
    expect(cannedQuery('/he', 3)).toEqual({ start: 0, query: 'he' });
    expect(cannedQuery('Thanks! /by', 11)).toEqual({ start: 8, query: 'by' });
    expect(cannedQuery('/', 1)).toEqual({ start: 0, query: '' });
  });

  it('ignores slashes inside words and URLs', () => {
    expect(cannedQuery('and/or', 6)).toBeNull();
    expect(cannedQuery('see https://x.example/help', 26)).toBeNull();
    expect(cannedQuery('/hello there', 12), 'the caret is past the shortcut').toBeNull();
  });
});

describe('matchCanned', () => {
  const responses: CannedResponse[] = [
    { id: 1, scope: 'department', department: { id: 2, name: 'Support' }, shortcut: 'hello', text: 'Hi there' },
    { id: 2, scope: 'personal', owner: 7, shortcut: 'moment', text: 'One moment, hello' },
    { id: 3, scope: 'department', department: { id: 1, name: 'Sales' }, shortcut: 'help', text: 'Sales help' },
    { id: 4, scope: 'personal', owner: 7, shortcut: 'othello', text: 'x' },
  ];

  it("ranks shortcut prefixes first and leaves out other departments' responses", () => {
    expect(matchCanned(responses, 'hel', 2).map((r) => r.id), 'Sales’ /help is not for a Support chat').toEqual([1, 4, 2]);
    expect(matchCanned(responses, 'hello', 2).map((r) => r.id)).toEqual([1, 4, 2]);
    expect(matchCanned(responses, '', 1).map((r) => r.id)).toEqual([3, 2, 4]);
  });
});

describe('replaceRange', () => {
  it('puts the filled text where the shortcut was and the caret after it', () => {
    expect(replaceRange('Hi /hel!', 3, 7, 'Hello Dana')).toEqual({ text: 'Hi Hello Dana!', caret: 13 });
  });
});
