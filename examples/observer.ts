/**
 * grove/observer on a small shop whose payment gateways crash now and then:
 * `npm run observe` starts it, prints the page's address, and runs until
 * Ctrl-C. Open the address in a browser and watch the tree restart its
 * gateways (the child flashes), the mailer's mailbox fill and drain in the
 * process table (sort it by mailbox), and the log of crashes and restarts.
 *
 *     shop (oneForOne)
 *     ├── orders              takes orders, hands each to a gateway
 *     ├── payments (oneForOne)
 *     │   ├── gateway-1       charges; crashes on a card it cannot read
 *     │   └── gateway-2
 *     └── mailer              slow: 40 ms a mail, a mailbox of 200
 *
 * A customer greenlet places an order every 50 ms, and a rush of 30 every
 * 5 s; one card in nine is unreadable (drawn from a seeded generator, so
 * runs look alike). The crashes are printed as one line each instead of
 * the hub's full report.
 */
import { Event, call, getHub, sleep, spawn, type ErrorContext, type Operation } from 'grove';
import { Actor, register, whereis } from 'grove/actors';
import { Supervisor } from 'grove/supervision';
import { serveObserver } from 'grove/observer';
import { describeReason } from '../lib/errors.js';
import { runIfMain, seededRandom, type Log } from './support.js';

/** An order, as the customer places it. */
interface Order {
  readonly id: number;
  readonly amount: number;
  readonly card: string;
}

/** Thrown by a gateway on a card it cannot read: the crash its supervisor repairs. */
class UnreadableCard extends Error {
  static {
    this.prototype.name = 'UnreadableCard';
  }
}

/** Charges cards; a bad card crashes it (and loses nothing else: its mailbox is its own). */
class Gateway extends Actor<Order> {
  *receive(order: Order): Operation<void> {
    yield* sleep(5); // the bank's answer
    if (order.card === 'unreadable') throw new UnreadableCard(`order ${order.id}: cannot read the card`);
    whereis('mailer')?.send(`receipt for order ${order.id}: ${order.amount} EUR`);
  }
}

/** Hands orders to the gateways in turn, skipping one that is restarting. */
class Orders extends Actor<Order> {
  private turn = 0;
  constructor(private readonly payments: () => Supervisor | undefined) {
    super({ name: 'orders' });
  }
  protected override init(): void {
    register('orders', this);
  }
  receive(order: Order): void {
    const gateways = (this.payments()?.whichChildren() ?? []).flatMap((c) => (c.greenlet instanceof Gateway ? [c.greenlet] : []));
    if (gateways.length === 0) return; // every gateway restarting: the order is dropped (a real shop would retry)
    gateways[this.turn++ % gateways.length].send(order);
  }
}

/** Sends mails, slowly: its mailbox grows when receipts come faster than 25 a second. */
class Mailer extends Actor<string> {
  sent = 0;
  *receive(): Operation<void> {
    yield* sleep(40);
    this.sent++;
  }
  protected override init(): void {
    register('mailer', this);
  }
}

/** The shop's supervision tree (not started). */
export function shopTree(): Supervisor {
  let payments: Supervisor | undefined;
  const shop = new Supervisor({
    name: 'shop',
    maxRestarts: 20,
    withinMs: 10_000,
    children: [
      { id: 'orders', start: () => new Orders(() => payments) },
      {
        id: 'payments',
        type: 'supervisor',
        start: () =>
          (payments = new Supervisor({
            name: 'payments',
            maxRestarts: 10,
            withinMs: 5_000,
            children: [
              { id: 'gateway-1', start: () => new Gateway({ name: 'gateway-1' }) },
              { id: 'gateway-2', start: () => new Gateway({ name: 'gateway-2' }) },
            ],
          })),
      },
      { id: 'mailer', start: () => new Mailer({ name: 'mailer', mailbox: 200 }) },
    ],
  });
  return shop;
}

/** Places an order every `everyMs`, and a rush of 30 at once every 100 orders; one card in nine is unreadable. */
function* customer(everyMs: number): Operation<void> {
  const random = seededRandom(15);
  for (let id = 1; ; id++) {
    const rush = id % 100 === 0 ? 30 : 1;
    for (let i = 0; i < rush; i++) {
      const card = random() < 1 / 9 ? 'unreadable' : 'ok';
      (whereis('orders') as Orders | undefined)?.send({ id, amount: Math.round(5 + random() * 95), card });
    }
    yield* sleep(everyMs);
  }
}

/** Options of `main`: where to serve, and how long to run (until Ctrl-C without it). */
export interface ObserverExampleOptions {
  port?: number;
  durationMs?: number;
}

/** Runs the shop with its observer; prints the page's address, then one line per crash. */
export function* main(log: Log, options: ObserverExampleOptions = {}): Operation<void> {
  const hub = getHub();
  const report = hub.onError;
  hub.onError = (error: unknown, context: ErrorContext) => {
    const who = context.greenlet?.name ?? 'hub';
    log(context.where === 'deadLetter' ? `  ${(error as Error).message}` : `  crash: ${who} failed with ${describeReason(error)}`);
  };
  const shop = shopTree().start();
  try {
    yield* shop.up();
    const observer = yield* serveObserver({ port: options.port ?? 0 });
    log(`grove observer: ${observer.url}`);
    const orders = spawn(customer, 50);
    orders.name = 'customer';
    try {
      if (options.durationMs !== undefined) yield* sleep(options.durationMs);
      else {
        log('(Ctrl-C to stop)');
        const stop = new Event();
        const onSignal = (): void => void stop.set();
        process.once('SIGINT', onSignal);
        const hold = hub.hold(); // the signal comes from outside the hub
        try {
          yield* stop.wait();
        } finally {
          hold.release();
          process.off('SIGINT', onSignal);
        }
      }
    } finally {
      yield* orders.kill();
      // Let the mails already queued go out, so that none is left as a dead letter.
      for (let mailer = whereis('mailer'); mailer !== undefined && mailer.inbox.qsize() > 0; mailer = whereis('mailer')) yield* sleep(20);
      yield* call(observer.close());
    }
  } finally {
    shop.stop();
    yield* shop.join();
    hub.onError = report;
  }
}

runIfMain(import.meta.url, main);
