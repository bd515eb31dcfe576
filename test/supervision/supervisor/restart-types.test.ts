/**
 * OTP's grouping: each restart type against each way a child can exit,
 * under oneForOne, with the exact log of starts and stops.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExitSignal, ShutdownReason } from 'grove';
import { Supervisor, type RestartType } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, running, workerSpec, type Worker } from '../support.js';

interface Exit {
  name: string;
  /** Makes child `a` exit. */
  cause: (a: Worker) => void;
  /** How `a` logs its end. */
  logged: string;
}

const exits: Exit[] = [
  { name: "'normal' (it returned)", cause: (a) => a.send('return'), logged: 'stop a: normal' },
  { name: "'shutdown'", cause: (a) => a.send({ exit: 'shutdown' }), logged: 'stop a: shutdown' },
  {
    name: "a ShutdownReason ('shutdown' with information)",
    cause: (a) => a.send({ exit: new ShutdownReason({ drained: 3 }) }),
    logged: 'stop a: shutdown ({"drained":3})',
  },
  { name: "'killed' (a plain kill)", cause: (a) => void a.kill(), logged: 'stop a: killed' },
  { name: 'an error (a crash)', cause: (a) => a.send('crash'), logged: 'stop a: a crashed' },
  { name: "another reason ('boom')", cause: (a) => a.send({ exit: 'boom' }), logged: 'stop a: boom' },
];

const expected: Record<RestartType, boolean[]> = {
  permanent: [true, true, true, true, true, true],
  transient: [false, false, false, true, true, true],
  temporary: [false, false, false, false, false, false],
};

for (const restart of ['permanent', 'transient', 'temporary'] as const) {
  const group = suite(`Supervisor: a ${restart} child`);
  exits.forEach((exit, i) => {
    const restarted = expected[restart][i];
    const outcome = restarted ? 'is restarted' : restart === 'temporary' ? 'is not restarted and its spec is removed' : 'is not restarted; its spec is kept';
    group(`that exits with ${exit.name} ${outcome}`, () =>
      simulate(
        function* () {
          const { lines, log } = recorder();
          const sup = new Supervisor({ children: [workerSpec('a', log, { restart }), workerSpec('b', log)] }).start();
          yield* advance(0);
          const first = childOf(sup, 'a');
          exit.cause(first);
          yield* advance(0);
          if (restarted) {
            assert.equal(lines, ['start a', 'start b', exit.logged, 'start a']);
            assert.is(running(sup), 'a b');
            assert.is.not(childOf(sup, 'a'), first);
          } else {
            assert.equal(lines, ['start a', 'start b', exit.logged]);
            assert.is(running(sup), restart === 'temporary' ? 'b' : '-a b');
          }
          assert.equal(sup.countChildren().active, restarted ? 2 : 1);
          sup.kill({ exception: new ExitSignal('shutdown') });
        },
        { onError: () => {} },
      ),
    );
  });
  group.run();
}
