import { describe, expect, it } from 'vitest';

// Every source file of the console, as text, keyed by its path from ui/.
const sources = import.meta.glob<string>('/src/**/*.{ts,svelte}', {
  query: '?raw',
  import: 'default',
  eager: true,
});

describe('the IPC boundary', () => {
  it('keeps every @tauri-apps import inside src/lib/ipc', () => {
    const offenders = Object.entries(sources)
      .filter(([path]) => !path.startsWith('/src/lib/ipc/'))
      .filter(([, text]) => /from\s+['"]@tauri-apps\/|import\(\s*['"]@tauri-apps\//.test(text))
      .map(([path]) => path);

    expect(Object.keys(sources).length, 'the glob must see the sources').toBeGreaterThan(5);
    expect(offenders, 'components talk to the Backend interface, never to Tauri').toEqual([]);
  });
});
