import { render, screen, within } from '@testing-library/svelte';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FakeBackend } from './lib/ipc/fake';
import { heldChat, settle } from './test/console';
import { quietWorld } from './lib/ipc/fake-world';
import { ManualClock } from './lib/time/clock.svelte';

describe('App', () => {
  it('opens on the sign-in screen with the version the backend reports', async () => {
    const backend = new FakeBackend({ appInfo: { name: 'Switchboard', version: '4.5.6' } });
    render(App, { backend });

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByText('Version 4.5.6')).toBeInTheDocument();
  });

  it('signs in to the console, and back out to a form that remembers the hub and email', async () => {
    const user = userEvent.setup();
    const clock = new ManualClock('2026-11-21T12:00:00Z');
    const backend = new FakeBackend({ now: () => clock.now });
    render(App, { backend, clock });

    await user.type(await screen.findByLabelText('Hub address'), 'https://chat.acme.example');
    await user.type(screen.getByLabelText('Email'), 'sam@acme.example');
    await user.type(screen.getByLabelText('Password'), 'secret');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await settle();
    expect(screen.getByText('No chats yet'), 'the console opens once signed in').toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    await settle();
    expect(backend.callsOf('signOut'), 'the core forgets the session').toHaveLength(1);
    expect(screen.getByLabelText('Hub address'), 'the hub address is kept for next time').toHaveValue('https://chat.acme.example');
    expect(screen.getByLabelText('Email')).toHaveValue('sam@acme.example');
    expect(screen.getByLabelText('Password'), 'the password never is').toHaveValue('');
  });

  it('restores a remembered session, and asks before signing out with chats open', async () => {
    const user = userEvent.setup();
    const backend = new FakeBackend({
      remembered: true,
      world: () => ({ ...quietWorld(), chats: [heldChat(1001, 'Dana Whitfield')] }),
    });
    render(App, { backend });
    expect(await screen.findByRole('tab', { name: /Dana Whitfield/ }), 'no sign-in needed').toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Sign out' }));
    const dialog = screen.getByRole('dialog', { name: 'Sign out with chats open?' });
    expect(dialog, 'the agent learns what happens to the chat').toHaveTextContent('You hold a chat.');
    await user.click(within(dialog).getByRole('button', { name: 'Stay signed in' }));
    expect(backend.callsOf('signOut'), 'staying changes nothing').toHaveLength(0);
    expect(screen.getByRole('tab', { name: /Dana Whitfield/ })).toBeInTheDocument();
  });
});
