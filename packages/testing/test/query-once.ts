import pg from 'pg';

/** Runs `text` on a connection of its own, closed after. */
export async function queryOnce<Row>(url: string, text: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as Row[];
  } finally {
    await client.end();
  }
}
