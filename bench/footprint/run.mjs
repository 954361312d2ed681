// The desktop footprint run (docs/performance.md): the release app under Xvfb, signed
// in with 10 open chats and 100,000 cached messages, measured for memory (PSS of the app
// and its WebKit processes, beside an empty Tauri 2 window launched the same way), time
// from start to an interactive console, and offline search latency.
//
// Both windows are launched through tauri-driver (WebKitWebDriver), so the automation
// costs are the same on both sides. Run it inside scripts/lib/desktop-session.sh, as
// scripts/bench.sh does. Environment: SWITCHBOARD_APP_BIN and SWITCHBOARD_HUB_BIN (release
// builds), FOOTPRINT_EMPTY_BIN (bench/footprint/empty-window), FOOTPRINT_OUT (a JSON file
// for the results), FOOTPRINT_MESSAGES (100000), FOOTPRINT_CHATS (10), FOOTPRINT_APP_LOG
// (a file for the app's log, tauri-driver's included), FOOTPRINT_APP_EXE (see appPid).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hub } from '../../widget/tests/lib/hub.mjs';
import { until } from '../../widget/tests/lib/widget.mjs';
import { App } from '../../tests/desktop/lib/app.mjs';
import { acceptOffer, ADA, setStatus, signIn } from '../../tests/desktop/lib/console.mjs';
import { Visitor } from '../../tests/desktop/lib/visitor.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MESSAGES = Number(process.env.FOOTPRINT_MESSAGES || 100_000);
const CHATS = Number(process.env.FOOTPRINT_CHATS || 10);
const EMPTY_BIN = process.env.FOOTPRINT_EMPTY_BIN;
const OUT = process.env.FOOTPRINT_OUT;
const SEARCH_LIMIT = 50; // what the History view asks for
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('   ', ...a);

// ---- processes and their memory ------------------------------------------------------

function children() {
  const byParent = new Map();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!byParent.has(ppid)) byParent.set(ppid, []);
    byParent.get(ppid).push(Number(name));
  }
  return byParent;
}

function descendants(pid) {
  const byParent = children();
  const out = [];
  const walk = (p) => {
    for (const c of byParent.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

function exeOf(pid) {
  try {
    return fs.readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return '';
  }
}

function commOf(pid) {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}

/**
 * The process running `bin` under the driver (WebKitWebDriver starts it). When the app
 * is started through a wrapper script (to try an environment setting on the same
 * binary), FOOTPRINT_APP_EXE names the binary the wrapper execs.
 */
function appPid(app, bin) {
  const wrapped = bin === process.env.SWITCHBOARD_APP_BIN && process.env.FOOTPRINT_APP_EXE;
  const want = wrapped || fs.realpathSync(bin);
  const pid = descendants(app.driver.pid).find((p) => exeOf(p) === want);
  if (!pid) throw new Error(`no process runs ${bin} under tauri-driver ${app.driver.pid}`);
  return pid;
}

function rollup(pid) {
  const text = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
  return { pss: kb('Pss'), rss: kb('Rss'), anon: kb('Pss_Anon'), file: kb('Pss_File'), shmem: kb('Pss_Shmem') };
}

/** Where a process's PSS sits: kB by mapping (file path, [heap], or anonymous), largest first. */
function mappings(pid, top = 8) {
  const by = new Map();
  let name = null;
  for (const line of fs.readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (head) {
      name = head[1] ? path.basename(head[1]) : '[anon]';
      continue;
    }
    const pss = /^Pss:\s+(\d+) kB/.exec(line);
    if (pss && name) by.set(name, (by.get(name) ?? 0) + Number(pss[1]));
  }
  return [...by].sort((a, b) => b[1] - a[1]).slice(0, top).map(([m, kb]) => ({ mapping: m, pss: kb }));
}

/** PSS (kB) of a process and all its descendants, each and summed. */
function memory(pid) {
  const procs = [pid, ...descendants(pid)].map((p) => ({ pid: p, name: commOf(p), ...rollup(p), top: mappings(p) }));
  const sum = (k) => procs.reduce((a, p) => a + p[k], 0);
  return { pss: sum('pss'), rss: sum('rss'), anon: sum('anon'), file: sum('file'), shmem: sum('shmem'), procs };
}

/** Three samples a second apart, after the window had `settle` ms to go quiet; the median. */
async function settledMemory(pid, settle = 5000) {
  await sleep(settle);
  const samples = [];
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(1000);
    samples.push(memory(pid));
  }
  samples.sort((a, b) => a.pss - b.pss);
  return samples[1];
}

/** Seconds since `pid` started, from /proc (clock ticks; 10 ms resolution). */
function ageOf(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const start = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  const uptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  return uptime - start / hz;
}

const mb = (kb) => (kb / 1024).toFixed(1);

function table(title, m) {
  log(`${title}: PSS ${mb(m.pss)} MB (anon ${mb(m.anon)}, file ${mb(m.file)}, shmem ${mb(m.shmem)}), RSS ${mb(m.rss)} MB`);
  for (const p of m.procs) {
    log(`    ${String(p.pid).padStart(7)} ${p.name.padEnd(22)} PSS ${mb(p.pss).padStart(7)} MB (anon ${mb(p.anon)})`);
    log(`            ${p.top.map((t) => `${t.mapping} ${mb(t.pss)}`).join(', ')}`);
  }
}

// ---- the scenario --------------------------------------------------------------------

function cacheFile(dataDir) {
  const accounts = path.join(dataDir, 'accounts');
  const found = fs.readdirSync(accounts).map((d) => path.join(accounts, d, 'cache.sqlite3')).filter((f) => fs.existsSync(f));
  if (found.length !== 1) throw new Error(`expected one account cache under ${accounts}, found ${found.length}`);
  return found[0];
}

// Words from the seeded vocabulary: frequent and rare words, prefixes, two-word queries,
// numbers, and a few that match nothing.
const QUERY_WORDS = `refund delivery parcel courier invoice payment password login shipping tracking
  warranty battery charger customs label flight hotel birthday newsletter privacy backup
  crash timeout escalate supervisor quota storage screenshot spreadsheet calendar booking
  friday monday tomorrow sorry thanks please order account error version`.split(/\s+/);
const RARE_WORDS = 'zephyr quokka marmalade fjord saffron obsidian tamarind kerosene velvet juniper'.split(' ');

function queries() {
  const q = [];
  for (const w of QUERY_WORDS) q.push(w);
  for (const w of RARE_WORDS) q.push(w);
  for (const w of QUERY_WORDS) q.push(w.slice(0, 3));
  for (let i = 0; i + 1 < QUERY_WORDS.length; i += 2) q.push(`${QUERY_WORDS[i]} ${QUERY_WORDS[i + 1]}`);
  for (let i = 0; i < 8; i++) q.push(`${RARE_WORDS[i]} ${QUERY_WORDS[i]}`);
  q.push('12345', '4', 'nothingmatchesthis', 'xylophone quartet');
  return q;
}

const SEARCH = `
const [queries, limit, done] = arguments;
const invoke = window.__TAURI_INTERNALS__.invoke;
(async () => {
  const out = [];
  for (const query of queries) {
    const t0 = performance.now();
    const hits = await invoke('history_search', { query, limit });
    out.push({ query, ms: performance.now() - t0, hits: hits.length });
  }
  return out;
})().then(done, (e) => done({ error: String(e) }));
`;

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

// 0: no console yet; 1: the console shows (its status control is there); 2: and the
// control is enabled, which it is once the hub answered.
async function consoleState(s) {
  return s.execute(`
    const group = document.querySelector('[role=radiogroup][aria-label="Your status"]');
    if (!group || group.getClientRects().length === 0) return [0, performance.now()];
    return [group.querySelector('[role=radio]:not([disabled])') ? 2 : 1, performance.now()];
  `);
}

async function main() {
  if (!EMPTY_BIN) throw new Error('FOOTPRINT_EMPTY_BIN is not set');
  const result = {
    when: new Date().toISOString(),
    machine: {
      cores: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memory_gib: +(os.totalmem() / 2 ** 30).toFixed(1),
      kernel: `${os.type()} ${os.release()}`,
      load_before: os.loadavg(),
    },
    scenario: { open_chats: CHATS, cached_messages: MESSAGES, window: '1100x720', search_limit: SEARCH_LIMIT },
  };
  const visitors = [];
  let hub;
  let app;
  let empty;
  try {
    console.log('==> Hub, with the demo workspace and Ada allowed', CHATS, 'chats at once');
    hub = await new Hub().start();
    await hub.stop();
    hub.admin(['agent', 'set', '--email', ADA.email, '--max-chats', String(CHATS)]);
    await hub.start();

    console.log('==> Signing in and accepting', CHATS, 'chats');
    app = new App();
    let s = await app.launch();
    // The app before any account: its code and the console's bundle, no data.
    await s.find('label', 'Hub address', { ms: 30_000 });
    const signInScreen = await settledMemory(appPid(app, app.bin));
    table('app at the sign-in screen', signInScreen);
    result.app_sign_in_screen = signInScreen;
    await signIn(s, hub.url, ADA);
    await setStatus(s, 'Online');
    for (let i = 0; i < CHATS; i++) {
      const name = `Visitor ${String.fromCharCode(65 + i)}`;
      const v = await new Visitor(hub.url).connect();
      visitors.push(v);
      await v.start(name, 'Support');
      await acceptOffer(s, name);
      await v.say(`Hello, this is ${name} with a question about my order.`);
    }
    await app.quit();

    console.log('==> Seeding the cache with', MESSAGES, 'messages');
    const cache = cacheFile(app.dataDir);
    const seeded = execFileSync('python3', [path.join(HERE, 'seed_cache.py'), cache, '--messages', String(MESSAGES)], {
      encoding: 'utf8',
    });
    log(seeded.trim());
    result.seed = JSON.parse(seeded);
    result.cache_bytes = fs.statSync(cache).size;

    console.log('==> Starting the app again: the session comes back from the keyring');
    const launched = Date.now();
    s = await app.launch();
    const sessionMs = Date.now() - launched;
    const pid = appPid(app, app.bin);
    // WebKitWebDriver answers once the window's page has loaded: how far the start got
    // before the console's own code ran.
    const sessionAge = ageOf(pid);
    let shown = null;
    let connected = null;
    const end = Date.now() + 30_000;
    while (Date.now() < end && connected === null) {
      const [state, pageMs] = await consoleState(s).catch(() => [0, 0]);
      if (state >= 1 && shown === null) shown = { age: ageOf(pid), polled: Date.now() - launched, pageMs };
      if (state === 2) connected = { age: ageOf(pid), polled: Date.now() - launched, pageMs };
      await sleep(10);
    }
    if (shown === null) throw new Error(`the console did not show within 30 s: ${await s.bodyText()}`);
    result.interactive = {
      from_process_start_ms: Math.round(shown.age * 1000),
      from_session_request_ms: shown.polled,
      connected_from_process_start_ms: connected && Math.round(connected.age * 1000),
      webdriver_session_ms: sessionMs,
      page_loaded_from_process_start_ms: Math.round(sessionAge * 1000),
      // performance.now() in the page: from the page's navigation start.
      from_navigation_start_ms: Math.round(shown.pageMs),
      method:
        "the app is started by WebKitWebDriver (POST /session); the page is then polled every 10 ms for the console's status control; the time is the app process's age (/proc/PID/stat start time, 10 ms ticks) when the control is first seen, and when it is first enabled (the hub answered)",
    };
    log(
      `page loaded ${result.interactive.page_loaded_from_process_start_ms} ms, console interactive ${result.interactive.from_process_start_ms} ms after the process started; connected at ${result.interactive.connected_from_process_start_ms} ms`,
    );

    await until(
      async () => (await s.count('tab')) >= CHATS,
      `the console shows the ${CHATS} open chats again`,
      60_000,
    );
    result.open_chats_shown = await s.count('tab');
    if (process.env.FOOTPRINT_APP_LOG) fs.writeFileSync(process.env.FOOTPRINT_APP_LOG, app.log);
    const app1 = await settledMemory(pid);
    table('app, 10 chats, hub connected', app1);
    result.app = app1;

    console.log('==> Offline search: the hub stops');
    await hub.stop();
    await s.find('text', /Connection lost|You’re offline/, { ms: 30_000 });
    const list = queries();
    const timings = await s.cmd('POST', '/execute/async', { script: SEARCH, args: [list, SEARCH_LIMIT] });
    if (!Array.isArray(timings)) throw new Error(`search failed in the page: ${JSON.stringify(timings)}`);
    const ms = timings.map((t) => t.ms).sort((a, b) => a - b);
    result.search = {
      queries: timings.length,
      p50_ms: +pct(ms, 50).toFixed(2),
      p95_ms: +pct(ms, 95).toFixed(2),
      max_ms: +ms[ms.length - 1].toFixed(2),
      first_ms: +timings[0].ms.toFixed(2),
      slowest: [...timings].sort((a, b) => b.ms - a.ms).slice(0, 5),
      all: timings,
      method:
        "window.__TAURI_INTERNALS__.invoke('history_search', {query, limit: 50}) timed with performance.now() in the page, one query after another, hub stopped",
    };
    log(`search over ${timings.length} queries: p50 ${result.search.p50_ms} ms, p95 ${result.search.p95_ms} ms, max ${result.search.max_ms} ms`);
    const app2 = await settledMemory(pid, 2000);
    table('app after the searches, offline', app2);
    result.app_after_search = app2;
    await app.destroy();
    app = null;
    for (const v of visitors) v.close();
    visitors.length = 0;

    console.log('==> The empty Tauri window, launched the same way');
    empty = new App();
    empty.bin = EMPTY_BIN;
    await empty.launch();
    const epid = appPid(empty, EMPTY_BIN);
    result.empty_window_page_loaded_from_process_start_ms = Math.round(ageOf(epid) * 1000);
    log(`empty window: page loaded ${result.empty_window_page_loaded_from_process_start_ms} ms after the process started`);
    const base = await settledMemory(epid);
    table('empty Tauri window', base);
    result.empty_window = base;
    result.app_over_empty_mb = +((app1.pss - base.pss) / 1024).toFixed(1);
    log(`app over the empty window: ${result.app_over_empty_mb} MB PSS`);
    result.machine.load_after = os.loadavg();
  } finally {
    for (const v of visitors) v.close();
    if (app) await app.destroy().catch(() => {});
    if (empty) await empty.destroy().catch(() => {});
    if (hub) await hub.destroy().catch(() => {});
  }
  if (OUT) {
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, JSON.stringify(result, null, 2));
    log(`results: ${OUT}`);
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
