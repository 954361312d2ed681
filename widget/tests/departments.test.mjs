// Choosing a department: from the tag, from a page button, or in the survey when the
// tag names none; a department with nobody available gets the offline form. And the
// widget on other websites: allowed origins chat, others are refused by the hub.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { startSite } from './lib/site.mjs';
import { openDemo, until, w, watch } from './lib/widget.mjs';

let hub;
let browser;
let page;
let seen;
let agent;
let shop;
let stranger;

before(async () => {
  const tag = () => `<!doctype html><title>Trail Notes</title><h1>Trail Notes</h1><script src="${hub.url}/widget.js" async></script>`;
  shop = await startSite(tag);
  stranger = await startSite(tag);
  // Sales has no backup routing, so it is unavailable while its own agent is away.
  hub = await new Hub({ departments: { Sales: ['--backup', 'none'] }, origins: [shop.url] }).start();
  browser = await launchBrowser();
  page = browser.context.pages()[0] || (await browser.context.newPage());
  seen = watch(page);
  // Support's agent is online; nobody from Sales is.
  const creds = hub.agents().find((a) => /Support/.test(a.line));
  assert.ok(creds, `the demo seeds a Support agent; got:\n${hub.log}`);
  agent = await new Agent(hub.url, creds).connect();
  await agent.setStatus('online');
});

after(async () => {
  if (agent) agent.close();
  if (browser) await browser.close();
  if (hub) await hub.destroy();
  if (shop) await shop.close();
  if (stranger) await stranger.close();
});

const submitText = () => w(page, 'button[type=submit]').textContent();

test('a page button opens the panel for Sales, where nobody is available', async () => {
  await openDemo(page, hub);
  await page.getByRole('button', { name: 'Ask a gear expert' }).click();
  await until(async () => (await submitText()) === 'Send message', 'Sales has nobody online: the offline form');
  assert.match(await w(page, '.sub').textContent(), /^Sales/, 'the header names the department asked for');
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: 'Chat with Support' }).click();
  await until(async () => (await submitText()) === 'Start chat', 'Support has an agent online: the chat survey');
  assert.match(await w(page, '.sub').textContent(), /^Support/);
});

test('on another website, without data-department, the survey offers the departments', async () => {
  // A customer site on its own origin, allowed for the demo site; its tag names no department.
  await page.goto(shop.url);
  await w(page, '.launcher').click();
  const select = w(page, '#sb-dept');
  await select.waitFor();
  const options = await select.locator('option').allTextContents();
  assert.deepEqual(options.sort(), ['Sales (leave a message)', 'Support'], 'every department is offered, with its availability');
  assert.equal(await w(page, 'label[for=sb-dept]').textContent(), 'Department', 'the select is labelled');
  assert.equal(await w(page, 'h2').textContent(), 'Chat with us', 'the default title without data-title');

  await w(page, '#sb-name').fill('Noor');
  await w(page, '#sb-text').fill('What is the warranty on the poles?');
  await select.selectOption('Sales');
  assert.equal(await submitText(), 'Send message', 'switching to an unavailable department turns the form into the offline form');
  assert.equal(await w(page, '#sb-text').inputValue(), 'What is the warranty on the poles?', 'what was typed is kept');
  await select.selectOption('Support');
  assert.equal(await submitText(), 'Start chat', 'and back');

  await w(page, 'button[type=submit]').click();
  const { chat } = await agent.acceptNextOffer();
  assert.equal(chat.department.name, 'Support', 'the chat goes to the department chosen in the survey');
  assert.equal(chat.visitor.page_url, `${shop.url}/`, 'the page the chat started on is recorded');
  await agent.say(chat.id, 'Five years, no questions asked.');
  await until(async () => (await w(page, '.log').textContent()).includes('Five years'), 'the chat works across origins');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});

test('a website that is not on the allow-list gets no chat', async () => {
  await page.goto(stranger.url);
  await w(page, '.launcher').click();
  await until(
    async () => /can’t reach the chat service/.test(await w(page, '.body').textContent()),
    'the hub refuses the origin, and the widget says it cannot reach the chat service',
    20_000,
  );
  assert.equal(await w(page, '#sb-name').count(), 0, 'no survey is offered');
});
