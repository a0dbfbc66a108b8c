/**
 * A database URL safe to print: every password in it replaced by `***`. That is the URL's
 * password, any query parameter whose name holds "password" (`?password=`, `sslpassword=`), and,
 * in a string that is no valid URL, everything between a user name's colon and the last `@`, and
 * every `password=` pair (as in a `host=db password=...` connection string).
 *
 * @example
 * ```ts
 * hidePassword('postgres://ada:s3cret@db:5432/app'); // 'postgres://ada:***@db:5432/app'
 * hidePassword('postgres://ada@db/app?password=s3cret'); // 'postgres://ada@db/app?password=***'
 * hidePassword('postgres://ada:p@ss word@db/app'); // 'postgres://ada:***@db/app'
 * ```
 */
export function hidePassword(url: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL: mask what looks like a password wherever it is.
  }
  if (!parsed) return hidePasswordPairs(hideUserInfoPassword(url));
  if (parsed.password !== '') parsed.password = '***';
  // Rewritten by hand: URLSearchParams would re-encode every other parameter, and `***`.
  parsed.search = hidePasswordPairs(parsed.search);
  return parsed.toString();
}

// `scheme://user:secret@host`, where the secret may hold anything, `@` included: up to the last `@`.
function hideUserInfoPassword(text: string): string {
  return text.replace(/(:\/\/[^:/@?#]*):.*@/s, '$1:***@');
}

// `password=secret` pairs, quoted or not, in a query string or a key=value connection string.
function hidePasswordPairs(text: string): string {
  return text.replace(
    /(\b[\w-]*password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^&\s]*)/gi,
    (_, key: string, value: string) => (value === '' ? key : `${key}***`),
  );
}

/**
 * What is wrong with a database URL, or undefined when `pg` can use it: a
 * `postgres://` / `postgresql://` URL, or a Unix socket directory (`/var/run/postgresql`).
 * Checked before connecting, because `pg` reads a bare word as a host name in a confusing way.
 *
 * @example
 * ```ts
 * databaseUrlProblem('localhost'); // 'expected postgres://user:password@host:port/database'
 * ```
 */
export function databaseUrlProblem(url: string): string | undefined {
  const expected = 'expected postgres://user:password@host:port/database';
  if (url.startsWith('/')) return undefined;
  if (!/^postgres(ql)?:\/\//i.test(url)) return expected;
  try {
    new URL(url);
    return undefined;
  } catch {
    return `not a valid URL (${expected})`;
  }
}
