/**
 * The hub's figures as the page's header and `/metrics` show them: its
 * clock, live greenlets and actors, mailbox depth, and the counters the
 * runtime keeps (switches, messages, dead letters, restarts), with
 * switches/s and messages/s measured between two readings.
 */
import type { Hub } from '../lib/hub.js';
import { restartTotal } from '../supervision/description.js';
import type { GreenletStatus } from '../lib/greenlet-info.js';
import type { Entry } from './process-table.js';

/** The hub's figures at one moment. Plain data. */
export interface HubFigures {
  readonly clock: 'real' | 'virtual';
  /** The hub's time (ms): since it was created, or the virtual clock's reading. */
  readonly now: number;
  /** Live greenlets (actors and supervisors included), and by status. */
  readonly greenlets: number;
  readonly byStatus: Readonly<Record<GreenletStatus, number>>;
  /** Live actors (supervisors included) and supervisors. */
  readonly actors: number;
  readonly supervisors: number;
  /** Messages waiting in every live actor's inbox, and in the fullest one. */
  readonly mailboxTotal: number;
  readonly mailboxMax: number;
  /** Counters since the hub was created. */
  readonly switches: number;
  readonly messages: number;
  readonly deadLetters: number;
  readonly restarts: number;
  /** Per second since the previous reading (null at the first). */
  readonly switchesPerSecond: number | null;
  readonly messagesPerSecond: number | null;
}

/** Two readings closer than this reuse the rates of the one before (a rate over 1 ms is noise). */
const MIN_SPAN_MS = 200;

/** Reads the figures; remembers the last reading to measure rates. */
export class FigureReader {
  private last: { wall: number; switches: number; messages: number } | null = null;
  private rates: { switches: number; messages: number } | null = null;

  constructor(private readonly hub: Hub) {}

  /** The figures now; `entries` are the process table's, read at the same moment. */
  read(entries: readonly Entry[]): HubFigures {
    const hub = this.hub;
    const byStatus: Record<GreenletStatus, number> = { unstarted: 0, ready: 0, running: 0, blocked: 0, sleeping: 0, dead: 0 };
    let actors = 0;
    let supervisors = 0;
    let mailboxTotal = 0;
    let mailboxMax = 0;
    for (const row of entries) {
      byStatus[row.status]++;
      if (row.kind === 'greenlet') continue;
      actors++;
      if (row.kind === 'supervisor') supervisors++;
      const mailbox = row.mailbox ?? 0;
      mailboxTotal += mailbox;
      if (mailbox > mailboxMax) mailboxMax = mailbox;
    }
    const wall = performance.now();
    const { switches, messages } = hub;
    const last = this.last;
    if (last === null || wall - last.wall >= MIN_SPAN_MS) {
      if (last !== null) {
        const seconds = (wall - last.wall) / 1000;
        this.rates = { switches: (switches - last.switches) / seconds, messages: (messages - last.messages) / seconds };
      }
      this.last = { wall, switches, messages };
    }
    return {
      clock: hub.clock,
      now: hub.now(),
      greenlets: entries.length,
      byStatus,
      actors,
      supervisors,
      mailboxTotal,
      mailboxMax,
      switches,
      messages,
      deadLetters: hub.deadLetters,
      restarts: restartTotal(hub),
      switchesPerSecond: this.rates?.switches ?? null,
      messagesPerSecond: this.rates?.messages ?? null,
    };
  }
}
