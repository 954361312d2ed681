import { describe, expect, it } from 'vitest';
import { linkify } from './linkify';

describe('linkify', () => {
  it('turns http and https URLs into links and keeps the rest as text', () => {
    expect(linkify('See https://acme.example/help?id=4 and http://x.example.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://acme.example/help?id=4', url: 'https://acme.example/help?id=4' },
      { kind: 'text', text: ' and ' },
      { kind: 'link', text: 'http://x.example', url: 'http://x.example/' },
      { kind: 'text', text: '.' },
    ]);
  });

  it('makes bare emails and mailto: links open the mail app', () => {
    expect(linkify('Write to dana@example.org or mailto:help@acme.example!')).toEqual([
      { kind: 'text', text: 'Write to ' },
      { kind: 'link', text: 'dana@example.org', url: 'mailto:dana@example.org' },
      { kind: 'text', text: ' or ' },
      { kind: 'link', text: 'mailto:help@acme.example', url: 'mailto:help@acme.example' },
      { kind: 'text', text: '!' },
    ]);
  });

  it.each([
    'javascript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://files.example/x',
    'vbscript:msgbox(1)',
    '<a href="javascript:alert(1)">click</a>',
    '<img src=x onerror=alert(1)>',
  ])('leaves %j as plain text', (text) => {
    expect(
      linkify(text).filter((p) => p.kind === 'link'),
      'only http, https and mailto may become links',
    ).toEqual([]);
    expect(linkify(text).map((p) => p.text).join('')).toBe(text);
  });

  it('keeps balanced parentheses inside a URL and drops the closing one of the sentence', () => {
    expect(linkify('(see https://en.example/wiki/Foo_(bar))')).toEqual([
      { kind: 'text', text: '(see ' },
      {
        kind: 'link',
        text: 'https://en.example/wiki/Foo_(bar)',
        url: 'https://en.example/wiki/Foo_(bar)',
      },
      { kind: 'text', text: ')' },
    ]);
  });

  it('never loses or reorders a character', () => {
    const text = 'a https://a.example/x, b@c.example; "https://q.example/?a=<b>" end';
    expect(linkify(text).map((p) => p.text).join('')).toBe(text);
  });
});
