import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { TauriBackend } from './tauri';

describe('TauriBackend', () => {
  afterEach(() => {
    clearMocks();
  });

  it('asks the app_info command for the name and version', async () => {
    const calls: string[] = [];
    mockIPC((command) => {
      calls.push(command);
      return { name: 'Switchboard', version: '1.2.3' };
    });

    const info = await new TauriBackend().appInfo();

    expect(calls, 'appInfo must map to exactly one app_info command').toEqual(['app_info']);
    expect(info).toEqual({ name: 'Switchboard', version: '1.2.3' });
  });

  it('passes a typed error from Rust through with its code', async () => {
    mockIPC(() => {
      throw { code: 'hub_unreachable', message: 'The hub did not answer.' };
    });

    await expect(new TauriBackend().appInfo()).rejects.toEqual({
      code: 'hub_unreachable',
      message: 'The hub did not answer.',
    });
  });

  it('turns an untyped rejection into an internal error the UI can still show', async () => {
    mockIPC(() => {
      throw 'command app_info not allowed';
    });

    await expect(new TauriBackend().appInfo()).rejects.toEqual({
      code: 'internal',
      message: 'command app_info not allowed',
    });
  });
});
