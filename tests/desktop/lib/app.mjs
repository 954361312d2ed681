// The real desktop app under WebDriver: tauri-driver (which runs WebKitWebDriver) on
// free loopback ports, the app binary launched by it with a private data dir, and a
// WebDriver session on its window.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, REPO } from '../../../widget/tests/lib/hub.mjs';
import { Session } from './webdriver.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let built = null;

// SWITCHBOARD_APP_BIN wins (run.sh sets it after building); otherwise cargo brings the
// debug build up to date, so a test run never drives a stale app.
export function appBinary() {
  if (process.env.SWITCHBOARD_APP_BIN) return process.env.SWITCHBOARD_APP_BIN;
  if (built) return built;
  const target = process.env.CARGO_TARGET_DIR || path.join(REPO, 'target');
  const bin = path.join(target, 'debug', 'switchboard');
  const r = spawnSync('cargo', ['build', '--quiet', '-p', 'switchboard'], {
    cwd: REPO,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`cargo build -p switchboard failed (exit ${r.status})`);
  built = bin;
  return bin;
}

export class App {
  constructor() {
    this.bin = appBinary();
    this.dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-desktop-app-'));
    this.log = '';
    this.driver = null;
    this.session = null;
  }

  /** Starts tauri-driver and opens the app's window; resolves with the WebDriver session. */
  async launch() {
    const port = await freePort();
    const nativePort = await freePort();
    // The app inherits tauri-driver's environment (through WebKitWebDriver): that is how
    // it gets its private data dir.
    // In a process group of its own, so that quitting ends WebKitWebDriver and the app
    // with it, even when the app no longer answers.
    const proc = spawn('tauri-driver', ['--port', String(port), '--native-port', String(nativePort)], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        SWITCHBOARD_DATA_DIR: this.dataDir,
        RUST_LOG: process.env.RUST_LOG || 'info',
        NO_COLOR: '1',
      },
    });
    this.driver = proc;
    this.driverExited = new Promise((resolve) => proc.once('exit', (code, sig) => resolve({ code, sig })));
    proc.once('error', (e) => (this.log += `tauri-driver did not start: ${e.message}\n`));
    proc.stdout.on('data', (d) => (this.log += d));
    proc.stderr.on('data', (d) => (this.log += d));
    const base = `http://127.0.0.1:${port}`;
    let gone = null;
    this.driverExited.then((x) => (gone = x));
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (gone) throw new Error(`tauri-driver exited (${JSON.stringify(gone)}):\n${this.log}`);
      try {
        const r = await fetch(base + '/status');
        if (r.ok) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`tauri-driver did not answer within 30 s:\n${this.log}`);
      await sleep(100);
    }
    try {
      this.session = await Session.create(base, { 'tauri:options': { application: this.bin } });
    } catch (e) {
      throw new Error(`the app did not start under WebDriver: ${e.message}\n${this.log}`);
    }
    return this.session;
  }

  /**
   * Saves the app's window as a PNG, grabbed from the X display with ImageMagick:
   * WebKitWebDriver's own screenshot command does not return once the console is up.
   */
  async capture(file) {
    const r = await this.session.cmd('GET', '/window/rect');
    execFileSync('import', ['-window', 'root', '-crop', `${r.width}x${r.height}+${r.x}+${r.y}`, '+repage', file], {
      timeout: 20_000,
    });
  }

  /**
   * Runs a scenario; when it fails, keeps a screenshot of the window and the driver's
   * log under the temp dir and names them in the error, since the window is gone after.
   */
  async recording(name, scenario) {
    try {
      await scenario();
    } catch (e) {
      const base = path.join(os.tmpdir(), `switchboard-desktop-${name}-${Date.now()}`);
      try {
        await this.capture(`${base}.png`);
        fs.writeFileSync(
          `${base}.txt`,
          `${await this.session.bodyText()}\n---- tauri-driver and app log ----\n${this.log}`,
        );
        e.message += `\n(the window at the failure: ${base}.png, its text and the app log: ${base}.txt)`;
      } catch (inner) {
        e.message += `\n(no screenshot: ${inner.message})`;
      }
      throw e;
    }
  }

  /** Closes the app and the driver; keeps the data dir (for a relaunch) unless `destroy`. */
  async quit() {
    if (this.session) await this.session.delete();
    this.session = null;
    if (this.driver) {
      const group = -this.driver.pid;
      const signal = (sig) => {
        try {
          process.kill(group, sig);
        } catch {
          // the group is gone already
        }
      };
      signal('SIGTERM');
      const t = setTimeout(() => signal('SIGKILL'), 5000);
      await this.driverExited;
      clearTimeout(t);
      signal('SIGKILL');
    }
    this.driver = null;
  }

  async destroy() {
    await this.quit();
    fs.rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/**
 * Saves a screenshot of the app's window as docs/screenshots/console-NAME.png, only
 * when SWITCHBOARD_SCREENSHOTS=1 (the committed pictures change only on purpose).
 */
export async function screenshot(app, name) {
  if (process.env.SWITCHBOARD_SCREENSHOTS !== '1') return;
  const dir = path.join(REPO, 'docs', 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  // The pictures show the app alone: close the session's OS notifications, and let the
  // last change finish drawing (toasts slide in, dialogs fade).
  spawnSync('dunstctl', ['close-all'], { stdio: 'ignore', timeout: 5000 });
  await new Promise((r) => setTimeout(r, 400));
  await app.capture(path.join(dir, `console-${name}.png`));
}
