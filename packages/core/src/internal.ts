/**
 * Plumbing shared by pgq's own packages (`@pgq/core/internal`). Not part of the public API:
 * it may change in any release, without a major version. Apps import from `@pgq/core`.
 */
export { abortable, assertSignal, watchAbort } from './abortable.js';
export { Batcher } from './batcher.js';
export { type ErrorRecord, toErrorRecord } from './error-record.js';
export { runOn } from './executor.js';
export { toJsonText } from './json-text.js';
export {
  type ErrorEmitter,
  type ReportErrorOptions,
  reportError,
} from './lifecycle/report-error.js';
export { Service, type ServiceOptions } from './lifecycle/service.js';
export { WakeLoop, type WakeLoopOptions } from './lifecycle/wake-loop.js';
export { quoteLiteral } from './names.js';
export { isPlainJson } from './plain-json.js';
export {
  genericPlanRows,
  Statement,
  type StatementOptions,
  type StatementRunOptions,
} from './statement.js';
export { Sweeper, type SweeperOptions } from './sweeper.js';
export { textProblem } from './text.js';
export { assertValueSize, valueSizeLimit } from './value-size.js';
