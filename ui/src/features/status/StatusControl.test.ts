import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { openConsole, screen, settle } from '../../test/console';

describe('StatusControl', () => {
  it('switches between online, away and offline through the backend', async () => {
    const { backend, user } = await openConsole();
    const group = screen.getByRole('radiogroup', { name: 'Your status' });
    expect(within(group).getByRole('radio', { name: 'Online' }), 'the agent signs in online').toBeChecked();

    await user.click(within(group).getByRole('radio', { name: 'Away' }));
    await settle();
    expect(backend.callsOf('statusSet'), 'the choice goes to the hub').toEqual([['away']]);
    expect(within(group).getByRole('radio', { name: 'Away' })).toBeChecked();
    expect(within(group).getByRole('radio', { name: 'Online' })).not.toBeChecked();

    await user.click(within(group).getByRole('radio', { name: 'Offline' }));
    await settle();
    expect(within(group).getByRole('radio', { name: 'Offline' })).toBeChecked();
  });

  it('follows a status the tray menu sets', async () => {
    const { backend } = await openConsole();
    backend.emitAppEvent({ type: 'tray_status', status: 'away' });
    await settle();
    expect(screen.getByRole('radio', { name: 'Away' }), 'the tray and the window agree').toBeChecked();
  });

  it('explains a refused change and keeps the old status', async () => {
    const { backend, user } = await openConsole();
    backend.failNext('statusSet', { code: 'forbidden', message: 'Your admin has locked your status.' });

    await user.click(screen.getByRole('radio', { name: 'Away' }));
    await settle();
    expect(screen.getByRole('alert'), 'the agent learns why').toHaveTextContent('Your admin has locked your status.');
    expect(screen.getByRole('radio', { name: 'Online' }), 'nothing changed').toBeChecked();
  });

  it('cannot be changed while disconnected', async () => {
    const { backend } = await openConsole();
    backend.setConnection({ state: 'offline', reason: 'stopped' });
    await settle();
    for (const radio of screen.getAllByRole('radio')) {
      expect(radio, 'a status needs the hub').toBeDisabled();
    }
  });
});
