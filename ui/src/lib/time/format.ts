// How times read in the console: clock times on messages, days on history rows, and
// running durations (waiting, countdowns) that tick.

const clockFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Milliseconds of an RFC 3339 time, or null for a missing or unreadable one. */
export function parseTime(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** "10:51" */
export function formatClock(iso: string): string {
  const ms = parseTime(iso);
  return ms === null ? '' : clockFormat.format(ms);
}

/** "3 Jun 2025, 10:51", for tooltips and the history. */
export function formatFull(iso: string): string {
  const ms = parseTime(iso);
  return ms === null ? '' : fullFormat.format(ms);
}

/** "Today", "Yesterday" or "3 Jun 2025", by the local calendar. */
export function formatDay(iso: string, now: number): string {
  const ms = parseTime(iso);
  if (ms === null) return '';
  const day = startOfDay(ms);
  const today = startOfDay(now);
  if (day === today) return 'Today';
  if (today - day <= 86_400_000 + 3_600_000 && today > day) return 'Yesterday';
  return dayFormat.format(ms);
}

function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Whole seconds from `iso` to `now`, never negative (clocks differ a little). */
export function secondsSince(iso: string | null | undefined, now: number): number | null {
  const ms = parseTime(iso);
  return ms === null ? null : Math.max(0, Math.floor((now - ms) / 1000));
}

/** Whole seconds from `now` until `iso`, never negative. */
export function secondsUntil(iso: string | null | undefined, now: number): number | null {
  const ms = parseTime(iso);
  return ms === null ? null : Math.max(0, Math.ceil((ms - now) / 1000));
}

/** A running duration: "0:07", "4:05", "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const mm = hours > 0 ? String(minutes).padStart(2, '0') : String(minutes);
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** A duration in words for screen readers and titles: "1 minute 5 seconds". */
export function durationInWords(totalSeconds: number): string {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const parts: string[] = [];
  if (hours > 0) parts.push(plural(hours, 'hour'));
  if (minutes > 0) parts.push(plural(minutes, 'minute'));
  if (hours === 0 && (seconds > 0 || parts.length === 0)) parts.push(plural(seconds, 'second'));
  return parts.join(' ');
}

/** "3 chats", "1 chat" */
export function plural(n: number, noun: string, nouns = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : nouns}`;
}
