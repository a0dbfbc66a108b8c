import { PgqError, type PgqErrorOptions } from './pgq-error.js';

/** One problem found by a schema: where (`path`) and what (`message`). */
export interface ValidationIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

/** A payload, option or response did not pass validation. Nothing was written. */
export class ValidationError extends PgqError {
  static readonly code = 'PGQ_VALIDATION';
  readonly issues: readonly ValidationIssue[];

  constructor(message: string, issues: readonly ValidationIssue[] = [], options?: PgqErrorOptions) {
    const detail = issues
      .map((issue) =>
        issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message,
      )
      .join('; ');
    super(ValidationError.code, detail ? `${message}: ${detail}` : message, options);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}
