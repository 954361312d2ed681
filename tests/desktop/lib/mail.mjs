// A real SMTP server on loopback (the hub tests' aiosmtpd sink, crates/hub/tests/hub/
// smtp_sink.py) and a hub configured to send its email replies through it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, Hub, REPO } from '../../../widget/tests/lib/hub.mjs';

const SINK = path.join(REPO, 'crates', 'hub', 'tests', 'hub', 'smtp_sink.py');

export class SmtpSink {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-desktop-smtp-'));
    this.log = '';
  }

  async start() {
    this.port = await freePort();
    const proc = spawn('python3', [SINK, 'serve', '--port', String(this.port), '--dir', this.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.stderr.on('data', (d) => (this.log += d));
    await new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`the SMTP sink did not start within 15 s:\n${this.log}`)), 15_000);
      proc.stdout.on('data', (d) => {
        this.log += d;
        if (this.log.includes('READY')) {
          clearTimeout(t);
          resolve();
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(t);
        reject(new Error(`the SMTP sink exited (${code}); is aiosmtpd installed (scripts/setup.sh)?\n${this.log}`));
      });
    });
    return this;
  }

  /** The messages received so far, as smtp_sink.py describes them (from, to, subject, body...). */
  messages() {
    return fs
      .readdirSync(this.dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => JSON.parse(fs.readFileSync(path.join(this.dir, f), 'utf8')));
  }

  async stop() {
    if (this.proc && this.proc.exitCode === null) {
      this.proc.kill('SIGTERM');
      await this.exited;
    }
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * A demo hub whose email replies go to `sink` over SMTP (a hub.toml with [email] and
 * [smtp], passed as SWITCHBOARD_CONFIG: the widget tests' Hub takes no config option).
 */
export class MailingHub extends Hub {
  constructor(sink, options) {
    super(options);
    this.config = path.join(this.dataDir, 'hub.toml');
    fs.writeFileSync(
      this.config,
      [
        '[email]',
        'from = "Demo Support <support@switchboard.demo>"',
        '',
        '[smtp]',
        'host = "127.0.0.1"',
        `port = ${sink.port}`,
        'tls = "none"',
        '',
      ].join('\n'),
    );
  }

  async start() {
    const before = process.env.SWITCHBOARD_CONFIG;
    process.env.SWITCHBOARD_CONFIG = this.config;
    try {
      return await super.start();
    } finally {
      if (before === undefined) delete process.env.SWITCHBOARD_CONFIG;
      else process.env.SWITCHBOARD_CONFIG = before;
    }
  }
}
