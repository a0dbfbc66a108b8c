import { readdirSync } from 'node:fs';
import { defineConfig } from 'vitest/config';
import { shared } from './vitest.shared.js';

const projects = [
  ...readdirSync(new URL('./packages', import.meta.url)).map((name) => ({
    name,
    root: `packages/${name}`,
  })),
  { name: 'example', root: 'apps/example' },
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
