// CPU cost per op (node + postgres backends) of the set and get phases: robust to machine load.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { connect, quoteIdentifier, quoteLiteral } from '@pgq/core';
const { Cache } = await import(process.env.BEFORE ? './zz-before/src/index.js' : '../src/index.js');
const app = `cpu_${randomBytes(3).toString('hex')}`;
const pgq = connect({ connectionString: `postgres://postgres@127.0.0.1:5432/postgres?application_name=${app}`, schema: `diag_${randomBytes(4).toString('hex')}`, max: 16 });
const folder = new URL('../../migrate/sql/', import.meta.url);
for (const file of readdirSync(folder).filter((n) => n.endsWith('.sql')).sort()) {
  const sql = readFileSync(new URL(file, folder), 'utf8').replaceAll(':"schema"', quoteIdentifier(pgq.schema)).replaceAll(":'schema'", quoteLiteral(pgq.schema));
  await pgq.pool.query(sql);
}
const jiffies = (pid: number | string) => { try { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) * 10; } catch { return 0; } };
const monitor = connect({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres', max: 1 });
const backends = async () => (await monitor.pool.query('select pid from pg_stat_activity where application_name = $1', [app])).rows.map((r) => r.pid as number);
const cpu = async () => { let total = 0; for (const pid of await backends()) total += jiffies(pid); return [jiffies('self'), total]; };
const cache = new Cache(pgq, { namespace: 'bench' });
async function measure(count: number, operation: (index: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => { for (let index = next++; index < count; index = next++) await operation(index); }));
}
const profile = (index: number) => ({ id: index, name: `User ${index}`, email: `user${index}@example.com`, roles: ['reader', 'writer'], updatedAt: '2025-01-01T00:00:00.000Z' });
await measure(1000, (i) => cache.set(`warm:${i}`, profile(i), 300));
await measure(1000, (i) => cache.get(`warm:${i}`));
// backends exist now (connections are not closed while idle for 10 s)
const phase = async (name: string, op: (i: number) => Promise<unknown>) => {
  const [n0, p0] = await cpu(); const t0 = performance.now();
  await measure(10000, op);
  const [n1, p1] = await cpu(); const ms = performance.now() - t0;
  return `${name}: node ${((n1! - n0!) / 10).toFixed(1)} pg ${((p1! - p0!) / 10).toFixed(1)} µs/op, wall ${(ms * 100).toFixed(0) / 1000} µs/op`;
};
const threads = () => { const out: Record<string, number[]> = {}; for (const tid of readdirSync('/proc/self/task')) { const raw = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8'); const name = raw.slice(raw.indexOf('(') + 1, raw.indexOf(')')); const f = raw.split(') ')[1]!.split(' '); out[`${name}:${tid}`] = [Number(f[11]) * 10, Number(f[12]) * 10]; } return out; };
const before = threads();
import { Session } from 'node:inspector/promises';
import { writeFileSync } from 'node:fs';
const session = new Session(); session.connect();
await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 }); await session.post('Profiler.start');
process.on('exit', () => { const after = threads(); for (const [k, [u, s]] of Object.entries(after)) { const [u0, s0] = before[k] ?? [0, 0]; if (u - u0 + s - s0 > 0) console.log(k, 'user', u - u0, 'sys', s - s0, 'ms'); } });
console.log(await phase('set', (i) => cache.set(`user:${i}:profile`, profile(i), 300)), '|', await phase('get', (i) => cache.get(`user:${i}:profile`)));
const { profile: cpuProfile } = await session.post('Profiler.stop'); writeFileSync('/tmp/phase.cpuprofile', JSON.stringify(cpuProfile));
await pgq.pool.query(`drop schema ${pgq.quotedSchema} cascade`);
await pgq.close(); await monitor.close();
