/**
 * The observer's page: one self-contained HTML document, its style and
 * script inline, no framework and no build step. It opens `/events`
 * (Server-Sent Events: the browser's EventSource reconnects by itself and
 * sends `Last-Event-ID`) and draws what arrives:
 *
 * - `snapshot` (on connecting, then every `intervalMs`): the hub's figures
 *   and one page of the process table;
 * - `tree` (on connecting, and soon after a supervisor starts, restarts or
 *   gives up): the supervision tree, so a restart shows at once; a child
 *   whose restart count grew is highlighted for 1.5 s (`data-flash`); a
 *   supervisor's children past 20 are counted, not drawn;
 * - `log` (as it happens, with its id): one line of the log;
 * - `gap`: entries were missed while disconnected and are gone from the ring.
 *
 * Sorting or paging the table reopens the stream with the new query (and
 * `since=` the last log id, so nothing is drawn twice). Everything shown is
 * set as text (`textContent`), never as HTML: names come from the program.
 * The script and style are allowed by their hashes in the page's
 * Content-Security-Policy, and nothing else is (see serve-observer.ts).
 *
 * The elements carry `data-` attributes (`data-child`, `data-restarts`,
 * `data-pid`, `data-col`, `data-log-kind`...) for tests and user scripts.
 */
import { createHash } from 'node:crypto';

const STYLE = `
:root { font: 13px/1.4 system-ui, sans-serif; color: #1d2330; background: #f6f7f9; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; gap: 6px 18px; align-items: baseline; padding: 10px 16px; background: #1d2330; color: #eef; }
header h1 { font-size: 15px; margin: 0 12px 0 0; }
header .figure b { font-variant-numeric: tabular-nums; }
header .state { margin-left: auto; font-size: 12px; }
header .state[data-state="open"] { color: #8f8; }
header .state[data-state="closed"] { color: #f88; }
main { display: grid; grid-template-columns: minmax(260px, 1fr) 2fr; gap: 12px; padding: 12px 16px; }
section { background: #fff; border: 1px solid #dde; border-radius: 6px; padding: 8px 10px; overflow: auto; }
section h2 { font-size: 13px; margin: 0 0 6px; color: #556; text-transform: uppercase; letter-spacing: .04em; }
#processes { grid-column: 2; grid-row: 1 / span 2; }
ul.tree, ul.tree ul { list-style: none; margin: 0; padding-left: 14px; }
ul.tree { padding-left: 0; }
.sup { font-weight: 600; }
.more { color: #778; font-style: italic; }
.sup small, .child small { font-weight: 400; color: #778; }
.child { padding: 1px 4px; border-radius: 3px; }
.status { display: inline-block; min-width: 62px; padding: 0 5px; border-radius: 8px; font-size: 11px; text-align: center; background: #e4e6ea; }
.status.running, .status.ready { background: #d7f5dd; }
.status.blocked { background: #e3ebfb; }
.status.sleeping { background: #f1e9fb; }
.status.restarting, .status.backingOff { background: #fde7c8; }
.status.stopped, .status.dead { background: #f8d7d7; }
.child[data-flash] { background: #ffc46b; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 2px 6px; border-bottom: 1px solid #eef; white-space: nowrap; }
th { cursor: pointer; user-select: none; color: #556; }
th[data-sorted] { color: #1d2330; }
th[data-sorted="asc"]::after { content: " \\25B2"; }
th[data-sorted="desc"]::after { content: " \\25BC"; }
td.num { text-align: right; }
.pager { display: flex; gap: 8px; align-items: center; margin: 6px 0; }
#log ol { list-style: none; margin: 0; padding: 0; max-height: 40vh; overflow: auto; }
#log li { padding: 2px 0; border-bottom: 1px solid #f0f0f4; }
#log li time { color: #889; margin-right: 6px; font-variant-numeric: tabular-nums; }
#log li[data-log-kind="crash"], #log li[data-log-kind="giveUp"], #log li[data-log-kind="startFailed"] { color: #a21; }
#log li[data-log-kind="restart"] { color: #a60; }
#log li[data-log-kind="gap"] { color: #889; font-style: italic; }
`;

const SCRIPT = `
'use strict';
var params = new URLSearchParams(location.search);
var token = params.get('token');
var query = { sort: 'id', order: 'asc', offset: 0, limit: 50 };
var lastLogId = null;
var source = null;
var restartCounts = new Map();
var flashUntil = new Map();
var FLASH_MS = 1500;
var firstTree = true;

function el(tag, attrs, text) {
  var node = document.createElement(tag);
  if (attrs) for (var key in attrs) if (attrs[key] !== null && attrs[key] !== undefined) node.setAttribute(key, String(attrs[key]));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function fmt(n) {
  if (n === null || n === undefined) return '-';
  if (n >= 1e6) return (n / 1e6).toFixed(2) + ' M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + ' k';
  return String(Math.round(n));
}
function ms(n) { return n < 1000 ? Math.round(n) + ' ms' : (n / 1000).toFixed(1) + ' s'; }

function connect() {
  if (source !== null) source.close();
  var url = new URLSearchParams();
  url.set('sort', query.sort); url.set('order', query.order);
  url.set('offset', String(query.offset)); url.set('limit', String(query.limit));
  if (token !== null) url.set('token', token);
  if (lastLogId !== null) url.set('since', String(lastLogId));
  source = new EventSource('events?' + url.toString());
  setState('connecting');
  source.onopen = function () { setState('open'); };
  source.onerror = function () { setState(source.readyState === 2 ? 'closed' : 'connecting'); };
  source.addEventListener('snapshot', function (e) {
    var data = JSON.parse(e.data);
    drawFigures(data.hub); drawTable(data.processes, data.hub.now);
  });
  source.addEventListener('tree', function (e) { drawTree(JSON.parse(e.data)); });
  source.addEventListener('log', function (e) {
    var entry = JSON.parse(e.data);
    lastLogId = entry.id;
    drawLog(entry);
  });
  source.addEventListener('gap', function (e) {
    var gap = JSON.parse(e.data);
    drawLog({ kind: 'gap', time: Date.now(), text: gap.missed + ' earlier entries were missed while disconnected' });
  });
}
function setState(state) {
  var node = document.getElementById('state');
  node.dataset.state = state;
  node.textContent = state === 'open' ? 'live' : state;
}

function drawFigures(hub) {
  var set = function (id, value) { document.getElementById(id).textContent = value; };
  set('f-clock', hub.clock + ' ' + ms(hub.now));
  set('f-greenlets', fmt(hub.greenlets));
  set('f-actors', fmt(hub.actors));
  set('f-switches', fmt(hub.switchesPerSecond));
  set('f-messages', fmt(hub.messagesPerSecond));
  set('f-mailbox', fmt(hub.mailboxTotal));
  set('f-dead', fmt(hub.deadLetters));
  set('f-restarts', fmt(hub.restarts));
}

function drawTree(roots) {
  var list = el('ul', { class: 'tree' });
  roots.forEach(function (root) { list.appendChild(supervisorItem(root)); });
  if (roots.length === 0) list.appendChild(el('li', null, 'no supervisor on this hub'));
  document.getElementById('tree-body').replaceChildren(list);
  firstTree = false;
}
function unflash(node) {
  if ((flashUntil.get(node.getAttribute('data-flash')) || 0) <= Date.now()) node.removeAttribute('data-flash');
}
function supervisorItem(sup) {
  var item = el('li', { 'data-supervisor-node': sup.id });
  var head = el('span', { class: 'sup' }, sup.name + ' ');
  head.appendChild(el('small', null, sup.strategy + ', ' + sup.maxRestarts + ' in ' + ms(sup.withinMs)));
  item.appendChild(head);
  var children = el('ul');
  sup.children.forEach(function (child) { children.appendChild(childItem(sup, child)); });
  var hidden = sup.childCount - sup.children.length;
  if (hidden > 0) {
    var counts = Object.keys(sup.hidden).filter(function (s) { return sup.hidden[s] > 0; })
      .map(function (s) { return sup.hidden[s] + ' ' + (s === 'backingOff' ? 'backing off' : s); });
    children.appendChild(el('li', { class: 'more', 'data-hidden': hidden }, '... and ' + hidden + ' more (' + counts.join(', ') + ')'));
  }
  item.appendChild(children);
  return item;
}
function childItem(sup, child) {
  var countKey = sup.id + '/' + child.id;
  var before = restartCounts.get(countKey);
  restartCounts.set(countKey, child.restarts);
  var item = el('li', {
    'data-supervisor': sup.id, 'data-child': child.id, 'data-status': child.status,
    'data-restarts': child.restarts, 'data-greenlet': child.greenlet
  });
  var line = el('span', { class: 'child' });
  line.appendChild(el('span', { class: 'status ' + child.status }, child.status === 'backingOff' ? 'backing off' : child.status));
  line.appendChild(document.createTextNode(' ' + child.id + ' '));
  var details = child.type + ', ' + child.restart + ', ' + child.restarts + ' restart' + (child.restarts === 1 ? '' : 's');
  if (child.greenlet !== null) details += ', #' + child.greenlet;
  line.appendChild(el('small', null, details));
  if (!firstTree && before !== undefined && child.restarts > before) {
    flashUntil.set(countKey, Date.now() + FLASH_MS);
    setTimeout(function () { document.querySelectorAll('.child[data-flash]').forEach(unflash); }, FLASH_MS + 10);
  }
  if ((flashUntil.get(countKey) || 0) > Date.now()) line.setAttribute('data-flash', countKey);
  item.appendChild(line);
  if (child.supervisor !== null) {
    var nested = el('ul');
    nested.appendChild(supervisorItem(child.supervisor));
    item.appendChild(nested);
  }
  return item;
}

var COLUMNS = [
  ['id', 'id', true], ['name', 'name', true], ['kind', 'kind', true], ['status', 'status', true],
  ['blockedOn', 'blocked on', false], ['mailbox', 'mailbox', true], ['handled', 'handled', true], ['runs', 'runs', true]
];
function drawTable(page, now) {
  var head = el('tr');
  COLUMNS.forEach(function (column) {
    var th = el('th', { 'data-col': column[0] }, column[1]);
    if (column[2]) {
      if (page.sort === column[0]) th.setAttribute('data-sorted', page.order);
      th.onclick = function () { sortBy(column[0]); };
    } else th.style.cursor = 'default';
    head.appendChild(th);
  });
  var body = el('tbody');
  page.rows.forEach(function (row) {
    var tr = el('tr', { 'data-pid': row.id, 'data-kind': row.kind, 'data-status': row.status });
    tr.appendChild(el('td', { class: 'num' }, row.id));
    tr.appendChild(el('td', { title: row.className + (row.registeredName ? ' registered as ' + row.registeredName : '') }, row.name));
    tr.appendChild(el('td', null, row.kind));
    var status = el('td'); status.appendChild(el('span', { class: 'status ' + row.status }, row.status)); tr.appendChild(status);
    var blocked = '';
    if (row.blockedOn !== null && row.blockedOn.target === 'its inbox') blocked = 'idle: waiting for a message';
    else if (row.blockedOn !== null) {
      blocked = row.blockedOn.label;
      if (row.blockedOn.target !== null) blocked += ' ' + row.blockedOn.target;
      if (row.blockedOn.deadline !== null) blocked += ' (' + ms(Math.max(0, row.blockedOn.deadline - now)) + ' left)';
    }
    tr.appendChild(el('td', { 'data-col': 'blockedOn' }, blocked));
    var bound = row.mailboxBound === null ? '' : '/' + row.mailboxBound;
    tr.appendChild(el('td', { class: 'num', 'data-col': 'mailbox', 'data-value': row.mailbox }, row.mailbox === null ? '' : row.mailbox + bound));
    tr.appendChild(el('td', { class: 'num', 'data-col': 'handled' }, row.handled === null ? '' : fmt(row.handled)));
    tr.appendChild(el('td', { class: 'num', 'data-col': 'runs' }, fmt(row.runs)));
    body.appendChild(tr);
  });
  var table = el('table');
  var thead = el('thead'); thead.appendChild(head);
  table.appendChild(thead); table.appendChild(body);
  document.getElementById('table-body').replaceChildren(table);
  var last = Math.min(page.offset + page.rows.length, page.total);
  document.getElementById('range').textContent = (page.total === 0 ? 0 : page.offset + 1) + '-' + last + ' of ' + page.total;
  document.getElementById('prev').disabled = page.offset === 0;
  document.getElementById('next').disabled = last >= page.total;
}
function sortBy(column) {
  if (query.sort === column) query.order = query.order === 'asc' ? 'desc' : 'asc';
  else { query.sort = column; query.order = column === 'mailbox' || column === 'handled' || column === 'runs' ? 'desc' : 'asc'; }
  query.offset = 0;
  connect();
}
function page(step) {
  query.offset = Math.max(0, query.offset + step * query.limit);
  connect();
}

function drawLog(entry) {
  var item = el('li', { 'data-log-kind': entry.kind, 'data-log-id': entry.id });
  item.appendChild(el('time', null, new Date(entry.time).toLocaleTimeString()));
  item.appendChild(document.createTextNode(entry.text));
  var list = document.getElementById('log-list');
  list.insertBefore(item, list.firstChild);
  while (list.childNodes.length > 500) list.removeChild(list.lastChild);
}

document.getElementById('prev').onclick = function () { page(-1); };
document.getElementById('next').onclick = function () { page(1); };
connect();
`;

const BODY = `<header>
<h1>grove observer</h1>
<span class="figure">clock <b id="f-clock">-</b></span>
<span class="figure">greenlets <b id="f-greenlets">-</b></span>
<span class="figure">actors <b id="f-actors">-</b></span>
<span class="figure">switches/s <b id="f-switches">-</b></span>
<span class="figure">messages/s <b id="f-messages">-</b></span>
<span class="figure">queued <b id="f-mailbox">-</b></span>
<span class="figure">dead letters <b id="f-dead">-</b></span>
<span class="figure">restarts <b id="f-restarts">-</b></span>
<span class="state" id="state" data-state="connecting">connecting</span>
</header>
<main>
<section id="tree"><h2>Supervision tree</h2><div id="tree-body"></div></section>
<section id="processes"><h2>Processes</h2>
<div class="pager"><button id="prev" type="button">&larr; previous</button><span id="range"></span><button id="next" type="button">next &rarr;</button></div>
<div id="table-body"></div></section>
<section id="log"><h2>Log</h2><ol id="log-list"></ol></section>
</main>`;

/** The page, byte for byte as served. */
export const PAGE_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>grove observer</title><style>${STYLE}</style></head>
<body>${BODY}<script>${SCRIPT}</script></body></html>
`;

function hash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The page's Content-Security-Policy: its own script and style (by hash),
 * connections to its own origin (the event stream), nothing else — no
 * other script, no frame around it, no form, no plugin.
 */
export const PAGE_POLICY = [
  "default-src 'none'",
  `script-src ${hash(SCRIPT)}`,
  `style-src ${hash(STYLE)}`,
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
