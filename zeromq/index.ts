/**
 * grove/zeromq: ZeroMQ sockets whose `send` and `receive` block only the
 * calling greenlet (pyzmq's `zmq.green` for gevent), over the `zeromq`
 * package, an optional peer dependency of grove loaded by the first
 * `openSocket`. They wait as `call()` does, so they work on either clock: on
 * a virtual one, a `{ timeout }` fires after as many real ms.
 */
export { openSocket, type OpenSocketOptions } from './open-socket.js';
export { Socket, SocketClosed, ZeroMQError, type Frame, type SocketWaitOptions } from './socket.js';
export { ZeroMQUnavailable, type SocketType } from './internal/binding.js';
