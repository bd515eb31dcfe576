/**
 * The tutorial's WebSocket page in a real browser (Debian's Chromium,
 * driven by playwright-core, set up as the observer's test does): served by
 * the example's server, it must say "Connected" and show at least three of
 * the points the server pushes, in order, then "Closed" once the server
 * stops. Without Chromium the test is skipped, saying how to install it —
 * except under `CI=true`, where that is a failure.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { call } from 'grove';
import { startWebSocketServer } from '../../examples/tutorial/websockets.js';
import { urlOf } from '../../examples/servers/http-client.js';
import { FLAGS, executable, haveBrowser } from '../browser.js';
import { runServer } from '../server/support.js';

const browser = suite('examples/tutorial/websockets in Chromium');

if (haveBrowser(browser, "the WebSocket example's page in a real browser")) {
  browser('the page says "Connected" and shows the points as they come; "Closed" once the server stops', async () => {
    const profile = mkdtempSync(join(tmpdir(), 'grove-websockets-'));
    let context: BrowserContext | undefined;
    try {
      await runServer(function* () {
        const server = yield* startWebSocketServer({ intervalMs: 50 });
        try {
          context = yield* call(chromium.launchPersistentContext(profile, { executablePath: executable, headless: true, args: FLAGS }));
          const page = context.pages()[0] ?? (yield* call(context.newPage()));
          yield* call(page.goto(`${urlOf(server)}/`));
          yield* call(page.waitForSelector('#conn_status b:text-is("Connected")', { timeout: 5000 }));
          yield* call(page.waitForSelector('#placeholder p:nth-child(3)', { state: 'attached', timeout: 5000 }));
          const shown = yield* call(page.$$eval('#placeholder p', (ps) => ps.map((p) => JSON.parse(p.textContent ?? '') as { x: number; y: number })));
          assert.ok(shown.length >= 3, `${shown.length} points shown`);
          assert.equal(
            shown.map((point) => point.x),
            shown.map((_, i) => i),
            'x counts from 0, one point per message',
          );
          assert.ok(
            shown.every((point) => Number.isInteger(point.y) && point.y >= 1 && point.y <= 5),
            JSON.stringify(shown),
          );
          assert.equal(
            shown.slice(0, 3).map((point) => point.y),
            [1, 5, 1],
          );
          yield* server.stop({ timeout: 100 });
          yield* call(page.waitForSelector('#conn_status b:text-is("Closed")', { timeout: 5000 }));
        } finally {
          if (context !== undefined) yield* call(context.close());
          context = undefined;
          if (!server.closed) yield* server.stop();
        }
      });
    } finally {
      await context?.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
}

browser.run();
