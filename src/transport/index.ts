// Public surface of the WebSocket transport (re-exported by src/index.ts).

export { WS_ERRORS, WsError, type WsErrorCode } from '../ws/errors.js';
export { Connection, type ConnectionHost } from './connection.js';
export { TRANSPORT_ERRORS, TransportError, type TransportErrorCode } from './errors.js';
export {
  type HttpHandler,
  type ListenInput,
  type ListenSpec,
  type PlainHttpRequest,
  type PlainHttpResponse,
  parseListen,
} from './listener.js';
export { PARAM_SPECS, resolveParams, type TransportParams } from './options.js';
export { CORE_TCP, PROTO_WS, PROTO_WSS, TRANSPORT_MODULES } from './params.js';
export { Transport, type TransportEvents, type TransportOptions } from './transport.js';
export type {
  CloseKind,
  CloseReason,
  ConnectionInfo,
  ConnState,
  Destination,
  IncomingMessage,
  ListenerInfo,
  LocalEndpoint,
  Logger,
  RemoteAddress,
  TlsDetails,
  TransportName,
  WsProto,
} from './types.js';
