// Builds the console into ui/dist, which the desktop app embeds (tauri.conf.json
// build.frontendDist). Also configures vitest for component tests in jsdom.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';
import { defineConfig } from 'vitest/config';

// The desktop app's content security policy (tauri.conf.json), applied to `vite preview`
// too, so a look at the built console in a browser also proves it runs under the CSP.
const csp = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

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
  preview: {
    headers: { 'Content-Security-Policy': csp },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.ts'],
    setupFiles: ['src/test/setup.ts'],
    restoreMocks: true,
  },
});
