/**
 * Plumbing shared by pgq's own packages. Not part of the public API: it may change in any
 * release. Apps import from `@pgq/core`.
 */
export {
  type ErrorEmitter,
  type ReportErrorOptions,
  reportError,
} from './lifecycle/report-error.js';
export { Service, type ServiceOptions } from './lifecycle/service.js';
export { WakeLoop, type WakeLoopOptions } from './lifecycle/wake-loop.js';
