import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const projects = [
  ...readdirSync(new URL('./packages', import.meta.url)).map((name) => ({
    name,
    root: `packages/${name}`,
  })),
  { name: 'example', root: 'apps/example' },
];

export default defineConfig({
  // Migrations are plain .sql files embedded as text (tsup's text loader does the same at build).
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
    // Every project inherits this; the first to run starts the server, the rest see DATABASE_URL.
    globalSetup: [fileURLToPath(new URL('./vitest.global-setup.ts', import.meta.url))],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: projects.map(({ name, root }) => ({
      extends: true,
      test: {
        name: `@pgq/${name}`,
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
        exclude: ['test/chaos/**'],
      },
    })),
  },
});
