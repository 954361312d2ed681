import { render, screen } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { Credentials } from './credentials';
import SignIn from './SignIn.svelte';

function fields() {
  return {
    hubUrl: screen.getByLabelText('Hub address'),
    email: screen.getByLabelText('Email'),
    password: screen.getByLabelText('Password'),
    remember: screen.getByLabelText('Keep me signed in on this computer'),
    submit: screen.getByRole('button', { name: 'Sign in' }),
  };
}

describe('SignIn', () => {
  it('shows the form but keeps it disabled while no sign-in is wired', () => {
    render(SignIn, { version: '0.1.0' });

    const { hubUrl, email, password, remember, submit } = fields();
    for (const control of [hubUrl, email, password, remember, submit]) {
      expect(control, 'nothing can be typed or sent without a sign-in handler').toBeDisabled();
    }
    expect(screen.getByRole('status')).toHaveTextContent('cannot reach a hub yet');
    expect(screen.getByText('Version 0.1.0')).toBeInTheDocument();
  });

  it('hands trimmed credentials to the handler', async () => {
    const user = userEvent.setup();
    const onSignIn = vi.fn<(credentials: Credentials) => Promise<void>>(() => Promise.resolve());
    render(SignIn, { onSignIn });

    const { hubUrl, email, password, remember, submit } = fields();
    expect(submit, 'a handler enables the form').toBeEnabled();
    expect(screen.queryByRole('status'), 'no "turned off" notice once wired').toBeNull();
    await user.type(hubUrl, '  https://chat.example.com/  ');
    await user.type(email, ' ada@example.com ');
    await user.type(password, ' secret with spaces ');
    await user.click(remember);
    await user.click(submit);

    expect(onSignIn).toHaveBeenCalledExactlyOnceWith({
      hubUrl: 'https://chat.example.com',
      email: 'ada@example.com',
      password: ' secret with spaces ',
      remember: false,
    });
  });

  it('points at the field to fix instead of calling the handler', async () => {
    const user = userEvent.setup();
    const onSignIn = vi.fn(() => Promise.resolve());
    render(SignIn, { onSignIn });

    const { hubUrl, email, password, submit } = fields();
    await user.type(hubUrl, 'ftp://chat.example.com');
    await user.type(email, 'ada@example.com');
    await user.type(password, 'pw');
    await user.click(submit);

    expect(onSignIn, 'an ftp hub address must never be tried').not.toHaveBeenCalled();
    expect(hubUrl).toHaveAttribute('aria-invalid', 'true');
    expect(hubUrl).toHaveAccessibleDescription(
      'Enter the hub address, starting with https:// or http://.',
    );
  });

  it("shows the backend's message when sign-in is refused", async () => {
    const user = userEvent.setup();
    const onSignIn = vi.fn(() =>
      Promise.reject({ code: 'bad_credentials', message: 'Wrong email or password.' }),
    );
    render(SignIn, { onSignIn });

    const { hubUrl, email, password, submit } = fields();
    await user.type(hubUrl, 'http://127.0.0.1:8750');
    await user.type(email, 'ada@example.com');
    await user.type(password, 'wrong');
    await user.click(submit);

    expect(await screen.findByRole('alert')).toHaveTextContent('Wrong email or password.');
    expect(submit, 'the agent can try again').toBeEnabled();
  });
});
