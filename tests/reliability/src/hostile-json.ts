import fc from 'fast-check';

/** Keys that reach `Object.prototype` when a careless merge or assignment walks them. */
export const prototypeKeys = [
  '__proto__',
  'constructor',
  'prototype',
  'polluted',
  'toString',
  'valueOf',
  'hasOwnProperty',
  '__defineGetter__',
  'then',
  'toJSON',
  '',
];

/**
 * An object with these own, enumerable properties, made the way `JSON.parse` makes them
 * (define, not assign): a `__proto__` key is an own property, not a prototype change.
 */
export function objectFromEntries(entries: ReadonlyArray<readonly [string, unknown]>): object {
  const object = {};
  for (const [key, value] of entries) {
    Object.defineProperty(object, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return object;
}

/** Values that try to pollute: `__proto__` and `constructor.prototype` holding a marker. */
export function pollutionPayloads(): unknown[] {
  const marker = { polluted: 'yes', toString: 'broken' };
  return [
    JSON.parse('{"__proto__":{"polluted":"yes"}}'),
    JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}}}'),
    JSON.parse('{"a":[{"__proto__":{"polluted":"yes"}}],"__proto__":[1,2]}'),
    JSON.parse('[{"__proto__":null},{"__proto__":"x"},{"prototype":{"__proto__":{}}}]'),
    objectFromEntries([
      ['__proto__', marker],
      ['constructor', objectFromEntries([['prototype', marker]])],
    ]),
  ];
}

/**
 * JSON values with prototype-ish keys at any depth. `text` picks the strings: well-formed text
 * by default, or any UTF-16 (lone surrogates and NUL included) with `'binary'`.
 */
export function hostileJson(text: 'grapheme' | 'binary' = 'grapheme'): fc.Arbitrary<unknown> {
  const key = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...prototypeKeys) },
    { weight: 1, arbitrary: fc.string({ unit: text, maxLength: 6 }) },
  );
  const leaf = fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.string({ unit: text, maxLength: 12 }),
  );
  const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: object }>((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 5 }).map(objectFromEntries),
  }));
  return value;
}

/**
 * Where `received` differs from `sent` as JSON (object key order aside, as jsonb reorders
 * keys), as a path like `$.a[2]`; undefined when they are the same. Walks with its own stack,
 * not recursion, so it compares values nested deeper than the call stack allows.
 *
 * @example
 * ```ts
 * jsonDifference({ a: [1, 2] }, { a: [1, 3] }); // '$.a[1]'
 * ```
 */
export function jsonDifference(sent: unknown, received: unknown): string | undefined {
  // Paths are kept as links to the parent's, so a deep walk does not build long strings.
  type Path = { parent: Path | undefined; step: string };
  const render = (path: Path | undefined): string => {
    const steps: string[] = [];
    for (let at = path; at; at = at.parent) steps.push(at.step);
    return `$${steps.reverse().join('')}`;
  };
  const pending: Array<[unknown, unknown, Path | undefined]> = [[sent, received, undefined]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [left, right, path] = next;
    if (typeof left !== 'object' || left === null || typeof right !== 'object' || right === null) {
      // `===` also equates -0 and 0, which JSON cannot tell apart.
      if (left !== right) return render(path);
      continue;
    }
    if (Array.isArray(left) !== Array.isArray(right)) return render(path);
    const leftKeys = Object.keys(left).sort();
    const rightKeys = Object.keys(right).sort();
    if (
      leftKeys.length !== rightKeys.length ||
      leftKeys.some((key, index) => key !== rightKeys[index])
    ) {
      return `${render(path)} (keys)`;
    }
    for (const key of leftKeys) {
      const step = Array.isArray(left) ? `[${key}]` : `.${JSON.stringify(key)}`;
      pending.push([
        (left as Record<string, unknown>)[key],
        (right as Record<string, unknown>)[key],
        { parent: path, step },
      ]);
    }
  }
  return undefined;
}
