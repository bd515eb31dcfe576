/**
 * The process table, as Erlang's observer shows it: a row per live
 * greenlet (id, name, kind, status, what it is blocked on, and for actors
 * the mailbox, messages handled, name, links and monitors), sorted and cut
 * into pages on the server, so that a page with 10,000 greenlets only ever
 * receives and draws the rows it shows.
 *
 * Rows are made from `greenletInfo` and `actorInfo` at the moment they are
 * asked for; nothing is kept between two asks.
 */
import type { Greenlet } from '../lib/greenlet.js';
import type { Hub } from '../lib/hub.js';
import { greenletInfo, type GreenletStatus } from '../lib/greenlet-info.js';
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

/** Every live greenlet of `hub` as a row, oldest first. */
export function processRows(hub: Hub, showContents: boolean): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const g of hub.greenlets()) rows.push(rowOf(g, showContents));
  return rows;
}

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

/** The rows a query shows: sorted (ties by id), then cut. Sorts `rows` in place. */
export function pageOf(rows: ProcessRow[], query: TableQuery): ProcessPage {
  const key = query.sort;
  const sign = query.order === 'asc' ? 1 : -1;
  rows.sort((a, b) => sign * compare(a, b, key) || a.id - b.id);
  const end = query.limit === Infinity ? rows.length : query.offset + query.limit;
  return { ...query, total: rows.length, rows: rows.slice(query.offset, end) };
}

function compare(a: ProcessRow, b: ProcessRow, key: SortKey): number {
  switch (key) {
    case 'id':
    case 'runs':
      return a[key] - b[key];
    case 'name':
    case 'kind':
    case 'status':
      return a[key] < b[key] ? -1 : a[key] > b[key] ? 1 : 0;
    case 'mailbox':
    case 'handled':
      // Plain greenlets (no mailbox) sort below every actor, whichever the order.
      return (a[key] ?? -1) - (b[key] ?? -1);
  }
}
