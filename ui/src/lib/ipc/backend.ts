// The console's only view of the desktop app's Rust side. Components receive a Backend
// and never import @tauri-apps/* themselves, so they also run in a plain browser and in
// component tests against FakeBackend.

/** What the app says about itself (answer of the `app_info` command). */
export interface AppInfo {
  name: string;
  version: string;
}

/**
 * An error crossing from Rust, shaped `{ code, message }` so the UI can branch on `code`
 * and show `message` to the agent.
 */
export interface BackendError {
  code: string;
  message: string;
}

export interface Backend {
  appInfo(): Promise<AppInfo>;
}

export function isBackendError(value: unknown): value is BackendError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Record<string, unknown>)['code'] === 'string' &&
    typeof (value as Record<string, unknown>)['message'] === 'string'
  );
}

/** Any rejection as a BackendError, keeping the code when the Rust side sent one. */
export function toBackendError(value: unknown): BackendError {
  if (isBackendError(value)) {
    return { code: value.code, message: value.message };
  }
  if (typeof value === 'string') {
    return { code: 'internal', message: value };
  }
  if (value instanceof Error) {
    return { code: 'internal', message: value.message };
  }
  return { code: 'internal', message: 'Something went wrong inside the app.' };
}
