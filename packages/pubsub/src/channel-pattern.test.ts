import { InvalidNameError } from '@pgq/core';
import { describe, expect, it } from 'vitest';
import { assertChannel, fanOutRoute, parseChannelPattern } from './channel-pattern.js';

describe('parseChannelPattern', () => {
  it('matches one segment with * and one or more trailing segments with >', () => {
    const star = parseChannelPattern('events.*');
    expect(star.route).toBe('events.>');
    expect(star.matches('events.user_signup')).toBe(true);
    expect(star.matches('events.user.signup')).toBe(false);
    expect(star.matches('events')).toBe(false);
    expect(star.matches('other.user_signup')).toBe(false);

    const tail = parseChannelPattern('events.>');
    expect(tail.matches('events.user_signup')).toBe(true);
    expect(tail.matches('events.user.signup')).toBe(true);
    expect(tail.matches('events')).toBe(false);
    expect(tail.matches('eventsx.user')).toBe(false);

    const middle = parseChannelPattern('events.*.created');
    expect(middle.matches('events.user.created')).toBe(true);
    expect(middle.matches('events.user.deleted')).toBe(false);
    expect(middle.matches('events.user.created.late')).toBe(false);

    const deep = parseChannelPattern('events.user.>');
    expect(deep.route).toBe('events.>');
    expect(deep.matches('events.user.created')).toBe(true);
    expect(deep.matches('events.order.created')).toBe(false);
  });

  it('treats a name without wildcards as one exact channel', () => {
    const exact = parseChannelPattern('events.user_signup');
    expect(exact.wildcard).toBe(false);
    expect(exact.route).toBe('events.user_signup');
    expect(exact.matches('events.user_signup')).toBe(true);
    expect(exact.matches('events.user_signupx')).toBe(false);
  });

  it.each([
    ['*', 'must start with a literal segment'],
    ['>', 'must start with a literal segment'],
    ['*.created', 'must start with a literal segment'],
    ['events.>.created', 'may only be the last segment'],
    ['events.us*', 'each segment'],
    ['events..*', 'each segment'],
    ['events.* x', 'each segment'],
    [`events.${'a'.repeat(60)}.*`, 'at most 63'],
  ])('refuses the pattern %j', (pattern, rule) => {
    expect(() => parseChannelPattern(pattern)).toThrow(InvalidNameError);
    expect(() => parseChannelPattern(pattern)).toThrow(rule);
  });
});

describe('assertChannel', () => {
  it.each([
    'has space',
    'quo"te',
    "it's",
    '',
    'x'.repeat(200),
    'events.',
    'events..x',
    '.events',
    'events.*',
  ])('refuses %j', (name) => {
    expect(() => assertChannel(name)).toThrow(InvalidNameError);
  });

  it('accepts ordinary names', () => {
    expect(assertChannel('events.user_signup')).toBe('events.user_signup');
    expect(assertChannel('orders:eu-1')).toBe('orders:eu-1');
  });
});

describe('fanOutRoute', () => {
  it('is the first segment followed by >, for dotted channels only', () => {
    expect(fanOutRoute('events.user.created')).toBe('events.>');
    expect(fanOutRoute('events')).toBeUndefined();
  });
});
