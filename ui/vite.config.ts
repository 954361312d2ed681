// Builds the console into ui/dist, which the desktop app embeds (tauri.conf.json
// build.frontendDist). Also configures vitest for component tests in jsdom.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // Relative asset URLs keep the bundle independent of the origin that serves it.
  base: './',
  clearScreen: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows images from 'self' only: no data: URLs for inlined assets.
    assetsInlineLimit: 0,
    // WebKitGTK supports modulepreload; the polyfill would be one more script to allow.
    modulePreload: { polyfill: false },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
