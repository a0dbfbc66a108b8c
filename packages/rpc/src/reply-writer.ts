import { type Executor, type Pgq, ValidationError } from '@pgq/core';
import { toJsonText } from '@pgq/core/internal';
import { toReplyError } from './reply-error.js';
import { isRequestId } from './request-id.js';
import { type ReplyInput, replyInsert } from './sql/reply-insert.js';

/** The request a reply answers, and where to announce it. */
export interface ReplyTarget {
  requestId: string;
  replyTo: string;
}

/**
 * Stores `response` (JSON; `undefined` becomes `null`) as the reply to a request and
 * notifies its caller, in one statement (on `tx` when given). Returns false when the request
 * already had a reply. Throws `ValidationError`, writing nothing, for a response that is not
 * JSON, and `PayloadTooLargeError` for one over `connect({ maxValueBytes })`.
 */
export async function writeResponse(
  pgq: Pgq,
  target: ReplyTarget,
  response: unknown,
  tx?: Executor,
): Promise<boolean> {
  const [stored] = await writeReplies(
    pgq,
    [responseReply(target, response, pgq.maxValueBytes)],
    tx,
  );
  return stored!;
}

/** Stores an error (anything thrown) as the reply to a request and notifies its caller. */
export async function writeError(
  pgq: Pgq,
  target: ReplyTarget,
  error: unknown,
  tx?: Executor,
): Promise<boolean> {
  const [stored] = await writeReplies(pgq, [errorReply(target, error)], tx);
  return stored!;
}

/**
 * Stores replies and notifies their callers in one statement (on `tx` when given): true for
 * each reply stored, false where its request already had one.
 */
export async function writeReplies(
  pgq: Pgq,
  replies: readonly ReplyInput[],
  tx?: Executor,
): Promise<boolean[]> {
  const stored = await replyInsert(pgq, replies, tx);
  return replies.map((reply) => stored.has(reply.requestId));
}

/**
 * The row that answers a request with `response`; throws `ValidationError` when not JSON and
 * `PayloadTooLargeError` when over `maxValueBytes`.
 */
export function responseReply(
  target: ReplyTarget,
  response: unknown,
  maxValueBytes: number,
): ReplyInput {
  assertTarget(target);
  const text = response === undefined ? 'null' : toJsonText(response, 'response', maxValueBytes);
  return { ...target, response: text, error: null };
}

function errorReply(target: ReplyTarget, error: unknown): ReplyInput {
  assertTarget(target);
  return { ...target, response: null, error: toJsonText(toReplyError(error), 'error') };
}

function assertTarget({ requestId, replyTo }: ReplyTarget): void {
  if (!isRequestId(requestId)) {
    throw new ValidationError(`Invalid request id ${JSON.stringify(requestId)}: expected a UUID`);
  }
  if (typeof replyTo !== 'string' || replyTo.length === 0 || Buffer.byteLength(replyTo) > 63) {
    throw new ValidationError(
      `Invalid reply channel ${JSON.stringify(replyTo)}: expected 1 to 63 bytes`,
    );
  }
}
