// The widget is usable with the keyboard alone, shows where focus is, and its text
// meets WCAG AA contrast.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Agent } from './lib/agent.mjs';
import { launchBrowser } from './lib/browser.mjs';
import { Hub } from './lib/hub.mjs';
import { openDemo, shot, transcript, until, w, watch } from './lib/widget.mjs';

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

// What has focus, looking through the widget's shadow root.
function focused(p) {
  return p.evaluate(() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const cs = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: el.className && typeof el.className === 'string' ? el.className : '',
      text: (el.textContent || '').trim().slice(0, 40),
      label: el.getAttribute('aria-label'),
      outline: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
      inWidget: el.getRootNode() !== document,
    };
  });
}

async function tabTo(p, match, why, max = 60, key = 'Tab') {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press(key);
    const f = await focused(p);
    if (f && match(f)) return f;
  }
  throw new Error(`Tab never reached ${why}`);
}

test('keyboard only: open, survey, chat, Escape, end with confirmation', async () => {
  await openDemo(page, hub);
  await page.locator('body').focus();
  const launcher = await tabTo(page, (f) => f.inWidget && f.cls.includes('launcher'), 'the chat button');
  assert.ok(launcher.outline, 'the chat button shows a visible focus ring');

  await page.keyboard.press('Enter');
  // The panel connects first; focus follows into the survey as soon as it is shown.
  let f = await until(async () => {
    const now = await focused(page);
    return now && now.id === 'sb-name' && now;
  }, 'opening the panel puts focus in the first field');
  assert.ok(f.outline, 'inputs show a visible focus ring');
  await page.keyboard.type('Kim Keys');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'sb-email');
  await page.keyboard.type('kim@example.com');
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).id, 'sb-text');
  await page.keyboard.type('Can I change the size of my order?');
  await page.keyboard.press('Tab');
  f = await focused(page);
  assert.equal(f.text, 'Start chat', 'Tab reaches the submit button');
  assert.ok(f.outline, 'buttons show a visible focus ring');
  await page.keyboard.press('Enter');

  const { chat } = await agent.acceptNextOffer();
  await until(async () => (await focused(page)).id === 'sb-msg', 'focus lands in the message box once the chat starts');
  await page.keyboard.type('Size M instead of L, please.');
  await page.keyboard.press('Enter');
  await agent.visitorMessage(chat.id, 'Size M instead of L, please.');
  await agent.say(chat.id, 'Done, it is changed.');
  await until(async () => (await transcript(page)).some((m) => m.text === 'Done, it is changed.'), 'the reply arrives');
  await page.setViewportSize({ width: 390, height: 844 });
  await shot(page, 'phone-chat');
  await page.setViewportSize({ width: 1280, height: 800 });

  // Escape closes the panel and returns focus to the chat button; Enter brings it back.
  await page.keyboard.press('Escape');
  assert.ok(await w(page, '#sb-panel').isHidden(), 'Escape closes the panel');
  f = await focused(page);
  assert.ok(f.cls.includes('launcher'), 'focus goes back to the chat button');
  await page.keyboard.press('Enter');
  assert.equal((await focused(page)).id, 'sb-msg', 'reopening lands in the message box');

  // End chat: reachable by Tab, confirmation first, Escape cancels, Enter confirms.
  await tabTo(page, (f) => f.text === 'End chat' && f.cls.includes('end'), 'End chat', 4);
  await page.keyboard.press('Enter');
  f = await focused(page);
  assert.equal(f.text, 'End chat', 'the confirmation takes focus on its End chat button');
  assert.ok(f.cls.includes('danger'));
  await page.keyboard.press('Escape');
  assert.ok(await w(page, '#sb-panel').isVisible(), 'Escape in the confirmation cancels it and keeps the panel');
  assert.ok(await w(page, '#sb-msg').isVisible(), 'the composer is back');
  assert.ok((await focused(page)).cls.includes('end'), 'focus returns to End chat');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await until(async () => w(page, '.over').isVisible(), 'the chat ends');
  f = await focused(page);
  assert.equal(f.text, 'Start a new chat', 'focus moves to the next useful action, not lost to the page');
  assert.deepEqual(seen.errors, [], 'no script errors on the page');
});

test('text and controls meet WCAG AA contrast', async () => {
  const ratios = await page.evaluate(() => {
    const root = document.getElementById('switchboard-widget').shadowRoot;
    const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    // The first opaque background up the tree (through the shadow host).
    const bg = (el) => {
      for (let e = el; e; e = e.parentElement || (e.getRootNode() && e.getRootNode().host)) {
        const c = rgb(getComputedStyle(e).backgroundColor);
        if (c.length === 3 || (c.length === 4 && c[3] === 1)) return c.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const out = {};
    for (const sel of ['.visitor .bubble', '.agent .bubble', '.at', '.who', '.privacy', 'h2', '.sub', '.over p', '.over .btn', '.launcher']) {
      const el = root.querySelector(sel);
      if (!el) continue;
      const a = lum(rgb(getComputedStyle(el).color).slice(0, 3));
      const b = lum(bg(el));
      out[sel] = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    }
    return out;
  });
  assert.ok(Object.keys(ratios).length >= 8, `enough elements were measured: ${JSON.stringify(ratios)}`);
  for (const [sel, r] of Object.entries(ratios)) {
    assert.ok(r >= 4.5, `${sel} has contrast ${r.toFixed(2)}:1, below WCAG AA 4.5:1`);
  }
});

test('reduced motion turns animation off', async () => {
  await page.emulateMedia({ reducedMotion: 'reduce' });
  const names = await page.evaluate(() => {
    const root = document.getElementById('switchboard-widget').shadowRoot;
    return [...root.querySelectorAll('.panel, .spin, .dots i, .launcher')].map((el) => getComputedStyle(el).animationName);
  });
  assert.ok(names.every((n) => n === 'none'), `no element animates: ${JSON.stringify(names)}`);
  await page.emulateMedia({ reducedMotion: null });
});
