// The hub restarts mid-chat: the widget waits, keeps what the visitor types, and
// carries on with the same chat once the hub is back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { fillSurvey, openDemo, send, transcript, until, w, watch } from './lib/widget.mjs';

let hub;
let browser;
let page;
let seen;
const agents = [];

before(async () => {
  hub = await new Hub().start();
  browser = await launchBrowser();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  seen = watch(page);
});

after(async () => {
  for (const a of agents) a.close();
  if (browser) await browser.close();
  if (hub) await hub.destroy();
});

test('a hub restart mid-chat loses nothing', async () => {
  const [creds] = hub.agents();
  assert.ok(creds, `the demo hub prints agent credentials at start; got:\n${hub.log}`);
  const agent = await new Agent(hub.url, creds).connect();
  agents.push(agent);
  await agent.setStatus('online');

  await openDemo(page, hub);
  await w(page, '.launcher').click();
  await fillSurvey(page, { name: 'Tomas Berg', email: 'tomas@example.com', question: 'Is the stove kit allowed on planes?' });
  await w(page, 'button[type=submit]').click();
  const { chat } = await agent.acceptNextOffer();
  await agent.say(chat.id, 'The stove yes, the fuel no.');
  await until(async () => (await transcript(page)).some((m) => m.text === 'The stove yes, the fuel no.'), 'the chat is under way');

  await hub.stop();
  await until(async () => w(page, '.net').isVisible(), 'the widget notices the hub is gone');
  await send(page, 'Typed while the hub was down.');
  await until(
    async () => (await transcript(page)).some((m) => m.text === 'Typed while the hub was down.' && m.pending),
    'the message waits in the outbox',
  );

  await hub.start();
  // The agent's app reconnects too, resuming its push stream, and goes online again.
  const back = await new Agent(hub.url, creds).connect({ resumeAfter: agent.lastSeq });
  assert.equal(back.welcome.resume, 'resumed', 'the hub kept the agent stream across the restart');
  agents.push(back);
  await back.setStatus('online');

  await until(async () => w(page, '.net').isHidden(), 'the widget reconnects on its own', 45_000);
  await back.visitorMessage(chat.id, 'Typed while the hub was down.', 45_000);
  await back.say(chat.id, 'Welcome back.');
  await until(async () => (await transcript(page)).some((m) => m.text === 'Welcome back.'), 'the same chat goes on');
  const t = await transcript(page);
  assert.equal(t.filter((m) => m.text === 'Typed while the hub was down.').length, 1, 'shown once');
  assert.ok(!t.some((m) => m.pending), 'nothing left pending');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});
