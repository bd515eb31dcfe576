import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { run, type Operation } from 'grove';
import { ZeroMQError, ZeroMQUnavailable, openSocket } from 'grove/zeromq';
import { loadBinding } from '../../zeromq/internal/binding.js';
import { runServer } from '../server/support.js';
import { throwsExactly } from '../support.js';
import { thrownBy } from './support.js';

const open = suite('zeromq/openSocket');

open('binds to a free port and says which; binds and connects to several endpoints', async () => {
  await runServer(function* () {
    const a = yield* openSocket('pull', { bind: ['tcp://127.0.0.1:*', 'tcp://127.0.0.1:*'] });
    const b = yield* openSocket('pull', { bind: 'tcp://127.0.0.1:*', timeout: 5000 });
    const push = yield* openSocket('push', { bind: 'tcp://127.0.0.1:*', connect: [a.endpoint, b.endpoint] });
    try {
      const endpoints = [a.endpoint, b.endpoint, push.endpoint];
      for (const endpoint of endpoints) assert.match(endpoint, /^tcp:\/\/127\.0\.0\.1:\d+$/);
      assert.is(new Set(endpoints).size, 3, 'a socket that binds and connects: the endpoint it bound to');
      // A push socket deals its messages round robin among its peers.
      yield* push.send('1');
      yield* push.send('2');
      const got = [String(yield* a.receive({ timeout: 5000 })), String(yield* b.receive({ timeout: 5000 }))];
      assert.equal(got.sort(), ['1', '2']);
    } finally {
      for (const s of [a, b, push]) s.close();
    }
  });
});

open('an endpoint refused: ZeroMQError with the code, naming the step', async () => {
  await runServer(function* () {
    const taken = yield* openSocket('reply', { bind: 'tcp://127.0.0.1:*' });
    try {
      const cases: [() => Operation<unknown>, string, string][] = [
        [() => openSocket('reply', { bind: taken.endpoint }), 'EADDRINUSE', `openSocket: cannot bind to "${taken.endpoint}": EADDRINUSE: Address already in use`],
        [() => openSocket('reply', { bind: 'bogus://x' }), 'EPROTONOSUPPORT', 'openSocket: cannot bind to "bogus://x": EPROTONOSUPPORT: Protocol not supported'],
        [() => openSocket('request', { connect: 'nowhere' }), 'EINVAL', 'openSocket: cannot connect to "nowhere": EINVAL: Invalid argument'],
      ];
      for (const [operation, code, message] of cases) {
        const error = yield* thrownBy(operation());
        assert.instance(error, ZeroMQError);
        assert.is((error as ZeroMQError).code, code);
        assert.is(error.message, message);
      }
    } finally {
      taken.close();
    }
  });
});

open('bad arguments: the error names the call and the value', () => {
  throwsExactly(
    () => openSocket('req' as never, { bind: 'tcp://127.0.0.1:*' }),
    TypeError,
    `openSocket: type must be one of 'pair', 'request', 'reply', 'dealer', 'router', 'push', 'pull', 'publish', 'subscribe', got "req"`,
  );
  throwsExactly(() => openSocket('reply', {}), TypeError, `openSocket: give bind or connect (an endpoint such as 'tcp://127.0.0.1:5555'), got an object`);
  throwsExactly(() => openSocket('reply', undefined as never), TypeError, `openSocket: give bind or connect (an endpoint such as 'tcp://127.0.0.1:5555'), got undefined`);
  throwsExactly(() => openSocket('reply', { bind: ['tcp://127.0.0.1:*', 5] as never }), TypeError, 'openSocket: bind must be an endpoint string or an array of them, got an array');
  throwsExactly(() => openSocket('reply', { connect: '' }), TypeError, 'openSocket: connect must be an endpoint string or an array of them, got ""');
  throwsExactly(() => openSocket('reply', { bind: 'tcp://127.0.0.1:*', linger: -1 }), RangeError, 'openSocket: linger must be a non-negative number of ms, got -1');
  throwsExactly(() => openSocket('reply', { bnd: 'x' } as never), TypeError, 'openSocket: unknown option "bnd" (options are bind, connect, linger, subscribe, timeout)');
  throwsExactly(() => openSocket('reply', { bind: 'tcp://127.0.0.1:*', timeout: -1 }), RangeError, 'openSocket: timeout must be a non-negative number of ms, got -1');
  throwsExactly(
    () => openSocket('pull', { bind: 'tcp://127.0.0.1:*', subscribe: '' }),
    TypeError,
    "openSocket: subscribe is for a 'subscribe' socket, not a 'pull' one",
  );
  throwsExactly(
    () => openSocket('subscribe', { connect: 'tcp://127.0.0.1:5555', subscribe: [] }),
    TypeError,
    "openSocket: subscribe: give one or more prefixes, each a string or a Uint8Array ('' for every message), got an array",
  );
});

open('without the zeromq package: ZeroMQUnavailable says to install it', async () => {
  const error = await run(() => thrownBy(loadBinding('openSocket', 'zeromq-not-installed-here')));
  assert.instance(error, ZeroMQUnavailable);
  assert.is(error.message, 'openSocket: the zeromq package is not installed: grove/zeromq needs it beside grove (npm install zeromq@6)');
  const broken = await run(() => thrownBy(loadBinding('openSocket', 'data:text/javascript,throw new Error("no native build for this platform")')));
  assert.instance(broken, ZeroMQUnavailable);
  assert.is(broken.message, 'openSocket: the zeromq package failed to load (no native build for this platform)');
  assert.is((broken.cause as Error).message, 'no native build for this platform');
});

open.run();
