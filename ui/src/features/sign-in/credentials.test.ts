import { describe, expect, it } from 'vitest';
import { checkCredentials } from './credentials';

const draft = {
  hubUrl: 'https://chat.example.com',
  email: 'ada@example.com',
  password: 'pw',
  remember: true,
};

describe('checkCredentials', () => {
  it.each([
    ['https://chat.example.com/', 'https://chat.example.com'],
    ['http://127.0.0.1:8750', 'http://127.0.0.1:8750'],
    [' https://example.com/support/ ', 'https://example.com/support'],
  ])('accepts the hub address %j as %j', (hubUrl, expected) => {
    const check = checkCredentials({ ...draft, hubUrl });
    expect(check).toEqual({ ok: true, credentials: { ...draft, hubUrl: expected } });
  });

  it.each([
    '',
    'chat.example.com',
    'ftp://chat.example.com',
    'javascript:alert(1)',
    'https://user:pw@chat.example.com',
    'https://chat.example.com/?next=x',
  ])('refuses the hub address %j', (hubUrl) => {
    const check = checkCredentials({ ...draft, hubUrl });
    expect(check.ok ? null : check.field, 'only plain http(s) hub addresses are usable').toBe(
      'hubUrl',
    );
  });

  it('needs an email that looks like one and a password', () => {
    expect(checkCredentials({ ...draft, email: 'ada' })).toMatchObject({ ok: false, field: 'email' });
    expect(checkCredentials({ ...draft, password: '' })).toMatchObject({
      ok: false,
      field: 'password',
    });
  });
});
