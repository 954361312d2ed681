// An in-memory Backend for component tests and for running the console in a plain
// browser (npm run dev) without the desktop app.
import type { AppInfo, Backend } from './backend';

export interface FakeBackendOptions {
  appInfo?: AppInfo;
}

export class FakeBackend implements Backend {
  readonly #appInfo: AppInfo;

  constructor(options: FakeBackendOptions = {}) {
    this.#appInfo = options.appInfo ?? { name: 'Switchboard', version: '0.0.0-browser' };
  }

  appInfo(): Promise<AppInfo> {
    return Promise.resolve({ ...this.#appInfo });
  }
}
