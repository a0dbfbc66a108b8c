import { type StandardSchemaV1, ValidationError } from '@pgq/core';

export function assertSchema(schema: unknown, where: string): asserts schema is StandardSchemaV1 {
  const standard = (schema as StandardSchemaV1 | undefined)?.['~standard'];
  if (typeof standard?.validate !== 'function') {
    throw new ValidationError(
      `${where}: expected a Standard Schema (zod 4, valibot, arktype, ...), got ${typeof schema}`,
    );
  }
}

export function assertWholeNumber(
  option: string,
  value: unknown,
  minimum = Number.MIN_SAFE_INTEGER,
): void {
  if (!Number.isSafeInteger(value) || (value as number) < minimum) {
    throw new ValidationError(
      `${option} must be a whole number of at least ${minimum}, got ${String(value)}`,
    );
  }
}
