import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { heldChat, openConsole, screen, settle } from '../../test/console';

async function openTransfer() {
  const opened = await openConsole({
    world: (w) => {
      w.chats = [heldChat(1001, 'Dana Whitfield')];
    },
  });
  await opened.user.click(screen.getByRole('button', { name: 'Transfer' }));
  await settle();
  return { ...opened, dialog: screen.getByRole('dialog', { name: 'Transfer Dana Whitfield' }) };
}

describe('TransferDialog', () => {
  it('lists agents and departments with their availability; only available ones can be chosen', async () => {
    const { dialog } = await openTransfer();
    const agent = (name: string) => within(dialog).getByRole('radio', { name: new RegExp(`^${name}`) });

    expect(agent('Alex Chen'), 'online with a free slot').toBeEnabled();
    expect(agent('Alex Chen').closest('label')).toHaveTextContent('Available');
    expect(agent('Alex Chen').closest('label')).toHaveTextContent('1 of 4 chats');
    expect(agent('Mia Schulz'), 'an away agent takes no transfers').toBeDisabled();
    expect(agent('Mia Schulz').closest('label')).toHaveTextContent('Away');
    expect(agent('Noah Williams'), 'a full agent takes no transfers').toBeDisabled();
    expect(agent('Noah Williams').closest('label')).toHaveTextContent('No free slot');
    expect(agent('Priya Raman'), 'an offline agent takes no transfers').toBeDisabled();

    const sales = within(dialog).getByRole('radio', { name: /^Sales/ });
    expect(sales).toBeEnabled();
    expect(sales.closest('label'), 'departments show who is on and the queue').toHaveTextContent('1 agent online · 3 free slots');
    const billing = within(dialog).getByRole('radio', { name: /^Billing/ });
    expect(billing, 'a closed department takes no transfers').toBeDisabled();
    expect(billing.closest('label')).toHaveTextContent('Closed now');
    expect(within(dialog).getByRole('button', { name: 'Transfer' }), 'nothing chosen, nothing to send').toBeDisabled();
  });

  it('transfers to an agent with a note, and the chat stays until accepted', async () => {
    const { backend, dialog, user } = await openTransfer();

    await user.click(within(dialog).getByRole('radio', { name: /^Alex Chen/ }));
    await user.type(within(dialog).getByLabelText('Note for the next agent'), '  Wants a corrected invoice.  ');
    await user.click(within(dialog).getByRole('button', { name: 'Transfer to Alex Chen' }));
    await settle();

    expect(backend.callsOf('chatTransfer'), 'the note goes with the transfer, trimmed').toEqual([
      [1001, { kind: 'agent', id: 9 }, 'Wants a corrected invoice.'],
    ]);
    expect(screen.queryByRole('dialog'), 'the dialog closes').toBeNull();
    backend.flushOutbox();
    await settle();
    expect(screen.getByText(/Waiting for Alex Chen to accept the transfer/), 'the agent sees the transfer is under way').toBeInTheDocument();
    expect(screen.getByText('Note for the next agent: “Wants a corrected invoice.”')).toBeInTheDocument();

    backend.resolveTransfer(1001, true);
    await settle();
    expect(screen.queryByRole('tab', { name: /Dana Whitfield/ }), 'an accepted transfer takes the chat away').toBeNull();
  });

  it('offers Transfer again on a chat that came back through an accepted transfer', async () => {
    const at = '2026-11-21T11:59:00Z';
    await openConsole({
      world: (w) => {
        const chat = heldChat(1001, 'Dana Whitfield');
        const alex = { id: 9, name: 'Alex Chen' };
        const sam = { id: 7, name: 'Sam Rivera' };
        // Sam sent it to Alex, Alex took it, then handed it back and Sam took it again.
        chat.events.push(
          { id: 1, chat_id: 1001, at, type: 'transfer_requested', from: sam, to: { kind: 'agent', id: 9, name: 'Alex Chen' }, note: '' },
          { id: 2, chat_id: 1001, at, type: 'left', agent: sam, reason: 'transferred' },
          { id: 3, chat_id: 1001, at, type: 'joined', agent: alex },
          { id: 4, chat_id: 1001, at, type: 'transfer_requested', from: alex, to: { kind: 'agent', id: 7, name: 'Sam Rivera' }, note: '' },
          { id: 5, chat_id: 1001, at, type: 'left', agent: alex, reason: 'transferred' },
          { id: 6, chat_id: 1001, at, type: 'joined', agent: sam },
        );
        w.chats = [chat];
      },
    });

    expect(screen.queryByText(/to accept the transfer/), 'no transfer is under way once one was accepted').toBeNull();
    expect(screen.getByRole('button', { name: 'Transfer' }), 'the chat can be handed on again').toBeEnabled();
  });

  it('transfers to a department', async () => {
    const { backend, dialog, user } = await openTransfer();
    await user.click(within(dialog).getByRole('radio', { name: /^Sales/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Transfer to Sales' }));
    await settle();
    expect(backend.callsOf('chatTransfer')).toEqual([[1001, { kind: 'department', id: 1 }, '']]);
  });

  it('follows presence changes while open', async () => {
    const { backend, dialog } = await openTransfer();
    backend.presenceChange({
      id: 11,
      name: 'Mia Schulz',
      status: 'online',
      connected: true,
      active_chats: 1,
      max_chats: 3,
      departments: [{ id: 2, name: 'Support' }],
    });
    await settle();
    expect(within(dialog).getByRole('radio', { name: /^Mia Schulz/ }), 'Mia came back: she can now take it').toBeEnabled();
  });

  it('explains that transfers need the connection', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    backend.failNext('transferTargets', { code: 'offline', message: 'not connected to the hub' });
    await user.click(screen.getByRole('button', { name: 'Transfer' }));
    await settle();
    expect(screen.getByRole('alert'), 'an offline agent learns why the list is empty').toHaveTextContent(
      'Transfers need the connection to the hub.',
    );
  });
});
