/**
 * Traces: what happened in one simulated run, as plain data — every spawn,
 * send, reply to an ask, receive, timer firing, link or monitor signal, injected fault, exit
 * and restart, each with its virtual time. `simulate(body, { trace: true })`
 * records one; a failing `explore` or `exploreFaults` attaches the failing
 * run's; `replay` (replay.ts) runs a body again against one; `sequenceChart`
 * (chart.ts) draws one. A trace is JSON: save it with `JSON.stringify`.
 *
 * The recorder listens to the hub's `events$`, so a run without a trace
 * pays nothing for it. Greenlets are named in the trace by their name when
 * they were given one, else by class and order of appearance (`Greenlet#2`),
 * and the body's own greenlet is `main`: names that are the same in every
 * run of the same schedule, which ids are not. Messages, values and
 * reasons are kept as short readable strings, for the same reason.
 */
import { Greenlet, type Hub, type HubEvent, type ScheduleStrategy } from 'grove';
import { ctx } from '../lib/internal/context.js';
import { show } from '../lib/internal/validate.js';
import type { FaultPlan } from './inject.js';

/** One thing that happened in a traced run, at virtual time `at` (ms). Greenlets are named as the module comment says. */
export type TraceEvent =
  /** `greenlet` was started, by `parent` (null: from outside any greenlet). */
  | { readonly kind: 'spawn'; readonly at: number; readonly greenlet: string; readonly parent: string | null }
  /** `message` was put in the inbox of actor `to`, by `from` (null: by the runtime, outside any greenlet). */
  | { readonly kind: 'send'; readonly at: number; readonly from: string | null; readonly to: string; readonly message: string }
  /** `from` answered an `ask` of `to` with `value` (the asker resumes with it). */
  | { readonly kind: 'reply'; readonly at: number; readonly from: string | null; readonly to: string; readonly value: string }
  /** Actor `greenlet` took `message` from its inbox to handle it. */
  | { readonly kind: 'receive'; readonly at: number; readonly greenlet: string; readonly message: string }
  /**
   * `message` to `to` will never be handled: sent after `to` died (`why:
   * 'sentAfterDeath'`, by `from`), or still in its inbox when it died
   * (`'queuedAtDeath'`, `from` null).
   */
  | {
      readonly kind: 'deadLetter';
      readonly at: number;
      readonly from: string | null;
      readonly to: string;
      readonly message: string;
      readonly why: 'sentAfterDeath' | 'queuedAtDeath';
    }
  /** A timer of `greenlet` fired: `label` is `'sleep'`, the call whose timeout expired, `'Timeout'` or `'startLater'`. */
  | { readonly kind: 'timer'; readonly at: number; readonly greenlet: string; readonly label: string }
  /** An exit signal (from a link or `exit()`) or a monitor's DOWN reached `to`. */
  | {
      readonly kind: 'signal';
      readonly at: number;
      readonly from: string | null;
      readonly to: string;
      readonly signal: 'exit' | 'down';
      readonly reason: string;
    }
  /** `exploreFaults` (or `simulate`'s `fault`) injected `fault` in `greenlet` at its suspension point `point`, blocked in `label`. */
  | { readonly kind: 'fault'; readonly at: number; readonly greenlet: string; readonly point: number; readonly label: string; readonly fault: string }
  /** `greenlet` ended with `reason` (`'normal'`, `'killed'`, an exit signal's reason, or the error). */
  | { readonly kind: 'exit'; readonly at: number; readonly greenlet: string; readonly reason: string }
  /** Supervisor `supervisor` restarts its child `child` (the spec's id): restart `attempt` in a row. */
  | { readonly kind: 'restart'; readonly at: number; readonly supervisor: string; readonly child: string; readonly attempt: number };

/** How the traced run was scheduled: the options `simulate` needs to run it again. */
export interface TraceSchedule {
  readonly seed?: number;
  readonly strategy?: ScheduleStrategy;
  readonly depth?: number;
  readonly steps?: number;
  /** The fault injected. A predicate `target` does not survive JSON: give `fault` to `replay` again then. */
  readonly fault?: FaultPlan;
}

/** How the traced run ended: the body's value or its error, as strings. */
export type TraceOutcome = { readonly ok: true; readonly value: string } | { readonly ok: false; readonly error: string };

/** A recorded run. Plain data: `JSON.stringify` it to keep it, `JSON.parse` it to use it again. */
export interface Trace {
  readonly format: 'grove-trace';
  readonly version: 1;
  readonly schedule: TraceSchedule;
  readonly events: readonly TraceEvent[];
  readonly outcome: TraceOutcome;
}

const KINDS: ReadonlySet<string> = new Set(['spawn', 'send', 'reply', 'receive', 'deadLetter', 'timer', 'signal', 'fault', 'exit', 'restart']);

/** How deep `render` looks into nested objects and arrays. */
const RENDER_DEPTH = 3;
/** How many items or keys of one object `render` shows. */
const RENDER_ITEMS = 12;

/** @internal records the events of one hub's run, from before its main greenlet starts. */
export class TraceRecorder {
  readonly events: TraceEvent[] = [];
  private readonly names = new Map<Greenlet<unknown>, string>();
  private readonly uses = new Map<string, number>();
  private readonly subscription: { unsubscribe(): void };
  /** The greenlet an `actorSignal` just went to: its delivered EXIT or DOWN is that signal, not a separate send. */
  private signalledTo: Greenlet<unknown> | null = null;

  /** Index of the first event that differs from `expected`; -1 while none does. */
  diverged = -1;
  /** The run's main greenlet (the first one seen). */
  main: Greenlet<unknown> | null = null;

  /**
   * @param expected the events a replay must reproduce: the recorder
   *   compares each as it is recorded, and calls `onDiverge` at the first
   *   that differs (or the first one past the end)
   */
  constructor(
    private readonly hub: Hub,
    private readonly expected: readonly TraceEvent[] | null = null,
    private readonly onDiverge: (() => void) | null = null,
  ) {
    this.subscription = hub.events$.subscribe((event) => this.record(event));
  }

  /** Records one event, comparing it with the expected one when replaying. */
  private add(event: TraceEvent): void {
    const index = this.events.push(event) - 1;
    const expected = this.expected;
    if (expected !== null && this.diverged < 0 && (index >= expected.length || !sameEvent(event, expected[index]))) {
      this.diverged = index;
      this.onDiverge?.();
    }
  }

  /** Stops recording and returns the trace. */
  finish(schedule: TraceSchedule, outcome: { ok: boolean; value?: unknown; error?: unknown }): Trace {
    this.subscription.unsubscribe();
    return {
      format: 'grove-trace',
      version: 1,
      schedule,
      events: this.events,
      outcome: outcome.ok ? { ok: true, value: this.render(outcome.value) } : { ok: false, error: this.render(outcome.error) },
    };
  }

  /** Records a fault as it is injected (the injector is not an event source of the hub). */
  fault(greenlet: Greenlet<unknown>, point: number, label: string, fault: string): void {
    this.add({ kind: 'fault', at: this.hub.now(), greenlet: this.name(greenlet), point, label, fault });
  }

  /** The trace's name of `g`, given on first sight. */
  name(g: Greenlet<unknown>): string {
    let name = this.names.get(g);
    if (name !== undefined) return name;
    if (this.main === null) this.main = g;
    const given = g.name !== `${g.constructor.name}-${g.id}`;
    const base = this.names.size === 0 ? 'main' : given ? g.name : g.constructor.name;
    const n = (this.uses.get(base) ?? 0) + 1;
    this.uses.set(base, n);
    name = given || base === 'main' ? (n === 1 ? base : `${base}#${n}`) : `${base}#${n}`;
    this.names.set(g, name);
    return name;
  }

  /** A value as the trace keeps it: short, readable, and the same in every run (greenlets by their trace name). */
  render(value: unknown, depth = 0): string {
    if (typeof value === 'string') return JSON.stringify(value);
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return String(value);
    if (typeof value === 'function') return `[function ${value.name || '(anonymous)'}]`;
    if (value instanceof Greenlet) return `<${this.name(value)}>`;
    if (value instanceof Error) return `${value.name}: ${value.message}`;
    if (depth >= RENDER_DEPTH) return Array.isArray(value) ? '[…]' : '{…}';
    if (Array.isArray(value)) {
      const items = value.slice(0, RENDER_ITEMS).map((item) => this.render(item, depth + 1));
      if (value.length > RENDER_ITEMS) items.push(`… ${value.length - RENDER_ITEMS} more`);
      return `[${items.join(', ')}]`;
    }
    const proto = Object.getPrototypeOf(value);
    // Other class instances (a ReplyTo, a MonitorRef) carry ids and links that differ between runs: their class says enough.
    if (proto !== Object.prototype && proto !== null) return `<${(value as object).constructor?.name ?? 'object'}>`;
    const keys = Object.keys(value);
    const fields = keys.slice(0, RENDER_ITEMS).map((key) => `${key}: ${this.render((value as Record<string, unknown>)[key], depth + 1)}`);
    if (keys.length > RENDER_ITEMS) fields.push(`… ${keys.length - RENDER_ITEMS} more`);
    return `{ ${fields.join(', ')} }`;
  }

  private record(event: HubEvent): void {
    // The most frequent events, and not part of a trace: out first.
    if (event.type === 'switch' || event.type === 'suspend') return;
    const at = this.hub.now();
    const signalledTo = this.signalledTo;
    this.signalledTo = null;
    switch (event.type) {
      case 'spawn': {
        const parent = ctx.current;
        this.add({ kind: 'spawn', at, greenlet: this.name(event.greenlet), parent: parent === null ? null : this.name(parent) });
        return;
      }
      case 'actorMessage':
        if (event.greenlet === signalledTo) return;
        this.add({ kind: 'send', at, from: this.nameOrNull(event.from), to: this.name(event.greenlet), message: this.render(event.message) });
        return;
      case 'actorReply':
        this.add({ kind: 'reply', at, from: this.nameOrNull(event.from), to: this.name(event.greenlet), value: this.render(event.value) });
        return;
      case 'actorReceive':
        this.add({ kind: 'receive', at, greenlet: this.name(event.greenlet), message: this.render(event.message) });
        return;
      case 'actorDeadLetter':
        this.add({
          kind: 'deadLetter',
          at,
          from: this.nameOrNull(event.from),
          to: this.name(event.greenlet),
          message: this.render(event.message),
          why: event.kind,
        });
        return;
      case 'timer':
        this.add({ kind: 'timer', at, greenlet: this.name(event.greenlet), label: event.label });
        return;
      case 'actorSignal':
        this.signalledTo = event.greenlet;
        this.add({
          kind: 'signal',
          at,
          from: this.nameOrNull(event.from),
          to: this.name(event.greenlet),
          signal: event.signal,
          reason: this.reason(event.reason),
        });
        return;
      case 'exit':
        this.add({ kind: 'exit', at, greenlet: this.name(event.greenlet), reason: this.reason(event.reason) });
        return;
      case 'supervisorChildRestart':
        this.add({ kind: 'restart', at, supervisor: this.name(event.greenlet), child: event.id, attempt: event.attempt });
        return;
      default:
    }
  }

  /** An exit reason: `normal`, `shutdown` as they are, anything else rendered. */
  private reason(reason: unknown): string {
    return typeof reason === 'string' ? reason : this.render(reason);
  }

  private nameOrNull(g: Greenlet<unknown> | null): string | null {
    return g === null ? null : this.name(g);
  }
}

/** One event as a line of text: `t=30 send main → worker { type: "get" }`. */
export function describeEvent(event: TraceEvent): string {
  const from = (name: string | null): string => name ?? '(runtime)';
  const what = ((): string => {
    switch (event.kind) {
      case 'spawn':
        return `spawn ${event.greenlet}${event.parent === null ? '' : ` by ${event.parent}`}`;
      case 'send':
        return `send ${from(event.from)} → ${event.to} ${event.message}`;
      case 'reply':
        return `reply ${from(event.from)} → ${event.to} ${event.value}`;
      case 'receive':
        return `receive ${event.greenlet} ${event.message}`;
      case 'deadLetter':
        return event.why === 'queuedAtDeath'
          ? `dead letter ${event.message}, still queued when ${event.to} exited`
          : `dead letter ${from(event.from)} → ${event.to} ${event.message}, sent after it exited`;
      case 'timer':
        return `timer ${event.greenlet} (${event.label})`;
      case 'signal':
        return `${event.signal === 'down' ? 'DOWN' : 'exit signal'} ${from(event.from)} → ${event.to} (${event.reason})`;
      case 'fault':
        return `fault ${event.fault} in ${event.greenlet} at its suspension point ${event.point} (${event.label})`;
      case 'exit':
        return `exit ${event.greenlet} (${event.reason})`;
      case 'restart':
        return `restart ${event.supervisor} restarts ${event.child} (attempt ${event.attempt})`;
      default:
        return JSON.stringify(event);
    }
  })();
  return `t=${event.at} ${what}`;
}

/** An outcome as text: `passed: 2` or `failed: Error: lost update`. */
export function describeOutcome(outcome: TraceOutcome): string {
  return outcome.ok ? `passed: ${outcome.value}` : `failed: ${outcome.error}`;
}

/** Throws a TypeError naming `call` unless `value` is a trace (as recorded, or parsed back from JSON). */
export function checkTrace(call: string, value: unknown): asserts value is Trace {
  const bad = (why: string): never => {
    throw new TypeError(`${call}: trace must be a trace recorded by simulate(body, { trace: true }) or a failure's .trace, got ${why}`);
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) bad(show(value));
  const trace = value as Partial<Trace>;
  if (trace.format !== 'grove-trace') bad(`${show(value)} without format 'grove-trace'`);
  if (trace.version !== 1) bad(`a trace of version ${show(trace.version)} (this grove reads version 1)`);
  if (trace.schedule === null || typeof trace.schedule !== 'object') bad('a trace without a schedule');
  if (!Array.isArray(trace.events)) bad('a trace without an events array');
  trace.events!.forEach((event: unknown, index) => {
    const e = event as Partial<TraceEvent> | null;
    if (e === null || typeof e !== 'object' || !KINDS.has(e.kind as string) || typeof e.at !== 'number') bad(`a trace whose event ${index} is ${show(event)}`);
  });
  const outcome = trace.outcome as Partial<{ ok: boolean; value: unknown; error: unknown }> | undefined;
  if (outcome === null || typeof outcome !== 'object' || (outcome.ok ? typeof outcome.value : typeof outcome.error) !== 'string') {
    bad('a trace without an outcome');
  }
}

/** @internal true when two trace events are the same (as their JSON says). */
export function sameEvent(a: TraceEvent, b: TraceEvent): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
