// The console's keyboard shortcuts, as a pure mapping from a key event to what it asks.

export type Shortcut =
  | { kind: 'chat'; index: number }
  | { kind: 'cycle'; step: 1 | -1 }
  | { kind: 'accept' }
  | { kind: 'composer' };

/** Shown on the oldest offer's Accept button. */
export const ACCEPT_SHORTCUT = 'Alt+A';
export const COMPOSER_SHORTCUT = 'Ctrl+K';

export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
}

export function shortcutOf(event: KeyLike): Shortcut | null {
  const mod = event.ctrlKey || event.metaKey;
  if (mod && !event.altKey && !event.shiftKey) {
    const digit = /^Digit([1-9])$/.exec(event.code)?.[1] ?? (/^[1-9]$/.test(event.key) ? event.key : null);
    if (digit !== null) return { kind: 'chat', index: Number(digit) - 1 };
    if (event.key.toLowerCase() === 'k') return { kind: 'composer' };
  }
  if (event.ctrlKey && !event.altKey && event.key === 'Tab') {
    return { kind: 'cycle', step: event.shiftKey ? -1 : 1 };
  }
  if (event.ctrlKey && !event.altKey && (event.key === 'PageDown' || event.key === 'PageUp')) {
    return { kind: 'cycle', step: event.key === 'PageDown' ? 1 : -1 };
  }
  if (event.altKey && !mod && !event.shiftKey && event.code === 'KeyA') return { kind: 'accept' };
  return null;
}

export const SHORTCUTS: { keys: string; what: string }[] = [
  { keys: ACCEPT_SHORTCUT, what: 'Accept the oldest offer' },
  { keys: 'Ctrl+1 … Ctrl+9', what: 'Go to chat 1 to 9' },
  { keys: 'Ctrl+Tab / Ctrl+Shift+Tab', what: 'Next / previous chat' },
  { keys: COMPOSER_SHORTCUT, what: 'Write in the open chat' },
  { keys: 'Enter / Shift+Enter', what: 'Send / new line' },
  { keys: '/', what: 'Canned responses (in the message box)' },
  { keys: 'Esc', what: 'Close a dialog or menu' },
];
