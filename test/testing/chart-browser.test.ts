/**
 * A sequence chart rendered in a real browser (Debian's Chromium, driven
 * by playwright-core): the lifelines and arrows test/testing/chart.test.ts
 * checks in the markup are laid out on screen as the chart means them —
 * three lifelines left to right, each message arrow going down from its
 * send to its receive — and a screenshot is saved beside the chart (kept in
 * the test's temporary folder; copied to `$GROVE_CHART_SCREENSHOT` when set).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { sequenceChart, simulate } from 'grove/testing';
import { FLAGS, executable, haveBrowser } from '../browser.js';
import { echoTwice } from './protocols.js';

const rendered = suite('sequenceChart in Chromium');

if (haveBrowser(rendered, 'a sequence chart rendered in a real browser')) {
  rendered('lifelines stand left to right; each message arrow goes down from its send to its receive; a screenshot is saved', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'grove-chart-'));
    const { trace } = await simulate(echoTwice, { trace: true });
    const file = join(folder, 'echo.html');
    writeFileSync(file, sequenceChart(trace));
    const context = await chromium.launchPersistentContext(join(folder, 'profile'), { executablePath: executable, headless: true, args: FLAGS });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(pathToFileURL(file).href);
      const lifelines = await page.$$eval('line.lifeline', (lines) =>
        lines.map((l) => {
          const box = l.getBoundingClientRect();
          return { greenlet: l.getAttribute('data-greenlet'), x: box.left, top: box.top, height: box.height };
        }),
      );
      assert.equal(
        lifelines.map((l) => l.greenlet),
        ['main', 'echo', 'sink'],
      );
      assert.ok(lifelines[0].x < lifelines[1].x && lifelines[1].x < lifelines[2].x, JSON.stringify(lifelines));
      assert.ok(lifelines.every((l) => l.height > 100), 'each lifeline spans its rows');
      const arrows = await page.$$eval('g.message line', (lines) =>
        lines.map((l) => {
          const box = l.getBoundingClientRect();
          return { width: box.width, height: box.height };
        }),
      );
      assert.is(arrows.length, 4);
      assert.ok(arrows.every((a) => a.width > 50 && a.height > 0), `arrows cross to another lifeline, downwards: ${JSON.stringify(arrows)}`);
      const screenshot = join(folder, 'echo.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.equal([...readFileSync(screenshot).subarray(1, 4)], [...Buffer.from('PNG')], 'a PNG was saved');
      const keep = process.env.GROVE_CHART_SCREENSHOT;
      if (keep !== undefined && keep !== '') copyFileSync(screenshot, keep);
    } finally {
      await context.close();
      rmSync(join(folder, 'profile'), { recursive: true, force: true });
    }
  });
}

rendered.run();
