import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { advance, openConsole, screen, settle } from '../../test/console';

function offerCard(name: string): HTMLElement {
  return screen.getByRole('listitem', { name: new RegExp(`^Chat offered: ${name}`) });
}

function waitBadge(card: HTMLElement): HTMLElement {
  return within(card).getByLabelText(/^Waiting to be connected/);
}

describe('OfferList', () => {
  it('accepts an offer: it leaves the list and opens as the chat on screen', async () => {
    const { backend, user } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'My reset link has expired.' });
    await settle();

    const card = offerCard('Lena Vogt');
    expect(within(card).getByText('My reset link has expired.'), 'the card shows what the visitor asked').toBeInTheDocument();
    await user.click(within(card).getByRole('button', { name: /^Accept/ }));
    await settle();

    expect(backend.callsOf('offerAccept'), 'one accept reaches the hub').toHaveLength(1);
    expect(screen.queryByRole('listitem', { name: /^Chat offered/ }), 'an accepted offer is no longer offered').toBeNull();
    expect(screen.getByRole('tab', { name: /Lena Vogt/, selected: true }), 'the accepted chat is the one on screen').toBeInTheDocument();
    expect(screen.getByRole('heading', { level: 1, name: 'Lena Vogt' })).toBeInTheDocument();
  });

  it('declines an offer without opening a chat', async () => {
    const { backend, user } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?' });
    await settle();

    await user.click(screen.getByRole('button', { name: 'Decline the chat with Lena Vogt' }));
    await settle();

    expect(backend.callsOf('offerDecline'), 'the decline reaches the hub').toHaveLength(1);
    expect(screen.queryByRole('listitem', { name: /^Chat offered/ }), 'a declined offer goes away').toBeNull();
    expect(screen.queryByRole('tab'), 'declining opens no chat').toBeNull();
  });

  it('says so when the offer went to someone else before the click', async () => {
    const { backend, user } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?' });
    await settle();
    backend.failNext('offerAccept', { code: 'not_found', message: 'gone' });

    await user.click(screen.getByRole('button', { name: /^Accept/ }));
    await settle();

    expect(screen.getByRole('alert'), 'a lost race is explained in words, not codes').toHaveTextContent(
      'This offer is no longer open.',
    );
  });

  it('turns the waiting time amber at 30 s and red at 60 s', async () => {
    const { backend, clock } = await openConsole();
    // The fake's offers start with the visitor already waiting for 4 s.
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?', timeoutSecs: 120 });
    await settle();
    const badge = () => waitBadge(offerCard('Lena Vogt'));

    expect(badge(), 'a fresh wait is calm').toHaveAttribute('data-level', 'calm');
    await advance(clock, 25_000);
    expect(badge(), '29 s is still under the amber threshold').toHaveAttribute('data-level', 'calm');
    await advance(clock, 1_000);
    expect(badge(), 'at 30 s the wait turns amber').toHaveAttribute('data-level', 'amber');
    expect(badge()).toHaveTextContent('0:30');
    await advance(clock, 29_000);
    expect(badge(), '59 s is amber, not yet red').toHaveAttribute('data-level', 'amber');
    await advance(clock, 1_000);
    expect(badge(), 'at 60 s the wait turns red').toHaveAttribute('data-level', 'red');
  });

  it('counts down the time left to accept', async () => {
    const { backend, clock } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?', timeoutSecs: 30 });
    await settle();

    expect(screen.getByLabelText('30 seconds left to accept')).toBeInTheDocument();
    await advance(clock, 21_000);
    expect(screen.getByLabelText('9 seconds left to accept'), 'the countdown follows the clock').toBeInTheDocument();
  });

  it('lets an offer pass on when its time is up, and says so', async () => {
    const { backend, clock } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?', timeoutSecs: 30 });
    await settle();

    await advance(clock, 30_000);
    expect(screen.getByLabelText('0 seconds left to accept')).toBeInTheDocument();
    backend.expireOffers();
    await settle();
    expect(screen.queryByRole('listitem', { name: /^Chat offered/ }), 'an expired offer leaves the list').toBeNull();
    expect(
      screen.getByText('The chat with Lena Vogt went to someone else: it was not accepted in time.'),
      'the agent learns why it vanished',
    ).toBeInTheDocument();
  });

  it('shows a transfer offer with who it comes from and their note', async () => {
    const { backend } = await openConsole();
    backend.offerChat({
      visitor: 'Lena Vogt',
      question: 'Hello?',
      kind: 'transfer',
      from: { id: 9, name: 'Alex Chen' },
      note: 'Needs a refund, order 1042.',
    });
    await settle();
    const card = offerCard('Lena Vogt');
    expect(card, 'the receiver knows who hands it over').toHaveTextContent('transfer from Alex Chen');
    expect(card, 'and what they were told').toHaveTextContent('Needs a refund, order 1042.');
  });

  it('cannot be answered while the link to the hub is down', async () => {
    const { backend } = await openConsole();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?' });
    await settle();
    backend.setConnection({ state: 'signed_out', reason: 'the session expired' });
    await settle();

    expect(screen.getByRole('button', { name: /^Accept/ }), 'an accept could not reach the hub').toBeDisabled();
    expect(screen.getByRole('button', { name: 'Decline the chat with Lena Vogt' })).toBeDisabled();
  });
});
