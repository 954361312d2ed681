// The served script stays small and free of HTML-parsing sinks.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import zlib from 'node:zlib';
import { REPO } from './lib/hub.mjs';

const WIDGET = path.join(REPO, 'widget', 'widget.js');
const README = path.join(REPO, 'widget', 'README.md');

// The budget as widget/README.md states it: "Size budget: **N KB gzipped**".
function budgetBytes() {
  const m = fs.readFileSync(README, 'utf8').match(/Size budget:\s*\**(\d+)\s*KB gzipped/i);
  assert.ok(m, 'widget/README.md must state the size budget as "Size budget: N KB gzipped"');
  return Number(m[1]) * 1024;
}

test('widget.js gzipped fits the budget stated in the README', () => {
  const src = fs.readFileSync(WIDGET);
  const gz = zlib.gzipSync(src, { level: 9 }).length;
  const budget = budgetBytes();
  assert.ok(gz <= budget, `widget.js is ${gz} bytes gzipped, over the ${budget}-byte budget`);
});

test('widget.js never hands data to an HTML parser and loads nothing else', () => {
  const src = fs.readFileSync(WIDGET, 'utf8');
  for (const sink of ['innerHTML', 'outerHTML', 'insertAdjacentHTML', 'document.write', 'eval(', 'new Function', 'import(']) {
    assert.ok(!src.includes(sink), `widget.js must not use ${sink}: visitor and agent text is only ever text`);
  }
  assert.ok(!/\bfetch\(|XMLHttpRequest/.test(src), 'the widget talks to the hub over its WebSocket only');
  assert.ok(!/https?:\/\/(?!www\.w3\.org\/2000\/svg)[a-z]/i.test(src.replace(/^\s*\/\/.*$/gm, '').replace(/\/\*[\s\S]*?\*\//g, '')), 'no hard-coded remote URL: the hub origin comes from the script tag');
});
