// Runs a real switchboard-hub on a free loopback port with a fresh data dir and the
// demo seed, for one test file.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

let built = null;

// SWITCHBOARD_HUB_BIN wins; otherwise cargo brings the debug build up to date (a no-op
// when it is fresh) so the tests never run a stale hub.
export function hubBinary() {
  if (process.env.SWITCHBOARD_HUB_BIN) return process.env.SWITCHBOARD_HUB_BIN;
  if (built) return built;
  const target = process.env.CARGO_TARGET_DIR || path.join(REPO, 'target');
  const bin = path.join(target, 'debug', 'switchboard-hub');
  const r = spawnSync('cargo', ['build', '--quiet', '-p', 'switchboard-hub'], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0 && !fs.existsSync(bin)) {
    throw new Error(`cargo build -p switchboard-hub failed and ${bin} does not exist`);
  }
  built = bin;
  return bin;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Hub {
  /**
   * `origins` are allowed for the demo site besides the hub's own.
   * `departments` maps a department name to extra `department set` flags (for example
   * shorter etiquette timers); such departments are created before the demo seed runs,
   * which then leaves them as they are.
   */
  constructor({ departments = {}, origins = [] } = {}) {
    this.departments = departments;
    // Extra origins allowed for the demo site, as a website embedding the widget.
    this.origins = origins;
    this.bin = hubBinary();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-widget-hub-'));
    this.log = '';
    this.proc = null;
    this.port = 0;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  admin(args) {
    const r = spawnSync(this.bin, [...args, '--data', this.dataDir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`switchboard-hub ${args.join(' ')} failed: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  async start() {
    if (!this.port) {
      const skills = { Support: 'support', Sales: 'sales' };
      for (const [name, flags] of Object.entries(this.departments)) {
        this.admin(['department', 'add', '--name', name, '--skills', skills[name] || name.toLowerCase()]);
        this.admin(['department', 'set', '--name', name, ...flags]);
      }
      if (this.origins.length) {
        this.admin(['site', 'add', '--name', 'Demo shop', ...this.origins.flatMap((o) => ['--origin', o])]);
      }
      this.port = await freePort();
    }
    const args = ['serve', '--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir, '--demo'];
    const proc = spawn(this.bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG || 'info', NO_COLOR: '1' },
    });
    this.proc = proc;
    const exited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve({ code, sig })));
    this.exited = exited;
    proc.stdout.on('data', (d) => (this.log += d));
    proc.stderr.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 60_000;
    let gone = null;
    exited.then((x) => (gone = x));
    while (Date.now() < deadline) {
      if (gone) throw new Error(`hub exited early (${JSON.stringify(gone)}):\n${this.log}`);
      try {
        const r = await fetch(this.url + '/healthz');
        if (r.ok) return this;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`hub did not answer /healthz within 60 s:\n${this.log}`);
  }

  // The demo seed prints its agents at start; lines look like "email ... password ...".
  agents() {
    const out = [];
    const re = /([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})\S*\s+(?:\/\s*|password[:=]?\s*|\s)*([^\s,;)]+)/gi;
    for (const line of this.log.split('\n')) {
      if (!/password|pass|demo/i.test(line)) continue;
      re.lastIndex = 0;
      const m = re.exec(line);
      if (m) out.push({ email: m[1], password: m[2], line: line.trim() });
    }
    return out;
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
    await this.exited;
    clearTimeout(t);
  }

  async destroy() {
    await this.stop();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}
