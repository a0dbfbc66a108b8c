import { PgqError, type PgqErrorOptions } from '@pgq/core';

/**
 * `pgq.config.json` could not be read or holds something unexpected.
 *
 * @example
 * ```ts
 * throw new ConfigError('/app/pgq.config.json', 'unknown key "schemas"');
 * ```
 */
export class ConfigError extends PgqError {
  static readonly code = 'PGQ_CLI_CONFIG';
  readonly path: string;

  constructor(path: string, problem: string, options?: PgqErrorOptions) {
    super(ConfigError.code, `Invalid config file ${path}: ${problem}`, options);
    this.name = 'ConfigError';
    this.path = path;
  }
}
