import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { isNormalExit, wantsRestart } from '../../supervision/restart-decision.js';

// OTP's grouping: restart type × exit reason.
const reasons: [string, unknown][] = [
  ['normal', 'normal'],
  ['shutdown', 'shutdown'],
  ['killed', 'killed'],
  ['an error', new Error('boom')],
  ['another reason', 'boom'],
];

const table = suite('wantsRestart: restart type × exit reason');

for (const [name, reason] of reasons) {
  table(`a permanent child exiting with ${name} is restarted`, () => {
    assert.ok(wantsRestart('permanent', reason));
  });
  table(`a temporary child exiting with ${name} is not restarted`, () => {
    assert.not.ok(wantsRestart('temporary', reason));
  });
}

table('a transient child is not restarted after normal or shutdown', () => {
  assert.not.ok(wantsRestart('transient', 'normal'));
  assert.not.ok(wantsRestart('transient', 'shutdown'));
});

table('a transient child is restarted after killed, an error, or any other reason', () => {
  assert.ok(wantsRestart('transient', 'killed'));
  assert.ok(wantsRestart('transient', new Error('boom')));
  assert.ok(wantsRestart('transient', 'boom'));
  assert.ok(wantsRestart('transient', undefined));
});

table('isNormalExit holds for normal and shutdown only', () => {
  assert.equal(
    reasons.map(([, r]) => isNormalExit(r)),
    [true, true, false, false, false],
  );
});

table.run();
