import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { openConsole, pastChat, screen, settle } from '../../test/console';

async function historyView() {
  const opened = await openConsole({
    world: (w) => {
      w.history = [
        pastChat(900, 'Dana Whitfield', 'Can I get invoices in German?', {
          at: '2026-11-18T10:00:00Z',
          messages: ['Can I get invoices in German?', 'My VAT number changed last month.'],
        }),
        pastChat(901, 'Marcus Lee', 'Do you have a team plan?', {
          at: '2026-11-19T10:00:00Z',
          outcome: 'Sale',
          messages: ['Do you have a team plan?', 'We are twelve people.'],
        }),
      ];
      w.hubHistory = [pastChat(800, 'Old Visitor', 'An old question', { at: '2026-10-01T10:00:00Z' })];
    },
  });
  await opened.user.click(screen.getByRole('button', { name: 'History' }));
  await settle();
  return opened;
}

function row(name: string): HTMLElement {
  return screen.getByRole('button', { name: new RegExp(`^${name}`) });
}

describe('HistoryView', () => {
  it('browses cached transcripts, newest first, and opens one', async () => {
    const { user } = await historyView();
    const names = screen
      .getAllByRole('button', { name: /^(Dana Whitfield|Marcus Lee)/ })
      .map((b) => b.querySelector('.name')?.textContent);
    expect(names, 'the newest chat comes first').toEqual(['Marcus Lee', 'Dana Whitfield']);
    expect(row('Marcus Lee'), 'each row has its outcome and size').toHaveTextContent('Sale');
    expect(row('Marcus Lee')).toHaveTextContent('2 messages');

    await user.click(row('Marcus Lee'));
    await settle();
    const transcript = screen.getByRole('region', { name: 'Transcript with Marcus Lee' });
    expect(within(transcript).getByText('We are twelve people.'), 'the whole transcript is readable').toBeInTheDocument();
  });

  it('searches every message and opens the chat at the hit', async () => {
    const { user } = await historyView();
    await user.type(screen.getByRole('searchbox', { name: 'Search transcripts' }), 'vat number');

    expect(await screen.findByText('1 message found'), 'all words must match').toBeInTheDocument();
    const hit = row('Dana Whitfield');
    expect(hit.querySelectorAll('mark'), 'the matched words are marked').toHaveLength(2);
    await user.click(hit);
    await settle();
    expect(screen.getByRole('region', { name: 'Transcript with Dana Whitfield' })).toBeInTheDocument();

    await user.clear(screen.getByRole('searchbox', { name: 'Search transcripts' }));
    await user.type(screen.getByRole('searchbox', { name: 'Search transcripts' }), 'refund');
    expect(await screen.findByText('No message matches “refund”.')).toBeInTheDocument();
  });

  it('browses and searches with the fake hub offline; fetching waits for the connection', async () => {
    const { backend, user } = await historyView();
    backend.setConnection({ state: 'offline', reason: 'stopped' });
    await settle();

    expect(screen.getByText(/On this computer · offline/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Fetch older from the hub' }), 'fetching needs the hub').toBeDisabled();
    await user.click(row('Dana Whitfield'));
    await settle();
    expect(screen.getByText('My VAT number changed last month.'), 'cached transcripts open offline').toBeInTheDocument();

    await user.type(screen.getByRole('searchbox', { name: 'Search transcripts' }), 'team');
    expect(await screen.findByText('1 message found'), 'search runs on the local cache').toBeInTheDocument();
  });

  it('fetches older transcripts from the hub when online', async () => {
    const { user } = await historyView();
    expect(screen.queryByRole('button', { name: /^Old Visitor/ }), 'not in the cache yet').toBeNull();
    await user.click(screen.getByRole('button', { name: 'Fetch older from the hub' }));
    await settle();
    expect(screen.getByText('1 older transcript fetched from the hub.')).toBeInTheDocument();
    expect(row('Old Visitor')).toBeInTheDocument();
  });
});
