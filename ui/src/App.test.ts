import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FakeBackend } from './lib/ipc';

describe('App', () => {
  it('opens on the sign-in screen with the version the backend reports', async () => {
    const backend = new FakeBackend({ appInfo: { name: 'Switchboard', version: '4.5.6' } });
    render(App, { backend });

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(await screen.findByText('Version 4.5.6')).toBeInTheDocument();
  });
});
