import { randomBytes } from 'node:crypto';
import type { Pgq } from '@pgq/core';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * A caller's prefix: 12 random hex digits (48 bits) shared by every request id of one
 * `RpcClient`. It names the caller's reply channel, so a reply can be announced knowing
 * only its request id (`respond(requestId, response)`, as in the seed's `store_response`).
 */
export function newCallerPrefix(): string {
  return randomBytes(6).toString('hex');
}

/**
 * A fresh request id: a UUID (version 4 layout) whose first 48 bits are the caller's prefix
 * and whose other 74 free bits are random, so ids never repeat across calls or callers.
 */
export function newRequestId(callerPrefix: string): string {
  const random = randomBytes(10);
  random[0] = (random[0]! & 0x0f) | 0x40; // version 4
  random[2] = (random[2]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = random.toString('hex');
  return `${callerPrefix.slice(0, 8)}-${callerPrefix.slice(8, 12)}-${hex.slice(0, 4)}-${hex.slice(4, 8)}-${hex.slice(8, 20)}`;
}

/** True for a lower- or upper-case UUID string. */
export function isRequestId(value: unknown): value is string {
  return typeof value === 'string' && uuidPattern.test(value.toLowerCase());
}

/** The prefix of the caller that made `requestId` (its first 48 bits, in hex). */
export function callerPrefixOf(requestId: string): string {
  return requestId.toLowerCase().replace('-', '').slice(0, 12);
}

/** The NOTIFY channel of the caller that made `requestId`: derived from its prefix. */
export function replyChannelOf(pgq: Pgq, requestId: string): string {
  return pgq.channel(`rpc.reply.${callerPrefixOf(requestId)}`);
}
