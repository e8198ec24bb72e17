// A Temporal cluster on Postgres, as docker-compose.yml runs it, but from binaries built with Go
// (scripts/ensure-temporal-server.sh): Temporal's two databases set up with temporal-sql-tool
// (like compose's temporal-schema job), the four services (frontend, history, matching, worker)
// as separate processes on loopback ports, each with a config written from the module's
// development-postgres12.yaml template, and the namespace and search attributes registered (like
// compose's temporal-setup job). tests/deploy/docker-compose.test.ts checks that both agree.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { parse, stringify } from 'yaml';
import { ensureSearchAttributes } from '../temporal/namespace-setup.js';
import { searchAttributeDefinitions } from '../temporal/search-attributes.js';
import { ManagedProcess } from './processes.js';
import { isPortOpen } from './temporal-dev-server.js';

const ensureScript = fileURLToPath(new URL('../../scripts/ensure-temporal-server.sh', import.meta.url));

/** Temporal's databases on the shared Postgres server, as compose's temporal-schema job names them. */
export const temporalDatabases = { default: 'temporal', visibility: 'temporal_visibility' } as const;
/** The SQL plugin both use (compose: SQL_PLUGIN and DB). */
export const temporalSqlPlugin = 'postgres12';
/** The services, each a process of its own; started in this order, stopped in the reverse. */
export const temporalServices = ['history', 'matching', 'frontend', 'worker'] as const;
export type TemporalService = (typeof temporalServices)[number];
/**
 * Temporal's dynamic config, the same as compose's `temporal-dynamic-config`: SQL visibility keeps
 * workflow IDs in VARCHAR(255) columns.
 */
export const temporalDynamicConfig = { 'limit.maxIDLength': [{ value: 255, constraints: {} }] };

export interface TemporalBinaries {
  server: string;
  sqlTool: string;
  /** The directory with schema/ and config/ of the same version. */
  home: string;
  version: string;
}

/** The cached build of scripts/ensure-temporal-server.sh (built with Go if missing: minutes). */
export function resolveTemporalServer(): TemporalBinaries {
  const result = spawnSync('bash', [ensureScript], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [server, sqlTool] = result.stdout.trim().split('\n');
  if (result.status !== 0 || !server || !sqlTool) throw new Error('No Temporal server available (see the message above from scripts/ensure-temporal-server.sh).');
  const home = dirname(server);
  return { server, sqlTool, home, version: readFileSync(join(home, 'VERSION'), 'utf8').trim() };
}

export interface SqlServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The environment temporal-sql-tool reads, with the same names compose's temporal-schema job sets. */
export function sqlToolEnv(pg: SqlServer): Record<string, string> {
  return { SQL_PLUGIN: temporalSqlPlugin, SQL_HOST: pg.host, SQL_PORT: String(pg.port), SQL_USER: pg.user, SQL_PASSWORD: pg.password };
}

/**
 * Creates `temporal` and `temporal_visibility` and brings their schemas up to date; idempotent
 * (an existing database and an existing schema version are kept, as on every compose `up`).
 */
export async function setupTemporalSchemas(bins: TemporalBinaries, pg: SqlServer, exists: (database: string) => Promise<boolean>): Promise<void> {
  const schema = join(bins.home, 'schema/postgresql/v12');
  const run = (args: string[]) => {
    const r = spawnSync(bins.sqlTool, args, { env: { ...process.env, ...sqlToolEnv(pg) }, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`temporal-sql-tool ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  };
  for (const [database, dir] of [
    [temporalDatabases.default, 'temporal'],
    [temporalDatabases.visibility, 'visibility'],
  ] as const) {
    // create-database fails on an existing database, so it runs only for a new one.
    if (!(await exists(database))) run(['--db', database, 'create']);
    // setup-schema -v 0.0 creates the version tables and keeps an existing version.
    run(['--db', database, 'setup-schema', '-v', '0.0']);
    run(['--db', database, 'update-schema', '-d', join(schema, dir, 'versioned')]);
  }
}

export interface TemporalPorts {
  /** The frontend's gRPC port: the address clients use. */
  frontend: number;
  frontendHttp: number;
  history: number;
  matching: number;
  worker: number;
  /** Ringpop membership port per service. */
  membership: Record<TemporalService, number>;
  /** Prometheus metrics per service (the template's tally reporter). */
  metrics: Record<TemporalService, number>;
}

/** The parts of development-postgres12.yaml that the cluster sets (the rest is kept as it is). */
interface TemplateConfig {
  log: Record<string, unknown>;
  persistence: { datastores: Record<string, { sql?: Record<string, unknown> } | undefined> };
  global: { membership: Record<string, unknown>; pprof: Record<string, unknown>; metrics: { prometheus: Record<string, unknown> } };
  services: Record<TemporalService, { rpc: Record<string, unknown> }>;
  clusterMetadata: { clusterInformation: { active: Record<string, unknown> } };
  dynamicConfigClient: Record<string, unknown>;
}

/**
 * The config of one service's process, from the module's development-postgres12.yaml: our
 * Postgres, our ports on 127.0.0.1, this service's metrics port, our dynamic config file.
 */
export function temporalConfig(template: string, options: { service: TemporalService; pg: SqlServer; ports: TemporalPorts; dynamicConfigFile: string; logLevel: string }): string {
  const config = parse(template) as TemplateConfig;
  const { pg, ports } = options;
  config.log = { stdout: true, level: options.logLevel };
  for (const [store, database] of [
    ['postgres-default', temporalDatabases.default],
    ['postgres-visibility', temporalDatabases.visibility],
  ] as const) {
    const sql = config.persistence.datastores[store]?.sql;
    if (!sql) throw new Error(`the Temporal config template has no datastore ${store}`);
    Object.assign(sql, { pluginName: temporalSqlPlugin, databaseName: database, connectAddr: `${pg.host}:${pg.port}`, user: pg.user, password: pg.password });
  }
  config.global.membership.broadcastAddress = '127.0.0.1';
  config.global.pprof = { port: 0 };
  config.global.metrics.prometheus.listenAddress = `127.0.0.1:${ports.metrics[options.service]}`;
  const rpc = (service: TemporalService, grpcPort: number) => ({ ...config.services[service].rpc, grpcPort, membershipPort: ports.membership[service], bindOnLocalHost: true });
  config.services.frontend.rpc = { ...rpc('frontend', ports.frontend), httpPort: ports.frontendHttp };
  config.services.history.rpc = rpc('history', ports.history);
  config.services.matching.rpc = rpc('matching', ports.matching);
  config.services.worker.rpc = rpc('worker', ports.worker);
  config.clusterMetadata.clusterInformation.active.rpcAddress = `127.0.0.1:${ports.frontend}`;
  config.dynamicConfigClient = { filepath: options.dynamicConfigFile, pollInterval: '10s' };
  return stringify(config);
}

/** The four service processes, configured under dir (configs in dir/config, logs in dir/logs). */
export function temporalServiceProcesses(bins: TemporalBinaries, options: { dir: string; logDir: string; pg: SqlServer; ports: TemporalPorts; logLevel?: string }): Record<TemporalService, ManagedProcess> {
  const configDir = join(options.dir, 'config');
  mkdirSync(configDir, { recursive: true });
  const dynamicConfigFile = join(configDir, 'dynamicconfig.yaml');
  writeFileSync(dynamicConfigFile, stringify(temporalDynamicConfig));
  const template = readFileSync(join(bins.home, 'config/development-postgres12.yaml'), 'utf8');
  // The worker service serves no gRPC: it is up once it listens for membership.
  const readyPort: Record<TemporalService, number> = { frontend: options.ports.frontend, history: options.ports.history, matching: options.ports.matching, worker: options.ports.membership.worker };
  const entries = temporalServices.map((service) => {
    // One config file per service (the env name is the file name): metrics are a process-wide setting.
    // It holds the database password: for this user only.
    const configFile = join(configDir, `${service}.yaml`);
    writeFileSync(configFile, temporalConfig(template, { service, pg: options.pg, ports: options.ports, dynamicConfigFile, logLevel: options.logLevel ?? 'warn' }), { mode: 0o600 });
    chmodSync(configFile, 0o600);
    const process_ = new ManagedProcess({
      name: `temporal-${service}`,
      command: bins.server,
      args: ['--root', options.dir, '--config', 'config', '--env', service, '--allow-no-auth', 'start', '--service', service],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      cwd: options.dir,
      logFile: join(options.logDir, `temporal-${service}.log`),
      ready: () => isPortOpen('127.0.0.1', readyPort[service]),
      startTimeoutMs: 120_000,
      stopGraceMs: 20_000,
      restartOnCrash: true,
    });
    return [service, process_] as const;
  });
  return Object.fromEntries(entries) as Record<TemporalService, ManagedProcess>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function retry<T>(what: string, deadlineMs: number, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}`);
      await sleep(1000);
    }
  }
}

/**
 * Creates the namespace (if missing) and registers Helpdesk's search attributes, then waits until
 * the frontend knows both: what compose's temporal-setup job does with the CLI.
 */
export async function setupTemporalNamespace(address: string, namespace: string, retentionDays: number): Promise<void> {
  const connection = await retry('connecting to the Temporal frontend', 120_000, () => Connection.connect({ address, connectTimeout: 5_000 }));
  try {
    await retry('registering the namespace', 120_000, async () => {
      try {
        await connection.workflowService.describeNamespace({ namespace });
      } catch {
        await connection.workflowService
          .registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`) })
          .catch((err: { code?: number }) => {
            if (err.code !== 6) throw err; // ALREADY_EXISTS: another run registered it
          });
        await connection.workflowService.describeNamespace({ namespace });
      }
    });
    await retry('registering the search attributes', 120_000, async () => {
      await ensureSearchAttributes(connection, namespace);
      const listed = await connection.operatorService.listSearchAttributes({ namespace });
      const missing = searchAttributeDefinitions.filter((d) => !(d.name in (listed.customAttributes ?? {})));
      if (missing.length > 0) throw new Error(`not yet listed: ${missing.map((d) => d.name).join(', ')}`);
    });
    // The frontend sees a new namespace after its registry refreshes (10 s): until a list query
    // answers, a workflow start would fail.
    await retry('waiting for the namespace to be served', 60_000, () => connection.workflowService.listWorkflowExecutions({ namespace, pageSize: 1, query: "CustomerNumber = 'none'" }));
  } finally {
    await connection.close();
  }
}
