import { assertName, InvalidNameError, maxNameLength } from '@pgq/core';

/**
 * What a subscription listens to: one channel, or a NATS-style pattern over dot-separated
 * segments (`*` is exactly one segment, `>` is one or more trailing segments).
 *
 * @example
 * ```ts
 * const pattern: ChannelPattern = parseChannelPattern('events.>');
 * pattern.route; // 'events.>'
 * ```
 */
export interface ChannelPattern {
  /** The name or pattern as given. */
  readonly source: string;
  /** True when the pattern has a `*` or `>`. */
  readonly wildcard: boolean;
  /**
   * The pgq channel whose NOTIFY channel carries the messages: the channel itself, or the
   * fan-out channel (`<first segment>.>`) that every publish under that first segment
   * also notifies.
   */
  readonly route: string;
  /** True when a message published to `channel` belongs to this subscription. */
  matches(channel: string): boolean;
}

const literalSegment = /^[A-Za-z0-9_:-]+$/;

/**
 * Checks a channel name to publish to: `assertName`'s rules, plus no empty segment
 * (`events..x`, `events.`), so wildcard segments always mean the same thing.
 *
 * @example
 * ```ts
 * assertChannel('events.user_signup'); // 'events.user_signup'
 * assertChannel('events.'); // throws InvalidNameError
 * ```
 */
export function assertChannel(name: unknown): string {
  const channel = assertName('channel', name);
  if (channel.split('.').some((segment) => segment.length === 0)) {
    throw new InvalidNameError('channel', name, 'must not have an empty segment between dots');
  }
  return channel;
}

/**
 * The fan-out channel a publish to `channel` also notifies, so wildcard subscribers get it;
 * undefined for a channel without a dot (no wildcard pattern can match it).
 *
 * @example
 * ```ts
 * fanOutRoute('events.user_signup'); // 'events.>'
 * fanOutRoute('events'); // undefined
 * ```
 */
export function fanOutRoute(channel: string): string | undefined {
  const dot = channel.indexOf('.');
  // `>` is not a legal channel character, so this route can never clash with a real channel.
  return dot === -1 ? undefined : `${channel.slice(0, dot)}.>`;
}

/**
 * Parses a subscription's channel: a plain channel name, or a pattern such as `events.*`,
 * `events.>` or `events.*.created`. A pattern must start with a literal segment (that is
 * the fan-out channel it listens on) and `>` may only come last. Throws `InvalidNameError`.
 *
 * @example
 * ```ts
 * const pattern = parseChannelPattern('events.*');
 * pattern.matches('events.user_signup'); // true
 * pattern.matches('events.user.signup'); // false
 * ```
 */
export function parseChannelPattern(source: unknown): ChannelPattern {
  if (typeof source !== 'string' || (!source.includes('*') && !source.includes('>'))) {
    const channel = assertChannel(source);
    return {
      source: channel,
      wildcard: false,
      route: channel,
      matches: (name) => name === channel,
    };
  }
  if (source.length > maxNameLength) {
    throw new InvalidNameError('channel', source, `must be at most ${maxNameLength} characters`);
  }
  const segments = source.split('.');
  const [first = ''] = segments;
  if (first === '*' || first === '>') {
    throw new InvalidNameError(
      'channel',
      source,
      'a wildcard pattern must start with a literal segment, as in "events.*" or "events.>"',
    );
  }
  assertName('channel', first);
  segments.forEach((segment, index) => {
    if (segment === '>' && index !== segments.length - 1) {
      throw new InvalidNameError('channel', source, '">" may only be the last segment');
    }
    if (segment !== '*' && segment !== '>' && !literalSegment.test(segment)) {
      throw new InvalidNameError(
        'channel',
        source,
        'each segment must be "*", ">" or letters, digits, "_", ":" and "-"',
      );
    }
  });
  return {
    source,
    wildcard: true,
    route: `${first}.>`,
    matches: (channel) => matchSegments(segments, channel.split('.')),
  };
}

function matchSegments(pattern: readonly string[], channel: readonly string[]): boolean {
  for (let index = 0; index < pattern.length; index++) {
    const segment = pattern[index];
    if (segment === '>') return channel.length > index;
    if (index >= channel.length) return false;
    if (segment !== '*' && segment !== channel[index]) return false;
  }
  return pattern.length === channel.length;
}
