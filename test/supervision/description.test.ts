import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Greenlet } from 'grove';
import { checkChildSpec } from '../../supervision/child-spec.js';
import { describeSupervisor } from '../../supervision/description.js';
import { checkSupervisorOptions } from '../../supervision/options.js';
import { SupervisorState } from '../../supervision/state.js';

const start = () => new Greenlet(function* () {});
const spec = (id: string) => checkChildSpec('test', id, { id, start });

const description = suite('describeSupervisor: the status of each child from the state record');

description('a restart due now is restarting; due later, backing off; a started child is running; restarts never reset', () => {
  const config = checkSupervisorOptions({ maxRestarts: 5, withinMs: 1000, children: [spec('now'), spec('later'), spec('up')] });
  const g = start();
  const state = new SupervisorState(config.children);
  state.started(2, g, 0);
  state.restartPending(0, 100, 1);
  state.restartPending(1, 900, 3);
  state.restarts.add(50, 1000);
  state.restarts.add(100, 1000);
  const d = describeSupervisor(state, config, 100);
  assert.equal(
    d.children.map((c) => [c.id, c.status, c.restartAt, c.restarts, c.greenlet]),
    [
      ['now', 'restarting', 100, 1, undefined],
      ['later', 'backingOff', 900, 1, undefined],
      ['up', 'running', null, 0, g],
    ],
  );
  assert.is(d.recentRestarts, 2);
  assert.is(describeSupervisor(state, config, 1050).recentRestarts, 2, 'a restart exactly withinMs ago still counts, as in OTP');
  assert.is(describeSupervisor(state, config, 1060).recentRestarts, 1, 'the one at 50 left the window after 1050');
  state.started(0, start(), 100);
  state.restartPending(0, 200, 2);
  assert.equal(describeSupervisor(state, config, 100).children[0].restarts, 2, 'counted across incarnations, unlike attempts in a row');
});

description.run();
