// The one door to the Rust side: pick the real backend inside the desktop app and the
// fake one in a plain browser.
import { isTauri } from '@tauri-apps/api/core';
import type { Backend } from './backend';
import { FakeBackend } from './fake';
import { TauriBackend } from './tauri';

export type { AppInfo, Backend, BackendError } from './backend';
export { isBackendError, toBackendError } from './backend';
export { FakeBackend } from './fake';
export { TauriBackend } from './tauri';

export function connectBackend(): Backend {
  return isTauri() ? new TauriBackend() : new FakeBackend();
}
