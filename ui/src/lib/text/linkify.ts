// Splits message text into plain text and links, recognising only http, https and
// mailto URLs and bare email addresses (which become mailto links). Everything else,
// markup included, stays text: the parts are rendered as text nodes, never as HTML.

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; url: string };

// A URL runs to the next whitespace or character that cannot end one in prose; an
// email is the usual local@domain.tld shape.
const candidate =
  /\b(?:https?:\/\/|mailto:)[^\s<>"'`]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/gi;

const ALLOWED = new Set(['http:', 'https:', 'mailto:']);

export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(candidate)) {
    const start = match.index;
    const raw = trimTrailing(match[0]);
    const url = toSafeUrl(raw);
    if (url === null) continue;
    if (start > last) parts.push({ kind: 'text', text: text.slice(last, start) });
    parts.push({ kind: 'link', text: raw, url });
    last = start + raw.length;
  }
  if (last < text.length) parts.push({ kind: 'text', text: text.slice(last) });
  return mergeText(parts);
}

/** The URL to open for a recognised link, or null when it is not one we open. */
export function toSafeUrl(raw: string): string | null {
  const href = /^(?:https?:\/\/|mailto:)/i.test(raw) ? raw : `mailto:${raw}`;
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return null;
  }
  if (!ALLOWED.has(url.protocol)) return null;
  if (url.protocol !== 'mailto:' && url.hostname === '') return null;
  if (url.protocol === 'mailto:' && !/^[^\s@]+@[^\s@]+$/.test(decodeSafe(url.pathname))) {
    return null;
  }
  return url.href;
}

function decodeSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Drop punctuation that ends the sentence rather than the URL. */
function trimTrailing(raw: string): string {
  let s = raw;
  for (;;) {
    const end = s.at(-1);
    if (end === undefined) return s;
    if ('.,;:!?'.includes(end)) {
      s = s.slice(0, -1);
    } else if (end === ')' && count(s, '(') < count(s, ')')) {
      s = s.slice(0, -1);
    } else if (end === ']' && count(s, '[') < count(s, ']')) {
      s = s.slice(0, -1);
    } else {
      return s;
    }
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

function mergeText(parts: TextPart[]): TextPart[] {
  const out: TextPart[] = [];
  for (const part of parts) {
    const prev = out.at(-1);
    if (part.kind === 'text' && prev?.kind === 'text') {
      out[out.length - 1] = { kind: 'text', text: prev.text + part.text };
    } else {
      out.push(part);
    }
  }
  return out;
}
