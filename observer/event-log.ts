/**
 * The page's log of what went wrong or was repaired — crashes, restarts,
 * give-ups, failed starts, escalations, dead letters — made from the hub's
 * `lifecycle$` while the observer listens to it, and kept in a ring of the
 * last entries. Each entry has an increasing id: it is the `id:` of its
 * Server-Sent Event, so a page that reconnects with `Last-Event-ID` gets
 * what it missed from the ring (see serve-observer.ts).
 */
import { ExitSignal } from '../lib/errors.js';
import type { Hub, LifecycleEvent } from '../lib/hub.js';
import { Supervisor } from '../supervision/supervisor.js';
import { describeExit, describeValue, nameOf } from './internal/describe.js';

/** What a log entry reports. */
export type LogKind = 'crash' | 'restart' | 'giveUp' | 'startFailed' | 'escalate' | 'deadLetter' | 'linkError';

/** One entry of the log. Plain data. */
export interface LogEntry {
  /** Increasing from 1, per observer: the SSE event id. */
  readonly id: number;
  readonly kind: LogKind;
  /** Hub time (ms) when it happened. */
  readonly at: number;
  /** Wall-clock time (ms since 1970) when it happened. */
  readonly time: number;
  /** The greenlet it is about (the one that crashed, the supervisor that restarts, the actor a letter was for). */
  readonly greenlet: number | null;
  /** For supervisor entries: the child's id in its supervisor. */
  readonly child: string | null;
  /** One line for people: `worker-1 #12 crashed: Error: boom`. */
  readonly text: string;
}

/** The last entries, oldest first, each with its id. */
export class EventLog {
  private readonly entries: LogEntry[] = [];
  private start = 0;
  private lastId = 0;

  constructor(
    private readonly hub: Hub,
    /** How many entries are kept. */
    readonly capacity: number,
    private readonly showContents: boolean,
  ) {}

  /** The id of the newest entry (0 before the first). */
  get newest(): number {
    return this.lastId;
  }

  /** The entries after `id`, oldest first, and how many of those were already dropped from the ring. */
  since(id: number): { entries: LogEntry[]; missed: number } {
    const all = this.all();
    const oldest = all.length === 0 ? this.lastId + 1 : all[0].id;
    const missed = Math.max(0, Math.min(oldest, this.lastId + 1) - id - 1);
    return { entries: all.filter((entry) => entry.id > id), missed };
  }

  /** Every entry kept, oldest first. */
  all(): LogEntry[] {
    return [...this.entries.slice(this.start), ...this.entries.slice(0, this.start)];
  }

  /** Turns a lifecycle event into an entry, if it is one the log reports; returns it, or null. */
  record(event: LifecycleEvent): LogEntry | null {
    const made = this.describe(event);
    if (made === null) return null;
    const entry: LogEntry = { id: ++this.lastId, at: this.hub.now(), time: Date.now(), ...made };
    if (this.entries.length < this.capacity) this.entries.push(entry);
    else {
      this.entries[this.start] = entry;
      this.start = (this.start + 1) % this.capacity;
    }
    return entry;
  }

  private describe(event: LifecycleEvent): Pick<LogEntry, 'kind' | 'greenlet' | 'child' | 'text'> | null {
    switch (event.type) {
      case 'exit': {
        if (!isCrash(event.reason)) return null;
        const who = nameOf(event.greenlet);
        return { kind: 'crash', greenlet: event.greenlet.id, child: null, text: `${who} crashed: ${describeExit(event.reason)}` };
      }
      case 'error':
        if (event.where !== 'link') return null;
        return {
          kind: 'linkError',
          greenlet: event.greenlet?.id ?? null,
          child: null,
          text: `a link callback of ${event.greenlet === undefined ? 'the hub' : nameOf(event.greenlet)} failed: ${describeExit(event.error)}`,
        };
      case 'supervisorChildRestart': {
        const delay = event.delayMs > 0 ? ` in ${Math.round(event.delayMs)} ms` : '';
        return {
          kind: 'restart',
          greenlet: event.greenlet.id,
          child: event.id,
          text: `${nameOf(event.greenlet)} restarts ${event.id} (restart ${event.attempt} in a row)${delay}`,
        };
      }
      case 'supervisorGiveUp':
        return {
          kind: 'giveUp',
          greenlet: event.greenlet.id,
          child: event.id,
          text: `${nameOf(event.greenlet)} gave up: more than ${event.maxRestarts} restarts in ${event.withinMs} ms (the last for ${event.id})`,
        };
      case 'supervisorChildStartFailed':
        return {
          kind: 'startFailed',
          greenlet: event.greenlet.id,
          child: event.id,
          text: `${nameOf(event.greenlet)} could not start ${event.id}: ${describeExit(event.reason)}`,
        };
      case 'supervisorEscalate':
        return {
          kind: 'escalate',
          greenlet: event.greenlet.id,
          child: event.id,
          text: `${nameOf(event.greenlet)}: its child supervisor ${event.id} gave up`,
        };
      case 'actorDeadLetter': {
        const what = this.showContents ? `${describeValue(event.message)} ` : 'a message ';
        const when = event.kind === 'sentAfterDeath' ? 'was sent to' : 'was still queued in';
        return {
          kind: 'deadLetter',
          greenlet: event.greenlet.id,
          child: null,
          text: `dead letter: ${what}${when} ${nameOf(event.greenlet)}, which exited with ${describeExit(event.reason)}`,
        };
      }
      default:
        return null;
    }
  }
}

/** An exit the log reports as a crash: anything but a normal end, a kill, or a stop by a supervisor. */
function isCrash(reason: unknown): boolean {
  if (reason === 'normal' || reason === 'killed' || reason === 'shutdown') return false;
  return !(reason instanceof ExitSignal);
}

/** True for the events after which the supervision tree looks different. */
export function changesTree(event: LifecycleEvent): boolean {
  return event.type.startsWith('supervisor') || (event.type === 'exit' && event.greenlet instanceof Supervisor);
}
