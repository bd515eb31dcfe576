/**
 * Ping-pong across two processes (or two machines) over NATS: the pong
 * process registers its actor as `pong` for the whole cluster; the ping
 * process finds it by name, monitors it, plays a few rounds with it (a
 * reference to the ping actor travels in each ping and is answered
 * directly), asks it how many pings it saw, and stops it: the monitor
 * says it went down, with reason 'normal'.
 *
 * Run it (a nats-server with JetStream on this machine: `nats-server -js`),
 * in two terminals:
 *
 *   node --import tsx --conditions=grove-source examples/cluster/ping-pong.ts pong
 *   node --import tsx --conditions=grove-source examples/cluster/ping-pong.ts ping
 *
 * `NATS_URL=nats://host:4222` joins a server elsewhere.
 */
import type { Operation } from 'grove';
import { Actor, ask, monitor, type ActorRef, type DownMessage, type ReplyTo } from 'grove/actors';
import { RemoteRef, connectNode, registerGlobal } from 'grove/cluster';
import { runIfMain, type Log } from '../support.js';
import { PONG, SERVERS, findGlobal, type PingMessage, type PongMessage } from './protocol.js';

/** Where a reference's actor lives, for the log. */
const nodeOf = (ref: ActorRef<never>): string => (ref instanceof RemoteRef ? ref.node.name : 'here');

class Ponger extends Actor<PongMessage> {
  private pings = 0;

  constructor(private readonly log: Log) {
    super({ name: 'pong' });
  }

  receive(message: PongMessage): void {
    if (message.type === 'ping') {
      this.pings++;
      this.log(`pong: ping ${message.n} from ${message.from.name} on ${nodeOf(message.from)}`);
      message.from.send({ type: 'pong', n: message.n });
    } else if (message.type === 'count') message.replyTo.reply(this.pings);
    else this.stop();
  }
}

class Pinger extends Actor<PingMessage | DownMessage> {
  constructor(
    private readonly log: Log,
    private readonly target: ActorRef<PongMessage>,
    private readonly rounds: number,
  ) {
    super({ name: 'ping' });
  }

  protected override init(): void {
    monitor(this, this.target);
    this.target.send({ type: 'ping', n: 1, from: this });
  }

  *receive(message: PingMessage | DownMessage): Operation<void> {
    if (message.type === 'DOWN') {
      this.log(`ping: pong went down (${String(message.reason)})`);
      this.stop();
      return;
    }
    this.log(`ping: pong ${message.n}`);
    if (message.n < this.rounds) {
      this.target.send({ type: 'ping', n: message.n + 1, from: this });
      return;
    }
    const count = yield* ask(this.target, (replyTo: ReplyTo<number>) => ({ type: 'count', replyTo }), { timeout: 5000 });
    this.log(`ping: pong saw ${count} pings; stopping it`);
    this.target.send({ type: 'stop' });
  }
}

/** The pong process: registers its actor as `pong` and serves until it is told to stop. */
export function* pong(log: Log, servers = SERVERS): Operation<void> {
  const node = yield* connectNode({ name: 'pong', servers, cluster: 'examples' });
  const ponger = new Ponger(log).start();
  yield* registerGlobal(PONG, ponger);
  log('pong: registered as "pong"; waiting for pings');
  yield* ponger.join();
  yield* node.close();
  log('pong: stopped, and left the cluster');
}

/** The ping process: finds `pong` (waiting up to 30 s for it), plays `rounds` rounds, then stops it. */
export function* ping(log: Log, servers = SERVERS, rounds = 3): Operation<void> {
  const node = yield* connectNode({ name: 'ping', servers, cluster: 'examples' });
  const target = yield* findGlobal(PONG, 'ping');
  log(`ping: found "pong" on ${nodeOf(target)}`);
  yield* new Pinger(log, target, rounds).start().join();
  yield* node.close();
  log('ping: done');
}

runIfMain(import.meta.url, (log) => (process.argv[2] === 'pong' ? pong(log) : ping(log)));
