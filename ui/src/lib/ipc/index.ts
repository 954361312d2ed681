// The one door to the Rust side: pick the real backend inside the desktop app and the
// fake one, playing a demo afternoon, in a plain browser.
import { isTauri } from '@tauri-apps/api/core';
import type { Backend } from './backend';
import { FakeBackend } from './fake';
import { demoWorld, startDemoScript } from './fake-demo';
import { quietWorld } from './fake-world';
import { TauriBackend } from './tauri';

export type { AppInfo, Backend, BackendError } from './backend';
export { isBackendError, toBackendError } from './backend';
export { FakeBackend } from './fake';
export { TauriBackend } from './tauri';

/**
 * In a browser, `?signed-in` skips the sign-in screen (a remembered session), `?quiet`
 * starts an empty shift instead of the demo afternoon, `?still` keeps the visitors
 * from answering, and `?hooks` exposes the fake as `switchboardFake` for scripts.
 */
export function connectBackend(search = ''): Backend {
  if (isTauri()) return new TauriBackend();
  const params = new URLSearchParams(search);
  const fake = new FakeBackend({
    world: params.has('quiet') ? quietWorld : demoWorld,
    remembered: params.has('signed-in'),
    deliveryDelayMs: 700,
    latencyMs: 120,
  });
  if (!params.has('still')) startDemoScript(fake);
  // The screenshot script plays the network and the visitors through these hooks.
  if (params.has('hooks')) Object.assign(globalThis, { switchboardFake: fake });
  return fake;
}
