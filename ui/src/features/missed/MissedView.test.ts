import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { openConsole, screen, settle } from '../../test/console';

async function missedView() {
  const opened = await openConsole();
  const { backend, user } = opened;
  const ida = backend.missChat({
    visitor: 'Ida Berg',
    email: 'ida@example.org',
    question: 'Do you ship to Norway?',
    messages: ['Do you ship to Norway?', 'And how long does it take?'],
  });
  const olaf = backend.missChat({ visitor: 'Olaf Kern', question: 'Anyone there?', reason: 'no_agents' });
  await settle();
  await user.click(screen.getByRole('button', { name: /^Missed/ }));
  return { ...opened, ida, olaf };
}

function item(name: string): HTMLElement {
  return screen.getByRole('button', { name: new RegExp(`^${name}`) });
}

function detail(name: string): HTMLElement {
  return screen.getByRole('article', { name });
}

describe('MissedView', () => {
  it('lists missed chats with their state, reason and whether they can be answered', async () => {
    await missedView();
    expect(screen.getByRole('button', { name: /^Missed/ }), 'the view badge counts open ones').toHaveTextContent('2');
    expect(item('Ida Berg'), 'a new missed chat is open').toHaveTextContent('Open');
    expect(item('Ida Berg')).toHaveTextContent('Left before anyone answered');
    expect(item('Olaf Kern'), 'without an email there is nobody to reply to').toHaveTextContent('No email');
    expect(item('Olaf Kern')).toHaveTextContent('Nobody was online');
  });

  it('claims a missed chat, replies by email, and shows the sent reply in the transcript', async () => {
    const { backend, user } = await missedView();
    await user.click(item('Ida Berg'));
    const ida = detail('Ida Berg');
    expect(within(ida).getByText('And how long does it take?'), 'everything the visitor wrote').toBeInTheDocument();
    expect(within(ida).queryByRole('textbox'), 'no reply box before claiming, so two agents never answer at once').toBeNull();

    await user.click(within(ida).getByRole('button', { name: 'Claim' }));
    await settle();
    expect(item('Ida Berg'), 'the list shows the claim').toHaveTextContent('Claimed by you');
    expect(within(ida).getByText('Your claim holds for 15 min')).toBeInTheDocument();
    expect(within(ida).getByText('ida@example.org', { selector: '.envelope span' }), 'the reply goes to the visitor\'s email').toBeInTheDocument();
    expect(within(ida).getByText('Re: Do you ship to Norway?')).toBeInTheDocument();

    await user.type(within(ida).getByLabelText('Email reply to Ida Berg'), 'Yes, we ship to Norway in 3 days.');
    await user.click(within(ida).getByRole('button', { name: 'Send email reply' }));
    await settle();
    expect(backend.callsOf('missedReply'), 'the reply goes through the outbox').toEqual([[1, 'Yes, we ship to Norway in 3 days.']]);
    expect(within(ida).getByText('Sending the email reply…'), 'pending until the hub has it').toBeInTheDocument();

    backend.flushOutbox();
    await settle();
    expect(within(ida).getByText('Yes, we ship to Norway in 3 days.'), 'the sent reply is in the transcript').toBeInTheDocument();
    expect(within(ida).getByText(/replied by email to/), 'marked as an email reply').toBeInTheDocument();
    expect(within(ida).getByText('Queued for sending'), 'with its delivery state').toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Ida Berg/ }), 'an answered chat leaves "To answer"').toBeNull();
    await user.click(screen.getByRole('radio', { name: /^All/ }));
    expect(item('Ida Berg'), 'All shows it as replied').toHaveTextContent('Replied');

    backend.setEmailDelivery(1, { state: 'sent', at: '2026-11-21T12:00:30Z' });
    await settle();
    expect(within(ida).getByText(/Sent at/), 'the mailer\'s progress shows').toBeInTheDocument();
  });

  it('shows who else claimed a chat and offers no reply', async () => {
    const { backend, user } = await missedView();
    backend.claimBy(1, { id: 9, name: 'Alex Chen' });
    await settle();
    await user.click(item('Ida Berg'));

    const ida = detail('Ida Berg');
    expect(item('Ida Berg')).toHaveTextContent('Claimed by Alex Chen');
    expect(within(ida).getByText(/Alex Chen is answering this visitor/)).toBeInTheDocument();
    expect(within(ida).queryByRole('button', { name: 'Claim' }), 'a chat claimed by someone else cannot be taken').toBeNull();
    expect(within(ida).queryByRole('textbox')).toBeNull();
  });

  it('closes an unanswerable missed chat; it leaves the "To answer" list', async () => {
    const { user } = await missedView();
    await user.click(item('Olaf Kern'));
    const olaf = detail('Olaf Kern');
    expect(within(olaf).getByText(/left no email address/)).toBeInTheDocument();

    await user.click(within(olaf).getByRole('button', { name: 'Close' }));
    await settle();
    expect(screen.queryByRole('button', { name: /^Olaf Kern/ }), '"To answer" hides closed chats').toBeNull();
    await user.click(screen.getByRole('radio', { name: /^All/ }));
    expect(item('Olaf Kern'), 'All still shows it, closed').toHaveTextContent('Closed');
  });

  it('explains a claim the hub refused', async () => {
    const { backend, user } = await missedView();
    await user.click(item('Ida Berg'));
    backend.failNext('missedClaim', { code: 'conflict', message: 'Alex Chen is answering this visitor.' });
    await user.click(within(detail('Ida Berg')).getByRole('button', { name: 'Claim' }));
    await settle();
    expect(within(detail('Ida Berg')).getByRole('alert')).toHaveTextContent('Alex Chen is answering this visitor.');
  });
});
