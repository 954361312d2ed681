// Page-side helpers: reach into the widget's shadow root, fill its forms, and record
// anything that would show that visitor or agent text ran as markup.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO } from './hub.mjs';

// Screenshots go to docs/screenshots only when asked for (SWITCHBOARD_SCREENSHOTS=1), so
// an ordinary test run leaves the committed pictures alone; otherwise to a temp folder,
// where they are still taken (a broken page still fails the test).
export const SHOTS = process.env.SWITCHBOARD_SCREENSHOTS
  ? path.join(REPO, 'docs', 'screenshots')
  : path.join(os.tmpdir(), 'switchboard-widget-shots');

/** A locator inside the widget (Playwright's CSS engine pierces open shadow roots). */
export function w(page, selector) {
  return page.locator('#switchboard-widget').locator(selector);
}

/** Loads the demo page as a new visitor (the tab's sessionStorage is cleared first). */
export async function openDemo(page, hub, viewport = { width: 1280, height: 800 }) {
  await page.setViewportSize(viewport);
  if (page.url().startsWith(hub.url)) await page.evaluate(() => sessionStorage.clear());
  await page.goto(hub.url + '/demo');
  await w(page, '.launcher').waitFor();
}

/** Records dialogs (dismissing them), page errors and the widget's WebSocket frames. */
export function watch(page) {
  const seen = { dialogs: [], errors: [], frames: [] };
  page.on('websocket', (ws) => {
    const keep = (dir) => (f) => {
      try {
        seen.frames.push({ dir, ...JSON.parse(String(f.payload)) });
      } catch {
        // not JSON: nothing the tests look at
      }
    };
    ws.on('framesent', keep('out'));
    ws.on('framereceived', keep('in'));
  });
  page.on('dialog', (d) => {
    seen.dialogs.push(`${d.type()}: ${d.message()}`);
    d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => seen.errors.push(String(e && e.message)));
  return seen;
}

export async function fillSurvey(page, { name, email, question }) {
  await w(page, '#sb-name').fill(name);
  if (email !== undefined) await w(page, '#sb-email').fill(email);
  await w(page, '#sb-text').fill(question);
}

export async function send(page, text) {
  await w(page, '#sb-msg').fill(text);
  await w(page, '#sb-msg').press('Enter');
}

/** The transcript as [{who, text}] in screen order, pending messages included. */
export function transcript(page) {
  return w(page, '.log').evaluate((log) =>
    [...log.children].map((el) => ({
      who: el.classList.contains('notice') ? 'notice' : (el.querySelector('.who') || {}).textContent,
      text: (el.querySelector('.bubble') || el).textContent,
      pending: el.hasAttribute('data-client'),
    })),
  );
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `widget-${name}.png`), animations: 'disabled' });
}

/** Waits until `fn` returns a truthy value, polling; fails with `why`. */
export async function until(fn, why, ms = 15_000) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${why} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

/** The hub's reply to the widget's last request of `action`, once it has come. */
export function replyTo(seen, action) {
  const req = seen.frames.filter((f) => f.dir === 'out' && f.action === action).pop();
  if (!req) return null;
  return seen.frames.find((f) => f.dir === 'in' && f.re === req.id) || null;
}
