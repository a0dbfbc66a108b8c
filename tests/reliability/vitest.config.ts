import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { shared } from '../../vitest.shared.js';

// The reliability suite runs on its own (`pnpm test:reliability`): its tests inject real faults
// (SIGKILL, server restarts, killed connections) and take tens of seconds each.
export default defineConfig({
  plugins: shared.plugins,
  resolve: shared.resolve,
  ssr: shared.ssr,
  test: {
    name: '@pgq/reliability',
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: [shared.globalSetup],
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
