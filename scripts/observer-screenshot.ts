/**
 * Makes the README's picture of grove/observer: runs examples/observer.ts
 * for a few seconds, opens its page in Debian's Chromium (playwright-core),
 * sorts the process table by mailbox just after a rush of orders, and saves
 * a screenshot to examples/observer.png (or the path given).
 *
 *     node --import tsx --conditions=grove-source scripts/observer-screenshot.ts [out.png]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { call, run, sleep, spawn } from 'grove';
import { main } from '../examples/observer.js';

const out = process.argv[2] ?? 'examples/observer.png';
const profile = mkdtempSync(join(tmpdir(), 'grove-screenshot-'));
const lines: string[] = [];

await run(function* () {
  const shop = spawn(() => main((line) => lines.push(line), { durationMs: 7000 }));
  while (!lines.some((line) => line.startsWith('grove observer: '))) yield* sleep(10);
  const url = lines.find((line) => line.startsWith('grove observer: '))!.slice('grove observer: '.length);
  const context = yield* call(
    chromium.launchPersistentContext(profile, {
      executablePath: process.env.GROVE_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    }),
  );
  try {
    const page = context.pages()[0] ?? (yield* call(context.newPage()));
    yield* call(page.setViewportSize({ width: 1280, height: 620 }));
    yield* call(page.goto(url));
    yield* call(page.click('th[data-col="mailbox"]'));
    // The 100th order (after ~5 s) brings a rush: the mailer's mailbox fills, a gateway may crash on it.
    yield* call(page.waitForSelector('tr[data-kind="actor"] td[data-col="mailbox"]:not([data-value="0"])', { timeout: 8000 }));
    yield* sleep(300);
    yield* call(page.screenshot({ path: out }));
  } finally {
    yield* call(context.close());
    rmSync(profile, { recursive: true, force: true });
  }
  yield* shop.join();
});
console.log(`wrote ${out}`);
