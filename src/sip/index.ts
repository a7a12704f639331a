/** The SIP layer's public surface: a pure codec (node built-ins only). */
export { byteStringToText, toByteString } from './chars.js';

export { SIP_ERRORS, SipError, type SipErrorCode, type SipResult } from './errors.js';
export { canonicalName, headerKey, LIST_HEADERS, splitList } from './headers.js';
export { isKeepalive, KEEPALIVE_PONG } from './keepalive.js';
export { DEFAULT_LIMITS, makeLimits, SIP_LIMIT_PARAMS, type SipLimits } from './limits.js';
export { type HeaderField, headerField, type SipKind, SipMessage } from './message.js';
export {
  type Contact,
  contactExpires,
  contactInstance,
  contactQ,
  contactRegId,
  NameAddr,
  parseContact,
  parseNameAddr,
} from './name-addr.js';
export { type Param, Params } from './parameters.js';
export { type ParseMode, parseMessage } from './parse.js';
export { createResponse, REASON_PHRASES, type ResponseOptions, responseBytes } from './response.js';
export {
  addReceived,
  decrementMaxForwards,
  popRoute,
  popVia,
  prependPath,
  prependRecordRoute,
  pushVia,
  type Source,
} from './routing.js';
export {
  type CSeq,
  type MediaType,
  parseCallId,
  parseContentType,
  parseCSeq,
  parseDeltaSeconds,
  parseMaxForwards,
} from './scalars.js';
export { serialize } from './serialize.js';
export { type FramerEvent, SipStreamFramer } from './stream-framer.js';
export { OtherUri, parseSipUri, parseUri, SipUri, TelUri, type Uri, unescapeUri } from './uri.js';
export { validateMessage } from './validate.js';
export { parseVia, receivedValue, Via } from './via.js';
