import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TypingReporter } from './typing';

describe('TypingReporter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('says "typing" once for a burst of keys and "stopped" after the pause', () => {
    const sent: boolean[] = [];
    const typing = new TypingReporter((t) => sent.push(t), 4000);
    typing.keystroke();
    vi.advanceTimersByTime(1000);
    typing.keystroke();
    typing.keystroke();
    expect(sent, 'only the first keystroke reports').toEqual([true]);
    vi.advanceTimersByTime(3999);
    expect(sent, 'each keystroke restarts the pause').toEqual([true]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([true, false]);
  });

  it('stops at once when the message is sent, and only once', () => {
    const sent: boolean[] = [];
    const typing = new TypingReporter((t) => sent.push(t), 4000);
    typing.keystroke();
    typing.stop();
    typing.stop();
    vi.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false]);
  });
});
