// `npm start` as a user runs it (src/main.ts, the embedded stack with demo data), on free ports and
// in a data folder of its own, for the tests that start it: tests/e2e/npm-start.test.ts and
// tests/e2e/readme-examples.test.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { freePort } from './ports.js';

export const repoRoot = new URL('../../', import.meta.url).pathname;

export interface NpmStartSetup {
  dataDir: string;
  /** The environment `npm start` runs with: this process's, with the data folder and ports set. */
  env: Record<string, string>;
  ports: { api: number; pg: number; temporal: number; ui: number };
  /** Removes the data folder. */
  cleanUp(): Promise<void>;
}

/** A fresh data folder and free ports for `npm start`; nothing is started yet. */
export async function prepareNpmStart(): Promise<NpmStartSetup> {
  const dataDir = await mkdtemp(join(tmpdir(), 'helpdesk-e2e-'));
  // As root, Postgres runs as the "postgres" user, which must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const ports = { api: await freePort(), pg: await freePort(), temporal: await freePort(), ui: await freePort() };
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    DATA_DIR: dataDir,
    PORT: String(ports.api),
    EMBEDDED_PG_PORT: String(ports.pg),
    TEMPORAL_ADDRESS: `127.0.0.1:${ports.temporal}`,
    TEMPORAL_UI_PORT: String(ports.ui),
    TEMPORAL_CLI: inject('temporalCli'),
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;
  return { dataDir, env, ports, cleanUp: () => rm(dataDir, { recursive: true, force: true }) };
}

export interface Started {
  child: ChildProcess;
  output: () => string;
}

/** Runs `npm start` (src/main.ts) with `env` and waits until it says it is running. */
export async function startNpm(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Press Ctrl-C to stop.')) {
    if (child.exitCode !== null) throw new Error(`npm start exited early:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGINT');
      throw new Error(`npm start did not come up within 90 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => output };
}

/** Ctrl-C: resolves with the exit code once everything has stopped. */
export async function stopNpm({ child }: Started): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGINT');
  return exited;
}

/** The demo token `npm start` printed for a role (agent, manager, admin, mailgate, sales). */
export const tokenOf = (output: string, role: string) => new RegExp(`^\\s+${role}\\s+.*?(hd_\\S+)$`, 'm').exec(output)?.[1];
