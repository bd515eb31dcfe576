/**
 * Message sequence charts of traces: `sequenceChart(trace)` draws a trace
 * (trace.ts) as one self-contained HTML page with an inline SVG — no
 * scripts, styles or fonts from anywhere else — so a race can be seen, not
 * only read: one lifeline per greenlet, from its spawn down to a cross at
 * its exit; an arrow per message, from the send to the receive; a dashed
 * one per reply to an ask; red arrows
 * for exit signals and DOWNs; a bolt where a fault was injected; timer
 * firings and restarts as marks on their lifelines; and the virtual time
 * down the left side. Each event of the trace is one row, in order, and
 * carries its index (`data-index`) and its full text (a tooltip).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describeEvent, describeOutcome, type Trace, type TraceEvent } from './trace.js';
import { describeFault, describeTarget } from './inject.js';

/** Width of a lifeline's column. */
const COLUMN = 170;
/** Height of one event's row. */
const ROW = 28;
/** Room on the left for the times. */
const LEFT = 80;
/** Room above the first row for the lifelines' name boxes. */
const TOP = 64;
/** How many characters of a message an arrow's label shows (the tooltip has it all). */
const LABEL_CHARS = 28;
/** Who sent a message from outside any greenlet (a link callback, code outside the hub). */
const RUNTIME = '(runtime)';

const STYLE = `
body { font: 14px system-ui, sans-serif; margin: 16px; color: #222; }
h1 { font-size: 18px; margin: 0 0 4px; }
p { margin: 2px 0; }
.failed { color: #b00020; }
svg text { font: 12px ui-monospace, monospace; }
.head rect { fill: #eef3fb; stroke: #4a6fa5; }
.head text { text-anchor: middle; font-weight: bold; }
.lifeline { stroke: #4a6fa5; stroke-width: 1.5; }
.absent { stroke: #ccd; stroke-dasharray: 2 4; }
.tick { stroke: #eee; }
.time { fill: #666; text-anchor: end; }
.message line, .message path { stroke: #222; fill: none; marker-end: url(#arrow); }
.message.undelivered line { stroke-dasharray: 5 3; }
.spawn line { stroke: #4a6fa5; stroke-dasharray: 4 3; marker-end: url(#open); }
.signal line, .signal path { stroke: #b00020; fill: none; marker-end: url(#red); }
.signal text, .fault text, .exit text { fill: #b00020; }
.reply line { stroke: #222; stroke-dasharray: 5 3; marker-end: url(#open-dark); }
.dead-letter line { stroke: #888; stroke-dasharray: 2 2; marker-end: url(#arrow); }
.dead-letter text { fill: #888; }
.receive circle { fill: #222; }
.timer circle { fill: #fff; stroke: #7a5; }
.timer text { fill: #575; }
.fault path { fill: #f5b400; stroke: #b00020; }
.exit line { stroke: #b00020; stroke-width: 2.5; }
.restart rect { fill: #fff8e0; stroke: #c90; }
`;

/** Escapes text for XML content and attributes. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function short(text: string): string {
  return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
}

/** The greenlets an event draws on, in the order they should get columns. */
function namesOf(event: TraceEvent): (string | null)[] {
  switch (event.kind) {
    case 'spawn':
      return [event.parent, event.greenlet];
    case 'deadLetter':
      return event.why === 'queuedAtDeath' ? [event.to] : [event.from ?? RUNTIME, event.to];
    case 'send':
    case 'reply':
    case 'signal':
      return [event.from ?? RUNTIME, event.to];
    case 'restart':
      return [event.supervisor];
    default:
      return [event.greenlet];
  }
}

/** For each send, the row of the receive that took its message (the first later receive of the same message by the receiver). */
function deliveries(events: readonly TraceEvent[]): Map<number, number> {
  const pending = new Map<string, number[]>();
  const rows = new Map<number, number>();
  events.forEach((event, index) => {
    if (event.kind === 'send') {
      const key = `${event.to}\u0000${event.message}`;
      const list = pending.get(key);
      if (list === undefined) pending.set(key, [index]);
      else list.push(index);
    } else if (event.kind === 'receive') {
      const sent = pending.get(`${event.greenlet}\u0000${event.message}`)?.shift();
      if (sent !== undefined) rows.set(sent, index);
    }
  });
  return rows;
}

/** Draws `trace` as a self-contained HTML page (see the module comment). */
export function sequenceChart(trace: Trace): string {
  const events = trace.events;
  const columns = new Map<string, number>();
  for (const event of events) {
    for (const name of namesOf(event)) if (name !== null && !columns.has(name)) columns.set(name, columns.size);
  }
  const x = (name: string | null): number => LEFT + COLUMN / 2 + COLUMN * (columns.get(name ?? RUNTIME) ?? 0);
  const y = (row: number): number => TOP + ROW * (row + 1);
  const width = LEFT + COLUMN * Math.max(1, columns.size) + 20;
  const height = y(events.length) + ROW;
  const received = deliveries(events);
  const parts: string[] = [];

  // Times down the side, where they change.
  let lastAt: number | null = null;
  events.forEach((event, row) => {
    if (event.at === lastAt) return;
    lastAt = event.at;
    parts.push(`<line class="tick" x1="${LEFT}" y1="${y(row)}" x2="${width}" y2="${y(row)}"/>`);
    parts.push(`<text class="time" x="${LEFT - 8}" y="${y(row) + 4}">t=${event.at}</text>`);
  });

  // Lifelines: solid from spawn (or first mention) to exit (or the end).
  for (const [name] of columns) {
    const spawned = events.findIndex((e) => e.kind === 'spawn' && e.greenlet === name);
    const first = spawned >= 0 ? spawned : events.findIndex((e) => namesOf(e).includes(name));
    const exited = events.findIndex((e) => e.kind === 'exit' && e.greenlet === name);
    const end = exited >= 0 ? exited : events.length;
    const cx = x(name);
    parts.push(`<g class="head" data-greenlet="${esc(name)}"><rect x="${cx - COLUMN / 2 + 8}" y="8" width="${COLUMN - 16}" height="28" rx="4"/>`);
    parts.push(`<text x="${cx}" y="27">${esc(short(name))}</text><title>${esc(name)}</title></g>`);
    parts.push(`<line class="absent" x1="${cx}" y1="36" x2="${cx}" y2="${height - 8}"/>`);
    parts.push(`<line class="lifeline" data-greenlet="${esc(name)}" x1="${cx}" y1="${first < 0 ? 36 : y(first)}" x2="${cx}" y2="${y(end)}"/>`);
  }

  events.forEach((event, row) => {
    const open = (kind: string): void => void parts.push(`<g class="${kind}" data-index="${row}"><title>${esc(describeEvent(event))}</title>`);
    // An arrow's label sits above its start, on the side it points to: clear of the rows below.
    const label = (x1: number, x2: number, yy: number, text: string): void =>
      void parts.push(
        `<text class="label" x="${x2 >= x1 ? x1 + 8 : x1 - 8}" y="${yy - 5}" text-anchor="${x2 >= x1 ? 'start' : 'end'}">${esc(short(text))}</text>`,
      );
    const yy = y(row);
    switch (event.kind) {
      case 'spawn': {
        if (event.parent === null) return;
        open('spawn');
        parts.push(`<line x1="${x(event.parent)}" y1="${yy}" x2="${x(event.greenlet)}" y2="${yy}"/>`);
        label(x(event.parent), x(event.greenlet), yy, 'spawn');
        break;
      }
      case 'send': {
        const to = received.get(row);
        open(to === undefined ? 'message undelivered' : 'message');
        const [x1, x2, y2] = [x(event.from), x(event.to), to === undefined ? yy : y(to)];
        if (x1 === x2) parts.push(`<path d="M ${x1} ${yy} h 40 V ${y2} h -36"/>`);
        else parts.push(`<line x1="${x1}" y1="${yy}" x2="${x2 + (x2 > x1 ? -4 : 4)}" y2="${y2}"/>`);
        label(x1, x2, yy, event.message);
        break;
      }
      case 'reply': {
        open('reply');
        const [x1, x2] = [x(event.from), x(event.to)];
        parts.push(`<line x1="${x1}" y1="${yy}" x2="${x2 + (x2 > x1 ? -4 : 4)}" y2="${yy}"/>`);
        label(x1, x2, yy, event.value);
        break;
      }
      case 'receive':
        open('receive');
        parts.push(`<circle cx="${x(event.greenlet)}" cy="${yy}" r="3.5"/>`);
        break;
      case 'deadLetter':
        open('dead-letter');
        if (event.why === 'sentAfterDeath') {
          parts.push(`<line x1="${x(event.from)}" y1="${yy}" x2="${x(event.to)}" y2="${yy}"/>`);
          label(x(event.from), x(event.to), yy, `dead letter ${event.message}`);
        } else {
          // Its send is drawn already, undelivered: mark where it was lost.
          parts.push(`<text x="${x(event.to) + 9}" y="${yy + 4}">${esc(short(`dead letter ${event.message}`))}</text>`);
        }
        break;
      case 'timer':
        open('timer');
        parts.push(`<circle cx="${x(event.greenlet)}" cy="${yy}" r="5"/>`);
        parts.push(`<text x="${x(event.greenlet) + 9}" y="${yy + 4}">${esc(short(event.label))}</text>`);
        break;
      case 'signal': {
        open('signal');
        const [x1, x2] = [x(event.from), x(event.to)];
        if (x1 === x2) parts.push(`<path d="M ${x1} ${yy - 6} h 30 v 12 h -26"/>`);
        else parts.push(`<line x1="${x1}" y1="${yy}" x2="${x2 + (x2 > x1 ? -4 : 4)}" y2="${yy}"/>`);
        label(x1, x2, yy, `${event.signal === 'down' ? 'DOWN' : 'EXIT'} ${event.reason}`);
        break;
      }
      case 'fault': {
        open('fault');
        const cx = x(event.greenlet);
        parts.push(`<path d="M ${cx + 2} ${yy - 10} L ${cx - 5} ${yy + 1} L ${cx} ${yy + 1} L ${cx - 2} ${yy + 10} L ${cx + 5} ${yy - 1} L ${cx} ${yy - 1} Z"/>`);
        parts.push(`<text x="${cx + 9}" y="${yy + 4}">${esc(short(`${event.fault} at ${event.label}`))}</text>`);
        break;
      }
      case 'exit': {
        open('exit');
        const cx = x(event.greenlet);
        parts.push(`<line x1="${cx - 7}" y1="${yy - 7}" x2="${cx + 7}" y2="${yy + 7}"/><line x1="${cx - 7}" y1="${yy + 7}" x2="${cx + 7}" y2="${yy - 7}"/>`);
        parts.push(`<text x="${cx + 11}" y="${yy + 4}">${esc(short(event.reason))}</text>`);
        break;
      }
      case 'restart': {
        open('restart');
        const cx = x(event.supervisor);
        const text = short(`restart ${event.child} #${event.attempt}`);
        parts.push(`<rect x="${cx + 6}" y="${yy - 10}" width="${text.length * 7.4 + 10}" height="18"/>`);
        parts.push(`<text x="${cx + 11}" y="${yy + 3}">${esc(text)}</text>`);
        break;
      }
      default:
        return;
    }
    parts.push('</g>');
  });

  const schedule = trace.schedule;
  const how = [
    schedule.seed === undefined ? 'FIFO schedule' : `seed ${schedule.seed}`,
    schedule.strategy,
    schedule.depth === undefined ? undefined : `depth ${schedule.depth}`,
    schedule.steps === undefined ? undefined : `steps ${schedule.steps}`,
    schedule.fault === undefined
      ? undefined
      : `fault: ${describeFault(schedule.fault.inject)} of ${schedule.fault.target === undefined ? '(a predicate)' : describeTarget(schedule.fault.target)} #${schedule.fault.nth} at point ${schedule.fault.point}`,
  ].filter((part) => part !== undefined);
  const outcome = describeOutcome(trace.outcome);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>grove trace: ${esc(outcome)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>grove trace</h1>
<p>${esc(how.join(', '))}; ${events.length} events, ${columns.size} greenlets</p>
<p class="${trace.outcome.ok ? 'passed' : 'failed'}">The body ${esc(outcome)}</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">
<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#222"/></marker>
<marker id="red" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#b00020"/></marker>
<marker id="open-dark" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10" fill="none" stroke="#222"/></marker>
<marker id="open" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10" fill="none" stroke="#4a6fa5"/></marker>
</defs>
${parts.join('\n')}
</svg>
</body>
</html>
`;
}

/**
 * @internal writes `trace` into `dir` (created if need be) as `<name>.html`
 * (its chart) and `<name>.trace.json`; returns the chart's absolute path.
 */
export async function writeTrace(trace: Trace, dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const chart = resolve(join(dir, `${name}.html`));
  await writeFile(chart, sequenceChart(trace));
  await writeFile(resolve(join(dir, `${name}.trace.json`)), JSON.stringify(trace, null, 1) + '\n');
  return chart;
}
