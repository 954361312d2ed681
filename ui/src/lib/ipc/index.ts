// The one door to the Rust side: pick the real backend inside the desktop app and the
// fake one, playing a demo afternoon, in a plain browser.
import { isTauri } from '@tauri-apps/api/core';
import type { Backend } from './backend';
import { TauriBackend } from './tauri';

export type { AppInfo, Backend, BackendError } from './backend';
export { isBackendError, toBackendError } from './backend';
export { TauriBackend } from './tauri';

/**
 * In a browser, `?signed-in` skips the sign-in screen (a remembered session), `?quiet`
 * starts an empty shift instead of the demo afternoon, `?still` keeps the visitors
 * from answering, and `?hooks` exposes the fake as `switchboardFake` for scripts.
 *
 * The fake and its demo afternoon are a chunk of their own, loaded only in a browser:
 * the desktop app never parses or keeps them.
 */
export async function connectBackend(search = ''): Promise<Backend> {
  if (isTauri()) return new TauriBackend();
  const { connectFake } = await import('./fake-connect');
  return connectFake(search);
}
