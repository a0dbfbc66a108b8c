import { defineConfig } from 'tsup';

// Both builds write to dist/ at once, so each cleans only its own files, and ESM chunks
// (the lazily loaded dashboard) go to a folder per build.
export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: ['index.*', 'index-chunks/**'],
    sourcemap: true,
    target: 'node20',
    esbuildOptions(options) {
      options.chunkNames = 'index-chunks/[name]-[hash]';
    },
  },
  {
    // The `pgq` binary: ESM only (ink, used by the dashboard, is ESM with top-level await).
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    clean: ['bin.*', 'bin-chunks/**'],
    sourcemap: true,
    target: 'node20',
    esbuildOptions(options) {
      options.chunkNames = 'bin-chunks/[name]-[hash]';
    },
  },
]);
