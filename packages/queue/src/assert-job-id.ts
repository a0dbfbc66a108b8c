import { ValidationError } from '@pgq/core';

const idPattern = /^[1-9][0-9]{0,18}$/;

/** Checks a job id (a positive bigint as a string) at the API edge; throws `ValidationError`. */
export function assertJobId(id: unknown): string {
  if (typeof id !== 'string' || !idPattern.test(id)) {
    throw new ValidationError(
      `Invalid job id ${JSON.stringify(id)}: expected a positive integer string`,
    );
  }
  return id;
}
