// Once per test run: one real Postgres server (each test file gets its own database), and the
// paths of the Temporal CLI and the Java time-skipping test server (built or fetched if missing).
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/infra/embedded-postgres.js';
import { resolveTemporalCli } from '../../src/infra/temporal-dev-server.js';
import { freePort } from './ports.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
    temporalCli: string;
    temporalTestServer: string;
  }
}

function resolveTestServer(): string {
  const result = spawnSync('bash', ['scripts/ensure-test-server.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = result.stdout.trim();
  if (result.status !== 0 || !path) throw new Error('No Temporal test server (see the message above); set TEMPORAL_TEST_SERVER.');
  return path;
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'helpdesk-test-pg-'));
  const externalUrl = process.env.TEST_DATABASE_URL;
  const pg = externalUrl ? undefined : await startEmbeddedPostgres({ dataDir, port: await freePort(), database: 'postgres', persistent: false });
  project.provide('postgresUrl', externalUrl ?? pg!.url);
  project.provide('temporalCli', resolveTemporalCli(process.env.TEMPORAL_CLI));
  project.provide('temporalTestServer', resolveTestServer());
  return async () => {
    await pg?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
