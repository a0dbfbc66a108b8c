import { type StandardSchemaV1, ValidationError, validate } from '@pgq/core';
import type { Context } from 'hono';

/**
 * The request's JSON body, validated by `schema`; throws `ValidationError` (a 400, see
 * `http-errors.ts`) when it is not JSON or does not match.
 *
 * @example
 * ```ts
 * const { email } = await readBody(c, signupRequest);
 * ```
 */
export async function readBody<Schema extends StandardSchemaV1>(
  c: Context,
  schema: Schema,
): Promise<StandardSchemaV1.InferOutput<Schema>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    throw new ValidationError('The request body must be JSON', [], { cause: error });
  }
  return validate(schema, body, 'request body');
}
