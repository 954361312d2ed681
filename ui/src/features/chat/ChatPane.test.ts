import { within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { heldChat, openConsole, screen, settle } from '../../test/console';

const XSS = '<img src=x onerror=alert(1)><script>alert(2)</script>';

function transcript(name = 'Dana Whitfield'): HTMLElement {
  return screen.getByRole('region', { name: `Transcript with ${name}` });
}

async function danaOnScreen() {
  return openConsole({
    world: (w) => {
      w.chats = [heldChat(1001, 'Dana Whitfield', { question: 'My invoice shows the wrong VAT number.' })];
    },
  });
}

describe('ChatPane', () => {
  it('shows the transcript with authors and timestamps, new messages appended', async () => {
    const { backend } = await danaOnScreen();
    expect(within(transcript()).getByText('My invoice shows the wrong VAT number.')).toBeInTheDocument();

    backend.visitorSays(1001, 'It is INV-2025-0412.');
    await settle();

    const t = transcript();
    expect(within(t).getByText('It is INV-2025-0412.'), 'a new visitor message appears at once').toBeInTheDocument();
    const time = t.querySelector('time');
    expect(time, 'messages carry a timestamp').not.toBeNull();
    expect(time?.getAttribute('datetime')).toBe('2026-11-21T11:58:00Z');
    expect(within(t).getAllByText('Dana Whitfield').length, 'messages name their author').toBeGreaterThan(0);
  });

  it('shows that the visitor is typing, with the live preview of their words', async () => {
    const { backend } = await danaOnScreen();

    backend.visitorTyping(1001, 'Also, could you send it to billing@');
    await settle();
    expect(screen.getByText('Dana Whitfield is typing:'), 'the indicator names who types').toBeInTheDocument();
    expect(screen.getByText('Also, could you send it to billing@'), 'the preview shows the words so far').toBeInTheDocument();

    backend.visitorTyping(1001, null);
    await settle();
    expect(screen.queryByText(/is typing/), 'the indicator goes away when they stop').toBeNull();
  });

  it('marks a message pending until the hub has it, and shows it once delivered', async () => {
    const { backend, user } = await danaOnScreen();

    await user.type(screen.getByRole('textbox', { name: 'Message to Dana Whitfield' }), 'Let me check.{Enter}');
    await settle();
    expect(within(transcript()).getByText('Sending…'), 'a message in the outbox is marked pending').toBeInTheDocument();

    backend.flushOutbox();
    await settle();
    expect(within(transcript()).queryByText('Sending…'), 'no pending mark once the hub acknowledged it').toBeNull();
    expect(within(transcript()).getAllByText('Let me check.'), 'the message shows exactly once').toHaveLength(1);
  });

  it('marks a message the hub refused as failed, with retry and discard', async () => {
    const { backend, user } = await danaOnScreen();
    const box = screen.getByRole('textbox', { name: 'Message to Dana Whitfield' });

    backend.failNextDelivery({ code: 'rate_limited', message: 'Too many messages, slow down.' });
    await user.type(box, 'First try{Enter}');
    backend.flushOutbox();
    await settle();

    const failed = within(transcript()).getByRole('alert');
    expect(failed, 'the failure says why').toHaveTextContent('Not sent: Too many messages, slow down.');
    await user.click(within(failed).getByRole('button', { name: 'Retry' }));
    await settle();
    expect(backend.callsOf('outboxRetry'), 'retry asks the core to send it again').toHaveLength(1);
    backend.flushOutbox();
    await settle();
    expect(within(transcript()).queryByRole('alert'), 'the retried message went through').toBeNull();
    expect(within(transcript()).getByText('First try')).toBeInTheDocument();

    backend.failNextDelivery({ code: 'invalid_state', message: 'The chat has ended.' });
    await user.type(box, 'Second try{Enter}');
    backend.flushOutbox();
    await settle();
    await user.click(within(within(transcript()).getByRole('alert')).getByRole('button', { name: 'Discard' }));
    await settle();
    expect(within(transcript()).queryByText('Second try'), 'a discarded message leaves the transcript').toBeNull();
    expect(backend.console.outbox, 'and the outbox').toHaveLength(0);
  });

  it('says a message waits for the connection while offline', async () => {
    const { backend, user } = await danaOnScreen();
    backend.setConnection({ state: 'offline', reason: 'stopped' });
    await settle();

    await user.type(screen.getByRole('textbox', { name: 'Message to Dana Whitfield' }), 'Still there?{Enter}');
    await settle();
    expect(within(transcript()).getByText('Waiting for the connection'), 'offline messages say they will go later').toBeInTheDocument();
  });

  it('renders visitor HTML as text: no element is created and no script runs', async () => {
    const { backend } = await danaOnScreen();
    const before = document.querySelectorAll('img, script').length;

    backend.visitorSays(1001, XSS);
    backend.visitorTyping(1001, XSS);
    await settle();

    expect(within(transcript()).getByText(XSS), 'the markup shows literally, as the visitor typed it').toBeInTheDocument();
    expect(document.querySelectorAll('img, script').length, 'no img or script element was made from visitor text').toBe(before);
    expect(document.querySelector('[onerror]'), 'no element carries the visitor\'s handler').toBeNull();
  });

  it('links only http, https and mailto, opened through the backend', async () => {
    const { backend, user } = await danaOnScreen();

    backend.visitorSays(1001, 'See https://shop.acme.example/a or mailto:billing@acme.example or javascript:alert(1) or ftp://x.example/f');
    await settle();

    const t = transcript();
    expect(within(t).getByRole('button', { name: 'https://shop.acme.example/a' }), 'https is a link').toBeInTheDocument();
    expect(within(t).getByRole('button', { name: 'mailto:billing@acme.example' }), 'mailto is a link').toBeInTheDocument();
    expect(within(t).queryByRole('button', { name: /javascript:/ }), 'javascript: is never a link').toBeNull();
    expect(within(t).queryByRole('button', { name: /ftp:/ }), 'ftp: is not a link').toBeNull();
    expect(t.querySelector('a'), 'no anchor the webview could follow on its own').toBeNull();

    await user.click(within(t).getByRole('button', { name: 'https://shop.acme.example/a' }));
    expect(backend.callsOf('linkOpen'), 'links open in the system browser via the backend').toEqual([['https://shop.acme.example/a']]);
  });
});

describe('visitor text everywhere it shows', () => {
  it('stays text in the offer, the tab, the header, the visitor panel, history and search', async () => {
    const { backend, user } = await openConsole({
      world: (w) => {
        w.history = [
          {
            chat: { ...heldChat(900, XSS).chat, state: 'ended' },
            events: heldChat(900, XSS, { question: `invoice ${XSS}` }).events,
          },
        ];
      },
    });
    const before = document.querySelectorAll('img, script').length;

    backend.offerChat({ visitor: XSS, question: XSS, email: 'x@example.org' });
    await settle();
    expect(screen.getAllByText(XSS).length, 'the offer shows the name and question as typed').toBeGreaterThanOrEqual(2);
    await user.click(screen.getByRole('button', { name: /^Accept/ }));
    await settle();
    backend.visitorTyping(backend.console.chats[0]?.chat.id ?? 0, XSS);
    await settle();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent(XSS);

    await user.click(screen.getByRole('button', { name: 'History' }));
    await settle();
    await user.type(screen.getByRole('searchbox', { name: 'Search transcripts' }), 'invoice');
    expect(await screen.findByText('1 message found')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: /invoice/ }));
    await settle();

    expect(document.querySelectorAll('img, script').length, 'no img or script element came from visitor text').toBe(before);
    expect(document.querySelector('[onerror]'), 'no element carries the visitor\'s handler').toBeNull();
  });
});
