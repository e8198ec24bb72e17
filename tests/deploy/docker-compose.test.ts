// Checks docker-compose.yml (the production shape) against the code it deploys: the app's
// config schema, the search attributes the workflows use, and the Dockerfile. It also pins
// the stdout/stderr contract of the scripts that locate the Temporal binaries for tests.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configVariables, loadConfig } from '../../src/config.js';
import { apiOnlyEnvNames, clusterAddressEnvNames, clusterPorts, helpdeskProcessEnv, helpdeskServiceEnvNames, workerOnlyEnvNames } from '../../src/infra/cluster.js';
import { sqlToolEnv, temporalConfig, temporalDatabases, temporalDynamicConfig, temporalSqlPlugin } from '../../src/infra/temporal-cluster.js';
import { searchAttributeDefinitions } from '../../src/temporal/search-attributes.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

// ---- compose model ---------------------------------------------------------------------------

type Env = Record<string, string | undefined>;

interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: string | number; published?: string | number })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  deploy?: { replicas?: number | string };
  configs?: { source: string; target: string }[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
  configs?: Record<string, { content?: string; file?: string }>;
}

/**
 * Compose variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, with nesting in the default.
 */
function interpolate(input: string, env: Env): string {
  let out = '';
  let i = 0;
  while (i < input.length) {
    const c = input.charAt(i);
    const next = input.charAt(i + 1);
    if (c !== '$') {
      out += c;
      i += 1;
    } else if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      let depth = 1;
      let j = i + 2;
      while (j < input.length && depth > 0) {
        if (input.charAt(j) === '{') depth += 1;
        else if (input.charAt(j) === '}') depth -= 1;
        j += 1;
      }
      if (depth !== 0) throw new Error(`unterminated \${ in ${JSON.stringify(input)}`);
      out += substitute(input.slice(i + 2, j - 1), env);
      i = j;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(input.slice(i + 1))?.[0];
      if (name === undefined) {
        out += c;
        i += 1;
      } else {
        out += env[name] ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function substitute(body: string, env: Env): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  const name = m?.[1];
  if (m === null || name === undefined) throw new Error(`bad substitution \${${body}}`);
  const op = m[2];
  const arg = m[3] ?? '';
  const value = env[name];
  const set = value !== undefined;
  const nonEmpty = set && value !== '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return nonEmpty ? value : interpolate(arg, env);
    case '-':
      return set ? value : interpolate(arg, env);
    case ':?':
    case '?':
      if (op === ':?' ? !nonEmpty : !set) throw new Error(`required variable ${name} is missing: ${arg}`);
      return value ?? '';
    case ':+':
      return nonEmpty ? interpolate(arg, env) : '';
    case '+':
      return set ? interpolate(arg, env) : '';
    default:
      throw new Error(`bad substitution \${${body}}`);
  }
}

function interpolateDeep(node: unknown, env: Env): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateDeep(item, env));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)]));
  }
  return node;
}

const composePath = join(root, 'docker-compose.yml');
const composeSource = readFileSync(composePath, 'utf8');
/** As written, with `<<` merge keys resolved. */
const rawCompose = parse(composeSource, { merge: true }) as ComposeFile;
/** As `docker compose` sees it with no .env file and no variables set in the shell. */
const compose = interpolateDeep(rawCompose, {}) as ComposeFile;

function service(name: string): ComposeService {
  const svc = compose.services[name];
  if (svc === undefined) throw new Error(`docker-compose.yml has no service "${name}"`);
  return svc;
}

function environmentOf(svc: ComposeService): Env {
  const env = svc.environment;
  if (env === undefined) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const eq = entry.indexOf('=');
        return eq === -1 ? [entry, undefined] : [entry.slice(0, eq), entry.slice(eq + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? undefined : String(v)]));
}

function buildOf(svc: ComposeService): { context: string; dockerfile: string } | undefined {
  const build = svc.build;
  if (build === undefined) return undefined;
  if (typeof build === 'string') return { context: build, dockerfile: 'Dockerfile' };
  return { context: build.context ?? '.', dockerfile: build.dockerfile ?? 'Dockerfile' };
}

function words(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.trim().split(/\s+/);
}

/** Container ports a service publishes: short syntax `[ip:][host:]container[/proto]` or long syntax. */
function containerPorts(svc: ComposeService): number[] {
  return (svc.ports ?? []).map((p) => {
    if (typeof p === 'object') return Number(p.target);
    const spec = String(p).replace(/\/(tcp|udp|sctp)$/, '');
    return Number(spec.slice(spec.lastIndexOf(':') + 1));
  });
}

function dependsOn(svc: ComposeService): Record<string, string | undefined> {
  const deps = svc.depends_on;
  if (deps === undefined) return {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((d) => [d, undefined]));
  return Object.fromEntries(Object.entries(deps).map(([k, v]) => [k, v.condition]));
}

/** `--name X --type Y` pairs of the `temporal operator search-attribute create` call in compose. */
function registeredSearchAttributes(): { services: string[]; attributes: { name: string; type: string }[] } {
  const services: string[] = [];
  const attributes: { name: string; type: string }[] = [];
  for (const [name, svc] of Object.entries(compose.services)) {
    const script = [svc.entrypoint ?? [], svc.command ?? []].flat().join('\n');
    const at = script.indexOf('search-attribute create');
    if (at === -1) continue;
    services.push(name);
    // The call ends at the first line that does not end with a backslash.
    const call = (/^[\s\S]*?(?<!\\)\n/.exec(script.slice(at) + '\n')?.[0] ?? '').replace(/\\\n/g, ' ');
    for (const m of call.matchAll(/--name[\s=]+['"]?([A-Za-z0-9_]+)['"]?\s+--type[\s=]+['"]?([A-Za-z]+)['"]?/g)) {
      attributes.push({ name: m[1] ?? '', type: m[2] ?? '' });
    }
  }
  return { services, attributes };
}

const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  authorization?: { type?: string; credentials?: string };
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; type?: string; port?: number }[];
}

/** The scrape jobs of the prometheus service's inline config, as compose renders it with `env`. */
function scrapeJobs(env: Env): ScrapeJob[] {
  const file = interpolateDeep(rawCompose, env) as ComposeFile;
  const mounted = file.services.prometheus?.configs ?? [];
  const source = mounted.find((c) => c.target === '/etc/prometheus/prometheus.yml')?.source;
  const content = source === undefined ? undefined : file.configs?.[source]?.content;
  if (content === undefined) throw new Error('the prometheus service mounts no inline /etc/prometheus/prometheus.yml');
  return (parse(content) as { scrape_configs: ScrapeJob[] }).scrape_configs;
}

const job = (jobs: ScrapeJob[], name: string) => {
  const found = jobs.find((j) => j.job_name === name);
  if (found === undefined) throw new Error(`no scrape job "${name}"`);
  return found;
};

// ---- tests -----------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('has the production services', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'api', 'worker', 'prometheus']),
    );
  });

  it('builds api and worker from the same Dockerfile and build context', () => {
    const api = buildOf(service('api'));
    const worker = buildOf(service('worker'));
    expect(api).toBeDefined();
    expect(worker).toEqual(api);
    if (api === undefined) return;
    expect(existsSync(resolve(root, api.context, api.dockerfile))).toBe(true);
    expect(service('worker').image).toBe(service('api').image);
  });

  it('runs the API with the image default command and overrides it for the worker', () => {
    expect(service('api').command).toBeUndefined();
    expect(words(service('worker').command)).toEqual(['node', 'dist/worker.js']);
    expect(Number(service('worker').deploy?.replicas)).toBeGreaterThanOrEqual(2);
  });

  it('passes api and worker only variables that src/config.ts reads, including the required ones', () => {
    for (const name of ['api', 'worker']) {
      const env = environmentOf(service(name));
      const unknown = Object.keys(env).filter((k) => !(configVariables as readonly string[]).includes(k));
      expect(unknown, `${name}: variables not in configVariables`).toEqual([]);
      for (const required of ['DATABASE_URL', 'TEMPORAL_ADDRESS']) {
        expect(env[required], `${name}: ${required}`).toMatch(/\S/);
      }
    }
  });

  it('gives api and worker the same database, Temporal namespace and task queue', () => {
    const api = environmentOf(service('api'));
    const worker = environmentOf(service('worker'));
    for (const key of ['DATABASE_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'PUBLIC_URL']) {
      expect(worker[key], key).toBe(api[key]);
    }
  });

  it('publishes the port the API listens on, on all interfaces', () => {
    const config = loadConfig(environmentOf(service('api')));
    expect(containerPorts(service('api'))).toContain(config.PORT);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('accepts the api and worker environments in loadConfig()', () => {
    for (const name of ['api', 'worker']) {
      const env = environmentOf(service(name));
      const config = loadConfig(env);
      expect(config.SEED_DEMO_DATA, `${name}: SEED_DEMO_DATA`).toBe(false);
      // The addresses point at services of this file.
      const temporalHost = config.TEMPORAL_ADDRESS.split(':')[0] ?? '';
      expect(Object.keys(compose.services), `${name}: TEMPORAL_ADDRESS host`).toContain(temporalHost);
      expect(config.DATABASE_URL, `${name}: DATABASE_URL`).toBeDefined();
      const dbHost = new URL(config.DATABASE_URL ?? 'postgres://invalid').hostname;
      expect(Object.keys(compose.services), `${name}: DATABASE_URL host`).toContain(dbHost);
    }
  });

  it('registers exactly the search attributes of src/temporal/search-attributes.ts', () => {
    const { services, attributes } = registeredSearchAttributes();
    expect(services, 'services running `temporal operator search-attribute create`').toHaveLength(1);
    const expected = searchAttributeDefinitions.map(({ name, type }) => ({ name, type }));
    expect([...attributes].sort(byName)).toEqual([...expected].sort(byName));
  });

  it('starts services only after what they depend on is healthy or done', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dep, condition] of Object.entries(dependsOn(svc))) {
        const target = service(dep);
        expect(condition, `${name} -> ${dep}: depends_on needs a condition`).toBeDefined();
        if (condition === 'service_healthy') {
          expect(target.healthcheck?.test, `${name} -> ${dep}: ${dep} needs a healthcheck`).toBeDefined();
        }
        if (condition === 'service_completed_successfully') {
          expect(['always', 'unless-stopped'], `${name} -> ${dep}: ${dep} must be a one-shot`).not.toContain(
            target.restart,
          );
        }
      }
    }
    for (const name of ['api', 'worker']) {
      expect(dependsOn(service(name))).toMatchObject({ postgres: 'service_healthy' });
    }
  });
});

describe('docker-compose.yml: metrics', () => {
  it('runs a pinned Prometheus, published on the loopback interface only', () => {
    const prometheus = service('prometheus');
    expect(prometheus.image).toMatch(/^prom\/prometheus:v\d+\.\d+\.\d+$/);
    expect(prometheus.ports).toEqual(['127.0.0.1:9090:9090']);
  });

  it('scrapes /metrics of the API on the port it listens on', () => {
    const config = loadConfig(environmentOf(service('api')));
    const api = job(scrapeJobs({}), 'api');
    expect(api.metrics_path ?? '/metrics').toBe('/metrics');
    expect(api.static_configs?.flatMap((c) => c.targets)).toEqual([`api:${config.PORT}`]);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it('scrapes every worker replica (by DNS) on the port of its WORKER_METRICS_ADDRESS, which binds all interfaces', () => {
    const address = loadConfig(environmentOf(service('worker'))).WORKER_METRICS_ADDRESS;
    expect(address).toMatch(/^0\.0\.0\.0:\d+$/);
    const port = Number(address!.split(':')[1]);
    expect(job(scrapeJobs({}), 'worker').dns_sd_configs).toEqual([{ names: ['worker'], type: 'A', port }]);
    expect(loadConfig(environmentOf(service('api'))).WORKER_METRICS_ADDRESS).toBeUndefined();
  });

  it('scrapes the Temporal server on its PROMETHEUS_ENDPOINT', () => {
    const endpoint = environmentOf(service('temporal')).PROMETHEUS_ENDPOINT ?? '';
    expect(endpoint).toMatch(/^0\.0\.0\.0:\d+$/);
    expect(job(scrapeJobs({}), 'temporal').static_configs?.flatMap((c) => c.targets)).toEqual([`temporal:${endpoint.split(':')[1]}`]);
  });

  it('sends the API its METRICS_TOKEN when one is set, and no authorization without', () => {
    expect(job(scrapeJobs({}), 'api').authorization).toBeUndefined();
    const token = 'scrape-token-0123456789';
    const withToken = interpolateDeep(rawCompose, { METRICS_TOKEN: token }) as ComposeFile;
    expect(loadConfig(environmentOf(withToken.services.api!)).METRICS_TOKEN).toBe(token);
    expect(job(scrapeJobs({ METRICS_TOKEN: token }), 'api').authorization).toEqual({ credentials: token });
  });
});

describe('docker-compose.yml and npm run cluster agree', () => {
  // The cluster (src/infra/cluster.ts) runs here; compose cannot. These keep compose true to it.
  const ensureScript = readFileSync(join(root, 'scripts/ensure-temporal-server.sh'), 'utf8');
  const clusterVersion = /^TEMPORAL_SERVER_VERSION=(\S+)$/m.exec(ensureScript)?.[1];

  it('use the same Temporal server version', () => {
    expect(clusterVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(service('temporal').image).toBe(`temporalio/server:${clusterVersion}`);
    // admin-tools tags are "<server>-tctl-<x>-cli-<y>": the same server release.
    for (const name of ['temporal-schema', 'temporal-setup']) expect(service(name).image).toMatch(new RegExp(`^temporalio/admin-tools:${clusterVersion!.replace(/\./g, '\\.')}(-|$)`));
  });

  it('create the same Temporal databases with the same SQL plugin, and the same schema steps', () => {
    const schema = service('temporal-schema');
    expect(environmentOf(schema).SQL_PLUGIN).toBe(temporalSqlPlugin);
    expect(environmentOf(service('temporal')).DB).toBe(temporalSqlPlugin);
    const script = words(schema.command).join(' ');
    for (const [database, dir] of [
      [temporalDatabases.default, 'temporal'],
      [temporalDatabases.visibility, 'visibility'],
    ]) {
      expect(script).toContain(`--db ${database} create`);
      expect(script).toContain(`--db ${database} setup-schema -v 0.0`);
      expect(script).toContain(`--db ${database} update-schema -d "$schema/${dir}/versioned"`);
    }
    // The cluster passes temporal-sql-tool the same variables the schema job sets.
    expect(Object.keys(sqlToolEnv({ host: 'h', port: 1, user: 'u', password: 'p' })).sort()).toEqual(Object.keys(environmentOf(schema)).filter((k) => k.startsWith('SQL_')).sort());
  });

  it('give Temporal the same dynamic config', () => {
    const content = (rawCompose as unknown as { configs: Record<string, { content: string }> }).configs['temporal-dynamic-config']!.content;
    expect(parse(content)).toEqual(temporalDynamicConfig);
  });

  it('register the same search attributes (the cluster registers searchAttributeDefinitions)', () => {
    expect(registeredSearchAttributes().attributes.sort(byName)).toEqual([...searchAttributeDefinitions].map((d) => ({ name: d.name, type: d.type })).sort(byName));
  });

  it.each(['api', 'worker'] as const)('pass the %s processes the same variables, with the same defaults', (kind) => {
    const composeEnv = environmentOf(service(kind));
    const own = kind === 'api' ? apiOnlyEnvNames : workerOnlyEnvNames;
    expect(Object.keys(composeEnv).sort()).toEqual([...helpdeskServiceEnvNames, ...own].sort());
    // What the cluster gives a process with nothing set in the shell.
    const clusterEnv = helpdeskProcessEnv(kind, { databaseUrl: 'postgres://u:p@127.0.0.1:1/helpdesk', temporalAddress: '127.0.0.1:2', namespace: 'default', port: 3, metricsPort: 4, shellEnv: {}, extra: {} });
    const { PATH: _path, HOME: _home, NODE_ENV: _nodeEnv, ...named } = clusterEnv;
    for (const name of Object.keys(named)) expect(Object.keys(composeEnv)).toContain(name);
    // Every setting that is not an address of a part resolves to the same value in both.
    const fromCompose = loadConfig(composeEnv);
    const fromCluster = loadConfig(named);
    const compared = Object.keys(composeEnv).filter((name) => !(clusterAddressEnvNames as readonly string[]).includes(name));
    expect(compared.length).toBeGreaterThan(10);
    for (const name of compared) expect({ name, value: fromCluster[name as keyof typeof fromCluster] }).toEqual({ name, value: fromCompose[name as keyof typeof fromCompose] });
  });

  it('writes each Temporal service a config on the shared Postgres, its own metrics port, and loopback ports', () => {
    // A trimmed copy of the module's development-postgres12.yaml (the real one is read at run time).
    const template = `
log: { stdout: true, level: info }
persistence:
  defaultStore: postgres-default
  visibilityStore: postgres-visibility
  numHistoryShards: 4
  datastores:
    postgres-default: { sql: { pluginName: postgres12, databaseName: temporal, connectAddr: "127.0.0.1:5432", user: temporal, password: temporal, maxConns: 20 } }
    postgres-visibility: { sql: { pluginName: postgres12, databaseName: temporal_visibility, connectAddr: "127.0.0.1:5432", user: temporal, password: temporal, maxConns: 2 } }
global:
  membership: { maxJoinDuration: 30s, broadcastAddress: "127.0.0.1" }
  pprof: { port: 7936 }
  metrics: { prometheus: { framework: tally, timerType: histogram, listenAddress: "127.0.0.1:8000" } }
services:
  frontend: { rpc: { grpcPort: 7233, membershipPort: 6933, bindOnLocalHost: true, httpPort: 7243 } }
  matching: { rpc: { grpcPort: 7235, membershipPort: 6935, bindOnLocalHost: true } }
  history: { rpc: { grpcPort: 7234, membershipPort: 6934, bindOnLocalHost: true } }
  worker: { rpc: { grpcPort: 7239, membershipPort: 6939, bindOnLocalHost: true } }
clusterMetadata: { currentClusterName: active, clusterInformation: { active: { enabled: true, initialFailoverVersion: 1, rpcName: frontend, rpcAddress: "localhost:7233" } } }
dynamicConfigClient: { filepath: "config/dynamicconfig/development-sql.yaml", pollInterval: "10s" }
`;
    const ports = clusterPorts(17200, { workers: 2, apis: 2 }).temporal;
    const pg = { host: '127.0.0.1', port: 17200, user: 'postgres', password: 'secret' };
    const configs = (['frontend', 'history', 'matching', 'worker'] as const).map((service_) => parse(temporalConfig(template, { service: service_, pg, ports, dynamicConfigFile: '/x/dynamicconfig.yaml', logLevel: 'warn' })) as Record<string, any>);
    for (const config of configs) {
      expect(config.persistence.numHistoryShards).toBe(4);
      expect(config.persistence.datastores['postgres-default'].sql).toMatchObject({ databaseName: temporalDatabases.default, connectAddr: '127.0.0.1:17200', user: 'postgres', password: 'secret', maxConns: 20 });
      expect(config.persistence.datastores['postgres-visibility'].sql).toMatchObject({ databaseName: temporalDatabases.visibility, connectAddr: '127.0.0.1:17200' });
      expect(config.services.frontend.rpc).toEqual({ grpcPort: 17233, membershipPort: 17263, bindOnLocalHost: true, httpPort: 17243 });
      expect(config.services.worker.rpc.membershipPort).toBe(17269);
      expect(config.clusterMetadata.clusterInformation.active.rpcAddress).toBe('127.0.0.1:17233');
      expect(config.dynamicConfigClient.filepath).toBe('/x/dynamicconfig.yaml');
      expect(config.global.pprof.port).toBe(0);
    }
    // Metrics are process-wide in Temporal's config: four processes, four ports.
    expect(new Set(configs.map((c) => c.global.metrics.prometheus.listenAddress)).size).toBe(4);
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('runs the API by default as a non-root user', () => {
    expect(finalStage).toMatch(/^CMD \["node", ?"dist\/server\.js"\]\s*$/m);
    const user = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
  });
});

// ---- scripts/ensure-*.sh: one path on stdout, or one clear line on stderr -----------------------

describe.each([
  ['scripts/ensure-temporal-cli.sh', 'TEMPORAL_CLI'],
  ['scripts/ensure-test-server.sh', 'TEMPORAL_TEST_SERVER'],
])('%s', (script, variable) => {
  function run(value: string, cacheDir: string) {
    return spawnSync('bash', [join(root, script)], {
      cwd: root,
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, [variable]: value, HELPDESK_CACHE_DIR: cacheDir },
    });
  }

  function withTempDir<T>(fn: (dir: string) => T): T {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'helpdesk-ensure-')));
    try {
      return fn(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it(`fails with one line on stderr when ${variable} does not exist`, () => {
    withTempDir((dir) => {
      const result = run('/nonexistent', dir);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${variable}=/nonexistent`);
    });
  });

  it(`fails when ${variable} is not executable`, () => {
    withTempDir((dir) => {
      const file = join(dir, 'not-executable');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, 0o644);
      const result = run(file, dir);
      expect(result.status).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    });
  });

  it(`prints the absolute path of ${variable} when it is executable`, () => {
    withTempDir((dir) => {
      const file = join(dir, 'fake-binary');
      writeFileSync(file, '#!/bin/sh\nexit 0\n');
      chmodSync(file, 0o755);
      const result = run(file, dir);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toBe(`${file}\n`);
    });
  });
});
