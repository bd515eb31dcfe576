/**
 * Shared by the tests that render a page in a real browser (the observer,
 * the sequence chart): Debian's Chromium, driven by playwright-core, with
 * the flags this closed network needs, and the rule for a missing browser
 * (skipped locally, saying how to install it; a failure under `CI=true`,
 * since .ci/run installs it). `GROVE_CHROMIUM` names another executable.
 */
import { existsSync } from 'node:fs';
import * as assert from 'uvu/assert';
import type { Test } from 'uvu';

/** The browser the tests drive. */
export const executable = process.env.GROVE_CHROMIUM ?? '/usr/bin/chromium';

/** How to get it. */
export const INSTALL = 'apt-get install -y chromium (as root), or set GROVE_CHROMIUM to a Chromium executable';

/**
 * Flags for a closed network and a throwaway profile: no sandbox (CI runs
 * as root), no GPU, and none of Chromium's own calls home (updates, sync,
 * QUIC probes), which would only fill the log with refused connections.
 */
export const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * True when the browser is there. Otherwise registers, on `suite`, the
 * skipped test (locally) or the failing one (under CI) named `what`, and
 * returns false: the caller then registers nothing else.
 */
export function haveBrowser(suite: Test, what: string): boolean {
  if (existsSync(executable)) return true;
  if (process.env.CI === 'true') {
    suite(`Chromium is installed at ${executable}`, () => {
      assert.unreachable(`no browser at ${executable}: ${INSTALL}`);
    });
  } else {
    suite.skip(`${what} (skipped: no Chromium at ${executable}; ${INSTALL})`, () => {});
    console.log(`\n  ${what}: skipped, no Chromium at ${executable}. To run it: ${INSTALL}.`);
  }
  return false;
}
