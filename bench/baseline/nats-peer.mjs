/**
 * The W9 rows' raw NATS baseline, the other process: what a program would
 * write by hand with `@nats-io/transport-node`.
 *
 * - `bench.pong`: a ping-pong number i (even, in order), answered with
 *   i + 1 on `bench.ping`; `bench.start` (a request) resets the counters;
 *   `bench.report` (a request) answers `received sum orderErrors`.
 * - `bench.echo`: a request, answered with its own payload.
 */
import { connect } from '@nats-io/transport-node';

const nc = await connect({ servers: process.argv[2] });
let expected = 0;
let received = 0;
let sum = 0;
let bad = 0;
nc.subscribe('bench.pong', {
  callback: (_error, msg) => {
    const i = Number(msg.string());
    if (i !== expected) bad++;
    expected = i + 2;
    received++;
    sum += i;
    nc.publish('bench.ping', String(i + 1));
  },
});
nc.subscribe('bench.start', {
  callback: (_error, msg) => {
    expected = 0;
    received = 0;
    sum = 0;
    bad = 0;
    msg.respond('ok');
  },
});
nc.subscribe('bench.report', { callback: (_error, msg) => msg.respond(`${received} ${sum} ${bad}`) });
nc.subscribe('bench.echo', { callback: (_error, msg) => msg.respond(msg.data) });
await nc.flush();
console.log('up');
