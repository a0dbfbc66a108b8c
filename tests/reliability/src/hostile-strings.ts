import fc from 'fast-check';

/**
 * What a name or a key would need to break out of SQL text if it were ever spliced in: quotes,
 * dollar quotes, `format()` directives, comment and statement terminators, escapes, control
 * characters, NUL, lone surrogates, multibyte characters. Statements inside create objects
 * whose names start with `marker`, so a successful injection leaves a trace to find.
 */
export function hostileFragments(marker: string): string[] {
  return [
    '"',
    "'",
    '""',
    "''",
    '$$',
    '$q$',
    '%I',
    '%L',
    '%s',
    '%%',
    ';',
    '--',
    '/*',
    '*/',
    '\\',
    '\n',
    '\r\n',
    '\t',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    'é',
    'ß',
    '日本',
    '😀',
    '\u200b',
    '.',
    ':',
    '-',
    '*',
    '>',
    `"; create table ${marker}_t (i int); --`,
    `'); create schema ${marker}_s; --`,
    `$$; create role ${marker}_r; $$`,
    `%I); create table ${marker}_f (i int); --`,
  ];
}

/**
 * Strings built from hostile fragments, plain name characters and arbitrary text, around the
 * 63-byte identifier limit too: the inputs every name check must either refuse or survive.
 */
export function hostileString(marker: string): fc.Arbitrary<string> {
  const fragment = fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...hostileFragments(marker)) },
    { weight: 3, arbitrary: fc.stringMatching(/^[A-Za-z0-9_]{1,8}$/) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 4 }) },
  );
  return fc.oneof(
    { weight: 6, arbitrary: fc.array(fragment, { maxLength: 6 }).map((parts) => parts.join('')) },
    { weight: 1, arbitrary: nearIdentifierLimit() },
  );
}

/**
 * 62 to 65 bytes of ASCII name characters, possibly ending in a multibyte character that
 * straddles byte 63 (PostgreSQL truncates identifiers at 63 bytes).
 */
export function nearIdentifierLimit(): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.integer({ min: 60, max: 65 }),
      fc.constantFrom('', 'é', '日', '😀'),
      fc.stringMatching(/^[a-z]$/),
    )
    .map(([length, tail, letter]) => {
      const head = letter.repeat(Math.max(1, length - Buffer.byteLength(tail)));
      return head + tail;
    });
}

/**
 * Names every check accepts but that are awkward elsewhere: object-prototype words (a plain
 * object used as a map would break on them), 63-character names, names that differ from
 * another only in case or in their last character, punctuation at the edges.
 */
export function trickyValidName(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'valueOf',
      'Emails',
      'emails',
      'EMAILS',
      '_',
      '0',
      'a-',
      'a:',
      'a.b',
      'a.b.c',
      'a'.repeat(63),
      `${'a'.repeat(62)}b`,
      `${'a'.repeat(62)}B`,
    ),
    fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_:-]{0,62}$/),
  );
}
