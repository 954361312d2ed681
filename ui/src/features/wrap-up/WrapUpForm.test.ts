import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { advance, heldChat, openConsole, screen, settle } from '../../test/console';

async function endDana(departmentId: 1 | 2 = 2) {
  const opened = await openConsole({
    world: (w) => {
      w.chats = [heldChat(1001, 'Dana Whitfield', { departmentId })];
    },
  });
  const { backend, user } = opened;
  await user.click(screen.getByRole('button', { name: 'End chat' }));
  const dialog = screen.getByRole('dialog', { name: 'End the chat with Dana Whitfield?' });
  await user.click(within(dialog).getByRole('button', { name: 'End chat' }));
  await settle();
  backend.flushOutbox();
  await settle();
  return opened;
}

function wrapUpForm(): HTMLElement {
  return screen.getByRole('form', { name: 'Wrap up the chat with Dana Whitfield' });
}

describe('End chat and the wrap-up form', () => {
  it('asks before ending, and keeping the chat changes nothing', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    await user.click(screen.getByRole('button', { name: 'End chat' }));
    const dialog = screen.getByRole('dialog', { name: 'End the chat with Dana Whitfield?' });
    expect(dialog, 'the agent learns a wrap-up follows').toHaveTextContent('You will then wrap it up with an outcome.');

    await user.click(within(dialog).getByRole('button', { name: 'Keep chatting' }));
    expect(screen.queryByRole('dialog'), 'the dialog closes').toBeNull();
    expect(backend.callsOf('chatEnd'), 'the chat was not ended').toHaveLength(0);
  });

  it('ends the chat, then takes an outcome, notes and tags', async () => {
    const { backend, user } = await endDana();
    expect(backend.callsOf('chatEnd'), 'ending goes through the outbox').toEqual([[1001]]);
    expect(screen.queryByRole('textbox', { name: /Message to/ }), 'an ended chat has no composer').toBeNull();

    const form = wrapUpForm();
    expect(within(form).getByText('(required)'), 'Support requires an outcome').toBeInTheDocument();
    expect(within(form).getByText('Due in 2:00'), 'the deadline is shown').toBeInTheDocument();

    await user.click(within(form).getByRole('button', { name: 'Finish wrap-up' }));
    expect(within(form).getByRole('alert'), 'no outcome, no wrap-up').toHaveTextContent('Choose an outcome to finish this chat.');
    expect(backend.callsOf('wrapUpSubmit')).toHaveLength(0);

    await user.click(within(form).getByRole('radio', { name: 'Resolved' }));
    await user.type(within(form).getByLabelText('Notes'), '  Sent a corrected invoice.  ');
    await user.type(within(form).getByLabelText('Tags'), 'invoice,vat{Enter}');
    expect(within(form).getByRole('button', { name: 'Remove tag invoice' }), 'a comma adds a tag').toBeInTheDocument();
    await user.click(within(form).getByRole('button', { name: 'Finish wrap-up' }));
    await settle();

    expect(backend.callsOf('wrapUpSubmit'), 'the wrap-up is trimmed and carries the tags').toEqual([
      [1001, { outcome: 'Resolved', notes: 'Sent a corrected invoice.', tags: ['invoice', 'vat'] }],
    ]);
    backend.flushOutbox();
    await settle();
    expect(screen.queryByRole('tab', { name: /Dana Whitfield/ }), 'a wrapped-up chat leaves my chats').toBeNull();
  });

  it('lets a department without a required outcome skip the wrap-up', async () => {
    const { backend, user } = await endDana(1);
    const form = wrapUpForm();
    expect(within(form).getByText('(optional)')).toBeInTheDocument();

    await user.click(within(form).getByRole('button', { name: 'Skip' }));
    await settle();
    expect(backend.callsOf('wrapUpSubmit'), 'skip sends an empty wrap-up').toEqual([
      [1001, { outcome: '', notes: '', tags: [] }],
    ]);
  });

  it('shows the hub\'s refusal and the deadline passing', async () => {
    const { backend, clock, user } = await endDana();
    const form = wrapUpForm();
    await advance(clock, 120_000);
    expect(within(form).getByText('Past due'), 'the deadline passed').toBeInTheDocument();

    backend.failNextDelivery({ code: 'bad_request', message: 'This department needs an outcome.' });
    await user.click(within(form).getByRole('radio', { name: 'Sale' }));
    await user.click(within(form).getByRole('button', { name: 'Finish wrap-up' }));
    await settle();
    backend.flushOutbox();
    await settle();
    expect(within(wrapUpForm()).getByRole('alert'), 'the refusal is explained').toHaveTextContent(
      'The hub refused this wrap-up: This department needs an outcome.',
    );

    await user.click(within(wrapUpForm()).getByRole('button', { name: 'Finish wrap-up' }));
    await settle();
    expect(backend.callsOf('outboxDiscard'), 'the refused wrap-up is replaced, not sent twice').toHaveLength(1);
    backend.flushOutbox();
    await settle();
    expect(screen.queryByRole('tab', { name: /Dana Whitfield/ })).toBeNull();
  });

  it('opens the wrap-up when the visitor ends the chat', async () => {
    const { backend } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    backend.visitorEnds(1001);
    await settle();
    expect(screen.getByText('Dana Whitfield ended the chat'), 'the transcript says who ended it').toBeInTheDocument();
    expect(wrapUpForm()).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: /Dana Whitfield/ }), 'the tab asks for the wrap-up').toHaveTextContent('Wrap-up');
  });
});
