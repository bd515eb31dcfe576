import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { joinAll, sleep, spawn } from 'grove';
import { connect } from 'grove/server';
import { CHUNKS, main, readChunks, startStreamingServer } from '../../../examples/servers/streaming.js';
import { request, urlOf } from '../../../examples/servers/http-client.js';
import { recorder } from '../../support.js';
import { runServer } from '../../server/support.js';

const example = suite('examples/servers/streaming');

example('main: the chunks arrive one by one, in order', async () => {
  const { lines, log } = recorder();
  await runServer(function* () {
    yield* main(log);
  });
  assert.equal(lines, [
    'GET / (chunks 2, 50 ms apart)',
    'chunk 1: <p>Hello',
    'chunk 2: World</p>',
    'end of stream: <p>HelloWorld</p>',
    'server closed',
  ]);
});

example('on the wire: chunked transfer encoding, each chunk prefixed by its length in hex, then a 0', async () => {
  await runServer(function* () {
    const server = yield* startStreamingServer({ chunks: CHUNKS, intervalMs: 20 });
    const client = yield* connect({ host: '127.0.0.1', port: server.port });
    yield* client.sendAll(['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', '', ''].join('\r\n'));
    const lines: string[] = [];
    for (let line = yield* client.readLine(); line !== null; line = yield* client.readLine()) {
      lines.push(line.startsWith('Date: ') ? 'Date: <now>' : line);
    }
    assert.equal(lines, [
      'HTTP/1.1 200 OK',
      'content-type: text/html',
      'Date: <now>',
      'Connection: close',
      'Transfer-Encoding: chunked',
      '',
      '8',
      '<p>Hello',
      '9',
      'World</p>',
      '0',
      '',
    ]);
    client.destroy();
    yield* server.stop();
  });
});

example('a client reads each chunk as it is written, 40 ms apart, while a second request streams at the same time', async () => {
  await runServer(function* () {
    const chunks = ['one ', 'two ', 'three'];
    const server = yield* startStreamingServer({ chunks, intervalMs: 40 });
    const stream = spawn(readChunks, urlOf(server));
    const whole = spawn(request, urlOf(server));
    yield* joinAll([stream, whole], { raiseError: true });

    const pieces = stream.value!;
    assert.equal(pieces.map((p) => p.text), chunks, 'one piece per chunk, in order');
    assert.ok(pieces[1].atMs >= 40, `chunk 2 came ${pieces[1].atMs} ms after the request`);
    assert.ok(pieces[2].atMs >= 80, `chunk 3 came ${pieces[2].atMs} ms after the request`);
    assert.equal(whole.value, { status: 200, body: 'one two three' });

    yield* server.stop();
  });
});

example('a client that stops reading: the handler waits in write() instead of buffering the whole stream', async () => {
  await runServer(function* () {
    const chunk = 'x'.repeat(64 * 1024);
    const server = yield* startStreamingServer({ chunks: Array.from({ length: 500 }, () => chunk), intervalMs: 0 }); // 32 MB
    const client = yield* connect({ host: '127.0.0.1', port: server.port });
    yield* client.sendAll('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    yield* sleep(300);
    // Without backpressure the 32 MB would sit in Node's buffer and the handler would be done.
    assert.is(server.pool.size, 1, 'the handler is still blocked in write()');
    const [handler] = server.pool;
    client.destroy();
    yield* handler.join({ timeout: 1000 });
    assert.ok(handler.dead, 'the client left: the handler was killed');
    yield* server.stop();
  });
});

example.run();
