import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { advance, heldChat, openConsole, screen, settle } from '../../test/console';

describe('ChatTabs (my chats)', () => {
  it('lists my chats with visitor, department and how many of my slots they fill', async () => {
    const { user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield'), heldChat(1002, 'Marcus Lee', { departmentId: 1 })];
      },
    });

    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => within(t).getByText(/^(Dana Whitfield|Marcus Lee)$/).textContent), 'oldest chat first').toEqual([
      'Dana Whitfield',
      'Marcus Lee',
    ]);
    expect(within(tabs[1] as HTMLElement).getByText('Sales'), 'each tab names the department').toBeInTheDocument();
    expect(screen.getByTitle('Chats you hold out of your limit'), '2 of the agent\'s 4 slots are used').toHaveTextContent('2 / 4');

    await user.click(tabs[1] as HTMLElement);
    expect(tabs[1], 'a click puts that chat on screen').toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Marcus Lee');
  });

  it('shows how long the visitor has waited for a reply, amber at 30 s and red at 60 s', async () => {
    const { clock } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield', { waitingSince: '2026-11-21T12:00:00Z' })];
      },
    });
    const badge = () => screen.getByLabelText(/^Waiting for your reply/);

    expect(badge()).toHaveAttribute('data-level', 'calm');
    await advance(clock, 30_000);
    expect(badge(), 'half a minute without a reply turns amber').toHaveAttribute('data-level', 'amber');
    await advance(clock, 30_000);
    expect(badge(), 'a minute without a reply turns red').toHaveAttribute('data-level', 'red');
  });

  it('counts unread visitor messages on a chat not on screen', async () => {
    const { backend } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield'), heldChat(1002, 'Marcus Lee')];
      },
    });
    backend.visitorSays(1002, 'Are you there?');
    backend.visitorSays(1002, 'Hello?');
    await settle();

    const marcus = screen.getByRole('tab', { name: /Marcus Lee/ });
    expect(within(marcus).getByLabelText('2 unread'), 'two messages arrived while Dana was on screen').toBeInTheDocument();
    expect(within(screen.getByRole('tab', { name: /Dana Whitfield/ })).queryByLabelText(/unread/), 'the chat on screen is read').toBeNull();
  });
});

describe('ChatTabs unread marks', () => {
  it('clears the unread count once the chat is opened', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield'), heldChat(1002, 'Marcus Lee')];
      },
    });
    backend.visitorSays(1002, 'Hello?');
    await settle();
    await user.click(screen.getByRole('tab', { name: /Marcus Lee/ }));
    await settle();
    expect(within(screen.getByRole('tab', { name: /Marcus Lee/ })).queryByLabelText(/unread/), 'read once seen').toBeNull();
    await user.click(screen.getByRole('tab', { name: /Dana Whitfield/ }));
    expect(within(screen.getByRole('tab', { name: /Marcus Lee/ })).queryByLabelText(/unread/), 'and stays read').toBeNull();
  });

  it('counts messages in the chat on screen while the window is in the background', async () => {
    const { backend } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    window.dispatchEvent(new FocusEvent('blur'));
    backend.visitorSays(1001, 'Hello?');
    await settle();
    const dana = () => within(screen.getByRole('tab', { name: /Dana Whitfield/ }));
    expect(dana().getByLabelText('1 unread'), 'nobody looked at it: the window was in the background').toBeInTheDocument();

    window.dispatchEvent(new FocusEvent('focus'));
    await settle();
    expect(dana().queryByLabelText(/unread/), 'back in the window, the chat on screen is read').toBeNull();
  });
});
