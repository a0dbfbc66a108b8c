import { PgqError } from './pgq-error.js';

/** What a name names, for the error message. */
export type NameKind = 'queue' | 'channel' | 'namespace' | 'schema' | 'schedule' | 'name';

/** A queue, channel, namespace or schema name broke a naming rule. Nothing was written. */
export class InvalidNameError extends PgqError {
  static readonly code = 'PGQ_INVALID_NAME';
  readonly kind: NameKind;
  readonly value: unknown;
  readonly rule: string;

  constructor(kind: NameKind, value: unknown, rule: string) {
    super(InvalidNameError.code, `Invalid ${kind} name ${JSON.stringify(value)}: ${rule}`);
    this.name = 'InvalidNameError';
    this.kind = kind;
    this.value = value;
    this.rule = rule;
  }
}
