// What the benchmarks of issue 12 share: the stack (embedded Postgres in a temp dir, a Temporal dev
// server, migrations, demo seed, the real worker in a process of its own, the real API server on
// 127.0.0.1), clean-up on exit, error and Ctrl-C, bounded waiting, opening incidents over HTTP at a
// given concurrency, process figures from /proc, percentiles, and the one JSON line each prints.
//
// Conventions: logs go to stderr, stdout gets exactly one JSON line at the end (also on failure,
// then with ok: false and the error), the exit code is 0 only if the run measured what it should.
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { loadConfig } from '../src/config.js';
import { createDatabase, runMigrations, type Database } from '../src/db/client.js';
import { seedDemoData } from '../src/infra/demo-seed.js';
import { startEmbeddedPostgres } from '../src/infra/embedded-postgres.js';
import { resolveTemporalCli, startTemporalDevServer } from '../src/infra/temporal-dev-server.js';
import { startApiServer } from '../src/server.js';
import { connectTemporal, type Temporal } from '../src/temporal/client.js';
import { ensureSearchAttributes } from '../src/temporal/namespace-setup.js';
import { freePort } from '../tests/support/ports.js';
import type { WorkerProcessConfig, WorkerProcessStats } from './worker-process.js';

// ---------------------------------------------------------------------------------------------
// Small things

export const env = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}=${raw} is not a number`);
  return value;
};
/** Wall clock in epoch milliseconds with sub-millisecond resolution (comparable with Postgres clock_timestamp()). */
export const now = (): number => performance.timeOrigin + performance.now();
export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** count per second between two instants (ms); null when there is nothing to divide. */
export const ratePerS = (count: number, from: number, to: number): number | null => (count > 0 && Number.isFinite(from) && Number.isFinite(to) && to > from ? round((count / (to - from)) * 1000) : null);
/** The largest of the values, or -Infinity (no spread, so no stack overflow for long lists). */
export const maxOf = (values: Iterable<number>): number => {
  let m = -Infinity;
  for (const v of values) if (v > m) m = v;
  return m;
};
export const minOf = (values: Iterable<number>): number => {
  let m = Infinity;
  for (const v of values) if (v < m) m = v;
  return m;
};
export const log = (message: string): void => void process.stderr.write(`[bench ${new Date().toISOString().slice(11, 23)}] ${message}\n`);
const repoRoot = fileURLToPath(new URL('..', import.meta.url));

/** Nearest-rank percentiles of milliseconds. */
export function stats(values: number[]): { n: number; p50: number | null; p90: number | null; p95: number | null; p99: number | null; max: number | null; mean: number | null } {
  const sorted = [...values].sort((a, b) => a - b);
  const q = (p: number) => (sorted.length === 0 ? null : round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!));
  return {
    n: sorted.length,
    p50: q(0.5),
    p90: q(0.9),
    p95: q(0.95),
    p99: q(0.99),
    max: sorted.length === 0 ? null : round(sorted.at(-1)!),
    mean: sorted.length === 0 ? null : round(sorted.reduce((s, v) => s + v, 0) / sorted.length),
  };
}

/**
 * An embedded Postgres in a temporary folder, migrated and seeded with the demo data, removed at
 * the end (onCleanup): the database benchmarks' start. Answers the pool and the demo tokens.
 */
export async function startBenchDatabase(): Promise<{ database: Database; tokens: Awaited<ReturnType<typeof seedDemoData>> }> {
  const pgDir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-pg-'));
  onCleanup('Postgres data dir', () => rm(pgDir, { recursive: true, force: true }));
  const pg = await startEmbeddedPostgres({ dataDir: pgDir, port: await freePort(), database: 'helpdesk_bench', persistent: false });
  onCleanup('Postgres', () => pg.stop());
  const database = createDatabase(pg.url);
  onCleanup('database pool', () => database.close());
  await runMigrations(database);
  return { database, tokens: await seedDemoData(database.db) };
}

/** Least squares y = a + b·x; null with fewer than two distinct x. */
export function linearFit(points: { x: number; y: number }[]): { intercept: number; slope: number } | null {
  const n = points.length;
  if (n < 2) return null;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  if (sxx === 0) return null;
  const slope = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0) / sxx;
  return { intercept: my - slope * mx, slope };
}

/** The commit measured and whether the measured code (src/, drizzle/, package files) had uncommitted changes. */
export function codeVersion(): { commit: string | null; dirty: boolean | null } {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  if (head.status !== 0) return { commit: null, dirty: null };
  const status = git('status', '--porcelain', '--', 'src', 'drizzle', 'package.json', 'package-lock.json');
  return { commit: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}

// ---------------------------------------------------------------------------------------------
// Clean-up: everything started registers how to stop it; run in reverse on success, error or signal.

const cleanups: { name: string; run: () => Promise<unknown> }[] = [];
let cleaning: Promise<void> | undefined;
let interruptedBy: string | undefined;
/** Set by Ctrl-C (or SIGTERM/SIGHUP): measuring loops stop, clean-up runs. */
export const interrupted = (): boolean => interruptedBy !== undefined;

export function onCleanup(name: string, run: () => Promise<unknown>): void {
  cleanups.push({ name, run });
}

export function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const { name, run } = cleanups.pop()!;
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([run(), new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('timed out after 30 s')), 30_000)))]);
      } catch (err) {
        log(`clean-up of ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      } finally {
        clearTimeout(timer);
      }
    }
  })();
  return cleaning;
}

// ---------------------------------------------------------------------------------------------
// The run: one JSON line at the end, whatever happens.

export interface BenchOutcome {
  ok: boolean;
  figures: Record<string, unknown>;
}

export async function runBench(name: string, settings: Record<string, unknown>, main: () => Promise<BenchOutcome>): Promise<never> {
  const started = now();
  const at = new Date().toISOString();
  const loadStart = loadavg().map((l) => round(l, 2));
  let printed = false;
  const print = (outcome: { ok: boolean; figures?: Record<string, unknown>; error?: string }) => {
    if (printed) return;
    printed = true;
    const line = {
      benchmark: name,
      at,
      ...codeVersion(),
      node: process.version,
      cpus: cpus().length,
      loadavg: loadavg().map((l) => round(l, 2)),
      loadavgAtStart: loadStart,
      durationS: round((now() - started) / 1000),
      settings,
      ok: outcome.ok,
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...outcome.figures,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      if (cleaning) {
        log(`${signal} again: exiting without waiting for clean-up`);
        process.exit(130);
      }
      interruptedBy = signal;
      log(`${signal}: stopping everything…`);
      print({ ok: false, error: `interrupted by ${signal}` });
      void cleanUp().finally(() => process.exit(130));
    });
  }
  let exitCode = 1;
  try {
    log(`${name}: ${JSON.stringify(settings)}`);
    const outcome = await main();
    print(outcome);
    exitCode = outcome.ok ? 0 : 1;
  } catch (err) {
    const message = interrupted() ? `interrupted by ${interruptedBy}` : err instanceof Error ? err.message : String(err);
    if (!interrupted()) log(`failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    print({ ok: false, error: message });
  } finally {
    await cleanUp();
  }
  process.exit(interrupted() ? 130 : exitCode);
}

/** Throws once the run was interrupted, so a loop can end with `checkInterrupted()`. */
export function checkInterrupted(): void {
  if (interrupted()) throw new Error('interrupted');
}

/**
 * Polls until `check` returns true, the deadline (epoch ms) passes or the run is interrupted;
 * `progress` is logged every 10 s. Returns whether the condition was met.
 */
export async function waitUntil(check: () => Promise<boolean>, deadline: number, options: { intervalMs?: number; progress?: () => string; stop?: () => boolean } = {}): Promise<boolean> {
  let lastReport = now();
  for (;;) {
    checkInterrupted();
    if (await check()) return true;
    if (now() > deadline || options.stop?.()) return false;
    if (options.progress && now() - lastReport > 10_000) {
      lastReport = now();
      log(`  ${options.progress()}`);
    }
    await sleep(options.intervalMs ?? 250);
  }
}

// ---------------------------------------------------------------------------------------------
// Processes: CPU and memory from /proc (Linux), by pid.

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  clockTicks ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return clockTicks;
}

export interface ProcFigures {
  rssMb: number;
  /** user + system CPU of the process and its reaped children, in ms. */
  cpuMs: number;
}

export function procFigures(pid: number | null | undefined): ProcFigures | null {
  if (!pid) return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the comm: state(3) ppid(4) … utime(14) stime(15) cutime(16) cstime(17); fields[0] is field 3.
    const ticks = [11, 12, 13, 14].reduce((s, i) => s + Number(fields[i] ?? 0), 0);
    return { rssMb: round(rssKb / 1024), cpuMs: (ticks / ticksPerSecond()) * 1000 };
  } catch {
    return null;
  }
}

/** The child of this process whose command line matches; for the Temporal dev server and the postmaster. */
function findChild(matches: (cmdline: string) => boolean): number | null {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      if (matches(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' '))) return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The worker in a process of its own (bench/worker-process.ts).

export interface WorkerProcess {
  pid: number;
  kind: WorkerProcessConfig['kind'];
  stats(): Promise<WorkerProcessStats | null>;
  /** The worker limits it runs with (maxCachedWorkflows, …; what is unset is the SDK's default). */
  limits(): Record<string, unknown>;
  /** Why it ended, if it did before we asked it to (e.g. ERR_WORKER_OUT_OF_MEMORY). */
  died(): string | null;
  stop(): Promise<void>;
}

const workerScript = fileURLToPath(new URL('./worker-process.ts', import.meta.url));

export async function startWorkerProcess(config: WorkerProcessConfig, options: { cpuProfDir?: string } = {}): Promise<WorkerProcess> {
  const execArgv = ['--import', 'tsx', ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : [])];
  // Own process group: a terminal's Ctrl-C reaches only us, and we stop the worker in order.
  const child: ChildProcess = fork(workerScript, [], { execArgv, env: { ...process.env, BENCH_WORKER: JSON.stringify(config) }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  let tail = '';
  const collect = (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-3000);
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  let failure: string | null = null;
  let stopping = false;
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = true;
      if (!stopping) failure ??= `the ${config.kind} worker process exited (code ${code}, signal ${signal}): ${/ERR_WORKER_OUT_OF_MEMORY|out of memory|heap limit/i.exec(tail)?.[0] ?? tail.trim().split('\n').at(-1) ?? ''}`;
      resolve();
    }),
  );
  const pending = new Map<number, (stats: WorkerProcessStats) => void>();
  let limits: Record<string, unknown> = {};
  let nextId = 1;
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  child.on('message', (message: { type: string; id?: number; error?: string } & WorkerProcessStats & Record<string, unknown>) => {
    if (message.type === 'ready') ready();
    else if (message.type === 'failed') failure = `the ${config.kind} worker failed: ${message.error ?? '?'}`;
    else if (message.type === 'limits') limits = Object.fromEntries(Object.entries(message).filter(([k, v]) => k !== 'type' && v !== undefined));
    else if (message.type === 'stats') pending.get(message.id!)?.(message);
  });
  const started = await Promise.race([readyPromise.then(() => true), exit.then(() => false), sleep(180_000).then(() => false)]);
  if (!started) {
    child.kill('SIGKILL');
    throw new Error(failure ?? `the ${config.kind} worker process did not get ready within 180 s`);
  }
  return {
    pid: child.pid!,
    kind: config.kind,
    died: () => failure,
    limits: () => limits,
    async stats() {
      if (exited || !child.connected) return null;
      const id = nextId++;
      const answer = new Promise<WorkerProcessStats>((r) => pending.set(id, r));
      child.send({ type: 'stats', id });
      const result = await Promise.race([answer, sleep(15_000).then(() => null)]);
      pending.delete(id);
      return result;
    },
    async stop() {
      stopping = true;
      if (!exited) {
        if (child.connected) child.send({ type: 'shutdown' });
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exit;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The stack

export interface WebhookHit {
  number: string;
  seq: number;
  to: number;
  receivedAt: number;
}

export interface Stack {
  databaseUrl: string;
  /** A small pool for the benchmark's own queries (the API has its own). */
  sql: Database['sql'];
  temporal: Temporal;
  taskQueue: string;
  apiUrl: string;
  /** Demo tokens by role (agent, manager, admin, mailgate, sales). */
  tokens: Record<string, string>;
  worker: WorkerProcess;
  bare: WorkerProcess | undefined;
  pids: { temporal: number | null; postgres: number | null };
  webhook: { url: string; hits: WebhookHit[] } | undefined;
  /** One JSON call against the API; throws on a status other than the expected ones. */
  call(method: string, path: string, options?: { token?: string; body?: unknown; expect?: number[] }): Promise<any>;
  /** CPU (ms) and RSS (MB) of each part, for deltas per incident. */
  figures(): Promise<Figures>;
}

export interface Figures {
  at: number;
  worker: WorkerProcessStats | null;
  bare: WorkerProcessStats | null;
  api: ProcFigures;
  temporal: ProcFigures | null;
  postgres: ProcFigures | null;
}

// The benchmark's own tables and triggers (bench database only): the instant each projection row
// and each escalation event was written, and the bare activity's row.
const benchSql = `
create table bench_bare (id text primary key, at timestamptz not null default clock_timestamp());
create table bench_projected (number text primary key, at timestamptz not null default clock_timestamp());
create function bench_mark_projected() returns trigger language plpgsql as $$
begin
  insert into bench_projected (number) values (new.number) on conflict do nothing;
  return null;
end $$;
create trigger bench_mark_projected after insert on incidents for each row execute function bench_mark_projected();
create table bench_escalation_written (incident_number text not null, seq integer not null, at timestamptz not null default clock_timestamp(), primary key (incident_number, seq));
create function bench_mark_escalation() returns trigger language plpgsql as $$
begin
  insert into bench_escalation_written (incident_number, seq) values (new.incident_number, new.seq) on conflict do nothing;
  return null;
end $$;
create trigger bench_mark_escalation after insert on incident_events for each row when (new.type = 'escalation_changed') execute function bench_mark_escalation();
`;

export async function startStack(options: { bareWorker?: boolean; webhook?: boolean; cpuProfDir?: string } = {}): Promise<Stack> {
  const begun = now();
  const temporalCli = resolveTemporalCli(process.env.TEMPORAL_CLI);
  const pgDir = await mkdtemp(join(tmpdir(), 'helpdesk-bench-pg-'));
  onCleanup('Postgres data dir', () => rm(pgDir, { recursive: true, force: true }));
  const [pg, temporalServer] = await Promise.all([
    freePort()
      .then((port) => startEmbeddedPostgres({ dataDir: pgDir, port, database: 'helpdesk_bench', persistent: false }))
      .then((p) => (onCleanup('Postgres', () => p.stop()), p)),
    freePort()
      .then((port) => startTemporalDevServer({ cli: temporalCli, host: '127.0.0.1', port, namespace: 'default' }))
      .then((s) => (onCleanup('Temporal dev server', () => s.stop()), s)),
  ]);
  const temporalPort = Number(temporalServer.address.split(':')[1]);
  const pids = {
    temporal: findChild((cmd) => cmd.includes('start-dev') && cmd.includes(` --port ${temporalPort} `)),
    postgres: findChild((cmd) => /(^|\/)postgres\s/.test(cmd) && cmd.includes(pgDir)),
  };

  const apiDatabase = createDatabase(pg.url);
  onCleanup('API database pool', () => apiDatabase.close());
  await runMigrations(apiDatabase);
  const seeded = await seedDemoData(apiDatabase.db);
  const tokens = Object.fromEntries(seeded.map((t) => [t.role, t.token]));
  const benchDatabase = createDatabase(pg.url, { max: 4 });
  onCleanup('bench database pool', () => benchDatabase.close());
  await benchDatabase.sql.unsafe(benchSql);

  const taskQueue = 'bench-helpdesk';
  const temporal = await connectTemporal({ address: temporalServer.address, namespace: 'default', taskQueue });
  onCleanup('Temporal client', () => temporal.close());
  await ensureSearchAttributes(temporal.connection, 'default');

  let webhook: Stack['webhook'];
  if (options.webhook) {
    const hits: WebhookHit[] = [];
    const server: Server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const receivedAt = now();
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          hits.push({ number: body.incident?.number, seq: body.event?.seq, to: body.event?.payload?.to, receivedAt });
        } catch {
          // not ours
        }
        res.writeHead(204).end();
      });
    });
    const port = await freePort();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
    onCleanup('webhook sink', () => new Promise<void>((resolve) => server.close(() => resolve())));
    webhook = { url: `http://127.0.0.1:${port}/escalations`, hits };
  }

  const common = { temporalAddress: temporalServer.address, namespace: 'default', databaseUrl: pg.url };
  const [worker, bare] = await Promise.all([
    startWorkerProcess({ ...common, kind: 'helpdesk', taskQueue, ...(webhook ? { webhookUrl: webhook.url } : {}) }, options.cpuProfDir ? { cpuProfDir: options.cpuProfDir } : {}).then(
      (w) => (onCleanup('helpdesk worker process', () => w.stop()), w),
    ),
    options.bareWorker ? startWorkerProcess({ ...common, kind: 'bare', taskQueue: 'bench-bare' }).then((w) => (onCleanup('bare worker process', () => w.stop()), w)) : undefined,
  ]);

  const apiPort = await freePort();
  const config = loadConfig({ HOST: '127.0.0.1', PORT: String(apiPort), LOG_LEVEL: 'warn', TEMPORAL_ADDRESS: temporalServer.address, TEMPORAL_TASK_QUEUE: taskQueue });
  const api = await startApiServer({ config, database: apiDatabase, temporal, logger: pino({ level: 'warn' }, pino.destination(2)) });
  onCleanup('API server', () => api.close());
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  log(`stack up in ${round((now() - begun) / 1000)} s: API ${apiUrl}, Temporal ${temporalServer.address} (pid ${pids.temporal}), Postgres pid ${pids.postgres}, worker pid ${worker.pid}${bare ? `, bare worker pid ${bare.pid}` : ''}`);

  const call: Stack['call'] = async (method, path, o = {}) => {
    const headers: Record<string, string> = {};
    if (o.token) headers.Authorization = `Bearer ${o.token}`;
    if (o.body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(`${apiUrl}${path}`, { method, headers, body: o.body === undefined ? null : JSON.stringify(o.body), signal: AbortSignal.timeout(60_000) });
    const text = await res.text();
    if (!(o.expect ?? [200, 201]).includes(res.status)) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };
  return {
    databaseUrl: pg.url,
    sql: benchDatabase.sql,
    temporal,
    taskQueue,
    apiUrl,
    tokens,
    worker,
    bare,
    pids,
    webhook,
    call,
    async figures() {
      const [w, b] = await Promise.all([worker.stats(), bare?.stats() ?? Promise.resolve(null)]);
      const cpu = process.cpuUsage();
      return {
        at: now(),
        worker: w,
        bare: b,
        api: { rssMb: round(process.memoryUsage().rss / 1048576), cpuMs: (cpu.user + cpu.system) / 1000 },
        temporal: procFigures(pids.temporal),
        postgres: procFigures(pids.postgres),
      };
    },
  };
}

type CpuPart = 'worker' | 'bare' | 'api' | 'temporal' | 'postgres';
const cpuOf = (f: Figures, part: CpuPart): number | undefined => {
  if (part === 'worker' || part === 'bare') return f[part] ? f[part].cpuUserMs + f[part].cpuSystemMs : undefined;
  return f[part]?.cpuMs;
};
const cpuParts: CpuPart[] = ['worker', 'bare', 'api', 'temporal', 'postgres'];

/** CPU ms per second of each part while nothing is asked of the stack (pollers, timers, GC). */
export type IdleCpu = Partial<Record<CpuPart, number>>;

export async function measureIdleCpu(stack: Stack, ms = 5000): Promise<IdleCpu> {
  const a = await stack.figures();
  await sleep(ms);
  const b = await stack.figures();
  const idle: IdleCpu = {};
  for (const part of cpuParts) {
    const x = cpuOf(a, part);
    const y = cpuOf(b, part);
    if (x !== undefined && y !== undefined) idle[part] = round(((y - x) / (b.at - a.at)) * 1000, 2);
  }
  return idle;
}

/**
 * CPU per item of each part between two snapshots, in ms (the API process includes the load
 * generator). With `idle`, the idle rate times the interval is taken off first (for long waits).
 */
export function cpuPerItem(before: Figures, after: Figures, items: number, idle: IdleCpu = {}) {
  const per = (part: CpuPart) => {
    const a = cpuOf(before, part);
    const b = cpuOf(after, part);
    if (a === undefined || b === undefined || items === 0) return null;
    return round((b - a - ((idle[part] ?? 0) * (after.at - before.at)) / 1000) / items, 2);
  };
  return { workerMs: per('worker'), bareWorkerMs: per('bare'), apiAndDriverMs: per('api'), temporalServerMs: per('temporal'), postgresMs: per('postgres') };
}

// ---------------------------------------------------------------------------------------------
// Load: items at a fixed concurrency, and incidents through POST /api/incidents.

/** Runs task(0..count-1) with at most `concurrency` in flight; stops starting new ones once `stop()` is true. */
export async function inPool(count: number, concurrency: number, task: (i: number) => Promise<void>, stop: () => boolean = () => false): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      if (interrupted() || stop()) return;
      await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
}

export interface Opened {
  i: number;
  /** Request sent and answered, epoch ms. */
  t0: number;
  t1: number;
  status: number;
  number: string | null;
  error?: string;
}

/** Opens `count` incidents through the API at `concurrency`; a failed request is recorded, not retried. */
export async function openIncidents(stack: Stack, options: { count: number; concurrency: number; body: (i: number) => Record<string, unknown>; token?: string; offset?: number; stop?: () => boolean }): Promise<Opened[]> {
  const token = options.token ?? stack.tokens.agent!;
  const results: Opened[] = [];
  await inPool(
    options.count,
    options.concurrency,
    async (k) => {
      const i = (options.offset ?? 0) + k;
      const t0 = now();
      try {
        const res = await fetch(`${stack.apiUrl}/api/incidents`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: JSON.stringify(options.body(i)),
          signal: AbortSignal.timeout(60_000),
        });
        const body = (await res.json().catch(() => null)) as { number?: string; detail?: string } | null;
        const opened: Opened = { i, t0, t1: now(), status: res.status, number: (res.status === 201 || res.status === 202) && body?.number ? body.number : null };
        if (!opened.number) opened.error = `${res.status} ${body?.detail ?? ''}`.trim();
        results.push(opened);
      } catch (err) {
        results.push({ i, t0, t1: now(), status: 0, number: null, error: err instanceof Error ? err.message : String(err) });
      }
    },
    options.stop,
  );
  return results.sort((a, b) => a.i - b.i);
}

/** Waits (bounded) until every number has its projection row; returns when each was written (epoch ms). */
export async function waitForProjections(stack: Stack, numbers: string[], deadline: number, stop?: () => boolean): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  let missing = [...numbers];
  await waitUntil(
    async () => {
      for (let k = 0; k < missing.length; k += 5000) {
        const rows = await stack.sql<{ number: string; at: number }[]>`
          select number, extract(epoch from at) * 1000 as at from bench_projected where number = any(${missing.slice(k, k + 5000)})`;
        for (const r of rows) written.set(r.number, Number(r.at));
      }
      missing = missing.filter((n) => !written.has(n));
      return missing.length === 0;
    },
    deadline,
    { intervalMs: 250, progress: () => `${written.size} of ${numbers.length} projected`, ...(stop ? { stop } : {}) },
  );
  return written;
}

/** Counts of answers by status, and the first few errors. */
export function answers(opened: Opened[]) {
  const byStatus: Record<string, number> = {};
  for (const o of opened) byStatus[String(o.status)] = (byStatus[String(o.status)] ?? 0) + 1;
  return { byStatus, firstErrors: [...new Set(opened.filter((o) => o.error).map((o) => o.error!))].slice(0, 5) };
}

/** Caller fields of the demo customers (covered ones, no credit hold), round robin. */
export const demoCallers: Record<string, unknown>[] = [
  { serialNumber: 'SRV-DL380-7731', contactEmail: 'petra.mueller@mueller-maschinenbau.example' },
  { serialNumber: 'FW-FG100F-0042' },
  { customerNumber: 'K-10003' },
  { contactEmail: 'jens.kraft@mueller-maschinenbau.example' },
];

/**
 * A customer with a contract on its own SLA policy, created through the admin API: a calendar
 * (given, or the demo office calendar), the policy with these targets for every priority, the
 * customer and a contract covering all its assets. Returns the customer number to open incidents with.
 */
export async function customerOnPolicy(
  stack: Stack,
  options: { name: string; customerNumber: string; contractNumber: string; calendar?: Record<string, unknown>; targets: { firstResponse: number; nextResponse: number; resolution: number } },
): Promise<{ customerNumber: string; contractNumber: string; policyId: string; calendarId: string }> {
  const admin = stack.tokens.admin!;
  let calendarId: string;
  if (options.calendar) {
    calendarId = (await stack.call('POST', '/api/calendars', { token: admin, body: { name: `Bench ${options.name}`, ...options.calendar }, expect: [201] })).id;
  } else {
    const calendars = await stack.call('GET', '/api/calendars', { token: admin });
    calendarId = calendars.items[0].id;
  }
  const targets = Object.fromEntries(['P1', 'P2', 'P3', 'P4'].map((p) => [p, options.targets]));
  const policy = await stack.call('POST', '/api/sla-policies', { token: admin, body: { name: `Bench ${options.name}`, calendarId, targets }, expect: [201] });
  const { customerNumber, contractNumber } = options;
  await stack.call('POST', '/api/customers', { token: admin, body: { customerNumber, name: `Bench ${options.name} GmbH` }, expect: [201] });
  await stack.call('POST', '/api/contracts', {
    token: admin,
    body: { contractNumber, customerNumber, tier: 'gold', validFrom: '2020-01-01', coversAllAssets: true, slaPolicyId: policy.id },
    expect: [201],
  });
  return { customerNumber, contractNumber, policyId: policy.id, calendarId };
}

export const allDayWeek = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]));
