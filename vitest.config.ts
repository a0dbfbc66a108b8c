import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

// Absolute roots: vitest resolves a project's root from the working directory, so the
// packages' own `vitest run --root ../.. --project …` (pnpm --filter … test) found no files.
const projects = [
  ...readdirSync(new URL('./packages', import.meta.url)).map((name) => ({
    name,
    root: fileURLToPath(new URL(`./packages/${name}`, import.meta.url)),
  })),
  { name: 'example', root: fileURLToPath(new URL('./apps/example', import.meta.url)) },
];

export default defineConfig({
  plugins: shared.plugins,
  resolve: shared.resolve,
  ssr: shared.ssr,
  test: {
    // Every project inherits this; the first to run starts the server, the rest see DATABASE_URL.
    globalSetup: [shared.globalSetup],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: projects.map(({ name, root }) => ({
      extends: true,
      test: {
        name: `@pgq/${name}`,
        root,
        include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      },
    })),
  },
});
