// A missed chat answered from the app: the agent claims it and replies by email, and the
// email reaches a real SMTP server on loopback.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { until } from '../../widget/tests/lib/widget.mjs';
import { App, screenshot } from './lib/app.mjs';
import { ADA, setStatus, signIn } from './lib/console.mjs';
import { MailingHub, SmtpSink } from './lib/mail.mjs';
import { Visitor } from './lib/visitor.mjs';

let sink;
let hub;
let app;
let s;
let visitor;

before(async () => {
  sink = await new SmtpSink().start();
  hub = await new MailingHub(sink).start();
  app = new App();
  s = await app.launch();
});

after(async () => {
  if (visitor) visitor.close();
  if (app) await app.destroy();
  if (hub) await hub.destroy();
  if (sink) await sink.stop();
});

const REPLY = 'Hello Olu, yes: schools get 40% off every plan. Reply with the name of your school.';

test('an agent claims a missed chat and the email reply is delivered', () =>
  app.recording('missed', async () => {
    await signIn(s, hub.url, ADA);
    // Nobody of Support is online, so the visitor's chat is missed at once.
    await setStatus(s, 'Offline');
    visitor = await new Visitor(hub.url).connect();
    const started = await visitor.start('Olu Adeyemi', 'Support', 'olu@example.com');
    assert.equal(
      started.state.kind,
      'missed',
      `with nobody online the chat is missed: ${JSON.stringify(started.state)}`,
    );

    await s.click('button', /Missed/);
    const item = await s.find('button', /Olu Adeyemi/, { ms: 20_000 });
    await item.click();
    await s.click('button', 'Claim', { exact: true });
    const box = await s.find('label', 'Email reply to Olu Adeyemi', { ms: 20_000 });
    await box.type(REPLY);
    await screenshot(app, 'missed');
    await s.click('button', 'Send email reply');

    const mail = await until(
      () => sink.messages().find((m) => m.rcpt_tos.includes('olu@example.com')),
      'the email reply reaches the SMTP server',
      30_000,
    );
    assert.ok(mail.body.includes(REPLY), `the email carries the reply typed in the app:\n${mail.body}`);
    assert.match(mail.subject, /^Re: /, 'the email answers the visitor’s question');
    assert.match(mail.from, /support@switchboard\.demo/, 'the email comes from the hub’s configured sender');
    assert.equal(sink.messages().length, 1, 'one reply, one email');

    // The missed chat is answered: the list and its detail say so.
    await s.find('text', 'Replied', { exact: true, ms: 20_000 });
    await s.find('text', 'Already answered. Claim it again to send a follow-up.', { ms: 20_000 });
    // The reply is in the missed chat's transcript, with its author and delivery.
    await s.find('text', /replied by email to\s+olu@example\.com/, { ms: 20_000 });
    await s.find('text', /Sent at/, { ms: 20_000 });
    await screenshot(app, 'missed-replied');
  }));
