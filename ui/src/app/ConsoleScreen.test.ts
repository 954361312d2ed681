import { describe, expect, it } from 'vitest';
import { heldChat, openConsole, screen, settle } from '../test/console';

async function threeChats() {
  return openConsole({
    world: (w) => {
      w.chats = [heldChat(1001, 'Dana Whitfield'), heldChat(1002, 'Marcus Lee'), heldChat(1003, 'Jonas Berg')];
    },
  });
}

function onScreen(): string | null {
  return screen.getByRole('heading', { level: 1 }).textContent;
}

describe('ConsoleScreen keyboard', () => {
  it('switches chats with Ctrl+1..9', async () => {
    const { user } = await threeChats();
    await user.keyboard('{Control>}3{/Control}');
    expect(onScreen(), 'Ctrl+3 opens the third chat').toBe('Jonas Berg');
    await user.keyboard('{Control>}2{/Control}');
    expect(onScreen(), 'Ctrl+2 opens the second chat').toBe('Marcus Lee');
    await user.keyboard('{Control>}9{/Control}');
    expect(onScreen(), 'Ctrl+9 without a ninth chat changes nothing').toBe('Marcus Lee');
  });

  it('cycles chats with Ctrl+Tab and Ctrl+Shift+Tab', async () => {
    const { user } = await threeChats();
    expect(onScreen()).toBe('Dana Whitfield');
    await user.keyboard('{Control>}{Tab}{/Control}');
    expect(onScreen(), 'Ctrl+Tab goes to the next chat').toBe('Marcus Lee');
    await user.keyboard('{Control>}{Shift>}{Tab}{/Shift}{/Control}');
    await user.keyboard('{Control>}{Shift>}{Tab}{/Shift}{/Control}');
    expect(onScreen(), 'Ctrl+Shift+Tab goes back, wrapping around').toBe('Jonas Berg');
  });

  it('accepts the oldest offer with Alt+A and shows its chat', async () => {
    const { backend, user } = await threeChats();
    backend.offerChat({ visitor: 'Lena Vogt', question: 'First' });
    backend.offerChat({ visitor: 'Tom Okafor', question: 'Second' });
    await settle();

    await user.keyboard('{Alt>}a{/Alt}');
    await settle();
    expect(backend.callsOf('offerAccept'), 'the oldest offer is accepted').toHaveLength(1);
    expect(onScreen(), 'and its chat is on screen').toBe('Lena Vogt');
    expect(screen.getByRole('listitem', { name: /^Chat offered: Tom Okafor/ }), 'the newer offer still waits').toBeInTheDocument();
  });

  it('puts the cursor in the composer with Ctrl+K, from any view', async () => {
    const { user } = await threeChats();
    await user.click(screen.getByRole('button', { name: 'History' }));
    await user.keyboard('{Control>}k{/Control}');
    await settle();
    expect(screen.getByRole('textbox', { name: 'Message to Dana Whitfield' }), 'the agent can type at once').toHaveFocus();
  });

  it('opens the chat a notification was clicked for', async () => {
    const { backend } = await threeChats();
    backend.emitAppEvent({ type: 'notification', action: { type: 'open_chat', chat_id: 1003 } });
    await settle();
    expect(onScreen(), 'a click on a message notification shows that chat').toBe('Jonas Berg');
  });

  it('accepts from a notification, and explains an offer that has gone', async () => {
    const { backend } = await threeChats();
    const offer = backend.offerChat({ visitor: 'Lena Vogt', question: 'Hello?' });
    await settle();
    backend.emitAppEvent({ type: 'notification', action: { type: 'accept_offer', offer_id: offer.id } });
    await settle();
    expect(onScreen(), 'Accept on the notification opens the chat').toBe('Lena Vogt');

    backend.emitAppEvent({ type: 'notification', action: { type: 'accept_offer', offer_id: offer.id } });
    await settle();
    expect(screen.getByText('That offer is no longer open.'), 'a second accept is explained, not an error code').toBeInTheDocument();
  });

  it('opens the missed chat a notification was clicked for', async () => {
    const { backend } = await threeChats();
    const missed = backend.missChat({ visitor: 'Ida Berg', email: 'ida@example.org', question: 'Do you ship to Norway?' });
    await settle();
    backend.emitAppEvent({ type: 'notification', action: { type: 'open_missed', missed_id: missed.id } });
    await settle();
    expect(screen.getByRole('article', { name: 'Ida Berg' }), 'the missed chat is open in the missed view').toBeInTheDocument();
  });
});
