// Markup typed by a visitor or an agent is shown as the characters typed: no element
// is created, no script runs, no dialog opens.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { fillSurvey, openDemo, send, transcript, until, w, watch } from './lib/widget.mjs';

const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '<script>alert(1)</script>';
const LINKS = 'See https://example.com/help?a=1&b=<2> and javascript:alert(1) and <a href="javascript:alert(2)">x</a>';

let hub;
let browser;
let page;
let seen;
let agent;

before(async () => {
  hub = await new Hub().start();
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

// Elements in the widget's shadow root and in the page that markup could have made.
function census(p) {
  return p.evaluate(() => {
    const root = document.getElementById('switchboard-widget').shadowRoot;
    const count = (r, sel) => r.querySelectorAll(sel).length;
    return {
      shadowImg: count(root, 'img'),
      shadowScript: count(root, 'script'),
      shadowBold: count(root, 'b'),
      shadowIframe: count(root, 'iframe'),
      pageImg: count(document, 'img'),
      pageScript: count(document, 'script'),
      hrefs: [...root.querySelectorAll('a')].map((a) => a.getAttribute('href')),
      flagged: window.__pwned === true,
    };
  });
}

test('HTML in survey, visitor and agent messages is literal text', async () => {
  await openDemo(page, hub);
  const baseline = await census(page);
  await w(page, '.launcher').click();
  await fillSurvey(page, {
    name: '<b>Mallory</b>',
    email: 'mallory@example.com',
    question: `${IMG} ${SCRIPT}`,
  });
  await w(page, 'button[type=submit]').click();
  const { chat, events } = await agent.acceptNextOffer();
  assert.equal(chat.visitor.name, '<b>Mallory</b>', 'the hub keeps the name as typed');
  assert.ok(
    events.some((e) => e.type === 'message' && e.text === `${IMG} ${SCRIPT}`),
    'the question reaches the agent as typed',
  );

  await send(page, IMG);
  await agent.visitorMessage(chat.id, IMG);
  await send(page, SCRIPT);
  await agent.visitorMessage(chat.id, SCRIPT);
  await agent.say(chat.id, IMG);
  await agent.say(chat.id, SCRIPT);
  await agent.say(chat.id, '<img src=x onerror="window.__pwned=true">');
  await agent.say(chat.id, LINKS);
  await until(async () => (await transcript(page)).some((m) => m.text === LINKS), 'the last agent message arrives');

  const t = await transcript(page);
  const texts = t.map((m) => m.text);
  for (const literal of [`${IMG} ${SCRIPT}`, IMG, SCRIPT, '<img src=x onerror="window.__pwned=true">', LINKS]) {
    assert.ok(texts.includes(literal), `"${literal}" is shown character for character; got ${JSON.stringify(texts)}`);
  }
  // A page reload re-renders the whole transcript from the hub: still text.
  await page.reload();
  await until(async () => (await transcript(page).catch(() => [])).some((m) => m.text === LINKS), 'the transcript returns');

  const after = await census(page);
  assert.equal(after.shadowImg, 0, 'no <img> was created inside the widget');
  assert.equal(after.shadowScript, 0, 'no <script> was created inside the widget');
  assert.equal(after.shadowBold, 0, 'the visitor name did not become bold markup');
  assert.equal(after.shadowIframe, 0, 'no frames');
  assert.equal(after.pageImg, baseline.pageImg, 'no <img> appeared in the page');
  assert.equal(after.pageScript, baseline.pageScript, 'no <script> appeared in the page');
  assert.equal(after.flagged, false, 'no injected handler ran');
  assert.deepEqual(
    after.hrefs,
    ['https://example.com/help?a=1&b='],
    'only the http(s) URL became a link; javascript: stayed text',
  );
  const link = w(page, '.bubble a');
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer nofollow');
  assert.equal(await link.getAttribute('target'), '_blank');
  await page.waitForTimeout(300);
  assert.deepEqual(seen.dialogs, [], 'no dialog fired');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});
