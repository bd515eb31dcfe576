/**
 * The process table, as Erlang's observer shows it: a row per live
 * greenlet (id, name, kind, status, what it is blocked on, and for actors
 * the mailbox, messages handled, name, links and monitors), sorted and cut
 * into pages on the server, so that a page with 10,000 greenlets only ever
 * receives and draws the rows it shows.
 *
 * Rows are made from `greenletInfo` and `actorInfo` at the moment they are
 * asked for; nothing is kept between two asks. A table of 10,000 is
 * sorted on a light entry per greenlet (its sort keys, read without
 * allocating), and only the rows of the page shown are made in full.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Hub } from '../lib/hub.js';
import { greenletInfo, runsOf, statusOf, type GreenletStatus } from '../lib/greenlet-info.js';
import type { Inbox } from '../actors/inbox.js';
import { Actor } from '../actors/actor.js';
import { actorInfo } from '../actors/actor-info.js';
import { Supervisor } from '../supervision/supervisor.js';
import { describeState, describeTarget, describeValue } from './internal/describe.js';
import { BadQuery } from './internal/bad-query.js';

/** What a greenlet is: a plain greenlet, an actor, or a supervisor (an actor too). */
export type ProcessKind = 'greenlet' | 'actor' | 'supervisor';

/** One row of the process table. Plain data (JSON as `/snapshot` sends it). */
export interface ProcessRow {
  readonly id: number;
  readonly name: string;
  readonly kind: ProcessKind;
  /** Its class: `Greenlet`, or the actor's own class (`Worker`). */
  readonly className: string;
  readonly status: GreenletStatus;
  /** While blocked or sleeping: the call (`Queue.get`), what it waits on as text (`its inbox`), and its deadline in hub ms. */
  readonly blockedOn: { readonly label: string; readonly target: string | null; readonly deadline: number | null } | null;
  /** The id of the greenlet that started it, or null. */
  readonly spawnedBy: number | null;
  /** How many times it has run (see `greenletInfo`). */
  readonly runs: number;
  /** Actors: messages in the inbox; null for a plain greenlet. */
  readonly mailbox: number | null;
  /** Actors: the inbox's bound, null when unbounded or not an actor. */
  readonly mailboxBound: number | null;
  /** Actors: messages taken from the inbox so far. */
  readonly handled: number | null;
  /** Actors: the registered name, if any. */
  readonly registeredName: string | null;
  /** Actors: ids of linked greenlets, of those it monitors, of the actors monitoring it. */
  readonly links: readonly number[] | null;
  readonly monitors: readonly number[] | null;
  readonly monitoredBy: readonly number[] | null;
  /** With `showContents` only: the next message in the inbox, and the actor's own fields, as text. */
  readonly nextMessage?: string | null;
  readonly state?: string | null;
}

/** The columns the table sorts by. */
export const SORT_KEYS = ['id', 'name', 'kind', 'status', 'mailbox', 'handled', 'runs'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

/** Which rows a page of the table shows. */
export interface TableQuery {
  readonly sort: SortKey;
  readonly order: 'asc' | 'desc';
  /** Rows skipped (a multiple of `limit` for a page). */
  readonly offset: number;
  /** Rows shown, at most {@link MAX_LIMIT}. */
  readonly limit: number;
}

/** One page of the table, with what it is a page of. */
export interface ProcessPage extends TableQuery {
  /** Live greenlets in all. */
  readonly total: number;
  readonly rows: readonly ProcessRow[];
}

/** The most rows one page carries; `/snapshot?limit=all` has them all. */
export const MAX_LIMIT = 500;
export const DEFAULT_QUERY: TableQuery = { sort: 'id', order: 'asc', offset: 0, limit: 50 };

/** A live greenlet with its sort keys: what the whole table is sorted on. */
export interface Entry {
  readonly greenlet: Greenlet<unknown>;
  readonly id: number;
  readonly kind: ProcessKind;
  readonly status: GreenletStatus;
  /** Actors: messages in the inbox, and taken from it; null for a plain greenlet. */
  readonly mailbox: number | null;
  readonly handled: number | null;
  readonly runs: number;
}

/** Every live greenlet of `hub` with its sort keys, oldest first. */
export function processEntries(hub: Hub): Entry[] {
  const entries: Entry[] = [];
  for (const g of hub.greenlets()) {
    const actor = g instanceof Actor;
    const inbox = actor ? (g.inbox as Inbox<unknown>) : null;
    entries.push({
      greenlet: g,
      id: g.id,
      kind: !actor ? 'greenlet' : g instanceof Supervisor ? 'supervisor' : 'actor',
      status: statusOf(g),
      mailbox: inbox === null ? null : inbox.qsize(),
      handled: inbox === null ? null : inbox.taken,
      runs: runsOf(g),
    });
  }
  return entries;
}

/** The full row of a greenlet. */
function rowOf(g: Greenlet<unknown>, showContents: boolean): ProcessRow {
  const info = greenletInfo(g);
  const blockedOn =
    info.blockedOn === null
      ? null
      : { label: info.blockedOn.label, target: describeTarget(info.blockedOn.target, g), deadline: info.blockedOn.deadline };
  const common = {
    id: info.id,
    name: info.name,
    className: g.constructor.name || 'Greenlet',
    status: info.status,
    blockedOn,
    spawnedBy: info.spawnedBy,
    runs: info.runs,
  };
  if (!(g instanceof Actor)) {
    return {
      ...common,
      kind: 'greenlet',
      mailbox: null,
      mailboxBound: null,
      handled: null,
      registeredName: null,
      links: null,
      monitors: null,
      monitoredBy: null,
    };
  }
  const actor = actorInfo(g);
  const row: ProcessRow = {
    ...common,
    kind: g instanceof Supervisor ? 'supervisor' : 'actor',
    mailbox: actor.mailbox,
    mailboxBound: actor.mailboxBound === Infinity ? null : actor.mailboxBound,
    handled: actor.handled,
    registeredName: actor.registeredName,
    links: actor.links,
    monitors: actor.monitors,
    monitoredBy: actor.monitoredBy,
  };
  if (!showContents) return row;
  return {
    ...row,
    nextMessage: actor.mailbox > 0 ? describeValue(g.inbox.peekNowait()) : null,
    state: g instanceof Supervisor ? null : describeState(g),
  };
}

/** Reads `sort`, `order`, `offset` and `limit` from a request's query; a bad one is a {@link BadQuery}. */
export function parseTableQuery(params: URLSearchParams, all: boolean): TableQuery {
  const sort = params.get('sort') ?? DEFAULT_QUERY.sort;
  if (!(SORT_KEYS as readonly string[]).includes(sort)) throw new BadQuery(`sort must be one of ${SORT_KEYS.join(', ')}, got ${JSON.stringify(sort)}`);
  const order = params.get('order') ?? (sort === 'mailbox' || sort === 'handled' || sort === 'runs' ? 'desc' : 'asc');
  if (order !== 'asc' && order !== 'desc') throw new BadQuery(`order must be asc or desc, got ${JSON.stringify(order)}`);
  const offset = count(params, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limitText = params.get('limit');
  const limit = all && (limitText === null || limitText === 'all') ? Infinity : count(params, 'limit', DEFAULT_QUERY.limit, MAX_LIMIT);
  return { sort: sort as SortKey, order, offset, limit };
}

function count(params: URLSearchParams, field: string, fallback: number, max: number): number {
  const text = params.get(field);
  if (text === null) return fallback;
  const n = Number(text);
  if (text === '' || !Number.isInteger(n) || n < 0 || n > max) throw new BadQuery(`${field} must be an integer from 0 to ${max}, got ${JSON.stringify(text)}`);
  return n;
}

/** The page a query shows: `entries` sorted (ties by id; in place), cut, and the rows of that cut made in full. */
export function pageOf(entries: Entry[], query: TableQuery, showContents: boolean): ProcessPage {
  const key = query.sort;
  const sign = query.order === 'asc' ? 1 : -1;
  if (key === 'name') {
    // Names are made on demand (`Class-id` by default): make each once, not at every comparison.
    const names = new Map(entries.map((e) => [e, e.greenlet.name]));
    entries.sort((a, b) => sign * (names.get(a)! < names.get(b)! ? -1 : names.get(a)! > names.get(b)! ? 1 : 0) || a.id - b.id);
  } else entries.sort((a, b) => sign * compare(a, b, key) || a.id - b.id);
  const end = query.limit === Infinity ? entries.length : query.offset + query.limit;
  const rows = entries.slice(query.offset, end).map((e) => rowOf(e.greenlet, showContents));
  return { ...query, total: entries.length, rows };
}

function compare(a: Entry, b: Entry, key: Exclude<SortKey, 'name'>): number {
  switch (key) {
    case 'id':
    case 'runs':
      return a[key] - b[key];
    case 'kind':
    case 'status':
      return a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
    case 'mailbox':
    case 'handled':
      // Plain greenlets (no mailbox) sort below every actor, whichever the order.
      return (a[key] ?? -1) - (b[key] ?? -1);
  }
}
