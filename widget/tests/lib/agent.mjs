// A chat agent scripted over the real agent protocol (/v1/agent/ws), standing in for
// the desktop app in widget tests.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';

export class Agent {
  constructor(hubUrl, creds) {
    this.hubUrl = hubUrl;
    this.creds = creds;
    this.pushes = [];
    this.waiters = [];
    this.pending = new Map();
    this.seq = 0;
  }

  async signIn() {
    const r = await fetch(this.hubUrl + '/v1/agent/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: this.creds.email, password: this.creds.password }),
    });
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error(`sign-in of ${this.creds.email} failed: ${r.status} ${JSON.stringify(body)}`);
    this.token = body.token;
    this.info = body.agent;
    return this;
  }

  /** With `resumeAfter` (a seq) the hub replays the durable pushes after it. */
  async connect({ resumeAfter } = {}) {
    if (!this.token) await this.signIn();
    const ws = new WebSocket(this.hubUrl.replace(/^http/, 'ws') + '/v1/agent/ws', {
      headers: { Authorization: `Bearer ${this.token}` },
    });
    this.ws = ws;
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (buf) => this.onFrame(String(buf)));
    const hello = { protocol: 1, client: 'widget-tests' };
    if (resumeAfter !== undefined) hello.resume_after = resumeAfter;
    this.welcome = await this.call('hello', hello);
    this.ping = setInterval(() => this.call('ping').catch(() => {}), 10_000);
    return this;
  }

  onFrame(text) {
    const f = JSON.parse(text);
    if (typeof f.re === 'string') {
      const p = this.pending.get(f.re);
      if (!p) return;
      this.pending.delete(f.re);
      if (f.error) p.reject(Object.assign(new Error(`${f.error.code}: ${f.error.message}`), f.error));
      else p.resolve(f.ok);
      return;
    }
    if (!f.push) return;
    if (typeof f.seq === 'number') this.lastSeq = Math.max(this.lastSeq || 0, f.seq);
    this.pushes.push(f);
    this.waiters = this.waiters.filter((w) => {
      if (w.name !== f.push || !w.match(f.data || {})) return true;
      clearTimeout(w.timer);
      w.resolve(f.data || {});
      return false;
    });
  }

  call(action, data = {}) {
    const id = String(++this.seq);
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, action, data }));
    });
  }

  // Resolves with the first push `name` (already received or still to come) matching `match`.
  waitFor(name, match = () => true, ms = 20_000) {
    const seen = this.pushes.find((p) => p.push === name && match(p.data || {}) && !p.taken);
    if (seen) {
      seen.taken = true;
      return Promise.resolve(seen.data || {});
    }
    return new Promise((resolve, reject) => {
      const w = {
        name,
        match,
        resolve: (d) => {
          const p = this.pushes.find((x) => x.data === d);
          if (p) p.taken = true;
          resolve(d);
        },
      };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        const names = this.pushes.map((p) => p.push).join(', ');
        reject(new Error(`agent ${this.creds.email} got no \`${name}\` push within ${ms} ms (got: ${names})`));
      }, ms);
      this.waiters.push(w);
    });
  }

  setStatus(status) {
    return this.call('status.set', { status });
  }

  async acceptNextOffer() {
    const { offer } = await this.waitFor('offer.new');
    const accepted = await this.call('offer.accept', { offer_id: offer.id });
    return { offer, chat: accepted.chat, events: accepted.events };
  }

  say(chatId, text) {
    return this.call('message.send', { client_id: randomUUID(), chat_id: chatId, text });
  }

  typing(chatId, typing) {
    return this.call('typing.set', { chat_id: chatId, typing });
  }

  // An ended chat stays the agent's, in wrap-up, holding its slot; the scripted agent
  // skips the (optional) wrap-up at once so the slot frees.
  async endChat(chatId) {
    const ended = await this.call('chat.end', { client_id: randomUUID(), chat_id: chatId });
    await this.call('wrapup.submit', {
      client_id: randomUUID(),
      chat_id: chatId,
      wrap_up: { outcome: '' },
    });
    return ended;
  }

  // A visitor message as the agent sees it arrive.
  visitorMessage(chatId, text, ms) {
    return this.waitFor(
      'chat.event',
      (d) =>
        d.event &&
        d.event.chat_id === chatId &&
        d.event.type === 'message' &&
        d.event.author &&
        d.event.author.kind === 'visitor' &&
        (text === undefined || d.event.text === text),
      ms,
    );
  }

  close() {
    clearInterval(this.ping);
    if (this.ws) this.ws.close();
  }
}
