// A visitor scripted over the visitor protocol from Node, used to fill an agent's
// chat slots so that the browser's visitor has to queue.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export class ScriptedVisitor {
  constructor(hubUrl) {
    this.hubUrl = hubUrl;
    this.pending = new Map();
    this.seq = 0;
    this.states = [];
  }

  async connect() {
    // The demo site allows the hub's own origin, as a browser on /demo would send it.
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
      if (typeof f.re === 'string') {
        const p = this.pending.get(f.re);
        this.pending.delete(f.re);
        if (p) (f.error ? p.reject(Object.assign(new Error(f.error.message), f.error)) : p.resolve(f.ok));
      } else if (f.push === 'chat.state') {
        this.states.push(f.data.state);
      }
    });
    this.welcome = await this.call('hello', { protocol: 1 });
    this.ping = setInterval(() => this.call('ping').catch(() => {}), 10_000);
    return this;
  }

  call(action, data = {}) {
    const id = String(++this.seq);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, action, data }));
    });
  }

  async start(name, department = 'Support') {
    this.chat = await this.call('chat.start', {
      client_id: randomUUID(),
      survey: { name, question: `Question from ${name}`, department },
    });
    return this.chat;
  }

  close() {
    clearInterval(this.ping);
    this.ws.close();
  }
}
