// The fake backend as a plain browser gets it (see connectBackend): the demo afternoon
// or a quiet shift, with the switches read from the page's query string.
import type { Backend } from './backend';
import { FakeBackend } from './fake';
import { demoWorld, startDemoScript } from './fake-demo';
import { quietWorld } from './fake-world';

export function connectFake(search: string): Backend {
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
