/**
 * grove/server: gevent's servers on Node's `net` and `http` (and `ws` for
 * WebSockets). A greenlet per client (`StreamServer`), per request or per
 * WebSocket (`HttpServer`), in a `Pool` when the number at once must be
 * bounded; blocking reads and writes that honour
 * backpressure both ways; `stop({ timeout })` as gevent's. Their clients:
 * `connect` (TCP) and `connectWebSocket`. Servers and sockets need the
 * real clock (`run()`), not a virtual one.
 */
export { type Address, type AddressInput } from './address.js';
export { ListenError, type ServerOptions, type StopOptions } from './base-server.js';
export {
  Connection,
  ConnectionClosed,
  LineTooLong,
  connect,
  type ConnectOptions,
  type ReadLineOptions,
  type RecvOptions,
  type SendOptions,
} from './connection.js';
export { StreamServer, type StreamHandler } from './stream-server.js';
export { HttpServer, type HttpHandler, type HttpServerOptions } from './http-server.js';
export { HttpRequest, type BodyOptions } from './http-request.js';
export { HttpResponse, type Chunk, type WriteOptions } from './http-response.js';
export { HttpError, BodyTooLarge } from './http-error.js';
export {
  WebSocket,
  WebSocketClosed,
  type WebSocketHandler,
  type WebSocketMessage,
  type WebSocketWaitOptions,
} from './websocket.js';
export { WebSocketConnectError, connectWebSocket, type ConnectWebSocketOptions } from './connect-websocket.js';
