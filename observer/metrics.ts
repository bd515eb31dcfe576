/**
 * `/metrics`: the hub's figures in Prometheus's text exposition format
 * (version 0.0.4), which Prometheus, VictoriaMetrics, Grafana Agent and
 * OpenTelemetry's Prometheus receiver all scrape. Written by hand: a dozen
 * gauges and counters of one hub need no registry, and `prom-client`'s
 * global default registry would mix in the process's metrics and outlive
 * the observer (a user who already runs prom-client can read the same
 * figures from `greenletInfo`, `actorInfo` and the hub's counters).
 */
import type { HubFigures } from './hub-figures.js';

/** The content type of the text format. */
export const METRICS_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The figures as exposition text: `# HELP`, `# TYPE` and one sample per line. */
export function metricsText(figures: HubFigures): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'gauge' | 'counter', help: string, samples: [string, number][]): void => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('grove_greenlets', 'gauge', 'Live greenlets (actors and supervisors included), by status.', [
    ...Object.entries(figures.byStatus)
      .filter(([status]) => status !== 'dead')
      .map(([status, n]): [string, number] => [`{status="${status}"}`, n]),
  ]);
  metric('grove_actors', 'gauge', 'Live actors (supervisors included).', [['', figures.actors]]);
  metric('grove_supervisors', 'gauge', 'Live supervisors.', [['', figures.supervisors]]);
  metric('grove_mailbox_messages', 'gauge', 'Messages waiting in the inboxes of live actors.', [['', figures.mailboxTotal]]);
  metric('grove_mailbox_max_messages', 'gauge', 'Messages waiting in the fullest inbox.', [['', figures.mailboxMax]]);
  metric('grove_switches_total', 'counter', 'Switches of the hub into a greenlet.', [['', figures.switches]]);
  metric('grove_messages_total', 'counter', 'Messages put in actors\' inboxes.', [['', figures.messages]]);
  metric('grove_dead_letters_total', 'counter', 'Messages that will never be handled.', [['', figures.deadLetters]]);
  metric('grove_restarts_total', 'counter', 'Restarts of children decided by supervisors.', [['', figures.restarts]]);
  metric('grove_hub_time_milliseconds', 'gauge', 'The hub\'s clock.', [['', figures.now]]);
  return lines.join('\n') + '\n';
}
