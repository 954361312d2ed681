import { describe, expect, it } from 'vitest';
import { signInProblem } from './errors';

describe('signInProblem', () => {
  const hub = 'https://chat.acme.example';

  it('says what went wrong in words an agent can act on', () => {
    expect(signInProblem({ code: 'sign_in_refused', message: 'sign-in refused: bad' }, hub)).toBe(
      'Wrong email or password.',
    );
    expect(signInProblem({ code: 'network', message: 'cannot reach the hub: refused' }, hub)).toBe(
      'Can’t reach the hub at chat.acme.example. Check the address and your connection.',
    );
    expect(
      signInProblem({ code: 'sign_in_refused', message: 'sign-in refused: account disabled' }, hub),
    ).toMatch(/disabled/);
  });

  it("falls back to the backend's own sentence for codes it does not know", () => {
    expect(signInProblem({ code: 'cache', message: 'local cache: disk full' }, hub)).toBe(
      'local cache: disk full',
    );
  });
});
