import type { StandardSchemaV1 } from '@standard-schema/spec';
import { ValidationError } from './errors/validation-error.js';

export type { StandardSchemaV1 } from '@standard-schema/spec';

/**
 * A named, typed payload: a queue's jobs, a channel's messages or an RPC method's request.
 * Any Standard Schema validator works (zod 4, valibot, arktype). Build them with `@pgq/schema`.
 *
 * @example
 * ```ts
 * const sendEmail: Contract<'emails', typeof schema> = { name: 'emails', schema };
 * ```
 */
export interface Contract<
  Name extends string = string,
  Schema extends StandardSchemaV1 = StandardSchemaV1,
> {
  readonly name: Name;
  readonly schema: Schema;
  /** Options applied when a call does not set them (e.g. a job's `maxAttempts`). */
  readonly defaults?: ContractDefaults;
}

/** Defaults a contract may carry; each package reads the ones that apply to it. */
export interface ContractDefaults {
  /** Jobs: attempts before a job is dead. */
  maxAttempts?: number;
  /** Jobs: higher runs first. */
  priority?: number;
  /** RPC methods: how long a call waits for its reply. */
  timeoutMs?: number;
}

/**
 * An RPC method: `schema` validates the request, `response` the reply.
 *
 * @example
 * ```ts
 * const resize: MethodContract<'images', typeof request, typeof response> = { name: 'images', schema: request, response };
 * ```
 */
export interface MethodContract<
  Name extends string = string,
  Request extends StandardSchemaV1 = StandardSchemaV1,
  Response extends StandardSchemaV1 = StandardSchemaV1,
> extends Contract<Name, Request> {
  readonly response: Response;
}

/** What a method's handler returns (before validation). */
export type MethodResponseInput<C> =
  C extends MethodContract<string, StandardSchemaV1, infer R>
    ? StandardSchemaV1.InferInput<R>
    : never;
/** What a method's caller receives (after validation). */
export type MethodResponseOutput<C> =
  C extends MethodContract<string, StandardSchemaV1, infer R>
    ? StandardSchemaV1.InferOutput<R>
    : never;

/** What a caller passes to a contract (before defaults and transforms). */
export type ContractInput<C> =
  C extends Contract<string, infer S> ? StandardSchemaV1.InferInput<S> : never;
/** What a handler receives from a contract (after validation). */
export type ContractOutput<C> =
  C extends Contract<string, infer S> ? StandardSchemaV1.InferOutput<S> : never;

/** True for a `Contract`, false for a plain name. */
export function isContract(value: unknown): value is Contract {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Contract).name === 'string' &&
    typeof (value as Contract).schema?.['~standard']?.validate === 'function'
  );
}

/** The name of a contract, or the name itself. */
export function nameOf(target: string | Contract): string {
  return typeof target === 'string' ? target : target.name;
}

/**
 * Validates `value` with a Standard Schema and returns the parsed output, or throws a
 * `ValidationError` listing every issue (path and message).
 */
export async function validate<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  what = 'payload',
): Promise<StandardSchemaV1.InferOutput<S>> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return result.value;
  throw new ValidationError(
    `Invalid ${what}`,
    result.issues.map((issue) => ({
      // Array.from: some validators (arktype) return an Array subclass with extra fields.
      path: Array.from(issue.path ?? [], (segment) =>
        typeof segment === 'object'
          ? (segment.key as string | number)
          : (segment as string | number),
      ),
      message: issue.message,
    })),
  );
}
