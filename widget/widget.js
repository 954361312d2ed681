/*! Switchboard visitor widget, protocol v1. Served by the hub at /widget.js. */
// The visitor side of Switchboard: a chat button and panel for any web page, speaking
// the visitor protocol (crates/protocol/src/visitor.rs) over /v1/visitor/ws.
//
// Embedding: <script src="https://HUB/widget.js" data-department="Support" async></script>
// Options (data-*): department, title, color. Page API: Switchboard.open({department}),
// Switchboard.close(), and any element with data-switchboard-open="Sales" opens the panel.
//
// Everything the hub or a person wrote reaches the page only as text nodes; the one
// exception is the href of http(s) links, set with setAttribute after the scheme check.
(() => {
  'use strict';
  const W = window;
  const D = document;
  if (W.Switchboard && W.Switchboard.version) return;

  const tag =
    D.currentScript ||
    [...D.querySelectorAll('script[src]')].find((s) => /\/widget\.js(?:[?#]|$)/.test(s.src));
  if (!tag || !W.WebSocket) return;

  const HUB = new URL(tag.src, location.href).origin;
  const WS_URL = HUB.replace(/^http/, 'ws') + '/v1/visitor/ws';
  const KEY = 'switchboard:' + HUB;
  const PROTOCOL = 1;
  // Mirrors crates/protocol/src/limits.rs.
  const MAX = { name: 100, email: 254, text: 4000, preview: 500, url: 2048 };
  const TRANSIENT = ['rate_limited', 'internal'];
  const LIVE = ['queued', 'connecting', 'connected'];
  const NO_RECONNECT_CODES = [4001, 4002, 4003, 4004];

  const opts = tag.dataset;
  const TITLE = clip(opts.title || 'Chat with us', 60);

  // ---------------------------------------------------------------- state

  const saved = load();
  const S = {
    token: saved.token || null,
    // Messages not yet acknowledged by the hub; resent with the same client_id after
    // a reconnect, which the hub deduplicates.
    outbox: Array.isArray(saved.outbox) ? saved.outbox : [],
    survey: saved.survey || null,
    open: !!saved.open,
    department: opts.department || null,
    departments: null,
    chat: null, // { id, state, agent }
    view: null,
    starting: null, // { client_id, survey } while chat.start is unanswered
    fatal: null, // a message when the hub said not to come back
    agentTyping: false,
    unread: 0,
    shown: null, // the view on screen
    lost: false, // the link dropped and is being re-established
    missedNote: false, // the offline form follows a chat nobody could take
    thanks: null,
  };

  function load() {
    try {
      return JSON.parse(sessionStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  function persist() {
    try {
      const keep = { token: S.token, outbox: S.outbox, survey: S.survey, open: S.open };
      sessionStorage.setItem(KEY, JSON.stringify(keep));
    } catch (e) {
      // Storage can be full or blocked; the chat still works for this page view.
    }
  }

  // ---------------------------------------------------------------- helpers

  function clip(s, n) {
    const cps = [...String(s)];
    return cps.length > n ? cps.slice(0, n).join('') : String(s);
  }

  function chars(s) {
    return [...s].length;
  }

  function uuid() {
    if (W.crypto && crypto.randomUUID) return crypto.randomUUID();
    // crypto.randomUUID needs a secure context; getRandomValues does not.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    const x = [...b].map((v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  function h(name, props, ...kids) {
    const el = D.createElement(name);
    for (const k in props) {
      const v = props[k];
      if (v == null || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (k === 'text') el.textContent = v;
      else if (k === 'value') el.value = v;
      else el.setAttribute(k, v === true ? '' : v);
    }
    // append() turns strings into text nodes: never parsed as HTML.
    for (const c of kids.flat()) if (c != null && c !== false) el.append(c);
    return el;
  }

  const ICONS = {
    chat: 'M21 11.5a8.4 8.4 0 0 1-12.3 7.5L3 21l2-5.4A8.5 8.5 0 1 1 21 11.5z',
    down: 'M6 9l6 6 6-6',
    send: 'M5 12h13M12 5l7 7-7 7',
    check: 'M5 12.5l4.5 4.5L19 7.5',
    mail: 'M3 6h18v12H3zM3 7l9 6 9-6',
  };

  function icon(name) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = D.createElementNS(ns, 'svg');
    const attrs = {
      viewBox: '0 0 24 24',
      fill: 'none',
      stroke: 'currentColor',
      'stroke-width': '2',
      'stroke-linecap': 'round',
      'stroke-linejoin': 'round',
      'aria-hidden': 'true',
      focusable: 'false',
    };
    for (const k in attrs) svg.setAttribute(k, attrs[k]);
    const path = D.createElementNS(ns, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  function clock(at) {
    const d = new Date(at);
    if (isNaN(d)) return '';
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  function initials(name) {
    const parts = String(name).trim().split(/\s+/).filter(Boolean);
    const first = parts.length ? [...parts[0]][0] : '?';
    const last = parts.length > 1 ? [...parts[parts.length - 1]][0] : '';
    return (first + last).toUpperCase();
  }

  // Text with http(s) links made clickable; everything else stays a text node.
  function linkified(text) {
    const out = [];
    const re = /\bhttps?:\/\/[^\s<>"']+/gi;
    let last = 0;
    let m;
    while ((m = re.exec(text))) {
      let raw = m[0].replace(/[.,;:!?)\]]+$/, '');
      let url = null;
      try {
        url = new URL(raw);
      } catch (e) {
        url = null;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) continue;
      out.push(text.slice(last, m.index));
      const a = h('a', { target: '_blank', rel: 'noopener noreferrer nofollow' }, raw);
      a.setAttribute('href', url.href);
      out.push(a);
      last = m.index + raw.length;
      re.lastIndex = last;
    }
    out.push(text.slice(last));
    return out.filter((x) => x !== '');
  }

  // ---------------------------------------------------------------- theme

  // A custom accent colour keeps AA contrast by choosing black or white text on it.
  function theme(host) {
    const color = opts.color && CSS.supports('color', opts.color) ? opts.color : null;
    if (!color) return;
    const probe = h('span', { style: `color:${color}` });
    D.body.append(probe);
    const rgb = getComputedStyle(probe).color.match(/[\d.]+/g);
    probe.remove();
    if (!rgb) return;
    const lum = rgb
      .slice(0, 3)
      .map((v) => v / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    const L = 0.2126 * lum[0] + 0.7152 * lum[1] + 0.0722 * lum[2];
    const onWhite = 1.05 / (L + 0.05);
    const onBlack = (L + 0.05) / 0.05;
    host.style.setProperty('--sb-accent', color);
    host.style.setProperty('--sb-on-accent', onWhite >= onBlack ? '#ffffff' : '#111418');
    // As text or a focus ring on white the accent must stand out; fall back to ink.
    if (onWhite < 4.5) host.style.setProperty('--sb-accent-ink', '#1b2230');
  }

  const CSS_TEXT = `
:host{all:initial;--sb-accent:#0b5cad;--sb-on-accent:#fff;--sb-accent-ink:var(--sb-accent);
--sb-ink:#1b2230;--sb-muted:#545e6f;--sb-line:#d9dee7;--sb-soft:#f3f5f9;--sb-bg:#fff;
--sb-danger:#b42318;--sb-warn-bg:#fff6e0;--sb-warn-line:#f0d48a;
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--sb-ink)}
*,*::before,*::after{box-sizing:border-box}
[hidden]{display:none!important}
button,input,textarea,select{font:inherit;color:inherit}
:focus-visible{outline:3px solid var(--sb-accent-ink);outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:60px;height:60px;border-radius:50%;
border:0;background:var(--sb-accent);color:var(--sb-on-accent);cursor:pointer;display:grid;place-items:center;
box-shadow:0 6px 20px rgba(16,24,40,.28);transition:transform .15s ease}
.launcher:hover{transform:scale(1.05)}
.launcher:focus-visible{outline-offset:4px}
.launcher svg{width:28px;height:28px}
.badge{position:absolute;top:-2px;right:-2px;min-width:22px;height:22px;padding:0 6px;border-radius:11px;
background:var(--sb-danger);color:#fff;font-size:12px;font-weight:700;line-height:22px;text-align:center;border:2px solid #fff}
.panel{position:fixed;right:20px;bottom:92px;z-index:2147483000;width:380px;height:min(620px,calc(100vh - 112px));
display:flex;flex-direction:column;background:var(--sb-bg);border-radius:16px;overflow:hidden;
box-shadow:0 18px 50px rgba(16,24,40,.28),0 0 0 1px rgba(16,24,40,.06);animation:sb-in .18s ease-out}
@keyframes sb-in{from{opacity:0;transform:translateY(12px)}to{opacity:1;transform:none}}
.head{display:flex;align-items:center;gap:12px;padding:14px 12px 14px 16px;background:var(--sb-accent);color:var(--sb-on-accent)}
.avatar{flex:none;width:40px;height:40px;border-radius:50%;display:grid;place-items:center;font-weight:700;
background:rgba(255,255,255,.22);color:inherit;box-shadow:inset 0 0 0 2px rgba(255,255,255,.35)}
.avatar svg{width:22px;height:22px}
.titles{flex:1;min-width:0}
h2{margin:0;font-size:16px;font-weight:700;line-height:1.25}
.sub{margin:1px 0 0;font-size:13px;opacity:.92;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.hbtn{flex:none;border:0;background:transparent;color:inherit;border-radius:8px;cursor:pointer;height:36px}
.hbtn:hover{background:rgba(255,255,255,.18)}
.hbtn:focus-visible{outline-color:currentColor;outline-offset:-1px}
.min{width:36px;display:grid;place-items:center}
.min svg{width:22px;height:22px}
.net{padding:6px 16px;font-size:13px;background:var(--sb-warn-bg);border-bottom:1px solid var(--sb-warn-line);color:#5c3c00}
.body,.chat{flex:1;min-height:0;display:flex;flex-direction:column;background:var(--sb-bg)}
.scroll{flex:1;overflow:auto;padding:18px 18px 20px}
.lead{margin:0 0 16px;color:var(--sb-muted)}
.lead strong{color:var(--sb-ink)}
.field{margin:0 0 14px}
label{display:block;font-size:13px;font-weight:600;margin:0 0 5px}
.opt{font-weight:400;color:var(--sb-muted)}
input,textarea,select{display:block;width:100%;padding:9px 11px;border:1px solid #a9b2c1;border-radius:10px;background:#fff}
textarea{resize:vertical;min-height:88px}
input:focus-visible,textarea:focus-visible,select:focus-visible{outline-offset:0;border-color:var(--sb-accent-ink)}
[aria-invalid=true]{border-color:var(--sb-danger)}
.err{margin:5px 0 0;font-size:13px;color:var(--sb-danger)}
.formerr{margin:0 0 12px;padding:9px 12px;border-radius:10px;background:#fdecea;color:var(--sb-danger);font-size:14px}
.btn{display:inline-flex;align-items:center;justify-content:center;gap:8px;min-height:42px;padding:0 18px;border-radius:10px;
border:0;background:var(--sb-accent);color:var(--sb-on-accent);font-weight:600;cursor:pointer}
.btn.wide{width:100%}
.btn.ghost{background:transparent;color:var(--sb-ink);box-shadow:inset 0 0 0 1.5px #a9b2c1}
.btn.danger{background:var(--sb-danger);color:#fff}
.btn[disabled]{opacity:.6;cursor:default}
.fine{margin:12px 0 0;font-size:12px;color:var(--sb-muted);text-align:center}
.center{flex:1;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;padding:24px;gap:10px}
.center p{margin:0;color:var(--sb-muted)}
.center h3{margin:0;font-size:18px}
.big{width:56px;height:56px;border-radius:50%;display:grid;place-items:center;background:#e7f5ec;color:#146c2e}
.big svg{width:30px;height:30px}
.spin{width:34px;height:34px;border-radius:50%;border:3px solid var(--sb-line);border-top-color:var(--sb-accent-ink);animation:sb-spin .9s linear infinite}
@keyframes sb-spin{to{transform:rotate(1turn)}}
.stage{margin:12px 14px 0;padding:12px 14px;border-radius:12px;background:var(--sb-soft);border:1px solid var(--sb-line);display:flex;gap:12px;align-items:center}
.stage strong{display:block}
.stage span{font-size:13px;color:var(--sb-muted)}
.stage .spin{flex:none;width:24px;height:24px}
.log{flex:1;overflow:auto;padding:14px;display:flex;flex-direction:column;gap:2px}
.log:focus-visible{outline-offset:-3px}
.msg{display:flex;flex-direction:column;max-width:82%;margin-top:8px}
.msg.cont{margin-top:0}
.msg.visitor{align-self:flex-end;align-items:flex-end}
.msg.agent{align-self:flex-start;align-items:flex-start}
.who{font-size:12px;font-weight:600;color:var(--sb-muted);margin:0 0 3px 2px}
.cont .who{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.bubble{padding:8px 12px;border-radius:16px;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word}
.agent .bubble{background:var(--sb-soft);border:1px solid var(--sb-line);border-top-left-radius:5px}
.visitor .bubble{background:var(--sb-accent);color:var(--sb-on-accent);border-top-right-radius:5px}
.visitor .bubble a{color:inherit}
.agent .bubble a{color:var(--sb-accent-ink)}
.system .bubble{background:var(--sb-warn-bg);border-color:var(--sb-warn-line)}
.at{font-size:11px;color:var(--sb-muted);margin:3px 4px 0}
.pending .bubble{opacity:.72}
.failed .bubble{opacity:1;box-shadow:0 0 0 2px var(--sb-danger)}
.failed .at{color:var(--sb-danger)}
.retry{border:0;background:none;padding:0;color:var(--sb-danger);text-decoration:underline;cursor:pointer;font-size:11px}
.notice{align-self:center;text-align:center;margin:10px 8px 2px;font-size:12.5px;color:var(--sb-muted);max-width:90%}
.notice::before,.notice::after{content:"";display:inline-block;width:18px;height:1px;background:var(--sb-line);vertical-align:middle;margin:0 8px}
.typing{padding:0 16px 6px;font-size:12.5px;color:var(--sb-muted);display:flex;align-items:center;gap:6px;min-height:20px}
.dots{display:inline-flex;gap:3px}
.dots i{width:5px;height:5px;border-radius:50%;background:currentColor;animation:sb-dot 1.2s infinite ease-in-out}
.dots i:nth-child(2){animation-delay:.15s}.dots i:nth-child(3){animation-delay:.3s}
@keyframes sb-dot{0%,60%,100%{opacity:.3;transform:none}30%{opacity:1;transform:translateY(-2px)}}
.foot{border-top:1px solid var(--sb-line);padding:10px 12px 8px;background:#fff}
.compose{display:flex;gap:8px;align-items:flex-end}
.compose textarea{min-height:42px;max-height:132px;resize:none;padding:10px 12px;border-radius:21px}
.sendbtn{flex:none;width:42px;height:42px;border-radius:50%;border:0;background:var(--sb-accent);color:var(--sb-on-accent);display:grid;place-items:center;cursor:pointer}
.sendbtn svg{width:20px;height:20px}
.meta{display:flex;align-items:center;justify-content:space-between;gap:8px;margin:6px 2px 0 4px}
.privacy{margin:0;font-size:11.5px;color:var(--sb-muted)}
.end{flex:none;border:0;background:none;padding:2px 4px;border-radius:6px;font-size:12px;font-weight:600;color:var(--sb-muted);text-decoration:underline;text-underline-offset:2px;cursor:pointer}
.end:hover{color:var(--sb-danger)}
.confirm{display:flex;flex-wrap:wrap;align-items:center;gap:8px}
.confirm p{margin:0;font-weight:600;flex:1 1 120px}
.confirm .btn{min-height:38px;padding:0 14px}
.over{display:flex;flex-direction:column;gap:10px;padding:4px 4px 6px;text-align:center}
.over p{margin:0;color:var(--sb-muted)}
@media (max-width:480px){
.panel{inset:0;width:auto;height:auto;border-radius:0;animation:none}
.launcher.under{display:none}
.msg{max-width:88%}
input,textarea,select{font-size:16px}
}
@media (prefers-reduced-motion:reduce){
*,*::before,*::after{animation:none!important;transition:none!important}
.spin{border-top-color:var(--sb-line);border-right-color:var(--sb-accent-ink)}
}
@media (forced-colors:active){.launcher,.btn,.sendbtn,.bubble{border:1px solid CanvasText}}
`;

  // ---------------------------------------------------------------- frame

  const host = h('div', { id: 'switchboard-widget' });
  const root = host.attachShadow({ mode: 'open' });
  root.append(h('style', { text: CSS_TEXT }));

  const badge = h('span', { class: 'badge', hidden: true, 'aria-hidden': 'true' });
  const launcher = h(
    'button',
    {
      class: 'launcher',
      type: 'button',
      'aria-controls': 'sb-panel',
      'aria-expanded': 'false',
      'aria-label': TITLE,
      onclick: () => (S.open ? close(true) : open()),
    },
    icon('chat'),
    badge,
  );
  const avatar = h('div', { class: 'avatar', 'aria-hidden': 'true' }, icon('chat'));
  const sub = h('p', { class: 'sub' });
  const minBtn = h(
    'button',
    { class: 'hbtn min', type: 'button', 'aria-label': 'Minimize chat', onclick: () => close(true) },
    icon('down'),
  );
  const net = h('div', { class: 'net', role: 'status', hidden: true });
  const body = h('div', { class: 'body' });
  const panel = h(
    'div',
    { class: 'panel', id: 'sb-panel', role: 'dialog', 'aria-labelledby': 'sb-title', hidden: true },
    h(
      'div',
      { class: 'head' },
      avatar,
      h('div', { class: 'titles' }, h('h2', { id: 'sb-title' }, TITLE), sub),
      minBtn,
    ),
    net,
    body,
  );
  root.append(panel, launcher);

  root.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !S.open) return;
    e.preventDefault();
    if (chatUi && chatUi.confirming) return cancelEnd();
    close(true);
  });

  function mount() {
    theme(host);
    D.body.append(host);
    if (S.open) open(true);
    if (S.token) connect();
  }

  // ---------------------------------------------------------------- open / close

  function open(restoring) {
    S.open = true;
    S.unread = 0;
    persist();
    panel.hidden = false;
    launcher.classList.add('under');
    launcher.setAttribute('aria-expanded', 'true');
    launcher.setAttribute('aria-label', 'Minimize chat');
    launcher.replaceChildren(icon('down'), badge);
    renderBadge();
    connect();
    render();
    if (restoring !== true) {
      // The panel may still be connecting: focus its first control once there is one.
      focusView();
      if (!panel.contains(root.activeElement)) pendingFocus = true;
    }
  }

  function close(returnFocus) {
    S.open = false;
    pendingFocus = false;
    persist();
    panel.hidden = true;
    launcher.classList.remove('under');
    launcher.setAttribute('aria-expanded', 'false');
    launcher.setAttribute('aria-label', TITLE);
    launcher.replaceChildren(icon('chat'), badge);
    // A finished chat is forgotten once the visitor has seen it end.
    if (S.chat && !LIVE.includes(S.chat.state.kind)) forgetChat();
    if (S.view === 'thanks' || S.view === 'offline') S.view = null;
    S.missedNote = false;
    if (returnFocus) launcher.focus();
    if (!wanted()) hangUp();
  }

  function renderBadge() {
    badge.hidden = !S.unread;
    badge.textContent = S.unread > 9 ? '9+' : String(S.unread);
    if (S.unread) launcher.setAttribute('aria-label', `${TITLE} (${S.unread} new)`);
  }

  function focusView() {
    const el = body.querySelector('[data-autofocus]') || body.querySelector('input,textarea,select,button');
    if (el) el.focus();
  }

  // ---------------------------------------------------------------- connection

  let ws = null;
  let ready = false;
  let attempt = 0;
  let retryTimer = 0;
  let pingTimer = 0;
  let lastHeard = 0;
  let reqSeq = 0;
  const pending = new Map();

  function wanted() {
    return !S.fatal && (S.open || (!!S.token && !!S.chat && LIVE.includes(S.chat.state.kind)) || (!!S.token && !S.chat));
  }

  function connect() {
    if (ws || !wanted()) return;
    clearTimeout(retryTimer);
    let sock;
    try {
      sock = new WebSocket(WS_URL);
    } catch (e) {
      scheduleRetry();
      return;
    }
    ws = sock;
    sock.onopen = () => greet(sock);
    sock.onmessage = (e) => {
      lastHeard = Date.now();
      onFrame(e.data);
    };
    sock.onclose = (e) => {
      if (ws === sock) dropped(e.code);
    };
  }

  function hangUp() {
    clearTimeout(retryTimer);
    if (ws) {
      const sock = ws;
      dropped(1000);
      sock.close(1000);
    }
  }

  function dropped(code) {
    // "Reconnecting" is for a link that worked; a first connection just keeps trying.
    S.lost = code !== 1000 && (ready || S.lost);
    ws = null;
    ready = false;
    clearInterval(pingTimer);
    for (const [, p] of pending) {
      clearTimeout(p.timer);
      p.reject({ code: 'offline', message: 'connection lost' });
    }
    pending.clear();
    setAgentTyping(false);
    if (NO_RECONNECT_CODES.includes(code) && !S.fatal) {
      S.fatal = code === 4004 ? 'This chat is open in another tab or window.' : 'The chat was closed by the server.';
    }
    if (wanted()) scheduleRetry();
    if (S.fatal || S.shown === 'loading') render();
    else renderNet();
  }

  function scheduleRetry() {
    clearTimeout(retryTimer);
    // Exponential backoff with jitter, so a hub restart is not met by every visitor at once.
    const base = Math.min(30000, 1000 * 2 ** Math.min(attempt, 5));
    attempt++;
    retryTimer = setTimeout(connect, base * (0.5 + Math.random() / 2));
    renderNet();
  }

  function call(action, data) {
    return new Promise((resolve, reject) => {
      if (!ws || ws.readyState !== 1) return reject({ code: 'offline', message: 'not connected' });
      const id = String(++reqSeq);
      const timer = setTimeout(() => {
        pending.delete(id);
        reject({ code: 'timeout', message: 'no reply' });
        // A reply that never comes means a dead link the browser has not noticed.
        if (ws) ws.close(4000);
      }, 20000);
      pending.set(id, { resolve, reject, timer });
      ws.send(JSON.stringify({ id, action, data: data || {} }));
    });
  }

  async function greet(sock) {
    let welcome;
    try {
      welcome = await call('hello', S.token ? { protocol: PROTOCOL, token: S.token } : { protocol: PROTOCOL });
    } catch (e) {
      if (e.code === 'unsupported_version') S.fatal = 'This chat needs a newer page. Please reload.';
      if (ws === sock) sock.close(4000);
      return;
    }
    if (ws !== sock) return;
    attempt = 0;
    ready = true;
    S.lost = false;
    lastHeard = Date.now();
    const beat = Math.max(5, Number(welcome.heartbeat_secs) || 15) * 1000;
    clearInterval(pingTimer);
    pingTimer = setInterval(() => {
      if (Date.now() - lastHeard > beat * 2) return sock.close(4000);
      call('ping').catch(() => {});
    }, beat);
    S.departments = Array.isArray(welcome.departments) ? welcome.departments : [];
    if (S.token && !welcome.chat) {
      // The token no longer names a chat (expired or from another hub).
      forgetChat();
    } else if (welcome.chat) {
      adopt(welcome.chat);
    }
    renderNet();
    render();
    flush();
  }

  function onFrame(text) {
    let f;
    try {
      f = JSON.parse(text);
    } catch (e) {
      return;
    }
    if (!f || typeof f !== 'object') return;
    if (typeof f.re === 'string') {
      const p = pending.get(f.re);
      if (!p) return;
      pending.delete(f.re);
      clearTimeout(p.timer);
      if (f.error) p.reject(f.error);
      else p.resolve(f.ok || {});
      return;
    }
    const d = f.data || {};
    switch (f.push) {
      case 'chat.state':
        if (S.chat && d.state) setState(d.state);
        break;
      case 'chat.event':
        if (S.chat && d.event) addEvent(d.event, true);
        break;
      case 'typing':
        setAgentTyping(!!d.typing);
        break;
      case 'session.closing':
        if (d.reconnect === false) S.fatal = d.message || 'The chat was closed by the server.';
        break;
      default:
      // Pushes from a newer hub are skipped.
    }
  }

  // ---------------------------------------------------------------- chat model

  let events = []; // visitor events as the hub sent them, by id

  function adopt(chat) {
    const same = S.chat && S.chat.id === chat.chat_id;
    const agent = same ? S.chat.agent : undefined;
    S.chat = { id: chat.chat_id, state: chat.state || { kind: 'connecting' }, agent };
    if (!same) {
      events = [];
      if (chatUi) chatUi.log.replaceChildren();
    }
    for (const ev of chat.events || []) addEvent(ev, false);
    setState(S.chat.state);
  }

  function forgetChat() {
    S.token = null;
    S.chat = null;
    S.outbox = [];
    events = [];
    chatUi = null;
    if (S.view === 'chat') S.view = null;
    persist();
  }

  function setState(state) {
    S.chat.state = state;
    if (state.kind === 'connected') S.chat.agent = state.agent_name;
    if (!LIVE.includes(state.kind)) {
      setAgentTyping(false);
      failOutbox('The chat has ended.');
    }
    if (state.kind === 'missed' && state.offline_form) {
      S.view = 'offline';
      S.missedNote = true;
    }
    render();
    if (!wanted()) hangUp();
  }

  function addEvent(ev, live) {
    if (!ev || typeof ev.id !== 'number') return;
    if (events.some((e) => e.id === ev.id)) return;
    if (ev.client_id) {
      const i = S.outbox.findIndex((m) => m.client_id === ev.client_id);
      if (i >= 0) {
        S.outbox.splice(i, 1);
        persist();
      }
    }
    let at = events.findIndex((e) => e.id > ev.id);
    if (at < 0) at = events.length;
    events.splice(at, 0, ev);
    if (ev.type === 'message' && ev.from === 'agent') {
      setAgentTyping(false);
      if (live && !S.open) {
        S.unread++;
        renderBadge();
      }
    }
    if (chatUi) chatUi.insert(ev, events[at + 1]);
  }

  function setAgentTyping(on) {
    S.agentTyping = on;
    if (chatUi) chatUi.typing(on);
  }

  function failOutbox(why) {
    let changed = false;
    for (const m of S.outbox) {
      if (!m.failed) {
        m.failed = why;
        changed = true;
      }
    }
    if (changed) {
      persist();
      if (chatUi) chatUi.pendingAll();
    }
  }

  let flushing = false;
  let flushAgain = 0;

  // Sends what waits: a chat request, then queued messages, one at a time and in order.
  async function flush() {
    if (flushing || !ready) return;
    flushing = true;
    try {
      if (S.starting) await sendStart();
      while (ready && S.token && S.chat && LIVE.includes(S.chat.state.kind)) {
        const m = S.outbox.find((x) => !x.failed);
        if (!m) break;
        try {
          const r = await call('message.send', { client_id: m.client_id, text: m.text });
          if (r.event) addEvent(r.event, false);
          const i = S.outbox.indexOf(m);
          if (i >= 0) S.outbox.splice(i, 1);
          persist();
          if (chatUi) chatUi.dropPending(m.client_id);
        } catch (e) {
          if (e.code === 'offline' || e.code === 'timeout') break;
          if (TRANSIENT.includes(e.code)) {
            clearTimeout(flushAgain);
            flushAgain = setTimeout(flush, 2500);
            break;
          }
          m.failed = e.code === 'invalid_state' ? 'The chat has ended.' : 'Not delivered.';
          persist();
          if (chatUi) chatUi.pending(m);
        }
      }
    } finally {
      flushing = false;
    }
  }

  function sendMessage(text) {
    const m = { client_id: uuid(), text, at: new Date().toISOString() };
    S.outbox.push(m);
    persist();
    if (chatUi) chatUi.pending(m);
    flush();
  }

  // Typing state with a preview of the draft, at most four updates a second.
  let typingOn = false;
  let typingLast = 0;
  let typingTimer = 0;
  let typingIdle = 0;

  function draftChanged(text) {
    clearTimeout(typingTimer);
    clearTimeout(typingIdle);
    if (!text.trim()) {
      if (typingOn) sendTyping(false);
      return;
    }
    const wait = Math.max(0, 250 - (Date.now() - typingLast));
    typingTimer = setTimeout(() => sendTyping(true, text), wait);
    typingIdle = setTimeout(() => sendTyping(false), 6000);
  }

  function sendTyping(on, text) {
    clearTimeout(typingTimer);
    if (!ready || !S.chat || !LIVE.includes(S.chat.state.kind)) return;
    typingOn = on;
    typingLast = Date.now();
    const data = on ? { typing: true, preview: clip(text, MAX.preview) } : { typing: false };
    call('typing.set', data).catch(() => {});
  }

  // ---------------------------------------------------------------- starting a chat

  function deptStatus(name) {
    if (!S.departments || !name) return null;
    const n = name.toLowerCase();
    return S.departments.find((d) => String(d.name).toLowerCase() === n) || null;
  }

  function startChat(survey) {
    S.survey = survey;
    S.starting = { client_id: uuid(), survey };
    S.outbox = [];
    persist();
    flush();
  }

  async function sendStart() {
    const st = S.starting;
    const data = {
      client_id: st.client_id,
      survey: st.survey,
      page_url: clip(location.href, MAX.url),
      user_agent: clip(navigator.userAgent, MAX.url),
    };
    if (!data.survey.email) delete data.survey.email;
    let r;
    try {
      r = await call('chat.start', data);
    } catch (e) {
      if (e.code === 'offline' || e.code === 'timeout') return;
      S.starting = null;
      if (formUi) formUi.fail(startError(e));
      return;
    }
    S.starting = null;
    S.token = r.token;
    persist();
    S.view = 'chat';
    adopt({ chat_id: r.chat_id, state: r.state, events: r.events });
  }

  function startError(e) {
    if (e.code === 'rate_limited') return 'Too many chats were started from your network. Please try again later.';
    if (e.code === 'not_found') return 'That department is not available for chat.';
    if (e.code === 'too_large' || e.code === 'bad_request') return 'Please check the form and try again.';
    return 'The chat could not be started. Please try again.';
  }

  // ---------------------------------------------------------------- rendering

  let chatUi = null;
  let formUi = null;
  let pendingFocus = false; // move focus into the next view that is built

  function currentView() {
    if (S.fatal) return 'fatal';
    if (S.view === 'thanks' || S.view === 'offline') return S.view;
    if (S.chat) return 'chat';
    if (!S.departments) return 'loading';
    const d = deptStatus(S.department || (S.survey && S.survey.department));
    return d && !d.available ? 'offline' : 'survey';
  }

  function render() {
    renderHeader();
    renderNet();
    if (!S.open) return;
    const v = currentView();
    const had = root.activeElement;
    const hadFocus = !!had && panel.contains(had);
    let changed = false;
    if (v === S.shown && body.firstChild) {
      if (v === 'loading') renderLoading();
      if (v === 'chat' && chatUi) chatUi.state();
    } else {
      changed = true;
      S.shown = v;
      formUi = null;
      if (v !== 'chat') chatUi = null;
      if (v === 'loading') renderLoading();
      else if (v === 'fatal') renderFatal();
      else if (v === 'survey' || v === 'offline') renderForm(v);
      else if (v === 'thanks') renderThanks();
      else renderChat();
    }
    // Whatever held focus may have been replaced; keep keyboard users inside the panel.
    const outside = !panel.contains(root.activeElement);
    if ((outside && (hadFocus || pendingFocus)) || (changed && v === 'thanks')) {
      focusView();
      if (panel.contains(root.activeElement)) pendingFocus = false;
    }
  }

  function renderHeader() {
    const st = S.chat && S.view !== 'offline' ? S.chat.state.kind : null;
    const agent = st === 'connected' ? S.chat.agent : null;
    const dept = (S.survey && S.chat && S.survey.department) || S.department;
    const tagline = S.open && currentView() === 'offline' ? 'We reply by email' : 'We’re here to help';
    let line = dept ? `${dept} · ${tagline}` : tagline;
    if (st === 'queued') line = 'Waiting for an agent';
    else if (st === 'connecting') line = 'Connecting you to an agent';
    else if (agent) line = dept ? `${agent} · ${dept}` : agent;
    else if (st === 'ended' || st === 'missed') line = 'Chat ended';
    sub.textContent = line;
    avatar.replaceChildren(agent ? initials(agent) : icon('chat'));
  }

  function renderNet() {
    const show = !S.fatal && S.lost && !ready && wanted();
    net.hidden = !show;
    net.textContent = show ? 'Reconnecting…' : '';
    if (chatUi) chatUi.online(!show);
  }

  function renderLoading() {
    const slow = attempt > 1;
    const old = body.querySelector('.center');
    const text = slow ? 'We can’t reach the chat service right now. Trying again…' : 'Connecting…';
    if (old && old.dataset.slow === String(slow)) return;
    body.replaceChildren(
      h(
        'div',
        { class: 'center', 'data-slow': String(slow), role: 'status' },
        h('div', { class: 'spin', 'aria-hidden': 'true' }),
        h('p', {}, text),
      ),
    );
  }

  function renderFatal() {
    const again = h(
      'button',
      {
        class: 'btn',
        type: 'button',
        'data-autofocus': true,
        onclick: () => {
          S.fatal = null;
          S.shown = null;
          attempt = 0;
          connect();
          render();
        },
      },
      'Continue here',
    );
    body.replaceChildren(h('div', { class: 'center', role: 'status' }, h('p', {}, S.fatal), again));
  }

  function field(id, labelText, control, optional) {
    const err = h('p', { class: 'err', id: id + '-err', hidden: true });
    control.setAttribute('id', id);
    control.setAttribute('aria-describedby', id + '-err');
    const label = h('label', { for: id }, labelText);
    if (optional) label.append(' ', h('span', { class: 'opt' }, optional));
    const wrap = h('div', { class: 'field' }, label, control, err);
    wrap.setError = (msg) => {
      err.hidden = !msg;
      err.textContent = msg || '';
      control.setAttribute('aria-invalid', msg ? 'true' : 'false');
    };
    // A flagged field is cleared as soon as the visitor starts fixing it.
    control.addEventListener('input', () => {
      if (!err.hidden) wrap.setError('');
    });
    return wrap;
  }

  // The pre-chat survey and the offline-message form are one form in two modes, so a
  // department switch keeps what the visitor already typed.
  function renderForm(initialMode) {
    const prev = S.survey || {};
    const fixed = S.department || (initialMode === 'offline' && prev.department) || null;
    const depts = S.departments || [];
    const name = h('input', { type: 'text', autocomplete: 'name', maxlength: MAX.name, value: prev.name || '', 'data-autofocus': true });
    const email = h('input', { type: 'email', autocomplete: 'email', maxlength: MAX.email, value: prev.email || '' });
    const text = h('textarea', { rows: 4, maxlength: MAX.text, value: prev.question || '' });
    let select = null;
    let deptRow = null;
    if (!fixed && depts.length > 1) {
      select = h(
        'select',
        { onchange: () => setMode() },
        depts.map((d) =>
          h('option', { value: d.name }, d.available ? d.name : `${d.name} (leave a message)`),
        ),
      );
      if (prev.department && deptStatus(prev.department)) select.value = deptStatus(prev.department).name;
      deptRow = field('sb-dept', 'Department', select);
    }
    const chosen = () => (select ? select.value : fixed || (depts[0] && depts[0].name) || '');
    const nameRow = field('sb-name', 'Your name', name);
    const emailRow = field('sb-email', 'Email', email, '(optional)');
    const textRow = field('sb-text', 'How can we help?', text);
    const lead = h('p', { class: 'lead' });
    const formErr = h('p', { class: 'formerr', role: 'alert', hidden: true });
    const submit = h('button', { class: 'btn wide', type: 'submit' });
    const fine = h('p', { class: 'fine' });
    let mode = initialMode;

    function setMode() {
      const st = deptStatus(chosen());
      mode = initialMode === 'offline' && !select ? 'offline' : st && !st.available ? 'offline' : 'survey';
      const dept = chosen();
      lead.replaceChildren();
      if (mode === 'offline') {
        const closed = st && !st.open;
        lead.append(
          S.missedNote
            ? 'Sorry, nobody could take your chat just now. '
            : closed
              ? `${dept || 'We'} ${dept ? 'is' : 'are'} closed right now. `
              : 'Nobody is available to chat right now. ',
          'Leave a message and we will reply by email.',
        );
      } else {
        lead.append('Hi there! Tell us a little about yourself and a real person will be with you shortly.');
      }
      emailRow.querySelector('.opt').hidden = mode === 'offline';
      email.required = mode === 'offline';
      textRow.querySelector('label').textContent = mode === 'offline' ? 'Your message' : 'How can we help?';
      submit.replaceChildren(mode === 'offline' ? 'Send message' : 'Start chat');
      fine.textContent =
        mode === 'offline' ? 'We answer messages within one business day.' : 'Chats may be recorded to help us help you.';
    }

    function check() {
      const v = {
        name: name.value.trim(),
        email: email.value.trim(),
        text: text.value.trim(),
      };
      const errs = [
        [nameRow, name, !v.name ? 'Please tell us your name.' : ''],
        [
          emailRow,
          email,
          mode === 'offline' && !v.email
            ? 'We need your email to reply.'
            : v.email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email)
              ? 'Please check the email address.'
              : '',
        ],
        [textRow, text, !v.text ? (mode === 'offline' ? 'Please write your message.' : 'Please tell us what you need.') : chars(v.text) > MAX.text ? 'That is too long.' : ''],
      ];
      let first = null;
      for (const [row, ctl, msg] of errs) {
        row.setError(msg);
        if (msg && !first) first = ctl;
      }
      if (first) first.focus();
      return first ? null : v;
    }

    async function onSubmit(e) {
      e.preventDefault();
      formErr.hidden = true;
      const v = check();
      if (!v) return;
      const department = chosen();
      const survey = { name: v.name, email: v.email || undefined, question: v.text, department };
      submit.disabled = true;
      if (mode === 'survey') {
        submit.replaceChildren('Starting chat…');
        pendingFocus = true;
        startChat(survey);
        return;
      }
      S.survey = survey;
      persist();
      submit.replaceChildren('Sending…');
      try {
        await call('offline.send', {
          client_id: uuid(),
          name: v.name,
          email: v.email,
          message: v.text,
          department,
          page_url: clip(location.href, MAX.url),
        });
      } catch (err) {
        submit.disabled = false;
        setMode();
        formUi.fail(
          err.code === 'offline' || err.code === 'timeout'
            ? 'You seem to be offline. Please try again in a moment.'
            : err.code === 'rate_limited'
              ? 'Too many messages were sent from your network. Please try again later.'
              : 'Your message could not be sent. Please check the form and try again.',
        );
        return;
      }
      S.thanks = { name: v.name, email: v.email };
      S.view = 'thanks';
      S.missedNote = false;
      if (S.chat) forgetChat();
      S.survey = { ...S.survey, question: '' };
      persist();
      render();
    }

    const form = h(
      'form',
      { class: 'scroll', novalidate: true, onsubmit: onSubmit, 'aria-label': 'Chat request' },
      lead,
      formErr,
      nameRow,
      emailRow,
      deptRow,
      textRow,
      submit,
      fine,
    );
    setMode();
    formUi = {
      fail(msg) {
        formErr.textContent = msg;
        formErr.hidden = false;
        submit.disabled = false;
        setMode();
      },
    };
    body.replaceChildren(form);
  }

  function renderThanks() {
    const t = S.thanks || {};
    const done = h(
      'button',
      {
        class: 'btn',
        type: 'button',
        'data-autofocus': true,
        onclick: () => {
          S.view = null;
          close(true);
        },
      },
      'Done',
    );
    body.replaceChildren(
      h(
        'div',
        { class: 'center', role: 'status' },
        h('div', { class: 'big', 'aria-hidden': 'true' }, icon('check')),
        h('h3', {}, t.name ? `Thank you, ${t.name.split(/\s+/)[0]}!` : 'Thank you!'),
        h('p', {}, 'We have your message and will reply to ', h('strong', {}, t.email || 'you'), ' soon.'),
        done,
      ),
    );
  }

  function renderChat() {
    const stage = h('div', { class: 'stage', role: 'status' });
    const log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-label': 'Messages', tabindex: '0' });
    const typing = h('div', { class: 'typing', 'aria-hidden': 'true' });
    const foot = h('div', { class: 'foot' });
    let box = null;
    let mode = null;
    let draft = '';

    function nearBottom() {
      return log.scrollHeight - log.scrollTop - log.clientHeight < 80;
    }

    function stick(wasNear) {
      if (wasNear) log.scrollTop = log.scrollHeight;
    }

    function node(ev) {
      if (ev.type === 'notice') return h('div', { class: 'notice', 'data-id': ev.id }, String(ev.text || ''));
      if (ev.type !== 'message') return null;
      const from = ev.from === 'visitor' ? 'visitor' : 'agent';
      const who = from === 'visitor' ? 'You' : String(ev.name || 'Agent');
      return h(
        'div',
        { class: `msg ${from}${ev.system ? ' system' : ''}`, 'data-id': ev.id, 'data-who': who },
        h('div', { class: from === 'visitor' ? 'who sr' : 'who' }, who),
        h('div', { class: 'bubble' }, linkified(String(ev.text || ''))),
        h('time', { class: 'at', datetime: ev.at }, clock(ev.at)),
      );
    }

    function group(el) {
      const prev = el.previousElementSibling;
      const same = prev && prev.classList.contains('msg') && prev.dataset.who === el.dataset.who;
      el.classList.toggle('cont', !!same);
    }

    function pendingNode(m) {
      const meta = m.failed
        ? h(
            'span',
            { class: 'at' },
            m.failed + ' ',
            LIVE.includes(S.chat && S.chat.state.kind)
              ? h('button', { class: 'retry', type: 'button', onclick: () => retry(m) }, 'Retry')
              : null,
          )
        : h('span', { class: 'at' }, ready ? 'Sending…' : 'Waiting for connection…');
      return h(
        'div',
        { class: `msg visitor ${m.failed ? 'failed' : 'pending'}`, 'data-client': m.client_id, 'data-who': 'You' },
        h('div', { class: 'who sr' }, 'You'),
        h('div', { class: 'bubble' }, String(m.text)),
        meta,
      );
    }

    function retry(m) {
      m.failed = null;
      persist();
      ui.pending(m);
      flush();
    }

    function composer() {
      box = h('textarea', {
        id: 'sb-msg',
        rows: 1,
        maxlength: MAX.text,
        placeholder: 'Type your message…',
        'aria-describedby': 'sb-privacy',
        'data-autofocus': true,
        oninput: () => {
          grow();
          draftChanged(box.value);
        },
        onkeydown: (e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            submit();
          }
        },
      });
      const form = h(
        'form',
        {
          class: 'compose',
          onsubmit: (e) => {
            e.preventDefault();
            submit();
          },
        },
        h('label', { class: 'sr', for: 'sb-msg' }, 'Message'),
        box,
        h('button', { class: 'sendbtn', type: 'submit', 'aria-label': 'Send message' }, icon('send')),
      );
      return [
        form,
        h(
          'div',
          { class: 'meta' },
          h('p', { class: 'privacy', id: 'sb-privacy' }, 'The team can see your message as you type it.'),
          h('button', { class: 'end', type: 'button', onclick: askEnd }, 'End chat'),
        ),
      ];
    }

    function grow() {
      box.style.height = 'auto';
      box.style.height = Math.min(box.scrollHeight + 2, 132) + 'px';
    }

    function submit() {
      const text = box.value.trim();
      if (!text) return;
      box.value = '';
      grow();
      clearTimeout(typingIdle);
      if (typingOn) sendTyping(false);
      sendMessage(text);
      box.focus();
    }

    function confirmBar() {
      const no = h('button', { class: 'btn ghost', type: 'button', onclick: cancelEnd }, 'Keep chatting');
      const yes = h('button', { class: 'btn danger', type: 'button', onclick: doEnd }, 'End chat');
      return h('div', { class: 'confirm', role: 'group', 'aria-label': 'End this chat?' }, h('p', {}, 'End this chat?'), no, yes);
    }

    function overBar() {
      const st = S.chat.state;
      let text = 'This chat has ended.';
      if (st.kind === 'ended' && st.by === 'visitor') text = 'You ended the chat.';
      else if (st.kind === 'ended' && st.by === 'agent') {
        // After a reload the state no longer names the agent; their last message does.
        const last = events.filter((e) => e.type === 'message' && e.from === 'agent' && !e.system).pop();
        text = `${S.chat.agent || (last && last.name) || 'The agent'} ended the chat.`;
      }
      else if (st.kind === 'ended' && st.by === 'system') text = 'The chat was closed.';
      else if (st.kind === 'missed') text = 'Sorry, nobody was available to take your chat.';
      return h(
        'div',
        { class: 'over', role: 'status' },
        h('p', {}, text),
        h(
          'button',
          {
            class: 'btn wide',
            type: 'button',
            'data-autofocus': true,
            onclick: () => {
              forgetChat();
              render();
              focusView();
            },
          },
          'Start a new chat',
        ),
      );
    }

    const ui = {
      log,
      foot,
      confirming: false,
      insert(ev, before) {
        const el = node(ev);
        if (!el) return;
        const wasNear = nearBottom();
        if (ev.client_id) ui.dropPending(ev.client_id);
        const anchor =
          (before && log.querySelector(`[data-id="${before.id}"]`)) || log.querySelector('[data-client]');
        log.insertBefore(el, anchor || null);
        group(el);
        if (el.nextElementSibling) group(el.nextElementSibling);
        stick(wasNear || ev.from === 'visitor');
      },
      pending(m) {
        const wasNear = nearBottom();
        const el = pendingNode(m);
        const old = log.querySelector(`[data-client="${m.client_id}"]`);
        if (old) old.replaceWith(el);
        else log.append(el);
        group(el);
        stick(wasNear || !old);
      },
      pendingAll() {
        for (const m of S.outbox) ui.pending(m);
      },
      dropPending(id) {
        const old = log.querySelector(`[data-client="${id}"]`);
        if (old) old.remove();
      },
      typing(on) {
        typing.replaceChildren();
        if (on) typing.append(`${S.chat && S.chat.agent ? S.chat.agent : 'The agent'} is typing`, h('span', { class: 'dots' }, h('i'), h('i'), h('i')));
      },
      online() {
        for (const m of S.outbox) if (!m.failed) ui.pending(m);
      },
      state() {
        const st = S.chat.state;
        stage.hidden = !['queued', 'connecting'].includes(st.kind);
        if (st.kind === 'queued') {
          const n = Number(st.position) || 1;
          stage.replaceChildren(
            h('div', { class: 'spin', 'aria-hidden': 'true' }),
            h(
              'div',
              {},
              h('strong', {}, n === 1 ? 'You are next in the queue' : `You are number ${n} in the queue`),
              h('span', {}, 'An agent will be with you shortly. You can add details below.'),
            ),
          );
        } else if (st.kind === 'connecting') {
          stage.replaceChildren(
            h('div', { class: 'spin', 'aria-hidden': 'true' }),
            h('div', {}, h('strong', {}, 'Finding someone to help you…'), h('span', {}, 'This usually takes under a minute.')),
          );
        }
        const live = LIVE.includes(st.kind);
        if (!live) {
          ui.confirming = false;
          if (mode !== 'over' || foot.dataset.over !== JSON.stringify(st)) {
            mode = 'over';
            foot.dataset.over = JSON.stringify(st);
            foot.replaceChildren(overBar());
          }
        } else if (ui.confirming && mode !== 'confirm') {
          mode = 'confirm';
          draft = box ? box.value : draft;
          box = null;
          foot.replaceChildren(confirmBar());
          foot.querySelector('.danger').focus();
        } else if (!ui.confirming && mode !== 'compose') {
          const hadFocus = mode === 'confirm';
          mode = 'compose';
          foot.replaceChildren(...composer());
          box.value = draft;
          grow();
          if (hadFocus) foot.querySelector('.end').focus();
        }
      },
    };

    chatUi = ui;
    body.replaceChildren(h('div', { class: 'chat' }, stage, log, typing, foot));
    for (const ev of events) ui.insert(ev, null);
    for (const m of S.outbox) ui.pending(m);
    ui.typing(S.agentTyping);
    ui.state();
    log.scrollTop = log.scrollHeight;
  }

  function askEnd() {
    if (!chatUi || !S.chat || !LIVE.includes(S.chat.state.kind)) return;
    chatUi.confirming = true;
    chatUi.state();
  }

  function cancelEnd() {
    if (!chatUi) return;
    chatUi.confirming = false;
    chatUi.state();
  }

  async function doEnd() {
    if (!chatUi) return;
    const buttons = chatUi.foot.querySelectorAll('button');
    // Disabled buttons drop focus; hand it to whatever the ended chat shows next.
    pendingFocus = true;
    buttons.forEach((b) => (b.disabled = true));
    try {
      await call('chat.end');
      if (S.chat && LIVE.includes(S.chat.state.kind)) setState({ kind: 'ended', by: 'visitor' });
    } catch (e) {
      pendingFocus = false;
      buttons.forEach((b) => (b.disabled = false));
      if (chatUi && chatUi.foot.contains(buttons[0])) buttons[buttons.length - 1].focus();
      if (e.code === 'invalid_state' || !chatUi) return;
      const p = chatUi.foot.querySelector('p');
      if (p) p.textContent = 'Could not end the chat while offline. Try again?';
    }
  }

  // ---------------------------------------------------------------- wiring

  W.addEventListener('online', () => {
    if (!ws && wanted()) {
      attempt = 0;
      connect();
    }
  });
  W.addEventListener('offline', () => {
    if (ws) ws.close(4000);
  });
  W.addEventListener('pageshow', (e) => {
    if (e.persisted && !ws && wanted()) connect();
  });
  // Browsers slow the timers of background tabs, so a hidden tab may have lost its link
  // while its retry waits; coming back to the tab should not wait for the timer.
  D.addEventListener('visibilitychange', () => {
    if (!D.hidden && !ws && wanted()) {
      attempt = 0;
      connect();
    }
  });
  D.addEventListener('click', (e) => {
    const t = e.target instanceof Element ? e.target.closest('[data-switchboard-open]') : null;
    if (!t) return;
    e.preventDefault();
    api.open({ department: t.getAttribute('data-switchboard-open') || undefined });
  });

  const api = {
    version: 1,
    open(o) {
      const dept = o && o.department ? clip(String(o.department), 100) : null;
      if (dept && !S.chat && dept !== S.department) {
        S.department = dept;
        S.shown = null;
      }
      if (S.open) {
        render();
        focusView();
      } else open();
    },
    close() {
      if (S.open) close(false);
    },
  };
  W.Switchboard = api;

  if (D.body) mount();
  else D.addEventListener('DOMContentLoaded', mount);
})();
