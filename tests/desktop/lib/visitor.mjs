// A website visitor scripted over the visitor protocol (the widget tests' visitor),
// which also keeps the chat's events as the visitor sees them and can come back to its
// chat with its visitor token after the hub restarts.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { ScriptedVisitor } from '../../../widget/tests/lib/visitor.mjs';
import { until } from '../../../widget/tests/lib/widget.mjs';

// The same `ws` the widget tests' visitor uses (installed in widget/tests).
const WebSocket = createRequire(new URL('../../../widget/tests/package.json', import.meta.url))('ws');

export class Visitor extends ScriptedVisitor {
  constructor(hubUrl) {
    super(hubUrl);
    // Chat events by id: a resent event replaces itself, so duplicates show as two ids.
    this.events = new Map();
  }

  async connect() {
    await super.connect();
    this.listen();
    return this;
  }

  listen() {
    this.ws.on('message', (buf) => {
      const f = JSON.parse(String(buf));
      if (f.push === 'chat.event') this.keep(f.data.event);
    });
  }

  keep(event) {
    if (event && typeof event.id === 'number') this.events.set(event.id, event);
  }

  async start(name, department = 'Support', email) {
    const survey = { name, question: `Question from ${name}`, department };
    if (email) survey.email = email;
    this.chat = await this.call('chat.start', { client_id: randomUUID(), survey });
    return this.chat;
  }

  say(text) {
    return this.call('message.send', { client_id: randomUUID(), text });
  }

  /** Messages from the agent side, in order. */
  agentMessages() {
    return [...this.events.values()].filter((e) => e.type === 'message' && e.from === 'agent');
  }

  waitForAgentMessage(text, ms = 20_000) {
    return until(
      () => this.agentMessages().find((e) => e.text === text),
      `the visitor receives the agent's message "${text}"`,
      ms,
    );
  }

  /** Connects again with the visitor token, as the widget does after a drop. */
  async reconnect() {
    this.close();
    const ws = new WebSocket(this.hubUrl.replace(/^http/, 'ws') + '/v1/visitor/ws', {
      headers: { Origin: this.hubUrl },
    });
    this.ws = ws;
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (buf) => {
      const f = JSON.parse(String(buf));
      if (typeof f.re !== 'string') return;
      const p = this.pending.get(f.re);
      this.pending.delete(f.re);
      if (p) f.error ? p.reject(Object.assign(new Error(f.error.message), f.error)) : p.resolve(f.ok);
    });
    this.listen();
    this.welcome = await this.call('hello', { protocol: 1, token: this.chat.token });
    for (const e of this.welcome.chat?.events ?? []) this.keep(e);
    this.ping = setInterval(() => this.call('ping').catch(() => {}), 10_000);
    return this;
  }
}
