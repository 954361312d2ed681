// A small W3C WebDriver client over HTTP (fetch), enough to drive the app's webview
// through tauri-driver: sessions, finding elements by accessible role, name or text,
// clicks, typing, scripts and screenshots.

// The key the W3C spec reserves for element references in JSON.
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

/** Special keys for `type` (W3C WebDriver key codes). */
export const Keys = { Enter: '\uE007', Shift: '\uE008', Control: '\uE009', Escape: '\uE00C' };

export class WebDriverError extends Error {
  constructor(method, path, status, value) {
    super(`${method} ${path}: ${status} ${value?.error ?? ''}: ${value?.message ?? JSON.stringify(value)}`);
    this.error = value?.error;
  }
}

// Finds elements in the page the way a person reads it: by role and accessible name,
// by label, or by visible text. Runs inside the webview; only visible elements count.
const LOCATE = `
const [how, want, scopeEl] = arguments;
const norm = (s) => (s || '').replace(/\\s+/g, ' ').trim();
const matches = (text) => {
  text = norm(text);
  if (want.regex) return new RegExp(want.regex, want.flags).test(text);
  return want.exact ? text === want.text : text.includes(want.text);
};
const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
const labelText = (el) => {
  if (el.getAttribute('aria-label')) return el.getAttribute('aria-label');
  const by = el.getAttribute('aria-labelledby');
  if (by) return by.split(/\\s+/).map((id) => document.getElementById(id)?.textContent ?? '').join(' ');
  if (el.id) {
    const l = document.querySelector('label[for="' + CSS.escape(el.id) + '"]');
    if (l) return l.textContent;
  }
  const wrap = el.closest('label');
  if (wrap && wrap !== el) return wrap.textContent;
  return null;
};
const name = (el) => labelText(el) ?? (el.textContent || el.getAttribute('title') || '');
const ROLES = {
  button: 'button:not([role]),[role=button],input[type=submit]',
  textbox: 'textarea,input:not([type]),input[type=text],input[type=url],input[type=email],input[type=password],input[type=search]',
  checkbox: 'input[type=checkbox]',
  radio: 'input[type=radio],[role=radio]',
  tab: '[role=tab]',
  dialog: '[role=dialog]',
  alert: '[role=alert]',
  status: '[role=status]',
  option: '[role=option]',
  listitem: 'li',
  region: 'section[aria-label],section[aria-labelledby],[role=region]',
  radiogroup: '[role=radiogroup]',
};
const scope = scopeEl || document;
let found;
if (how === 'text') {
  // The innermost elements whose text matches.
  found = [...scope.querySelectorAll('body *')].filter(
    (el) => matches(el.textContent) && ![...el.children].some((c) => matches(c.textContent)),
  );
} else if (how === 'label') {
  found = [...scope.querySelectorAll('input,textarea,select')].filter((el) => matches(labelText(el) ?? ''));
} else if (how === 'css') {
  found = [...scope.querySelectorAll(want.text)];
} else {
  const sel = ROLES[how];
  if (!sel) throw new Error('unknown role ' + how);
  found = [...scope.querySelectorAll(sel)].filter((el) => want.any || matches(name(el)));
}
return found.filter(visible);
`;

function wantOf(name, exact) {
  if (name instanceof RegExp) return { regex: name.source, flags: name.flags };
  if (name === undefined) return { any: true, text: '' };
  return { text: String(name).replace(/\s+/g, ' ').trim(), exact };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Element {
  constructor(session, id, what) {
    this.session = session;
    this.id = id;
    this.what = what;
  }

  toJSON() {
    return { [ELEMENT]: this.id };
  }

  /**
   * Clicks like a person: when something lies over the element (a toast in the corner),
   * dismisses the toasts, or waits for the overlay to go, and clicks again.
   */
  async click() {
    const end = Date.now() + 10_000;
    for (;;) {
      try {
        return await this.session.cmd('POST', `/element/${this.id}/click`, {});
      } catch (e) {
        if (!(e instanceof WebDriverError) || e.error !== 'element click intercepted' || Date.now() > end) throw e;
      }
      for (const dismiss of await this.session.all('button', 'Dismiss', { exact: true }).catch(() => [])) {
        await this.session.cmd('POST', `/element/${dismiss.id}/click`, {}).catch(() => {});
      }
      await sleep(200);
    }
  }

  /** Types into the element as key presses (use Keys for Enter and friends). */
  type(text) {
    return this.session.cmd('POST', `/element/${this.id}/value`, { text });
  }

  clear() {
    return this.session.cmd('POST', `/element/${this.id}/clear`, {});
  }

  text() {
    return this.session.cmd('GET', `/element/${this.id}/text`);
  }

  property(name) {
    return this.session.cmd('GET', `/element/${this.id}/property/${name}`);
  }

  /** Elements inside this one (see Session.all). */
  all(how, name, opts) {
    return this.session.all(how, name, { ...opts, within: this });
  }

  find(how, name, opts) {
    return this.session.find(how, name, { ...opts, within: this });
  }
}

export class Session {
  constructor(base, id) {
    this.base = base;
    this.id = id;
  }

  static async create(base, capabilities) {
    const r = await request(base, 'POST', '/session', { capabilities: { alwaysMatch: capabilities } });
    return new Session(base, r.sessionId);
  }

  cmd(method, path, body) {
    return request(this.base, method, `/session/${this.id}${path}`, body);
  }

  async delete() {
    await request(this.base, 'DELETE', `/session/${this.id}`).catch(() => {});
  }

  /** Runs `script` (a function body; `arguments` holds args) in the page. */
  async execute(script, ...args) {
    const value = await this.cmd('POST', '/execute/sync', { script, args });
    return this.wrap(value);
  }

  wrap(value) {
    if (Array.isArray(value)) return value.map((v) => this.wrap(v));
    if (value && typeof value === 'object' && value[ELEMENT]) return new Element(this, value[ELEMENT]);
    return value;
  }

  /**
   * Visible elements by `how`: a role ('button', 'textbox', 'tab', 'dialog', ...) and
   * accessible name, 'label' (form controls by label), 'text' (innermost element with
   * that text) or 'css'. A string name matches when contained (`exact` for equality), a
   * RegExp when it matches; `within` limits the search to an element.
   */
  async all(how, name, { exact = false, within = null } = {}) {
    return this.execute(LOCATE, how, wantOf(name, exact), within);
  }

  /** Waits for the first element matching (see `all`), up to `ms`. */
  async find(how, name, { ms = 20_000, ...opts } = {}) {
    const end = Date.now() + ms;
    let last = null;
    while (Date.now() < end) {
      try {
        const els = await this.all(how, name, opts);
        if (els.length > 0) {
          els[0].what = `${how} ${name}`;
          return els[0];
        }
      } catch (e) {
        last = e;
      }
      await sleep(150);
    }
    const body = await this.execute('return document.body.innerText').catch(() => '?');
    throw new Error(
      `no visible ${how} "${name}" within ${ms} ms${last ? ` (last error: ${last.message})` : ''}; the window shows:\n${body}`,
    );
  }

  /** How many visible elements match (see `all`), without handing elements back. */
  async count(how, name, { exact = false, within = null } = {}) {
    return this.execute(
      `return (function () { ${LOCATE} }).apply(null, arguments).length;`,
      how,
      wantOf(name, exact),
      within,
    );
  }

  /** Waits until no element matches. */
  async gone(how, name, { ms = 20_000, ...opts } = {}) {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      // A page that re-renders under the query may report a stale node: ask again.
      if ((await this.count(how, name, opts).catch(() => -1)) === 0) return;
      await sleep(150);
    }
    throw new Error(`${how} "${name}" still shown after ${ms} ms`);
  }

  async click(how, name, opts) {
    const el = await this.find(how, name, opts);
    await el.click();
    return el;
  }

  /** Replaces the text of a form control found by label. */
  async fill(label, text, opts) {
    const el = await this.find('label', label, opts);
    await el.clear();
    if (text !== '') await el.type(text);
    return el;
  }

  /** The text of an open user prompt (alert, confirm), or null when there is none. */
  async alertText() {
    try {
      return await this.cmd('GET', '/alert/text');
    } catch (e) {
      if (e instanceof WebDriverError && e.error === 'no such alert') return null;
      throw e;
    }
  }

  async bodyText() {
    return this.execute('return document.body.innerText');
  }
}

async function request(base, method, path, body) {
  const r = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A webview that stops answering fails the step instead of hanging the test.
    signal: AbortSignal.timeout(30_000),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new WebDriverError(method, path, r.status, { message: text });
  }
  if (!r.ok) throw new WebDriverError(method, path, r.status, json.value);
  return json.value;
}
