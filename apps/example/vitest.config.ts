// Lets `npx vitest run --root apps/example` run this app's tests on their own, the way the
// root config runs each package's: the same `@pgq/source` condition, `.sql` loader and
// database setup.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [
    {
      name: 'pgq-sql-text',
      transform(code, id) {
        if (id.endsWith('.sql'))
          return { code: `export default ${JSON.stringify(code)};`, map: null };
        return undefined;
      },
    },
  ],
  resolve: { conditions: ['@pgq/source'] },
  ssr: { resolve: { conditions: ['@pgq/source'] } },
  test: {
    name: '@pgq/example',
    include: ['test/**/*.test.ts'],
    globalSetup: [fileURLToPath(new URL('../../vitest.global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
