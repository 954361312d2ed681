// The whole visitor journey against a real hub: survey, queue, an agent answers,
// messages both ways with typing, a reload and a network loss mid-chat, the end.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { ScriptedVisitor } from './lib/visitor.mjs';
import { fillSurvey, openDemo, send, shot, transcript, until, w, watch } from './lib/widget.mjs';

let hub;
let browser;
let page;
let seen;
let agent;
let fillers = [];

before(async () => {
  hub = await new Hub().start();
  browser = await launchBrowser();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  seen = watch(page);
  const [creds] = hub.agents();
  assert.ok(creds, `the demo hub prints agent credentials at start; got:\n${hub.log}`);
  agent = await new Agent(hub.url, creds).connect();
});

after(async () => {
  for (const v of fillers) v.close();
  if (agent) agent.close();
  if (browser) await browser.close();
  if (hub) await hub.destroy();
});

test('the demo page carries the closed widget', async () => {
  await openDemo(page, hub);
  const launcher = w(page, '.launcher');
  assert.equal(await launcher.getAttribute('aria-expanded'), 'false', 'the panel starts closed');
  assert.ok(await w(page, '#sb-panel').isHidden(), 'no panel before the visitor asks');
  assert.equal(
    await page.evaluate(() => document.getElementById('switchboard-widget').shadowRoot !== null),
    true,
    'the widget renders inside a shadow root so the page CSS cannot reach it',
  );
  await shot(page, 'closed');
});

test('survey, queue position, agent accepts, messages both ways, reload, network loss, end', async () => {
  // The agent is online but full (three chats, the cap), and another visitor is
  // already waiting: the browser's visitor queues behind them.
  await agent.setStatus('online');
  const held = [];
  for (let i = 1; i <= agent.info.max_chats; i++) {
    const v = await new ScriptedVisitor(hub.url).connect();
    fillers.push(v);
    await v.start(`Filler ${i}`);
    held.push((await agent.acceptNextOffer()).chat.id);
  }
  const waiting = await new ScriptedVisitor(hub.url).connect();
  fillers.push(waiting);
  const waitingChat = await waiting.start('Early bird');
  assert.equal(waitingChat.state.kind, 'queued', `with the agent full, a chat queues: ${JSON.stringify(waitingChat)}`);

  await w(page, '.launcher').click();
  await w(page, '#sb-name').waitFor();
  await fillSurvey(page, {
    name: 'Jonas Weber',
    email: 'jonas@example.com',
    question: 'My order #1042 has not arrived yet. Can you check where it is?',
  });
  await shot(page, 'survey');
  await w(page, 'button[type=submit]').click();

  await until(
    async () => /You are number 2 in the queue/.test((await w(page, '.stage').textContent()) || ''),
    'the visitor sees its queue position behind the visitor who came first',
  );
  await send(page, 'It was due on Tuesday.');
  await until(
    async () => (await transcript(page)).some((m) => m.text === 'It was due on Tuesday.' && !m.pending),
    'a message typed while queued is stored by the hub',
  );
  await shot(page, 'queued');

  // A slot frees: the first in line gets it and the browser's visitor moves up.
  await agent.endChat(held.shift());
  const early = await agent.acceptNextOffer();
  assert.equal(early.chat.id, waitingChat.chat_id, 'the queue is first come, first served');
  await until(
    async () => /You are next in the queue/.test((await w(page, '.stage').textContent()) || ''),
    'the queue position moves up live',
  );

  // Another slot frees: the browser's chat is offered and accepted.
  await agent.endChat(held.shift());
  const { chat, events } = await agent.acceptNextOffer();
  const texts = events.filter((e) => e.type === 'message').map((e) => e.text);
  assert.ok(
    texts.includes('It was due on Tuesday.'),
    `the agent sees what the visitor typed while queued; got ${JSON.stringify(texts)}`,
  );
  const agentName = agent.info.name;
  await until(
    async () => ((await w(page, '.sub').textContent()) || '').includes(agentName),
    'the header names the agent once connected',
  );
  assert.ok(await w(page, '.stage').isHidden(), 'the queue card goes away when an agent joins');

  // Agent typing, then a message.
  await agent.typing(chat.id, true);
  await until(
    async () => ((await w(page, '.typing').textContent()) || '').includes('is typing'),
    'the visitor sees the agent typing',
  );
  await agent.say(chat.id, 'Hi Jonas, I am looking up order #1042 now.');
  await until(
    async () => (await transcript(page)).some((m) => m.who === agentName && m.text === 'Hi Jonas, I am looking up order #1042 now.'),
    "the agent's message appears under the agent's name",
  );
  await agent.typing(chat.id, false);
  await until(async () => ((await w(page, '.typing').textContent()) || '') === '', 'the typing indicator clears');

  // Visitor typing reaches the agent with a live preview.
  await w(page, '#sb-msg').pressSequentially('Thank you so', { delay: 20 });
  const typing = await agent.waitFor(
    'typing',
    (d) => d.chat_id === chat.id && d.party === 'visitor' && d.typing && (d.preview || '').startsWith('Thank you'),
  );
  assert.ok(typing.preview.length <= 500, 'the preview stays within MAX_PREVIEW_CHARS');
  await w(page, '#sb-msg').pressSequentially(' much!');
  await w(page, '#sb-msg').press('Enter');
  await agent.visitorMessage(chat.id, 'Thank you so much!');
  await agent.typing(chat.id, true);
  await until(async () => w(page, '.typing').isVisible(), 'typing shows again for the screenshot');
  await shot(page, 'chatting');
  await agent.typing(chat.id, false);

  // A reload keeps the transcript and the chat goes on.
  const beforeReload = (await transcript(page)).filter((m) => !m.pending).map((m) => m.text);
  await page.reload();
  await until(async () => (await transcript(page).catch(() => [])).length >= beforeReload.length, 'the transcript comes back after a reload');
  const afterReload = (await transcript(page)).map((m) => m.text);
  assert.deepEqual(afterReload, beforeReload, 'the re-attached chat shows the same transcript in the same order');
  assert.ok(((await w(page, '.sub').textContent()) || '').includes(agentName), 'still connected to the same agent');
  await send(page, 'Still here after a reload.');
  await agent.visitorMessage(chat.id, 'Still here after a reload.');
  await agent.say(chat.id, 'Good, I see it.');
  await until(async () => (await transcript(page)).some((m) => m.text === 'Good, I see it.'), 'agent messages keep arriving after the reload');

  // Minimized, new agent messages show as a count on the chat button.
  await w(page, '.min').click();
  await agent.say(chat.id, 'One more thing: it ships tomorrow.');
  await until(
    async () => (await w(page, '.badge').isVisible()) && (await w(page, '.badge').textContent()) === '1',
    'an unread count shows on the closed chat button',
  );
  assert.match(await w(page, '.launcher').getAttribute('aria-label'), /1 new/, 'the count is announced too');
  await w(page, '.launcher').click();
  assert.ok(await w(page, '.badge').isHidden(), 'opening the panel clears the count');

  // A network loss: the widget says so, keeps what is typed, and delivers it once.
  await browser.context.setOffline(true);
  await until(async () => w(page, '.net').isVisible(), 'the panel shows "Reconnecting…" while offline');
  assert.match(await w(page, '.net').textContent(), /Reconnecting/);
  await send(page, 'Typed while offline.');
  await until(
    async () => (await transcript(page)).some((m) => m.text === 'Typed while offline.' && m.pending),
    'a message typed offline waits in the outbox',
  );
  await agent.say(chat.id, 'Are you still with me?');
  await browser.context.setOffline(false);
  await agent.visitorMessage(chat.id, 'Typed while offline.', 45_000);
  await until(async () => w(page, '.net').isHidden(), 'the reconnecting line goes away', 45_000);
  await until(
    async () => (await transcript(page)).some((m) => m.text === 'Are you still with me?'),
    'what the agent said during the outage is shown after reconnecting',
  );
  // Give a duplicate the chance to show up before counting.
  await agent.say(chat.id, 'Got it.');
  await until(async () => (await transcript(page)).some((m) => m.text === 'Got it.'), 'the link works both ways again');
  const copies = agent.pushes.filter(
    (p) => p.push === 'chat.event' && p.data.event.chat_id === chat.id && p.data.event.text === 'Typed while offline.',
  );
  assert.equal(copies.length, 1, 'the agent received the offline message exactly once');
  const t = await transcript(page);
  assert.equal(t.filter((m) => m.text === 'Typed while offline.').length, 1, 'the widget shows it once');
  assert.ok(!t.some((m) => m.pending), 'nothing is left pending');

  // The visitor ends the chat, confirming first.
  await w(page, '.end').click();
  await w(page, '.confirm').waitFor();
  await w(page, '.confirm .danger').click();
  await until(async () => w(page, '.over').isVisible(), 'the ended bar replaces the composer');
  assert.match(await w(page, '.over').textContent(), /You ended the chat/);
  await agent.waitFor('chat.event', (d) => d.event && d.event.chat_id === chat.id && d.event.type === 'ended' && d.event.by === 'visitor');
  await shot(page, 'ended');

  await w(page, '.over button').click();
  await w(page, '#sb-name').waitFor();
  assert.equal(await w(page, '#sb-name').inputValue(), 'Jonas Weber', 'a new chat starts from the survey, prefilled');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});
