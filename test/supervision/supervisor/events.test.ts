import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getHub, type HubEvent } from 'grove';
import { Supervisor } from 'grove/supervision';
import { advance, simulate } from 'grove/testing';
import { recorder } from '../../support.js';
import { childOf, workerSpec } from '../support.js';

const events = suite('Supervisor: events on the hub stream');

events('each event names the supervisor as its greenlet, and the child by id and greenlet', () =>
  simulate(
    function* () {
      const { log } = recorder();
      const seen: HubEvent[] = [];
      const subscription = getHub().events$.subscribe((event) => {
        if (event.type.startsWith('supervisor')) seen.push(event);
      });
      const sub = { id: 'sub', type: 'supervisor' as const, start: () => new Supervisor({ name: 'sub', maxRestarts: 0, children: [workerSpec('w', log)] }) };
      const top = new Supervisor({ name: 'top', children: [sub] }).start();
      yield* advance(0);
      const subSup = childOf<Supervisor>(top, 'sub');
      const w = childOf(subSup, 'w');
      w.send('crash');
      yield* advance(0);
      subscription.unsubscribe();
      const error = w.exception;
      assert.equal(seen.slice(0, 2), [
        { type: 'supervisorChildStart', greenlet: subSup, id: 'w', child: w },
        { type: 'supervisorChildStart', greenlet: top, id: 'sub', child: subSup },
      ]);
      assert.equal(seen.slice(2, 7), [
        { type: 'supervisorChildExit', greenlet: subSup, id: 'w', child: w, reason: error },
        { type: 'supervisorGiveUp', greenlet: subSup, id: 'w', maxRestarts: 0, withinMs: 5000 },
        { type: 'supervisorChildExit', greenlet: top, id: 'sub', child: subSup, reason: 'shutdown' },
        { type: 'supervisorEscalate', greenlet: top, id: 'sub', child: subSup, reason: 'shutdown' },
        { type: 'supervisorChildRestart', greenlet: top, id: 'sub', attempt: 1, delayMs: 0 },
      ]);
      assert.equal(
        seen.slice(7).map((e) => e.type),
        ['supervisorChildStart', 'supervisorChildStart'],
      );
      top.kill();
    },
    { onError: () => {} },
  ));

events('a failed start is an event with its reason', () =>
  simulate(
    function* () {
      const seen: HubEvent[] = [];
      const subscription = getHub().events$.subscribe((event) => void seen.push(event));
      const boom = new Error('boom');
      const sup = new Supervisor({
        name: 'top',
        children: [
          {
            id: 'a',
            start: () => {
              throw boom;
            },
          },
        ],
      }).start();
      yield* sup.join();
      subscription.unsubscribe();
      assert.equal(
        seen.filter((e) => e.type === 'supervisorChildStartFailed'),
        [{ type: 'supervisorChildStartFailed', greenlet: sup, id: 'a', reason: boom }],
      );
    },
    { onError: () => {} },
  ));

events.run();
