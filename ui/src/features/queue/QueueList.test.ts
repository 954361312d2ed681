import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { advance, openConsole, screen, settle } from '../../test/console';

describe('QueueList', () => {
  it('shows who waits in the queue, in order, with their waiting time', async () => {
    const { backend, clock, user } = await openConsole();
    expect(screen.getByText('Nobody is waiting.')).toBeInTheDocument();

    backend.setQueue(2, [
      { chat_id: 2001, visitor_name: 'Tom Okafor', question: 'How do I export?', waiting_since: '2026-11-21T11:59:20Z' },
      { chat_id: 2002, visitor_name: 'Aisha Khan', question: 'Change my plan', waiting_since: '2026-11-21T11:59:50Z' },
    ]);
    await settle();

    const list = screen.getByRole('list', { name: 'Visitors waiting' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((r) => within(r).getByLabelText(/^Position/).textContent), 'the next visitor comes first').toEqual(['1', '2']);
    expect(rows[0]).toHaveTextContent('Tom Okafor');
    expect(rows[0]).toHaveTextContent('Support · How do I export?');
    expect(screen.getByRole('button', { name: /Queue/ })).toHaveTextContent('2 waiting');

    const waits = () => rows.map((r) => within(r).getByLabelText(/^Waiting/).getAttribute('data-level'));
    expect(waits(), 'Tom has waited 40 s (amber), Aisha 10 s').toEqual(['amber', 'calm']);
    await advance(clock, 20_000);
    expect(waits(), 'a minute in, Tom turns red').toEqual(['red', 'amber']);

    await user.click(screen.getByRole('button', { name: /Queue/ }));
    expect(screen.queryByText('Tom Okafor'), 'the queue folds away').toBeNull();
  });
});
