import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { heldChat, openConsole, screen, settle } from '../../test/console';

async function twoChats() {
  return openConsole({
    world: (w) => {
      w.chats = [heldChat(1001, 'Dana Whitfield'), heldChat(1002, 'Marcus Lee', { departmentId: 1 })];
    },
  });
}

function box(name: string): HTMLTextAreaElement {
  return screen.getByRole('textbox', { name: `Message to ${name}` }) as HTMLTextAreaElement;
}

describe('Composer', () => {
  it('names the visitor it will send to, on the box and the button', async () => {
    await twoChats();
    const form = screen.getByRole('form', { name: 'Reply to Dana Whitfield' });
    expect(within(form).getByText('Dana Whitfield'), 'the "To" line names the visitor').toBeInTheDocument();
    expect(within(form).getByRole('button', { name: 'Send to Dana Whitfield' }), 'the send button names them too').toBeDisabled();
  });

  it('sends on Enter and breaks the line on Shift+Enter', async () => {
    const { backend, user } = await twoChats();
    const input = box('Dana Whitfield');

    await user.type(input, 'First line{Shift>}{Enter}{/Shift}second line');
    expect(input, 'Shift+Enter keeps writing on a new line').toHaveValue('First line\nsecond line');
    expect(backend.callsOf('messageSend'), 'nothing is sent before Enter').toHaveLength(0);

    await user.keyboard('{Enter}');
    await settle();
    expect(backend.callsOf('messageSend'), 'Enter sends the whole text to this chat').toEqual([
      [1001, 'First line\nsecond line'],
    ]);
    expect(input, 'the box is free for the next message').toHaveValue('');
  });

  it('with several chats open, sends to the chat on screen and keeps each draft', async () => {
    const { backend, user } = await twoChats();

    await user.type(box('Dana Whitfield'), 'Draft for Dana');
    await user.click(screen.getByRole('tab', { name: /Marcus Lee/ }));
    expect(screen.getByRole('form', { name: 'Reply to Marcus Lee' }), 'the composer follows the chat on screen').toBeInTheDocument();
    expect(box('Marcus Lee'), 'Dana\'s draft does not follow into Marcus\'s box').toHaveValue('');

    await user.type(box('Marcus Lee'), 'Hi Marcus{Enter}');
    await settle();
    expect(backend.callsOf('messageSend'), 'the message goes to Marcus, the chat on screen').toEqual([[1002, 'Hi Marcus']]);

    await user.click(screen.getByRole('tab', { name: /Dana Whitfield/ }));
    expect(box('Dana Whitfield'), 'Dana\'s draft is waiting for her').toHaveValue('Draft for Dana');
  });

  it('keeps the text when the backend refuses it, and says why', async () => {
    const { backend, user } = await twoChats();
    backend.failNext('messageSend', { code: 'invalid_input', message: 'invalid input: too long' });

    await user.type(box('Dana Whitfield'), 'Hello{Enter}');
    await settle();
    expect(screen.getByRole('alert'), 'the reason is shown').toHaveTextContent('invalid input: too long');
    expect(box('Dana Whitfield'), 'the words are not lost').toHaveValue('Hello');
  });

  it('opens canned responses on "/" and inserts one with its variables filled', async () => {
    const { backend, user } = await twoChats();
    const input = box('Dana Whitfield');

    await user.type(input, '/');
    await settle();
    const menu = screen.getByRole('listbox', { name: 'Canned responses' });
    const shortcuts = within(menu).getAllByRole('option').map((o) => o.querySelector('.shortcut')?.textContent);
    expect(shortcuts, 'Support\'s and the agent\'s own responses are offered').toEqual(
      expect.arrayContaining(['/hello', '/moment', '/bye']),
    );

    await user.type(input, 'hel');
    expect(within(menu).getAllByRole('option')[0], 'the typed shortcut comes first').toHaveTextContent('/hello');
    await user.keyboard('{Enter}');
    await settle();

    expect(backend.callsOf('cannedFill'), 'the core fills the variables for this chat').toEqual([[1, 1001]]);
    expect(input, 'variables are replaced with this visitor, department and agent').toHaveValue(
      'Hi Dana Whitfield, thanks for contacting Support. I’m Sam Rivera — how can I help?',
    );
    expect(screen.queryByRole('listbox'), 'the menu closes after inserting').toBeNull();
    expect(backend.callsOf('messageSend'), 'choosing a response does not send it').toHaveLength(0);
  });

  it('closes the canned menu on Escape without touching the text', async () => {
    const { user } = await twoChats();
    const input = box('Dana Whitfield');
    await user.type(input, 'See /mo');
    await settle();
    expect(screen.getByRole('listbox', { name: 'Canned responses' })).toBeInTheDocument();

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('listbox'), 'Escape closes the menu').toBeNull();
    expect(input).toHaveValue('See /mo');
  });

  it('tells the backend the agent is typing', async () => {
    const { backend, user } = await twoChats();
    await user.type(box('Dana Whitfield'), 'H');
    await settle();
    expect(backend.callsOf('typingSet')[0], 'the visitor sees the agent typing').toEqual([1001, true]);
  });

  it('refuses a message over 4000 characters before it reaches the outbox', async () => {
    const { backend, user } = await twoChats();
    const input = box('Dana Whitfield');
    await user.click(input);
    await user.paste('x'.repeat(4001));
    expect(screen.getByText('4001 / 4000'), 'the counter warns as the limit nears').toBeInTheDocument();

    await user.keyboard('{Enter}');
    await settle();
    expect(screen.getByRole('alert')).toHaveTextContent('A message can be at most 4000 characters.');
    expect(backend.callsOf('messageSend'), 'nothing the hub would refuse is queued').toHaveLength(0);
    expect(input.value, 'the text stays to be shortened').toHaveLength(4001);
  });
});
