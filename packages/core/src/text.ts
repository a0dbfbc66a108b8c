/**
 * Why PostgreSQL cannot store a string as `text` or inside `jsonb`, or undefined when it can:
 * the NUL character, or a lone UTF-16 surrogate (no Unicode character: `pg` would send it as
 * U+FFFD, so two different strings would become one, and `jsonb` rejects its escape).
 *
 * @example
 * ```ts
 * textProblem('ok'); // undefined
 * textProblem('\ud800'); // 'contains a lone surrogate (not valid Unicode)'
 * ```
 */
export function textProblem(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains the NUL character, which PostgreSQL cannot store';
  if (loneSurrogate.test(value)) return 'contains a lone surrogate (not valid Unicode)';
  return undefined;
}

// With the `u` flag a well-formed pair is one code point, so only a lone half matches.
const loneSurrogate = /\p{Cs}/u;
