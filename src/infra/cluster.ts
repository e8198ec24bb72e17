// `npm run cluster`: the production shape of docker-compose.yml, without Docker. One Postgres
// server (embedded, or the one DATABASE_URL names) holds Helpdesk's database and Temporal's two;
// the Temporal services run as four processes on it (src/infra/temporal-cluster.ts); then two
// Helpdesk workers and two API processes, each a process of its own, as compose runs them. It
// prints where everything is; Ctrl-C stops the APIs, drains the workers, stops Temporal and then
// Postgres. The chaos run (bench/chaos.ts) starts the same cluster and kills parts of it.
//
//   npm run cluster                 # data, configs and logs in .cluster/ (kept between runs)
//   npm run cluster -- --fresh      # start from empty databases
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { createDatabase, runMigrations } from '../db/client.js';
import { searchAttributeDefinitions } from '../temporal/search-attributes.js';
import { databaseExists, ensureDatabase, initialiseEmbeddedPostgres } from './embedded-postgres.js';
import { ManagedProcess, type ProcessSpec } from './processes.js';
import { isEntryPoint, runEntryPoint } from './run.js';
import { resolveTemporalServer, setupTemporalNamespace, setupTemporalSchemas, temporalServiceProcesses, temporalServices, type SqlServer, type TemporalPorts, type TemporalService } from './temporal-cluster.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * The environment compose gives the api and worker services (x-helpdesk-env), by name. The
 * cluster passes the same names: the addresses of its own parts, and otherwise what the shell
 * sets, or nothing, so the process takes src/config.ts's default, which compose's defaults equal
 * (tests/deploy/docker-compose.test.ts checks names and defaults).
 */
export const helpdeskServiceEnvNames = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_TASK_QUEUE',
  'LOG_LEVEL',
  'SEED_DEMO_DATA',
  'PUBLIC_URL',
  'BUSINESS_TIMEZONE',
  'AUTO_CLOSE_DAYS',
  'DEFAULT_HOURLY_RATES',
  'INTERNAL_COST_RATES',
  'SMTP_URL',
  'MAIL_FROM',
  'NOTIFY_WEBHOOK_URL',
  'MAIL_ADDRESSES',
  'MAIL_MAX_BYTES',
  'MAIL_ACK_LIMIT_PER_HOUR',
  'IMAP_MAILBOXES',
  'WEEKLY_REPORT_SCHEDULE',
] as const;
/** Beyond those: the API's own listening address and its metrics token, and the worker's metrics address. */
export const apiOnlyEnvNames = ['PORT', 'HOST', 'METRICS_TOKEN'] as const;
export const workerOnlyEnvNames = ['WORKER_METRICS_ADDRESS'] as const;
/** The names whose value is the address of a part of this cluster (they differ from compose's by nature). */
export const clusterAddressEnvNames = ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'PUBLIC_URL', 'PORT', 'HOST', 'WORKER_METRICS_ADDRESS'] as const;

export interface ClusterOptions {
  /** Data, configs and logs. */
  dir: string;
  /** Ports are laid out from here (see clusterPorts). */
  portBase: number;
  /** An existing Postgres server (Helpdesk's database in the URL; Temporal's two beside it); else embedded. */
  databaseUrl?: string | undefined;
  workers?: number;
  apis?: number;
  /** Extra environment of the Helpdesk processes (SMTP_URL in the chaos run), over the shell's. */
  env?: Record<string, string>;
  /** The shell's environment the Helpdesk settings are taken from. */
  shellEnv?: NodeJS.ProcessEnv;
  namespace?: string;
  /** Progress lines. */
  log?: (line: string) => void;
  /** Registers how to stop what has just started (Lifecycle.started); stopped in reverse order. */
  started?: (name: string, stop: () => Promise<unknown>) => void;
}

export interface ClusterPorts {
  postgres: number;
  temporal: TemporalPorts;
  apis: number[];
  workerMetrics: number[];
}

/** The port layout from a base: Postgres +0, Temporal +33.. (like 7233..), APIs +100.., worker metrics +190... */
export function clusterPorts(base: number, counts: { workers: number; apis: number }): ClusterPorts {
  const offset = (n: number) => base + n;
  const perService = (from: number): Record<TemporalService, number> => ({ frontend: offset(from), history: offset(from + 1), matching: offset(from + 2), worker: offset(from + 6) });
  return {
    postgres: offset(0),
    temporal: { frontend: offset(33), history: offset(34), matching: offset(35), worker: offset(39), frontendHttp: offset(43), membership: perService(63), metrics: perService(80) },
    apis: Array.from({ length: counts.apis }, (_, i) => offset(100 + i)),
    workerMetrics: Array.from({ length: counts.workers }, (_, i) => offset(190 + i)),
  };
}

export interface Cluster {
  dir: string;
  ports: ClusterPorts;
  databaseUrl: string;
  temporalAddress: string;
  namespace: string;
  apiUrls: string[];
  /** Undefined when DATABASE_URL names an external server. */
  postgres: ManagedProcess | undefined;
  temporal: Record<TemporalService, ManagedProcess>;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  /** Every managed process, by name (`postgres`, `temporal-history`, `worker-1`, `api-2`, …). */
  process(name: string): ManagedProcess;
  /** The lines `npm run cluster` prints. */
  describe(): string[];
}

/** The Helpdesk processes' environment (a clean one: PATH and HOME, and the settings by name). */
export function helpdeskProcessEnv(kind: 'api' | 'worker', values: { databaseUrl: string; temporalAddress: string; namespace: string; port?: number; metricsPort?: number; shellEnv: NodeJS.ProcessEnv; extra: Record<string, string> }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: values.shellEnv.PATH ?? '/usr/bin:/bin', HOME: values.shellEnv.HOME ?? '/tmp', NODE_ENV: values.shellEnv.NODE_ENV ?? 'production' };
  const names = [...helpdeskServiceEnvNames, ...(kind === 'api' ? apiOnlyEnvNames : workerOnlyEnvNames)];
  for (const name of names) {
    const given = values.extra[name] ?? values.shellEnv[name];
    if (given !== undefined) env[name] = given;
  }
  env.DATABASE_URL = values.databaseUrl;
  env.TEMPORAL_ADDRESS = values.temporalAddress;
  env.TEMPORAL_NAMESPACE = values.namespace;
  // The cluster seeds the demo data itself, once, before these processes start (compose: "false").
  env.SEED_DEMO_DATA = 'false';
  if (kind === 'api') {
    env.HOST = '127.0.0.1';
    env.PORT = String(values.port);
    env.PUBLIC_URL = values.extra.PUBLIC_URL ?? `http://127.0.0.1:${values.port}`;
  } else {
    env.WORKER_METRICS_ADDRESS = `127.0.0.1:${values.metricsPort}`;
    delete env.PUBLIC_URL; // links in mails: the first API's address (below)
  }
  return env;
}

async function answers(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const log = options.log ?? (() => {});
  const started = options.started ?? (() => {});
  const dir = resolve(options.dir);
  const counts = { workers: options.workers ?? 2, apis: options.apis ?? 2 };
  const ports = clusterPorts(options.portBase, counts);
  const namespace = options.namespace ?? options.shellEnv?.TEMPORAL_NAMESPACE ?? 'default';
  const shellEnv = options.shellEnv ?? process.env;
  const all = new Map<string, ManagedProcess>();
  // Whatever way this process ends (a second Ctrl-C, a crash of the caller), no child outlives it:
  // they run in process groups of their own, so nothing else would stop them.
  process.on('exit', () => {
    for (const p of all.values()) p.killNow();
  });

  // 1. Postgres.
  let pgProcess: ManagedProcess | undefined;
  let server: SqlServer;
  let databaseUrl: string;
  let adminUrl: string;
  if (options.databaseUrl) {
    const url = new URL(options.databaseUrl);
    server = { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
    databaseUrl = options.databaseUrl;
    adminUrl = Object.assign(new URL(options.databaseUrl), { pathname: '/postgres' }).toString();
    log(`Postgres: ${url.host} (DATABASE_URL)`);
  } else {
    const pg = await initialiseEmbeddedPostgres(join(dir, 'postgres'));
    server = { host: '127.0.0.1', port: ports.postgres, user: pg.user, password: pg.password };
    adminUrl = `postgres://${pg.user}:${pg.password}@127.0.0.1:${ports.postgres}/postgres`;
    databaseUrl = `postgres://${pg.user}:${pg.password}@127.0.0.1:${ports.postgres}/helpdesk`;
    pgProcess = new ManagedProcess({
      name: 'postgres',
      command: pg.binary,
      // Temporal's four processes each keep pools (compose gives its Postgres 300 too); no Unix socket.
      args: ['-D', pg.dataDir, '-p', String(ports.postgres), '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=300', '-c', 'unix_socket_directories='],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_MESSAGES: 'C' },
      ...(pg.uid !== undefined ? { uid: pg.uid, gid: pg.gid } : {}),
      logFile: join(dir, 'logs', 'postgres.log'),
      ready: () => answers(adminUrl),
      startTimeoutMs: 60_000,
      stopGraceMs: 30_000,
      restartOnCrash: true,
      // Postgres' fast shutdown: open transactions roll back, then a clean checkpoint.
      stopSignal: 'SIGINT',
    });
    log(`starting Postgres on 127.0.0.1:${ports.postgres}…`);
    // Registered before the start, so a Ctrl-C during the start stops it too.
    started('Postgres', () => pgProcess!.close());
    all.set(pgProcess.name, pgProcess);
    await pgProcess.start();
  }
  await ensureDatabase(adminUrl, new URL(databaseUrl).pathname.slice(1));

  // 2. Temporal's databases and schemas, then its four services.
  const bins = resolveTemporalServer();
  log(`Temporal server ${bins.version}: setting up the schemas of temporal and temporal_visibility…`);
  await setupTemporalSchemas(bins, server, (name) => databaseExists(adminUrl, name));
  const temporal = temporalServiceProcesses(bins, { dir: join(dir, 'temporal'), logDir: join(dir, 'logs'), pg: server, ports: ports.temporal });
  for (const service of temporalServices) {
    log(`starting Temporal ${service} on 127.0.0.1:${service === 'worker' ? ports.temporal.membership.worker : ports.temporal[service]}…`);
    started(`Temporal ${service}`, () => temporal[service].close());
    all.set(temporal[service].name, temporal[service]);
    await temporal[service].start();
  }
  const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
  log(`registering namespace ${namespace} and ${searchAttributeDefinitions.length} search attributes…`);
  await setupTemporalNamespace(temporalAddress, namespace, 30);

  // 3. Helpdesk's schema (once, here, not raced by four processes), and demo data on an empty database.
  const database = createDatabase(databaseUrl);
  try {
    await runMigrations(database);
  } finally {
    await database.close();
  }

  // 4. The workers, then the APIs: each a process of its own, as compose runs them.
  const extra = options.env ?? {};
  const firstApiUrl = extra.PUBLIC_URL ?? `http://127.0.0.1:${ports.apis[0]}`;
  const node = process.execPath;
  // A Helpdesk process from source, as compose runs the image's; registered for the exit hook.
  const helpdeskProcess = (name: string, script: string, env: NodeJS.ProcessEnv, ready: ProcessSpec['ready'], stopGraceMs: number) => {
    const p = new ManagedProcess({ name, command: node, args: ['--import', 'tsx', script], cwd: repoRoot, env, logFile: join(dir, 'logs', `${name}.log`), ready, startTimeoutMs: 120_000, stopGraceMs, restartOnCrash: true });
    all.set(name, p);
    return p;
  };
  const workers = ports.workerMetrics.map((metricsPort, i) =>
    helpdeskProcess(
      `worker-${i + 1}`,
      'src/worker.ts',
      { ...helpdeskProcessEnv('worker', { databaseUrl, temporalAddress, namespace, metricsPort, shellEnv, extra }), PUBLIC_URL: firstApiUrl },
      (since) => Promise.resolve(since().includes('"msg":"worker started"')),
      60_000, // compose: stop_grace_period 60s
    ),
  );
  for (const worker of workers) {
    log(`starting ${worker.name}…`);
    started(worker.name, () => worker.close());
    await worker.start();
  }
  const apis = ports.apis.map((port, i) =>
    helpdeskProcess(
      `api-${i + 1}`,
      'src/server.ts',
      helpdeskProcessEnv('api', { databaseUrl, temporalAddress, namespace, port, shellEnv, extra }),
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(3000) })).ok,
      30_000,
    ),
  );
  for (const api of apis) {
    log(`starting ${api.name} on 127.0.0.1:${ports.apis[apis.indexOf(api)]}…`);
    started(api.name, () => api.close());
    await api.start();
  }

  const apiUrls = ports.apis.map((p) => `http://127.0.0.1:${p}`);
  return {
    dir,
    ports,
    databaseUrl,
    temporalAddress,
    namespace,
    apiUrls,
    postgres: pgProcess,
    temporal,
    workers,
    apis,
    process: (name) => {
      const p = all.get(name);
      if (!p) throw new Error(`no process ${name} in this cluster (${[...all.keys()].join(', ')})`);
      return p;
    },
    describe: () => {
      const pid = (p: ManagedProcess) => `pid ${p.pid ?? '-'}`;
      return [
        '',
        'The Helpdesk cluster is running (the production shape of docker-compose.yml, without Docker).',
        ...apis.map((a, i) => `  ${a.name.padEnd(18)} ${apiUrls[i]}   (${apiUrls[i]}/docs, ${apiUrls[i]}/metrics)  ${pid(a)}`),
        ...workers.map((w, i) => `  ${w.name.padEnd(18)} task queue ${shellEnv.TEMPORAL_TASK_QUEUE ?? 'helpdesk'}, metrics http://127.0.0.1:${ports.workerMetrics[i]}/metrics  ${pid(w)}`),
        ...temporalServices.map((s) => `  ${temporal[s].name.padEnd(18)} 127.0.0.1:${s === 'worker' ? `${ports.temporal.membership.worker} (membership only)` : ports.temporal[s]}${s === 'frontend' ? ` (clients connect here; HTTP ${ports.temporal.frontendHttp})` : ''}, metrics http://127.0.0.1:${ports.temporal.metrics[s]}/metrics  ${pid(temporal[s])}`),
        `  ${'postgres'.padEnd(18)} ${pgProcess ? `127.0.0.1:${ports.postgres} (embedded, data in ${join(dir, 'postgres')})  ${pid(pgProcess)}` : 'DATABASE_URL'}; databases helpdesk, temporal, temporal_visibility`,
        `  ${'logs'.padEnd(18)} ${join(dir, 'logs')}/<name>.log`,
        '',
        `Inspect workflows with the CLI:  temporal workflow list --address ${temporalAddress} --namespace ${namespace}`,
        '',
      ];
    },
  };
}


if (isEntryPoint(import.meta.url)) {
  runEntryPoint(async (lifecycle) => {
    const fresh = process.argv.includes('--fresh');
    const dir = resolve(process.env.CLUSTER_DIR ?? join(repoRoot, '.cluster'));
    const portBase = Number(process.env.CLUSTER_PORT_BASE ?? 17200);
    if (!Number.isInteger(portBase) || portBase < 1024 || portBase > 65_000) throw new Error(`CLUSTER_PORT_BASE=${process.env.CLUSTER_PORT_BASE} is not a port number between 1024 and 65000.`);
    if (fresh) rmSync(dir, { recursive: true, force: true });
    const log = (line: string) => process.stderr.write(`cluster: ${line}\n`);
    lifecycle.log = log;
    const cluster = await startCluster({ dir, portBase, databaseUrl: process.env.DATABASE_URL || undefined, shellEnv: process.env, log, started: (name, stop) => lifecycle.started(name, stop) });
    const tokens = await seedDemo(cluster, log);
    writeFileSync(join(dir, 'cluster.json'), JSON.stringify({ apiUrls: cluster.apiUrls, temporalAddress: cluster.temporalAddress, namespace: cluster.namespace, databaseUrl: cluster.databaseUrl, ports: cluster.ports }, null, 2), { mode: 0o600 });
    chmodSync(join(dir, 'cluster.json'), 0o600); // it holds the database password
    process.stdout.write(
      [
        ...cluster.describe(),
        ...(tokens.length > 0 ? ['Demo tokens (also in ' + join(dir, 'demo-tokens.json') + '):', ...tokens.map((t) => `  ${t.role.padEnd(8)} ${t.name.padEnd(12)} ${t.token}`)] : ['(no new demo tokens: the database was seeded before; they are in ' + join(dir, 'demo-tokens.json') + ')']),
        '',
        'Press Ctrl-C to stop (APIs, workers, Temporal, Postgres, in that order).',
        '',
      ].join('\n'),
    );
  });
}

/** Demo data and tokens on an empty database (as `npm start` seeds), and the demo incidents through the cluster. */
export async function seedDemo(cluster: Cluster, log: (line: string) => void): Promise<{ role: string; name: string; token: string }[]> {
  if (process.env.SEED_DEMO_DATA === 'false') return [];
  const { isEmpty, seedDemoData } = await import('./demo-seed.js');
  const database = createDatabase(cluster.databaseUrl);
  try {
    if (!(await isEmpty(database.db))) return [];
    const tokens = await seedDemoData(database.db);
    writeFileSync(join(cluster.dir, 'demo-tokens.json'), JSON.stringify(tokens, null, 2), { mode: 0o600 });
    chmodSync(join(cluster.dir, 'demo-tokens.json'), 0o600);
    log(`seeded the demo data (${tokens.length} tokens)`);
    return tokens;
  } finally {
    await database.close();
  }
}
