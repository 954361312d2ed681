// A whole chat in the real app against a real hub: sign in, go online, accept a
// visitor's chat, talk both ways, see hostile visitor text as text, transfer, take a
// transfer back, end and wrap up.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { Agent } from '../../widget/tests/lib/agent.mjs';
import { Hub } from '../../widget/tests/lib/hub.mjs';
import { until } from '../../widget/tests/lib/widget.mjs';
import { App, screenshot } from './lib/app.mjs';
import {
  acceptOffer,
  ADA,
  BEN,
  chatPane,
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
let ben;
const visitors = [];

before(async () => {
  hub = await new Hub().start();
  app = new App();
  s = await app.launch();
  // Ben, the other demo agent, is scripted over the agent protocol: he receives the
  // transfer and hands the chat back.
  ben = await new Agent(hub.url, BEN).connect();
  await ben.setStatus('online');
});

after(async () => {
  for (const v of visitors) v.close();
  if (ben) ben.close();
  if (app) await app.destroy();
  if (hub) await hub.destroy();
});

const HOSTILE = '<img src=x onerror=alert(1)><script>window.__visitorScriptRan = true</script>';

test('an agent takes a chat from offer to wrap-up', () =>
  app.recording('chat', async () => {
    await s.find('label', 'Hub address', { ms: 30_000 });
    await screenshot(app, 'sign-in');
    await signIn(s, hub.url, ADA);
    await setStatus(s, 'Online');
    await s.find('text', 'No chats yet', { ms: 20_000 });

    // Anything that would run if visitor text became markup reports here.
    await s.execute(`
    window.__alerts = [];
    window.alert = (m) => window.__alerts.push(String(m));
  `);

    const visitor = await new Visitor(hub.url).connect();
    visitors.push(visitor);
    await visitor.start('Dana Whitfield', 'Support');
    await s.find('listitem', 'Chat offered: Dana Whitfield', { ms: 30_000 });
    await screenshot(app, 'offer');
    await acceptOffer(s, 'Dana Whitfield');
    await until(
      () => visitor.states.some((st) => st.kind === 'connected'),
      'the visitor is told an agent joined once the offer is accepted',
    );

    // Visitor to agent.
    await visitor.say('My invoice shows the wrong VAT number.');
    await seeInChat(s, 'Dana Whitfield', 'My invoice shows the wrong VAT number.');

    // Agent to visitor, from the composer that names the visitor.
    await sendMessage(s, 'Dana Whitfield', 'Hi Dana, let me pull up that invoice.');
    await visitor.waitForAgentMessage('Hi Dana, let me pull up that invoice.');
    await seeInChat(s, 'Dana Whitfield', 'Hi Dana, let me pull up that invoice.');
    await screenshot(app, 'chat');

    // Markup from a visitor is shown as the characters they typed, and runs nothing.
    await visitor.say(HOSTILE);
    await seeInChat(s, 'Dana Whitfield', HOSTILE);
    const pane = await chatPane(s, 'Dana Whitfield');
    const count = (sel) => s.execute('return arguments[0].querySelectorAll(arguments[1]).length', pane, sel);
    assert.equal(await count('img'), 0, 'visitor text never becomes an <img> element');
    assert.equal(await count('script'), 0, 'visitor text never becomes a <script> element');
    assert.deepEqual(await s.execute('return window.__alerts'), [], 'the onerror handler in visitor text never ran');
    assert.equal(
      await s.execute('return window.__visitorScriptRan === true'),
      false,
      'the script in visitor text never ran',
    );
    assert.equal(await s.alertText(), null, 'no dialog opened from visitor text');

    // Transfer to Ben, with a note; Ben accepts and the chat leaves Ada's list.
    await s.click('button', 'Transfer', { exact: true });
    const dialog = await s.find('dialog', 'Transfer Dana Whitfield');
    await (await dialog.find('label', /Ben/)).click();
    await s.fill('Note for the next agent', 'Asks about the VAT number on the last invoice.');
    await screenshot(app, 'transfer');
    await (await dialog.find('button', /^Transfer to Ben/)).click();
    await s.find('text', /Waiting for Ben.* to accept the transfer/);
    const { offer: toBen, chat } = await ben.acceptNextOffer();
    assert.equal(toBen.kind, 'transfer', 'Ben is offered the chat as a transfer');
    assert.equal(toBen.note, 'Asks about the VAT number on the last invoice.', 'the note typed in the app reaches Ben');
    await s.gone('tab', 'Dana Whitfield', { ms: 20_000 });
    await until(
      () => visitor.states.some((st) => st.kind === 'connected' && /Ben/.test(st.agent_name)),
      'the visitor is connected to Ben after the transfer',
    );

    // Ben hands it back: the app offers Ada the transfer, with Ben's note.
    const adaId = toBen.from?.id;
    assert.ok(adaId, `the transfer offer names who sent it: ${JSON.stringify(toBen.from)}`);
    await ben.call('chat.transfer', {
      client_id: randomUUID(),
      chat_id: chat.id,
      to: { kind: 'agent', id: adaId },
      note: 'Billing question after all.',
    });
    const back = await s.find('listitem', 'Chat offered: Dana Whitfield', { ms: 30_000 });
    await back.find('text', 'Billing question after all.', { ms: 5000 });
    await acceptOffer(s, 'Dana Whitfield');
    // The transfer that brought it back is done: the chat can be handed on again.
    await s.gone('text', /to accept the transfer/, { ms: 20_000 });
    const transfer = await s.find('button', 'Transfer', { exact: true });
    assert.equal(await transfer.property('disabled'), false, 'Transfer is offered again on the returned chat');
    await visitor.say('Are you still there?');
    await seeInChat(s, 'Dana Whitfield', 'Are you still there?');

    // End the chat, then wrap it up.
    await endChat(s, 'Dana Whitfield');
    await until(
      () => visitor.states.some((st) => st.kind === 'ended'),
      'the visitor sees the chat end when the agent ends it in the app',
    );
    await fillWrapUp(s, 'Dana Whitfield', { notes: 'Corrected the VAT number.', tag: 'invoice' });
    await screenshot(app, 'wrap-up');
    await finishWrapUp(s, 'Dana Whitfield');
    await s.find('text', 'No chats yet', { ms: 20_000 });
  }));
