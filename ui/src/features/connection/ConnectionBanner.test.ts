import { describe, expect, it } from 'vitest';
import { advance, heldChat, openConsole, screen, settle } from '../../test/console';

describe('ConnectionBanner', () => {
  it('shows nothing while online', async () => {
    await openConsole();
    expect(
      screen.queryByText(/Connection lost|You’re offline|You were signed out|Connecting to the hub/),
      'an online console has no banner',
    ).toBeNull();
  });

  it('counts down to the next reconnect try, and retries now on request', async () => {
    const { backend, clock, user } = await openConsole();
    backend.setConnection({
      state: 'reconnecting',
      attempt: 3,
      next_attempt_at: '2026-11-21T12:00:12Z',
      last_error: 'connection refused',
    });
    await settle();

    const banner = screen.getByText(/^Connection lost/).closest('[role="status"]');
    expect(banner, 'the banner says when the next try is').toHaveTextContent('Connection lost. Trying again in 0:12');
    expect(banner).toHaveTextContent('(attempt 3)');
    expect(banner, 'and that sending still works').toHaveTextContent('Messages you send now will be sent when the connection returns.');
    await advance(clock, 5_000);
    expect(banner, 'the countdown follows the clock').toHaveTextContent('Trying again in 0:07');
    await advance(clock, 7_000);
    expect(banner, 'at zero it says it is trying').toHaveTextContent('Connection lost. Reconnecting…');

    await user.click(screen.getByRole('button', { name: 'Retry now' }));
    await settle();
    expect(backend.callsOf('connectionRetry'), 'Retry now asks the core to reconnect').toHaveLength(1);
    expect(screen.queryByText(/Connection lost/), 'back online, the banner goes').toBeNull();
  });

  it('says offline messages will be sent later, counting what waits', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    backend.setConnection({ state: 'offline', reason: 'stopped' });
    await settle();
    expect(screen.getByText('You’re offline.')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: 'Message to Dana Whitfield' }), 'Hello{Enter}');
    await settle();
    expect(
      screen.getByText('1 item waiting in your outbox will be sent when the connection returns.'),
      'the banner counts the outbox so the agent knows nothing is lost',
    ).toBeInTheDocument();
  });

  it('says the session ended and offers to sign in again', async () => {
    const { backend, user, onSignedOut } = await openConsole();
    backend.setConnection({ state: 'signed_out', reason: 'the session expired' });
    await settle();

    const banner = screen.getByRole('alert');
    expect(banner, 'the banner gives the hub\'s reason').toHaveTextContent('You were signed out (the session expired).');
    await user.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(onSignedOut, 'the app goes back to the sign-in screen with the reason').toHaveBeenCalledWith(
      'You were signed out (the session expired). Please sign in again.',
    );
  });
});
