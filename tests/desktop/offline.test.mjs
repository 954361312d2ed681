// The hub goes away mid-shift: the app still browses and searches its history, keeps
// a message typed meanwhile as pending, and delivers it exactly once when the hub is back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { Hub } from '../../widget/tests/lib/hub.mjs';
import { until } from '../../widget/tests/lib/widget.mjs';
import { App, screenshot } from './lib/app.mjs';
import {
  acceptOffer,
  ADA,
  endChat,
  fillWrapUp,
  finishWrapUp,
  seeInChat,
  sendMessage,
  setStatus,
  signIn,
} from './lib/console.mjs';
import { Visitor } from './lib/visitor.mjs';

let hub;
let app;
let s;
const visitors = [];

before(async () => {
  hub = await new Hub().start();
  app = new App();
  s = await app.launch();
});

after(async () => {
  for (const v of visitors) v.close();
  if (app) await app.destroy();
  if (hub) await hub.destroy();
});

async function visitorChat(name) {
  const visitor = await new Visitor(hub.url).connect();
  visitors.push(visitor);
  await visitor.start(name, 'Support');
  await acceptOffer(s, name);
  return visitor;
}

const PENDING = 'Written while the hub was away.';

test('history works without the hub, and a message typed meanwhile is delivered once', () =>
  app.recording('offline', async () => {
    await signIn(s, hub.url, ADA);
    await setStatus(s, 'Online');

    // A finished chat, for the history.
    const mara = await visitorChat('Mara Lind');
    await mara.say('The parcel left the warehouse on Monday, where is it now?');
    await seeInChat(s, 'Mara Lind', 'The parcel left the warehouse on Monday, where is it now?');
    await sendMessage(s, 'Mara Lind', 'It is with the courier and arrives on Thursday.');
    await mara.waitForAgentMessage('It is with the courier and arrives on Thursday.');
    await endChat(s, 'Mara Lind');
    await fillWrapUp(s, 'Mara Lind', { notes: 'Tracking given.', tag: 'delivery' });
    await finishWrapUp(s, 'Mara Lind');

    // A chat still going when the hub stops.
    const noah = await visitorChat('Noah Berg');
    await noah.say('Can I change the delivery address?');
    await seeInChat(s, 'Noah Berg', 'Can I change the delivery address?');

    await hub.stop();
    await s.find('text', /Connection lost|You’re offline/, { ms: 30_000 });

    // History: browse, then search, from the cache on this computer.
    await s.click('button', /History/);
    await (await s.find('button', /Mara Lind/, { ms: 20_000 })).click();
    await s.find('text', 'The parcel left the warehouse on Monday, where is it now?', { ms: 20_000 });
    await s.fill('Search transcripts', 'courier');
    await s.find('text', /1 message found/, { ms: 20_000 });
    await (await s.find('button', /Mara Lind/)).click();
    await s.find('text', 'It is with the courier and arrives on Thursday.', { ms: 20_000 });
    await screenshot(app, 'history');

    // A message typed while the hub is away waits in the outbox, marked as pending.
    await s.click('button', /Chats/);
    await s.click('tab', 'Noah Berg');
    await sendMessage(s, 'Noah Berg', PENDING);
    await s.find('text', 'Waiting for the connection', { ms: 20_000 });
    await screenshot(app, 'offline');

    // The hub comes back on the same port and data; the visitor's widget reconnects
    // with its token, and the app on its own.
    await hub.start();
    await noah.reconnect();
    await noah.waitForAgentMessage(PENDING, 90_000);
    await s.gone('text', 'Waiting for the connection', { ms: 30_000 });

    // A later message arriving proves the earlier one had its chance to repeat.
    await sendMessage(s, 'Noah Berg', 'Yes, until it ships.');
    await noah.waitForAgentMessage('Yes, until it ships.');
    const copies = noah.agentMessages().filter((m) => m.text === PENDING);
    assert.equal(
      copies.length,
      1,
      `the message typed offline reaches the visitor exactly once: ${JSON.stringify(copies)}`,
    );
    await seeInChat(s, 'Noah Berg', PENDING);
  }));
