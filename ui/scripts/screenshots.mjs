// Takes the console's screenshots (docs/screenshots/console-ui-*.png) from the built UI
// served by `vite preview` under the app's CSP, with the fake backend playing the hub.
// Fails on any console error or CSP violation. Usage: npm run build && node scripts/screenshots.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const ui = path.resolve(here, '..');
const out = path.resolve(ui, '..', 'docs', 'screenshots');
const port = Number(process.env.PORT ?? 4179);
const base = `http://127.0.0.1:${port}/`;
const only = process.argv.slice(2);

fs.mkdirSync(out, { recursive: true });

const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
  cwd: ui,
  stdio: ['ignore', 'pipe', 'pipe'],
});

async function waitForServer() {
  for (let i = 0; i < 100; i++) {
    try {
      const res = await fetch(base);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('vite preview did not start');
}

const problems = [];

async function shoot(browser, name, url, act) {
  if (only.length > 0 && !only.includes(name)) return;
  const page = await browser.newPage({ viewport: { width: 1100, height: 720 }, deviceScaleFactor: 1 });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`${name}: console error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`${name}: page error: ${err.message}`));
  await page.goto(base + url);
  await act(page);
  await page.waitForTimeout(350);
  const file = path.join(out, `console-ui-${name}.png`);
  await page.screenshot({ path: file });
  console.log('wrote', path.relative(process.cwd(), file));
  await page.close();
}

const fake = (page, body) => page.evaluate(body);

try {
  await waitForServer();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--font-render-hinting=none'],
  });

  await shoot(browser, 'sign-in', '?still', async (page) => {
    await page.getByLabel('Hub address').fill('https://chat.acme.example');
    await page.getByLabel('Email').fill('sam@acme.example');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').waitFor();
  });

  await shoot(browser, 'chat', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('tab', { name: /Dana Whitfield/ }).waitFor();
    await page.getByLabel('Message to Dana Whitfield').fill('Yes — the corrected invoice keeps the date of 2 June.');
  });

  await shoot(browser, 'canned', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('tab', { name: /Jonas Berg/ }).click();
    const box = page.getByLabel('Message to Jonas Berg');
    await box.click();
    await box.pressSequentially('/');
    await page.getByRole('listbox', { name: 'Canned responses' }).waitFor();
  });

  await shoot(browser, 'pending-and-failed', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('tab', { name: /Jonas Berg/ }).click();
    await fake(page, () => {
      const f = globalThis.switchboardFake;
      f.failNextDelivery({ code: 'too_large', message: 'the hub refused it: the message is too long' });
    });
    const box = page.getByLabel('Message to Jonas Berg');
    await box.fill('I’ve checked with the warehouse: it leaves today with express shipping.');
    await box.press('Enter');
    await page.getByText('Not sent:').waitFor();
    await fake(page, () => {
      globalThis.switchboardFake.setConnection({
        state: 'reconnecting',
        attempt: 3,
        next_attempt_at: new Date(Date.now() + 12_000).toISOString(),
      });
    });
    await box.fill('You’ll get the tracking link by email within the hour.');
    await box.press('Enter');
  });

  await shoot(browser, 'transfer', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('button', { name: 'Transfer' }).click();
    await page.getByRole('dialog').getByText('Alex Chen').waitFor();
    await page.getByLabel(/Alex Chen/).check();
    await page.getByLabel('Note for the next agent').fill('Wants the corrected invoice sent to their billing inbox.');
  });

  await shoot(browser, 'wrap-up', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('button', { name: 'End chat' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'End chat' }).click();
    await page.getByText('Wrap up the chat with Dana Whitfield').waitFor();
    await page.getByRole('radiogroup', { name: 'Outcome' }).getByText('Resolved').click();
    await page.getByLabel('Notes').fill('Corrected the VAT number on INV-2025-0412; credit note sent.');
    const tags = page.getByLabel('Tags');
    await tags.fill('invoice');
    await tags.press('Enter');
    await tags.fill('vat');
    await tags.press('Enter');
  });

  await shoot(browser, 'missed', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('button', { name: /Missed/ }).click();
    await page.getByRole('button', { name: /Olu Adeyemi/ }).click();
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page
      .getByLabel('Email reply to Olu Adeyemi')
      .fill('Hello Olu, yes: schools and universities get 40% off every plan. Reply with your school’s name and we’ll set it up.');
  });

  await shoot(browser, 'missed-replied', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('button', { name: /Missed/ }).click();
    await page.getByRole('button', { name: /Olu Adeyemi/ }).click();
    await page.getByRole('button', { name: 'Claim', exact: true }).click();
    await page.getByLabel('Email reply to Olu Adeyemi').fill('Hello Olu, yes: schools get 40% off every plan. Reply with your school’s name and we’ll set it up.');
    await page.getByRole('button', { name: 'Send email reply' }).click();
    await page.getByText('Sent at').waitFor({ timeout: 10_000 });
  });

  await shoot(browser, 'history', '?signed-in&still&hooks', async (page) => {
    await fake(page, () => {
      globalThis.switchboardFake.setConnection({ state: 'offline', reason: 'stopped' });
    });
    await page.getByRole('button', { name: /History/ }).click();
    await page.getByLabel('Search transcripts').fill('invoice');
    await page.getByRole('button', { name: /Dana Whitfield/ }).first().click();
    await page.getByRole('heading', { name: 'Dana Whitfield' }).waitFor();
  });

  await shoot(browser, 'empty', '?signed-in&still&quiet', async (page) => {
    await page.getByText('No chats yet').waitFor();
  });

  await shoot(browser, 'signed-out', '?signed-in&still&hooks', async (page) => {
    await page.getByRole('tab', { name: /Dana Whitfield/ }).waitFor();
    await fake(page, () => {
      globalThis.switchboardFake.setConnection({ state: 'signed_out', reason: 'the session was revoked by an administrator' });
    });
  });

  await browser.close();
} finally {
  server.kill();
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
