import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { joinAll, spawn } from 'grove';
import { CHUNKS, main, readChunks, startStreamingServer } from '../../../examples/servers/streaming.js';
import { connectLines, type LineSocket } from '../../../examples/servers/line-socket.js';
import { request } from '../../../examples/servers/http-server.js';
import { recorder } from '../../support.js';
import { runClean } from '../../server/support.js';

const example = suite('examples/servers/streaming');

example('main: the chunks arrive one by one, in order', async () => {
  const { lines, log } = recorder();
  await runClean(function* () {
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
  await runClean(function* () {
    const server = yield* startStreamingServer({ chunks: CHUNKS, intervalMs: 20 });
    const client: LineSocket = yield* connectLines(server.port);
    for (const line of ['GET / HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', '']) client.writeLine(line);
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
    yield* server.close();
  });
});

example('a client reads each chunk as it is written, 40 ms apart, while a second request streams at the same time', async () => {
  await runClean(function* () {
    const chunks = ['one ', 'two ', 'three'];
    const server = yield* startStreamingServer({ chunks, intervalMs: 40 });
    const stream = spawn(readChunks, server.url);
    const whole = spawn(request, server.url);
    yield* joinAll([stream, whole], { raiseError: true });

    const pieces = stream.value!;
    assert.equal(pieces.map((p) => p.text), chunks, 'one piece per chunk, in order');
    assert.ok(pieces[1].atMs >= 40, `chunk 2 came ${pieces[1].atMs} ms after the request`);
    assert.ok(pieces[2].atMs >= 80, `chunk 3 came ${pieces[2].atMs} ms after the request`);
    assert.equal(whole.value, { status: 200, body: 'one two three' });

    yield* server.close();
  });
});

example.run();
