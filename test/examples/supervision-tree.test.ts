import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getCurrent, getHub } from 'grove';
import { simulate } from 'grove/testing';
import { SOURCE, main } from '../../examples/supervision-tree.js';
import { recorder } from '../support.js';

const example = suite('examples/supervision-tree');

example('crashes are restarted by strategy, failures escalate, and every line is accounted for', async () => {
  const { lines, log } = recorder();
  await simulate(() => main(log));
  assert.equal(lines, [
      'service (oneForOne)',
      '├── ledger',
      '└── intake (restForOne)',
      '    ├── reader',
      '    └── parsers (oneForOne)',
      '        ├── parser-1',
      '        └── parser-2',
      '  parser-1: line 1 INFO',
      '  parser-2: line 2 WARN',
      '  reader: read error at line 7',
      '  crash: reader failed with Error: disk read error',
      'intake restarts reader and the children after it (restForOne)',
      '  journal: line 4 goes back in the queue',
      '  journal: line 3 goes back in the queue',
      'service (oneForOne)',
      '├── ledger',
      '└── intake (restForOne)',
      '    ├── reader [started 2 times]',
      '    └── parsers (oneForOne) [started 2 times]',
      '        ├── parser-1 [started 2 times]',
      '        └── parser-2 [started 2 times]',
      '  parser-1: line 5 ERROR',
      '  parser-2: line 6 INFO',
      '  journal: line 4 goes back in the queue',
      '  crash: parser-1 failed with BadInput: no log level in "??? garbled"',
      'parsers restarts parser-1 (oneForOne)',
      '  parser-2: line 3 INFO',
      'service (oneForOne)',
      '├── ledger',
      '└── intake (restForOne)',
      '    ├── reader (not running) [started 2 times]',
      '    └── parsers (oneForOne) [started 2 times]',
      '        ├── parser-1 [started 3 times]',
      '        └── parser-2 [started 2 times]',
      '  journal: line 8 goes back in the queue',
      '  crash: parser-1 failed with BadInput: no log level in ""',
      '  parser-2: line 7 WARN',
      'parsers restarts parser-1 (oneForOne)',
      'service (oneForOne)',
      '├── ledger',
      '└── intake (restForOne)',
      '    ├── reader (not running) [started 2 times]',
      '    └── parsers (oneForOne) [started 2 times]',
      '        ├── parser-1 [started 4 times]',
      '        └── parser-2 [started 2 times]',
      '  parser-2: line 9 INFO',
      '  parser-1: line 10 ERROR',
      '  journal: line 4 set aside as bad input after 2 crashes',
      '  crash: parser-2 failed with BadInput: no log level in "??? garbled"',
      '  journal: line 8 set aside as bad input after 2 crashes',
      '  crash: parser-1 failed with BadInput: no log level in ""',
      'parsers restarts parser-2 (oneForOne)',
      "parsers gives up: more than 3 restarts in 10000 ms; it stops its children and exits 'shutdown'",
      "intake sees parsers exit 'shutdown': the failure escalates",
      "intake gives up: more than 1 restart in 5000 ms; it stops its children and exits 'shutdown'",
      "service sees intake exit 'shutdown': the failure escalates",
      'service restarts intake (oneForOne)',
      'service (oneForOne)',
      '├── ledger',
      '└── intake (restForOne) [started 2 times]',
      '    ├── reader (not running) [started 3 times]',
      '    └── parsers (oneForOne) [started 3 times]',
      '        ├── parser-1 [started 5 times]',
      '        └── parser-2 [started 4 times]',
      'done: 8 lines recorded, 2 set aside, none lost',
      'totals: INFO 4, WARN 2, ERROR 2',
      'set aside: line 4 "??? garbled", line 8 ""',
      'shutdown, last started first: parser-2, parser-1, parsers, intake, ledger',
  ]);
  assert.is(SOURCE.length, 10);
});

example('the example leaves the hub as it found it: error handler back, no greenlet left', () =>
  simulate(function* () {
    const hub = getHub();
    const onError = hub.onError;
    yield* main(() => {});
    assert.is(hub.onError, onError);
    assert.equal(hub.greenlets(), [getCurrent()]);
  }));

example.run();
