import { fileURLToPath } from 'node:url';

/** Migrations are plain .sql files, embedded as text (tsup's text loader does the same at build). */
const sqlText = {
  name: 'pgq-sql-text',
  transform(code: string, id: string) {
    if (id.endsWith('.sql')) return { code: `export default ${JSON.stringify(code)};`, map: null };
    return undefined;
  },
};

/**
 * What every pgq test run shares: packages resolved to their sources, .sql as text, and one
 * PostgreSQL for the run (`DATABASE_URL`, or an embedded server the global setup starts).
 */
export const shared = {
  plugins: [sqlText],
  resolve: { conditions: ['@pgq/source'] },
  ssr: { resolve: { conditions: ['@pgq/source'] } },
  globalSetup: fileURLToPath(new URL('./vitest.global-setup.ts', import.meta.url)),
};
