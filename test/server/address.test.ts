import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatAddress, parseAddress } from '../../server/address.js';

const address = suite('server/address');

address("parses gevent's 'host:port' strings and { host, port } objects", () => {
  assert.equal(parseAddress('f', '127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(parseAddress('f', ':8000'), { host: '', port: 8000 });
  assert.equal(parseAddress('f', 'localhost:0'), { host: 'localhost', port: 0 });
  assert.equal(parseAddress('f', '[::1]:65535'), { host: '::1', port: 65535 });
  assert.equal(parseAddress('f', { host: '10.0.0.1', port: 1 }), { host: '10.0.0.1', port: 1 });
  assert.equal(parseAddress('f', { port: 5 }), { host: '', port: 5 });
});

address('refuses a bad address, naming the call and the value', () => {
  const expected = "f: address must be 'host:port' or { host, port } with a port from 0 to 65535, got ";
  const cases: [unknown, string, ErrorConstructor][] = [
    ['localhost', '"localhost"', TypeError],
    ['127.0.0.1:', '"127.0.0.1:"', TypeError],
    ['127.0.0.1:80x', '"127.0.0.1:80x"', TypeError],
    ['::1:80', '"::1:80"', TypeError],
    ['127.0.0.1:65536', '"127.0.0.1:65536"', RangeError],
    [{ port: -1 }, 'port -1', RangeError],
    [{ port: 1.5 }, 'port 1.5', RangeError],
    [{ host: 'a' }, 'port undefined', RangeError],
    [{ port: '80' }, 'port "80"', RangeError],
    [{ host: 1, port: 1 }, 'host 1', TypeError],
    [{ host: 'a b', port: 1 }, 'host "a b"', TypeError],
    [{ port: 1, hots: 'x' }, 'an unknown field "hots"', TypeError],
    [8080, '8080', TypeError],
    [null, 'null', TypeError],
    [['127.0.0.1', 80], 'an array', TypeError],
  ];
  for (const [input, shown, kind] of cases) {
    try {
      parseAddress('f', input);
      assert.unreachable(`accepted ${JSON.stringify(input)}`);
    } catch (error) {
      assert.instance(error, kind, `${JSON.stringify(input)}: ${String(error)}`);
      assert.is((error as Error).message, expected + shown);
    }
  }
});

address('formats an address for messages: IPv6 in brackets, every interface as *', () => {
  assert.is(formatAddress({ host: '127.0.0.1', port: 80 }), '127.0.0.1:80');
  assert.is(formatAddress({ host: '::1', port: 80 }), '[::1]:80');
  assert.is(formatAddress({ host: '', port: 80 }), '*:80');
  assert.is(formatAddress({ host: 'localhost', port: 80 }), 'localhost:80');
});

address.run();
