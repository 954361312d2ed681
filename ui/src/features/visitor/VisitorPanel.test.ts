import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { heldChat, openConsole, pastChat, screen, settle } from '../../test/console';

function panel(): HTMLElement {
  return screen.getByRole('complementary', { name: 'About Dana Whitfield' });
}

describe('VisitorPanel', () => {
  it('shows the survey answers, the page, the browser and the site', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.chats = [
          heldChat(1001, 'Dana Whitfield', {
            email: 'dana@example.org',
            question: 'My invoice shows the wrong VAT number.',
          }),
        ];
      },
    });
    const p = panel();
    const value = (term: string) => within(p).getByText(term).nextElementSibling;

    expect(value('Name'), 'the name they gave').toHaveTextContent('Dana Whitfield');
    expect(value('Email'), 'the email they gave').toHaveTextContent('dana@example.org');
    expect(value('Department'), 'the department they chose').toHaveTextContent('Support');
    expect(value('Question'), 'what they asked first').toHaveTextContent('My invoice shows the wrong VAT number.');
    expect(within(p).getByText('Firefox 128 on Linux'), 'the browser in words, not a user agent string').toBeInTheDocument();
    expect(within(p).getByText('shop.acme.example'), 'the site').toBeInTheDocument();

    await user.click(within(p).getByRole('button', { name: 'https://shop.acme.example/account/invoices' }));
    expect(backend.callsOf('linkOpen'), 'the page opens in the system browser').toEqual([
      ['https://shop.acme.example/account/invoices'],
    ]);
  });

  it('lists previous chats of the same visitor and opens one read-only', async () => {
    const { user } = await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield', { email: 'dana@example.org', previousChats: 1 })];
        w.history = [
          pastChat(900, 'Dana Whitfield', 'Can I get invoices in German?', {
            email: 'dana@example.org',
            messages: ['Can I get invoices in German?', 'Thanks, that works.'],
          }),
          pastChat(901, 'Someone Else', 'Not Dana', { email: 'else@example.org' }),
        ];
      },
    });
    await settle();

    const list = within(panel()).getByRole('list', { name: 'Previous chats' });
    const earlier = within(panel()).getAllByRole('button', { name: /Can I get invoices in German\?/ });
    expect(earlier, 'one earlier chat with the same email').toHaveLength(1);
    expect(list).not.toHaveTextContent('Not Dana');
    expect(earlier[0], 'with its outcome').toHaveTextContent('Resolved');

    await user.click(earlier[0] as HTMLElement);
    await settle();
    const dialog = screen.getByRole('dialog', { name: /^Dana Whitfield · / });
    expect(within(dialog).getByText('Thanks, that works.'), 'the earlier transcript can be read').toBeInTheDocument();
    expect(within(dialog).queryByRole('textbox'), 'read only: nothing to type into').toBeNull();
  });

  it('says when this is the visitor\'s first chat', async () => {
    await openConsole({
      world: (w) => {
        w.chats = [heldChat(1001, 'Dana Whitfield')];
      },
    });
    expect(within(panel()).getByText(/This is their first chat/)).toBeInTheDocument();
  });
});
