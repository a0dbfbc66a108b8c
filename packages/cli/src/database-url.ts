/**
 * A database URL safe to print: the password replaced by `***`.
 *
 * @example
 * ```ts
 * hidePassword('postgres://ada:s3cret@db:5432/app'); // 'postgres://ada:***@db:5432/app'
 * ```
 */
export function hidePassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Not a URL we can parse: hide anything after a user name, and any password= pair.
    return url
      .replace(/\/\/([^:/@]*):[^@]*@/, '//$1:***@')
      .replace(/password=\S+/gi, 'password=***');
  }
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
