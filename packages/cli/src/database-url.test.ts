import { describe, expect, it } from 'vitest';
import { hidePassword } from './database-url.js';

describe('hidePassword', () => {
  it.each([
    [
      'the password of a URL',
      'postgres://ada:s3cret@db:5432/app',
      'postgres://ada:***@db:5432/app',
    ],
    [
      '?password=',
      'postgres://ada@db:5432/app?password=s3cret',
      'postgres://ada@db:5432/app?password=***',
    ],
    [
      '?password= among other parameters',
      'postgres://db/app?sslmode=require&PASSWORD=s3cret&application_name=x',
      'postgres://db/app?sslmode=require&PASSWORD=***&application_name=x',
    ],
    ['sslpassword=', 'postgres://db/app?sslpassword=s3cret', 'postgres://db/app?sslpassword=***'],
    [
      'both at once',
      'postgres://ada:one@db/app?password=two',
      'postgres://ada:***@db/app?password=***',
    ],
    ['a malformed URL', 'postgres://ada:s3cret@db:99999/app', 'postgres://ada:***@db:99999/app'],
    [
      'a password holding @',
      'postgres://ada:s3c@ret@db:99999/app',
      'postgres://ada:***@db:99999/app',
    ],
    ['a password holding a space', 'postgres://ada:s3c ret@db/app', 'postgres://ada:***@db/app'],
    [
      'a password holding / and ?',
      'postgres://ada:a/b?c@db:99999/app',
      'postgres://ada:***@db:99999/app',
    ],
    [
      'password= in a malformed URL',
      'postgres://ada@db:99999/app?password=s3cret',
      'postgres://ada@db:99999/app?password=***',
    ],
    [
      'a key=value string',
      'host=db user=ada password=s3cret dbname=app',
      'host=db user=ada password=*** dbname=app',
    ],
    [
      'a quoted key=value password',
      "host=db password='s3 cr\\'et' dbname=app",
      'host=db password=*** dbname=app',
    ],
  ])('hides %s', (_, url, hidden) => {
    expect(hidePassword(url)).toBe(hidden);
    expect(hidePassword(url)).not.toMatch(/s3c|one|two|a\/b/);
  });

  it('leaves a URL without a password as it is', () => {
    expect(hidePassword('postgres://ada@db:5432/app?sslmode=require')).toBe(
      'postgres://ada@db:5432/app?sslmode=require',
    );
    expect(hidePassword('/var/run/postgresql')).toBe('/var/run/postgresql');
  });
});
