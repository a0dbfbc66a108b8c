export { CliContext, type GlobalOptions } from './cli-context.js';
export { type CliIo, processIo } from './cli-io.js';
export { ExitCode } from './describe-error.js';
export { ConfigError } from './errors/config-error.js';
export { ConnectionError } from './errors/connection-error.js';
export { NotFoundError } from './errors/not-found-error.js';
export { UsageError } from './errors/usage-error.js';
export { createProgram } from './program.js';
export {
  type ConfigFile,
  type ConfigSource,
  configFileName,
  type ResolvedConfig,
} from './resolve-config.js';
export { run } from './run.js';
