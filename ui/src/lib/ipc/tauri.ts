// The Backend served by the desktop app: each method is one Tauri command.
import { invoke } from '@tauri-apps/api/core';
import { toBackendError, type AppInfo, type Backend } from './backend';

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toBackendError(error);
  }
}

export class TauriBackend implements Backend {
  appInfo(): Promise<AppInfo> {
    return call<AppInfo>('app_info');
  }
}
