/** Helpers shared by the supervisor tests: a worker actor that logs its life, specs, and an event log. */
import { describeReason } from '../../lib/errors.js';
import { ExitSignal, GreenletExit, getHub, sleep, type Greenlet, type HubEvent, type Operation, type Suspend } from 'grove';
import { Actor } from 'grove/actors';
import type { ChildSpec, RestartType, Shutdown, Supervisor } from 'grove/supervision';

/** What a test Worker can be told to do. */
export type Command = 'crash' | 'return' | { readonly exit: unknown };

/** How a test Worker behaves when it starts and stops. */
export interface WorkerOptions {
  /** Throw this error in its first step, before it ever blocks (a failed start). */
  failOnStart?: Error;
  /** Catch `ExitSignal('shutdown')` and keep running (until killed plainly). */
  ignoreShutdown?: boolean;
  /** Take this many ms to clean up after `ExitSignal('shutdown')` before exiting. */
  cleanupMs?: number;
}

/** How a reason is written in the logs: strings as they are, errors by message. */
export function reasonText(reason: unknown): string {
  return reason instanceof Error ? reason.message : describeReason(reason);
}

function reasonOf(error: unknown): unknown {
  if (error instanceof ExitSignal) return error.reason;
  if (error instanceof GreenletExit) return 'killed';
  return error;
}

/**
 * A worker actor that logs `start <id>` when it starts (then blocks on its
 * inbox: it is up) and `stop <id>: <reason>` when it ends.
 */
export class Worker extends Actor<Command> {
  constructor(
    /** Its child id, as it logs it. */
    readonly tag: string,
    private readonly log: (line: string) => void,
    private readonly options: WorkerOptions = {},
  ) {
    super({ name: tag });
  }

  protected override *run(): Generator<Suspend, void, unknown> {
    this.log(`start ${this.tag}`);
    if (this.options.failOnStart !== undefined) {
      this.log(`stop ${this.tag}: ${reasonText(this.options.failOnStart)}`);
      throw this.options.failOnStart;
    }
    let reason: unknown = 'normal';
    try {
      yield* super.run();
    } catch (error) {
      reason = reasonOf(error);
      if (error instanceof ExitSignal && error.reason === 'shutdown') {
        try {
          if (this.options.ignoreShutdown) {
            this.log(`${this.tag} ignores shutdown`);
            yield* sleep(1e15);
          }
          if (this.options.cleanupMs !== undefined) yield* sleep(this.options.cleanupMs);
        } catch (again) {
          // Killed (plainly) while it cleans up or ignores the signal.
          reason = reasonOf(again);
          throw again;
        }
      }
      throw error;
    } finally {
      this.log(`stop ${this.tag}: ${reasonText(reason)}`);
    }
  }

  protected override receive(command: Command): void {
    if (command === 'crash') throw new Error(`${this.tag} crashed`);
    if (command === 'return') this.stop();
    else throw new ExitSignal(command.exit);
  }
}

/** A spec whose start makes a Worker logging to `log`. */
export function workerSpec(
  id: string,
  log: (line: string) => void,
  fields: { restart?: RestartType; shutdown?: Shutdown } = {},
  options: WorkerOptions = {},
): ChildSpec {
  return { id, start: () => new Worker(id, log, options), ...fields };
}

/** The running greenlet of child `id`. */
export function childOf<G extends Greenlet<unknown> = Worker>(sup: Supervisor, id: string): G {
  const child = sup.whichChildren().find((c) => c.id === id);
  if (child?.greenlet === undefined) throw new Error(`${sup} has no running child ${JSON.stringify(id)}`);
  return child.greenlet as G;
}

/** Which children run: `a b -c` (a dash marks one that does not). */
export function running(sup: Supervisor): string {
  return sup
    .whichChildren()
    .map((c) => (c.greenlet === undefined ? `-${c.id}` : c.id))
    .join(' ');
}

/** Records the supervision events of the current hub as short lines, e.g. `top: restart a #1 in 0 ms`. */
export function supervisionLog(): { lines: string[]; stop: () => void } {
  const lines: string[] = [];
  const subscription = getHub().events$.subscribe((event: HubEvent) => {
    const line = describeEvent(event);
    if (line !== null) lines.push(line);
  });
  return { lines, stop: () => subscription.unsubscribe() };
}

function describeEvent(event: HubEvent): string | null {
  switch (event.type) {
    case 'supervisorChildStart':
      return `${event.greenlet.name}: up ${event.id}`;
    case 'supervisorChildIgnored':
      return `${event.greenlet.name}: ${event.id} ignored its start`;
    case 'supervisorChildStartFailed':
      return `${event.greenlet.name}: start of ${event.id} failed: ${reasonText(event.reason)}`;
    case 'supervisorChildExit':
      return `${event.greenlet.name}: exit ${event.id}: ${reasonText(event.reason)}`;
    case 'supervisorChildRestart':
      return `${event.greenlet.name}: restart ${event.id} #${event.attempt} in ${event.delayMs} ms`;
    case 'supervisorGiveUp':
      return `${event.greenlet.name}: give up (${event.id}; more than ${event.maxRestarts} in ${event.withinMs} ms)`;
    case 'supervisorEscalate':
      return `${event.greenlet.name}: escalated from ${event.id}: ${reasonText(event.reason)}`;
    default:
      return null;
  }
}

/** Waits until `g` is dead (an Operation for `yield*`). */
export function* dead(g: Greenlet<unknown>): Operation<void> {
  yield* g.join();
}
