// The hub's etiquette timers as the visitor sees them: "Are you still there?" after a
// silence, then the polite close. The Support department is set up with timers of a
// few seconds so the real hub fires them during the test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { fillSurvey, openDemo, shot, transcript, until, w, watch } from './lib/widget.mjs';

const PROMPT = 'Are you still there?';
const CLOSING = 'We have closed this chat for now. Write to us again any time.';

let hub;
let browser;
let page;
let seen;
let agent;

before(async () => {
  hub = await new Hub({
    departments: {
      Support: ['--inactivity-prompt', '2', '--inactivity-close', '5', '--prompt-text', PROMPT, '--closing-text', CLOSING],
    },
  }).start();
  browser = await launchBrowser();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  seen = watch(page);
  const [creds] = hub.agents();
  assert.ok(creds, `the demo hub prints agent credentials at start; got:\n${hub.log}`);
  agent = await new Agent(hub.url, creds).connect();
  await agent.setStatus('online');
});

after(async () => {
  if (agent) agent.close();
  if (browser) await browser.close();
  if (hub) await hub.destroy();
});

test('a silent visitor is asked "Are you still there?", then the hub closes the chat', async () => {
  await openDemo(page, hub);
  await w(page, '.launcher').click();
  await fillSurvey(page, { name: 'Priya Nair', email: 'priya@example.com', question: 'Do the Trailhead boots run small?' });
  await w(page, 'button[type=submit]').click();
  const { chat } = await agent.acceptNextOffer();
  await agent.say(chat.id, 'They run true to size. Anything else I can help with?');

  const prompt = await until(
    async () => (await transcript(page)).find((m) => m.text === PROMPT),
    'the hub asks a silent visitor whether they are still there',
  );
  assert.equal(prompt.who, 'Support', "the prompt is signed with the team's name");
  assert.equal(await w(page, '.msg.system .bubble').textContent(), PROMPT, 'the prompt is styled as a system message');
  await shot(page, 'still-there');

  await until(async () => w(page, '.over').isVisible(), 'the hub closes the chat after a longer silence', 20_000);
  assert.match(await w(page, '.over').textContent(), /The chat was closed/);
  assert.ok((await transcript(page)).some((m) => m.text === CLOSING), 'the closing message is shown');
  assert.equal(await w(page, '#sb-msg').count(), 0, 'nothing more can be typed into a closed chat');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});
