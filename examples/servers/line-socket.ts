/**
 * A TCP socket read line by line from a greenlet, as gevent's
 * `socket.makefile().readline()` is: Node delivers bytes in 'data'
 * callbacks outside any greenlet, which cut them into lines and
 * `putNowait` each into a Queue (never blocks, wakes the reader); the
 * end of the stream shuts the Queue down. `readLine()` blocks only the
 * greenlet calling it. An open LineSocket holds the hub (`hub.hold()`), as
 * any outside source of wake-ups should. The echo server and its clients
 * both use it.
 */
import { connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { Queue, QueueShutDown, call, getHub, type Operation, type QueueWaitOptions } from 'grove';

/** A socket whose incoming lines a greenlet reads with `yield* readLine()`, and which it writes line by line. */
export class LineSocket {
  /** Complete lines received and not read yet, without their line ends. */
  private readonly lines = new Queue<string>();

  /** Starts reading `socket`: from now on, each line that arrives is queued until a greenlet reads it. */
  constructor(readonly socket: Socket) {
    let partial = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      partial += chunk;
      for (let newline = partial.indexOf('\n'); newline >= 0; newline = partial.indexOf('\n')) {
        this.lines.putNowait(partial.slice(0, newline).replace(/\r$/, ''));
        partial = partial.slice(newline + 1);
      }
    });
    // The peer closed (or reset) the connection: lines already queued, and a
    // last one without its newline, are still read, then readLine() returns
    // null. A reset is not the reader's error to handle, any more than a close is.
    const end = (): void => {
      if (this.lines.isShutdown) return;
      if (partial !== '') this.lines.putNowait(partial);
      this.lines.shutdown();
    };
    socket.on('end', end);
    socket.on('error', end);
    // Until the socket closes, its callbacks may wake a reader: a run() main
    // blocked in readLine() is waiting for the network, not stuck.
    const hold = getHub().hold();
    socket.on('close', () => {
      end();
      hold.release();
    });
  }

  /**
   * The next line, without its `\n` or `\r\n`; `null` once the peer has
   * closed and every line was read. Blocks while no line has arrived; with
   * `timeout` (ms), throws `Empty` if none came in time.
   */
  *readLine(options?: QueueWaitOptions): Operation<string | null> {
    try {
      return yield* this.lines.get(options);
    } catch (error) {
      if (error instanceof QueueShutDown) return null;
      throw error;
    }
  }

  /** Lines received and not read yet. Never blocks. */
  pending(): number {
    return this.lines.qsize();
  }

  /** Sends `line` with a telnet line end (`\r\n`). Never blocks: Node buffers what the socket cannot take yet. */
  writeLine(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  /** Closes the connection after what was written is sent. */
  end(): void {
    this.socket.end();
  }

  /** Closes the connection at once. */
  destroy(): void {
    this.socket.destroy();
  }
}

/** Connects to `port` on 127.0.0.1: a client of the line server. Blocks until connected. */
export function* connectLines(port: number): Operation<LineSocket> {
  const socket = connect(port, '127.0.0.1');
  const client = new LineSocket(socket);
  yield* call(once(socket, 'connect'));
  return client;
}
