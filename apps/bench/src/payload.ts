/** The job, message and cache value every workload sends: about 100 bytes of JSON. */
export interface BenchPayload {
  index: number;
  to: string;
  template: string;
  data: string;
}

/**
 * A ~100-byte JSON payload carrying its index, so a handler can match it to its send time.
 *
 * @example
 * ```ts
 * JSON.stringify(makePayload(7)).length; // about 100
 * ```
 */
export function makePayload(index: number): BenchPayload {
  return {
    index,
    to: `user-${String(Math.abs(index)).padStart(6, '0')}@example.com`,
    template: 'welcome-email',
    data: 'x'.repeat(20),
  };
}

/** `count` payloads numbered from `start`. */
export function makePayloads(count: number, start = 0): BenchPayload[] {
  return Array.from({ length: count }, (_, offset) => makePayload(start + offset));
}
