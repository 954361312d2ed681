import { describe, expect, it } from 'vitest';
import { shortcutOf, type KeyLike } from './keyboard';

function key(init: Partial<KeyLike>): KeyLike {
  return { key: '', code: '', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...init };
}

describe('shortcutOf', () => {
  it('maps Ctrl+1..9 to chats by position', () => {
    expect(shortcutOf(key({ key: '1', code: 'Digit1', ctrlKey: true }))).toEqual({ kind: 'chat', index: 0 });
    expect(shortcutOf(key({ key: '9', code: 'Digit9', ctrlKey: true }))).toEqual({ kind: 'chat', index: 8 });
    expect(shortcutOf(key({ key: '0', code: 'Digit0', ctrlKey: true })), 'there is no chat 0').toBeNull();
    expect(shortcutOf(key({ key: '1', code: 'Digit1' })), 'a plain digit is typing').toBeNull();
  });

  it('cycles with Ctrl+Tab and Ctrl+Shift+Tab', () => {
    expect(shortcutOf(key({ key: 'Tab', ctrlKey: true }))).toEqual({ kind: 'cycle', step: 1 });
    expect(shortcutOf(key({ key: 'Tab', ctrlKey: true, shiftKey: true }))).toEqual({ kind: 'cycle', step: -1 });
    expect(shortcutOf(key({ key: 'Tab' })), 'plain Tab moves focus').toBeNull();
  });

  it('accepts with Alt+A whatever character the layout makes of it', () => {
    expect(shortcutOf(key({ key: 'å', code: 'KeyA', altKey: true }))).toEqual({ kind: 'accept' });
    expect(shortcutOf(key({ key: 'a', code: 'KeyA' }))).toBeNull();
    expect(shortcutOf(key({ key: 'a', code: 'KeyA', ctrlKey: true }))).toBeNull();
  });

  it('focuses the composer with Ctrl+K, and never takes the "/" that opens canned responses', () => {
    expect(shortcutOf(key({ key: 'k', code: 'KeyK', ctrlKey: true }))).toEqual({ kind: 'composer' });
    expect(shortcutOf(key({ key: '/', code: 'Slash' }))).toBeNull();
  });
});
